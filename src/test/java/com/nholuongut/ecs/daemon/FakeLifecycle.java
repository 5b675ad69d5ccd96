package com.nholuongut.ecs.daemon;

import com.nholuongut.ecs.UnavailableException;
import com.nholuongut.ecs.aws.Lifecycle;
import java.util.Optional;

/**
 * This instance's metadata as Auto Scaling and Spot set it: a target lifecycle state (none: not in a group,
 * as the metadata service's 404 says) and a Spot interruption notice, both settable; every read is counted.
 */
final class FakeLifecycle implements Lifecycle {

    volatile String target;
    volatile boolean spotTerminating;
    volatile int reads;
    /** The metadata service failing (not a 404): the read throws, as ImdsLifecycle's does. */
    volatile boolean failing;

    @Override
    public Optional<String> targetState() {
        reads++;
        if (failing) {
            throw new UnavailableException("instance metadata /latest/meta-data/autoscaling/target-lifecycle-state"
                    + " answered HTTP 500", null);
        }
        return Optional.ofNullable(target);
    }

    @Override
    public boolean spotTerminating() {
        return spotTerminating;
    }
}
