package com.nholuongut.ecs.cli;

import com.nholuongut.ecs.aws.IdentityFlags;
import com.nholuongut.ecs.config.AgentConfig;
import com.nholuongut.ecs.config.ConfigKey;
import com.nholuongut.ecs.config.ConfigLoader;
import com.nholuongut.ecs.config.ConfigValue;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** The options every command takes (SPEC, "Command line"). */
public final class CommonOptions {

    static final String DEFAULT_CONFIG_DIR = "/etc/nholuongut";

    @Spec(Spec.Target.MIXEE)
    private CommandSpec mixee;

    @Option(names = "--config-dir", paramLabel = "DIR",
            description = "Directory of nholuongut.config and scope.config (default: $NHOLUONGUT_CONFIG_DIR or "
                    + DEFAULT_CONFIG_DIR + ").")
    Path configDir;

    @Option(names = "--instance-id", paramLabel = "ID",
            description = "Act as this instance instead of asking IMDS (debugging off-instance; needs --region or"
                    + " AWS_REGION).")
    String instanceId;

    @Option(names = "--region", paramLabel = "REGION", description = "AWS region (default: from IMDS, or AWS_REGION"
            + " with --instance-id).")
    String region;

    @Option(names = {"-v", "--verbose"}, description = "Debug logging, and stack traces with errors.")
    boolean verbose;

    @Option(names = "--peers", paramLabel = "ADDRS", description = "Static peers (IP addresses separated by spaces"
            + " or commas); no AWS call. Same as PEERS.")
    String peers;

    @Option(names = "--peer-group-tag", paramLabel = "KEY", description = "Tag key naming the group. Same as"
            + " PEER_GROUP_TAG.")
    String peerGroupTag;

    @Option(names = "--peer-group-name", paramLabel = "VALUE", description = "Group value to use instead of our"
            + " own tag's. Same as PEER_GROUP_NAME.")
    String peerGroupName;

    @Option(names = "--discovery", paramLabel = "MODE", description = "auto (tag, then Auto Scaling Group), tag or"
            + " asg. Same as DISCOVERY.")
    String discovery;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Set any configuration key (repeatable);"
            + " overrides files and environment.")
    List<String> sets = new ArrayList<>();

    /** The options given before the command's name, or null. */
    private CommonOptions outer;

    /**
     * Takes the options given before the command's name, so that {@code agent.jar -v --region R discover}
     * and {@code agent.jar discover -v --region R} mean the same. Where both set something, what follows the
     * command's name wins, whether a named flag or a {@code --set}.
     */
    void inherit(CommonOptions outer) {
        if (outer == null) {
            return;
        }
        this.outer = outer;
        configDir = configDir != null ? configDir : outer.configDir;
        instanceId = instanceId != null ? instanceId : outer.instanceId;
        region = region != null ? region : outer.region;
        verbose |= outer.verbose;
    }

    /** {@code --instance-id} and {@code --region}, for the wiring. */
    IdentityFlags identityFlags() {
        return new IdentityFlags(instanceId, region);
    }

    /** The configuration directory: flag, else {@code NHOLUONGUT_CONFIG_DIR}, else {@code /etc/nholuongut}. */
    Path configDir(Map<String, String> env) {
        if (configDir != null) {
            return configDir;
        }
        String fromEnv = env.get(ConfigLoader.CONFIG_DIR_ENV);
        return Path.of(fromEnv == null || fromEnv.isBlank() ? DEFAULT_CONFIG_DIR : fromEnv);
    }

    /** Loads and validates the configuration with these flags as the top layer. */
    AgentConfig loadConfig(Map<String, String> env) {
        return loadConfig(env, Map.of());
    }

    /** As {@link #loadConfig(Map)}, with a command's own flags for configuration keys on top. */
    AgentConfig loadConfig(Map<String, String> env, Map<ConfigKey<?>, ConfigValue> commandFlags) {
        Map<ConfigKey<?>, ConfigValue> flags = new LinkedHashMap<>();
        if (outer != null) {
            outer.putFlags(flags);
        }
        putFlags(flags);
        flags.putAll(commandFlags);
        return ConfigLoader.load(configDir(env), env, flags);
    }

    /** This line's configuration flags: the {@code --set}s in order, then the named flags, which win. */
    private void putFlags(Map<ConfigKey<?>, ConfigValue> flags) {
        for (String set : sets) {
            int eq = set.indexOf('=');
            Optional<ConfigKey<?>> key = eq <= 0 ? Optional.<ConfigKey<?>>empty() : ConfigKey.byName(set.substring(0, eq));
            if (key.isEmpty()) {
                throw new ParameterException(mixee.commandLine(), "--set takes KEY=VALUE with a known key, got "
                        + (eq > 0 ? "'" + ConfigKey.unknownName(set.substring(0, eq)) + "=...'" : "no '='"));
            }
            flags.put(key.get(), new ConfigValue(set.substring(eq + 1), "--set " + key.get()));
        }
        putFlag(flags, ConfigKey.PEERS, peers, "--peers");
        putFlag(flags, ConfigKey.PEER_GROUP_TAG, peerGroupTag, "--peer-group-tag");
        putFlag(flags, ConfigKey.PEER_GROUP_NAME, peerGroupName, "--peer-group-name");
        putFlag(flags, ConfigKey.DISCOVERY, discovery, "--discovery");
    }

    private static void putFlag(Map<ConfigKey<?>, ConfigValue> flags, ConfigKey<?> key, String value, String flag) {
        if (value != null) {
            flags.put(key, new ConfigValue(value, flag));
        }
    }
}
