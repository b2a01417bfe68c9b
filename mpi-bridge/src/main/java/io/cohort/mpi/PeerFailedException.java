package io.cohort.mpi;

/**
 * A rank this rank was waiting on died or finished, so the operation can never complete. Every waiting call
 * raises it rather than hang.
 */
public final class PeerFailedException extends CohortException
{
    private static final long serialVersionUID = 1L;

    private final int failedRank;

    /**
     * An error naming the rank.
     *
     * @param failedRank the world rank that is gone
     * @param message    what was waiting, and why it cannot complete
     */
    public PeerFailedException(final int failedRank, final String message)
    {
        super(message);
        this.failedRank = failedRank;
    }

    /**
     * The rank that died or finished, in the world communicator.
     *
     * @return the world rank
     */
    public int failedRank()
    {
        return failedRank;
    }
}
