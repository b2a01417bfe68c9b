/**
 * Moving bytes between ranks. {@link io.cohort.transport.Transport} is the provider interface every provider
 * implements (shm today; tcp and libfabric next); it knows frames and registered memory, nothing of MPI.
 */
package io.cohort.transport;
