package com.nholuongut.ecs.aws;

import com.nholuongut.ecs.AgentException;
import com.nholuongut.ecs.UnavailableException;
import java.util.Set;
import java.util.function.Supplier;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * Runs one AWS action and turns SDK failures into the agent's typed errors, naming the IAM action.
 * Retries are not done here: the SDK's retry strategy has already run when an exception arrives.
 */
public final class AwsCalls {

    private static final Set<String> DENIED = Set.of(
            "AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "AuthFailure",
            "InvalidClientTokenId", "SignatureDoesNotMatch", "UnrecognizedClientException",
            "InvalidAccessKeyId", "ExpiredToken", "ExpiredTokenException", "RequestExpired", "OptInRequired");
    private static final int MAX_DETAIL = 300;
    /** How the SDK's default credentials chain names its last provider in its failure (display only). */
    private static final String INSTANCE_PROFILE = "InstanceProfileCredentialsProvider(): ";

    private AwsCalls() {
    }

    /**
     * Runs {@code call}, which performs {@code action} (e.g. {@code ec2:DescribeInstances}) signed with
     * {@code credentials}.
     */
    public static <T> T call(String action, AwsCredentialsProvider credentials, Supplier<T> call) {
        // Resolved here first, on their own, so that a failure is known to be the credentials' (whatever the
        // SDK's words for it); the call then signs with what the provider has cached. The SDK too resolves them
        // before its call timeout starts (in an interceptor), so no wait is bounded differently.
        try {
            credentials.resolveCredentials();
        } catch (SdkException e) {
            throw new UnavailableException("no AWS credentials for " + action + ": " + noCredentials(e.getMessage()),
                    e);
        }
        try {
            return call.get();
        } catch (AwsServiceException e) {
            throw translate(action, e);
        } catch (SdkException e) {
            throw new UnavailableException("cannot reach AWS for " + action + ": " + detail(e.getMessage()), e);
        }
    }

    /**
     * Why no credentials were found, in one line, and what to check. The default chain's failure lists every
     * provider it tried, most of them beside the point on an instance; the last one, the instance profile, says
     * what failed there.
     */
    public static String noCredentials(String message) {
        return credentialsDetail(String.valueOf(message))
                + "; on an instance, check its instance profile (IAM role) and that IMDSv2 answers";
    }

    private static String credentialsDetail(String message) {
        int last = message.lastIndexOf(INSTANCE_PROFILE);
        if (last < 0) {
            return detail(message);
        }
        String reason = message.substring(last + INSTANCE_PROFILE.length()).strip();
        while (reason.endsWith("]") || reason.endsWith(".")) {
            reason = reason.substring(0, reason.length() - 1);
        }
        return "none from the SDK's default chain (-v shows each source's reason); the instance role's: "
                + detail(reason);
    }

    /**
     * Runs a permission check of {@code action}: EC2's {@code DryRun} answer {@code DryRunOperation} means
     * allowed without doing the work.
     *
     * @return "allowed (dry run)" or "allowed"
     * @throws AccessDeniedException when AWS refuses the action
     * @throws UnavailableException  when it cannot be checked
     */
    public static String permission(String action, AwsCredentialsProvider credentials, Supplier<?> call) {
        return call(action, credentials, () -> {
            try {
                call.get();
                return "allowed";
            } catch (AwsServiceException e) {
                if (e.awsErrorDetails() != null && "DryRunOperation".equals(e.awsErrorDetails().errorCode())) {
                    return "allowed (dry run)";
                }
                throw e;
            }
        });
    }

    private static AgentException translate(String action, AwsServiceException e) {
        String code = e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
        String message = e.awsErrorDetails() == null ? e.getMessage() : e.awsErrorDetails().errorMessage();
        if ((code != null && DENIED.contains(code)) || e.statusCode() == 401 || e.statusCode() == 403) {
            return new AccessDeniedException(code, "AWS denied " + action + " (" + code + "): " + detail(message)
                    + " — allow it in the instance role (see iam/nholuongut-ecs-policy.json)", e);
        }
        // The SDK's own test, as its retry strategy uses: its throttling error codes, and HTTP 429.
        boolean throttled = e.isThrottlingException();
        return new UnavailableException((throttled ? "AWS throttled " : "AWS failed ") + action + " after retries ("
                + code + ", HTTP " + e.statusCode() + "): " + detail(message), e, throttled);
    }

    private static String detail(String message) {
        if (message == null) {
            return "no detail";
        }
        String flat = AgentException.oneLine(message);
        return flat.length() <= MAX_DETAIL ? flat : flat.substring(0, MAX_DETAIL) + "...";
    }
}
