package com.nholuongut.ecs.image;

import static org.assertj.core.api.Assertions.assertThat;

import com.nholuongut.ecs.image.Script.Result;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code init/nholuongut-ecs-env.sh}, which decides before the ECS agent starts whether it goes through Net's
 * Docker API proxy: a fake {@code nholuongut config} names the proxy, a loopback UNIX-socket server plays
 * the proxy's {@code /_ping}, and a fake {@code systemctl} records its calls.
 */
class EcsEnvScriptTest {

    static final Path SCRIPT = Script.repoFile("init/nholuongut-ecs-env.sh");
    static final Duration TIMEOUT = Duration.ofSeconds(60);

    @TempDir
    Path work;
    Path runDir;
    Path net;
    Path proxySocket;
    PingServer proxy;

    @BeforeEach
    void setUp() throws IOException {
        runDir = work.resolve("run");
        proxySocket = work.resolve("net-proxy.sock");
        Script.writeExecutable(work.resolve("systemctl"), "echo \"$*\" >> \"$(dirname \"$0\")/systemctl.log\"\n");
    }

    @AfterEach
    void tearDown() throws IOException {
        if (proxy != null) {
            proxy.close();
        }
    }

    /** A fake Net whose {@code config} prints {@code output}. */
    void netConfigPrints(String output) throws IOException {
        net = Script.writeExecutable(work.resolve("nholuongut"),
                "[[ $1 == config ]] && printf '%s\\n' '" + output + "'\nexit 0\n");
    }

    Result run(int waitSeconds) throws IOException, InterruptedException {
        Map<String, String> env = new HashMap<>();
        env.put("WAIT_SECONDS", String.valueOf(waitSeconds));
        env.put("SYSTEMCTL", work.resolve("systemctl").toString());
        return Script.run(work, env, TIMEOUT, SCRIPT, net.toString(), runDir.toString());
    }

    List<String> systemctlCalls() throws IOException {
        Path log = work.resolve("systemctl.log");
        return Files.exists(log) ? Files.readAllLines(log) : List.of();
    }

    String read(String name) throws IOException {
        return Files.readString(runDir.resolve(name));
    }

    void staleEcsEnv() throws IOException {
        Files.createDirectories(runDir);
        Files.writeString(runDir.resolve("ecs.env"), "DOCKER_HOST=unix:///old\n");
    }

    @Test
    void proxyAnswers_ecsAgentGetsTheStableSocket_forwarderGetsTheProxy() throws Exception {
        proxy = new PingServer(proxySocket);
        netConfigPrints("-H=unix://" + proxySocket);

        Result r = run(5);

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(read("ecs.env")).isEqualTo("DOCKER_HOST=unix://" + runDir.resolve("docker.sock") + "\n");
        assertThat(read("proxy.env")).isEqualTo("NET_PROXY_SOCKET=" + proxySocket + "\n");
        assertThat(systemctlCalls()).containsExactly("try-restart nholuongut-docker.service");
        assertThat(r.out()).contains("ECS tasks join the nholuongut network");
        try (var files = Files.list(runDir)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("ecs.env", "proxy.env");
        }
    }

    @Test
    void agentSaysEcsViaNetProxyFalse_ecsAgentTalksToDockerDirectly_evenWithTheProxyUp() throws Exception {
        proxy = new PingServer(proxySocket);
        netConfigPrints("-H=unix://" + proxySocket);
        staleEcsEnv();
        Files.writeString(runDir.resolve("ecs-direct"), "ECS_VIA_NET_PROXY=false\n");

        Result r = run(5);

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(runDir.resolve("ecs.env")).doesNotExist();
        assertThat(runDir.resolve("proxy.env")).doesNotExist();
        assertThat(systemctlCalls()).isEmpty();
        assertThat(r.out()).contains("ECS_VIA_NET_PROXY=false", "outside the nholuongut network");
    }

