package com.nholuongut.ecs.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import com.nholuongut.ecs.config.ConfigKey;
import com.nholuongut.ecs.testing.TestConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The marker ecs-env.sh reads: the agent's ECS_VIA_NET_PROXY, from whichever layer set it. */
class EcsRouteTest {

    @TempDir
    Path dir;

    @Test
    void ecsViaNetProxyFalse_leavesTheMarker_andTrueRemovesIt() {
        Path run = dir.resolve("run");

        EcsRoute.leave(TestConfig.of(Map.of(ConfigKey.RUN_DIR, run.toString(), ConfigKey.ECS_VIA_NET_PROXY, "false")));
        assertThat(run.resolve(EcsRoute.DIRECT)).hasContent("ECS_VIA_NET_PROXY=false");

        EcsRoute.leave(TestConfig.of(Map.of(ConfigKey.RUN_DIR, run.toString())));
        assertThat(run.resolve(EcsRoute.DIRECT)).doesNotExist();
    }

    @Test
    void aRunDirThatCannotBeWritten_isNoFailure() throws IOException {
        Path file = Files.writeString(dir.resolve("not-a-directory"), "");

        EcsRoute.leave(TestConfig.of(Map.of(ConfigKey.RUN_DIR, file.resolve("run").toString(),
                ConfigKey.ECS_VIA_NET_PROXY, "false")));

        assertThat(file).exists().isRegularFile();
    }
}
