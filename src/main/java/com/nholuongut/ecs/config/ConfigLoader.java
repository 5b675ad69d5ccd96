package com.nholuongut.ecs.config;

import com.nholuongut.ecs.discovery.Addresses;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
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
    private static final Pattern KEY_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final Duration MIN_DURATION = Duration.ofSeconds(1);
    private static final Duration WARN_INTERVAL = Duration.ofSeconds(10);
    private static final Duration MAX_DURATION = Duration.ofHours(24);

    /** A raw value and where it came from, e.g. {@code /etc/nholuongut/scope.config line 4}. */
    private record Setting(String value, String origin) {
    }

    private final Map<ConfigKey, Setting> settings = new EnumMap<>(ConfigKey.class);
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
    public static AgentConfig load(Path configDir, Map<String, String> env, Map<ConfigKey, FlagValue> flags) {
        ConfigLoader loader = new ConfigLoader();
        try {
            loader.readFile(configDir.resolve(NET_FILE));
            loader.readFile(configDir.resolve(SCOPE_FILE));
            loader.readEnv(env);
            flags.forEach((key, flag) -> loader.settings.put(key, new Setting(flag.value(), flag.origin())));
            return loader.build();
        } finally {
            // Also before an error: a misspelt key is often what explains it.
            loader.warnings.forEach(log::warn);
        }
    }

    /** A value given by a command-line flag. */
    public record FlagValue(String value, String origin) {
    }

    private void readFile(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return;
        } catch (IOException e) {
            throw new ConfigException("cannot read " + file + ": " + e.getMessage());
        }
        String secretKey = null;
        for (int i = 0; i < lines.size(); i++) {
            String origin = file + " line " + (i + 1);
            String line = lines.get(i).strip();
            if (i == 0 && line.startsWith("\uFEFF")) {
                line = line.substring(1).strip();
            }
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            if (line.startsWith("export ")) {
                line = line.substring("export ".length()).strip();
            }
            int eq = line.indexOf('=');
            if (eq <= 0 || !KEY_NAME.matcher(line.substring(0, eq).strip()).matches()) {
                // The value is not shown: a mistyped key may sit in front of a secret.
                throw new ConfigException(origin + ": expected KEY=VALUE, got "
                        + (eq > 0 ? "'" + abbreviate(line.substring(0, eq).strip()) + "=...'" : "a line without '='"));
            }
            String name = line.substring(0, eq).strip();
            String value = unquote(withoutComment(line.substring(eq + 1)).strip());
            var key = ConfigKey.byName(name);
            if (key.isEmpty()) {
                warnings.add(origin + ": unknown key " + name + " (ignored)");
                continue;
            }
            if (key.get() == ConfigKey.SERVICE_TOKEN || key.get() == ConfigKey.NET_PASSWORD) {
                secretKey = key.get().name();
            }
            settings.put(key.get(), new Setting(value, origin));
        }
        if (secretKey != null && readableByOthers(file)) {
            warnings.add(file + " holds " + secretKey + " and is readable by group or others: chmod 600 " + file);
        }
    }

    private void readEnv(Map<String, String> env) {
        env.entrySet().stream()
                .filter(e -> e.getKey().startsWith(ConfigKey.ENV_PREFIX))
                .sorted(Map.Entry.comparingByKey())
                .forEach(e -> {
                    String name = e.getKey().substring(ConfigKey.ENV_PREFIX.length());
                    var key = ConfigKey.byName(name);
                    if (key.isPresent()) {
                        settings.put(key.get(), new Setting(e.getValue().strip(), "environment " + e.getKey()));
                    } else if (!e.getKey().equals(CONFIG_DIR_ENV)) {
                        warnings.add("environment " + e.getKey() + ": unknown key " + name + " (ignored)");
                    }
                });
    }

    private AgentConfig build() {
        String token = string(ConfigKey.SERVICE_TOKEN);
        if (token != null && token.chars().anyMatch(Character::isWhitespace)) {
            throw invalid(ConfigKey.SERVICE_TOKEN, "the token must not contain white space");
        }
        String tag = string(ConfigKey.PEER_GROUP_TAG);
        if (tag == null || tag.length() > 128) {
            throw invalid(ConfigKey.PEER_GROUP_TAG, "a tag key of 1 to 128 characters is required");
        }
        String groupName = string(ConfigKey.PEER_GROUP_NAME);
        if (groupName != null && groupName.length() > 256) {
            throw invalid(ConfigKey.PEER_GROUP_NAME, "a tag value has at most 256 characters");
        }
        NetPassword.Resolved password = NetPassword.resolve(string(ConfigKey.NET_PASSWORD),
                origin(ConfigKey.NET_PASSWORD), string(ConfigKey.NET_PASSWORD_FILE), origin(ConfigKey.NET_PASSWORD_FILE),
                words(ConfigKey.NET_LAUNCH_ARGS), origin(ConfigKey.NET_LAUNCH_ARGS), warnings);
        return new AgentConfig(
                tag,
                groupName,
                peers(),
                discoveryMode(),
                interval(),
                password.launchArgs(),
                password.password(),
                password.from(),
                bool(ConfigKey.SCOPE_ENABLED),
                token,
                words(ConfigKey.SCOPE_LAUNCH_ARGS),
                absolutePath(ConfigKey.NET_BIN),
                absolutePath(ConfigKey.SCOPE_BIN),
                absolutePath(ConfigKey.STATE_DIR),
                bool(ConfigKey.IMDS_V1_FALLBACK),
                budget(),
                bool(ConfigKey.RECLAIM_DEPARTED),
                duration(ConfigKey.READY_TIMEOUT),
                duration(ConfigKey.DISCOVER_TIMEOUT));
    }

    /** The effective raw value: the highest layer's, an empty value meaning the default. */
    private String string(ConfigKey key) {
        Setting s = settings.get(key);
        return s == null || s.value().isEmpty() ? key.defaultValue() : s.value();
    }

    private ConfigException invalid(ConfigKey key, String problem) {
        return new ConfigException("invalid configuration: " + origin(key) + ": " + key + ": " + problem);
    }

    /** Where a key's value came from, e.g. {@code /etc/nholuongut/nholuongut.config line 3}, or "default". */
    private String origin(ConfigKey key) {
        Setting s = settings.get(key);
        return s == null ? "default" : s.origin();
    }

    private List<String> peers() {
        String raw = string(ConfigKey.PEERS);
        if (raw == null) {
            return List.of();
        }
        List<String> peers = new ArrayList<>();
        for (String entry : raw.split("[\\s,]+")) {
            if (entry.isEmpty()) {
                continue;
            }
            if (!Addresses.isLiteral(entry)) {
                throw invalid(ConfigKey.PEERS, "'" + abbreviate(entry) + "' is not an IPv4 or IPv6 address"
                        + " (host names and shell text are not allowed)");
            }
            peers.add(entry);
        }
        return peers;
    }

    private AgentConfig.DiscoveryMode discoveryMode() {
        String raw = string(ConfigKey.DISCOVERY);
        try {
            return AgentConfig.DiscoveryMode.valueOf(raw.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw invalid(ConfigKey.DISCOVERY, "'" + abbreviate(raw) + "' is not one of auto, tag, asg");
        }
    }

    private Duration interval() {
        Duration d = duration(ConfigKey.REFRESH_INTERVAL);
        if (d.compareTo(WARN_INTERVAL) < 0) {
            warnings.add("REFRESH_INTERVAL " + Durations.format(d)
                    + " is below 10s: every instance will call AWS that often");
        }
        return d;
    }

    /** A duration key: {@code 30s}, {@code 5m}, {@code 1500ms}; from 1 s to 24 h. */
    private Duration duration(ConfigKey key) {
        Duration d;
        try {
            d = Durations.parse(string(key));
        } catch (IllegalArgumentException e) {
            throw invalid(key, e.getMessage());
        }
        if (d.compareTo(MIN_DURATION) < 0) {
            throw invalid(key, "must be at least 1s");
        }
        if (d.compareTo(MAX_DURATION) > 0) {
            throw invalid(key, "must be at most 24h");
        }
        return d;
    }

    private List<String> words(ConfigKey key) {
        String raw = string(key);
        if (raw == null) {
            return List.of();
        }
        try {
            return ArgSplitter.split(raw);
        } catch (IllegalArgumentException e) {
            throw invalid(key, e.getMessage());
        }
    }

    private double budget() {
        String raw = string(ConfigKey.API_BUDGET);
        double value;
        try {
            value = Double.parseDouble(raw);
        } catch (NumberFormatException e) {
            value = Double.NaN;
        }
        if (!(value > 0) || Double.isInfinite(value) || !raw.matches("[0-9]*\\.?[0-9]+")) {
            throw invalid(ConfigKey.API_BUDGET, "'" + abbreviate(raw) + "' is not a positive number of calls per second");
        }
        return value;
    }

    private boolean bool(ConfigKey key) {
        String raw = string(key).toLowerCase(Locale.ROOT);
        return switch (raw) {
            case "true", "yes", "1" -> true;
            case "false", "no", "0" -> false;
            default -> throw invalid(key, "'" + abbreviate(raw) + "' is not true or false");
        };
    }

    private Path absolutePath(ConfigKey key) {
        String raw = string(key);
        if (raw.indexOf('\0') >= 0 || !raw.startsWith("/")) {
            throw invalid(key, "'" + abbreviate(raw) + "' is not an absolute path");
        }
        return Path.of(raw);
    }

    /**
     * The value without a trailing comment: as in a shell, a {@code #} outside quotes that follows white
     * space starts one ({@code SCOPE_ENABLED=false  # no Scope}); {@code KEY=a#b} and {@code KEY="a #b"}
     * keep theirs.
     */
    static String withoutComment(String value) {
        char quote = 0;
        boolean afterBlank = false;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            boolean blank = false;
            if (c == '\\' && quote != '\'') {
                i++; // escapes the next character, as the argument splitter reads it
            } else if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                }
            } else if (c == '"' || c == '\'') {
                quote = c;
            } else if (c == '#' && afterBlank) {
                return value.substring(0, i);
            } else {
                blank = Character.isWhitespace(c);
            }
            afterBlank = blank;
        }
        return value;
    }

    /**
     * Drops one pair of surrounding quotes ({@code KEY="a b"}), only when they enclose the whole value:
     * {@code "--a" "--b"} is two quoted words, left for the argument splitter.
     */
    private static String unquote(String value) {
        if (value.length() >= 2) {
            char first = value.charAt(0);
            if ((first == '"' || first == '\'') && value.charAt(value.length() - 1) == first
                    && value.indexOf(first, 1) == value.length() - 1) {
                return value.substring(1, value.length() - 1);
            }
        }
        return value;
    }

    private static String abbreviate(String text) {
        String flat = text.replaceAll("\\p{Cntrl}", "?");
        return flat.length() <= 60 ? flat : flat.substring(0, 57) + "...";
    }

    private static boolean readableByOthers(Path file) {
        try {
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
            return perms.contains(PosixFilePermission.GROUP_READ) || perms.contains(PosixFilePermission.OTHERS_READ);
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }
}
