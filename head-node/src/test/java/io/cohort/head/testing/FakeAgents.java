package io.cohort.head.testing;

import io.cohort.head.node.AgentLink;
import io.cohort.head.node.KillSignal;
import io.cohort.head.node.LaunchOrder;

import java.util.ArrayList;
import java.util.List;

/** An agent link that runs nothing: it records the orders; the test reports starts and exits as it pleases. */
public final class FakeAgents implements AgentLink
{
    /**
     * A recorded kill.
     *
     * @param node    node
     * @param jobId   job
     * @param attempt attempt
     * @param signal  signal
     */
    public record Kill(String node, long jobId, int attempt, KillSignal signal)
    {
    }

    private final List<LaunchOrder> launches = new ArrayList<>();
    private final List<Kill> kills = new ArrayList<>();

    @Override
    public synchronized void launch(final LaunchOrder order)
    {
        launches.add(order);
    }

    @Override
    public synchronized void kill(final String node, final long jobId, final int attempt, final KillSignal signal)
    {
        kills.add(new Kill(node, jobId, attempt, signal));
    }

    /**
     * Launch orders so far.
     *
     * @return a copy
     */
    public synchronized List<LaunchOrder> launches()
    {
        return List.copyOf(launches);
    }

    /**
     * Launch orders of one job.
     *
     * @param jobId the job
     * @return its orders
     */
    public synchronized List<LaunchOrder> launches(final long jobId)
    {
        return launches.stream().filter(order -> order.jobId() == jobId).toList();
    }

    /**
     * Kills so far.
     *
     * @return a copy
     */
    public synchronized List<Kill> kills()
    {
        return List.copyOf(kills);
    }
}
