package io.cohort.head.testing;

import io.cohort.head.job.Dependency;
import io.cohort.head.job.JobSpec;
import io.cohort.head.job.Layout;
import io.cohort.head.job.Program;
import io.cohort.head.job.RetryPolicy;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/** Job specs for tests. */
public final class Specs
{
    private Specs()
    {
    }

    /**
     * A job of /bin/true.
     *
     * @param ranks ranks
     * @return the spec
     */
    public static JobSpec simple(final int ranks)
    {
        return spec(ranks, 0, null, RetryPolicy.none(), List.of());
    }

    /**
     * A job with the given scheduling fields.
     *
     * @param ranks     ranks
     * @param priority  priority
     * @param timeLimit time limit or null
     * @param retry     retry policy
     * @param deps      dependencies
     * @return the spec
     */
    public static JobSpec spec(final int ranks, final int priority, final Duration timeLimit, final RetryPolicy retry,
        final List<Dependency> deps)
    {
        return new JobSpec("test", ranks, Layout.packed(), new Program.Executable("/bin/true"), List.of(), Map.of(),
            List.of(), timeLimit, priority, retry, deps, null, false, List.of());
    }

    /**
     * A one-rank job of /bin/true that names an uploaded package.
     *
     * @param packageHash the package's SHA-256
     * @return the spec
     */
    public static JobSpec withPackage(final String packageHash)
    {
        return new JobSpec("test", 1, Layout.packed(), new Program.Executable("/bin/true"), List.of(), Map.of(),
            List.of(), null, 0, RetryPolicy.none(), List.of(), packageHash, false, List.of());
    }
}
