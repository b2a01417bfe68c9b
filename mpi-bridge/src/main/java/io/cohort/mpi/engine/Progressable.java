package io.cohort.mpi.engine;

/**
 * Something the progress engine advances on every {@link ProgressEngine#progress()}, besides frames: a nonblocking
 * collective's schedule, so it moves on while its rank waits in any call (MPI's progress rule).
 */
public interface Progressable
{
    /**
     * Advances as far as possible without waiting.
     *
     * @return true once finished; the engine then forgets it
     */
    boolean advance();
}
