package com.nholuongut.ecs.aws;

import java.time.Duration;
import java.util.Objects;

/**
 * How long an AWS call may take: connecting fails fast, an answer in progress is waited for. A filtered
 * {@code DescribeInstances} of a large group can take 15-30 s on a bad day (Elasticsearch's discovery-ec2
 * and GitHub runners on AWS report it), so a short read timeout would turn a slow group into no group.
 *
 * @param attempt one HTTP attempt, from sending the request to the last byte of the answer
 * @param call    one API call (one page), the SDK's retries included
 */
public record AwsTimeouts(Duration attempt, Duration call) {

    /** Opening a connection: an endpoint that refuses or does not accept fails within seconds. */
    public static final Duration CONNECT = Duration.ofSeconds(2);

    /**
     * The daemon's: each attempt at a page may take 90 s, above the 60 s SPEC asks a page to be waited for at the
     * least; a call, its throttled retries included, five minutes.
     */
    public static final AwsTimeouts DAEMON = new AwsTimeouts(Duration.ofSeconds(90), Duration.ofMinutes(5));

    public AwsTimeouts {
        Objects.requireNonNull(attempt, "attempt");
        Objects.requireNonNull(call, "call");
        if (attempt.compareTo(call) > 0) {
            throw new IllegalArgumentException("an attempt cannot outlast its call");
        }
    }

    /** A one-shot command's: any single call may use the whole of the command's deadline. */
    public static AwsTimeouts within(Duration deadline) {
        return new AwsTimeouts(deadline, deadline);
    }
}
