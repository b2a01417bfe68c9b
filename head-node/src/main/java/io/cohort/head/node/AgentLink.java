package io.cohort.head.node;

/**
 * The head node's side of the boundary to the compute-node agents: the two orders it gives. The implementation over
 * the agent wire protocol lives with the agent; tests use a double that runs nothing. Answers come back through
 * {@link AgentEvents}.
 *
 * <pre>{@code
 * link.launch(order);                          // later: events.attemptStarted(...) or events.launchFailed(...)
 * link.kill("n1", 42, 1, KillSignal.TERM);     // later: events.rankExited(...) for each rank
 * }</pre>
 *
 * Implementations must be thread-safe and must not block for long (queue the message and return): the head node
 * calls them while holding its state lock. A message that cannot be delivered is reported as
 * {@link AgentEvents#nodeLost} or {@link AgentEvents#launchFailed}, never thrown.
 */
public interface AgentLink extends AutoCloseable
{
    /**
     * Asks a node to start its share of an attempt.
     *
     * @param order the node, its ranks and the job
     */
    void launch(LaunchOrder order);

    /**
     * Asks a node to signal every rank of an attempt it runs (ranks already gone are ignored).
     *
     * @param node    the node
     * @param jobId   the job
     * @param attempt the attempt
     * @param signal  TERM or KILL
     */
    void kill(String node, long jobId, int attempt, KillSignal signal);

    /** Stops listening and closes the links to the agents (the agents keep their ranks and rejoin later). */
    @Override
    default void close()
    {
    }
}
