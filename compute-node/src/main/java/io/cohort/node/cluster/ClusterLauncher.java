package io.cohort.node.cluster;

import io.cohort.node.launch.LaunchException;
import io.cohort.node.launch.LaunchSpec;
import io.cohort.node.launch.LocalLauncher;
import io.cohort.node.launch.Program;
import io.cohort.node.launch.RankCommand;
import io.cohort.node.launch.RankProcesses;
import io.cohort.node.protocol.AgentMessage;
import io.cohort.node.protocol.AgentMessage.ProgramOrder;
import io.cohort.node.protocol.AgentMessage.StagedFile;
import io.cohort.node.protocol.AgentProtocol;
import io.cohort.node.protocol.ProtocolException;
import io.cohort.wireup.WireUpServer;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The launcher behind {@code cohort run --hosts}: places the ranks on hosts, hands each host's agent its share
 * (with the program's files), hosts the job's address exchange, relays output, and ends the job as mpirun does:
 * the first failing rank, a lost agent or a cut link stops every other rank, and the launcher exits with a
 * message naming the rank or the host.
 *
 * <p>Thread-safe: each {@link #run} is independent.
 */
public final class ClusterLauncher
{
    /** Exit code when an agent (its host, or the link to it) is lost mid-job. */
    public static final int EXIT_HOST_LOST = 1;

    /** Tells ranks how many hosts the job spans, so a single-host job needs no TCP transport. */
    public static final String JOB_HOSTS = "COHORT_JOB_HOSTS";

    /** Asks ranks to report which transport reaches each peer. */
    public static final String REPORT_BINDINGS = "COHORT_REPORT_BINDINGS";

    private static final long DONE_WAIT_MS = 10_000;

    private final PrintStream out;
    private final PrintStream err;

    /**
     * A launcher relaying ranks' output to the given streams.
     *
     * @param out where ranks' standard output goes
     * @param err where ranks' standard error and the launcher's messages go
     */
    public ClusterLauncher(final PrintStream out, final PrintStream err)
    {
        this.out = out;
        this.err = err;
    }

    private record Event(int host, AgentMessage message, ProtocolException failure)
    {
    }

    /**
     * Runs a job across hosts to the end.
     *
     * @param spec    what the job runs
     * @param cluster where it runs
     * @return 0, the first failing rank's code, {@link #EXIT_HOST_LOST}, or {@link LocalLauncher#EXIT_TIMEOUT}
     * @throws LaunchException if the job cannot start, naming why (nothing is left running then)
     */
    public int run(final LaunchSpec spec, final ClusterSpec cluster)
    {
        final List<AgentClient> agents = connectAll(cluster);
        final List<AgentClient> used = new ArrayList<>();
        final List<List<Integer>> shares = new ArrayList<>();
        final LinkedBlockingQueue<Event> events = new LinkedBlockingQueue<>();
        final Thread hook = new Thread(() -> killAll(used, "the launcher was stopped"), "cohort-run-signals");
        try
        {
            final List<List<Integer>> placed = place(spec.ranks(), cluster, agents);
            for (int h = 0; h < agents.size(); h++)
            {
                if (placed.get(h).isEmpty())
                {
                    agents.get(h).close();
                }
                else
                {
                    used.add(agents.get(h));
                    shares.add(placed.get(h));
                }
            }
            requireReachableTransport(spec, used);
            // Pings first: staging and sending big programs to many hosts may take longer than an agent waits in
            // silence.
            used.forEach(ClusterLauncher::startPinger);
            final ProgramOrder program = order(spec);
            final List<StagedFile> files = stage(spec.program());
            final Map<String, String> env = new LinkedHashMap<>(spec.environment());
            env.put(JOB_HOSTS, Integer.toString(used.size()));
            if (cluster.reportBindings())
            {
                env.put(REPORT_BINDINGS, "1");
            }
            final String jobId = RankProcesses.randomHex(6);
            // The wildcard: the JDK binds its dual-stack socket to every IPv4 and IPv6 address (ClusterLauncherTest
            // runs a job on an agent reached over IPv6).
            try (WireUpServer exchange = new WireUpServer(spec.ranks(), RankProcesses.randomHex(16),
                InetAddress.getByAddress(new byte[4])))
            {
                // Rank 0's cohort.progress(...) reports, already coalesced by the rank to a few a second.
                exchange.onProgress(report -> err.println("cohort run: progress " + report.describe()));
                Runtime.getRuntime().addShutdownHook(hook);
                for (int h = 0; h < used.size(); h++)
                {
                    final AgentClient agent = used.get(h);
                    startReader(h, agent, events);
                    agent.channel().send(new AgentMessage.Launch(jobId, spec.ranks(), shares.get(h), program,
                        spec.arguments(), env, spec.jvmOptions(), agent.localAddress() + ":" + exchange.port(),
                        exchange.token(), cluster.keepWorkdir(), files));
                }
                final List<Event> early = awaitLaunched(used, events);
                if (cluster.reportBindings())
                {
                    for (int h = 0; h < used.size(); h++)
                    {
                        err.println("cohort run: ranks " + shares.get(h) + " on " + used.get(h).hello().agent()
                            + " (" + used.get(h).host().where() + ")");
                    }
                }
                return supervise(spec, used, shares, new ArrayDeque<>(early), events, exchange);
            }
            catch (final IOException ex)
            {
                throw new LaunchException("cannot open the job's address exchange: " + ex.getMessage(), ex);
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            killAll(used, "the launcher was interrupted");
            return 130;
        }
        finally
        {
            for (final AgentClient agent : agents)
            {
                agent.close();
            }
            try
            {
                Runtime.getRuntime().removeShutdownHook(hook);
            }
            catch (final IllegalStateException ex)
            {
                // Not added, or the JVM is shutting down and the hook is running.
            }
        }
    }

    private static List<AgentClient> connectAll(final ClusterSpec cluster)
    {
        final int hosts = cluster.hosts().size();
        final AgentClient[] clients = new AgentClient[hosts];
        final LaunchException[] failures = new LaunchException[hosts];
        final List<Thread> threads = new ArrayList<>();
        for (int h = 0; h < hosts; h++)
        {
            final int host = h;
            threads.add(Thread.ofVirtual().start(() ->
            {
                try
                {
                    clients[host] = AgentClient.connect(cluster.hosts().get(host), cluster.secret(),
                        cluster.silenceLimit());
                }
                catch (final LaunchException ex)
                {
                    failures[host] = ex;
                }
            }));
        }
        for (final Thread thread : threads)
        {
            try
            {
                thread.join();
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }
        final List<String> problems = new ArrayList<>();
        for (final LaunchException failure : failures)
        {
            if (failure != null)
            {
                problems.add(failure.getMessage());
            }
        }
        if (!problems.isEmpty())
        {
            for (final AgentClient client : clients)
            {
                if (client != null)
                {
                    client.close();
                }
            }
            throw new LaunchException(String.join("; ", problems));
        }
        return List.of(clients);
    }

    /** A forced shared-memory transport reaches ranks on one host only: refused before any rank starts. */
    private static void requireReachableTransport(final LaunchSpec spec, final List<AgentClient> used)
    {
        if ("shm".equals(spec.environment().get("COHORT_TRANSPORT")) && used.size() > 1)
        {
            final List<String> hosts = used.stream().map(agent -> agent.host().host()).toList();
            throw new LaunchException("--transport shm reaches only ranks on the same host, but this job's ranks are "
                + "placed on " + used.size() + " hosts (" + String.join(", ", hosts) + "); use --transport auto or "
                + "tcp, or place every rank on one host");
        }
    }

    private static List<List<Integer>> place(final int ranks, final ClusterSpec cluster,
        final List<AgentClient> agents)
    {
        final int[] slots = new int[agents.size()];
        final List<String> names = new ArrayList<>();
        for (int h = 0; h < agents.size(); h++)
        {
            final AgentClient agent = agents.get(h);
            final int offered = agent.hello().slots();
            final int asked = agent.host().slots();
            if (asked > offered)
            {
                throw new LaunchException("the host list gives " + agent.host().host() + " " + asked + " slots, but "
                    + "its agent (" + agent.hello().agent() + ") runs at most " + offered
                    + "; lower the count or restart the agent with --slots " + asked);
            }
            slots[h] = asked > 0 ? asked : offered;
            names.add(agent.host().host());
        }
        final List<List<Integer>> placed = RankPlacement.place(ranks, slots, names, cluster.mapBy(),
            cluster.perNode());
        for (int h = 0; h < agents.size(); h++)
        {
            final AgentClient agent = agents.get(h);
            if (placed.get(h).size() > agent.hello().freeSlots())
            {
                throw new LaunchException("host " + agent.host().host() + " would run " + placed.get(h).size()
                    + " ranks but its agent has only " + agent.hello().freeSlots() + " of " + agent.hello().slots()
                    + " slots free (other jobs run there)");
            }
        }
        return placed;
    }

    private static ProgramOrder order(final LaunchSpec spec)
    {
        return switch (spec.program())
        {
            case Program.Jar jar ->
            {
                RankCommand.of(spec);
                yield new ProgramOrder("jar", "program/" + jar.jar().getFileName(), List.of());
            }
            case Program.MainClass mc ->
            {
                RankCommand.of(spec);
                yield new ProgramOrder("class", mc.mainClass(), stagedClasspath(mc.classpath()));
            }
            // An executable is looked up on each host's own PATH, as mpirun does.
            case Program.Executable exe -> new ProgramOrder("executable", exe.executable(), List.of());
        };
    }

    private static List<String> stagedClasspath(final List<String> classpath)
    {
        final List<String> staged = new ArrayList<>();
        for (int i = 0; i < classpath.size(); i++)
        {
            final String entry = classpath.get(i);
            if (entry.endsWith("*"))
            {
                for (final Path jar : wildcard(entry))
                {
                    staged.add("cp/" + i + "/" + jar.getFileName());
                }
            }
            else if (Files.isDirectory(Path.of(entry)))
            {
                staged.add("cp/" + i);
            }
            else
            {
                staged.add("cp/" + i + "/" + Path.of(entry).getFileName());
            }
        }
        return staged;
    }

    private static List<StagedFile> stage(final Program program)
    {
        final List<StagedFile> files = new ArrayList<>();
        try
        {
            switch (program)
            {
                case Program.Jar jar -> files.add(new StagedFile("program/" + jar.jar().getFileName(),
                    Files.readAllBytes(jar.jar())));
                case Program.MainClass mc ->
                {
                    for (int i = 0; i < mc.classpath().size(); i++)
                    {
                        final String entry = mc.classpath().get(i);
                        final Path path = Path.of(entry);
                        if (entry.endsWith("*"))
                        {
                            for (final Path jar : wildcard(entry))
                            {
                                files.add(new StagedFile("cp/" + i + "/" + jar.getFileName(),
                                    Files.readAllBytes(jar)));
                            }
                        }
                        else if (Files.isDirectory(path))
                        {
                            try (Stream<Path> walk = Files.walk(path))
                            {
                                for (final Path file : walk.filter(Files::isRegularFile).toList())
                                {
                                    files.add(new StagedFile("cp/" + i + "/" + path.relativize(file),
                                        Files.readAllBytes(file)));
                                }
                            }
                        }
                        else
                        {
                            files.add(new StagedFile("cp/" + i + "/" + path.getFileName(), Files.readAllBytes(path)));
                        }
                    }
                }
                case Program.Executable exe ->
                {
                    // Nothing to stage: each host runs its own copy.
                }
            }
        }
        catch (final IOException ex)
        {
            throw new LaunchException("cannot read the program's files to send to the hosts: " + ex.getMessage(),
                ex);
        }
        long bytes = 0;
        for (final StagedFile file : files)
        {
            bytes += file.content().length;
        }
        if (bytes > AgentProtocol.MAX_STAGED_BYTES)
        {
            throw new LaunchException("the program's files total " + bytes + " bytes; at most about "
                + AgentProtocol.MAX_STAGED_BYTES + " can be sent to the hosts");
        }
        return files;
    }

    private static List<Path> wildcard(final String entry)
    {
        final Path dir = Path.of(entry.substring(0, entry.length() - 1).isEmpty() ? "."
            : entry.substring(0, entry.length() - 1));
        try (Stream<Path> list = Files.list(dir))
        {
            return list.filter(p -> p.toString().endsWith(".jar") || p.toString().endsWith(".JAR")).sorted().toList();
        }
        catch (final IOException ex)
        {
            throw new LaunchException("cannot list the classpath entry '" + entry + "': " + ex.getMessage(), ex);
        }
    }

    private static void startReader(final int host, final AgentClient agent, final LinkedBlockingQueue<Event> events)
    {
        Thread.ofVirtual().name("cohort-run-agent-" + host).start(() ->
        {
            try
            {
                while (true)
                {
                    final AgentMessage message = agent.channel().receive();
                    events.add(new Event(host, message, null));
                    if (message instanceof AgentMessage.Done || message instanceof AgentMessage.LaunchFailed)
                    {
                        return;
                    }
                }
            }
            catch (final ProtocolException ex)
            {
                events.add(new Event(host, null, ex));
            }
        });
    }

    private static void startPinger(final AgentClient agent)
    {
        Thread.ofVirtual().name("cohort-run-pinger").start(() ->
        {
            try
            {
                while (true)
                {
                    Thread.sleep(AgentProtocol.PING_INTERVAL.toMillis());
                    agent.channel().send(new AgentMessage.Ping());
                }
            }
            catch (final InterruptedException | ProtocolException ex)
            {
                // The job is over or the agent is gone; the reader reports the latter.
            }
        });
    }

    /** Waits until every agent has started its ranks; returns the events of hosts that started sooner. */
    private static List<Event> awaitLaunched(final List<AgentClient> used, final LinkedBlockingQueue<Event> events)
        throws InterruptedException
    {
        int launched = 0;
        final List<Event> early = new ArrayList<>();
        while (launched < used.size())
        {
            final Event event = events.take();
            if (event.failure() != null)
            {
                killAll(used, "another host failed to start");
                throw new LaunchException("lost the agent on " + used.get(event.host()).host().where()
                    + " while starting the job: " + event.failure().getMessage());
            }
            switch (event.message())
            {
                case AgentMessage.Launched l -> launched++;
                case AgentMessage.LaunchFailed failed ->
                {
                    killAll(used, "another host failed to start");
                    throw new LaunchException("host " + used.get(event.host()).host().host() + " could not start "
                        + "its ranks: " + failed.reason());
                }
                default -> early.add(event);
            }
        }
        return early;
    }

    private int supervise(final LaunchSpec spec, final List<AgentClient> used, final List<List<Integer>> shares,
        final ArrayDeque<Event> early, final LinkedBlockingQueue<Event> events, final WireUpServer exchange)
        throws InterruptedException
    {
        final long deadline = spec.timeout() == null ? Long.MAX_VALUE : System.nanoTime() + spec.timeout().toNanos();
        final boolean[] finished = new boolean[used.size()];
        final boolean[][] exited = new boolean[used.size()][];
        for (int h = 0; h < used.size(); h++)
        {
            exited[h] = new boolean[spec.ranks()];
        }
        int open = used.size();
        int jobCode = 0;
        long stopDeadline = Long.MAX_VALUE;
        while (open > 0)
        {
            final long wait = Math.min(deadline, stopDeadline) - System.nanoTime();
            final Event event = early.isEmpty() ? events.poll(Math.max(0, wait), TimeUnit.NANOSECONDS) : early.poll();
            if (event == null)
            {
                if (System.nanoTime() >= stopDeadline)
                {
                    err.println("cohort run: some agents did not confirm the end of the job within "
                        + DONE_WAIT_MS / 1000 + " s; giving up on them");
                    break;
                }
                if (jobCode == 0)
                {
                    err.println("cohort run: the job exceeded --timeout " + spec.timeout().toSeconds()
                        + " s; stopping its ranks");
                    jobCode = LocalLauncher.EXIT_TIMEOUT;
                    exchange.abort("the job exceeded its time limit");
                    killAll(used, "time limit");
                }
                stopDeadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(DONE_WAIT_MS);
                continue;
            }
            final int h = event.host();
            if (finished[h])
            {
                continue;
            }
            if (event.failure() != null)
            {
                finished[h] = true;
                open--;
                if (jobCode == 0)
                {
                    jobCode = EXIT_HOST_LOST;
                    err.println("cohort run: lost " + used.get(h).hello().agent() + " ("
                        + used.get(h).host().where() + ") with ranks " + shares.get(h) + " mid-job: "
                        + event.failure().getMessage() + "; stopping the other ranks");
                    exchange.abort("host " + used.get(h).host().host() + " was lost");
                    killAll(used, "host " + used.get(h).host().host() + " was lost");
                    stopDeadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(DONE_WAIT_MS);
                }
                continue;
            }
            switch (event.message())
            {
                case AgentMessage.Output output -> print(spec, output);
                case AgentMessage.Exited exit ->
                {
                    exited[h][exit.rank()] = true;
                    exchange.rankExited(exit.rank());
                    if (exit.code() != 0 && jobCode == 0)
                    {
                        jobCode = exit.code();
                        err.println("cohort run: rank " + exit.rank() + " on " + used.get(h).hello().agent()
                            + " exited with code " + exit.code() + RankProcesses.describeSignal(exit.code())
                            + "; stopping the other ranks");
                        exchange.abort("rank " + exit.rank() + " exited with code " + exit.code());
                        killAll(used, "rank " + exit.rank() + " failed");
                        stopDeadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(DONE_WAIT_MS);
                    }
                }
                case AgentMessage.Done done ->
                {
                    finished[h] = true;
                    open--;
                }
                default ->
                {
                    // Pings keep the link alive; nothing else is expected now.
                }
            }
        }
        return jobCode;
    }

    private void print(final LaunchSpec spec, final AgentMessage.Output output)
    {
        final PrintStream target = output.stderr() ? err : out;
        final String prefix = spec.tagOutput()
            ? "[1," + output.rank() + "]<" + (output.stderr() ? "stderr" : "stdout") + ">: " : "";
        synchronized (target)
        {
            target.println(prefix + output.line());
        }
    }

    private static void killAll(final List<AgentClient> agents, final String reason)
    {
        for (final AgentClient agent : agents)
        {
            try
            {
                agent.channel().send(new AgentMessage.Kill(reason));
            }
            catch (final ProtocolException ex)
            {
                // That agent is gone already; it stops its ranks by itself when it loses the launcher.
            }
        }
    }

}
