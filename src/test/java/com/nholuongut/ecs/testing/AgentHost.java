package com.nholuongut.ecs.testing;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * One instance as its agent sees the world in a test: its loopback IMDSv2 identity, its stand-in tools
 * ({@code DIR/bin}), its configuration and state directories ({@code DIR/etc}, {@code DIR/state}), and the
 * environment that points the agent at them and at the AWS emulator (or a proxy in front of it).
 */
public final class AgentHost implements AutoCloseable {

    private final Path dir;
    private final FakeTools tools;
    private final ImdsFixture imds;
    private final Path configDir;
    private final Path stateDir;

    /** Sets up {@code dir} for the instance with this id and private address. */
    public AgentHost(Path dir, String instanceId, String address) throws IOException {
        this.dir = Files.createDirectories(dir);
        this.tools = new FakeTools(dir.resolve("bin"));
        this.configDir = Files.createDirectories(dir.resolve("etc"));
        this.stateDir = dir.resolve("state");
        this.imds = new ImdsFixture(instanceId, AwsEmulator.REGION, address);
    }

    public Path dir() {
        return dir;
    }

    public FakeTools tools() {
        return tools;
    }

    public ImdsFixture imds() {
        return imds;
    }

    public Path configDir() {
        return configDir;
    }

    public Path stateDir() {
        return stateDir;
    }

    /**
     * The agent's environment: the emulator's credentials and region with AWS at {@code aws} (the emulator's
     * endpoint or a proxy's), this host's metadata service, tools, directories and, first on PATH, the tools'
     * directory (for systemd-notify). The reclaimer is off: the tests that are about it turn it on.
     */
    public Map<String, String> env(AwsEmulator emulator, URI aws) {
        Map<String, String> env = new HashMap<>(emulator.env());
        env.put("AWS_ENDPOINT_URL", aws.toString());
        env.put("AWS_EC2_METADATA_SERVICE_ENDPOINT", imds.endpoint().toString());
        env.put("NHOLUONGUT_CONFIG_DIR", configDir.toString());
        env.put("NHOLUONGUT_NET_BIN", tools.net().toString());
        env.put("NHOLUONGUT_SCOPE_BIN", tools.scope().toString());
        env.put("NHOLUONGUT_STATE_DIR", stateDir.toString());
        env.put("NHOLUONGUT_RECLAIM_DEPARTED", "false");
        env.put("PATH", tools.dir() + ":" + System.getenv("PATH"));
        return env;
    }

    @Override
    public void close() {
        imds.close();
    }
}
