package io.cohort.mpi.engine;

import io.cohort.mpi.CohortException;

import java.util.Map;

/**
 * Tunables of the point-to-point engine, read from the environment so they can be set per job with
 * {@code cohort run -x NAME=VALUE}. Defaults were measured on 2-core virtual machines (see the README).
 *
 * @param eagerLimit    largest message sent eagerly; larger ones use rendezvous (COHORT_EAGER_LIMIT)
 * @param spins         busy polls before a waiting rank starts yielding (COHORT_WAIT_SPINS)
 * @param yields        yields before it starts parking (COHORT_WAIT_YIELDS)
 * @param maxParkMicros the longest single park while waiting (COHORT_WAIT_MAX_PARK_US)
 * @param crossMemoryMin messages from native memory of at least this many bytes are read by the receiver straight
 *                      from the sender's process (cross-memory attach); -1 turns it off (COHORT_CMA_MIN)
 * @param wakingSpinMicros how long a rank whose transports can all wake it (TCP) spins before it blocks in the
 *                      transport (COHORT_WAIT_SPIN_US)
 */
public record EngineConfig(int eagerLimit, int spins, int yields, int maxParkMicros, long crossMemoryMin,
    int wakingSpinMicros)
{
    /** Cross-memory attach is off unless asked for: on the machines measured so far it loses to two copies. */
    public static final long DEFAULT_CROSS_MEMORY_MIN = -1;

    /**
     * Spin before blocking in a transport that wakes the rank: enough to catch a loopback round trip on a quiet host,
     * short enough that a busy host does not deschedule the spinner for a scheduler tick (measured: 4 ms here).
     */
    public static final int DEFAULT_WAKING_SPIN_MICROS = 50;

    /** Default eager limit. */
    public static final int DEFAULT_EAGER_LIMIT = 16 * 1024;

    /**
     * Reads the settings, choosing the waiting policy by whether the host is oversubscribed.
     *
     * @param env            the environment
     * @param oversubscribed whether this host runs more ranks than it has cores
     * @return the settings
     */
    public static EngineConfig fromEnvironment(final Map<String, String> env, final boolean oversubscribed)
    {
        // Spinning is cheapest when every rank has a core; with more ranks than cores a spinning rank steals the
        // core its peer needs, so yield early and let the scheduler run the peer.
        return new EngineConfig(
            intValue(env, "COHORT_EAGER_LIMIT", DEFAULT_EAGER_LIMIT, 0),
            intValue(env, "COHORT_WAIT_SPINS", oversubscribed ? 50 : 2_000, 0),
            intValue(env, "COHORT_WAIT_YIELDS", oversubscribed ? 2_000 : 200, 0),
            intValue(env, "COHORT_WAIT_MAX_PARK_US", oversubscribed ? 200 : 500, 1),
            intValue(env, "COHORT_CMA_MIN", (int) DEFAULT_CROSS_MEMORY_MIN, -1),
            intValue(env, "COHORT_WAIT_SPIN_US", DEFAULT_WAKING_SPIN_MICROS, 0));
    }

    /**
     * Checks the settings against what the transport can carry in one frame.
     *
     * @param maxFrame the transport's largest frame
     */
    public void check(final int maxFrame)
    {
        if (eagerLimit + FrameLayout.EAGER_SYNC_HEADER > maxFrame)
        {
            throw new CohortException("COHORT_EAGER_LIMIT=" + eagerLimit + " does not fit the transport's largest "
                + "frame of " + maxFrame + " bytes; use at most " + (maxFrame - FrameLayout.EAGER_SYNC_HEADER)
                + " or raise COHORT_SHM_RING_BYTES");
        }
    }

    private static int intValue(final Map<String, String> env, final String name, final int fallback, final int min)
    {
        final String text = env.get(name);
        if (text == null)
        {
            return fallback;
        }
        try
        {
            final int value = Integer.parseInt(text.trim());
            if (value < min)
            {
                throw new CohortException(name + "=" + value + " is below the minimum of " + min);
            }
            return value;
        }
        catch (final NumberFormatException ex)
        {
            throw new CohortException(name + "=" + text + " is not a whole number", ex);
        }
    }
}
