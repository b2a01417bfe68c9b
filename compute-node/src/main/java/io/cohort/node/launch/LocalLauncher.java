package io.cohort.node.launch;

import io.cohort.transport.shm.ShmLayout;
import io.cohort.wireup.JobEnvironment;
import io.cohort.wireup.WireUpServer;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The mpirun-style launcher behind {@code cohort run}: starts every rank of a job on this machine, hosts the job's
 * address exchange, relays output, and ends the job as mpirun does: when the first rank fails, the others are
 * stopped and the launcher exits with that rank's code. SIGINT and SIGTERM to the launcher are forwarded to the
 * ranks. Whatever happens, no rank process and no shared-memory file of the job outlives it.
 *
 * <p>Thread-safe: each {@link #run} is independent.
 */
public final class LocalLauncher
{
    /** Exit code when the job ran past its {@code --timeout} (as coreutils' timeout). */
    public static final int EXIT_TIMEOUT = 124;

    private final PrintStream out;
    private final PrintStream err;

    /**
     * A launcher relaying ranks' output to the given streams.
     *
     * @param out where ranks' standard output goes
     * @param err where ranks' standard error and the launcher's messages go
     */
    public LocalLauncher(final PrintStream out, final PrintStream err)
    {
        this.out = out;
        this.err = err;
    }

    private record RankExit(int rank, int code)
    {
    }

    /**
     * Runs a job to the end.
     *
     * @param spec the job
     * @return the job's exit code: 0, the first failing rank's code, or {@link #EXIT_TIMEOUT}
     * @throws LaunchException if the job cannot start, naming why
     */
    public int run(final LaunchSpec spec)
    {
        final List<String> command = RankCommand.of(spec);
        final String jobId = RankProcesses.randomHex(6);
        final Path shmDir = SharedMemoryCleanup.directoryFor(spec.environment());
        final List<Process> ranks = new ArrayList<>();
        final List<Thread> pumps = new ArrayList<>();
        final LinkedBlockingQueue<RankExit> exits = new LinkedBlockingQueue<>();
        // Set by the shutdown hook under the list's lock: no rank starts after it, so none escapes the hook's stop.
        final AtomicBoolean stopping = new AtomicBoolean();
        final RankReaper reaper = new RankReaper(err::println);
        reaper.removeFilesWhenKilled(shmDir, ShmLayout.jobPrefix(jobId));
        // Also a rank started but not yet watched when this JVM is killed (the job id is this launcher's own).
        reaper.killHoldersWhenKilled(JobEnvironment.JOB_ID, jobId);
        // On SIGINT or SIGTERM the JVM runs only its shutdown hooks, so the hook does the whole clean-up itself.
        final Thread forwarder = new Thread(() ->
        {
            synchronized (ranks)
            {
                stopping.set(true);
            }
            RankProcesses.stopAll(ranks);
            SharedMemoryCleanup.removeJobFiles(shmDir, jobId);
        }, "cohort-run-signals");
        try (WireUpServer exchange = new WireUpServer(spec.ranks(), RankProcesses.randomHex(16),
            InetAddress.getLoopbackAddress()))
        {
            // Rank 0's cohort.progress(...) reports, already coalesced by the rank to a few a second.
            exchange.onProgress(report -> err.println("cohort run: progress " + report.describe()));
            Runtime.getRuntime().addShutdownHook(forwarder);
            for (int rank = 0; rank < spec.ranks(); rank++)
            {
                final Process process;
                synchronized (ranks)
                {
                    if (stopping.get())
                    {
                        // SIGINT or SIGTERM came while ranks were starting: the hook stops those started.
                        return 143;
                    }
                    process = start(spec, command, jobId, rank, exchange);
                    ranks.add(process);
                    reaper.watch(process);
                }
                pumps.add(pump(process.getInputStream(), out, spec.tagOutput() ? "[1," + rank + "]<stdout>: " : ""));
                pumps.add(pump(process.getErrorStream(), err, spec.tagOutput() ? "[1," + rank + "]<stderr>: " : ""));
                final int r = rank;
                process.onExit().thenAccept(p ->
                {
                    reaper.exited(p);
                    exits.add(new RankExit(r, p.exitValue()));
                });
            }
            final int code = awaitJob(spec, ranks, exits, exchange);
            for (final Thread pump : pumps)
            {
                pump.join(TimeUnit.SECONDS.toMillis(5));
            }
            return code;
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            RankProcesses.stopAll(ranks);
            return 130;
        }
        finally
        {
            RankProcesses.stopAll(ranks);
            synchronized (ranks)
            {
                ranks.forEach(reaper::forget);
            }
            SharedMemoryCleanup.removeJobFiles(shmDir, jobId);
            reaper.keepFiles(shmDir, ShmLayout.jobPrefix(jobId));
            reaper.forgetHolders(JobEnvironment.JOB_ID, jobId);
            reaper.close();
            try
            {
                Runtime.getRuntime().removeShutdownHook(forwarder);
            }
            catch (final IllegalStateException ex)
            {
                // The JVM is already shutting down: the hook is running and finishes the clean-up.
            }
        }
    }

    private int awaitJob(final LaunchSpec spec, final List<Process> ranks, final LinkedBlockingQueue<RankExit> exits,
        final WireUpServer exchange) throws InterruptedException
    {
        final long deadline = spec.timeout() == null ? Long.MAX_VALUE : System.nanoTime() + spec.timeout().toNanos();
        int remaining = spec.ranks();
        int jobCode = 0;
        while (remaining > 0)
        {
            final RankExit exit = spec.timeout() == null
                ? exits.take() : exits.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (exit == null)
            {
                err.println("cohort run: the job exceeded --timeout " + spec.timeout().toSeconds()
                    + " s; stopping its ranks");
                exchange.abort("the job exceeded its time limit");
                RankProcesses.stopAll(ranks);
                return EXIT_TIMEOUT;
            }
            remaining--;
            if (exit.code() != 0 && jobCode == 0)
            {
                jobCode = exit.code();
                err.println("cohort run: rank " + exit.rank() + " exited with code " + exit.code()
                    + RankProcesses.describeSignal(exit.code()) + "; stopping the other ranks");
                exchange.abort("rank " + exit.rank() + " exited with code " + exit.code());
                RankProcesses.stopAll(ranks);
            }
            exchange.rankExited(exit.rank());
        }
        return jobCode;
    }

    private Process start(final LaunchSpec spec, final List<String> command, final String jobId, final int rank,
        final WireUpServer exchange)
    {
        final ProcessBuilder builder = new ProcessBuilder(command);
        final Map<String, String> env = builder.environment();
        env.putAll(spec.environment());
        RankProcesses.putJobVariables(env, jobId, rank, spec.ranks(), exchange.hostPort(), exchange.token());
        builder.redirectInput(ProcessBuilder.Redirect.INHERIT);
        try
        {
            return builder.start();
        }
        catch (final IOException ex)
        {
            throw new LaunchException("cannot start rank " + rank + " (" + command.get(0) + "): " + ex.getMessage(),
                ex);
        }
    }

    private static Thread pump(final InputStream stream, final PrintStream target, final String prefix)
    {
        return Thread.ofPlatform().daemon().name("cohort-run-output").start(() ->
        {
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8)))
            {
                String line;
                while ((line = reader.readLine()) != null)
                {
                    synchronized (target)
                    {
                        target.println(prefix + line);
                    }
                }
            }
            catch (final IOException ex)
            {
                // The rank closed its output.
            }
        });
    }

}
