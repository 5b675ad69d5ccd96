package com.nholuongut.ecs.daemon;

import com.nholuongut.ecs.AgentException;
import com.nholuongut.ecs.discovery.Discovery;
import java.util.Objects;

/** What one discovery gave the daemon: the group, or a failure that says itself whether to retry and how loud. */
public sealed interface Outcome {

    /** AWS (or the static list) answered with the group. */
    record Found(Discovery discovery) implements Outcome {
        public Found {
            Objects.requireNonNull(discovery, "discovery");
        }
    }

    /** Discovery did not complete; {@link AgentException#retryable()} tells whether the daemon goes on. */
    record Failed(AgentException error) implements Outcome {
        public Failed {
            Objects.requireNonNull(error, "error");
        }
    }
}
