package io.cohort.transport.tcp;

import io.cohort.transport.Settings;
import io.cohort.transport.TransportException;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.util.Enumeration;
import java.util.Map;

/**
 * Settings of the TCP provider, read from the environment with {@link #fromEnvironment}:
 * <pre>{@code
 * TcpConfig config = TcpConfig.fromEnvironment(System.getenv());
 * Transport tcp = new TcpTransport(config, jobId, rank, size);
 * }</pre>
 *
 * @param address          the IP address to listen on and publish to peers (COHORT_TCP_ADDRESS)
 * @param port             the port to listen on, 0 for any free one (COHORT_TCP_PORT)
 * @param bulkSlots        large-message fragments in flight per pair of ranks (COHORT_TCP_BULK_SLOTS)
 * @param bulkSlotLength   the size of one fragment, a multiple of 4096 (COHORT_TCP_BULK_SLOT_BYTES)
 * @param sendBuffer       bytes of frames to one peer the socket has not yet taken before {@code tryClaim}
 *                         back-pressures (COHORT_TCP_SEND_BUFFER)
 * @param connectTimeoutMs how long the first send to a peer waits for its connection (COHORT_TCP_CONNECT_TIMEOUT_MS)
 * @param socketBuffer     the kernel's send and receive buffer per socket (SO_SNDBUF, SO_RCVBUF), or 0 to let the
 *                         kernel size them itself (COHORT_TCP_SOCKET_BUFFER)
 */
