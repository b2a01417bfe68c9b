/**
 * Wire-up: how the ranks of a job find each other. The launcher hosts a {@link io.cohort.wireup.WireUpServer}
 * (a PMI-like key-value exchange); each rank reads its {@link io.cohort.wireup.JobEnvironment}, connects with a
 * {@link io.cohort.wireup.WireUpClient}, publishes its transport addresses and fences.
 */
package io.cohort.wireup;
