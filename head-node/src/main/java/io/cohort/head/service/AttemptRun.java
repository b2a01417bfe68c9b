package io.cohort.head.service;

import io.cohort.head.job.RankBlock;

import java.time.Instant;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/** The head node's live view of one attempt whose ranks may still run. Guarded by the HeadNode's lock. */
final class AttemptRun
{
    /** Why an attempt is being stopped, in the order of precedence the head node keeps. */
    enum Ending
    {
        RANK_FAILED,
        LAUNCH_FAILED,
        /** A node had no room for its share: nothing ran, and the job is not at fault. */
        NODE_BUSY,
        NODE_LOST,
        TIMEOUT,
        REQUEUE,
        CANCEL
    }

    final long jobId;
    final int number;
    final List<RankBlock> placement;
    final Instant startedAt;
    final Instant deadline;
    final Set<Integer> live = new TreeSet<>();
    /** Nodes that have not confirmed their share started. */
    final Set<String> notStarted = new LinkedHashSet<>();
    /** After a head restart: nodes that have not yet reported whether they still run this attempt. */
    final Set<String> unconfirmed = new HashSet<>();
    Ending ending;
    String reason;
    Integer exitCode;
    Instant killAt;
    boolean killSent;
    /** After a head restart: a stored cancel or requeue, to be sent again to each node that reports the attempt. */
    boolean stopRestored;

    AttemptRun(final long jobId, final int number, final List<RankBlock> placement, final Instant startedAt,
        final Instant deadline)
    {
        this.jobId = jobId;
        this.number = number;
        this.placement = List.copyOf(placement);
        this.startedAt = startedAt;
        this.deadline = deadline;
        for (final RankBlock block : placement)
        {
            for (int rank = block.firstRank(); rank < block.firstRank() + block.count(); rank++)
            {
                live.add(rank);
            }
            notStarted.add(block.node());
        }
    }

    /**
     * Records why the attempt ends. The first failure wins; a cancel or requeue by a user overrides a failure (the
     * user's intent decides what happens next), and nothing overrides a cancel.
     */
    boolean end(final Ending why, final String because, final Integer code)
    {
        final boolean user = why == Ending.CANCEL || why == Ending.REQUEUE;
        if (ending == null || user && ending != Ending.CANCEL)
        {
            ending = why;
            reason = because;
            exitCode = code;
            return true;
        }
        return false;
    }

    String nodeOf(final int rank)
    {
        for (final RankBlock block : placement)
        {
            if (block.contains(rank))
            {
                return block.node();
            }
        }
        return null;
    }

    boolean runsOn(final String node)
    {
        for (final int rank : live)
        {
            if (node.equals(nodeOf(rank)))
            {
                return true;
            }
        }
        return false;
    }

    Set<String> nodesWithLiveRanks()
    {
        final Set<String> nodes = new LinkedHashSet<>();
        for (final int rank : live)
        {
            nodes.add(nodeOf(rank));
        }
        return nodes;
    }

    void forgetRanksOn(final String node)
    {
        live.removeIf(rank -> node.equals(nodeOf(rank)));
        notStarted.remove(node);
        unconfirmed.remove(node);
    }

    Set<String> nodes()
    {
        final Set<String> nodes = new LinkedHashSet<>();
        placement.forEach(block -> nodes.add(block.node()));
        return nodes;
    }
}
