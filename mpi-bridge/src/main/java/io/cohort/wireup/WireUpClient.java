package io.cohort.wireup;

import io.cohort.transport.AddressExchange;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * A rank's side of the job's address exchange (a PMI-like key-value service hosted by the launcher): put, fence,
 * get. Control path: plain blocking sockets, used only while a rank starts.
 *
 * <p>Not thread-safe.
 */
public final class WireUpClient implements AddressExchange, AutoCloseable
{
    private static final int CONNECT_TIMEOUT_MS = 10_000;

    private final Socket socket;
    private final BufferedReader in;
    private final Writer out;
    private final Map<String, String> fenced = new HashMap<>();
    private final int rank;
    private volatile boolean closing;

    /**
     * Connects and introduces this rank.
     *
     * @param hostPort the exchange's host:port
     * @param token    the job's secret
     * @param rank     this rank
     */
    public WireUpClient(final String hostPort, final String token, final int rank)
    {
        this.rank = rank;
        final int colon = hostPort.lastIndexOf(':');
        if (colon < 0)
        {
            throw new WireUpException("COHORT_WIREUP=" + hostPort + " is not host:port");
        }
        try
        {
            socket = new Socket();
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress(hostPort.substring(0, colon),
                Integer.parseInt(hostPort.substring(colon + 1))), CONNECT_TIMEOUT_MS);
            in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            out = new OutputStreamWriter(socket.getOutputStream(), StandardCharsets.UTF_8);
            send(WireUpProtocol.HELLO + " " + (token == null ? "-" : token) + " " + rank);
            final String reply = in.readLine();
            if (reply == null || !reply.startsWith(WireUpProtocol.OK))
            {
                throw new WireUpException("the job's address exchange at " + hostPort + " refused rank " + rank + ": "
                    + (reply == null ? "connection closed" : reply));
            }
        }
        catch (final IOException | NumberFormatException ex)
        {
            throw new WireUpException("rank " + rank + " cannot reach the job's address exchange at " + hostPort
                + ": " + ex.getMessage(), ex);
        }
    }

    @Override
    public void put(final String key, final String value)
    {
        if (key.isEmpty() || key.chars().anyMatch(Character::isWhitespace) || value.indexOf('\n') >= 0)
        {
            throw new WireUpException("bad key-value pair for the exchange: key '" + key + "' must be non-empty "
                + "without white space and the value must be one line");
        }
        send(WireUpProtocol.PUT + " " + key + " " + value);
    }

    @Override
    public String get(final String key)
    {
        return fenced.get(key);
    }

    @Override
    public void fence()
    {
        send(WireUpProtocol.FENCE);
        try
        {
            String line;
            while ((line = in.readLine()) != null)
            {
                if (line.equals(WireUpProtocol.FENCED))
                {
                    return;
                }
                if (line.startsWith(WireUpProtocol.KV + " "))
                {
                    final int space = line.indexOf(' ', 3);
                    fenced.put(line.substring(3, space), line.substring(space + 1));
                }
                else if (line.startsWith(WireUpProtocol.ABORT))
                {
                    throw new WireUpException("rank " + rank + " gave up waiting for the other ranks: "
                        + line.substring(WireUpProtocol.ABORT.length()).trim());
                }
            }
            throw new WireUpException("the job's address exchange closed while rank " + rank
                + " waited at a fence (the launcher ended)");
        }
        catch (final IOException ex)
        {
            throw new WireUpException("rank " + rank + " lost the job's address exchange at a fence: "
                + ex.getMessage(), ex);
        }
    }

    /**
     * Sends a progress report to the exchange (which is not answered). Call after wire-up, from one thread at a
     * time; the rank's own coalescing keeps this to a few lines a second.
     *
     * @param report the report
     * @throws WireUpException if the exchange is gone
     */
    public void progress(final ProgressReport report)
    {
        send(report.toLine());
    }

    /**
     * Watches the connection to the launcher from a daemon thread: if the launcher goes away (it was killed, even
     * with SIGKILL), the rank must not live on as an orphan, so {@code onLost} runs. Call once wire-up is done.
     *
     * @param onLost what to do when the launcher is gone
     */
    public void watchLauncher(final Runnable onLost)
    {
        Thread.ofPlatform().daemon().name("cohort-launcher-watch").start(() ->
        {
            try
            {
                while (in.readLine() != null)
                {
                    // Nothing more is said after wire-up; any line is ignored.
                }
            }
            catch (final IOException ex)
            {
                // Treated as the end of the connection.
            }
            if (!closing)
            {
                onLost.run();
            }
        });
    }

    private void send(final String line)
    {
        try
        {
            out.write(line);
            out.write('\n');
            out.flush();
        }
        catch (final IOException ex)
        {
            throw new WireUpException("rank " + rank + " cannot write to the job's address exchange: "
                + ex.getMessage(), ex);
        }
    }

    @Override
    public void close()
    {
        closing = true;
        try
        {
            socket.close();
        }
        catch (final IOException ex)
        {
            // Nothing to do: the exchange notices the closed connection.
        }
    }
}
