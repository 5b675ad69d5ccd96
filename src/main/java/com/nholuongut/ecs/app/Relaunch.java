package com.nholuongut.ecs.app;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;

/**
 * A plain {@code java -jar agent.jar discover}, started with no JVM option at all, runs again as a child JVM
 * with the flags of a short-lived client and the class archive made for the jar, when one lies beside it.
 *
 * <p>Why: without an archive the JVM reads, verifies and interprets about 5,700 classes, most of them the AWS
 * SDK's, with the C2 compiler and G1's threads competing for the instance's two vCPUs; with the image's archive
 * ({@code agent.aot} beside {@code agent.jar}) and these flags the same discovery takes about half the time,
 * counting the second JVM start (50-115 ms here). Only {@code discover}, the command an operator types at the
 * shell to debug, is relaunched: {@code run} must stay the process systemd started (its main PID gets the
 * readiness notification and the signals), and any JVM option, {@code JAVA_TOOL_OPTIONS},
 * {@code JDK_JAVA_OPTIONS} or {@code _JAVA_OPTIONS} means someone chose the launch, so it is left as it is.
 * Nothing of the agent is loaded before the decision: it reads {@code /proc/self/cmdline} and looks for a file,
 * with no lambda or string concatenation (each would bootstrap method handles in this JVM too).
 */
final class Relaunch {

    /**
     * The short-lived client's flags, the ones {@code bench/discover.sh}'s tuned variants time (see there). The
     * heap limit keeps compressed object pointers on, as in the unit the image's archive is made with: the
     * default heap, a quarter of the memory, would turn them off on an instance of 128 GiB or more, and the
     * archive with them.
     */
    static final List<String> FLAGS = List.of("-XX:TieredStopAtLevel=1", "-XX:CICompilerCount=1",
            "-XX:+UseSerialGC", "-Xmx256m", "-Xlog:disable", "-Xlog:all=warning:stderr");

    /**
     * Arguments holding one of these may carry a secret: such a launch is not repeated on a new command line.
     * The secret keys are {@code ConfigKey}'s, named here rather than read from it so that nothing of the
     * configuration is loaded before the decision; {@code RelaunchTest} holds the two together.
     */
    private static final List<String> SECRETS = List.of("SERVICE_TOKEN", "NET_PASSWORD", "--service-token");

    private static final List<String> CHOSEN_LAUNCH = List.of("JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS",
            "_JAVA_OPTIONS");

    /** What the decision reads of this JVM: its command line (launcher first), environment, home and release. */
    record Jvm(List<String> commandLine, Map<String, String> env, Path javaHome, int release) {

        static Jvm current() {
            List<String> argv = List.of();
            try {
                String raw = Files.readString(Path.of("/proc/self/cmdline"), StandardCharsets.UTF_8);
                argv = Arrays.asList(raw.split("\0"));
            } catch (IOException | UncheckedIOException | SecurityException e) {
                // not Linux, or /proc hidden: no relaunch
            }
            return new Jvm(argv, System.getenv(), Path.of(System.getProperty("java.home")),
                    Runtime.version().feature());
        }
    }

    private Relaunch() {
    }

    /** Runs {@code args} in a tuned child JVM if this one is a plain {@code discover}: its exit code, or empty. */
    static OptionalInt ifPlain(String[] args) {
        Optional<List<String>> child = command(Jvm.current(), args);
        if (child.isEmpty()) {
            return OptionalInt.empty();
        }
        if (Arrays.asList(args).contains("-v") || Arrays.asList(args).contains("--verbose")) {
            // The JVM's part only: the arguments are the user's own, and may hold a value better not printed.
            List<String> jvm = child.get().subList(0, child.get().size() - args.length);
            System.err.println("relaunching as: ".concat(String.join(" ", jvm)).concat(" (the same arguments)"));
        }
        // Registered first: a SIGTERM to this JVM alone (timeout(1), a supervisor) ends the child too, and this
        // JVM exits only after it, so nothing the child prints comes after this JVM's exit.
        Stopper stopper = new Stopper();
        Runtime.getRuntime().addShutdownHook(stopper);
        Process process;
        try {
            process = stopper.started(new ProcessBuilder(child.get()).inheritIO());
        } catch (IOException e) {
            Runtime.getRuntime().removeShutdownHook(stopper);
            return OptionalInt.empty(); // the child cannot start: run here, untuned
        }
        while (true) {
            try {
                return OptionalInt.of(process.waitFor());
            } catch (InterruptedException e) {
                // nothing interrupts main here; keep waiting for the child
            }
        }
    }

    /**
     * The child's command line for {@code args} in {@code jvm}, or empty when it runs here.
     *
     * <p>It runs here unless all of these hold: {@code discover} is the only command name among the arguments
     * (options may come before or after it; a {@code run} or {@code doctor} anywhere, even as an option's value,
     * keeps it here); no argument is an {@code @file} (picocli would read more arguments from it) or names a
     * secret ({@code SERVICE_TOKEN}, {@code NET_PASSWORD}, {@code --service-token}: we build no command line
     * holding one); the JVM got no option and no options variable; and the jar has an archive beside it
     * ({@code NAME.aot}, an AOT cache, on Java 25 and later; else {@code NAME.jsa}, an AppCDS archive, for
     * {@code NAME.jar}).
     */
    static Optional<List<String>> command(Jvm jvm, String[] args) {
        List<String> argv = jvm.commandLine();
        List<String> given = Arrays.asList(args);
        if (!given.contains("discover") || given.contains("run") || given.contains("doctor") || unsafe(given)
                || argv.size() != args.length + 3 || !argv.get(1).equals("-jar")
                || !argv.subList(3, argv.size()).equals(given) || chosenLaunch(jvm.env())) {
            return Optional.empty();
        }
        String jar = argv.get(2);
        if (!jar.endsWith(".jar")) {
            return Optional.empty();
        }
        String stem = jar.substring(0, jar.length() - ".jar".length());
        Optional<String> archive = Optional.empty();
        String aot = stem.concat(".aot");
        String jsa = stem.concat(".jsa");
        if (jvm.release() >= 25 && Files.isReadable(Path.of(aot))) {
            archive = Optional.of("-XX:AOTCache=".concat(aot));
        } else if (Files.isReadable(Path.of(jsa))) {
            archive = Optional.of("-XX:SharedArchiveFile=".concat(jsa));
        }
        if (archive.isEmpty()) {
            return Optional.empty();
        }
        List<String> child = new ArrayList<>();
        child.add(jvm.javaHome().resolve("bin").resolve("java").toString());
        child.addAll(FLAGS);
        child.add(archive.get());
        child.add("-jar");
        child.add(jar);
        child.addAll(given);
        return Optional.of(child);
    }

    private static boolean unsafe(List<String> args) {
        for (String arg : args) {
            if (arg.startsWith("@")) {
                return true;
            }
            for (String secret : SECRETS) {
                if (arg.contains(secret)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean chosenLaunch(Map<String, String> env) {
        for (String name : CHOSEN_LAUNCH) {
            if (env.containsKey(name)) {
                return true;
            }
        }
        return false;
    }

    /** The shutdown hook that stops the child and waits for it (a class, not a lambda: no lambda bootstrap). */
    private static final class Stopper extends Thread {
        private Process child;

        Stopper() {
            super("relaunch-stop");
        }

        synchronized Process started(ProcessBuilder builder) throws IOException {
            child = builder.start();
            return child;
        }

        @Override
        public void run() {
            Process process;
            synchronized (this) {
                process = child;
            }
            if (process == null) {
                return;
            }
            process.destroy();
            try {
                process.waitFor(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
