package com.nholuongut.ecs.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nholuongut.ecs.UnavailableException;
import com.nholuongut.ecs.testing.ImdsFixture;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.http.SdkHttpClient;

/** The lifecycle paths read from a loopback metadata service with IMDSv2, as on an instance. */
class ImdsLifecycleTest {

    ImdsFixture imds;
    SdkHttpClient http;
    ImdsLifecycle lifecycle;
    String before;

    @BeforeEach
    void setUp() throws Exception {
        imds = new ImdsFixture("i-0abc", "us-east-1", "10.0.1.5");
        // The SDK resolves the endpoint itself: its system property, as in-process tests set it.
        before = System.setProperty("aws.ec2MetadataServiceEndpoint", imds.endpoint().toString());
        http = new HttpClients().metadataClient(Duration.ofSeconds(2));
        lifecycle = new ImdsLifecycle(http);
    }

    @AfterEach
    void tearDown() {
        lifecycle.close();
        http.close();
        imds.close();
        if (before == null) {
            System.clearProperty("aws.ec2MetadataServiceEndpoint");
        } else {
            System.setProperty("aws.ec2MetadataServiceEndpoint", before);
        }
    }

    @Test
    void targetState_isReadWithAToken_andFollowsAutoScaling() {
        imds.targetState("Warmed:Running");
        assertThat(lifecycle.targetState()).hasValue("Warmed:Running");

        imds.targetState("InService");
        assertThat(lifecycle.targetState()).hasValue("InService");
        assertThat(imds.tokenlessReads()).isZero();
    }

    @Test
    void notInAnAutoScalingGroup_404_isNoState() {
        assertThat(lifecycle.targetState()).isEmpty();
        assertThat(lifecycle.spotTerminating()).isFalse();
    }

    @Test
    void spotNotice_terminateOnly_isLeaving() {
        imds.spotAction("stop");
        assertThat(lifecycle.spotTerminating()).isFalse();

        imds.spotAction("terminate");
        assertThat(lifecycle.spotTerminating()).isTrue();
    }

    @Test
    void metadataServiceAway_targetStateIsAnError_notANo_andNoSpotNotice() {
        imds.close();

        assertThatThrownBy(lifecycle::targetState).isInstanceOf(UnavailableException.class)
                .hasMessageContaining("target-lifecycle-state");
        assertThat(lifecycle.spotTerminating()).isFalse();
    }
}
