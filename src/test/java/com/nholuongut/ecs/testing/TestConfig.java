package com.nholuongut.ecs.testing;

import com.nholuongut.ecs.config.AgentConfig;
import com.nholuongut.ecs.config.ConfigKey;
import com.nholuongut.ecs.config.ConfigLoader;
import com.nholuongut.ecs.config.ConfigValue;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** A configuration for in-process tests: the built-in defaults plus the keys a test changes, validated. */
public final class TestConfig {

    private TestConfig() {
    }

    /** Defaults, then {@code keys} as if given by flags; no file and no environment is read. */
    public static AgentConfig of(Map<ConfigKey<?>, String> keys) {
        Map<ConfigKey<?>, ConfigValue> flags = new LinkedHashMap<>();
        keys.forEach((k, v) -> flags.put(k, new ConfigValue(v, "test " + k)));
        return ConfigLoader.load(Path.of("/nonexistent/nholuongut-test-config"), Map.of(), flags);
    }
}
