/**
 * The job-facing API: {@link io.cohort.mpi.Cohort} (init and finalize), {@link io.cohort.mpi.Communicator}
 * (point-to-point and barrier), {@link io.cohort.mpi.Request} and {@link io.cohort.mpi.Status}.
 */
package io.cohort.mpi;