public record TcpConfig(InetAddress address, int port, int bulkSlots, int bulkSlotLength, int sendBuffer,
    int connectTimeoutMs, int socketBuffer)
{
    /** The default number of bulk slots per pair, as the shared-memory provider's. */
    public static final int DEFAULT_BULK_SLOTS = 8;
    /** The default bulk slot: 64 KiB. */
    public static final int DEFAULT_BULK_SLOT_LENGTH = 64 * 1024;
    /** The default send buffer per peer: 256 KiB, on top of what the kernel's socket buffer holds. */
    public static final int DEFAULT_SEND_BUFFER = 256 * 1024;
    /** The default connect timeout: 10 s, room for a busy peer's listen backlog. */
    public static final int DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
    /** The smallest send buffer: two of the largest frames. */
    public static final int MIN_SEND_BUFFER = 2 * TcpFrameLayout.MAX_FRAME_RECORD_LENGTH;
    private static final int MAX_SEND_BUFFER = 1 << 30;
    /** The smallest socket buffer one may ask for: below it a large message costs a wake-up per few KiB. */
    public static final int MIN_SOCKET_BUFFER = 65_536;

    /** Checks the settings. */
    public TcpConfig
    {
        if (address == null)
        {
            throw new TransportException("COHORT_TCP_ADDRESS: no address given");
        }
        if (port < 0 || port > 65535)
        {
            throw new TransportException("COHORT_TCP_PORT=" + port + " must be between 0 and 65535 (0 picks a free "
                + "port, the default)");
        }
        if (bulkSlots < 2 || bulkSlots > 1024)
        {
            throw new TransportException("COHORT_TCP_BULK_SLOTS=" + bulkSlots + " must be between 2 and 1024 (for "
                + "example 8)");
        }
        if (bulkSlotLength < 4096 || bulkSlotLength % 4096 != 0 || bulkSlotLength > 64 << 20)
        {
            throw new TransportException("COHORT_TCP_BULK_SLOT_BYTES=" + bulkSlotLength + " must be a multiple of "
                + "4096 between 4096 and 67108864 (for example 65536)");
        }
        if ((long) bulkSlots * TcpFrameLayout.bulkStride(bulkSlotLength) > Integer.MAX_VALUE)
        {
            throw new TransportException("COHORT_TCP_BULK_SLOTS=" + bulkSlots + " times COHORT_TCP_BULK_SLOT_BYTES="
                + bulkSlotLength + " exceeds 2 GiB per pair of ranks; lower one of them");
        }
        if (sendBuffer < MIN_SEND_BUFFER || sendBuffer > MAX_SEND_BUFFER)
        {
            throw new TransportException("COHORT_TCP_SEND_BUFFER=" + sendBuffer + " must be between "
                + MIN_SEND_BUFFER + " (two of the largest frames) and " + MAX_SEND_BUFFER + " (for example "
                + DEFAULT_SEND_BUFFER + ")");
        }
        if (socketBuffer != 0 && (socketBuffer < MIN_SOCKET_BUFFER || socketBuffer > MAX_SEND_BUFFER))
        {
            throw new TransportException("COHORT_TCP_SOCKET_BUFFER=" + socketBuffer + " must be 0 (the kernel sizes "
                + "socket buffers itself) or between " + MIN_SOCKET_BUFFER + " and " + MAX_SEND_BUFFER
                + " (for example 4194304; the kernel caps it at net.core.wmem_max and rmem_max)");
        }
        if (connectTimeoutMs < 1 || connectTimeoutMs > 600_000)
        {
            throw new TransportException("COHORT_TCP_CONNECT_TIMEOUT_MS=" + connectTimeoutMs + " must be between 1 "
                + "and 600000 (for example " + DEFAULT_CONNECT_TIMEOUT_MS + ")");
        }
    }

    /**
     * Reads the settings from the environment, with defaults. Without COHORT_TCP_ADDRESS the address is this host's
     * name as resolved by {@link InetAddress#getLocalHost()} when that is not a loopback address, else the first
     * IPv4 address of an interface that is up and not loopback, else 127.0.0.1 (a host with no network: ranks on it
     * still reach each other).
     *
     * @param env the environment
     * @return the settings
     */
    public static TcpConfig fromEnvironment(final Map<String, String> env)
    {
        final String address = env.get("COHORT_TCP_ADDRESS");
        return new TcpConfig(address == null || address.isBlank() ? defaultAddress() : parseAddress(address.trim()),
            Settings.integer(env, "COHORT_TCP_PORT", 0),
            Settings.integer(env, "COHORT_TCP_BULK_SLOTS", DEFAULT_BULK_SLOTS),
            Settings.integer(env, "COHORT_TCP_BULK_SLOT_BYTES", DEFAULT_BULK_SLOT_LENGTH),
            Settings.integer(env, "COHORT_TCP_SEND_BUFFER", DEFAULT_SEND_BUFFER),
            Settings.integer(env, "COHORT_TCP_CONNECT_TIMEOUT_MS", DEFAULT_CONNECT_TIMEOUT_MS),
            Settings.integer(env, "COHORT_TCP_SOCKET_BUFFER", 0));
    }

    /**
     * The defaults, listening on the loopback address: for ranks that are threads of one process.
     *
     * @return the settings
     */
    public static TcpConfig loopback()
    {
        return new TcpConfig(InetAddress.getLoopbackAddress(), 0, DEFAULT_BULK_SLOTS, DEFAULT_BULK_SLOT_LENGTH,
            DEFAULT_SEND_BUFFER, DEFAULT_CONNECT_TIMEOUT_MS, 0);
    }

    /**
     * These settings with another send buffer.
     *
     * @param bytes the send buffer per peer
     * @return the settings
     */
    public TcpConfig withSendBuffer(final int bytes)
    {
        return new TcpConfig(address, port, bulkSlots, bulkSlotLength, bytes, connectTimeoutMs, socketBuffer);
    }

    /**
     * These settings with another bulk geometry.
     *
     * @param slots  bulk slots per pair
     * @param length bytes per slot
     * @return the settings
     */
    public TcpConfig withBulkSlots(final int slots, final int length)
    {
        return new TcpConfig(address, port, slots, length, sendBuffer, connectTimeoutMs, socketBuffer);
    }

    private static InetAddress parseAddress(final String text)
    {
        final InetAddress address;
        try
        {
            address = InetAddress.getByName(text);
        }
        catch (final UnknownHostException ex)
        {
            throw new TransportException("COHORT_TCP_ADDRESS=" + text + " is neither an IP address nor a host name "
                + "that resolves; set it to an IP address of this host's network interfaces", ex);
        }
        if (address.isAnyLocalAddress() || address.isMulticastAddress())
        {
            throw new TransportException("COHORT_TCP_ADDRESS=" + text + " is not one host's address (peers connect "
                + "to the address published); set it to an IP address of this host's network interfaces");
        }
        return address;
    }

    private static InetAddress defaultAddress()
    {
        try
        {
            final InetAddress local = InetAddress.getLocalHost();
            if (!local.isLoopbackAddress())
            {
                return local;
            }
        }
        catch (final UnknownHostException ex)
        {
            // The host name does not resolve: look at the interfaces instead.
        }
        try
        {
            final Enumeration<NetworkInterface> interfaces = NetworkInterface.getNetworkInterfaces();
            while (interfaces != null && interfaces.hasMoreElements())
            {
                final NetworkInterface nic = interfaces.nextElement();
                if (!nic.isUp() || nic.isLoopback())
                {
                    continue;
                }
                final Enumeration<InetAddress> addresses = nic.getInetAddresses();
                while (addresses.hasMoreElements())
                {
                    final InetAddress candidate = addresses.nextElement();
                    if (candidate instanceof Inet4Address && !candidate.isLinkLocalAddress())
                    {
                        return candidate;
                    }
                }
            }
        }
        catch (final SocketException ex)
        {
            // No interface list: fall back to loopback, which at least serves ranks of this host.
        }
        return InetAddress.getLoopbackAddress();
    }
}
