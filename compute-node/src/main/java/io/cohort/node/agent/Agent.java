package io.cohort.node.agent;

import io.cohort.node.launch.ProcessStarter;
import io.cohort.node.launch.RankReaper;
import io.cohort.node.launch.SharedMemoryCleanup;
import io.cohort.node.protocol.AgentProtocol;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The compute-node agent behind {@code cohort node start}: it takes launch orders from launchers that hold the
 * cluster secret, runs each job's ranks in a fresh working directory, streams their output back, reports how each
 * ended, stops them on request or when the launcher is lost, and cleans up after every job. One job's crash never
 * touches the agent or another job; the agent's own death takes its ranks with it ({@link RankReaper}). One virtual
 * thread per connection.
 *
 * <p>Thread-safe.
 */
public final class Agent implements AutoCloseable
{
    private final AgentConfig config;
    private final PrintStream log;
    private final ProcessStarter starter;
    /** Kills every rank of this agent should the agent die without stopping them. */
    private final RankReaper reaper;
    private final ServerSocket listener;
    private final Set<AgentSession> sessions = ConcurrentHashMap.newKeySet();
    private final Thread acceptor;
    private final Thread shutdownHook;
    /** Held while the agent runs: one agent per work directory, so leftovers found at start are nobody's. */
    private final FileChannel workLockFile;
    private final FileLock workLock;
    private int freeSlots;
    private volatile boolean closed;

    /**
     * Starts listening and serving.
     *
     * @param config how to run
     * @param log    where the agent reports what it does
     * @throws IOException              if the listening address cannot be bound
     * @throws IllegalArgumentException if COHORT_SPAWN names no way to start processes that works here
     */
    public Agent(final AgentConfig config, final PrintStream log) throws IOException
    {
        this.config = config;
        this.log = log;
        this.starter = ProcessStarter.fromEnvironment(System.getenv());
        this.reaper = new RankReaper(this::log);
        this.freeSlots = config.slots();
        this.listener = new ServerSocket();
        listener.setReuseAddress(true);
        try
        {
            listener.bind(config.listen(), 64);
        }
        catch (final IOException ex)
        {
            listener.close();
            throw new IOException("cannot listen on " + config.listen() + ": " + ex.getMessage()
                + " (another agent there? choose another with --listen ADDR:PORT)", ex);
        }
        try
        {
            Files.createDirectories(config.workRoot());
            workLockFile = FileChannel.open(config.workRoot().resolve(".agent.lock"), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE);
            workLock = tryLock(workLockFile);
        }
        catch (final IOException ex)
        {
            listener.close();
            throw ex;
        }
        if (workLock == null)
        {
            workLockFile.close();
            listener.close();
            throw new IOException("another agent uses the work directory " + config.workRoot() + "; give this one "
                + "its own with --work-dir DIR (or another --name)");
        }
        removeLeftovers();
        this.shutdownHook = new Thread(this::stopSessions, "cohort-agent-shutdown");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
        this.acceptor = Thread.ofPlatform().name("cohort-agent-accept").start(this::acceptLoop);
        log("listening on " + address() + " with " + config.slots() + " slots (protocol "
            + AgentProtocol.VERSION + "), starting ranks with " + starter.mechanism().name().toLowerCase(Locale.ROOT));
    }

    /**
     * How this agent starts the processes of ranks.
     *
     * @return the starter
     */
    ProcessStarter starter()
    {
        return starter;
    }

    /**
     * What kills this agent's ranks should the agent die.
     *
     * @return the reaper
     */
    RankReaper reaper()
    {
        return reaper;
    }

    /**
     * The address the agent listens on (with the real port when port 0 was asked for).
     *
     * @return the bound address
     */
    public InetSocketAddress address()
    {
        return (InetSocketAddress) listener.getLocalSocketAddress();
    }

    /**
     * The agent's configuration.
     *
     * @return the configuration
     */
    public AgentConfig config()
    {
        return config;
    }

    /**
     * Slots not taken by a running job.
     *
     * @return free slots
     */
    public synchronized int freeSlots()
    {
        return freeSlots;
    }

    /**
     * Jobs running now.
     *
     * @return the number of live sessions with started ranks
     */
    public int runningJobs()
    {
        return (int) sessions.stream().filter(AgentSession::running).count();
    }

    synchronized boolean reserve(final int slots)
    {
        if (slots > freeSlots)
        {
            return false;
        }
        freeSlots -= slots;
        return true;
    }

    synchronized void release(final int slots)
    {
        freeSlots += slots;
    }

    void log(final String message)
    {
        synchronized (log)
        {
            log.println("cohort node " + config.name() + ": " + message);
        }
    }

    private void acceptLoop()
    {
        while (!closed)
        {
            final Socket socket;
            try
            {
                socket = listener.accept();
            }
            catch (final IOException ex)
            {
                if (!closed)
                {
                    log("stopped accepting: " + ex.getMessage());
                }
                return;
            }
            final AgentSession session = new AgentSession(this, socket);
            sessions.add(session);
            Thread.ofVirtual().name("cohort-agent-session").start(() ->
            {
                try
                {
                    session.run();
                }
                catch (final RuntimeException ex)
                {
                    // A session's failure ends that session only: the agent keeps serving.
                    log("a session failed: " + ex);
                }
                finally
                {
                    sessions.remove(session);
                }
            });
        }
    }

    private static FileLock tryLock(final FileChannel file) throws IOException
    {
        try
        {
            return file.tryLock();
        }
        catch (final OverlappingFileLockException ex)
        {
            // Another agent in this JVM holds it.
            return null;
        }
    }

    /**
     * Removes the working directories and /dev/shm files of jobs an earlier agent on this work directory left when
     * it died without cleaning up (its {@link RankReaper} killed its ranks and, unless it died too, removed these
     * already). Only this agent holds the directory now.
     */
    private void removeLeftovers() throws IOException
    {
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(config.workRoot(), "job-*"))
        {
            for (final Path dir : dirs)
            {
                final String name = dir.getFileName().toString();
                final String jobId = name.substring("job-".length(), Math.max("job-".length(), name.lastIndexOf('-')));
                JobWorkspace.deleteTree(dir);
                final int files = jobId.isEmpty() ? 0
                    : SharedMemoryCleanup.removeJobFiles(SharedMemoryCleanup.directoryFor(Map.of()), jobId);
                log("removed " + dir + (files > 0 ? " and " + files + " shared-memory files" : "")
                    + ", left by an agent that stopped without cleaning up");
            }
        }
    }

    private void stopSessions()
    {
        for (final AgentSession session : sessions)
        {
            session.stop("the agent is shutting down");
        }
        for (final AgentSession session : sessions)
        {
            session.awaitCleanup();
        }
    }

    /** Stops taking orders, stops every job's ranks and cleans up after them. Idempotent. */
    @Override
    public void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        try
        {
            listener.close();
        }
        catch (final IOException ex)
        {
            // Already closed.
        }
        stopSessions();
        reaper.close();
        try
        {
            workLock.release();
            workLockFile.close();
        }
        catch (final IOException ex)
        {
            // Closing releases it in any case.
        }
        try
        {
            acceptor.join(2_000);
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        catch (final IllegalStateException ex)
        {
            // The JVM is shutting down and the hook is running.
        }
    }
}
