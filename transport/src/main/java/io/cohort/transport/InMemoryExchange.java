package io.cohort.transport;

import java.util.Map;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * An address exchange in this process's memory, for ranks that are threads of one JVM (or a single rank). Its
 * fence is a barrier of {@code parties} threads; with one party it returns at once.
 *
 * <p>Thread-safe.
 */
public final class InMemoryExchange implements AddressExchange
{
    private static final long FENCE_TIMEOUT_SECONDS = 60;

    private final Map<String, String> values = new ConcurrentHashMap<>();
    private final CyclicBarrier fence;

    /**
     * An exchange for a job of {@code parties} ranks.
     *
     * @param parties the number of ranks that must reach each fence
     */
    public InMemoryExchange(final int parties)
    {
        this.fence = new CyclicBarrier(parties);
    }

    @Override
    public void put(final String key, final String value)
    {
        values.put(key, value);
    }

    @Override
    public String get(final String key)
    {
        return values.get(key);
    }

    @Override
    public void fence()
    {
        try
        {
            fence.await(FENCE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new TransportException("interrupted at a fence of the in-process exchange", ex);
        }
        catch (final BrokenBarrierException | TimeoutException ex)
        {
            throw new TransportException("a fence of the in-process exchange failed: another rank failed or did "
                + "not arrive within " + FENCE_TIMEOUT_SECONDS + " s", ex);
        }
    }

    /** Releases every rank waiting at a fence with an error: one of them failed. */
    public void breakFence()
    {
        fence.reset();
    }
}
