package io.cohort.mpi;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs a job whose ranks are threads of the test's JVM ({@link InProcessJob}), each running the same body with
 * its own handle: fast to start, yet the same engine and transport as separate processes.
 */
final class ThreadedJob
{
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
        final Cohort[] ranks = InProcessJob.start(size, env);
        final List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
        final List<Thread> threads = new ArrayList<>();
        for (int rank = 0; rank < size; rank++)
        {
            final int r = rank;
            threads.add(Thread.ofPlatform().name("rank-" + r).start(() ->
            {
                try (Cohort cohort = ranks[r])
                {
                    body.run(cohort);
                }
                catch (final Exception | AssertionError ex)
                {
                    failures.add(new AssertionError("rank " + r + " failed: " + ex, ex));
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
