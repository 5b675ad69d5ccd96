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
    void find_deadPeerByNicknameFromPrivateDnsName_evenWhenGoneFromTheTopology() throws IOException {
        RouterReport report = RouterReport.parse(fixture("three-peers.json"));

        assertThat(report.ownName()).isEqualTo("aa:aa:aa:aa:aa:01");
        assertThat(report.find("ip-10-0-1-3.ec2.internal", "10.0.1.3")).contains("aa:aa:aa:aa:aa:03");
        assertThat(report.addressesHeldBy("aa:aa:aa:aa:aa:03")).isEqualTo(262144 + 131072);
        assertThat(report.knows("aa:aa:aa:aa:aa:03")).isFalse();
    }

    @Test
    void find_peerWithoutNickname_byTheAddressOthersReachedItAt() throws IOException {
        RouterReport report = RouterReport.parse(fixture("three-peers.json"));

        assertThat(report.find("ip-10-0-1-4.ec2.internal", "10.0.1.4")).contains("aa:aa:aa:aa:aa:04");
        assertThat(report.find(null, "10.0.1.4")).contains("aa:aa:aa:aa:aa:04");
    }

    @Test
    void find_peerAlreadyGone_findsNothing() throws IOException {
        RouterReport report = RouterReport.parse(fixture("three-peers.json"));

        assertThat(report.find("ip-10-0-1-9.ec2.internal", "10.0.1.9")).isEmpty();
        assertThat(report.addressesHeldBy("aa:aa:aa:aa:aa:09")).isZero();
    }

    @Test
    void find_neverReturnsOurOwnRouter() throws IOException {
        RouterReport report = RouterReport.parse(fixture("three-peers.json"));

        assertThat(report.find("ip-10-0-1-1.ec2.internal", "10.0.1.1")).isEmpty();
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
