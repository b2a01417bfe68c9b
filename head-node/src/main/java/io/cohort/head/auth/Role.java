package io.cohort.head.auth;

/** What a token may do. */
public enum Role
{
    /** Submit jobs and see, cancel, hold, release and requeue its own jobs; list nodes. */
    USER,
    /** Everything: all jobs, node drain and resume, tokens. */
    ADMIN
}
