/**
 * Collective algorithms, each named for its algorithm and source, built on a communicator's private
 * {@link io.cohort.mpi.collective.CollectiveChannel}.
 */
package io.cohort.mpi.collective;
