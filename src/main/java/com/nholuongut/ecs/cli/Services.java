package com.nholuongut.ecs.cli;

import com.nholuongut.ecs.aws.AwsTimeouts;
import com.nholuongut.ecs.aws.IdentityFlags;
import com.nholuongut.ecs.aws.Lifecycle;
import com.nholuongut.ecs.config.AgentConfig;
import com.nholuongut.ecs.discovery.PeerSource;
import com.nholuongut.ecs.doctor.Check;
import com.nholuongut.ecs.launch.Tools;
import java.util.List;
import java.util.Map;

/** What the commands need from the wiring: the environment, a peer source, the tools, the doctor's checks. */
public interface Services {

    /** The environment the commands read (configuration variables, {@code NOTIFY_SOCKET}). */
    Map<String, String> env();

    /** The static list when {@code PEERS} is set (no AWS call), else discovery through AWS. */
    PeerSource peerSource(IdentityFlags flags, AgentConfig config, AwsTimeouts timeouts);

    /**
     * This instance's lifecycle (target state, Spot notice) from its metadata service; nothing is known with
     * static peers or {@code --instance-id}, where no metadata service is asked.
     */
    Lifecycle lifecycle(IdentityFlags flags, AgentConfig config);

    /** The nholuongut and scope tools. */
    Tools tools(AgentConfig config);

    /** Every preflight check, in order. */
    List<Check> doctor(IdentityFlags flags, AgentConfig config);
}
