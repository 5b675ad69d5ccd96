package com.nholuongut.ecs.aws;

/**
 * {@code --instance-id} and {@code --region}: who we are when not asking the metadata service (debugging
 * off-instance), and a region that wins over the one IMDS gives.
 *
 * @param instanceId the instance to act as, or null to ask IMDS
 * @param region     the region, or null
 */
public record IdentityFlags(String instanceId, String region) {
}
