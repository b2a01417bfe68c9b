package io.cohort.mpi;

import io.cohort.transport.InMemoryExchange;
import io.cohort.wireup.JobEnvironment;

import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A job whose ranks are threads of this JVM, each with its own {@link Cohort} over real shared memory (as MPJ
 * Express's multicore mode): for tests, JMH benchmarks and programs that embed a small job.
 * <pre>{@code
 * Cohort[] ranks = InProcessJob.start(2, Map.of());
 * // hand ranks[i] to thread i; each thread uses only its own handle, then closes it
 * }</pre>
 * Close every handle when its thread is done, also when it fails (try-with-resources): ranks of one process cannot
 * tell that a peer thread has died, only that its handle was closed, so a thread that vanishes with its handle open
 * leaves peers that wait on it waiting.
 */
public final class InProcessJob
{
    private static final AtomicInteger JOBS = new AtomicInteger();

    private InProcessJob()
    {
    }

    /**
     * Starts every rank (wire-up needs them all at once, so each joins on a thread of its own) and returns their
     * handles. A handle may then be used by any one thread at a time.
     *
     * @param size ranks
     * @param env  settings, as the variables Cohort reads from the environment
     * @return one handle per rank, rank i at index i
     * @throws CohortException if a rank cannot join
     */
    public static Cohort[] start(final int size, final Map<String, String> env)
    {
        final String jobId = "p" + ProcessHandle.current().pid() + "j" + JOBS.incrementAndGet();
        final InMemoryExchange exchange = new InMemoryExchange(size);
        final Cohort[] ranks = new Cohort[size];
        final RuntimeException[] failures = new RuntimeException[size];
        final Thread[] threads = new Thread[size];
        for (int rank = 0; rank < size; rank++)
        {
            final int r = rank;
            threads[rank] = Thread.ofPlatform().name("cohort-join-" + r).start(() ->
            {
                try
                {
                    ranks[r] = Cohort.join(new JobEnvironment(jobId, r, size, null, null), exchange, env);
                }
                catch (final RuntimeException ex)
                {
                    failures[r] = ex;
                    exchange.breakFence();
                }
            });
        }
        for (final Thread thread : threads)
        {
            try
            {
                thread.join();
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                throw new CohortException("interrupted while the ranks of an in-process job joined", ex);
            }
        }
        for (int rank = 0; rank < size; rank++)
        {
            if (failures[rank] != null)
            {
                for (final Cohort joined : ranks)
                {
                    if (joined != null)
                    {
                        joined.close();
                    }
                }
                throw new CohortException("rank " + rank + " of an in-process job could not join: "
                    + failures[rank].getMessage(), failures[rank]);
            }
        }
        return ranks;
    }
}