    @Test
    void proxyUnchangedOnRestart_forwarderIsLeftRunning() throws Exception {
        proxy = new PingServer(proxySocket);
        netConfigPrints("-H=unix://" + proxySocket);

        run(5);
        Result again = run(5);

        assertThat(again.exitCode()).isZero();
        assertThat(systemctlCalls()).hasSize(1);
    }

    @Test
    void hostFlagWithSeparateValue_isUnderstood() throws Exception {
        proxy = new PingServer(proxySocket);
        netConfigPrints("-H unix://" + proxySocket);

        Result r = run(5);

        assertThat(r.exitCode()).isZero();
        assertThat(read("proxy.env")).isEqualTo("NET_PROXY_SOCKET=" + proxySocket + "\n");
    }

    @Test
    void proxyNotRunning_ecsAgentUsesDockerDirectly() throws Exception {
        staleEcsEnv();
        netConfigPrints("");

        Result r = run(0);

        assertThat(r.exitCode()).isZero();
        assertThat(runDir.resolve("ecs.env")).doesNotExist();
        assertThat(r.out()).contains("is not running", "ECS tasks will run outside the nholuongut network");
        assertThat(systemctlCalls()).isEmpty();
    }

    @Test
    void proxySocketSilent_ecsAgentUsesDockerDirectly() throws Exception {
        staleEcsEnv();
        netConfigPrints("-H=unix://" + proxySocket);

        Result r = run(1);

        assertThat(r.exitCode()).isZero();
        assertThat(runDir.resolve("ecs.env")).doesNotExist();
        assertThat(r.out()).contains("does not answer");
    }

    @Test
    void tcpProxy_isNotUsed() throws Exception {
        netConfigPrints("-H=tcp://127.0.0.1:12375");

        Result r = run(0);

        assertThat(r.exitCode()).isZero();
        assertThat(runDir.resolve("ecs.env")).doesNotExist();
    }

    @Test
    void netMissing_ecsAgentUsesDockerDirectly() throws Exception {
        staleEcsEnv();
        net = work.resolve("no-such-nholuongut");

        Result r = run(0);

        assertThat(r.exitCode()).isZero();
        assertThat(runDir.resolve("ecs.env")).doesNotExist();
    }

    @Test
    void proxyComingUp_isWaitedFor() throws Exception {
        // `config` names the proxy from its third call on, as when Net is still starting.
        Path count = work.resolve("count");
        net = Script.writeExecutable(work.resolve("nholuongut"), """
                n=$(( $(cat "%s" 2>/dev/null || echo 0) + 1 )); echo $n > "%s"
                [[ $1 == config && $n -ge 3 ]] && echo '-H=unix://%s'
                exit 0
                """.formatted(count, count, proxySocket));
        proxy = new PingServer(proxySocket);

        Result r = run(20);

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(runDir.resolve("ecs.env")).exists();
        assertThat(Files.readString(count).strip()).isEqualTo("3");
    }

    /** Answers every HTTP request on a UNIX socket with {@code 200 OK}, body {@code OK}, as Docker's /_ping does. */
    static final class PingServer implements AutoCloseable {
        private final ServerSocketChannel server;
        private final Thread thread;

        PingServer(Path socket) throws IOException {
            server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            server.bind(UnixDomainSocketAddress.of(socket));
            thread = new Thread(this::serve, "ping-server");
            thread.setDaemon(true);
            thread.start();
        }

        private void serve() {
            while (server.isOpen()) {
                try (SocketChannel client = server.accept()) {
                    ByteBuffer in = ByteBuffer.allocate(8192);
                    StringBuilder request = new StringBuilder();
                    while (!request.toString().contains("\r\n\r\n") && client.read(in) > 0) {
                        in.flip();
                        request.append(StandardCharsets.US_ASCII.decode(in));
                        in.clear();
                    }
                    client.write(ByteBuffer.wrap(("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
                            + "Content-Length: 2\r\nConnection: close\r\n\r\nOK").getBytes(StandardCharsets.US_ASCII)));
                } catch (IOException e) {
                    // Closed, or a client went away: serve the next one.
                }
            }
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }
}
