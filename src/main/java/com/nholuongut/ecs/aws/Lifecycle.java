package com.nholuongut.ecs.aws;

import com.nholuongut.ecs.UnavailableException;
import java.util.Optional;
import java.util.Set;

/**
 * What this instance's metadata says of its life (SPEC, "Auto Scaling lifecycle"): Auto Scaling's target
 * lifecycle state and a Spot interruption notice. A metadata service without these paths (404) changes nothing.
 */
public interface Lifecycle extends AutoCloseable {

    /** Off an instance (static peers, {@code --instance-id}): nothing is known. */
    Lifecycle UNKNOWN = new Lifecycle() {
        @Override
        public Optional<String> targetState() {
            return Optional.empty();
        }

        @Override
        public boolean spotTerminating() {
            return false;
        }
    };

    /** The target states of an instance that is being terminated, from service or from the warm pool. */
    Set<String> TERMINATING = Set.of("Terminated", "Warmed:Terminated");

    /**
     * Auto Scaling's target lifecycle state ({@code InService}, {@code Warmed:Running}, {@code Terminated},
     * ...); empty when the instance is in no Auto Scaling group (404).
     *
     * @throws UnavailableException when the metadata service cannot tell
     */
    Optional<String> targetState();

    /** Whether a Spot interruption notice says this instance is to be terminated. */
    boolean spotTerminating();

    /** Releases what reading took (the metadata client); the daemon closes the lifecycle it was given. */
    @Override
    default void close() {
    }

    /** Whether {@code state} is one of the warm pool's ({@code Warmed:Stopped}, {@code Warmed:Running}, ...). */
    static boolean warmed(String state) {
        return state.startsWith("Warmed:");
    }
}
