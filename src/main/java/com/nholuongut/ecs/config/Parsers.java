package com.nholuongut.ecs.config;

import com.nholuongut.ecs.discovery.Addresses;
import com.nholuongut.ecs.discovery.DiscoveryMode;
import com.nholuongut.ecs.discovery.ScopeApps;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * How a raw value becomes a typed one, each check included; a bad value throws
 * {@link IllegalArgumentException} saying what is wrong (the loader adds the origin and the key). A value
 * is quoted in a message only when it cannot be a secret.
 */
final class Parsers {

    private static final Duration MIN_DURATION = Duration.ofSeconds(1);
    private static final Duration MAX_DURATION = Duration.ofHours(24);

    private Parsers() {
    }

    /** Any text. */
    static final Function<String, String> TEXT = raw -> raw;

    /** A tag key: 1 to 128 characters. */
    static final Function<String, String> TAG_KEY = raw -> {
        if (raw.length() > 128) {
            throw new IllegalArgumentException("a tag key of 1 to 128 characters is required");
        }
        return raw;
    };

    /** A tag value: at most 256 characters. */
    static final Function<String, String> TAG_VALUE = raw -> {
        if (raw.length() > 256) {
            throw new IllegalArgumentException("a tag value has at most 256 characters");
        }
        return raw;
    };

    /** The Scope token: one word. */
    static final Function<String, String> TOKEN = raw -> {
        if (raw.chars().anyMatch(Character::isWhitespace)) {
            throw new IllegalArgumentException("the token must not contain white space");
        }
        return raw;
    };

    /** {@code true}/{@code yes}/{@code 1} or {@code false}/{@code no}/{@code 0}. */
    static final Function<String, Boolean> BOOL = raw -> switch (raw.toLowerCase(Locale.ROOT)) {
        case "true", "yes", "1" -> true;
        case "false", "no", "0" -> false;
        default -> throw new IllegalArgumentException("'" + abbreviate(raw) + "' is not true or false");
    };

    /** {@code 30s}, {@code 5m}, {@code 1500ms}: from 1 s to 24 h. */
    static final Function<String, Duration> DURATION = raw -> {
        Duration d = Durations.parse(raw);
        if (d.compareTo(MIN_DURATION) < 0) {
            throw new IllegalArgumentException("must be at least 1s");
        }
        if (d.compareTo(MAX_DURATION) > 0) {
            throw new IllegalArgumentException("must be at most 24h");
        }
        return d;
    };

    /** Words split as a shell would split them, without running one. */
    static final Function<String, List<String>> WORDS = ArgSplitter::split;

    /** An absolute path. */
    static final Function<String, Path> ABSOLUTE_PATH = raw -> {
        if (raw.indexOf('\0') >= 0 || !raw.startsWith("/")) {
            throw new IllegalArgumentException("'" + abbreviate(raw) + "' is not an absolute path");
        }
        return Path.of(raw);
    };

    /** A positive number of calls per second. */
    static final Function<String, Double> BUDGET = raw -> {
        double value;
        try {
            value = Double.parseDouble(raw);
        } catch (NumberFormatException e) {
            value = Double.NaN;
        }
        if (!(value > 0) || Double.isInfinite(value) || !raw.matches("[0-9]*\\.?[0-9]+")) {
            throw new IllegalArgumentException("'" + abbreviate(raw) + "' is not a positive number of calls per second");
        }
        return value;
    };

    /** {@code auto}, {@code tag} or {@code asg}. */
    static final Function<String, DiscoveryMode> MODE = raw -> {
        try {
            return DiscoveryMode.valueOf(raw.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + abbreviate(raw) + "' is not one of auto, tag, asg");
        }
    };

    /** A positive number of members, or {@code all} ({@link ScopeApps#ALL}). */
    static final Function<String, Integer> SCOPE_APPS = raw -> {
        if (raw.equalsIgnoreCase("all")) {
            return ScopeApps.ALL;
        }
        try {
            int count = Integer.parseInt(raw);
            if (count > 0 && raw.matches("[0-9]+")) {
                return count;
            }
        } catch (NumberFormatException e) {
            // said below
        }
        throw new IllegalArgumentException("'" + abbreviate(raw) + "' is not a positive number of members or all");
    };

    /** IP literals separated by spaces or commas: no host name, no shell text. */
    static final Function<String, List<String>> PEERS = raw -> {
        List<String> peers = new ArrayList<>();
        for (String entry : raw.split("[\\s,]+")) {
            if (entry.isEmpty()) {
                continue;
            }
            if (!Addresses.isLiteral(entry)) {
                throw new IllegalArgumentException("'" + abbreviate(entry) + "' is not an IPv4 or IPv6 address"
                        + " (host names and shell text are not allowed)");
            }
            peers.add(entry);
        }
        return List.copyOf(peers);
    };

    /** A value fit for a one-line message: control characters replaced, at most 60 characters. */
    static String abbreviate(String text) {
        String flat = text.replaceAll("\\p{Cntrl}", "?");
        return flat.length() <= 60 ? flat : flat.substring(0, 57) + "...";
    }
}
