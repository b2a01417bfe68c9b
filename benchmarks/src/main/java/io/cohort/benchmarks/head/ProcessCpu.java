package io.cohort.benchmarks.head;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * CPU time used so far by a few processes of this machine, read from Linux's /proc: user and system time of each
 * process and of the children it has reaped (an agent's ranks). The cost per job it gives depends far less on what
 * else the machine runs than a rate does.
 */
final class ProcessCpu
{
    /** Clock ticks per second of /proc/PID/stat's times; 100 on every Linux this runs on (USER_HZ). */
    private static final double TICKS_PER_SECOND = 100.0;

    private final List<Long> pids;

    private ProcessCpu(final List<Long> pids)
    {
        this.pids = pids;
    }

    /**
     * The processes a comma-separated list names.
     *
     * @param list e.g. "1301,1302"
     * @return them
     * @throws IllegalArgumentException if an entry is not a number or no such process runs here
     */
    static ProcessCpu of(final String list)
    {
        final List<Long> pids = new ArrayList<>();
        for (final String part : list.split(",", -1))
        {
            final long pid;
            try
            {
                pid = Long.parseLong(part.trim());
            }
            catch (final NumberFormatException ex)
            {
                throw new IllegalArgumentException("'" + part + "' is not a process id", ex);
            }
            if (!Files.exists(stat(pid)))
            {
                throw new IllegalArgumentException("no process " + pid + " runs on this machine");
            }
            pids.add(pid);
        }
        return new ProcessCpu(pids);
    }

    /**
     * CPU seconds used so far.
     *
     * @return the sum over the processes
     * @throws UncheckedIOException if a process has ended (its time can no longer be read)
     */
    double seconds()
    {
        long ticks = 0;
        for (final long pid : pids)
        {
            try
            {
                final String line = Files.readString(stat(pid));
                // The command name (field 2) may hold spaces; the fields after its closing parenthesis do not.
                final String[] fields = line.substring(line.lastIndexOf(')') + 2).split(" ");
                // Fields 14-17 of stat(5) (utime, stime, cutime, cstime) are 11-14 here, counted from field 3.
                for (int field = 11; field <= 14; field++)
                {
                    ticks += Long.parseLong(fields[field]);
                }
            }
            catch (final NoSuchFileException ex)
            {
                throw new UncheckedIOException("process " + pid + " ended during the benchmark", ex);
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException("cannot read the CPU time of process " + pid, ex);
            }
        }
        return ticks / TICKS_PER_SECOND;
    }

    private static Path stat(final long pid)
    {
        return Path.of("/proc", Long.toString(pid), "stat");
    }
}
