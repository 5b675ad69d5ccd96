package com.nholuongut.ecs.config;

import com.nholuongut.ecs.discovery.DiscoveryMode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * One configuration key of SPEC.md ("Configuration"), defined once: its name, its built-in default (null:
 * unset), how a raw value becomes a typed one with its checks, whether it is a secret, and what it means.
 * Read it anywhere in one line: {@code config.get(ConfigKey.REFRESH_INTERVAL)}.
 *
 * @param <T> the value's type
 */
public final class ConfigKey<T> {

    private static final Pattern SHOWN_NAME = Pattern.compile("[A-Z][A-Z0-9_.-]{0,63}");

    /** Prefix of the environment variables that override the files, e.g. {@code NHOLUONGUT_PEERS}. */
    public static final String ENV_PREFIX = "NHOLUONGUT_";

    public static final ConfigKey<String> PEER_GROUP_TAG = key("PEER_GROUP_TAG", "nholuongut:peerGroupName",
            Parsers.TAG_KEY, "tag key that names the group");
    public static final ConfigKey<String> PEER_GROUP_NAME = key("PEER_GROUP_NAME", null, Parsers.TAG_VALUE,
            "use this group value instead of reading our own tag");
    public static final ConfigKey<List<String>> PEERS = key("PEERS", null, Parsers.PEERS,
            "static peers; disables discovery");
    public static final ConfigKey<DiscoveryMode> DISCOVERY = key("DISCOVERY", "auto", Parsers.MODE,
            "auto (tag, then Auto Scaling Group), tag, asg");
    public static final ConfigKey<Duration> REFRESH_INTERVAL = key("REFRESH_INTERVAL", "60s", Parsers.DURATION,
            "re-discovery period, jittered");
    public static final ConfigKey<List<String>> NET_LAUNCH_ARGS = key("NET_LAUNCH_ARGS", null, Parsers.WORDS,
            "extra arguments for nholuongut launch");
    public static final ConfigKey<String> NET_PASSWORD = secret("NET_PASSWORD", Parsers.TEXT,
            "encrypts Net's traffic; given to nholuongut launch in its environment");
    public static final ConfigKey<String> NET_PASSWORD_FILE = key("NET_PASSWORD_FILE", null, Parsers.TEXT,
            "read NET_PASSWORD from this file's first line");
    public static final ConfigKey<Boolean> SCOPE_ENABLED = key("SCOPE_ENABLED", "true", Parsers.BOOL,
            "false keeps Scope from starting");
    public static final ConfigKey<String> SERVICE_TOKEN = secret("SERVICE_TOKEN", Parsers.TOKEN,
            "Scope runs in cloud mode with this token");
    public static final ConfigKey<List<String>> SCOPE_LAUNCH_ARGS = key("SCOPE_LAUNCH_ARGS", null, Parsers.WORDS,
            "extra arguments for scope launch");
    public static final ConfigKey<Integer> SCOPE_APPS = key("SCOPE_APPS", "3", Parsers.SCOPE_APPS,
            "how many members (lowest instance ids) run the Scope app in standalone mode; all for every member");
    public static final ConfigKey<Path> NET_BIN = key("NET_BIN", "/usr/local/bin/nholuongut", Parsers.ABSOLUTE_PATH,
            "the nholuongut tool");
    public static final ConfigKey<Path> SCOPE_BIN = key("SCOPE_BIN", "/usr/local/bin/scope", Parsers.ABSOLUTE_PATH,
            "the scope tool");
    public static final ConfigKey<Path> STATE_DIR = key("STATE_DIR", "/var/lib/nholuongut", Parsers.ABSOLUTE_PATH,
            "where the last good peer list is kept");
    public static final ConfigKey<Boolean> IMDS_V1_FALLBACK = key("IMDS_V1_FALLBACK", "false", Parsers.BOOL,
            "allow IMDSv1");
    public static final ConfigKey<Double> API_BUDGET = key("API_BUDGET", "2", Parsers.BUDGET,
            "AWS calls per second the whole group may spend on discovery");
    public static final ConfigKey<Boolean> RECLAIM_DEPARTED = key("RECLAIM_DEPARTED", "true", Parsers.BOOL,
            "take back the address space of members that left");
    public static final ConfigKey<Duration> READY_TIMEOUT = key("READY_TIMEOUT", "80s", Parsers.DURATION,
            "under systemd, report ready after this long even if Net is not up");
    public static final ConfigKey<Duration> DISCOVER_TIMEOUT = key("DISCOVER_TIMEOUT", "120s", Parsers.DURATION,
            "how long discover waits for AWS in all");
    public static final ConfigKey<Boolean> ECS_VIA_NET_PROXY = key("ECS_VIA_NET_PROXY", "true", Parsers.BOOL,
            "the ECS agent reaches Docker through Net's proxy, so tasks join the network; false for Service Connect"
            + " and EBS-volume tasks");
    public static final ConfigKey<Path> RUN_DIR = key("RUN_DIR", "/run/nholuongut", Parsers.ABSOLUTE_PATH,
            "where the agent leaves its decisions for the ECS agent's unit (ecs-env.sh)");

