package io.cohort.node.agent;

import io.cohort.node.protocol.AgentMessage;
import io.cohort.node.protocol.AgentProtocol;
import io.cohort.node.protocol.ClusterSecret;
import io.cohort.node.protocol.Handshake;
import io.cohort.node.protocol.MessageChannel;
import io.cohort.node.protocol.PlainRefusals;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What an agent tells its head node about an attempt that has ended: in one heartbeat (so a busy agent's heartbeats
 * do not list every end of the last minutes), and in every join for two minutes (so a head node that died before
 * committing the end hears it again after its restart). The head node here is the test, speaking the protocol.
 */
class HeadConnectionReportTest
{
    private static final long JOB = 7;

    @TempDir
    private Path dir;

    @Test
    void anEndedAttemptIsInOneHeartbeatAndInTheJoinAfterTheHeadNodeComesBack() throws IOException
    {
        final ClusterSecret secret = ClusterSecret.create(dir.resolve("secret"), true);
        try (ServerSocket head = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            Agent agent = agent(secret);
            HeadConnection connection = new HeadConnection(agent, joinFile(head, secret)))
        {
            try (MessageChannel first = accept(head, secret))
            {
                assertInstanceOf(AgentMessage.Join.class, first.receive());
                first.send(new AgentMessage.StartAttempt(JOB, 1, new AgentMessage.Launch("job7", 1, List.of(0),
                    new AgentMessage.ProgramOrder("executable", "true", List.of()), List.of(), Map.of(), List.of(),
                    "127.0.0.1:1", "token", false, List.of())));
                // Heartbeats list the attempt while it runs; the first after its end lists its exit code.
                AgentMessage.AttemptReport report;
                do
                {
                    report = reportOf(nextHeartbeat(first));
                }
                while (report == null || report.exited().isEmpty());
                assertEquals(Map.of(0, 0), report.exited());
                // The next heartbeats no longer list it.
                for (int beat = 0; beat < 2; beat++)
                {
                    assertEquals(null, reportOf(nextHeartbeat(first)), "heartbeat " + (beat + 2) + " after the end");
                }
            }
            // The head node "died" (the link closed) and is back: the agent joins again, with the end.
            try (MessageChannel second = accept(head, secret))
            {
                final AgentMessage.Join join = assertInstanceOf(AgentMessage.Join.class, second.receive());
                final AgentMessage.AttemptReport report = reportOf(join.attempts());
                assertEquals(Map.of(0, 0), report == null ? null : report.exited(), "the join's reports: "
                    + join.attempts());
                assertFalse(report.liveRanks().contains(0));
            }
        }
    }

    @Test
    void everyReportAfterAnAttemptsStartListsItUntilItsEndIsTold() throws IOException
    {
        // Heartbeats back to back while attempts start and end one after another: a report made before a start but
        // sent after it would omit a started attempt, which the head node would count as lost.
        final ClusterSecret secret = ClusterSecret.create(dir.resolve("secret"), true);
        try (ServerSocket head = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            Agent agent = agent(secret);
            HeadConnection connection = new HeadConnection(agent, joinFile(head, secret), Duration.ofMillis(1));
            MessageChannel link = accept(head, secret))
        {
            assertInstanceOf(AgentMessage.Join.class, link.receive());
            // A report that takes 20 ms to leave, as on a busy agent whose heartbeat thread waits for a core: long
            // enough for an attempt to start and say so meanwhile.
            connection.betweenReportAndSend = () -> pause(20);
            final int attempts = 150;
            int heartbeats = 0;
            // Started and not yet ended, as told by the agent's messages so far (an exit may come before its start).
            final Set<Long> running = new HashSet<>();
            final Set<Long> ended = new HashSet<>();
            for (long job = 1; job <= attempts; job++)
            {
                link.send(new AgentMessage.StartAttempt(job, 1, new AgentMessage.Launch("job" + job, 1, List.of(0),
                    new AgentMessage.ProgramOrder("executable", "true", List.of()), List.of(), Map.of(), List.of(),
                    "127.0.0.1:1", "token", false, List.of())));
                while (!ended.contains(job))
                {
                    switch (link.receive())
                    {
                        case AgentMessage.AttemptStarted started ->
                        {
                            if (!ended.contains(started.jobId()))
                            {
                                running.add(started.jobId());
                            }
                        }
                        case AgentMessage.AttemptExited exited ->
                        {
                            running.remove(exited.jobId());
                            ended.add(exited.jobId());
                        }
                        case AgentMessage.AttemptFailed failed -> throw new AssertionError("job " + job + ": "
                            + failed.reason());
                        case AgentMessage.Heartbeat heartbeat ->
                        {
                            heartbeats++;
                            for (final long told : running)
                            {
                                if (heartbeat.attempts().stream().noneMatch(r -> r.jobId() == told))
                                {
                                    throw new AssertionError("heartbeat " + heartbeats + ", after the start of job "
                                        + told + " and before its end, does not list it: " + heartbeat.attempts());
                                }
                            }
                        }
                        default ->
                        {
                        }
                    }
                }
            }
            assertTrue(heartbeats > attempts / 10, "only " + heartbeats + " heartbeats came during " + attempts
                + " attempts: the race was hardly tried");
        }
    }

    /** An agent of one slot, named a1, that logs nowhere. */
    private Agent agent(final ClusterSecret secret) throws IOException
    {
        return new Agent(new AgentConfig(new InetSocketAddress("127.0.0.1", 0), 1, "a1", secret, dir.resolve("work"),
            Duration.ofSeconds(5)), new PrintStream(OutputStream.nullOutputStream()));
    }

    private JoinFile joinFile(final ServerSocket head, final ClusterSecret secret)
    {
        return new JoinFile(dir.resolve("join.json"), "127.0.0.1", head.getLocalPort(), secret, null);
    }

    private static void pause(final long millis)
    {
        try
        {
            Thread.sleep(millis);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    private static MessageChannel accept(final ServerSocket head, final ClusterSecret secret) throws IOException
    {
        head.setSoTimeout(10_000);
        final MessageChannel channel = new MessageChannel(head.accept(), "the agent",
            AgentProtocol.DEFAULT_SILENCE_LIMIT);
        Handshake.accept(channel, secret, "head", 0, 0, new PlainRefusals());
        return channel;
    }

    /** The next heartbeat, answering it with a ping so the agent does not find the link silent. */
    private static List<AgentMessage.AttemptReport> nextHeartbeat(final MessageChannel channel)
    {
        while (true)
        {
            if (channel.receive() instanceof AgentMessage.Heartbeat heartbeat)
            {
                channel.send(new AgentMessage.Ping());
                return heartbeat.attempts();
            }
        }
    }

    private static AgentMessage.AttemptReport reportOf(final List<AgentMessage.AttemptReport> reports)
    {
        return reports.stream().filter(r -> r.jobId() == JOB && r.attempt() == 1).findFirst().orElse(null);
    }
}
