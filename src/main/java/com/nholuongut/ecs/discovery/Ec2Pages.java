package com.nholuongut.ecs.discovery;

/** The {@code DescribeInstances} page size discovery asks for: a group of up to this many costs one call. */
public final class Ec2Pages {

    /** The largest page EC2 allows with filters. */
    public static final int SIZE = 1000;

    /** DescribeInstances calls one look at a group of {@code members} costs (at least one). */
    public static int forMembers(int members) {
        return Math.max(1, (members + SIZE - 1) / SIZE);
    }

    private Ec2Pages() {
    }
}
