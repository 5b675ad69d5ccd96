package com.nholuongut.ecs.aws;

/**
 * Who we are: the instance id, its region and its own private IPv4 address.
 *
 * @param instanceId   the EC2 instance id; null only for static peers off-instance
 * @param region       the region; null only for static peers off-instance
 * @param address      own private IPv4 address, or null when not known (yet)
 * @param imdsV2Failed why IMDSv2 failed when IMDSv1 answered instead ({@code IMDS_V1_FALLBACK=true}); else null
 */
public record InstanceIdentity(String instanceId, String region, String address, String imdsV2Failed) {

    /** An identity read with IMDSv2, from the flags or from static peers. */
    public InstanceIdentity(String instanceId, String region, String address) {
        this(instanceId, region, address, null);
    }

    /** A copy with the address filled in. */
    public InstanceIdentity withAddress(String newAddress) {
        return new InstanceIdentity(instanceId, region, newAddress, imdsV2Failed);
    }
}
