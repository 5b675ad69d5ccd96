package com.nholuongut.ecs.launch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Reading the router's report: fixture written from the report's documented shape (Router, IPAM). */
class RouterReportTest {

    static String fixture(String name) throws IOException {
        try (InputStream in = RouterReportTest.class.getResourceAsStream("/report/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void parse_readsOwnNameAndWhoOwnsTheRange() throws IOException {
        RouterReport report = RouterReport.parse(fixture("three-peers.json"));

        assertThat(report.ownName()).isEqualTo("aa:aa:aa:aa:aa:01");
        assertThat(report.deadHolders()).extracting(RouterReport.Holder::name).containsExactly("aa:aa:aa:aa:aa:03");
    }

    @Test
    void deadHolders_peerWithoutNicknameStillListed_liveOnesNot() {
        RouterReport report = RouterReport.parse("{\"Router\": {\"Name\": \"aa:aa:aa:aa:aa:01\", \"Peers\": []},"
                + " \"IPAM\": {\"Entries\": ["
                + "{\"Peer\": \"aa:aa:aa:aa:aa:05\", \"Size\": 16, \"IsKnownPeer\": false},"
                + "{\"Peer\": \"aa:aa:aa:aa:aa:06\", \"Nickname\": \"ip-10-0-1-6\", \"Size\": 0, \"IsKnownPeer\": false},"
                + "{\"Peer\": \"aa:aa:aa:aa:aa:07\", \"Nickname\": \"ip-10-0-1-7\", \"Size\": 8, \"IsKnownPeer\": true}]}}");

        assertThat(report.deadHolders()).singleElement().satisfies(h -> {
            assertThat(h.name()).isEqualTo("aa:aa:aa:aa:aa:05");
            assertThat(h.nickname()).isNull();
            assertThat(h.addresses()).isEqualTo(16);
        });
    }

    @Test
    void deadHolders_areThePeersHoldingSpaceOutsideTheTopology() throws IOException {
        RouterReport report = RouterReport.parse(fixture("three-peers.json"));

        assertThat(report.deadHolders()).singleElement().satisfies(h -> {
            assertThat(h.name()).isEqualTo("aa:aa:aa:aa:aa:03");
            assertThat(h.nickname()).isEqualTo("ip-10-0-1-3");
            assertThat(h.addresses()).isEqualTo(393216);
        });
    }

    @Test
    void parse_somethingElse_isAnError() {
        assertThatThrownBy(() -> RouterReport.parse("weave is not running"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RouterReport.parse("{\"IPAM\": {}}")).hasMessageContaining("Router");
    }
}
