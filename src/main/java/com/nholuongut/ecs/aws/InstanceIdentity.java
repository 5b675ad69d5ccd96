package com.nholuongut.ecs.aws;

/**
 * Who we are: the instance id, its region and its own private IPv4 address.
 *
 * @param instanceId the EC2 instance id; null only for static peers off-instance
 * @param region     the region; null only for static peers off-instance
 * @param address    own private IPv4 address, or null when not known (yet)
 */
public record InstanceIdentity(String instanceId, String region, String address) {

    /** A copy with the address filled in. */
    public InstanceIdentity withAddress(String newAddress) {
        return new InstanceIdentity(instanceId, region, newAddress);
    }
}
