package io.cohort.mpi;

import io.cohort.transport.AddressExchange;
import io.cohort.wireup.JobEnvironment;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs a job whose ranks are threads of the test's JVM, each with its own Cohort handle over real shared memory:
 * fast to start, yet the same engine and transport as separate processes.
 */
final class ThreadedJob
{
    private static final AtomicInteger JOBS = new AtomicInteger();

    /** What one rank does. */
    @FunctionalInterface
    interface RankBody
    {
        void run(Cohort cohort) throws Exception;
    }

    private ThreadedJob()
    {
    }

    /** Runs {@code size} ranks and rethrows the first failure (with the rank that raised it). */
    static void run(final int size, final RankBody body)
    {
        run(size, Map.of(), body);
    }

    static void run(final int size, final Map<String, String> env, final RankBody body)
    {
        final String jobId = "t" + ProcessHandle.current().pid() + "x" + JOBS.incrementAndGet();
        final Map<String, String> values = new ConcurrentHashMap<>();
        final CyclicBarrier fence = new CyclicBarrier(size);
        final List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        final List<Thread> threads = new ArrayList<>();
        for (int rank = 0; rank < size; rank++)
        {
            final int r = rank;
            final AddressExchange exchange = new AddressExchange()
            {
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
                        fence.await(30, TimeUnit.SECONDS);
                    }
                    catch (final InterruptedException | BrokenBarrierException | TimeoutException ex)
                    {
                        throw new IllegalStateException("rank " + r + " fence failed", ex);
                    }
                }
            };
            threads.add(Thread.ofPlatform().name("rank-" + r).start(() ->
            {
                try (Cohort cohort = Cohort.join(new JobEnvironment(jobId, r, size, null, null), exchange, env))
                {
                    body.run(cohort);
                }
                catch (final Exception | AssertionError ex)
                {
                    failures.add(new AssertionError("rank " + r + " failed: " + ex, ex));
                    fence.reset();
                }
            }));
        }
        for (final Thread thread : threads)
        {
            try
            {
                thread.join(TimeUnit.MINUTES.toMillis(2));
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", ex);
            }
            if (thread.isAlive())
            {
                throw new AssertionError(thread.getName() + " did not finish within 2 minutes");
            }
        }
        if (!failures.isEmpty())
        {
            final Throwable first = failures.get(0);
            throw first instanceof AssertionError a ? a : new AssertionError(first);
        }
    }
}
