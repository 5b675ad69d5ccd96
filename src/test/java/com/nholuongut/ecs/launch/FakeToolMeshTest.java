package com.nholuongut.ecs.launch;

import static org.assertj.core.api.Assertions.assertThat;

import com.nholuongut.ecs.testing.FakeTools;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The stand-in's mesh of routers (the demo's), read through the agent's own {@link RouterReport}: a router
 * that vanished still owns its space and is no longer a known peer; rmpeer moves that space to the caller
 * once, and refuses the caller's own name.
 */
class FakeToolMeshTest {

    @TempDir
    Path dir;

    record Run(int exitCode, String stdout) {
    }

    static Run run(Path tool, String... args) throws IOException, InterruptedException {
        List<String> argv = new ArrayList<>(List.of(tool.toString()));
        argv.addAll(List.of(args));
        Process p = new ProcessBuilder(argv).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Run(p.waitFor(), out);
    }

    @Test
    void mesh_vanishedRouter_isADeadHolderUntilRmpeerMovesItsSpaceOnce() throws Exception {
        FakeTools a = new FakeTools(dir.resolve("a"));
        FakeTools b = new FakeTools(dir.resolve("b"));
        a.mesh(dir.resolve("mesh"), "aa:aa:aa:aa:aa:01", "ip-10-0-0-1");
        b.mesh(dir.resolve("mesh"), "aa:aa:aa:aa:aa:02", "ip-10-0-0-2");
        assertThat(run(a.net(), "launch", "--ipalloc-init", "consensus=2", "10.0.0.2").exitCode()).isZero();
        assertThat(run(b.net(), "launch", "--ipalloc-init", "consensus=2", "10.0.0.1").exitCode()).isZero();
        assertThat(RouterReport.parse(run(a.net(), "report").stdout()).deadHolders()).isEmpty();

        assertThat(run(b.net(), "stop").exitCode()).isZero();
        RouterReport report = RouterReport.parse(run(a.net(), "report").stdout());
        assertThat(report.ownName()).isEqualTo("aa:aa:aa:aa:aa:01");
        assertThat(report.deadHolders()).singleElement()
                .satisfies(h -> assertThat(h.nickname()).isEqualTo("ip-10-0-0-2"))
                .satisfies(h -> assertThat(h.addresses()).isEqualTo(65536));

        assertThat(run(a.net(), "rmpeer", "aa:aa:aa:aa:aa:02").stdout()).startsWith("65536 IPs taken over");
        assertThat(run(a.net(), "rmpeer", "aa:aa:aa:aa:aa:02").stdout()).as("nothing left").startsWith("0 IPs taken over");
        assertThat(run(a.net(), "rmpeer", "aa:aa:aa:aa:aa:01").exitCode()).as("not its own name").isEqualTo(1);
        assertThat(RouterReport.parse(run(a.net(), "report").stdout()).deadHolders()).isEmpty();
    }
}
