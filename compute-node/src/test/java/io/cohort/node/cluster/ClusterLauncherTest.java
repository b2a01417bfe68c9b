package io.cohort.node.cluster;

import io.cohort.node.agent.Agent;
import io.cohort.node.agent.AgentConfig;
import io.cohort.node.jobs.AllPairsJob;
import io.cohort.node.jobs.ExitJob;
import io.cohort.node.launch.LaunchException;
import io.cohort.node.launch.LaunchSpec;
import io.cohort.node.launch.Program;
import io.cohort.node.launch.StartedProcesses;
import io.cohort.node.protocol.AgentMessage;
import io.cohort.node.protocol.AgentProtocol;
import io.cohort.node.protocol.ClusterSecret;
import io.cohort.node.protocol.MessageChannel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Jobs across agents (in this JVM, on loopback), launched as {@code cohort run --hosts} launches them. */
class ClusterLauncherTest
{
    private static final List<String> TEST_JVM = List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
        "-Xshare:auto");

    @TempDir
    private Path dir;
    private ClusterSecret secret;
    private final List<Agent> agents = new ArrayList<>();
    private final Map<String, ByteArrayOutputStream> agentLogs = new ConcurrentHashMap<>();

    /** The output of a finished job, and its exit code. */
    private record Outcome(int code, String out, String err)
    {
    }

    @BeforeEach
    void startAgents() throws IOException
    {
        secret = ClusterSecret.create(dir.resolve("secret"), false);
        agents.add(agent("a1", 2));
        agents.add(agent("a2", 2));
    }

    @AfterEach
    void stopAgents()
    {
        agents.forEach(Agent::close);
    }

    private Agent agent(final String name, final int slots) throws IOException
    {
        return new Agent(new AgentConfig(new InetSocketAddress("127.0.0.1", 0), slots, name, secret,
            dir.resolve("work-" + name), Duration.ofSeconds(5)),
            new PrintStream(agentLogs.computeIfAbsent(name, n -> new ByteArrayOutputStream()), true,
                StandardCharsets.UTF_8));
    }

    private static String testClasses()
    {
        try
        {
            return Path.of(AllPairsJob.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        }
        catch (final URISyntaxException ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    private static LaunchSpec job(final int ranks, final Class<?> main, final String... args)
    {
        return new LaunchSpec(ranks, new Program.MainClass(List.of(testClasses()), main.getName()), List.of(args),
            Map.of(), TEST_JVM, false, Duration.ofMinutes(3));
    }

    private ClusterSpec cluster(final ClusterSecret key)
    {
        final List<HostSlots> hosts = agents.stream()
            .map(a -> new HostSlots("127.0.0.1", a.address().getPort(), 0)).toList();
        return new ClusterSpec(hosts, MapBy.SLOT, 0, key, false, false, Duration.ofSeconds(5));
    }

    private Outcome run(final LaunchSpec spec, final ClusterSpec cluster)
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final int code = new ClusterLauncher(new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8)).run(spec, cluster);
        return new Outcome(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static long filesUnder(final Path root) throws IOException
    {
        if (!Files.exists(root))
        {
            return 0;
        }
        try (Stream<Path> files = Files.walk(root))
        {
            // The agent's own lock file aside: jobs' directories and files only.
            return files.filter(p -> !p.equals(root) && !p.getFileName().toString().equals(".agent.lock")).count();
        }
    }

    private static void awaitFreeSlots(final Agent agent, final int slots) throws InterruptedException
    {
        for (int i = 0; i < 300 && agent.freeSlots() != slots; i++)
        {
            Thread.sleep(50);
        }
        assertEquals(slots, agent.freeSlots(), "free slots of " + agent.config().name());
    }

    @Test
    void jobSpanningTwoAgentsRunsEveryRankAndLeavesNothingBehind() throws IOException
    {
        final Outcome outcome = run(job(4, AllPairsJob.class), cluster(secret));
        assertEquals(0, outcome.code(), outcome.err());
        assertTrue(outcome.out().contains("all-pairs OK on 4 ranks"), outcome.out());
        for (final Agent agent : agents)
        {
            assertEquals(2, agent.freeSlots());
            assertEquals(0, filesUnder(agent.config().workRoot()), "working directories left on "
                + agent.config().name());
        }
    }

    @Test
    void keptWorkingDirectoriesOutliveTheJobWithTheStagedProgramAndTheAgentNamesThem() throws Exception
    {
        final ClusterSpec keeping = new ClusterSpec(cluster(secret).hosts(), MapBy.SLOT, 0, secret, true, false,
            Duration.ofSeconds(5));
        final Outcome outcome = run(job(4, AllPairsJob.class), keeping);
        assertEquals(0, outcome.code(), outcome.err());
        for (final Agent agent : agents)
        {
            awaitFreeSlots(agent, 2);
            final List<Path> kept;
            try (Stream<Path> entries = Files.list(agent.config().workRoot()))
            {
                kept = entries.filter(p -> p.getFileName().toString().startsWith("job-")).toList();
            }
            assertEquals(1, kept.size(), "working directories on " + agent.config().name() + ": " + kept);
            assertTrue(kept.get(0).getFileName().toString().startsWith("job-"), kept.toString());
            assertTrue(filesUnder(kept.get(0)) > 0, "the staged program in " + kept.get(0));
            final String log = agentLogs.get(agent.config().name()).toString(StandardCharsets.UTF_8);
            assertTrue(log.contains("working directory kept at " + kept.get(0)), log);
        }
    }

    @Test
    void jobOnAnAgentReachedOverIpv6RunsEveryRank() throws IOException
    {
        try (Agent six = new Agent(new AgentConfig(new InetSocketAddress("::1", 0), 2, "six", secret,
            dir.resolve("work-six"), Duration.ofSeconds(5)), new PrintStream(new ByteArrayOutputStream())))
        {
            final ClusterSpec cluster = new ClusterSpec(List.of(new HostSlots("::1", six.address().getPort(), 0)),
                MapBy.SLOT, 0, secret, false, false, Duration.ofSeconds(5));
            final Outcome outcome = run(job(2, AllPairsJob.class), cluster);
            assertEquals(0, outcome.code(), outcome.err());
            assertTrue(outcome.out().contains("all-pairs OK on 2 ranks"), outcome.out());
        }
    }

    @Test
    void whatARankStartedEndsWithTheRank() throws Exception
    {
        final LaunchSpec spec = new LaunchSpec(1, new Program.Executable("sh"),
            List.of("-c", "sleep 300 & echo CHILD $!"), Map.of(), List.of(), false, Duration.ofMinutes(1));
        final Outcome outcome = run(spec, cluster(secret));
        assertEquals(0, outcome.code(), outcome.err());
        StartedProcesses.assertGone(StartedProcesses.pidAfter("CHILD ", outcome.out()));
    }

    @Test
    void failingRankOnOneHostStopsTheRanksOnTheOtherAndGivesItsCode()
    {
        final Outcome outcome = run(job(4, ExitJob.class, "3"), cluster(secret));
        assertEquals(3, outcome.code(), outcome.err());
        assertTrue(outcome.err().contains("rank 1 on a1 exited with code 3"), outcome.err());
    }

    @Test
    void agentKeepsServingAfterAJobCrashes()
    {
        assertEquals(3, run(job(4, ExitJob.class, "3"), cluster(secret)).code());
        final Outcome second = run(job(4, AllPairsJob.class), cluster(secret));
        assertEquals(0, second.code(), second.err());
    }

    @Test
    void launcherWithAnotherSecretIsRefusedBeforeAnyRankStarts() throws IOException
    {
        final ClusterSecret other = ClusterSecret.create(dir.resolve("other"), false);
        final LaunchException error = assertThrows(LaunchException.class,
            () -> run(job(4, AllPairsJob.class), cluster(other)));
        assertTrue(error.getMessage().contains("wrong cluster secret"), error.getMessage());
        assertEquals(0, filesUnder(agents.get(0).config().workRoot()));
    }

    @Test
    void moreRanksThanSlotsFailsBeforeAnyRankStarts() throws IOException
    {
        final LaunchException error = assertThrows(LaunchException.class,
            () -> run(job(5, AllPairsJob.class), cluster(secret)));
        assertTrue(error.getMessage().contains("-n 5 needs more slots than the hosts have: 4"), error.getMessage());
        assertEquals(0, filesUnder(agents.get(0).config().workRoot()));
    }

    @Test
    void sharedMemoryForcedForRanksOnSeveralHostsFailsBeforeAnyRankStarts() throws IOException
    {
        final LaunchSpec shm = new LaunchSpec(4, new Program.MainClass(List.of(testClasses()),
            AllPairsJob.class.getName()), List.of(), Map.of("COHORT_TRANSPORT", "shm"), TEST_JVM, false,
            Duration.ofMinutes(3));
        final LaunchException error = assertThrows(LaunchException.class, () -> run(shm, cluster(secret)));
        assertTrue(error.getMessage().contains("--transport shm reaches only ranks on the same host, but this job's "
            + "ranks are placed on 2 hosts"), error.getMessage());
        assertEquals(0, filesUnder(agents.get(0).config().workRoot()));
        assertEquals(0, filesUnder(agents.get(1).config().workRoot()));
    }

    @Test
    void hostWithoutAnAgentIsNamedWithTheFix() throws IOException
    {
        final int port;
        try (ServerSocket closed = new ServerSocket(0))
        {
            port = closed.getLocalPort();
        }
        final ClusterSpec cluster = new ClusterSpec(List.of(new HostSlots("127.0.0.1", port, 2)), MapBy.SLOT, 0,
            secret, false, false, Duration.ofSeconds(5));
        final LaunchException error = assertThrows(LaunchException.class,
            () -> run(job(2, AllPairsJob.class), cluster));
        assertTrue(error.getMessage().contains("cannot reach the agent on 127.0.0.1:" + port)
            && error.getMessage().contains("cohort node start"), error.getMessage());
    }

    @Test
    void unknownHostIsNamed()
    {
        final ClusterSpec cluster = new ClusterSpec(List.of(new HostSlots("no-such-host.invalid", 7470, 2)),
            MapBy.SLOT, 0, secret, false, false, Duration.ofSeconds(5));
        final LaunchException error = assertThrows(LaunchException.class,
            () -> run(job(2, AllPairsJob.class), cluster));
        assertTrue(error.getMessage().contains("unknown host 'no-such-host.invalid'"), error.getMessage());
    }

    @Test
    void launcherOfAnotherProtocolVersionIsRefusedWithBothVersions() throws IOException
    {
        try (MessageChannel channel = new MessageChannel(new Socket("127.0.0.1", agents.get(0).address().getPort()),
            "agent", Duration.ofSeconds(5)))
        {
            final AgentMessage.Hello hello = assertInstanceOf(AgentMessage.Hello.class, channel.receive());
            channel.send(new AgentMessage.Auth(AgentProtocol.VERSION + 1, secret.sign(hello.nonce()), "00"));
            final AgentMessage.Refused refused = assertInstanceOf(AgentMessage.Refused.class, channel.receive());
            assertTrue(refused.reason().contains("protocol " + AgentProtocol.VERSION + " and the launcher "
                + (AgentProtocol.VERSION + 1)), refused.reason());
        }
    }

    @Test
    void strangerSendingAnOversizedFirstMessageIsCutOffAndTheAgentKeepsServing() throws IOException
    {
        try (Socket socket = new Socket("127.0.0.1", agents.get(0).address().getPort());
            MessageChannel channel = new MessageChannel(socket, "agent", Duration.ofSeconds(5)))
        {
            assertInstanceOf(AgentMessage.Hello.class, channel.receive());
            // A 100 MB message, which a stranger could send without knowing the secret: the agent hangs up after its
            // length, so the stranger cannot even write the first 64 MB of it.
            final DataOutputStream out = new DataOutputStream(socket.getOutputStream());
            out.writeInt(100_000_000);
            assertThrows(IOException.class, () ->
            {
                final byte[] megabyte = new byte[1 << 20];
                for (int i = 0; i < 64; i++)
                {
                    out.write(megabyte);
                }
                out.flush();
            });
        }
        final Outcome outcome = run(job(4, AllPairsJob.class), cluster(secret));
        assertEquals(0, outcome.code(), outcome.err());
    }

    @Test
    void agentOfANewerVersionIsNamedByItsVersionEvenWithFieldsThisOneDoesNotKnow() throws Exception
    {
        try (ServerSocket newer = new ServerSocket(0, 1, InetAddress.getLoopbackAddress()))
        {
            final Thread agent = Thread.ofVirtual().start(() ->
            {
                try (Socket socket = newer.accept())
                {
                    final byte[] hello = ("{\"type\":\"hello\",\"protocol\":" + (AgentProtocol.VERSION + 1)
                        + ",\"agent\":\"n9\",\"slots\":4,\"freeSlots\":4,\"nonce\":\"00\",\"gpus\":2}")
                        .getBytes(StandardCharsets.UTF_8);
                    final DataOutputStream out = new DataOutputStream(socket.getOutputStream());
                    out.writeInt(hello.length);
                    out.write(hello);
                    out.flush();
                    socket.getInputStream().read();
                }
                catch (final IOException ex)
                {
                    // The launcher hung up: expected.
                }
            });
            final ClusterSpec cluster = new ClusterSpec(List.of(new HostSlots("127.0.0.1", newer.getLocalPort(), 2)),
                MapBy.SLOT, 0, secret, false, false, Duration.ofSeconds(5));
            final LaunchException error = assertThrows(LaunchException.class,
                () -> run(job(2, AllPairsJob.class), cluster));
            assertTrue(error.getMessage().contains("speaks protocol " + (AgentProtocol.VERSION + 1)
                + " and this launcher " + AgentProtocol.VERSION), error.getMessage());
            agent.join(5_000);
        }
    }

    @Test
    void agentStopsTheRanksWhenItsLauncherDisappears() throws IOException, InterruptedException
    {
        final Agent agent = agents.get(0);
        final AgentClient client = AgentClient.connect(new HostSlots("127.0.0.1", agent.address().getPort(), 0),
            secret, Duration.ofSeconds(5));
        client.channel().send(new AgentMessage.Launch("lost1", 2, List.of(0, 1),
            new AgentMessage.ProgramOrder("executable", "sleep", List.of()), List.of("60"), Map.of(), List.of(),
            "127.0.0.1:1", "token", false, List.of()));
        assertInstanceOf(AgentMessage.Launched.class, client.channel().receive());
        assertEquals(0, agent.freeSlots());
        client.close();
        awaitFreeSlots(agent, 2);
        assertEquals(0, filesUnder(agent.config().workRoot()));
    }

    @Test
    void stagedPathLeavingTheWorkingDirectoryIsRefused()
    {
        final Agent agent = agents.get(0);
        final AgentClient client = AgentClient.connect(new HostSlots("127.0.0.1", agent.address().getPort(), 0),
            secret, Duration.ofSeconds(5));
        try (client)
        {
            client.channel().send(new AgentMessage.Launch("evil1", 1, List.of(0),
                new AgentMessage.ProgramOrder("executable", "true", List.of()), List.of(), Map.of(), List.of(),
                "127.0.0.1:1", "token", false,
                List.of(new AgentMessage.StagedFile("../../escape", new byte[] {1}))));
            final AgentMessage.LaunchFailed failed = assertInstanceOf(AgentMessage.LaunchFailed.class,
                client.channel().receive());
            assertTrue(failed.reason().contains("leaves the job's working directory"), failed.reason());
        }
        assertTrue(Files.notExists(dir.resolve("escape")));
    }
}
