package io.cohort.head.store;

import java.time.Instant;

/**
 * One event to be POSTed to one webhook, and how that went so far. Kept durably: a PENDING delivery survives a
 * restart of the head node and is tried again.
 *
 * @param id         the delivery's id (also the {@code Cohort-Delivery} header), e.g. {@code dlv_3f9c...}
 * @param jobId      the job whose event it carries
 * @param hook       the hook's index in the job's {@code webhooks}
 * @param eventSeq   the event's sequence number
 * @param kind       the event's kind
 * @param url        where it goes
 * @param status     PENDING, DELIVERED or FAILED
 * @param attempts   POSTs made so far
 * @param lastStatus the HTTP status of the last answer, or null (no answer: see lastError)
 * @param lastError  why the last attempt failed (HTTP status, time-out, connection refused), or null
 * @param createdAt  when the event was taken up
 * @param updatedAt  when the last attempt ended
 * @param nextAt     when the next attempt is due (PENDING only)
 */
public record Delivery(String id, long jobId, int hook, long eventSeq, String kind, String url, Status status,
    int attempts, Integer lastStatus, String lastError, Instant createdAt, Instant updatedAt, Instant nextAt)
{
    /** Where a delivery is. */
    public enum Status
    {
        /** Not delivered yet; tried again at nextAt. */
        PENDING,
        /** A 2xx answer came back. */
        DELIVERED,
        /** Every attempt failed; lastError says how the last one did. */
        FAILED
    }
}
