package io.cohort.node.launch;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Checks on processes a rank started itself (a shell rank's background children). */
public final class StartedProcesses
{
    private StartedProcesses()
    {
    }

    /**
     * The pid a rank printed after a prefix.
     *
     * @param prefix the start of the line, e.g. "CHILD "
     * @param out    the job's output
     * @return the pid
     */
    public static long pidAfter(final String prefix, final String out)
    {
        return Long.parseLong(out.lines().filter(l -> l.startsWith(prefix)).findFirst()
            .orElseThrow(() -> new AssertionError("no line starting '" + prefix + "' in: " + out))
            .substring(prefix.length()).trim());
    }

    /**
     * Waits up to 5 s for a process to be gone; a zombie waiting for its reaper counts as gone.
     *
     * @param pid the process
     * @throws IOException          if /proc cannot be read
     * @throws InterruptedException if interrupted
     */
    public static void assertGone(final long pid) throws IOException, InterruptedException
    {
        final Path stat = Path.of("/proc/" + pid + "/stat");
        String last = "";
        for (int i = 0; i < 50; i++)
        {
            try
            {
                last = Files.readString(stat);
            }
            catch (final NoSuchFileException ex)
            {
                return;
            }
            if (last.replaceAll("^.*\\) ", "").startsWith("Z"))
            {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("process " + pid + " started by the rank still runs: " + last);
    }
}
