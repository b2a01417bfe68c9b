/**
 * OSU-style command-line benchmarks: {@code cohort bench latency} and {@code cohort bench bandwidth}, with the
 * semantics and output format of osu_latency and osu_bw.
 */
package io.cohort.benchmarks.osu;
