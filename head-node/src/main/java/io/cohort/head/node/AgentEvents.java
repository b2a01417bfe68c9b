package io.cohort.head.node;

/**
 * What the head node hears from the agents: the callbacks the agent link calls, from any thread. Every callback is
 * idempotent (a repeated exit or start is ignored), and news about an attempt the head node no longer runs is answered
 * by a kill, so nothing runs twice. A callback may wait for the head node's lock and a database commit (about a
 * millisecond): call it from a worker or virtual thread, not from a network event loop, and deliver one agent's
 * callbacks in the order the agent sent them.
 *
 * <pre>{@code
 * events.nodeJoined("n1", new NodeCapacity(8, 8, 32L << 30, List.of("shm", "tcp")), "10.0.0.5:7078", report);
 * events.rankExited("n1", 42, 1, 0, 0);
 * }</pre>
 */
public interface AgentEvents
{
    /**
     * A node joined (or rejoined after a restart of either side).
     *
     * @param node     its name
     * @param capacity what it offers
     * @param address  where its agent listens, for people, or null
     * @param report   what it runs now
     */
    void nodeJoined(String node, NodeCapacity capacity, String address, AgentReport report);

    /**
     * A node's periodic sign of life.
     *
     * @param report what it runs now
     */
    void heartbeat(AgentReport report);

    /**
     * A node started its share of an attempt.
     *
     * @param node    the node
     * @param jobId   the job
     * @param attempt the attempt
     */
    void attemptStarted(String node, long jobId, int attempt);

    /**
     * A node could not start its share (package staging failed, program not found, ...; or it had no room).
     *
     * @param node     the node
     * @param jobId    the job
     * @param attempt  the attempt
     * @param reason   what went wrong, for the user
     * @param nodeBusy true if the node could not take the attempt for reasons of its own (no free slots, not
     *                 connected): the job is not at fault, so the attempt does not count against its retries
     */
    void launchFailed(String node, long jobId, int attempt, String reason, boolean nodeBusy);

    /**
     * A rank exited.
     *
     * @param node     the node it ran on
     * @param jobId    the job
     * @param attempt  the attempt
     * @param rank     the rank
     * @param exitCode its exit code (128 + N when killed by signal N)
     */
    void rankExited(String node, long jobId, int attempt, int rank, int exitCode);

    /**
     * Output of a rank (stdout and stderr interleaved as they arrived).
     *
     * @param jobId   the job
     * @param attempt the attempt
     * @param rank    the rank
     * @param chunk   the bytes
     */
    void output(long jobId, int attempt, int rank, byte[] chunk);

    /**
     * Rank 0 of an attempt reported the job's progress ({@code cohort.progress(done, total, message)}). Reports may
     * come several times a second; the head node coalesces them. Must return soon.
     *
     * @param jobId   the job
     * @param attempt the attempt
     * @param done    units done
     * @param total   units in all, 0 when not known
     * @param message a line for people, or null
     */
    void progress(long jobId, int attempt, long done, long total, String message);

    /**
     * The link to a node broke (connection closed or reset): its ranks are counted lost at once.
     *
     * @param node   the node
     * @param reason what happened
     */
    void nodeLost(String node, String reason);
}
