package io.cohort.head.service;

import io.cohort.head.job.Attempt;
import io.cohort.head.job.Dependency;
import io.cohort.head.job.Job;
import io.cohort.head.job.JobSpec;
import io.cohort.head.job.JobState;
import io.cohort.head.job.RankBlock;
import io.cohort.head.job.RetryPolicy;
import io.cohort.head.job.SpecException;
import io.cohort.head.node.AgentReport;
import io.cohort.head.node.KillSignal;
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

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HeadNodeTest
{
    @TempDir
    Path data;

    private final TestClock clock = new TestClock();
    private final FakeAgents agents = new FakeAgents();
    private JobStore store;
    private OutputStore output;
    private HeadNode head;
    private PackageStore packages;

    @BeforeEach
    void open() throws Exception
    {
        store = JobStore.open(data);
        packages = new PackageStore(data, clock);
        output = new OutputStore(data);
        head = newHead();
    }

    private HeadNode newHead() throws Exception
    {
        final HeadNode node = new HeadNode(HeadConfig.defaults().withKillGrace(Duration.ofSeconds(10)), store,
            packages, output, agents, clock);
        node.recover();
        return node;
    }

    @AfterEach
    void close() throws Exception
    {
        head.close();
        output.close();
        store.close();
    }

    private final java.util.Set<String> joined = new java.util.TreeSet<>();

    /**
     * Lets time pass with the scheduler ticking and every joined node heartbeating; a node reports the attempts it
     * confirmed starting that are still active, as an agent running them would.
     */
    private void pass(final Duration time)
    {
        Duration left = time;
        while (!left.isZero())
        {
            final Duration step = left.compareTo(Duration.ofSeconds(5)) < 0 ? left : Duration.ofSeconds(5);
            clock.advance(step);
            left = left.minus(step);
            joined.forEach(node -> head.heartbeat(new AgentReport(node, running(node))));
            head.tick();
        }
    }

    private List<AgentReport.Running> running(final String node)
    {
        final List<AgentReport.Running> running = new java.util.ArrayList<>();
        for (final LaunchOrder order : agents.launches())
        {
            final boolean active = head.attempts(order.jobId()).stream().anyMatch(a -> a.number() == order.attempt()
                && a.status() == Attempt.Status.ACTIVE);
            if (order.node().equals(node) && active && started.contains(order.jobId() + "/" + order.attempt()))
            {
                final List<Integer> ranks = new java.util.ArrayList<>();
                order.local().forEach(b -> java.util.stream.IntStream.range(b.firstRank(), b.firstRank() + b.count())
                    .forEach(ranks::add));
                running.add(new AgentReport.Running(order.jobId(), order.attempt(), ranks, Map.of()));
            }
        }
        return running;
    }

    private final java.util.Set<String> started = new java.util.HashSet<>();

    private void confirm(final String node, final long id, final int attempt)
    {
        started.add(id + "/" + attempt);
        head.attemptStarted(node, id, attempt);
    }

    private void join(final String node, final int slots)
    {
        joined.add(node);
        head.nodeJoined(node, new NodeCapacity(slots, slots, 1L << 30, List.of("shm", "tcp")), null,
            new AgentReport(node, List.of()));
    }

    private JobState state(final long id)
    {
        return head.job(id).orElseThrow().state();
    }

    private LaunchOrder onlyLaunch(final long id)
    {
        final List<LaunchOrder> orders = agents.launches(id);
        assertEquals(1, orders.size(), "launches of job " + id + ": " + orders);
        return orders.get(0);
    }

    /** Starts every node's share of the job's latest attempt and exits each rank with the given code. */
    private void runToEnd(final long id, final int exitCode)
    {
        final List<LaunchOrder> orders = agents.launches(id);
        final int attempt = orders.get(orders.size() - 1).attempt();
        for (final LaunchOrder order : orders.stream().filter(o -> o.attempt() == attempt).toList())
        {
            head.attemptStarted(order.node(), id, attempt);
            for (final RankBlock block : order.local())
            {
                for (int rank = block.firstRank(); rank < block.firstRank() + block.count(); rank++)
                {
                    head.rankExited(order.node(), id, attempt, rank, exitCode);
                }
            }
        }
    }

    private Job submit(final JobSpec spec) throws SpecException
    {
        return head.submit("alice", spec);
    }

    @Test
    void queuedJobsSayWhyTheyWaitAsOfTheLastPass() throws Exception
    {
        join("n1", 1);
        final long first = submit(Specs.simple(1)).id();
        final long second = submit(Specs.simple(1)).id();
        final long third = submit(Specs.simple(1)).id();
        assertEquals(null, head.waitingReason(second), "no pass has seen it yet");
        head.tick();
        assertEquals(null, head.waitingReason(first), "it started");
        assertTrue(head.waitingReason(second).startsWith("first in line; slots reserved"));
        assertEquals("waiting for free slots", head.waitingReason(third));
        final long late = submit(Specs.simple(1)).id();
        assertEquals(null, head.waitingReason(late), "submitted after the pass");
        head.tick();
        assertEquals("waiting for free slots", head.waitingReason(late));
        head.hold(late, "alice");
        assertEquals(null, head.waitingReason(late), "held, not queued");
    }

    @Test
    void jobRunsOnJoinedNodesAndCompletesWhenEveryRankExitsZero() throws Exception
    {
        join("n1", 2);
        join("n2", 2);
        final long id = submit(Specs.simple(4)).id();
        head.tick();
        assertInstanceOf(JobState.Starting.class, state(id));
        assertEquals(2, agents.launches(id).size());
        runToEnd(id, 0);
        assertInstanceOf(JobState.Completed.class, state(id));
        assertEquals(Attempt.Status.SUCCEEDED, head.attempts(id).get(0).status());
    }

    @Test
    void jobIsRunningOnlyOnceEveryNodeConfirmedItsShare() throws Exception
    {
        join("n1", 1);
        join("n2", 1);
        final long id = submit(Specs.simple(2)).id();
        head.tick();
        head.attemptStarted("n1", id, 1);
        assertInstanceOf(JobState.Starting.class, state(id));
        head.attemptStarted("n2", id, 1);
        assertEquals(new JobState.Running(1), state(id));
    }

    @Test
    void failingRankStopsTheRestOfTheGangAndFailsTheJob() throws Exception
    {
        join("n1", 1);
        join("n2", 1);
        final long id = submit(Specs.simple(2)).id();
        head.tick();
        head.attemptStarted("n1", id, 1);
        head.attemptStarted("n2", id, 1);
        head.rankExited("n1", id, 1, 0, 3);
        assertEquals(List.of(new FakeAgents.Kill("n2", id, 1, KillSignal.TERM)), agents.kills());
        assertInstanceOf(JobState.Running.class, state(id));
        head.rankExited("n2", id, 1, 1, 143);
        assertEquals(new JobState.Failed(3, "rank 0 on n1 exited with 3"), state(id));
    }

    @Test
    void retriedExitCodeWaitsForItsBackoffThenDeadLettersWithEveryReasonKept() throws Exception
    {
        join("n1", 1);
        final long id = submit(Specs.spec(1, 0, null, new RetryPolicy(2, Set.of(75), Duration.ofSeconds(30), true),
            List.of())).id();
        head.tick();
        runToEnd(id, 75);
        assertInstanceOf(JobState.Pending.class, state(id));
        head.tick();
        assertEquals(1, agents.launches(id).size(), "no new attempt during the backoff");
        pass(Duration.ofSeconds(29));
        assertEquals(1, agents.launches(id).size(), "no new attempt during the backoff");
        pass(Duration.ofSeconds(1));
        assertEquals(2, agents.launches(id).get(1).attempt());
        runToEnd(id, 75);
        assertInstanceOf(JobState.DeadLetter.class, state(id));
        final List<Attempt> attempts = head.attempts(id);
        assertEquals(List.of(Attempt.Status.FAILED, Attempt.Status.FAILED),
            attempts.stream().map(Attempt::status).toList());
        assertTrue(attempts.stream().allMatch(a -> a.reason().contains("exited with 75")));
    }

    @Test
    void exitCodeOutsideTheRetriedSetFailsAtOnce() throws Exception
    {
        join("n1", 1);
        final long id = submit(Specs.spec(1, 0, null, new RetryPolicy(3, Set.of(75), Duration.ZERO, true),
            List.of())).id();
        head.tick();
        runToEnd(id, 1);
        assertInstanceOf(JobState.Failed.class, state(id));
    }

    @Test
    void lostNodeRequeuesTheWholeGangAsANewAttemptOnlyAfterTheRestIsGoneAndTheFenceHasPassed() throws Exception
    {
        join("n1", 1);
        join("n2", 1);
        join("n3", 1);
        final long id = submit(Specs.simple(2)).id();
        head.tick();
        final List<LaunchOrder> first = agents.launches(id);
        final String lost = first.get(0).node();
        final String survivor = first.get(1).node();
        head.attemptStarted(lost, id, 1);
        head.attemptStarted(survivor, id, 1);
        head.nodeLost(lost, "connection reset");
        assertTrue(agents.kills().contains(new FakeAgents.Kill(survivor, id, 1, KillSignal.TERM)));
        head.tick();
        assertEquals(2, agents.launches(id).size(), "no second attempt while the first still runs on " + survivor);
        head.rankExited(survivor, id, 1, first.get(1).local().get(0).firstRank(), 143);
        assertInstanceOf(JobState.Pending.class, state(id));
        joined.remove(lost);
        pass(HeadConfig.defaults().nodeLossFence().minusSeconds(1));
        assertEquals(2, agents.launches(id).size(), "no second attempt while " + lost + " may still run ranks");
        pass(Duration.ofSeconds(1));
        final List<LaunchOrder> second = agents.launches(id).stream().filter(o -> o.attempt() == 2).toList();
        assertEquals(2, second.size());
        assertTrue(second.stream().noneMatch(o -> o.node().equals(lost)), "nothing lands on the lost node");
        assertEquals(Attempt.Status.NODE_LOST, head.attempts(id).get(0).status());
    }

    @Test
    void lostNodeFailsTheJobWhenItsPolicySaysFail() throws Exception
    {
        join("n1", 1);
        final long id = submit(Specs.spec(1, 0, null, new RetryPolicy(1, Set.of(), Duration.ZERO, false),
            List.of())).id();
        head.tick();
        head.nodeLost("n1", "connection reset");
        assertInstanceOf(JobState.Failed.class, state(id));
    }

    @Test
    void silentNodeGoesDownAfterTheHeartbeatTimeoutAndItsJobIsRequeued() throws Exception
    {
        join("n1", 1);
        final long id = submit(Specs.simple(1)).id();
        head.tick();
        clock.advance(HeadConfig.defaults().heartbeatTimeout().plusSeconds(1));
        head.tick();
        assertEquals(new JobState.Pending(clock.instant().plus(HeadConfig.defaults().nodeLossFence()),
            "attempt 1 requeued: node n1 lost: no heartbeat for 15 s"), state(id));
    }

    @Test
    void cancelOfARunningJobSendsTermThenKillAfterTheGrace() throws Exception
    {
        join("n1", 1);
        final long id = submit(Specs.simple(1)).id();
        head.tick();
        head.attemptStarted("n1", id, 1);
        head.cancel(id, "alice");
        assertEquals(List.of(new FakeAgents.Kill("n1", id, 1, KillSignal.TERM)), agents.kills());
        clock.advance(Duration.ofSeconds(9));
        head.tick();
        assertEquals(1, agents.kills().size());
        clock.advance(Duration.ofSeconds(1));
        head.tick();
        assertEquals(new FakeAgents.Kill("n1", id, 1, KillSignal.KILL), agents.kills().get(1));
        head.rankExited("n1", id, 1, 0, 137);
        assertEquals(new JobState.Cancelled("cancelled by alice"), state(id));
    }

    @Test
    void launchANodeHadNoRoomForStartsAgainWithoutUsingARetry() throws Exception
    {
        join("n1", 1);
        final long id = submit(Specs.spec(1, 0, null, RetryPolicy.none(), List.of())).id();
        head.tick();
        head.launchFailed("n1", id, 1, "agent n1 has 0 free slots and the attempt needs 1", true);
        assertInstanceOf(JobState.Pending.class, state(id));
        assertEquals(Attempt.Status.REQUEUED, head.attempts(id).get(0).status());
        pass(Duration.ofSeconds(2));
        assertEquals(2, agents.launches(id).size(), "started again once the pause is over");
        runToEnd(id, 0);
        assertInstanceOf(JobState.Completed.class, state(id));
    }

    @Test
    void launchThatFailsOnItsOwnUsesTheRetryPolicy() throws Exception
    {
        join("n1", 1);
        final long id = submit(Specs.spec(1, 0, null, RetryPolicy.none(), List.of())).id();
        head.tick();
        head.launchFailed("n1", id, 1, "no such file: solver", false);
        assertInstanceOf(JobState.Failed.class, state(id));
    }

    @Test
    void cancelOfAPendingJobIsImmediate() throws Exception
    {
        final long id = submitWithoutNodes();
        head.cancel(id, "bob");
        assertEquals(new JobState.Cancelled("cancelled by bob"), state(id));
        final RequestException again = assertThrows(RequestException.class, () -> head.cancel(id, "bob"));
        assertEquals(RequestException.Kind.CONFLICT, again.kind());
    }

    private long submitWithoutNodes() throws Exception
    {
        join("n1", 1);
        head.setDrained("n1", true);
        return submit(Specs.simple(1)).id();
    }

    @Test
    void timeLimitStopsTheAttemptAndTimesTheJobOut() throws Exception
    {
        join("n1", 1);
        final long id = submit(Specs.spec(1, 0, Duration.ofSeconds(60), RetryPolicy.none(), List.of())).id();
        head.tick();
        confirm("n1", id, 1);
        pass(Duration.ofSeconds(59));
        assertTrue(agents.kills().isEmpty());
        pass(Duration.ofSeconds(1));
        assertEquals(List.of(new FakeAgents.Kill("n1", id, 1, KillSignal.TERM)), agents.kills());
        head.rankExited("n1", id, 1, 0, 143);
        assertInstanceOf(JobState.TimedOut.class, state(id));
    }

    @Test
    void heldJobDoesNotStartUntilReleased() throws Exception
    {
        join("n1", 1);
        final long id = submit(Specs.simple(1)).id();
        head.hold(id, "alice");
        head.tick();
        assertTrue(agents.launches(id).isEmpty());
        head.release(id, "alice");
        head.tick();
        assertEquals(1, agents.launches(id).size());
    }

    @Test
    void requeueOfACompletedJobRunsItAgainAsANewAttempt() throws Exception
    {
        join("n1", 1);
        final long id = submit(Specs.simple(1)).id();
        head.tick();
        runToEnd(id, 0);
        head.requeue(id, "alice");
        head.tick();
        assertEquals(2, agents.launches(id).get(1).attempt());
    }

    private String upload(final String content) throws Exception
    {
        final java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (java.util.zip.ZipOutputStream zip = new java.util.zip.ZipOutputStream(bytes))
        {
            zip.putNextEntry(new java.util.zip.ZipEntry("run.sh"));
            zip.write(content.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            zip.closeEntry();
        }
        return packages.put(new java.io.ByteArrayInputStream(bytes.toByteArray()), 1 << 20);
    }

    /** Submits a one-rank job that names the package, runs it to a successful end and commits that. */
    private long runPackagedJobToCompletion(final String pkg) throws Exception
    {
        join("n1", 1);
        final long id = submit(Specs.withPackage(pkg)).id();
        head.tick();
        runToEnd(id, 0);
        head.tick();
        return id;
    }

    @Test
    void packageOfAJobEndedLongerAgoThanTheRetentionIsRemovedAndRequeueSaysToUploadItAgain() throws Exception
    {
        final String pkg = upload("echo old");
        final long id = runPackagedJobToCompletion(pkg);
        clock.advance(HeadConfig.DEFAULT_PACKAGE_RETENTION.minusMinutes(1));
        assertEquals(List.of(), head.collectUnusedPackages(), "ended within the retention: it may be requeued");
        clock.advance(Duration.ofMinutes(2));
        assertEquals(List.of(pkg), head.collectUnusedPackages().stream().map(PackageStore.Removed::hash).toList());
        assertTrue(packages.path(pkg).isEmpty());
        final RequestException refused = assertThrows(RequestException.class, () -> head.requeue(id, "alice"));
        assertEquals(RequestException.Kind.CONFLICT, refused.kind());
        assertTrue(refused.getMessage().contains("needs package " + pkg + ", which was removed after 7 day(s) unused; "
            + "upload the same jar or zip again"), refused.getMessage());
        assertInstanceOf(JobState.Completed.class, state(id), "nothing changed");
    }

    @Test
    void reuploadingARemovedPackageLetsItsJobBeRequeued() throws Exception
    {
        final String pkg = upload("echo again");
        final long id = runPackagedJobToCompletion(pkg);
        clock.advance(HeadConfig.DEFAULT_PACKAGE_RETENTION.plusMinutes(1));
        assertEquals(1, head.collectUnusedPackages().size());
        assertEquals(pkg, upload("echo again"), "the same content has the same name");
        join("n1", 1);
        head.requeue(id, "alice");
        head.tick();
        assertEquals(2, agents.launches(id).get(1).attempt());
        assertEquals(packages.path(pkg), java.util.Optional.ofNullable(agents.launches(id).get(1).packageFile()));
    }

    @Test
    void packageOfAWaitingJobIsKeptHoweverLongItWaits() throws Exception
    {
        join("n1", 1);
        final String pkg = upload("echo waiting");
        final long id = submit(Specs.withPackage(pkg)).id();
        head.hold(id, "alice");
        clock.advance(HeadConfig.DEFAULT_PACKAGE_RETENTION.multipliedBy(3));
        assertEquals(List.of(), head.collectUnusedPackages());
        assertTrue(packages.path(pkg).isPresent());
    }

    @Test
    void packageUploadedButNotYetSubmittedIsKeptForTheRetentionThenRemoved() throws Exception
    {
        join("n1", 1);
        final String pkg = upload("echo later");
        clock.advance(HeadConfig.DEFAULT_PACKAGE_RETENTION.minusMinutes(1));
        assertEquals(List.of(), head.collectUnusedPackages());
        final long id = submit(Specs.withPackage(pkg)).id();
        head.hold(id, "alice");
        head.cancel(id, "alice");
        clock.advance(HeadConfig.DEFAULT_PACKAGE_RETENTION.minusMinutes(1));
        assertEquals(List.of(), head.collectUnusedPackages(), "the submission counted as a use");
        clock.advance(Duration.ofMinutes(2));
        assertEquals(List.of(pkg), head.collectUnusedPackages().stream().map(PackageStore.Removed::hash).toList());
    }

    @Test
    void requeueOfARunningJobStopsItAndStartsANewAttempt() throws Exception
    {
        join("n1", 1);
        final long id = submit(Specs.simple(1)).id();
        head.tick();
        head.attemptStarted("n1", id, 1);
        head.requeue(id, "alice");
        head.rankExited("n1", id, 1, 0, 143);
        head.tick();
        assertEquals(Attempt.Status.REQUEUED, head.attempts(id).get(0).status());
        assertEquals(2, agents.launches(id).get(1).attempt());
    }

    @Test
    void afterSuccessDependencyWaitsForTheOtherJobToComplete() throws Exception
    {
        join("n1", 2);
        final long first = submit(Specs.simple(1)).id();
        final long second = submit(Specs.spec(1, 0, null, RetryPolicy.none(),
            List.of(new Dependency(Dependency.Kind.AFTER_SUCCESS, first)))).id();
        head.tick();
        assertTrue(agents.launches(second).isEmpty());
        runToEnd(first, 0);
        head.tick();
        assertEquals(1, agents.launches(second).size());
    }

    @Test
    void afterSuccessDependencyOnAFailedJobCancelsTheDependent() throws Exception
    {
        join("n1", 2);
        final long first = submit(Specs.simple(1)).id();
        final long second = submit(Specs.spec(1, 0, null, RetryPolicy.none(),
            List.of(new Dependency(Dependency.Kind.AFTER_SUCCESS, first)))).id();
        head.tick();
        runToEnd(first, 1);
        head.tick();
        assertInstanceOf(JobState.Cancelled.class, state(second));
        assertTrue(state(second).reason().contains("job " + first + " ended FAILED"), state(second).reason());
    }

    @Test
    void afterAnyDependencyStartsWhateverTheOtherJobsEnd() throws Exception
    {
        join("n1", 2);
        final long first = submit(Specs.simple(1)).id();
        final long second = submit(Specs.spec(1, 0, null, RetryPolicy.none(),
            List.of(new Dependency(Dependency.Kind.AFTER_ANY, first)))).id();
        head.tick();
        runToEnd(first, 1);
        head.tick();
        assertEquals(1, agents.launches(second).size());
    }

    @Test
    void drainedNodeGetsNoNewWork() throws Exception
    {
        join("n1", 1);
        join("n2", 1);
        head.setDrained("n1", true);
        final long a = submit(Specs.simple(1)).id();
        final long b = submit(Specs.simple(1)).id();
        head.tick();
        assertEquals("n2", onlyLaunch(a).node());
        assertTrue(agents.launches(b).isEmpty());
    }

    @Test
    void submissionNeedingMoreRanksThanTheClusterHasIsRefusedNamingTheField() throws Exception
    {
        join("n1", 4);
        final SpecException ex = assertThrows(SpecException.class, () -> submit(Specs.simple(5)));
        assertEquals("ranks", ex.field());
        assertTrue(ex.getMessage().contains("4 slots on 1 nodes"), ex.getMessage());
        assertTrue(head.jobs(new io.cohort.head.store.JobQuery(Set.of(), null, null, 0, 10)).isEmpty());
    }

    @Test
    void submissionWithAnUnknownPackageIsRefused() throws Exception
    {
        join("n1", 1);
        final JobSpec spec = Specs.simple(1);
        final JobSpec withPackage = new JobSpec(spec.name(), 1, spec.layout(), spec.program(), spec.args(),
            spec.env(), spec.jvmOptions(), null, 0, spec.retry(), List.of(), "ab".repeat(32), false, List.of());
        assertEquals("package", assertThrows(SpecException.class, () -> submit(withPackage)).field());
    }

    @Test
    void submissionDependingOnAMissingJobIsRefused() throws Exception
    {
        join("n1", 1);
        final JobSpec spec = Specs.spec(1, 0, null, RetryPolicy.none(),
            List.of(new Dependency(Dependency.Kind.AFTER_ANY, 999)));
        assertEquals("dependencies", assertThrows(SpecException.class, () -> submit(spec)).field());
    }

    @Test
    void rankOutputIsStoredPerAttempt() throws Exception
    {
        join("n1", 1);
        final long id = submit(Specs.simple(1)).id();
        head.tick();
        head.output(id, 1, 0, "hello\n".getBytes(StandardCharsets.UTF_8));
        assertEquals("hello\n", new String(head.output(id, 1, 0, 0, 100).data(), StandardCharsets.UTF_8));
    }

    @Test
    void afterARestartARunningJobWhoseNodeStillRunsItIsNotRestarted() throws Exception
    {
        join("n1", 2);
        final long id = submit(Specs.simple(2)).id();
        head.tick();
        head.attemptStarted("n1", id, 1);
        head.rankExited("n1", id, 1, 1, 0);
        restart();
        assertEquals(new JobState.Running(1), state(id));
        head.nodeJoined("n1", new NodeCapacity(2, 2, 1L << 30, List.of("tcp")), null, new AgentReport("n1",
            List.of(new AgentReport.Running(id, 1, List.of(0), Map.of(1, 0)))));
        clock.advance(HeadConfig.defaults().reconcileGrace().plusSeconds(1));
        head.heartbeat(new AgentReport("n1", List.of(new AgentReport.Running(id, 1, List.of(0), Map.of()))));
        head.tick();
        assertEquals(1, agents.launches(id).size(), "not launched again");
        assertEquals(new JobState.Running(1), state(id));
        head.rankExited("n1", id, 1, 0, 0);
        assertInstanceOf(JobState.Completed.class, state(id));
    }

    @Test
    void attemptWhoseEndTheHeadDidNotCommitBeforeARestartCompletesFromTheNodesReportAndDoesNotRunAgain()
        throws Exception
    {
        join("n1", 1);
        final long id = submit(Specs.simple(1)).id();
        head.tick();
        head.attemptStarted("n1", id, 1);
        // The rank's exit reached the old head node only in a heartbeat it never committed; the agent reports it again.
        restart();
        head.nodeJoined("n1", new NodeCapacity(1, 1, 1L << 30, List.of("tcp")), null, new AgentReport("n1",
            List.of(new AgentReport.Running(id, 1, List.of(), Map.of(0, 0)))));
        head.tick();
        assertInstanceOf(JobState.Completed.class, state(id));
        assertEquals(1, agents.launches(id).size(), "not launched again");
        clock.advance(HeadConfig.defaults().reconcileGrace().plusSeconds(1));
        head.heartbeat(new AgentReport("n1", List.of(new AgentReport.Running(id, 1, List.of(), Map.of(0, 0)))));
        head.tick();
        assertInstanceOf(JobState.Completed.class, state(id));
        assertTrue(agents.kills().isEmpty(), "nothing to kill: " + agents.kills());
    }

    @Test
    void cancelAcknowledgedBeforeARestartStopsTheRanksTheNodeStillRunsAndTheJobEndsCancelled() throws Exception
    {
        join("n1", 1);
        final long id = submit(Specs.simple(1)).id();
        head.tick();
        head.attemptStarted("n1", id, 1);
        head.cancel(id, "alice");
        restart();
        final int before = agents.kills().size();
        head.nodeJoined("n1", new NodeCapacity(1, 1, 1L << 30, List.of("tcp")), null, new AgentReport("n1",
            List.of(new AgentReport.Running(id, 1, List.of(0), Map.of()))));
        assertEquals(new FakeAgents.Kill("n1", id, 1, KillSignal.TERM), agents.kills().get(before),
            "SIGTERM again after the restart");
        clock.advance(Duration.ofSeconds(10));
        head.tick();
        assertEquals(new FakeAgents.Kill("n1", id, 1, KillSignal.KILL), agents.kills().get(agents.kills().size() - 1),
            "SIGKILL after the grace");
        head.rankExited("n1", id, 1, 0, 143);
        assertEquals(new JobState.Cancelled("cancelled by alice"), state(id));
        assertEquals(Attempt.Status.CANCELLED, head.attempts(id).get(0).status());
    }

    @Test
    void requeueAcknowledgedBeforeARestartEndsTheAttemptAsRequeuedNotFailed() throws Exception
    {
        join("n1", 1);
        final long id = submit(Specs.simple(1)).id();
        head.tick();
        head.attemptStarted("n1", id, 1);
        head.requeue(id, "alice");
        restart();
        head.nodeJoined("n1", new NodeCapacity(1, 1, 1L << 30, List.of("tcp")), null, new AgentReport("n1",
            List.of(new AgentReport.Running(id, 1, List.of(), Map.of(0, 143)))));
        assertEquals(Attempt.Status.REQUEUED, head.attempts(id).get(0).status());
        assertInstanceOf(JobState.Pending.class, state(id));
    }

    @Test
    void afterARestartAnAttemptNoNodeReportsIsRequeuedOnceTheGraceEnds() throws Exception
    {
        join("n1", 1);
        final long id = submit(Specs.simple(1)).id();
        head.tick();
        head.attemptStarted("n1", id, 1);
        restart();
        head.tick();
        assertEquals(new JobState.Running(1), state(id));
        clock.advance(HeadConfig.defaults().reconcileGrace());
        head.tick();
        assertInstanceOf(JobState.Pending.class, state(id));
        assertEquals(Attempt.Status.NODE_LOST, head.attempts(id).get(0).status());
    }

    @Test
    void attemptANodeRunsButTheHeadDoesNotIsKilledThere() throws Exception
    {
        join("n1", 1);
        final long id = submit(Specs.simple(1)).id();
        head.tick();
        head.nodeLost("n1", "connection reset");
        head.heartbeat(new AgentReport("n1", List.of(new AgentReport.Running(id, 1, List.of(0), Map.of()))));
        assertTrue(agents.kills().contains(new FakeAgents.Kill("n1", id, 1, KillSignal.KILL)));
    }

    @Test
    void launchThatNoNodeConfirmsFailsAfterTheStartTimeout() throws Exception
    {
        join("n1", 1);
        final long id = submit(Specs.simple(1)).id();
        head.tick();
        pass(HeadConfig.defaults().startTimeout());
        final JobState state = state(id);
        assertInstanceOf(JobState.Failed.class, state);
        assertTrue(state.reason().contains("did not start the ranks"), state.reason());
        assertEquals(List.of(new FakeAgents.Kill("n1", id, 1, KillSignal.KILL)), agents.kills());
    }

    @Test
    void startedAttemptMissingFromItsNodesHeartbeatIsCountedLost() throws Exception
    {
        join("n1", 1);
        final long id = submit(Specs.simple(1)).id();
        head.tick();
        head.attemptStarted("n1", id, 1);
        head.heartbeat(new AgentReport("n1", List.of(new AgentReport.Running(id, 1, List.of(0), Map.of()))));
        assertEquals(new JobState.Running(1), state(id));
        head.heartbeat(new AgentReport("n1", List.of()));
        assertInstanceOf(JobState.Pending.class, state(id));
        assertEquals(Attempt.Status.NODE_LOST, head.attempts(id).get(0).status());
    }

    @Test
    void launchNotYetConfirmedIsNotLostByAHeartbeatThatPredatesIt() throws Exception
    {
        join("n1", 1);
        final long id = submit(Specs.simple(1)).id();
        head.tick();
        head.heartbeat(new AgentReport("n1", List.of()));
        assertInstanceOf(JobState.Starting.class, state(id));
    }

    @Test
    void cancelledJobWhoseNodeNeverStartedItEndsAtTheStartTimeout() throws Exception
    {
        join("n1", 1);
        final long id = submit(Specs.simple(1)).id();
        head.tick();
        head.cancel(id, "alice");
        pass(HeadConfig.defaults().startTimeout());
        assertEquals(new JobState.Cancelled("cancelled by alice"), state(id));
    }

    @Test
    void rankExitBeforeTheStartConfirmationStillCompletesTheJob() throws Exception
    {
        join("n1", 1);
        final long id = submit(Specs.simple(1)).id();
        head.tick();
        head.rankExited("n1", id, 1, 0, 0);
        assertInstanceOf(JobState.Completed.class, state(id));
    }

    @Test
    void higherPriorityJobStartsFirst() throws Exception
    {
        join("n1", 1);
        head.setDrained("n1", true);
        final long low = submit(Specs.spec(1, 0, null, RetryPolicy.none(), List.of())).id();
        final long high = submit(Specs.spec(1, 5, null, RetryPolicy.none(), List.of())).id();
        head.setDrained("n1", false);
        head.tick();
        assertEquals(1, agents.launches(high).size());
        assertTrue(agents.launches(low).isEmpty());
    }

    private void restart() throws Exception
    {
        head.close();
        output.close();
        store.close();
        store = JobStore.open(data);
        output = new OutputStore(data);
        head = newHead();
    }
}
