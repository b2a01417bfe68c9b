package io.cohort.mpi.engine;

import java.util.concurrent.locks.LockSupport;
import java.util.function.LongConsumer;

/**
 * How a rank waits when there is nothing to do: spin, then yield, then park for doubling periods (Agrona's
 * back-off idea). Our own class rather than Agrona's {@code BackoffIdleStrategy} because the engine must know
 * when it has reached the park phase: only then does it pay for checking whether peers are still alive.
 *
 * <p>Not thread-safe.
 */
final class WaitPolicy
{
    private static final long MIN_PARK_NS = 1_000;

    private final LongConsumer parker;
    private final int maxSpins;
    private final int maxYields;
    private final long maxParkNs;
    private int spins;
    private int yields;
    private long parkNs = MIN_PARK_NS;

    WaitPolicy(final EngineConfig config)
    {
        this(config, LockSupport::parkNanos);
    }

    /**
     * A policy that parks through the given action, e.g. a blocking wait on a socket that wakes at the first byte.
     *
     * @param config the spin, yield and park limits
     * @param parker parks the thread for at most the given nanoseconds
     */
    WaitPolicy(final EngineConfig config, final LongConsumer parker)
    {
        this.parker = parker;
        this.maxSpins = config.spins();
        this.maxYields = config.yields();
        this.maxParkNs = config.maxParkMicros() * 1_000L;
    }

    void reset()
    {
        spins = 0;
        yields = 0;
        parkNs = MIN_PARK_NS;
    }

    /**
     * Waits a little.
     *
     * @return true if this call parked, i.e. waiting has gone on for a while
     */
    boolean idle()
    {
        if (spins < maxSpins)
        {
            // Back off within the spin phase too: a waiter that re-polls a line the sender is writing in a tight
            // loop slows the sender down (the line bounces between cores), so pause longer each time, up to 64.
            final int pauses = Math.min(64, 1 << Math.min(6, spins >> 4));
            for (int i = 0; i < pauses; i++)
            {
                Thread.onSpinWait();
            }
            spins++;
            return false;
        }
        if (yields < maxYields)
        {
            yields++;
            Thread.yield();
            return false;
        }
        parker.accept(parkNs);
        parkNs = Math.min(parkNs << 1, maxParkNs);
        return true;
    }
}
