package com.nholuongut.ecs.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkClientException;

/** The clients' own resources: the SDK's timers on one thread, one parse of the trust store per process. */
class AwsClientsTest {

    private static final AwsClients.Settings CLOSED_PORT = new AwsClients.Settings(URI.create("http://127.0.0.1:9"),
            StaticCredentialsProvider.create(AwsBasicCredentials.create("testing", "testing")));

    private static List<String> threadNames() {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName).toList();
    }

    @Test
    void awsClients_runTheSdksTimeoutTimersOnOneThreadForBothClients_andStopItOnClose() throws Exception {
        HttpClients http = new HttpClients();
        AwsClients clients = AwsClients.create("us-east-1", http.client(Duration.ofSeconds(5)), CLOSED_PORT,
                new AwsTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(10)));
        try {
            // Each call arms the call and attempt timers (the port refuses, so it fails fast).
            assertThatThrownBy(() -> clients.ec2().describeInstances()).isInstanceOf(SdkClientException.class);
            assertThatThrownBy(() -> clients.autoScaling().describeAutoScalingInstances())
                    .isInstanceOf(SdkClientException.class);

            assertThat(threadNames()).filteredOn("aws-timeouts"::equals).hasSize(1);
            assertThat(threadNames()).noneMatch(name -> name.startsWith("sdk-ScheduledExecutor"));
        } finally {
            clients.close();
        }
        for (int i = 0; i < 50 && threadNames().contains("aws-timeouts"); i++) {
            Thread.sleep(20);
        }
        assertThat(threadNames()).doesNotContain("aws-timeouts");
    }

    @Test
    void httpClients_giveEveryClientTheSameTrustManagers_parsedOnce() {
        HttpClients http = new HttpClients();

        var first = http.trustManagers();
        http.client(Duration.ofSeconds(1)).close();
        http.client(Duration.ofSeconds(2)).close();

        assertThat(first).isNotEmpty();
        assertThat(http.trustManagers()).isSameAs(first);
    }
}
