/**
 * The point-to-point engine behind the public API: {@link io.cohort.mpi.engine.ProgressEngine} (protocols,
 * progress, waiting), {@code Matcher} (where a message meets its receive), {@link io.cohort.mpi.engine.FrameLayout}
 * (the wire format). Internal: job code uses {@link io.cohort.mpi}.
 */
package io.cohort.mpi.engine;
