package com.nholuongut.ecs.daemon;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * How the daemon's waits pass: on the system's time, or on a test's virtual clock, which makes a boot, a
 * backoff streak or a readiness deadline a matter of milliseconds.
 */
public interface Sleeper {

    /** Waits in real time. */
    Sleeper SYSTEM = (wake, duration) -> wake.await(Math.max(0, duration.toMillis()), TimeUnit.MILLISECONDS);

    /**
     * Waits for {@code duration}, or less if {@code wake} opens first.
     *
     * @return true when {@code wake} opened (a stop, or readiness already sent), false when the time passed
     */
    boolean await(CountDownLatch wake, Duration duration) throws InterruptedException;
}
