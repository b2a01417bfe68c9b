package io.cohort.mpi.engine;

/**
 * Something a rank waits for that is not an operation: a flag a peer writes in shared memory (the shared-memory
 * collectives). {@link ProgressEngine#awaitCondition} waits for it under the engine's waiting policy and keeps
 * making progress meanwhile, so point-to-point traffic and nonblocking collectives in flight move on.
 *
 * <p>Implementations are long-lived objects (fields say what is awaited), so waiting allocates nothing.
 */
public interface WaitCondition
{
    /**
     * Whether the awaited state has been reached; called often, so it must be cheap.
     *
     * @return true when the wait is over
     */
    boolean met();

    /**
     * The world rank whose action ends the wait, checked for being alive once waiting has gone on a while.
     *
     * @return a world rank
     */
    int awaitedPeer();

    /**
     * What the rank waits for, for the error raised when the awaited peer is gone.
     *
     * @return for example "rank 3 to arrive at the shared-memory barrier"
     */
    String describe();
}
