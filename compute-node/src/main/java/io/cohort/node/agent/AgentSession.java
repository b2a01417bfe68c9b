package io.cohort.node.agent;

import io.cohort.node.launch.LaunchException;
import io.cohort.node.launch.LaunchSpec;
import io.cohort.node.launch.Program;
import io.cohort.node.launch.RankCommand;
import io.cohort.node.launch.RankProcesses;
import io.cohort.node.launch.SharedMemoryCleanup;
import io.cohort.node.protocol.AgentMessage;
import io.cohort.node.protocol.AgentMessage.Auth;
import io.cohort.node.protocol.AgentMessage.Launch;
import io.cohort.node.protocol.AgentProtocol;
import io.cohort.node.protocol.ClusterSecret;
import io.cohort.node.protocol.MessageChannel;
import io.cohort.node.protocol.ProtocolException;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * One launcher's connection to the agent, carrying one job: the handshake, the launch, the ranks' output and
 * exits, and the clean-up. Whatever ends the session (the job finishing, a Kill, the launcher vanishing, the agent
 * shutting down), every rank is stopped and the job's files are removed before the slots are given back.
 *
 * <p>Thread-safe: its methods are called from the session's thread, its reader, and the agent's shutdown.
 */
final class AgentSession
{
    /** Variable through which a rank learns the address its TCP transport should use on this host. */
    static final String TCP_ADDRESS = "COHORT_TCP_ADDRESS";

    /** Variable through which a rank learns the name of the agent (host) it runs on, for reports. */
    static final String NODE_NAME = "COHORT_NODE_NAME";

    private final Agent agent;
    private final Socket socket;
    private final MessageChannel channel;
    private final List<Process> processes = new ArrayList<>();
    private final CountDownLatch cleanedUp = new CountDownLatch(1);
    private volatile boolean stopping;
    private volatile boolean running;
    private String jobId = "?";

    AgentSession(final Agent agent, final Socket socket)
    {
        this.agent = agent;
        this.socket = socket;
        this.channel = new MessageChannel(socket, "launcher at " + socket.getRemoteSocketAddress(),
            agent.config().silenceLimit());
    }

    boolean running()
    {
        return running;
    }

    void run()
    {
        int reserved = 0;
        JobWorkspace workspace = null;
        Launch launch = null;
        boolean finished = false;
        try
        {
            if (!handshake())
            {
                return;
            }
            launch = awaitLaunch();
            if (launch == null)
            {
                return;
            }
            jobId = launch.jobId();
            final String refusal = check(launch);
            if (refusal != null)
            {
                channel.send(new AgentMessage.LaunchFailed(refusal));
                return;
            }
            reserved = launch.ranks().size();
            try
            {
                workspace = JobWorkspace.create(agent.config().workRoot(), launch.jobId());
                workspace.stage(launch.files());
                start(launch, workspace);
            }
            catch (final IOException | LaunchException | IllegalArgumentException ex)
            {
                RankProcesses.stopAll(processes);
                channel.send(new AgentMessage.LaunchFailed("agent " + agent.config().name() + " cannot start ranks "
                    + launch.ranks() + ": " + ex.getMessage()));
                return;
            }
            running = true;
            agent.log("job " + jobId + ": started ranks " + launch.ranks() + " in " + workspace.directory());
            channel.send(new AgentMessage.Launched(workspace.directory().toString()));
            superviseUntilEnd(launch);
            finished = true;
        }
        catch (final ProtocolException ex)
        {
            agent.log("job " + jobId + ": " + ex.getMessage() + "; stopping its ranks");
        }
        finally
        {
            RankProcesses.stopAll(processes);
            running = false;
            cleanUp(launch, workspace);
            if (reserved > 0)
            {
                agent.release(reserved);
            }
            if (finished)
            {
                sendDone();
            }
            channel.close();
            cleanedUp.countDown();
        }
    }

