package com.nholuongut.ecs.daemon;

import java.time.Duration;
import java.util.random.RandomGenerator;

/** Exponential backoff with full jitter: a delay drawn uniformly from [0, min(cap, base * 2^(n-1))]. */
final class Backoff {

    static final Duration CAP = Duration.ofMinutes(5);
    private static final long FLOOR_MS = 100;

    private final long baseMs;
    private final RandomGenerator random;

    Backoff(Duration base, RandomGenerator random) {
        this.baseMs = Math.max(FLOOR_MS, base.toMillis());
        this.random = random;
    }

    /** The delay before retry number {@code failures} (1 for the first retry). */
    Duration delay(int failures) {
        int shift = Math.min(Math.max(failures - 1, 0), 30);
        long ceiling = Math.min(CAP.toMillis(), baseMs << shift);
        return Duration.ofMillis(Math.max(FLOOR_MS, (long) (random.nextDouble() * ceiling)));
    }

    /** {@code interval} jittered by ±20 %, so a fleet booted together does not call AWS in step. */
    static Duration jittered(Duration interval, RandomGenerator random) {
        double factor = 0.8 + 0.4 * random.nextDouble();
        return Duration.ofMillis(Math.round(interval.toMillis() * factor));
    }

    /**
     * A first wait drawn from the equilibrium of {@link #jitteredUp} intervals (uniform on [1, 1.4] x
     * {@code interval}): members that booted together then poll as if they had always been spread out,
     * so the group's call rate is even from the first refresh on.
     */
    static Duration spread(Duration interval, RandomGenerator random) {
        // Residual life of a renewal process: density 1/mean below 1, falling linearly to 0 at 1.4.
        double x = random.nextDouble() < 1.0 / 1.2 ? random.nextDouble()
                : 1.4 - 0.4 * Math.sqrt(random.nextDouble());
        return Duration.ofMillis(Math.round(interval.toMillis() * x));
    }

    /** {@code interval} plus 0 to 40 %: the same spread, never shorter (for a budget-derived interval). */
    static Duration jitteredUp(Duration interval, RandomGenerator random) {
        double factor = 1.0 + 0.4 * random.nextDouble();
        return Duration.ofMillis(Math.round(interval.toMillis() * factor));
    }
}
