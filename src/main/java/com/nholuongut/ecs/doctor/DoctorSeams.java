package com.nholuongut.ecs.doctor;

import com.nholuongut.ecs.aws.AwsClients;
import com.nholuongut.ecs.aws.InstanceIdentity;
import com.nholuongut.ecs.discovery.Ec2Discovery;
import com.nholuongut.ecs.launch.Tools;

/** What the checks run on: the same identity, AWS clients, discovery and tools as the daemon's. */
public interface DoctorSeams {

    /** Our identity, from the flags or IMDSv2; throws the agent's typed errors. */
    InstanceIdentity identity();

    /** Whether the identity comes from {@code --instance-id} (IMDS is then not asked). */
    boolean identityFromFlags();

    /** AWS clients for the region; the caller closes them. */
    AwsClients awsClients(String region);

    /** EC2 discovery over those clients, as the daemon's (not closing them). */
    Ec2Discovery ec2Discovery(AwsClients clients);

    Tools tools();

    PortProbe probe();
}
