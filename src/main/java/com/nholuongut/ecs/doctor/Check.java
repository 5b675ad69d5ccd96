package com.nholuongut.ecs.doctor;

/**
 * One line of {@code doctor}'s report.
 *
 * @param name   what was checked, e.g. {@code iam ec2:DescribeInstances}
 * @param status the outcome
 * @param detail one line saying why
 */
public record Check(String name, Status status, String detail) {

    /** The outcome of one check: only FAIL makes {@code doctor} exit 1. */
    public enum Status { PASS, FAIL, SKIP, WARN }
}
