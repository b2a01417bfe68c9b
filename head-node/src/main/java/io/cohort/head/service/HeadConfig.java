package io.cohort.head.service;

import io.cohort.head.schedule.SchedulingPolicy;
import io.cohort.head.store.PackageStore;

import java.time.Duration;

/**
 * The head node's tunables.
 *
 * <pre>{@code
 * HeadConfig config = HeadConfig.defaults().withKillGrace(Duration.ofSeconds(5));
 * }</pre>
 *
 * @param heartbeatTimeout     silence after which a node is DOWN and its ranks are counted lost
 * @param killGrace            time between SIGTERM and SIGKILL when stopping an attempt
 * @param reconcileGrace       after a restart, how long nodes have to report the attempts they still run before
 *                             those attempts are counted lost
 * @param tickInterval         how often the scheduler runs when nothing wakes it
 * @param scheduling           aging
 * @param maxPackageBytes      the largest package upload
 * @param maxNodeLossRequeues  how often one job is requeued after losing a node before it is dead-lettered
 * @param startTimeout         how long a node may take to confirm it started its ranks (staging the package
 *                             included) before the launch counts as failed
 * @param webhooks             how webhooks are delivered (attempts, backoff, time-out, concurrency)
 * @param nodeLossFence        how long after an attempt lost a node its job waits before it may start again: a
 *                             node cut off from the head node may still run its ranks until its agent gives up on
 *                             the head node (15 s without it, after up to 5 s to notice) and stops them (up to
 *                             5 s), so starting sooner could run the job twice at once
 * @param packageRetention     how long an uploaded package no job may still need is kept after its last use (its
 *                             upload, or a job that named it ending), or null to keep packages forever
 * @param publicMetrics        whether {@code /metrics} is served without a token
 */
public record HeadConfig(Duration heartbeatTimeout, Duration killGrace, Duration reconcileGrace,
    Duration tickInterval, SchedulingPolicy scheduling, long maxPackageBytes, int maxNodeLossRequeues,
    Duration startTimeout, WebhookSettings webhooks, Duration nodeLossFence, Duration packageRetention,
    boolean publicMetrics)
{
    /** The retention of unused packages unless configured otherwise: 7 days. */
    public static final Duration DEFAULT_PACKAGE_RETENTION = Duration.ofDays(7);

    /** The shortest package retention: a package must outlive the gap between its upload and its submission. */
    public static final Duration MIN_PACKAGE_RETENTION = Duration.ofMinutes(10);

    /**
     * Checks the values that have limits.
     *
     * @throws IllegalArgumentException if the package retention is shorter than {@link #MIN_PACKAGE_RETENTION}
     */
    public HeadConfig
    {
        if (packageRetention != null && packageRetention.compareTo(MIN_PACKAGE_RETENTION) < 0)
        {
            throw new IllegalArgumentException("package retention " + packageRetention.toSeconds() + " s is shorter "
                + "than the least, " + MIN_PACKAGE_RETENTION.toMinutes() + " minutes (a package must outlive the gap "
                + "between its upload and the submission that names it)");
        }
    }

    /**
     * Heartbeat timeout 15 s, kill grace 10 s, reconcile grace 30 s, tick 250 ms, default aging, 256 MiB packages,
     * 5 node-loss requeues, 5 minutes to start, {@link WebhookSettings#defaults()}, a 25 s fence after node loss,
     * unused packages kept 7 days, {@code /metrics} only with a token.
     *
     * @return the defaults
     */
    public static HeadConfig defaults()
    {
        return new HeadConfig(Duration.ofSeconds(15), Duration.ofSeconds(10), Duration.ofSeconds(30),
            Duration.ofMillis(250), SchedulingPolicy.defaults(), PackageStore.DEFAULT_MAX_BYTES, 5,
            Duration.ofMinutes(5), WebhookSettings.defaults(), Duration.ofSeconds(25), DEFAULT_PACKAGE_RETENTION,
            false);
    }

    /**
     * The same with another kill grace.
     *
     * @param grace time between SIGTERM and SIGKILL
     * @return the new configuration
     */
    public HeadConfig withKillGrace(final Duration grace)
    {
        return new HeadConfig(heartbeatTimeout, grace, reconcileGrace, tickInterval, scheduling, maxPackageBytes,
            maxNodeLossRequeues, startTimeout, webhooks, nodeLossFence, packageRetention, publicMetrics);
    }

    /**
     * The same with other webhook settings.
     *
     * @param settings the webhook settings
     * @return the new configuration
     */
    public HeadConfig withWebhooks(final WebhookSettings settings)
    {
        return new HeadConfig(heartbeatTimeout, killGrace, reconcileGrace, tickInterval, scheduling, maxPackageBytes,
            maxNodeLossRequeues, startTimeout, settings, nodeLossFence, packageRetention, publicMetrics);
    }

    /**
     * The same with another package size limit.
     *
     * @param bytes the largest upload
     * @return the new configuration
     */
    public HeadConfig withMaxPackageBytes(final long bytes)
    {
        return new HeadConfig(heartbeatTimeout, killGrace, reconcileGrace, tickInterval, scheduling, bytes,
            maxNodeLossRequeues, startTimeout, webhooks, nodeLossFence, packageRetention, publicMetrics);
    }

    /**
     * The same with another retention of unused packages.
     *
     * @param retention how long an unused package is kept, or null for ever
     * @return the new configuration
     * @throws IllegalArgumentException if it is shorter than {@link #MIN_PACKAGE_RETENTION}
     */
    public HeadConfig withPackageRetention(final Duration retention)
    {
        return new HeadConfig(heartbeatTimeout, killGrace, reconcileGrace, tickInterval, scheduling, maxPackageBytes,
            maxNodeLossRequeues, startTimeout, webhooks, nodeLossFence, retention, publicMetrics);
    }

    /**
     * The same with {@code /metrics} served with or without a token.
     *
     * @param open true to serve it to anyone who can reach the API port
     * @return the new configuration
     */
    public HeadConfig withPublicMetrics(final boolean open)
    {
        return new HeadConfig(heartbeatTimeout, killGrace, reconcileGrace, tickInterval, scheduling, maxPackageBytes,
            maxNodeLossRequeues, startTimeout, webhooks, nodeLossFence, packageRetention, open);
    }
}
