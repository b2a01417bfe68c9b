package io.cohort.node.cluster;

import io.cohort.node.launch.LaunchException;
import io.cohort.node.protocol.AgentMessage;
import io.cohort.node.protocol.AgentProtocol;
import io.cohort.node.protocol.ClusterSecret;
import io.cohort.node.protocol.Handshake;
import io.cohort.node.protocol.MessageChannel;
import io.cohort.node.protocol.ProtocolException;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Duration;

/**
 * A launcher's authenticated connection to one agent, for one job.
 *
 * <p>Thread-safe for one reader and any number of writers, as its {@link MessageChannel}.
 */
public final class AgentClient implements AutoCloseable
{
    private static final int CONNECT_TIMEOUT_MS = 5_000;

    private final HostSlots host;
    private final MessageChannel channel;
    private final AgentMessage.Hello hello;

    private AgentClient(final HostSlots host, final MessageChannel channel, final AgentMessage.Hello hello)
    {
        this.host = host;
        this.channel = channel;
        this.hello = hello;
    }

    /**
     * Connects to an agent and proves both sides hold the cluster secret.
     *
     * @param host         the agent's host and port
     * @param secret       the cluster secret
     * @param silenceLimit how long the agent may stay silent
     * @return the connection
     * @throws LaunchException naming the host and what went wrong, with the fix
     */
    public static AgentClient connect(final HostSlots host, final ClusterSecret secret, final Duration silenceLimit)
    {
        final Socket socket = new Socket();
        try
        {
            socket.connect(new InetSocketAddress(host.host(), host.port()), CONNECT_TIMEOUT_MS);
        }
        catch (final UnknownHostException ex)
        {
            close(socket);
            throw new LaunchException("unknown host '" + host.host() + "': it does not resolve to an address", ex);
        }
        catch (final ConnectException ex)
        {
            close(socket);
            throw new LaunchException("cannot reach the agent on " + host.where() + " (" + ex.getMessage()
                + "): start one there with 'cohort node start'", ex);
        }
        catch (final SocketTimeoutException | NoRouteToHostException ex)
        {
            close(socket);
            throw new LaunchException("host " + host.where() + " is unreachable (no answer within "
                + CONNECT_TIMEOUT_MS / 1000 + " s)", ex);
        }
        catch (final IOException | IllegalArgumentException ex)
        {
            close(socket);
            throw new LaunchException("cannot connect to the agent on " + host.where() + ": " + ex.getMessage(), ex);
        }
        final MessageChannel channel = new MessageChannel(socket, "the agent on " + host.where(), silenceLimit);
        try
        {
            return handshake(host, channel, secret);
        }
        catch (final ProtocolException ex)
        {
            channel.close();
            throw new LaunchException(ex.getMessage(), ex);
        }
        catch (final LaunchException ex)
        {
            channel.close();
            throw ex;
        }
    }

    private static AgentClient handshake(final HostSlots host, final MessageChannel channel,
        final ClusterSecret secret)
    {
        try
        {
            return new AgentClient(host, channel, Handshake.dial(channel, secret));
        }
        catch (final Handshake.Failure ex)
        {
            throw new LaunchException(switch (ex.reason())
            {
                case NOT_COHORT -> host.where() + " is not a Cohort agent (it sent " + ex.detail() + ")";
                case PROTOCOL -> "the agent on " + host.where() + " speaks protocol " + ex.peerProtocol()
                    + " and this launcher " + AgentProtocol.VERSION + ": run the same Cohort version on every host";
                case REFUSED -> "the agent on " + host.where() + " refused the job: " + ex.detail();
                case WRONG_SECRET -> "the agent on " + host.where() + " does not hold this cluster's secret ("
                    + secret.file() + "): refusing to hand it a job";
            }, ex);
        }
    }

    private static void close(final Socket socket)
    {
        try
        {
            socket.close();
        }
        catch (final IOException ex)
        {
            // Never connected.
        }
    }

    /**
     * The host as given.
     *
     * @return the host
     */
    public HostSlots host()
    {
        return host;
    }

    /**
     * The agent's greeting: its name, slots and free slots.
     *
     * @return the greeting
     */
    public AgentMessage.Hello hello()
    {
        return hello;
    }

    /**
     * The connection.
     *
     * @return the message channel
     */
    public MessageChannel channel()
    {
        return channel;
    }

    /**
     * The address of this end as the agent sees it: where ranks on that host reach the launcher.
     *
     * @return an IP address
     */
    public String localAddress()
    {
        return channel.socket().getLocalAddress().getHostAddress();
    }

    @Override
    public void close()
    {
        channel.close();
    }
}
