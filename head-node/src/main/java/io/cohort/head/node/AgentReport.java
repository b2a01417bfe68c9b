package io.cohort.head.node;

import java.util.List;
import java.util.Map;

/**
 * What an agent says it runs, with every heartbeat and when it (re)joins: the ground truth the head node reconciles
 * its own view with, after its restart or a lost message.
 *
 * <pre>{@code
 * new AgentReport("n1", List.of(new AgentReport.Running(42, 1, List.of(0, 1), Map.of(2, 0))));
 * }</pre>
 *
 * @param node     the reporting node
 * @param attempts the attempts it has ranks of (running, or exited since the head node last acknowledged them)
 */
public record AgentReport(String node, List<Running> attempts)
{
    /**
     * Copies the attempts.
     *
     * @param node     node
     * @param attempts attempts
     */
    public AgentReport
    {
        attempts = List.copyOf(attempts);
    }

    /**
     * The ranks of one attempt on the reporting node.
     *
     * @param jobId     the job
     * @param attempt   the attempt
     * @param liveRanks ranks still running
     * @param exited    ranks that exited, with their exit codes
     */
    public record Running(long jobId, int attempt, List<Integer> liveRanks, Map<Integer, Integer> exited)
    {
        /**
         * Copies the collections.
         *
         * @param jobId     job
         * @param attempt   attempt
         * @param liveRanks live ranks
         * @param exited    exited ranks
         */
        public Running
        {
            liveRanks = List.copyOf(liveRanks);
            exited = Map.copyOf(exited);
        }
    }
}
