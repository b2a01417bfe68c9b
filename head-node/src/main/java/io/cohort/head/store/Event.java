package io.cohort.head.store;

import io.cohort.head.job.Progress;

import java.time.Instant;

/**
 * One change recorded in the event log. Sequence numbers increase in commit order, so a reader that remembers the
 * last one it saw misses nothing (issue 6 streams these).
 *
 * @param seq    the sequence number
 * @param at     when it happened
 * @param jobId  the job concerned, or null
 * @param node   the node concerned, or null
 * @param kind   what happened: {@code job.submitted}, {@code job.state}, {@code attempt.started},
 *               {@code attempt.ended}, {@code node.joined}, {@code node.state}, {@code job.progress}
 * @param state  the new state's name, or null
 * @param detail a reason or summary for people (a progress event's message), or null
 * @param progress the progress reported, on {@code job.progress} events only, else null
 */
public record Event(long seq, Instant at, Long jobId, String node, String kind, String state, String detail,
    Progress progress)
{
}
