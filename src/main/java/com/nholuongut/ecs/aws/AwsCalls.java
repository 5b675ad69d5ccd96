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

    private AwsCalls() {
    }

    /** Runs {@code call}, which performs {@code action} (e.g. {@code ec2:DescribeInstances}). */
    public static <T> T call(String action, Supplier<T> call) {
        try {
            return call.get();
        } catch (AwsServiceException e) {
            throw translate(action, e);
        } catch (SdkException e) {
            throw new UnavailableException("cannot reach AWS for " + action + ": " + detail(e.getMessage()), e);
        }
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
            return new AccessDeniedException(action, code, "AWS denied " + action + " (" + code + "): " + detail(message)
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
