package io.cohort.wireup;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The job's address exchange, hosted by the launcher: ranks put their addresses, fence, and read everyone's.
 * A rank that dies before a fence completes makes the launcher call {@link #abort}, which releases every waiting
 * rank with the reason, so no rank waits forever. One virtual thread per connection.
 *
 * <p>Thread-safe.
 */
public final class WireUpServer implements AutoCloseable
{
    private final int size;
    private final String token;
    private final ServerSocket listener;
    private final Map<String, String> values = new LinkedHashMap<>();
    private final Set<Integer> fencedRanks = new HashSet<>();
    private final Set<Integer> exitedRanks = new HashSet<>();
    private final List<Writer> fenceWaiters = new ArrayList<>();
    private final List<Socket> connections = new ArrayList<>();
    private String abortReason;
    private volatile ProgressListener progress;
    private volatile boolean closed;

    /** Hears the job's progress, as rank 0 reports it (the reports of other ranks are dropped). */
    @FunctionalInterface
    public interface ProgressListener
    {
        /**
         * A report arrived. Called on the connection's own thread: return soon.
         *
         * @param report the report
         */
        void progress(ProgressReport report);
    }

    /**
     * Starts listening.
     *
     * @param size    ranks in the job
     * @param token   the secret every rank must show
     * @param address where to listen, e.g. 127.0.0.1
     */
    public WireUpServer(final int size, final String token, final InetAddress address)
    {
        this.size = size;
        this.token = token;
        try
        {
            listener = new ServerSocket();
            listener.bind(new InetSocketAddress(address, 0), size * 2);
        }
        catch (final IOException ex)
        {
            throw new WireUpException("cannot open the job's address exchange on " + address + ": " + ex.getMessage(),
                ex);
        }
        Thread.ofVirtual().name("wireup-accept").start(this::acceptLoop);
    }

    /**
     * The secret ranks must show.
     *
     * @return the token
     */
    public String token()
    {
        return token;
    }

    /**
     * The host:port ranks connect to.
     *
     * @return host:port
     */
    public String hostPort()
    {
        return listener.getInetAddress().getHostAddress() + ":" + listener.getLocalPort();
    }

    /**
     * The port ranks connect to (when listening on every address, each host reaches it at its own address).
     *
     * @return the port
     */
    public int port()
    {
        return listener.getLocalPort();
    }

    /**
     * Sets who hears the job's progress reports (by default nobody: they are dropped).
     *
     * @param listener the listener, or null
     */
    public void onProgress(final ProgressListener listener)
    {
        this.progress = listener;
    }

    /**
     * Releases every rank waiting at a fence, now or later, with a reason: the job is failing.
     *
     * @param reason what happened, e.g. which rank exited
     */
    public synchronized void abort(final String reason)
    {
        if (abortReason == null)
        {
            abortReason = reason;
            for (final Writer waiter : fenceWaiters)
            {
                writeQuietly(waiter, WireUpProtocol.ABORT + " " + reason);
            }
            fenceWaiters.clear();
        }
    }

    /**
     * Tells the exchange a rank's process has ended. If a fence is pending that the rank never reached, it never
     * will: the waiting ranks are released with the reason rather than left to hang.
     *
     * @param rank the rank whose process ended
     */
    public synchronized void rankExited(final int rank)
    {
        exitedRanks.add(rank);
        abortIfSomeoneCannotArrive();
    }

    private void abortIfSomeoneCannotArrive()
    {
        if (fencedRanks.isEmpty())
        {
            return;
        }
        for (final int rank : exitedRanks)
        {
            if (!fencedRanks.contains(rank))
            {
                abort("rank " + rank + " exited before joining the job (did it call Cohort.init?)");
                return;
            }
        }
    }

    private void acceptLoop()
    {
        while (!closed)
        {
            try
            {
                final Socket socket = listener.accept();
                synchronized (this)
                {
                    connections.add(socket);
                }
                Thread.ofVirtual().name("wireup-rank").start(() -> serve(socket));
            }
            catch (final IOException ex)
            {
                return;
            }
        }
    }

    private void serve(final Socket socket)
    {
        try (socket)
        {
            socket.setTcpNoDelay(true);
            final BufferedReader in = new BufferedReader(
                new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            final Writer out = new OutputStreamWriter(socket.getOutputStream(), StandardCharsets.UTF_8);
            final int rank = hello(in.readLine(), out);
            if (rank < 0)
            {
                return;
            }
            String line;
            while ((line = in.readLine()) != null)
            {
                if (line.startsWith(WireUpProtocol.PUT + " "))
                {
                    final int space = line.indexOf(' ', 4);
                    if (space > 4)
                    {
                        synchronized (this)
                        {
                            values.put(line.substring(4, space), line.substring(space + 1));
                        }
                    }
                }
                else if (line.equals(WireUpProtocol.FENCE))
                {
                    fence(rank, out);
                }
                else if (line.startsWith(WireUpProtocol.PROGRESS + " "))
                {
                    progress(rank, line);
                }
            }
        }
        catch (final IOException ex)
        {
            // The rank went away; the launcher learns of it from the process itself.
        }
    }

    private void progress(final int rank, final String line)
    {
        final ProgressListener listener = progress;
        if (rank != 0 || listener == null)
        {
            return;
        }
        try
        {
            listener.progress(ProgressReport.fromLine(line));
        }
        catch (final IllegalArgumentException ex)
        {
            // A malformed report is dropped: progress is advice, it must never fail the job.
        }
    }

    private int hello(final String line, final Writer out)
    {
        final String[] parts = line == null ? new String[0] : line.split(" ");
        if (parts.length != 3 || !parts[0].equals(WireUpProtocol.HELLO))
        {
            writeQuietly(out, WireUpProtocol.ERR + " expected 'HELLO token rank'");
            return -1;
        }
        if (token != null && !token.equals(parts[1]))
        {
            writeQuietly(out, WireUpProtocol.ERR + " wrong job token");
            return -1;
        }
        final int rank;
        try
        {
            rank = Integer.parseInt(parts[2]);
        }
        catch (final NumberFormatException ex)
        {
            writeQuietly(out, WireUpProtocol.ERR + " rank '" + parts[2] + "' is not a number");
            return -1;
        }
        if (rank < 0 || rank >= size)
        {
            writeQuietly(out, WireUpProtocol.ERR + " rank " + rank + " is outside 0.." + (size - 1));
            return -1;
        }
        writeQuietly(out, WireUpProtocol.OK + " " + size);
        return rank;
    }

    private synchronized void fence(final int rank, final Writer out)
    {
        if (abortReason != null)
        {
            writeQuietly(out, WireUpProtocol.ABORT + " " + abortReason);
            return;
        }
        fencedRanks.add(rank);
        fenceWaiters.add(out);
        abortIfSomeoneCannotArrive();
        if (abortReason != null)
        {
            return;
        }
        if (fencedRanks.size() == size)
        {
            final StringBuilder all = new StringBuilder();
            values.forEach((k, v) -> all.append(WireUpProtocol.KV).append(' ').append(k).append(' ').append(v)
                .append('\n'));
            all.append(WireUpProtocol.FENCED);
            for (final Writer waiter : fenceWaiters)
            {
                writeQuietly(waiter, all.toString());
            }
            fenceWaiters.clear();
            fencedRanks.clear();
        }
    }

    private static void writeQuietly(final Writer out, final String text)
    {
        try
        {
            out.write(text);
            out.write('\n');
            out.flush();
        }
        catch (final IOException ex)
        {
            // A rank that cannot be told has gone; the launcher handles its exit.
        }
    }

    @Override
    public void close()
    {
        closed = true;
        try
        {
            listener.close();
        }
        catch (final IOException ex)
        {
            // Closing anyway.
        }
        synchronized (this)
        {
            for (final Socket socket : connections)
            {
                try
                {
                    socket.close();
                }
                catch (final IOException ex)
                {
                    // Closing anyway.
                }
            }
        }
    }
}
