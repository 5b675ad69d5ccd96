package com.nholuongut.ecs.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import software.amazon.awssdk.services.autoscaling.AutoScalingClient;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.ResourceType;
import software.amazon.awssdk.services.ec2.model.Tag;
import software.amazon.awssdk.services.ec2.model.TagSpecification;

/** Builds real fleets in the AWS emulator through the SDK: tagged instances and Auto Scaling Groups. */
public final class Fleet implements AutoCloseable {

    private final AwsEmulator emulator;
    private final Ec2Client ec2;
    private final AutoScalingClient autoScaling;
    private String ami;

    public Fleet(AwsEmulator emulator) {
        this(emulator, AwsEmulator.ACCESS_KEY, AwsEmulator.SECRET_KEY);
    }

    /** A fleet built with these credentials (an administrator's, where moto enforces IAM). */
    public Fleet(AwsEmulator emulator, String accessKey, String secretKey) {
        this.emulator = emulator;
        this.ec2 = emulator.ec2(accessKey, secretKey);
        this.autoScaling = emulator.autoScaling(accessKey, secretKey);
    }

    public Ec2Client ec2() {
        return ec2;
    }

    public AutoScalingClient autoScaling() {
        return autoScaling;
    }

    private String ami() {
        if (ami == null) {
            ami = ec2.describeImages(b -> b.maxResults(5)).images().get(0).imageId();
        }
        return ami;
    }

    /** Launches {@code count} instances with these tags, one reservation each (so moto pages by them). */
    public List<String> launch(int count, Map<String, String> tags) {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            ids.add(launchOne(tags));
        }
        return ids;
    }

    public String launchOne(Map<String, String> tags) {
        List<Tag> sdkTags = tags.entrySet().stream()
                .map(e -> Tag.builder().key(e.getKey()).value(e.getValue()).build()).toList();
        var request = software.amazon.awssdk.services.ec2.model.RunInstancesRequest.builder()
                .imageId(ami()).instanceType("t3.micro").minCount(1).maxCount(1)
                .privateIpAddress(emulator.nextAddress());
        if (!sdkTags.isEmpty()) {
            request.tagSpecifications(TagSpecification.builder().resourceType(ResourceType.INSTANCE)
                    .tags(sdkTags).build());
        }
        return ec2.runInstances(request.build()).instances().get(0).instanceId();
    }

    /** Launches tagged instances: {@code key=value} on each. */
    public List<String> tagged(String key, String value, int count) {
        return launch(count, Map.of(key, value));
    }

    /** Creates an Auto Scaling Group of {@code size} instances and returns their ids. */
    public List<String> autoScalingGroup(String name, int size) {
        // The test is skipped, saying why, on an emulator without Auto Scaling (LocalStack's free image).
        Assumptions.assumeTrue(emulator.supports(AwsEmulator.Feature.AUTO_SCALING),
                () -> "no Auto Scaling API on " + emulator.name() + " (LocalStack: its Pro image, LOCALSTACK_AUTH_TOKEN)");
        String config = name + "-lc";
        autoScaling.createLaunchConfiguration(b -> b.launchConfigurationName(config).imageId(ami())
                .instanceType("t3.micro"));
        autoScaling.createAutoScalingGroup(b -> b.autoScalingGroupName(name).launchConfigurationName(config)
                .minSize(0).maxSize(Math.max(size, 10)).desiredCapacity(size).availabilityZones("us-east-1a"));
        return membersOf(name);
    }

    /** The instance ids Auto Scaling reports for the group. */
    public List<String> membersOf(String asg) {
        return autoScaling.describeAutoScalingGroups(b -> b.autoScalingGroupNames(asg)).autoScalingGroups()
                .get(0).instances().stream().map(i -> i.instanceId()).sorted().toList();
    }

    public void setCapacity(String asg, int size) {
        autoScaling.setDesiredCapacity(b -> b.autoScalingGroupName(asg).desiredCapacity(size));
    }

    public Instance describe(String id) {
        return ec2.describeInstances(b -> b.instanceIds(id)).reservations().get(0).instances().get(0);
    }

    public String address(String id) {
        return describe(id).privateIpAddress();
    }

    public List<String> addresses(List<String> ids) {
        return ids.stream().map(this::address).toList();
    }

    public void stop(String id) {
        ec2.stopInstances(b -> b.instanceIds(id));
    }

    public void start(String id) {
        ec2.startInstances(b -> b.instanceIds(id));
    }

    public void terminate(String id) {
        ec2.terminateInstances(b -> b.instanceIds(id));
    }

    @Override
    public void close() {
        ec2.close();
        autoScaling.close();
    }
}
