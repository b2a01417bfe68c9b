package io.cohort.benchmarks.jmh;

import io.cohort.mpi.Cohort;
import io.cohort.transport.AddressExchange;
import io.cohort.wireup.JobEnvironment;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicInteger;

/** Starts a job whose ranks are threads of this JVM over real shared memory, for JMH benchmarks. */
final class ThreadRanks
{
    private static final AtomicInteger JOBS = new AtomicInteger();

    private ThreadRanks()
    {
    }

    static Cohort[] start(final int size, final Map<String, String> env) throws InterruptedException
    {
        final String jobId = "jmh" + ProcessHandle.current().pid() + "x" + JOBS.incrementAndGet();
        final Map<String, String> values = new ConcurrentHashMap<>();
        final CyclicBarrier fence = new CyclicBarrier(size);
        final Cohort[] ranks = new Cohort[size];
        final Thread[] threads = new Thread[size];
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
                        fence.await();
                    }
                    catch (final Exception ex)
                    {
                        throw new IllegalStateException("fence of rank " + r + " failed", ex);
                    }
                }
            };
            threads[rank] = Thread.ofPlatform().start(() ->
                ranks[r] = Cohort.join(new JobEnvironment(jobId, r, size, null, null), exchange, env));
        }
        for (final Thread thread : threads)
        {
            thread.join();
        }
        return ranks;
    }
}
