package com.nholuongut.ecs.discovery;

/** Which group kinds discovery may use ({@code DISCOVERY}): the tag, then the Auto Scaling Group, or one of them. */
public enum DiscoveryMode { AUTO, TAG, ASG }
