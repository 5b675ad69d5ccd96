package com.nholuongut.ecs.discovery;

/** The {@code DescribeInstances} page size discovery asks for: a group of up to this many costs one call. */
public final class Ec2Pages {

    /** The largest page EC2 allows with filters. */
    public static final int SIZE = 1000;

    private Ec2Pages() {
    }
}
