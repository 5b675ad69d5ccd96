package com.nholuongut.ecs.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads the configuration from its layers, lowest first: defaults, {@code nholuongut.config},
 * {@code scope.config}, {@code NHOLUONGUT_<KEY>} environment variables, command-line flags.
 */
public final class ConfigLoader {

    public static final String NET_FILE = "nholuongut.config";
    public static final String SCOPE_FILE = "scope.config";
    /** Environment variable naming the config directory; it is not a key itself. */
    public static final String CONFIG_DIR_ENV = "NHOLUONGUT_CONFIG_DIR";

    private static final Logger log = LoggerFactory.getLogger(ConfigLoader.class);
    private static final Duration WARN_INTERVAL = Duration.ofSeconds(10);

    private final Map<ConfigKey<?>, ConfigValue> settings = new HashMap<>();
    private final List<String> warnings = new ArrayList<>();

    private ConfigLoader() {
    }

    /**
     * Reads every layer and validates the result.
     *
     * @param configDir directory holding the two files (a missing file is fine)
     * @param env       the process environment
     * @param flags     values given on the command line, by key, with the flag's name as origin
     * @throws ConfigException naming the file and line (or variable, or flag) and the key
     */
    public static AgentConfig load(Path configDir, Map<String, String> env, Map<ConfigKey<?>, ConfigValue> flags) {
        ConfigLoader loader = new ConfigLoader();
        try {
            loader.readFile(configDir.resolve(NET_FILE));
            loader.readFile(configDir.resolve(SCOPE_FILE));
            loader.readEnv(env);
            loader.settings.putAll(flags);
            return loader.build();
        } finally {
            // Also before an error: a misspelt key is often what explains it.
            loader.warnings.forEach(log::warn);
        }
    }

    private void readFile(Path file) {
        String secretKey = null;
        for (ConfigFile.Line line : ConfigFile.read(file)) {
            Optional<ConfigKey<?>> key = ConfigKey.byName(line.name());
            if (key.isEmpty()) {
                warnings.add(line.origin() + ": unknown key " + ConfigKey.unknownName(line.name()) + " (ignored)");
                continue;
            }
            if (key.get() == ConfigKey.SERVICE_TOKEN || key.get() == ConfigKey.NET_PASSWORD) {
                secretKey = key.get().name();
            }
            settings.put(key.get(), new ConfigValue(line.value(), line.origin()));
        }
        if (secretKey != null && ConfigFile.readableByOthers(file)) {
            warnings.add(file + " holds " + secretKey + " and is readable by group or others: chmod 600 " + file);
        }
    }

    private void readEnv(Map<String, String> env) {
        env.entrySet().stream()
                .filter(e -> e.getKey().startsWith(ConfigKey.ENV_PREFIX))
                .sorted(Map.Entry.comparingByKey())
                .forEach(e -> {
                    String name = e.getKey().substring(ConfigKey.ENV_PREFIX.length());
                    Optional<ConfigKey<?>> key = ConfigKey.byName(name);
                    if (key.isPresent()) {
                        settings.put(key.get(), new ConfigValue(e.getValue().strip(), "environment " + e.getKey()));
                    } else if (!e.getKey().equals(CONFIG_DIR_ENV)) {
                        String shown = ConfigKey.unknownName(name);
                        warnings.add("environment " + (shown.equals(name) ? e.getKey() : ConfigKey.ENV_PREFIX + "...")
                                + ": unknown key " + shown + " (ignored)");
                    }
                });
    }

    private AgentConfig build() {
        Map<ConfigKey<?>, Object> values = new HashMap<>();
        for (ConfigKey<?> key : ConfigKey.all()) {
            values.put(key, parse(key));
        }
        Duration interval = (Duration) values.get(ConfigKey.REFRESH_INTERVAL);
        if (interval.compareTo(WARN_INTERVAL) < 0) {
            warnings.add("REFRESH_INTERVAL " + Durations.format(interval)
                    + " is below 10s: every instance will call AWS that often");
        }
        @SuppressWarnings("unchecked")
        List<String> launchArgs = values.get(ConfigKey.NET_LAUNCH_ARGS) == null ? List.of()
                : (List<String>) values.get(ConfigKey.NET_LAUNCH_ARGS);
        NetPassword.Resolved password = NetPassword.resolve(string(ConfigKey.NET_PASSWORD),
                origin(ConfigKey.NET_PASSWORD), string(ConfigKey.NET_PASSWORD_FILE), origin(ConfigKey.NET_PASSWORD_FILE),
                launchArgs, origin(ConfigKey.NET_LAUNCH_ARGS), warnings);
        values.put(ConfigKey.NET_LAUNCH_ARGS, password.launchArgs());
        return new AgentConfig(values, password.password(), password.from());
    }

    /** The key's typed value from its effective raw value (null when unset), or exit 78 naming the origin. */
    private <T> T parse(ConfigKey<T> key) {
        String raw = string(key);
        if (raw == null) {
            return null;
        }
        try {
            return key.parse(raw);
        } catch (IllegalArgumentException e) {
            throw invalid(key, e.getMessage());
        }
    }

    /** The effective raw value: the highest layer's, an empty value meaning the default. */
    private String string(ConfigKey<?> key) {
        ConfigValue s = settings.get(key);
        return s == null || s.value().isEmpty() ? key.defaultValue() : s.value();
    }

    private ConfigException invalid(ConfigKey<?> key, String problem) {
        return new ConfigException("invalid configuration: " + origin(key) + ": " + key + ": " + problem);
    }

    /** Where a key's value came from, e.g. {@code /etc/nholuongut/nholuongut.config line 3}, or "default". */
    private String origin(ConfigKey<?> key) {
        ConfigValue s = settings.get(key);
        return s == null ? "default" : s.origin();
    }
}
