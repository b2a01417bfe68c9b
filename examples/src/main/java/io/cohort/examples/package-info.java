/** Parallel programs written against Cohort's API; each checks and prints its own result (OK or FAILED). */
package io.cohort.examples;
