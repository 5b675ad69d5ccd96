package com.nholuongut.ecs.config;

import java.util.Arrays;
import java.util.Optional;

/** The configuration keys of SPEC.md ("Configuration"), each with its built-in default (null: unset). */
public enum ConfigKey {
    PEER_GROUP_TAG("nholuongut:peerGroupName"),
    PEER_GROUP_NAME(null),
    PEERS(null),
    DISCOVERY("auto"),
    REFRESH_INTERVAL("60s"),
    NET_LAUNCH_ARGS(null),
    NET_PASSWORD(null),
    NET_PASSWORD_FILE(null),
    SCOPE_ENABLED("true"),
    SERVICE_TOKEN(null),
    SCOPE_LAUNCH_ARGS(null),
    NET_BIN("/usr/local/bin/nholuongut"),
    SCOPE_BIN("/usr/local/bin/scope"),
    STATE_DIR("/var/lib/nholuongut"),
    IMDS_V1_FALLBACK("false"),
    API_BUDGET("2"),
    RECLAIM_DEPARTED("true"),
    READY_TIMEOUT("80s"),
    DISCOVER_TIMEOUT("120s");

    /** Prefix of the environment variables that override the files, e.g. {@code NHOLUONGUT_PEERS}. */
    public static final String ENV_PREFIX = "NHOLUONGUT_";

    private final String defaultValue;

    ConfigKey(String defaultValue) {
        this.defaultValue = defaultValue;
    }

    /** The built-in default, or null when the key is unset by default. */
    public String defaultValue() {
        return defaultValue;
    }

    /** The environment variable that sets this key. */
    public String envName() {
        return ENV_PREFIX + name();
    }

    /** Looks a key up by its exact name. */
    public static Optional<ConfigKey> byName(String name) {
        return Arrays.stream(values()).filter(k -> k.name().equals(name)).findFirst();
    }
}
