package com.nholuongut.ecs.testing;

import com.nholuongut.ecs.config.AgentConfig;
import com.nholuongut.ecs.config.ConfigKey;
import com.nholuongut.ecs.config.ConfigLoader;
import com.nholuongut.ecs.config.ConfigLoader.FlagValue;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;

/** A configuration for in-process tests: the built-in defaults plus the keys a test changes, validated. */
public final class TestConfig {

    private TestConfig() {
    }

    /** Defaults, then {@code keys} as if given by flags; no file and no environment is read. */
    public static AgentConfig of(Map<ConfigKey, String> keys) {
        Map<ConfigKey, FlagValue> flags = new EnumMap<>(ConfigKey.class);
        keys.forEach((k, v) -> flags.put(k, new FlagValue(v, "test " + k)));
        return ConfigLoader.load(Path.of("/nonexistent/nholuongut-test-config"), Map.of(), flags);
    }
}