    /** Every key, in SPEC's order (ConfigKeyTest checks that none is missing). */
    private static final List<ConfigKey<?>> ALL = List.of(PEER_GROUP_TAG, PEER_GROUP_NAME, PEERS, DISCOVERY,
            REFRESH_INTERVAL, NET_LAUNCH_ARGS, NET_PASSWORD, NET_PASSWORD_FILE, SCOPE_ENABLED, SERVICE_TOKEN,
            SCOPE_LAUNCH_ARGS, SCOPE_APPS, NET_BIN, SCOPE_BIN, STATE_DIR, IMDS_V1_FALLBACK, API_BUDGET,
            RECLAIM_DEPARTED, READY_TIMEOUT, DISCOVER_TIMEOUT, ECS_VIA_NET_PROXY, RUN_DIR);

    private final String name;
    private final String defaultValue;
    private final Function<String, T> parser;
    private final boolean secret;
    private final String doc;

    private ConfigKey(String name, String defaultValue, Function<String, T> parser, boolean secret, String doc) {
        this.name = name;
        this.defaultValue = defaultValue;
        this.parser = parser;
        this.secret = secret;
        this.doc = doc;
    }

    private static <T> ConfigKey<T> key(String name, String defaultValue, Function<String, T> parser, String doc) {
        return new ConfigKey<>(name, defaultValue, parser, false, doc);
    }

    private static <T> ConfigKey<T> secret(String name, Function<String, T> parser, String doc) {
        return new ConfigKey<>(name, null, parser, true, doc);
    }

    /** Every key, in SPEC's order. */
    public static List<ConfigKey<?>> all() {
        return ALL;
    }

    /**
     * A name that is not a key, fit for a message: shown only when it looks like one (upper case, as every key
     * is, perhaps mistyped with a dash), since a mistyped or missing key can leave a secret where the name
     * should be (a pasted base64 password, {@code c2VjcmV0cGFzcw==}, reads as "name=").
     */
    public static String unknownName(String name) {
        return looksLikeAKey(name) ? name : "(not shown: not an upper-case name, it may be a value)";
    }

    /** Whether {@code name} may be shown in a message (see {@link #unknownName}). */
    public static boolean looksLikeAKey(String name) {
        return SHOWN_NAME.matcher(name).matches();
    }

    /** Looks a key up by its exact name. */
    public static Optional<ConfigKey<?>> byName(String name) {
        return ALL.stream().filter(k -> k.name.equals(name)).findFirst();
    }

    public String name() {
        return name;
    }

    /** The built-in default, or null when the key is unset by default. */
    public String defaultValue() {
        return defaultValue;
    }

    /** Whether the value is a secret: never shown in a log, an error or a report. */
    public boolean secret() {
        return secret;
    }

    /** One line saying what the key means. */
    public String doc() {
        return doc;
    }

    /** @throws IllegalArgumentException saying what is wrong with {@code raw} */
    T parse(String raw) {
        return parser.apply(raw);
    }

    @Override
    public String toString() {
        return name;
    }
}
