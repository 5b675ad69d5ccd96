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

/**
 * Net's encryption password, from {@code NET_PASSWORD}, {@code NET_PASSWORD_FILE} (its first line) or a
 * {@code --password} still written into {@code NET_LAUNCH_ARGS}, which is taken out of the launch words: the
 * password reaches Net only through its environment, never its command line. No message here ever holds it.
 */
final class NetPassword {

    /** The password (null: none), where it came from, and the launch words without it. */
    record Resolved(String password, String from, List<String> launchArgs) {
    }

    private NetPassword() {
    }

    /**
     * @param direct      NET_PASSWORD's value and origin (value null when unset)
     * @param file        NET_PASSWORD_FILE's value and origin (value null when unset)
     * @param launchArgs  NET_LAUNCH_ARGS split into words, and its origin
     * @param warnings    where warnings go
     */
    static Resolved resolve(String direct, String directOrigin, String file, String fileOrigin,
                            List<String> launchArgs, String argsOrigin, List<String> warnings) {
        if (direct != null && file != null) {
            throw new ConfigException("invalid configuration: " + fileOrigin + ": NET_PASSWORD_FILE: NET_PASSWORD is set"
                    + " too (" + directOrigin + "): set one of them");
        }
        List<String> words = new ArrayList<>();
        String inArgs = null;
        for (int i = 0; i < launchArgs.size(); i++) {
            String word = launchArgs.get(i);
            if (word.equals("--password") || word.equals("-password")) {
                if (i + 1 >= launchArgs.size()) {
                    throw new ConfigException("invalid configuration: " + argsOrigin + ": NET_LAUNCH_ARGS: " + word
                            + " without a value");
                }
                inArgs = launchArgs.get(++i);
            } else if (word.startsWith("--password=") || word.startsWith("-password=")) {
                inArgs = word.substring(word.indexOf('=') + 1);
            } else {
                words.add(word);
            }
        }
        String password = null;
        String from = null;
        if (direct != null) {
            password = direct;
            from = "NET_PASSWORD (" + directOrigin + ")";
        } else if (file != null) {
            password = readFirstLine(file, fileOrigin, warnings);
            from = "NET_PASSWORD_FILE " + file;
        }
        if (inArgs != null) {
            if (password != null) {
                warnings.add(argsOrigin + ": NET_LAUNCH_ARGS holds --password, ignored: " + from + " sets the password");
            } else {
                password = inArgs;
                from = "--password in NET_LAUNCH_ARGS (" + argsOrigin + ")";
                warnings.add(argsOrigin + ": NET_LAUNCH_ARGS holds --password: it is given to nholuongut launch in"
                        + " its environment instead of its command line; set NET_PASSWORD_FILE (or NET_PASSWORD) and"
                        + " take it out of NET_LAUNCH_ARGS");
            }
        }
        if (password != null && password.isEmpty()) {
            throw new ConfigException("invalid configuration: " + argsOrigin + ": NET_LAUNCH_ARGS: --password is empty");
        }
        return new Resolved(password, from, List.copyOf(words));
    }

    private static String readFirstLine(String name, String origin, List<String> warnings) {
        Path file = Path.of(name);
        if (!file.isAbsolute()) {
            throw invalidFile(origin, name, "is not an absolute path");
        }
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw invalidFile(origin, name, "does not exist");
        } catch (IOException | SecurityException e) {
            throw invalidFile(origin, name, "cannot be read (" + e.getClass().getSimpleName() + ")");
        }
        int end = text.indexOf('\n');
        String line = (end < 0 ? text : text.substring(0, end)).strip();
        if (line.isEmpty()) {
            throw invalidFile(origin, name, "has an empty first line (the password)");
        }
        if (!onlyRootReads(file)) {
            warnings.add("NET_PASSWORD_FILE " + name + " can be read by others than root: chown root:root " + name
                    + " && chmod 600 " + name);
        }
        return line;
    }

    private static ConfigException invalidFile(String origin, String name, String problem) {
        return new ConfigException("invalid configuration: " + origin + ": NET_PASSWORD_FILE: " + name + " " + problem);
    }

    /**
     * Owned by root and readable by nobody else; unknown (no POSIX attributes) counts as not. Through a link
     * both come from the file it names: a link's own owner reads nothing.
     */
    private static boolean onlyRootReads(Path file) {
        try {
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
            Object uid = Files.getAttribute(file, "unix:uid");
            return Integer.valueOf(0).equals(uid) && !perms.contains(PosixFilePermission.GROUP_READ)
                    && !perms.contains(PosixFilePermission.OTHERS_READ);
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return false;
        }
    }
}
