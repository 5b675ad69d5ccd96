package com.nholuongut.ecs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.nholuongut.ecs.discovery.Addresses;
import com.nholuongut.ecs.testing.Cli.Result;
import com.nholuongut.ecs.testing.Cli;
import com.nholuongut.ecs.testing.Fleet;
import com.nholuongut.ecs.testing.AwsEmulator;
import com.nholuongut.ecs.testing.Emulators;
import com.nholuongut.ecs.testing.RecordingProxy;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A group larger than one DescribeInstances page (1000) is paged through, not truncated. */
@ExtendWith(Emulators.class)
class LargeGroupTest {

    static final int SIZE = 1003;

    @Test
    void discover_groupOfMoreThan1000_pagesThroughEveryMember(AwsEmulator moto) throws Exception {
        List<String> ids;
        try (Fleet fleet = new Fleet(moto)) {
            // One reservation per instance: moto pages by reservation, as EC2 may.
            ids = fleet.tagged("nholuongut:peerGroupName", "big", SIZE);
            fleet.tagged("nholuongut:peerGroupName", "other", 3);
            fleet.stop(ids.get(SIZE - 1));
            try (RecordingProxy proxy = new RecordingProxy(moto.endpoint())) {
                Map<String, String> env = new HashMap<>(moto.env());
                env.put("AWS_ENDPOINT_URL", proxy.endpoint().toString());

                // moto needs 8-22 s for one filtered page of 1000 here; EC2 on a bad day is as slow. The
                // deadline is this test's, so that it never depends on how fast the emulator is.
                Result r = Cli.run(env, "discover", "--instance-id", ids.get(0), "--region", AwsEmulator.REGION,
                        "--peer-group-name", "big", "--timeout", "10m");

                assertThat(r.exitCode()).as(r.err()).isZero();
                List<String> peers = r.outLines();
                assertThat(peers).hasSize(SIZE - 2).doesNotHaveDuplicates()
                        .doesNotContain(fleet.address(ids.get(0)), fleet.address(ids.get(SIZE - 1)));
                assertThat(peers).isSortedAccordingTo(Addresses.NUMERIC);
                // One call to learn our own address, then two pages of at most 1000.
                assertThat(proxy.actions()).containsExactly("DescribeInstances", "DescribeInstances",
                        "DescribeInstances");
            }
        }
    }
}
