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

    /** Two hosts' stand-ins in one mesh, each router launched with the other as its peer. */
    List<FakeTools> twoLaunchedRouters() throws IOException, InterruptedException {
        FakeTools a = new FakeTools(dir.resolve("a"));
        FakeTools b = new FakeTools(dir.resolve("b"));
        a.mesh(dir.resolve("mesh"), "aa:aa:aa:aa:aa:01", "ip-10-0-0-1");
        b.mesh(dir.resolve("mesh"), "aa:aa:aa:aa:aa:02", "ip-10-0-0-2");
        assertThat(run(a.net(), "launch", "--ipalloc-init", "consensus=2", "10.0.0.2").exitCode()).isZero();
        assertThat(run(b.net(), "launch", "--ipalloc-init", "consensus=2", "10.0.0.1").exitCode()).isZero();
        return List.of(a, b);
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
        List<FakeTools> mesh = twoLaunchedRouters();
        FakeTools a = mesh.get(0);
        FakeTools b = mesh.get(1);
        assertThat(RouterReport.parse(run(a.net(), "report").stdout()).deadHolders()).isEmpty();

        assertThat(run(b.net(), "stop").exitCode()).isZero();
        RouterReport report = RouterReport.parse(run(a.net(), "report").stdout());
        assertThat(report.ownName()).isEqualTo("aa:aa:aa:aa:aa:01");
        assertThat(report.deadHolders()).singleElement()
                .satisfies(h -> assertThat(h.nickname()).isEqualTo("ip-10-0-0-2"))
                .satisfies(h -> assertThat(h.addresses()).isEqualTo(65536));

        assertThat(run(a.net(), "rmpeer", "aa:aa:aa:aa:aa:02").stdout()).startsWith("65536 IPs taken over");
        assertThat(run(a.net(), "rmpeer", "aa:aa:aa:aa:aa:02").stdout()).as("nothing left").startsWith("0 IPs taken over");
        Run own = run(a.net(), "rmpeer", "aa:aa:aa:aa:aa:01");
        assertThat(own.exitCode()).as("Net's rmpeer always exits 0").isZero();
        assertThat(own.stdout()).as("its own name: nothing taken").startsWith("0 IPs taken over from aa:aa:aa:aa:aa:01");
        assertThat(RouterReport.parse(run(a.net(), "report").stdout()).deadHolders()).isEmpty();
    }

    @Test
    void mesh_reset_handsTheSpaceToASurvivor_andStopsTheRouter_soNoDeadHolderIsLeft() throws Exception {
        List<FakeTools> mesh = twoLaunchedRouters();
        FakeTools a = mesh.get(0);
        FakeTools b = mesh.get(1);

        assertThat(run(b.net(), "reset", "now").exitCode()).as("reset takes only --force").isEqualTo(1);
        assertThat(run(b.net(), "reset").exitCode()).isZero();

        assertThat(run(b.net(), "status").exitCode()).as("Net stopped").isEqualTo(1);
        RouterReport report = RouterReport.parse(run(a.net(), "report").stdout());
        assertThat(report.deadHolders()).as("the survivor owns it all: nothing to reclaim").isEmpty();
        assertThat(run(a.net(), "rmpeer", "aa:aa:aa:aa:aa:02").stdout()).startsWith("0 IPs taken over");
        assertThat(run(b.net(), "reset").exitCode()).as("not running: nothing to hand over").isZero();
    }

    @Test
    void launch_aFlagAfterThePeers_killsTheRouter_asNetsFlagParserStopsAtTheFirstPeer() throws Exception {
        FakeTools a = new FakeTools(dir.resolve("a"));

        assertThat(run(a.net(), "launch", "10.0.0.2", "--plugin=false").exitCode()).isEqualTo(1);
        assertThat(run(a.net(), "status").exitCode()).isEqualTo(1);

        assertThat(run(a.net(), "launch", "--plugin=false", "10.0.0.2", "--password", "x").exitCode())
                .as("the script takes --password out wherever it stands").isZero();
    }

    @Test
    void report_targetsAndEntriesAreNullAsGoEncodesThem_untilPeersAndARing() throws Exception {
        FakeTools a = new FakeTools(dir.resolve("a"));
        run(a.net(), "launch", "--ipalloc-init", "consensus=3");

        String report = run(a.net(), "report").stdout();
        assertThat(report).contains("\"Targets\": null").contains("\"Entries\": null").contains("\"Quorum\": 2");
        assertThat(RouterReport.parse(report).deadHolders()).isEmpty();

        assertThat(run(a.net(), "prime").exitCode()).isZero();
        assertThat(run(a.net(), "report").stdout()).doesNotContain("\"Entries\": null").contains("\"Paxos\": null");
    }
}
