package com.nholuongut.ecs.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ScheduleTest {

    @Test
    void effectiveInterval_isTheRefreshIntervalForSmallGroups() {
        assertThat(Schedule.effectiveInterval(Duration.ofSeconds(60), 10, 2)).isEqualTo(Duration.ofSeconds(60));
        assertThat(Schedule.effectiveInterval(Duration.ofSeconds(60), 120, 2)).isEqualTo(Duration.ofSeconds(60));
    }

    @Test
    void effectiveInterval_growsWithMembersAndPagesToStayWithinTheBudget() {
        assertThat(Schedule.effectiveInterval(Duration.ofSeconds(60), 500, 2)).isEqualTo(Duration.ofSeconds(250));
        assertThat(Schedule.effectiveInterval(Duration.ofSeconds(60), 1000, 2)).isEqualTo(Duration.ofSeconds(500));
        // 1001 members need two pages each refresh.
        assertThat(Schedule.effectiveInterval(Duration.ofSeconds(60), 1001, 2)).isEqualTo(Duration.ofSeconds(1001));
        assertThat(Schedule.effectiveInterval(Duration.ofSeconds(60), 5000, 2)).isEqualTo(Duration.ofSeconds(12500));
        assertThat(Schedule.effectiveInterval(Duration.ofSeconds(1), 4, 0.5)).isEqualTo(Duration.ofSeconds(8));
    }

    @Test
    void jittered_staysWithinTwentyPercent() {
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < 10_000; i++) {
            assertThat(Backoff.jittered(Duration.ofSeconds(60), random))
                    .isBetween(Duration.ofSeconds(48), Duration.ofSeconds(72));
        }
    }

    @Test
    void backoff_growsExponentiallyWithFullJitterUpToFiveMinutes() {
        Backoff backoff = new Backoff(Duration.ofSeconds(5), new SplittableRandom(1));
        long maxFirst = 0;
        long maxTenth = 0;
        for (int i = 0; i < 2000; i++) {
            maxFirst = Math.max(maxFirst, backoff.delay(1).toMillis());
            maxTenth = Math.max(maxTenth, backoff.delay(10).toMillis());
            assertThat(backoff.delay(50)).isLessThanOrEqualTo(Duration.ofMinutes(5));
        }
        assertThat(maxFirst).isBetween(4000L, 5000L);
        assertThat(maxTenth).isBetween(280_000L, 300_000L);
    }
}
