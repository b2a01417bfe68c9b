package io.cohort.head.node;

import io.cohort.head.job.JobSpec;
import io.cohort.head.job.RankBlock;

import java.nio.file.Path;
import java.util.List;

/**
 * One node's share of an attempt: what the head node asks an agent to start. The whole gang's placement comes along,
 * so the agents can wire the ranks up (every rank learns the job size and where rank 0's node is).
 *
 * @param jobId       the job
 * @param attempt     the attempt number (a later attempt of the same job is a different launch)
 * @param node        the node that runs this share
 * @param gang        every rank block of the attempt, on every node, in rank order
 * @param spec        the job's program, arguments, environment and options
 * @param packageFile the job's package on the head node (to stage into the working directory), or null
 */
public record LaunchOrder(long jobId, int attempt, String node, List<RankBlock> gang, JobSpec spec,
    Path packageFile)
{
    /**
     * Copies the gang.
     *
     * @param jobId       job
     * @param attempt     attempt
     * @param node        node
     * @param gang        gang
     * @param spec        spec
     * @param packageFile package or null
     */
    public LaunchOrder
    {
        gang = List.copyOf(gang);
    }

    /**
     * The ranks this node runs.
     *
     * @return this node's blocks
     */
    public List<RankBlock> local()
    {
        return gang.stream().filter(block -> block.node().equals(node)).toList();
    }
}
