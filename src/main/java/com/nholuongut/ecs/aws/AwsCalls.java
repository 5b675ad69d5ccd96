package com.nholuongut.ecs.aws;

import com.nholuongut.ecs.AgentException;
import com.nholuongut.ecs.UnavailableException;
import java.util.Set;
import java.util.function.Supplier;
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
    private static final Set<String> THROTTLED = Set.of(
            "RequestLimitExceeded", "Throttling", "ThrottlingException", "ThrottledException",
            "TooManyRequestsException", "RequestThrottled", "RequestThrottledException", "SlowDown");
    private static final int MAX_DETAIL = 300;
    /** How the SDK's default credentials chain begins its failure, and how it names its last provider there. */
    private static final String NO_CREDENTIALS = "Unable to load credentials from any of the providers in the chain";
    private static final String INSTANCE_PROFILE = "InstanceProfileCredentialsProvider(): ";

    private AwsCalls() {
    }

    /** Runs {@code call}, which performs {@code action} (e.g. {@code ec2:DescribeInstances}). */
    public static <T> T call(String action, Supplier<T> call) {
        try {
            return call.get();
        } catch (AwsServiceException e) {
            throw translate(action, e);
        } catch (SdkException e) {
            String message = String.valueOf(e.getMessage());
            if (message.startsWith(NO_CREDENTIALS)) {
                throw new UnavailableException("no AWS credentials for " + action + ": " + noCredentials(message), e);
            }
            throw new UnavailableException("cannot reach AWS for " + action + ": " + detail(message), e);
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
        if (!message.startsWith(NO_CREDENTIALS) || last < 0) {
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
    public static String permission(String action, Supplier<?> call) {
        try {
            call(action, call);
            return "allowed";
        } catch (UnavailableException e) {
            if (e.getCause() instanceof AwsServiceException ase && ase.awsErrorDetails() != null
                    && "DryRunOperation".equals(ase.awsErrorDetails().errorCode())) {
                return "allowed (dry run)";
            }
            throw e;
        }
    }

    private static AgentException translate(String action, AwsServiceException e) {
        String code = e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
        String message = e.awsErrorDetails() == null ? e.getMessage() : e.awsErrorDetails().errorMessage();
        if ((code != null && DENIED.contains(code)) || e.statusCode() == 401 || e.statusCode() == 403) {
            return new AccessDeniedException(code, "AWS denied " + action + " (" + code + "): " + detail(message)
                    + " — allow it in the instance role (see iam/nholuongut-ecs-policy.json)", e);
        }
        boolean throttled = (code != null && THROTTLED.contains(code)) || e.statusCode() == 429;
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
