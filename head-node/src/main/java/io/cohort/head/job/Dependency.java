package io.cohort.head.job;

/**
 * A job that must end before this one may start.
 *
 * <pre>{@code
 * new Dependency(Dependency.Kind.AFTER_SUCCESS, 41); // start only once job 41 COMPLETED
 * }</pre>
 *
 * @param kind  what the other job's end must be
 * @param jobId the other job
 */
public record Dependency(Kind kind, long jobId)
{
    /** What counts as the other job being done. */
    public enum Kind
    {
        /** The other job COMPLETED; if it ends any other way, this job can never start and is cancelled. */
        AFTER_SUCCESS,
        /** The other job ended, whichever way. */
        AFTER_ANY
    }
}
