package io.cohort.head.service;

import io.cohort.head.job.Job;
import io.cohort.head.job.RankBlock;
import io.cohort.head.job.RetryPolicy;
import io.cohort.head.node.AgentReport;
import io.cohort.head.node.LaunchOrder;
import io.cohort.head.node.NodeCapacity;
import io.cohort.head.store.JobStore;
import io.cohort.head.store.OutputStore;
import io.cohort.head.store.PackageStore;
import io.cohort.head.testing.FakeAgents;
import io.cohort.head.testing.Specs;
import io.cohort.head.testing.TestClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** {@link HeadNode#queueOrder()}: the line the dashboard shows is the scheduler's own. */
class QueueOrderTest
{
    @TempDir
    Path data;

    private final TestClock clock = new TestClock();
    private final FakeAgents agents = new FakeAgents();
    private JobStore store;
    private OutputStore output;
    private HeadNode head;

    @BeforeEach
    void open() throws Exception
    {
        store = JobStore.open(data);
        output = new OutputStore(data);
        head = new HeadNode(HeadConfig.defaults(), store, new PackageStore(data), output, agents, clock);
        head.recover();
        head.nodeJoined("n1", new NodeCapacity(1, 1, 1L << 30, List.of("shm")), null,
            new AgentReport("n1", List.of()));
    }

    @AfterEach
    void close() throws Exception
    {
        head.close();
        output.close();
        store.close();
    }

    private long submit(final int priority, final RetryPolicy retry) throws Exception
    {
        return head.submit("alice", Specs.spec(1, priority, null, retry, List.of())).id();
    }

    private List<Long> line()
    {
        return head.queueOrder().jobs().stream().map(Job::id).toList();
    }

    /** Runs the job's latest attempt to its end with this exit code. */
    private void exit(final long id, final int code)
    {
        final List<LaunchOrder> orders = agents.launches(id);
        final LaunchOrder order = orders.get(orders.size() - 1);
        head.attemptStarted(order.node(), id, order.attempt());
        for (final RankBlock block : order.local())
        {
            head.rankExited(order.node(), id, order.attempt(), block.firstRank(), code);
        }
        head.tick();
    }

    @Test
    void higherPriorityComesFirstThenEarlierSubmission() throws Exception
    {
        final long running = submit(0, RetryPolicy.none());
        head.tick();
        final long first = submit(0, RetryPolicy.none());
        clock.advance(Duration.ofSeconds(1));
        final long second = submit(0, RetryPolicy.none());
        final long urgent = submit(3, RetryPolicy.none());
        assertEquals(List.of(urgent, first, second), line());
        assertEquals(3, head.queueOrder().inLine());
        assertEquals(1, agents.launches(running).size());
    }

    @Test
    void agingMovesALongWaitingJobAheadAsTheSchedulerWould() throws Exception
    {
        submit(0, RetryPolicy.none());
        head.tick();
        final long old = submit(0, RetryPolicy.none());
        // One point of priority per minute waited (the default aging step): after 3 minutes, 0 + 3 beats 2 + 0.
        clock.advance(Duration.ofMinutes(3));
        final long newer = submit(2, RetryPolicy.none());
        assertEquals(List.of(old, newer), line());
    }

    @Test
    void aJobInRetryBackoffWaitsBehindTheLineWithoutAPlace() throws Exception
    {
        final long retried = submit(5, new RetryPolicy(2, Set.of(75), Duration.ofMinutes(10), true));
        head.tick();
        final long blocker = submit(0, RetryPolicy.none());
        exit(retried, 75);
        // The retried job waits for its backoff, so the blocker started; another job queues behind it.
        assertEquals(1, agents.launches(blocker).size());
        final long queued = submit(0, RetryPolicy.none());
        assertEquals(List.of(queued, retried), line());
        assertEquals(1, head.queueOrder().inLine());
    }
}
