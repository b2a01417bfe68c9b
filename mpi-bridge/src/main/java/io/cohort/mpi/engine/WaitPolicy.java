package io.cohort.mpi.engine;

import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;
import java.util.function.LongToIntFunction;

/**
 * How a rank waits when there is nothing to do: spin, then yield, then park for doubling periods (Agrona's
 * back-off idea). Our own class rather than Agrona's {@code BackoffIdleStrategy} because the engine must know
 * when it has reached the park phase: only then does it pay for checking whether peers are still alive.
 *
 * <p>When every transport can wake the rank on arrival (sockets), waiting is different: the spin phase lasts at
 * most {@link EngineConfig#wakingSpinMicros()} (COHORT_WAIT_SPIN_US) and there is no yield phase, because
 * blocking costs only the wake-up, while spinning for milliseconds costs the CPU time a busy host charges back:
 * a rank that has just spun through its share is not scheduled for a tick (4 ms at 250 Hz) after its data
 * arrives, which made rendezvous waits over tcp take 10-30 ms on an oversubscribed host.
 *
 * <p>Not thread-safe.
 */
final class WaitPolicy
{
    /** The longest a rank spins before blocking in a transport that wakes it: about two loopback round trips. */
    private final long wakingSpinNanos;

    private static final long MIN_PARK_NS = 1_000;

    private final LongToIntFunction parker;
    private final boolean wakesOnArrival;
    private final LongSupplier clock;
    private final int maxSpins;
    private final int maxYields;
    private final long maxParkNs;
    private int spins;
    private int yields;
    private long spinDeadline;
    private long parkNs = MIN_PARK_NS;

    WaitPolicy(final EngineConfig config)
    {
        this(config, nanos ->
        {
            LockSupport.parkNanos(nanos);
            return 0;
        }, false, System::nanoTime);
    }

    /**
     * A policy that parks through the given action, e.g. a blocking wait on a socket that wakes at the first byte.
     *
     * @param config         the spin, yield and park limits
     * @param parker         parks the thread for at most the given nanoseconds; answers how much work it did
     *                       (frames delivered while parked), so the policy goes back to spinning after work
     * @param wakesOnArrival true if the parker returns as soon as anything arrives from any peer: then the spin
     *                       phase is bounded by {@link EngineConfig#wakingSpinMicros()} and there are no yields
     * @param clock          nanosecond time, {@link System#nanoTime} but in tests
     */
    WaitPolicy(final EngineConfig config, final LongToIntFunction parker, final boolean wakesOnArrival,
        final LongSupplier clock)
    {
        this.parker = parker;
        this.wakesOnArrival = wakesOnArrival;
        this.clock = clock;
        this.maxSpins = config.spins();
        this.wakingSpinNanos = config.wakingSpinMicros() * 1_000L;
        this.maxYields = wakesOnArrival ? 0 : config.yields();
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
        if (spins < maxSpins && !spunLongEnough())
        {
            // Back off within the spin phase too: a waiter that re-polls a line the sender is writing in a tight
            // loop slows the sender down (the line bounces between cores), so pause longer each time, up to 64.
            // Not over sockets: a poll there is a read system call that touches no line the sender writes, and
            // up to 64 pauses (about a microsecond) would only delay seeing the reply.
            final int pauses = wakesOnArrival ? 1 : Math.min(64, 1 << Math.min(6, spins >> 4));
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
        if (parker.applyAsInt(parkNs) > 0)
        {
            // Something arrived and was handled while parked: the peer is active again, so spin first next time.
            reset();
        }
        else
        {
            parkNs = Math.min(parkNs << 1, maxParkNs);
        }
        return true;
    }

    /** For a transport that wakes the rank: whether the spin phase has had its time (read only while spinning). */
    private boolean spunLongEnough()
    {
        if (!wakesOnArrival)
        {
            return false;
        }
        final long now = clock.getAsLong();
        if (spins == 0)
        {
            spinDeadline = now + wakingSpinNanos;
            return false;
        }
        if (now - spinDeadline >= 0)
        {
            // Stay out of the spin phase until the next reset, without reading the clock again.
            spins = maxSpins;
            return true;
        }
        return false;
    }
}
