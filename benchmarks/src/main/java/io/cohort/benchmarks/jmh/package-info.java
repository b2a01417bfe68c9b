/** JMH micro-benchmarks of Cohort's hot paths, ranks as threads of one JVM over real shared memory. */
package io.cohort.benchmarks.jmh;
