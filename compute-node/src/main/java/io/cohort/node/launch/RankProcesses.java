package io.cohort.node.launch;

import io.cohort.wireup.JobEnvironment;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** What every launcher of rank processes shares: their environment, and how they are stopped. */
public final class RankProcesses
{
    /** How long a rank has to exit after SIGTERM before it gets SIGKILL. */
    public static final long KILL_GRACE_MS = 1_000;

    private static final SecureRandom RANDOM = new SecureRandom();

    private RankProcesses()
    {
    }

    /**
     * Puts the variables through which a rank finds its job into an environment.
     *
     * @param env    the rank's environment, changed
     * @param jobId  the job's id
     * @param rank   the rank
     * @param size   ranks in the job
     * @param wireUp host:port of the job's address exchange
     * @param token  the exchange's secret
     */
    public static void putJobVariables(final Map<String, String> env, final String jobId, final int rank,
        final int size, final String wireUp, final String token)
    {
        env.put(JobEnvironment.JOB_ID, jobId);
        env.put(JobEnvironment.RANK, Integer.toString(rank));
        env.put(JobEnvironment.SIZE, Integer.toString(size));
        env.put(JobEnvironment.PMI_RANK, Integer.toString(rank));
        env.put(JobEnvironment.PMI_SIZE, Integer.toString(size));
        env.put(JobEnvironment.WIREUP, wireUp);
        env.put(JobEnvironment.TOKEN, token);
    }

    /**
     * SIGTERM to every process still running, then SIGKILL to those still there after {@link #KILL_GRACE_MS};
     * returns once they are gone.
     *
     * @param processes the processes; the collection is read under its own lock
     */
    public static void stopAll(final Collection<Process> processes)
    {
        final List<Process> snapshot;
        synchronized (processes)
        {
            snapshot = new ArrayList<>(processes);
        }
        boolean any = false;
        for (final Process process : snapshot)
        {
            if (process.isAlive())
            {
                signal(process, false);
                any = true;
            }
        }
        if (!any)
        {
            return;
        }
        final long deadline = System.currentTimeMillis() + KILL_GRACE_MS;
        for (final Process process : snapshot)
        {
            try
            {
                final long left = deadline - System.currentTimeMillis();
                if (left <= 0 || !process.waitFor(left, TimeUnit.MILLISECONDS))
                {
                    signal(process, true);
                }
            }
            catch (final InterruptedException ex)
            {
                signal(process, true);
                Thread.currentThread().interrupt();
            }
        }
        for (final Process process : snapshot)
        {
            try
            {
                process.waitFor(KILL_GRACE_MS, TimeUnit.MILLISECONDS);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /**
     * SIGTERM or SIGKILL to a rank and to what it started. A rank started by posix_spawn leads a process group and
     * the signal goes to the group; the JDK's ProcessBuilder cannot make one, so then the rank's descendants are
     * signalled one by one (a child the rank has already left to init is missed: one more reason posix_spawn is
     * the default).
     *
     * @param process the rank
     * @param kill    SIGKILL rather than SIGTERM
     */
    public static void signal(final Process process, final boolean kill)
    {
        if (!(process instanceof SpawnedProcess))
        {
            process.descendants().forEach(kill ? ProcessHandle::destroyForcibly : ProcessHandle::destroy);
        }
        if (kill)
        {
            process.destroyForcibly();
        }
        else
        {
            process.destroy();
        }
    }

    /**
     * Random bytes as hex, for job ids and the secrets of address exchanges.
     *
     * @param bytes how many random bytes
     * @return twice as many hex digits
     */
    public static String randomHex(final int bytes)
    {
        final byte[] random = new byte[bytes];
        RANDOM.nextBytes(random);
        return HexFormat.of().formatHex(random);
    }

    /**
     * How an exit code reads for a person: codes above 128 are deaths by a signal.
     *
     * @param code an exit code
     * @return " (killed by signal N)" or ""
     */
    public static String describeSignal(final int code)
    {
        return code > 128 && code < 160 ? " (killed by signal " + (code - 128) + ")" : "";
    }
}
