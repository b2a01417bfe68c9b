package io.cohort.node.agent;

import io.cohort.node.launch.LaunchException;
import io.cohort.node.launch.LaunchSpec;
import io.cohort.node.launch.Program;
import io.cohort.node.launch.RankCommand;
import io.cohort.node.launch.RankProcesses;
import io.cohort.node.launch.RankReaper;
import io.cohort.node.launch.SharedMemoryCleanup;
import io.cohort.node.protocol.AgentMessage.Launch;
import io.cohort.transport.shm.ShmLayout;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One job's ranks on this host: their working directory, their processes, their output and exits, and the clean-up
 * after them. Whoever ordered the job (a launcher's connection, or the head node's link) listens to it.
 *
 * <p>Thread-safe.
 */
final class RankGroup
{
    /** Variable through which a rank learns the address its TCP transport should use on this host. */
    static final String TCP_ADDRESS = "COHORT_TCP_ADDRESS";

    /** Variable through which a rank learns the name of the agent (host) it runs on, for reports. */
    static final String NODE_NAME = "COHORT_NODE_NAME";

    /**
     * Reads the ranks' output. Platform threads: a pipe's read blocks its thread in the kernel, and on a virtual
     * thread it would hold one of the few carriers (two on a 2-core host) for as long as the rank is silent. Pooled:
     * making and ending two threads per rank maps and unmaps their stacks, and every unmapping flushes the TLBs of
     * each core (agents' CPU per one-rank job 7.6 -> 6.4 ms in the head node's throughput benchmark).
     */
    private static final ExecutorService OUTPUT_PUMPS = Executors.newCachedThreadPool(Thread.ofPlatform().daemon()
        .name("cohort-agent-output-", 0).stackSize(256 * 1024).factory());

    /** What happens to the ranks, in order per rank: its output lines, then its exit. */
    interface Listener
    {
        /**
         * A rank wrote a line.
         *
         * @param rank   the rank
         * @param stderr standard error rather than output
         * @param line   the line
         */
        void output(int rank, boolean stderr, String line);

        /**
         * A rank ended, after its last line.
         *
         * @param rank the rank
         * @param code its exit code
         */
        void exited(int rank, int code);
    }

    private final Agent agent;
    private final Launch launch;
    private final String tcpAddress;
    private final Listener listener;
    private final List<Process> processes = new ArrayList<>();
    /** In every rank's environment ({@link RankReaper#MARK}): how this agent's watchdog finds exactly these ranks. */
    private final String mark = RankProcesses.randomHex(8);
    private final List<Thread> watchers = new ArrayList<>();
    private final Map<Integer, Integer> exited = new LinkedHashMap<>();
    private JobWorkspace workspace;

    RankGroup(final Agent agent, final Launch launch, final String tcpAddress, final Listener listener)
    {
        this.agent = agent;
        this.launch = launch;
        this.tcpAddress = tcpAddress;
        this.listener = listener;
    }

    Launch launch()
    {
        return launch;
    }

    String workdir()
    {
        return workspace == null ? "" : workspace.directory().toString();
    }

    /**
     * Makes the working directory, stages the files and starts every rank; on failure stops what started.
     *
     * @throws IOException              if the directory or a file cannot be written
     * @throws LaunchException          if a rank cannot start
     * @throws IllegalArgumentException if the order is malformed
     */
    void start() throws IOException
    {
        try
        {
            workspace = JobWorkspace.create(agent.config().workRoot(), launch.jobId());
            if (!launch.keepWorkdir())
            {
                agent.reaper().removeWhenKilled(workspace.directory());
            }
            agent.reaper().removeFilesWhenKilled(shmDirectory(), ShmLayout.jobPrefix(launch.jobId()));
            // Also a rank started but not yet watched when the agent is killed.
            agent.reaper().killHoldersWhenKilled(RankReaper.MARK, mark);
            workspace.stage(launch.files());
            startRanks();
        }
        catch (final IOException | RuntimeException ex)
        {
            stop();
            throw ex;
        }
        for (int i = 0; i < processes.size(); i++)
        {
            final int rank = launch.ranks().get(i);
            final Process process = processes.get(i);
            watchers.add(Thread.ofVirtual().name("cohort-agent-rank-" + rank).start(() -> watch(rank, process)));
        }
    }

