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
 * @param sharedMemorySpins busy polls before a rank waiting for a flag of a shared-memory collective starts
 *                      yielding (COHORT_SHM_WAIT_SPINS)
 */
public record EngineConfig(int eagerLimit, int spins, int yields, int maxParkMicros, long crossMemoryMin,
    int wakingSpinMicros, int sharedMemorySpins)
{
    /** Shared-memory collective waits with a core per rank: about 50 us of polling catches a peer that runs. */
    public static final int DEFAULT_SHARED_MEMORY_SPINS = 100;

    /**
     * Shared-memory collective waits with more ranks than cores: the awaited rank is often not running, and spinning
     * only delays the yield that lets it run (4 ranks on 2 cores: a 64-byte allreduce 4.0 us with 10, 6.3-8.0 us with
     * 50; a barrier 3.2 us against 7.6-7.9 us).
     */
    public static final int OVERSUBSCRIBED_SHARED_MEMORY_SPINS = 10;

    /**
     * The settings without a separate shared-memory wait: it spins as point-to-point waits do, at most
     * {@link #DEFAULT_SHARED_MEMORY_SPINS}.
     *
     * @param eagerLimit       largest eager message
     * @param spins            busy polls before yielding
     * @param yields           yields before parking
     * @param maxParkMicros    longest park
     * @param crossMemoryMin   cross-memory attach threshold, -1 off
     * @param wakingSpinMicros spin before blocking in a waking transport
     */
    public EngineConfig(final int eagerLimit, final int spins, final int yields, final int maxParkMicros,
        final long crossMemoryMin, final int wakingSpinMicros)
    {
        this(eagerLimit, spins, yields, maxParkMicros, crossMemoryMin, wakingSpinMicros,
            Math.min(spins, DEFAULT_SHARED_MEMORY_SPINS));
    }

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
            intValue(env, "COHORT_WAIT_SPIN_US", DEFAULT_WAKING_SPIN_MICROS, 0),
            intValue(env, "COHORT_SHM_WAIT_SPINS", oversubscribed ? OVERSUBSCRIBED_SHARED_MEMORY_SPINS
                : DEFAULT_SHARED_MEMORY_SPINS, 0));
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
