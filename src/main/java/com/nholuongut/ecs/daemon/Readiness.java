package com.nholuongut.ecs.daemon;

import com.nholuongut.ecs.config.Durations;
import com.nholuongut.ecs.launch.Tools;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Readiness for systemd (SPEC, "Readiness"): {@code systemd-notify --ready} once, when Net is launched or
 * found running, or at the latest after {@code READY_TIMEOUT}. Without that deadline a Net launch slower
 * than the unit's TimeoutStartSec (a first image pull, a slow Docker) would fail the unit: systemd would
 * kill the launch half-way and restart the agent into the same launch, over and over. Reporting ready
 * first lets the ECS agent start, as the original image did after 120 s, while the launch goes on.
 */
public final class Readiness implements Runnable {

    private static final Logger log = LoggerFactory.getLogger(Readiness.class);

    private final Tools tools;
    private final boolean underSystemd;
    private final Sleeper sleeper;
    private final AtomicBoolean sent = new AtomicBoolean();
    /** Opens once ready was reported: the deadline's wait ends there. */
    private final CountDownLatch reported = new CountDownLatch(1);

    /**
     * @param underSystemd whether {@code NOTIFY_SOCKET} is set: otherwise nothing is ever reported
     * @param sleeper      how the deadline's wait passes
     */
    public Readiness(Tools tools, boolean underSystemd, Sleeper sleeper) {
        this.tools = tools;
        this.underSystemd = underSystemd;
        this.sleeper = sleeper;
    }

    /** Net is up: report ready, unless that was done already. Called by the daemon's thread. */
    @Override
    public void run() {
        if (underSystemd && sent.compareAndSet(false, true)) {
            reported.countDown();
            notifyReady();
        }
    }

    /**
     * Reports ready after {@code timeout} if Net was not up by then, with a WARN saying why (from
     * {@code why}); a daemon thread does the waiting.
     */
    public void startDeadline(Duration timeout, Supplier<String> why) {
        if (!underSystemd) {
            return;
        }
        Thread timer = new Thread(() -> {
            try {
                if (sleeper.await(reported, timeout)) {
                    return;
                }
            } catch (InterruptedException e) {
                return;
            }
            if (sent.compareAndSet(false, true)) {
                log.warn("nholuongut Net is not up after READY_TIMEOUT={} ({}): reporting ready so that the ECS"
                        + " agent starts; the agent keeps trying to launch Net", Durations.format(timeout),
                        String.valueOf(why.get()));
                notifyReady();
            }
        }, "ready-deadline");
        timer.setDaemon(true);
        timer.start();
    }

    private void notifyReady() {
        tools.runHelper(List.of("systemd-notify", "--ready"));
    }
}