    private boolean handshake()
    {
        final String nonce = ClusterSecret.nonce();
        channel.send(new AgentMessage.Hello(AgentProtocol.VERSION, agent.config().name(), agent.config().slots(),
            agent.freeSlots(), nonce));
        final AgentMessage first = channel.receive();
        if (!(first instanceof Auth auth))
        {
            channel.send(new AgentMessage.Refused("expected auth, got " + first.getClass().getSimpleName()));
            return false;
        }
        if (auth.protocol() != AgentProtocol.VERSION)
        {
            agent.log("refused a launcher of protocol " + auth.protocol() + " from " + socket.getRemoteSocketAddress());
            channel.send(new AgentMessage.Refused("agent " + agent.config().name() + " speaks protocol "
                + AgentProtocol.VERSION + " and the launcher " + auth.protocol() + ": run the same Cohort version "
                + "on every host"));
            return false;
        }
        if (!agent.config().secret().verify(nonce, auth.mac()))
        {
            agent.log("refused a launcher with a wrong secret from " + socket.getRemoteSocketAddress());
            channel.send(new AgentMessage.Refused("wrong cluster secret: agent " + agent.config().name()
                + " uses another secret file; copy the one from 'cohort secret' to every host"));
            return false;
        }
        channel.send(new AgentMessage.Welcome(agent.config().secret().sign(auth.nonce())));
        return true;
    }

    private Launch awaitLaunch()
    {
        while (true)
        {
            final AgentMessage message = channel.receive();
            switch (message)
            {
                case Launch launch ->
                {
                    return launch;
                }
                case AgentMessage.Ping ping ->
                {
                    // Keeps the link alive while the launcher reaches its other agents.
                }
                case AgentMessage.Kill kill ->
                {
                    return null;
                }
                default -> throw new ProtocolException("the launcher sent " + message.getClass().getSimpleName()
                    + " before a launch order");
            }
        }
    }

    /** Returns why the order cannot be carried out, or null; reserves the slots when it can. */
    private String check(final Launch launch)
    {
        if (launch.ranks().isEmpty())
        {
            return "the order names no rank";
        }
        for (final int rank : launch.ranks())
        {
            if (rank < 0 || rank >= launch.size())
            {
                return "rank " + rank + " is outside the job of " + launch.size() + " ranks";
            }
        }
        if (!agent.reserve(launch.ranks().size()))
        {
            return "agent " + agent.config().name() + " has " + agent.freeSlots() + " free slots of "
                + agent.config().slots() + " and the order asks for " + launch.ranks().size()
                + " (other jobs run there)";
        }
        return null;
    }

    private void start(final Launch launch, final JobWorkspace workspace)
    {
        final Program program = switch (launch.program().kind())
        {
            case "jar" -> new Program.Jar(workspace.resolve(launch.program().target()));
            case "class" -> new Program.MainClass(launch.program().classpath().stream()
                .map(entry -> workspace.resolve(entry).toString()).toList(), launch.program().target());
            case "executable" -> new Program.Executable(launch.program().target());
            default -> throw new IllegalArgumentException("unknown program kind '" + launch.program().kind() + "'");
        };
        final LaunchSpec spec = new LaunchSpec(launch.size(), program, launch.arguments(), launch.environment(),
            launch.jvmOptions(), false, null);
        final List<String> command = RankCommand.of(spec);
        for (final int rank : launch.ranks())
        {
            final ProcessBuilder builder = new ProcessBuilder(command).directory(workspace.directory().toFile());
            final Map<String, String> env = builder.environment();
            env.putAll(launch.environment());
            RankProcesses.putJobVariables(env, launch.jobId(), rank, launch.size(), launch.wireUp(), launch.token());
            // Peers on other hosts reach this rank at the address the launcher reached this agent on.
            env.putIfAbsent(TCP_ADDRESS, socket.getLocalAddress().getHostAddress());
            env.put(NODE_NAME, agent.config().name());
            builder.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            try
            {
                final Process process = builder.start();
                synchronized (processes)
                {
                    processes.add(process);
                }
            }
            catch (final IOException ex)
            {
                throw new LaunchException("cannot start rank " + rank + " (" + command.get(0) + "): "
                    + ex.getMessage(), ex);
            }
            if (stopping)
            {
                throw new LaunchException("the agent is shutting down");
            }
        }
    }

