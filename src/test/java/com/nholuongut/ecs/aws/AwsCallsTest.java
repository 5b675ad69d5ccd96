package com.nholuongut.ecs.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nholuongut.ecs.UnavailableException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;

/** SDK failures become the agent's typed errors: credentials, denied, throttled, and EC2's DryRun answer. */
class AwsCallsTest {

    private static final AwsCredentialsProvider KEYS =
            StaticCredentialsProvider.create(AwsBasicCredentials.create("testing", "testing"));

    private static AwsServiceException answer(String code, int status) {
        return AwsServiceException.builder().statusCode(status)
                .awsErrorDetails(AwsErrorDetails.builder().errorCode(code).errorMessage("said " + code).build())
                .build();
    }

    private static UnavailableException unavailable(AwsServiceException answer) {
        try {
            AwsCalls.call("ec2:DescribeInstances", KEYS, () -> {
                throw answer;
            });
        } catch (UnavailableException e) {
            return e;
        }
        throw new AssertionError("no UnavailableException");
    }

    @Test
    void call_credentialsNotFound_isACredentialsFailure_andTheCallIsNotMade() {
        AtomicInteger calls = new AtomicInteger();
        AwsCredentialsProvider none = () -> {
            throw SdkClientException.create("nothing here, in whatever words");
        };

        assertThatThrownBy(() -> AwsCalls.call("ec2:DescribeTags", none, calls::incrementAndGet))
                .isInstanceOf(UnavailableException.class)
                .hasMessageStartingWith("no AWS credentials for ec2:DescribeTags: nothing here, in whatever words")
                .hasMessageContaining("check its instance profile");
        assertThat(calls).hasValue(0);
    }

    @Test
    void call_defaultChainFailure_namesTheInstanceRolesReason() {
        String chain = "Unable to load credentials from any of the providers in the chain AwsCredentialsProviderChain("
                + "credentialsProviders=[SystemPropertyCredentialsProvider(), EnvironmentVariableCredentialsProvider()"
                + ", InstanceProfileCredentialsProvider()]) : [SystemPropertyCredentialsProvider(): Unable to load."
                + ", InstanceProfileCredentialsProvider(): Failed to load credentials from IMDS.]";

        assertThat(AwsCalls.noCredentials(chain)).startsWith("none from the SDK's default chain")
                .contains("the instance role's: Failed to load credentials from IMDS;")
                .doesNotContain("SystemPropertyCredentialsProvider");
    }

    @Test
    void call_throttlingAnswers_areThrottled_asTheSdkCountsThem() {
        assertThat(unavailable(answer("RequestLimitExceeded", 503)).throttled()).isTrue();
        assertThat(unavailable(answer("EC2ThrottledException", 400)).throttled()).isTrue();
        assertThat(unavailable(answer("SomethingElse", 429)).throttled()).as("HTTP 429").isTrue();
        assertThat(unavailable(answer("InternalError", 500)).throttled()).isFalse();
        assertThat(unavailable(answer("RequestLimitExceeded", 503))).hasMessageStartingWith(
                "AWS throttled ec2:DescribeInstances after retries (RequestLimitExceeded, HTTP 503)");
    }

    @Test
    void call_deniedAnswer_isAccessDenied_namingTheAction() {
        assertThatThrownBy(() -> AwsCalls.call("ec2:DescribeTags", KEYS, () -> {
            throw answer("UnauthorizedOperation", 403);
        })).isInstanceOf(AccessDeniedException.class).hasMessageStartingWith(
                "AWS denied ec2:DescribeTags (UnauthorizedOperation)");
    }

    @Test
    void permission_dryRunAnswer_isAllowed_andARefusalIsDenied() {
        assertThat(AwsCalls.permission("ec2:DescribeTags", KEYS, () -> {
            throw answer("DryRunOperation", 412);
        })).isEqualTo("allowed (dry run)");
        assertThat(AwsCalls.permission("autoscaling:DescribeAutoScalingInstances", KEYS, () -> "done"))
                .isEqualTo("allowed");
        assertThatThrownBy(() -> AwsCalls.permission("ec2:DescribeTags", KEYS, () -> {
            throw answer("UnauthorizedOperation", 403);
        })).isInstanceOf(AccessDeniedException.class);
    }
}
