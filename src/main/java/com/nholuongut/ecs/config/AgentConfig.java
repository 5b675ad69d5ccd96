package com.nholuongut.ecs.config;

import com.nholuongut.ecs.discovery.Discovery;
import com.nholuongut.ecs.discovery.Ec2Discovery;
import com.nholuongut.ecs.discovery.ScopeApps;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The agent's validated configuration: every key of {@link ConfigKey} read once into its typed value
 * ({@link #get}), plus what the keys give together: Net's password (from {@code NET_PASSWORD},
 * {@code NET_PASSWORD_FILE} or a {@code --password} taken out of {@code NET_LAUNCH_ARGS}).
 */
public final class AgentConfig {

    /** What replaces a secret (the Scope token, Net's password) wherever it would be shown. */
    public static final String MASK = "****";

    private static final Pattern SCOPE_TOKEN_ARG = Pattern.compile("(--service-token(?:=|,? ))[^\\s,\\]]+");

    private final Map<ConfigKey<?>, Object> values;
    private final String netPassword;
    private final String netPasswordFrom;

    /**
     * @param values          every key's typed value (null: unset); {@code NET_LAUNCH_ARGS} without a password
     * @param netPassword     Net's encryption password, or null
     * @param netPasswordFrom where the password came from (a key and its origin, never the value), or null
     */
    AgentConfig(Map<ConfigKey<?>, Object> values, String netPassword, String netPasswordFrom) {
        for (ConfigKey<?> key : ConfigKey.all()) {
            if (key.defaultValue() != null) {
                Objects.requireNonNull(values.get(key), key.name());
            }
        }
        this.values = Map.copyOf(values.entrySet().stream().filter(e -> e.getValue() != null)
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue)));
        this.netPassword = netPassword;
        this.netPasswordFrom = netPasswordFrom;
    }

    /** The key's value, or null when it is unset (a key without a default). */
    @SuppressWarnings("unchecked")
    public <T> T get(ConfigKey<T> key) {
        return (T) values.get(key);
    }

    /** The static peers ({@code PEERS}); empty means discover. */
    public List<String> staticPeers() {
        List<String> peers = get(ConfigKey.PEERS);
        return peers == null ? List.of() : peers;
    }

    /** Extra words for {@code nholuongut launch}, never a password (that is taken out). */
    public List<String> netLaunchArgs() {
        List<String> words = get(ConfigKey.NET_LAUNCH_ARGS);
        return words == null ? List.of() : words;
    }

    /** Extra words for {@code scope launch}. */
    public List<String> scopeLaunchArgs() {
        List<String> words = get(ConfigKey.SCOPE_LAUNCH_ARGS);
        return words == null ? List.of() : words;
    }

    /** Net's encryption password, or null; given to Net in its environment, never logged. */
    public String netPassword() {
        return netPassword;
    }

    /** Where the password came from (never the value), or null. */
    public String netPasswordFrom() {
        return netPasswordFrom;
    }

    /** True when {@code PEERS} replaces discovery. */
    public boolean isStatic() {
        return !staticPeers().isEmpty();
    }

    /** True when Scope runs in cloud mode ({@code SERVICE_TOKEN} set). */
    public boolean scopeCloudMode() {
        return get(ConfigKey.SERVICE_TOKEN) != null;
    }

    /** True when Scope runs standalone, with apps (enabled, and not in cloud mode). */
    public boolean scopeStandalone() {
        return get(ConfigKey.SCOPE_ENABLED) && !scopeCloudMode();
    }

    /** Which members of this discovery run the Scope app ({@code SCOPE_APPS}). */
    public ScopeApps scopeApps(Discovery discovery) {
        return ScopeApps.of(discovery, get(ConfigKey.SCOPE_APPS));
    }

    /** What EC2 discovery needs of this configuration. */
    public Ec2Discovery.Settings discoverySettings() {
        return new Ec2Discovery.Settings(get(ConfigKey.PEER_GROUP_TAG), get(ConfigKey.PEER_GROUP_NAME),
                get(ConfigKey.DISCOVERY));
    }

    /**
     * The text with every secret of this configuration replaced by {@link #MASK}: the one rule for every
     * log line, error and report that could carry one (a tool's argv or stderr, say).
     */
    public String mask(String text) {
        // A token written into SCOPE_LAUNCH_ARGS is as secret as SERVICE_TOKEN.
        String masked = text == null ? null : SCOPE_TOKEN_ARG.matcher(text).replaceAll("$1" + MASK);
        for (String secret : new String[] {get(ConfigKey.SERVICE_TOKEN), netPassword}) {
            if (masked != null && secret != null && !secret.isEmpty()) {
                masked = masked.replace(secret, MASK);
            }
        }
        return masked;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("AgentConfig[");
        String sep = "";
        for (ConfigKey<?> key : ConfigKey.all()) {
            Object value = values.get(key);
            sb.append(sep).append(key.name()).append('=')
                    .append(value == null ? "unset" : key.secret() ? MASK : value instanceof Duration d
                            ? Durations.format(d) : value);
            sep = ", ";
        }
        if (netPassword != null) {
            sb.append(sep).append("netPassword=").append(MASK).append(" (").append(netPasswordFrom).append(')');
        }
        return mask(sb.append(']').toString());
    }
}