    private void superviseUntilEnd(final Launch launch)
    {
        final List<Thread> watchers = new ArrayList<>();
        final List<Process> started;
        synchronized (processes)
        {
            started = List.copyOf(processes);
        }
        for (int i = 0; i < started.size(); i++)
        {
            final int rank = launch.ranks().get(i);
            final Process process = started.get(i);
            watchers.add(Thread.ofVirtual().name("cohort-agent-rank-" + rank).start(() -> watch(rank, process)));
        }
        Thread.ofVirtual().name("cohort-agent-reader").start(this::readOrders);
        final Thread pinger = Thread.ofVirtual().name("cohort-agent-pinger").start(this::ping);
        try
        {
            for (final Thread watcher : watchers)
            {
                watcher.join();
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        running = false;
        pinger.interrupt();
        agent.log("job " + jobId + ": every rank has ended");
    }

    private void sendDone()
    {
        try
        {
            channel.send(new AgentMessage.Done());
        }
        catch (final ProtocolException ex)
        {
            // The launcher is gone; the job is over either way.
        }
    }

    private void watch(final int rank, final Process process)
    {
        final Thread out = pump(rank, process.getInputStream(), false);
        final Thread err = pump(rank, process.getErrorStream(), true);
        try
        {
            final int code = process.waitFor();
            // Output first, so the launcher prints a rank's last lines before reporting its exit.
            out.join(5_000);
            err.join(5_000);
            channel.send(new AgentMessage.Exited(rank, code));
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        catch (final ProtocolException ex)
        {
            stop("lost the launcher: " + ex.getMessage());
        }
    }

    private Thread pump(final int rank, final InputStream stream, final boolean stderr)
    {
        return Thread.ofVirtual().name("cohort-agent-output").start(() ->
        {
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8)))
            {
                String line;
                while ((line = reader.readLine()) != null)
                {
                    channel.send(new AgentMessage.Output(rank, stderr, line));
                }
            }
            catch (final IOException | ProtocolException ex)
            {
                // The rank closed its output, or the launcher is gone (the reader stops the ranks then).
            }
        });
    }

    private void readOrders()
    {
        try
        {
            while (true)
            {
                final AgentMessage message = channel.receive();
                if (message instanceof AgentMessage.Kill kill)
                {
                    stop("the launcher asked: " + kill.reason());
                }
            }
        }
        catch (final ProtocolException ex)
        {
            if (running)
            {
                stop(ex.getMessage());
            }
        }
    }

    private void ping()
    {
        try
        {
            while (!Thread.currentThread().isInterrupted())
            {
                Thread.sleep(AgentProtocol.PING_INTERVAL.toMillis());
                channel.send(new AgentMessage.Ping());
            }
        }
        catch (final InterruptedException | ProtocolException ex)
        {
            // The session ended, or the launcher is gone (the reader notices and stops the ranks).
        }
    }

    /** Stops the job's ranks; the session then reports their exits and cleans up. */
    void stop(final String reason)
    {
        if (running)
        {
            agent.log("job " + jobId + ": stopping its ranks (" + reason + ")");
        }
        stopping = true;
        RankProcesses.stopAll(processes);
    }

    void awaitCleanup()
    {
        try
        {
            cleanedUp.await(10, TimeUnit.SECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    private void cleanUp(final Launch launch, final JobWorkspace given)
    {
        if (launch == null)
        {
            return;
        }
        SharedMemoryCleanup.removeJobFiles(SharedMemoryCleanup.directoryFor(launch.environment()), launch.jobId());
        if (given != null && !launch.keepWorkdir())
        {
            try
            {
                given.delete();
            }
            catch (final IOException ex)
            {
                agent.log("job " + jobId + ": cannot remove " + given.directory() + ": " + ex.getMessage());
            }
        }
    }
}
