package io.cohort.head.store;

import io.cohort.head.job.Attempt;
import io.cohort.head.job.Job;
import io.cohort.head.job.JobState;
import io.cohort.head.job.Progress;
import io.cohort.head.job.RankBlock;
import io.cohort.head.job.Webhook;
import io.cohort.head.testing.Specs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JobStoreTest
{
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    @TempDir
    Path data;

    @Test
    void submittedJobSurvivesReopening()
    {
        final long id;
        try (JobStore store = JobStore.open(data))
        {
            id = store.submit("alice", Specs.simple(2), T0).id();
        }
        try (JobStore store = JobStore.open(data))
        {
            final Job job = store.job(id).orElseThrow();
            assertEquals("alice", job.owner());
            assertEquals(Specs.simple(2), job.spec());
            assertInstanceOf(JobState.Pending.class, job.state());
        }
    }

    @Test
    void aTokensDefaultWebhooksSurviveReopeningWithTheirSecrets()
    {
        final Webhook hook = new Webhook("https://ci.example.org/hook", List.of("job.state"), "a-secret-of-16-chars");
        try (JobStore store = JobStore.open(data))
        {
            store.insertToken(new TokenRecord("0123456789abcdef", "ci", "alice", "user", "00", T0, null,
                List.of(hook)));
            store.insertToken(new TokenRecord("fedcba9876543210", "plain", "bob", "user", "00", T0, null, List.of()));
        }
        try (JobStore store = JobStore.open(data))
        {
            final List<TokenRecord> tokens = store.tokens();
            assertEquals(List.of(hook), tokens.get(0).webhooks());
            assertEquals(List.of(), tokens.get(1).webhooks());
        }
    }

    @Test
    void stateChangesAndNewAttemptsOfAPassAreCommittedTogetherWithEventsInTheirOrder()
    {
        final long done;
        final long next;
        try (JobStore store = JobStore.open(data))
        {
            done = store.submit("alice", Specs.simple(1), T0).id();
            next = store.submit("alice", Specs.simple(1), T0).id();
            store.startAttempt(done, 1, List.of(new RankBlock("n1", 0, 1)), T0);
            store.commit(List.of(
                new JobStore.Transition(done, new JobState.Running(1), T0.plusSeconds(1), null, false),
                new JobStore.Transition(done, new JobState.Completed(), T0.plusSeconds(2),
                    new JobStore.AttemptEnd(1, Attempt.Status.SUCCEEDED, 0, null), false)),
                List.of(new JobStore.AttemptStart(next, 1, List.of(new RankBlock("n1", 0, 1)))), T0.plusSeconds(3));
        }
        try (JobStore store = JobStore.open(data))
        {
            assertInstanceOf(JobState.Completed.class, store.job(done).orElseThrow().state());
            assertEquals(Attempt.Status.SUCCEEDED, store.attempts(done).get(0).status());
            assertInstanceOf(JobState.Starting.class, store.job(next).orElseThrow().state());
            final List<String> kinds = store.events(0, null, 100).stream()
                .map(event -> event.jobId() + " " + event.kind() + " " + event.state()).toList();
            assertEquals(List.of(done + " job.submitted PENDING", next + " job.submitted PENDING",
                done + " attempt.started STARTING", done + " job.state RUNNING", done + " attempt.ended SUCCEEDED",
                done + " job.state COMPLETED", next + " attempt.started STARTING"), kinds);
        }
    }

    @Test
    void progressOfTheCurrentAttemptIsKeptWithTheJobAndLoggedAsAnEvent()
    {
        final long id;
        final Progress report = new Progress(3, 10, "step 3", T0.plusSeconds(5));
        try (JobStore store = JobStore.open(data))
        {
            id = store.submit("alice", Specs.simple(1), T0).id();
            store.startAttempt(id, 1, List.of(new RankBlock("n1", 0, 1)), T0);
            assertTrue(store.progress(id, 1, report));
        }
        try (JobStore store = JobStore.open(data))
        {
            assertEquals(report, store.job(id).orElseThrow().progress());
            final Event event = store.events(0, id, 100).getLast();
            assertEquals("job.progress", event.kind());
            assertEquals(report, event.progress());
            assertEquals("step 3", event.detail());
        }
    }

    @Test
    void progressOfAnEarlierAttemptIsDroppedAndANewAttemptStartsWithNone()
    {
        try (JobStore store = JobStore.open(data))
        {
            final long id = store.submit("alice", Specs.simple(1), T0).id();
            store.startAttempt(id, 1, List.of(new RankBlock("n1", 0, 1)), T0);
            store.progress(id, 1, new Progress(5, 10, null, T0));
            store.startAttempt(id, 2, List.of(new RankBlock("n1", 0, 1)), T0.plusSeconds(1));
            assertEquals(null, store.job(id).orElseThrow().progress());
            assertEquals(false, store.progress(id, 1, new Progress(6, 10, null, T0.plusSeconds(2))));
            assertEquals(null, store.job(id).orElseThrow().progress());
            assertEquals(0, store.events(0, id, 100).stream().filter(e -> e.progress() != null
                && e.progress().done() == 6).count());
        }
    }

    @Test
    void aFailedCommitOfAPassStoresNoneOfIt()
    {
        try (JobStore store = JobStore.open(data))
        {
            final long id = store.submit("alice", Specs.simple(1), T0).id();
            assertThrows(StoreException.class, () -> store.commit(List.of(
                new JobStore.Transition(id, new JobState.Cancelled("by alice"), T0, null, false),
                new JobStore.Transition(id + 1000, new JobState.Cancelled("by alice"), T0, null, false)),
                List.of(), T0));
            assertInstanceOf(JobState.Pending.class, store.job(id).orElseThrow().state());
            assertEquals(1, store.events(0, null, 100).size());
        }
    }

    @Test
    void concurrentSubmissionsEachGetTheirOwnDurableJob() throws Exception
    {
        final java.util.Set<Long> ids = java.util.concurrent.ConcurrentHashMap.newKeySet();
        try (JobStore store = JobStore.open(data))
        {
            final List<Thread> threads = new java.util.ArrayList<>();
            for (int t = 0; t < 8; t++)
            {
                final String owner = "user" + t;
                threads.add(Thread.ofPlatform().start(() ->
                {
                    for (int i = 0; i < 50; i++)
                    {
                        final Job job = store.submit(owner, Specs.simple(1), T0);
                        assertEquals(owner, job.owner());
                        ids.add(job.id());
                    }
                }));
            }
            for (final Thread thread : threads)
            {
                thread.join();
            }
        }
        assertEquals(400, ids.size());
        try (JobStore store = JobStore.open(data))
        {
            for (final long id : ids)
            {
                assertTrue(store.job(id).isPresent(), "job " + id);
            }
            assertEquals(400, store.events(0, null, 1000).size());
        }
    }

    @Test
    void secondHeadNodeOnTheSameDataDirectoryIsRefused()
    {
        try (JobStore first = JobStore.open(data))
        {
            final StoreException ex = assertThrows(StoreException.class, () -> JobStore.open(data));
            assertTrue(ex.getMessage().contains("another head node"), ex.getMessage());
            assertTrue(first.live().isEmpty());
        }
    }

    @Test
    void everyChangeAppendsAnEventWithAHigherSequenceNumber()
    {
        try (JobStore store = JobStore.open(data))
        {
            final long id = store.submit("alice", Specs.simple(1), T0).id();
            store.startAttempt(id, 1, List.of(new RankBlock("n1", 0, 1)), T0);
            store.transition(id, new JobState.Running(1), T0, null, false);
            store.transition(id, new JobState.Completed(), T0,
                new JobStore.AttemptEnd(1, Attempt.Status.SUCCEEDED, 0, null), false);
            final List<Event> events = store.events(0, id, 100);
            assertEquals(List.of("job.submitted", "attempt.started", "job.state", "attempt.ended", "job.state"),
                events.stream().map(Event::kind).toList());
            for (int i = 1; i < events.size(); i++)
            {
                assertTrue(events.get(i).seq() > events.get(i - 1).seq());
            }
            assertEquals(List.of(events.get(4)), store.events(events.get(3).seq(), id, 100));
        }
    }

    @Test
    void attemptEndIsStoredWithTheJobsNewState()
    {
        try (JobStore store = JobStore.open(data))
        {
            final long id = store.submit("alice", Specs.simple(2), T0).id();
            store.startAttempt(id, 1, List.of(new RankBlock("n1", 0, 2)), T0);
            store.transition(id, new JobState.Failed(3, "rank 1 exited with 3"), T0.plusSeconds(5),
                new JobStore.AttemptEnd(1, Attempt.Status.FAILED, 3, "rank 1 exited with 3"), false);
            final Attempt attempt = store.attempts(id).get(0);
            assertEquals(Attempt.Status.FAILED, attempt.status());
            assertEquals(3, attempt.exitCode());
            assertEquals(List.of(new RankBlock("n1", 0, 2)), attempt.placement());
            final Job job = store.job(id).orElseThrow();
            assertEquals(new JobState.Failed(3, "rank 1 exited with 3"), job.state());
            assertEquals(T0.plusSeconds(5), job.endedAt());
        }
    }

    @Test
    void listsJobsByStateAndOwnerInPages()
    {
        try (JobStore store = JobStore.open(data))
        {
            for (int i = 0; i < 5; i++)
            {
                store.submit(i % 2 == 0 ? "alice" : "bob", Specs.simple(1), T0);
            }
            final List<Job> first = store.jobs(new JobQuery(Set.of("PENDING"), "alice", null, 0, 2));
            assertEquals(2, first.size());
            final List<Job> second = store.jobs(new JobQuery(Set.of(), "alice", null, first.get(1).id(), 2));
            assertEquals(1, second.size());
            assertTrue(store.jobs(new JobQuery(Set.of("RUNNING"), null, null, 0, 10)).isEmpty());
        }
    }

    @Test
    void drainedFlagOutlivesARejoin()
    {
        try (JobStore store = JobStore.open(data))
        {
            store.saveNode(new NodeRecord("n1", false, 4, 4, 1L << 30, List.of("shm", "tcp"), null, T0), T0);
            store.setDrained("n1", true, T0);
            store.saveNode(new NodeRecord("n1", false, 8, 8, 1L << 30, List.of("tcp"), null, T0), T0);
            final NodeRecord node = store.nodes().get(0);
            assertTrue(node.drained());
            assertEquals(8, node.slots());
            assertEquals(List.of("tcp"), node.transports());
        }
    }
}
