/**
 * Launching ranks on this machine: {@link io.cohort.node.launch.LocalLauncher} (what {@code cohort run} does),
 * {@link io.cohort.node.launch.RankCommand} (the command line of a rank), and the clean-up of a job's shared memory.
 */
package io.cohort.node.launch;