    private void startRanks()
    {
        final Program program = switch (launch.program().kind())
        {
            case "jar" -> new Program.Jar(Path.of(local(launch.program().target())));
            case "class" -> new Program.MainClass(launch.program().classpath().stream()
                .map(this::local).toList(), launch.program().target());
            case "executable" -> new Program.Executable(launch.program().target().contains("/")
                && !launch.program().target().startsWith("/")
                ? workspace.resolve(launch.program().target()).toString() : launch.program().target());
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
            // Peers on other hosts reach this rank at the address this agent was reached on.
            env.putIfAbsent(TCP_ADDRESS, tcpAddress);
            env.put(NODE_NAME, agent.config().name());
            env.put(RankReaper.MARK, mark);
            builder.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            try
            {
                final Process process = agent.starter().start(builder);
                agent.reaper().watch(process);
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
        }
    }

    private Path shmDirectory()
    {
        return SharedMemoryCleanup.directoryFor(launch.environment());
    }

    /** A path of the program: absolute ones are the host's own files, relative ones lie in the working directory. */
    private String local(final String path)
    {
        return Path.of(path).isAbsolute() ? path : workspace.resolve(path).toString();
    }

    private void watch(final int rank, final Process process)
    {
        final Future<?> out = pump(rank, process.getInputStream(), false);
        final Future<?> err = pump(rank, process.getErrorStream(), true);
        try
        {
            final int code = process.waitFor();
            agent.reaper().exited(process);
            // Output first, so a rank's last lines come before its exit.
            drained(out);
            drained(err);
            synchronized (exited)
            {
                exited.put(rank, code);
            }
            listener.exited(rank, code);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    /** Waits up to 5 s for a pump to reach the end of its pipe (a rank's child may keep the pipe open longer). */
    private static void drained(final Future<?> pump) throws InterruptedException
    {
        try
        {
            pump.get(5, TimeUnit.SECONDS);
        }
        catch (final ExecutionException | TimeoutException ex)
        {
            // The pump ends on its own when the pipe closes; the exit is reported without waiting longer.
        }
    }

    private Future<?> pump(final int rank, final InputStream stream, final boolean stderr)
    {
        return OUTPUT_PUMPS.submit(() ->
        {
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8)))
            {
                String line;
                while ((line = reader.readLine()) != null)
                {
                    listener.output(rank, stderr, line);
                }
            }
            catch (final IOException | RuntimeException ex)
            {
                // The rank closed its output, or its listener is gone: the rank is stopped by whoever noticed.
            }
        });
    }

    /** Waits until every rank has ended and its exit has been told. */
    void awaitEnd() throws InterruptedException
    {
        for (final Thread watcher : watchers)
        {
            watcher.join();
        }
    }

    /**
     * Signals every rank still running, without waiting.
     *
     * @param kill SIGKILL rather than SIGTERM
     */
    void signal(final boolean kill)
    {
        synchronized (processes)
        {
            for (final Process process : processes)
            {
                RankProcesses.signal(process, kill);
            }
        }
    }

    /** SIGTERM, then SIGKILL after a grace period, to every rank still running; returns once they are gone. */
    void stop()
    {
        RankProcesses.stopAll(processes);
    }

    /** The ranks still running. */
    List<Integer> liveRanks()
    {
        final List<Integer> live = new ArrayList<>();
        synchronized (exited)
        {
            for (final int rank : launch.ranks())
            {
                if (!exited.containsKey(rank))
                {
                    live.add(rank);
                }
            }
        }
        return live;
    }

    /** The ranks that ended, with their exit codes. */
    Map<Integer, Integer> exitCodes()
    {
        synchronized (exited)
        {
            return new LinkedHashMap<>(exited);
        }
    }

    /**
     * Removes the job's shared-memory files and (unless kept) its working directory; the ranks, ended by now, are no
     * longer the reaper's concern.
     */
    void cleanUp()
    {
        synchronized (processes)
        {
            for (final Process process : processes)
            {
                agent.reaper().forget(process);
            }
        }
        SharedMemoryCleanup.removeJobFiles(shmDirectory(), launch.jobId());
        agent.reaper().keepFiles(shmDirectory(), ShmLayout.jobPrefix(launch.jobId()));
        agent.reaper().forgetHolders(RankReaper.MARK, mark);
        if (workspace != null && launch.keepWorkdir())
        {
            agent.log("job " + launch.jobId() + ": working directory kept at " + workspace.directory()
                + " (--keep-workdir)");
        }
        else if (workspace != null)
        {
            try
            {
                workspace.delete();
                agent.reaper().keep(workspace.directory());
            }
            catch (final IOException ex)
            {
                agent.log("job " + launch.jobId() + ": cannot remove " + workspace.directory() + ": "
                    + ex.getMessage());
            }
        }
    }
}
