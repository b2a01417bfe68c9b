package io.cohort.node.cluster;

import io.cohort.node.protocol.ClusterSecret;

import java.time.Duration;
import java.util.List;

/**
 * Where and how a multi-host job runs, beside what it runs ({@link io.cohort.node.launch.LaunchSpec}).
 *
 * @param hosts          the hosts, in order
 * @param mapBy          how ranks are spread over them
 * @param perNode        ranks per host, or 0 for as many as fit
 * @param secret         the cluster secret
 * @param keepWorkdir    keep the job's working directories on the agents
 * @param reportBindings print which rank runs where, and ask ranks to report their transports
 * @param silenceLimit   how long an agent may stay silent before the job is stopped
 */
public record ClusterSpec(List<HostSlots> hosts, MapBy mapBy, int perNode, ClusterSecret secret,
    boolean keepWorkdir, boolean reportBindings, Duration silenceLimit)
{
    /** Copies the host list. */
    public ClusterSpec
    {
        hosts = List.copyOf(hosts);
    }
}
