package com.nholuongut.ecs.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The lexer of {@code nholuongut.config} and {@code scope.config}: {@code KEY=VALUE} lines, {@code #}
 * comments (a trailing one as in a shell), blank lines, {@code export}, surrounding quotes. It knows no key;
 * the loader decides what each means.
 */
final class ConfigFile {

    /** One {@code KEY=VALUE} line: the key's name, its value, and {@code FILE line N}. */
    record Line(String name, String value, String origin) {
    }

    private static final Pattern KEY_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    private ConfigFile() {
    }

    /**
     * The file's settings in order; none when it does not exist.
     *
     * @throws ConfigException when it cannot be read or a line is not {@code KEY=VALUE} (the value not shown)
     */
    static List<Line> read(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            throw new ConfigException("cannot read " + file + ": " + e.getMessage());
        }
        List<Line> settings = new ArrayList<>();
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
                // The value is never shown, nor the text before '=' unless it looks like a mistyped key: the
                // line may be a secret pasted without its key (a base64 password has '=' in it).
                String before = eq > 0 ? line.substring(0, eq).strip() : "";
                throw new ConfigException(origin + ": expected KEY=VALUE, got " + (eq <= 0 ? "a line without '='"
                        : ConfigKey.looksLikeAKey(before) ? "'" + before + "=...'"
                        : "a line whose text before '=' is not a key name (not shown: it may be a value)"));
            }
            settings.add(new Line(line.substring(0, eq).strip(), unquote(withoutComment(line.substring(eq + 1)).strip()),
                    origin));
        }
        return settings;
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
    static String unquote(String value) {
        if (value.length() >= 2) {
            char first = value.charAt(0);
            if ((first == '"' || first == '\'') && value.charAt(value.length() - 1) == first
                    && value.indexOf(first, 1) == value.length() - 1) {
                return value.substring(1, value.length() - 1);
            }
        }
        return value;
    }

    /** Whether group or others may read the file (unknown: no). */
    static boolean readableByOthers(Path file) {
        try {
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
            return perms.contains(PosixFilePermission.GROUP_READ) || perms.contains(PosixFilePermission.OTHERS_READ);
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }
}
