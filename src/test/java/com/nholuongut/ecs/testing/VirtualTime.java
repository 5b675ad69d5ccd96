package com.nholuongut.ecs.testing;

import com.nholuongut.ecs.daemon.Sleeper;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.function.Consumer;

/**
 * A clock that moves only when told, and a sleeper on it: a wait advances the clock by its whole duration at
 * once and returns, so a daemon's boot, refreshes, backoff streak and stop run in milliseconds. Each wait is
 * recorded; a hook runs at every wait (change the group, stop the daemon) before it returns.
 */
public final class VirtualTime extends Clock implements Sleeper {

    private long millis = 1_000_000_000L;
    private final List<Duration> waits = new ArrayList<>();
    private Consumer<Integer> onWait = n -> { };

    /** Runs {@code hook} with the wait's number (1 for the first) at each wait, after the clock moved. */
    public synchronized VirtualTime onWait(Consumer<Integer> hook) {
        this.onWait = hook;
        return this;
    }

    /** Moves the clock on. */
    public synchronized void advance(Duration d) {
        millis += d.toMillis();
    }

    /** Sets the clock, for simulations that keep their own time line (milliseconds from its start). */
    public synchronized void set(long epochMillis) {
        millis = epochMillis;
    }

    /** The waits asked for so far, in order. */
    public synchronized List<Duration> waits() {
        return List.copyOf(waits);
    }

    @Override
    public boolean await(CountDownLatch wake, Duration duration) {
        if (wake.getCount() == 0) {
            return true;
        }
        int n;
        Consumer<Integer> hook;
        synchronized (this) {
            millis += duration.toMillis();
            waits.add(duration);
            n = waits.size();
            hook = onWait;
        }
        hook.accept(n);
        return wake.getCount() == 0;
    }

    @Override
    public synchronized Instant instant() {
        return Instant.ofEpochMilli(millis);
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        throw new UnsupportedOperationException("one zone: UTC");
    }
}
