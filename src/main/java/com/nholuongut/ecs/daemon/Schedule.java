package com.nholuongut.ecs.daemon;

import com.nholuongut.ecs.config.AgentConfig;
import com.nholuongut.ecs.config.ConfigKey;
import com.nholuongut.ecs.discovery.Ec2Pages;
import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * When the next discovery runs: {@code REFRESH_INTERVAL} jittered ±20 %, stretched by the API budget for a
 * large group (then a floor, the jitter only adding 0 to +40 %, and the first wait spread over the interval
 * so a group launched together does not poll in waves); after a failure, exponential backoff with full
 * jitter, and after throttling a whole effective interval more on top of that.
 */
public final class Schedule {

    private final Duration refresh;
    private final double budget;
    private final RandomGenerator random;
    private final Backoff backoff;

    Schedule(AgentConfig config, RandomGenerator random) {
        this.refresh = config.get(ConfigKey.REFRESH_INTERVAL);
        this.budget = config.get(ConfigKey.API_BUDGET);
        this.random = random;
        this.backoff = new Backoff(refresh.compareTo(Duration.ofSeconds(5)) <= 0 ? refresh : Duration.ofSeconds(5),
                random);
    }

    /**
     * The wait before the next discovery.
     *
     * @param members   the group's size as last seen
     * @param refreshes successful refreshes so far (0: the first wait after boot)
     * @param failures  discoveries failed in a row
     * @param throttled whether the last failure was AWS throttling us
     */
    Duration next(int members, long refreshes, int failures, boolean throttled) {
        Duration effective = effectiveInterval(refresh, members, budget);
        if (failures == 0) {
            if (effective.equals(refresh)) {
                return Backoff.jittered(effective, random);
            }
            return refreshes == 0 ? Backoff.spread(effective, random) : Backoff.jitteredUp(effective, random);
        }
        Duration delay = backoff.delay(failures);
        return throttled ? effective.plus(delay) : delay;
    }

    /** The effective interval for a group of {@code members}. */
    Duration effectiveInterval(int members) {
        return effectiveInterval(refresh, members, budget);
    }

    /**
     * {@code max(REFRESH_INTERVAL, members x calls-per-refresh / API_BUDGET)}: every member polls, so the
     * group as a whole stays within the budget whatever its size.
     */
    public static Duration effectiveInterval(Duration refresh, int members, double budget) {
        long callsPerRefresh = Ec2Pages.forMembers(members);
        long budgetMs = (long) Math.ceil(members * callsPerRefresh * 1000.0 / budget);
        return refresh.toMillis() >= budgetMs ? refresh : Duration.ofMillis(budgetMs);
    }

    /** How the wait is jittered, for the boot log line. */
    String jitter(int members) {
        return effectiveInterval(members).equals(refresh) ? "+/-20% jitter" : "0 to +40% jitter (API_BUDGET)";
    }
}
