package com.nholuongut.ecs.testing;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.lang.reflect.AnnotatedElement;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.opentest4j.TestAbortedException;

/**
 * Gives a test class its {@link AwsEmulator}, chosen by the system property {@code aws.emulator} (the POM passes
 * it; {@code -Plocalstack} sets it): {@code moto} (the default), a {@code moto_server} started for the class
 * and never skipped (if it cannot start, the class fails); or {@code localstack}, one LocalStack container for
 * the whole run, whose tests are skipped, with one line on stderr saying why, where no Docker engine answers.
 */
public final class Emulators implements BeforeAllCallback, BeforeEachCallback, AfterAllCallback, ParameterResolver {

    /** Turns on IAM enforcement after this many unauthenticated set-up requests (moto only). */
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.TYPE)
    public @interface IamEnforced {
        int initialNoAuthActions();
    }

    /**
     * A test (or class) whose agent calls an API not every emulator has, e.g. Auto Scaling for an instance in
     * no tag group: skipped, saying why, where the emulator lacks it.
     */
    @Retention(RetentionPolicy.RUNTIME)
    @Target({ElementType.TYPE, ElementType.METHOD})
    public @interface Needs {
        AwsEmulator.Feature value();
    }

    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(Emulators.class);

    /** The run's LocalStack, or why there is none; closed when the run ends. */
    private record Shared(LocalStack localStack, String unavailable) implements ExtensionContext.Store.CloseableResource {
        @Override
        public void close() {
            if (localStack != null) {
                localStack.close();
            }
        }
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        IamEnforced iam = context.getRequiredTestClass().getAnnotation(IamEnforced.class);
        String which = System.getProperty("aws.emulator", "moto");
        switch (which) {
            case "moto" -> context.getStore(NS).put("own", Moto.start(iam == null ? -1 : iam.initialNoAuthActions()));
            case "localstack" -> {
                Shared shared = context.getRoot().getStore(NS).getOrComputeIfAbsent(Shared.class, k -> startShared(),
                        Shared.class);
                if (shared.unavailable() != null) {
                    throw new TestAbortedException(shared.unavailable());
                }
                if (iam != null && !shared.localStack().supports(AwsEmulator.Feature.IAM_ENFORCEMENT)) {
                    throw new TestAbortedException("IAM enforcement is not available on " + shared.localStack().name());
                }
                context.getStore(NS).put("shared", shared.localStack());
            }
            default -> throw new IllegalArgumentException("aws.emulator must be moto or localstack, not '" + which + "'");
        }
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        AwsEmulator emulator = (AwsEmulator) resolve(context);
        for (AnnotatedElement where : new AnnotatedElement[] {context.getRequiredTestMethod(),
            context.getRequiredTestClass()}) {
            Needs needs = where.getAnnotation(Needs.class);
            if (emulator != null && needs != null && !emulator.supports(needs.value())) {
                throw new TestAbortedException(needs.value() + " is not available on " + emulator.name());
            }
        }
    }

    private static Shared startShared() {
        try {
            return new Shared(LocalStack.start(), null);
        } catch (TestAbortedException e) {
            System.err.println("[aws.emulator=localstack] " + e.getMessage());
            return new Shared(null, e.getMessage());
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        AwsEmulator own = context.getStore(NS).remove("own", AwsEmulator.class);
        if (own != null) {
            own.close();
        }
        context.getStore(NS).remove("shared");
    }

    @Override
    public boolean supportsParameter(ParameterContext p, ExtensionContext e) {
        return p.getParameter().getType() == AwsEmulator.class;
    }

    @Override
    public Object resolveParameter(ParameterContext p, ExtensionContext e) {
        return resolve(e);
    }

    private static Object resolve(ExtensionContext e) {
        AwsEmulator own = e.getStore(NS).get("own", AwsEmulator.class);
        return own != null ? own : e.getStore(NS).get("shared", AwsEmulator.class);
    }
}
