package io.cohort.node.launch;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Kills the ranks an agent or launcher started when that process dies without stopping them (SIGKILL, the OOM
 * killer, a JVM crash): its shutdown hooks do not run then, and ranks left to init would keep running, perhaps
 * while the head node starts the same job again elsewhere. Open MPI's ranks abort when they lose their local daemon;
 * Slurm's slurmstepd does the same job as this class.
 *
 * <p>How: a small awk process, in a session of its own (so a signal to the agent's process group spares it),
 * reads from a pipe which process groups (or, for ranks the JDK started, which processes) to watch. This JVM holds
 * the pipe's only write end (every child closes its inherited descriptors), so the pipe reaches end-of-file exactly
 * when this JVM is gone, however it went; the watchdog then sends SIGTERM, a second later SIGKILL, to every group
 * still watched, removes the directories and shared-memory files it was given, and exits. A rank is forgotten once
 * its launcher has reaped it. The watchdog ignores SIGINT, SIGTERM and SIGHUP, so a Ctrl-C at a terminal leaves it
 * to do its work; should it die anyway, another replaces it.
 *
 * <p>Thread-safe.
 */
public final class RankReaper implements AutoCloseable
{
    /**
     * The watchdog, an awk program (awk reads its input in blocks; the shell's {@code read} took one system call per
     * byte, and that watchdog cost about a millisecond of CPU per job at a hundred jobs a second). Each line is a
     * verb, the byte length of its value, and the value: "add N ID" and "del N ID" keep a set of kill(1) targets
     * ("-PGID" for a group, "PID" for a process); "rm N D:DIR" (a directory) and "rm N F:PREFIX" (the files whose
     * path starts so), undone by "keep", what to delete after. A line whose value is shorter than its length says
     * is ignored: it was cut short by this JVM dying in the middle of a write, and "add -12345" cut to "add -1" would
     * otherwise signal every process, "rm D:/work/job-1" cut to "rm D:/work" remove the parent. At end of input the
     * targets get SIGTERM, a second later SIGKILL (as a cancelled job's ranks), and then the paths go. Paths reach
     * the shell single-quoted, so none is taken as a pattern but for the "*" after a prefix; a newline would split a
     * line, so paths with one are never sent. dash's kill takes no "--". "job N NAME=VALUE", undone by "unjob", adds
     * at end of input every process whose environment holds that entry: a rank started but not yet added when this
     * JVM died, and what ranks started themselves.
     */
    static final String WATCHDOG = """
        function quoted(s,    out, i) {
          out = ""
          while ((i = index(s, "'")) > 0) {
            out = out substr(s, 1, i - 1) "'\\\\''"
            s = substr(s, i + 1)
          }
          return "'" out s "'"
        }
        {
          verb = $1
          n = $2
          v = substr($0, length(verb) + length(n) + 3)
          if (n !~ /^[0-9]+$/ || length(v) != n + 0) next
        }
        verb == "add" { live[v] = 1; next }
        verb == "del" { delete live[v]; next }
        verb == "rm" { paths[v] = 1; next }
        verb == "keep" { delete paths[v]; next }
        verb == "job" { jobs[v] = 1; next }
        verb == "unjob" { delete jobs[v]; next }
        END {
          ids = ""
          for (id in live) ids = ids " " id
          for (e in jobs) {
            find = "grep -lzxF -- " quoted(e) " /proc/[0-9]*/environ 2>/dev/null"
            while ((find | getline f) > 0) {
              split(f, part, "/")
              if (part[3] ~ /^[0-9]+$/) ids = ids " " part[3]
            }
            close(find)
          }
          if (ids != "") {
            system("kill -15" ids " 2>/dev/null")
            system("sleep 1")
            system("kill -9" ids " 2>/dev/null")
          }
          for (p in paths) {
            if (p ~ /^D:./) system("rm -rf -- " quoted(substr(p, 3)))
            else if (p ~ /^F:./) system("rm -f -- " quoted(substr(p, 3)) "*")
          }
        }
        """;

    /**
     * A variable a launcher may set, to a value of its own, in the environment of the ranks it starts, so that
     * {@link #killHoldersWhenKilled} finds exactly its ranks (a job's id is shared by the ranks of other agents).
     */
    public static final String MARK = "COHORT_REAPER_MARK";

    /** Starts the watchdog with SIGINT, SIGTERM and SIGHUP ignored (exec keeps ignored signals ignored). */
    static final String LAUNCH = "trap '' INT TERM HUP; exec awk -- \"$0\"";

    /** Paths go to the watchdog as the bytes the file system knows them by, as the JDK encodes file names. */
    private static final Charset PATH_BYTES = Charset.forName(System.getProperty("sun.jnu.encoding", "UTF-8"),
        StandardCharsets.UTF_8);

    private final Consumer<String> log;
    private final Set<String> watched = new LinkedHashSet<>();
    private final Set<String> paths = new LinkedHashSet<>();
    /** Environment entries whose holders die with this JVM, with how many callers asked for each. */
    private final Map<String, Integer> holders = new LinkedHashMap<>();
    private Process watchdogProcess;
    private OutputStream commands;
    private boolean warned;
    private boolean closed;

    /**
     * A reaper for this JVM's ranks; its watchdog starts with the first rank watched.
     *
     * @param log where to say that ranks are unprotected, should the watchdog fail to start
     */
    public RankReaper(final Consumer<String> log)
    {
        this.log = log;
    }

    /**
     * Makes sure a rank dies with this JVM.
     *
     * @param rank a rank just started
     */
    public synchronized void watch(final Process rank)
    {
        final String target = target(rank);
        if (!closed && watched.add(target))
        {
            tell("add", target);
        }
    }

    /**
     * Tells that a rank has ended and been waited for. A rank watched by its process id is forgotten at once (the id
     * may be given to another process); one watched by its process group stays until {@link #forget}, since what
     * it started may still run in the group, whose id is not reused while anything is in it.
     *
     * @param rank a rank watched before
     */
    public synchronized void exited(final Process rank)
    {
        if (!(rank instanceof SpawnedProcess))
        {
            forget(rank);
        }
    }

    /**
     * Stops watching a rank that has ended and been waited for (its process id may be given to another process).
     *
     * @param rank a rank watched before
     */
    public synchronized void forget(final Process rank)
    {
        final String target = target(rank);
        if (watched.remove(target) && !closed)
        {
            send("del", target);
        }
    }

    /**
     * Makes sure a job's directory is removed should this JVM die before it does so itself.
     *
     * @param directory the directory, removed with all it holds
     */
    public synchronized void removeWhenKilled(final Path directory)
    {
        remember("D:" + directory);
    }

    /**
     * Makes sure a job's shared-memory files are removed should this JVM die before it does so itself.
     *
     * @param directory the files' directory
     * @param prefix    the start of their names
     */
    public synchronized void removeFilesWhenKilled(final Path directory, final String prefix)
    {
        remember("F:" + directory.resolve(prefix));
    }

    /**
     * Stops caring for a directory given to {@link #removeWhenKilled} (it is removed, or kept on purpose).
     *
     * @param directory the directory
     */
    public synchronized void keep(final Path directory)
    {
        keepPath("D:" + directory);
    }

    /**
     * Stops caring for the files given to {@link #removeFilesWhenKilled}.
     *
     * @param directory the files' directory
     * @param prefix    the start of their names
     */
    public synchronized void keepFiles(final Path directory, final String prefix)
    {
        keepPath("F:" + directory.resolve(prefix));
    }

    /**
     * Makes sure every process whose environment holds {@code variable=value} dies should this JVM die: a rank
     * started but not yet {@link #watch watched} at that moment, and what ranks started. Undone by as many
     * {@link #forgetHolders} calls.
     *
     * @param variable the variable's name, such as {@link #MARK}
     * @param value    its value, which only the processes to kill hold on this machine
     */
    public synchronized void killHoldersWhenKilled(final String variable, final String value)
    {
        final String entry = variable + "=" + value;
        if (!closed && entry.indexOf('\n') < 0 && holders.merge(entry, 1, Integer::sum) == 1)
        {
            tell("job", entry);
        }
    }

    /**
     * Undoes one {@link #killHoldersWhenKilled} once the processes are gone.
     *
     * @param variable the variable's name
     * @param value    its value
     */
    public synchronized void forgetHolders(final String variable, final String value)
    {
        final String entry = variable + "=" + value;
        final Integer callers = holders.get(entry);
        if (callers == null)
        {
            return;
        }
        if (callers > 1)
        {
            holders.put(entry, callers - 1);
            return;
        }
        holders.remove(entry);
        if (!closed)
        {
            send("unjob", entry);
        }
    }

    private void remember(final String path)
    {
        // A newline would split the watchdog's list; such a path is left to the next agent's start-up sweep.
        if (!closed && path.indexOf('\n') < 0 && paths.add(path))
        {
            tell("rm", path);
        }
    }

    private void keepPath(final String path)
    {
        if (paths.remove(path) && !closed)
        {
            send("keep", path);
        }
    }

    /**
     * The watchdog's process, if one runs.
     *
     * @return its handle, or null
     */
    public synchronized ProcessHandle watchdog()
    {
        return watchdogProcess == null || !watchdogProcess.isAlive() ? null : watchdogProcess.toHandle();
    }

    /**
     * Ends the watchdog and waits (up to 2 s) until it has gone; ranks still watched are killed by it, as if this JVM
     * had died. Idempotent.
     */
    @Override
    public synchronized void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        if (commands == null)
        {
            return;
        }
        try
        {
            commands.close();
            watchdogProcess.waitFor(2, TimeUnit.SECONDS);
        }
        catch (final IOException ex)
        {
            // The watchdog is gone already.
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    /** A rank that leads its own process group (posix_spawn made it so) is killed with its whole group. */
    private static String target(final Process rank)
    {
        return rank instanceof SpawnedProcess ? "-" + rank.pid() : Long.toString(rank.pid());
    }

    /** Sends a line that adds to what the watchdog does, starting a watchdog if none runs (it is then told all). */
    private void tell(final String verb, final String value)
    {
        if (!send(verb, value))
        {
            restart();
        }
    }

    /** One line to the watchdog: the verb, the value's length in bytes and the value. */
    private static void line(final ByteArrayOutputStream out, final String verb, final String value)
    {
        final byte[] bytes = value.getBytes(PATH_BYTES);
        out.writeBytes((verb + " " + bytes.length + " ").getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(bytes);
        out.write('\n');
    }

    private boolean send(final String verb, final String value)
    {
        if (commands == null || !watchdogProcess.isAlive())
        {
            return false;
        }
        try
        {
            final ByteArrayOutputStream out = new ByteArrayOutputStream();
            line(out, verb, value);
            out.writeTo(commands);
            commands.flush();
            return true;
        }
        catch (final IOException ex)
        {
            return false;
        }
    }

    /** Starts a watchdog (the first, or after the last died) and tells it every rank watched. */
    private void restart()
    {
        if (watchdogProcess != null)
        {
            watchdogProcess.destroyForcibly();
        }
        final List<String> command = new ArrayList<>();
        // setsid(1) makes the watchdog a session (and group) leader, out of reach of signals to the agent's group.
        for (final String setsid : List.of("/usr/bin/setsid", "/bin/setsid"))
        {
            if (Files.isExecutable(Path.of(setsid)))
            {
                command.add(setsid);
                break;
            }
        }
        command.addAll(List.of("/bin/sh", "-c", LAUNCH, WATCHDOG));
        try
        {
            final ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD);
            // Bytes, not characters: paths come in the file system's encoding, whatever the locale says.
            builder.environment().put("LC_ALL", "C");
            watchdogProcess = builder.start();
            commands = watchdogProcess.getOutputStream();
            final Process started = watchdogProcess;
            final long startedAt = System.nanoTime();
            started.onExit().thenRun(() -> revive(started, startedAt));
            final ByteArrayOutputStream all = new ByteArrayOutputStream();
            for (final String target : watched)
            {
                line(all, "add", target);
            }
            for (final String path : paths)
            {
                line(all, "rm", path);
            }
            for (final String entry : holders.keySet())
            {
                line(all, "job", entry);
            }
            all.writeTo(commands);
            commands.flush();
            warned = false;
        }
        catch (final IOException ex)
        {
            if (watchdogProcess != null)
            {
                watchdogProcess.destroyForcibly();
            }
            watchdogProcess = null;
            commands = null;
            if (!warned)
            {
                warned = true;
                log.accept("cannot start the watchdog that stops ranks should this process die (" + ex.getMessage()
                    + "): ranks would outlive a SIGKILL of it");
            }
        }
    }

    /**
     * A watchdog that died while ranks are watched (killed by someone, say) is replaced at once, unless it died
     * within a second of its start: then something is wrong with the watchdog, and retrying would spin.
     */
    private synchronized void revive(final Process dead, final long startedAt)
    {
        if (closed || watchdogProcess != dead || watched.isEmpty() && paths.isEmpty() && holders.isEmpty())
        {
            return;
        }
        if (System.nanoTime() - startedAt < TimeUnit.SECONDS.toNanos(1))
        {
            log.accept("the watchdog that stops ranks should this process die ended at once (exit "
                + dead.exitValue() + "); ranks would outlive a SIGKILL of it until the next one starts");
            watchdogProcess = null;
            commands = null;
            return;
        }
        restart();
    }
}
