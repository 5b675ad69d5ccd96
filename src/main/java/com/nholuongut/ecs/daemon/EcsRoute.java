package com.nholuongut.ecs.daemon;

import com.nholuongut.ecs.config.AgentConfig;
import com.nholuongut.ecs.config.ConfigKey;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Leaves the agent's {@code ECS_VIA_NET_PROXY} for the unit's {@code ecs-env.sh}, which runs once the agent
 * is ready and decides how the ECS agent reaches Docker: {@code RUN_DIR/ecs-direct} exists when it is
 * {@code false}, and then the ECS agent talks to Docker directly (tasks outside the nholuongut network, but
 * Service Connect and EBS volumes work: on the proxy route ecs-init mounts only Docker's socket into the ECS
 * agent, not {@code /var/run} with the {@code /var/run/ecs} those features need). The script reads no
 * configuration itself, so the agent's layers (files, environment, flags) decide, as for every other key.
 */
public final class EcsRoute {

    /** The marker's name in {@code RUN_DIR}; {@code init/nholuongut-ecs-env.sh} looks for it. */
    public static final String DIRECT = "ecs-direct";

    private static final Logger log = LoggerFactory.getLogger(EcsRoute.class);

    private EcsRoute() {
    }

    /** Writes or removes the marker, before the agent reports ready; a failure is a WARN (the proxy route). */
    public static void leave(AgentConfig config) {
        Path marker = config.get(ConfigKey.RUN_DIR).resolve(DIRECT);
        boolean viaProxy = config.get(ConfigKey.ECS_VIA_NET_PROXY);
        try {
            if (viaProxy) {
                Files.deleteIfExists(marker);
            } else {
                Files.createDirectories(marker.getParent());
                Files.writeString(marker, "ECS_VIA_NET_PROXY=false\n");
                log.info("ECS_VIA_NET_PROXY=false: the ECS agent will talk to Docker directly (tasks outside the"
                        + " nholuongut network)");
            }
        } catch (IOException e) {
            log.warn("cannot {} {}: {}", viaProxy ? "remove" : "write", marker, e.getMessage());
        }
    }
}
