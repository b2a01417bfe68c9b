package io.cohort.head.node;

/** How hard an attempt's ranks are stopped: first TERM, then KILL after the grace period. */
public enum KillSignal
{
    /** SIGTERM: the rank may clean up. */
    TERM,
    /** SIGKILL: gone now. */
    KILL
}
