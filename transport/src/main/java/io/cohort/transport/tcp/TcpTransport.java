package io.cohort.transport.tcp;

import io.cohort.transport.AddressExchange;
import io.cohort.transport.FrameHandler;
import io.cohort.transport.Transport;
import io.cohort.transport.TransportException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.DefaultChannelPromise;
import io.netty.channel.ManualIoEventLoop;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioChannelOption;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.unix.Socket;
import jdk.net.ExtendedSocketOptions;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static io.cohort.transport.tcp.TcpFrameLayout.BULK;
import static io.cohort.transport.tcp.TcpFrameLayout.BULK_PREFIX_LENGTH;
import static io.cohort.transport.tcp.TcpFrameLayout.BULK_SLOT_INDEX_OFFSET;
import static io.cohort.transport.tcp.TcpFrameLayout.HEADER_LENGTH;
import static io.cohort.transport.tcp.TcpFrameLayout.HELLO;
import static io.cohort.transport.tcp.TcpFrameLayout.HELLO_BULK_SLOTS_OFFSET;
import static io.cohort.transport.tcp.TcpFrameLayout.HELLO_BULK_SLOT_LENGTH_OFFSET;
import static io.cohort.transport.tcp.TcpFrameLayout.HELLO_JOB_ID_LENGTH_OFFSET;
import static io.cohort.transport.tcp.TcpFrameLayout.HELLO_JOB_ID_OFFSET;
import static io.cohort.transport.tcp.TcpFrameLayout.HELLO_MAGIC_OFFSET;
import static io.cohort.transport.tcp.TcpFrameLayout.HELLO_RANK_OFFSET;
import static io.cohort.transport.tcp.TcpFrameLayout.HELLO_VERSION_OFFSET;
import static io.cohort.transport.tcp.TcpFrameLayout.LENGTH_OFFSET;
import static io.cohort.transport.tcp.TcpFrameLayout.MAGIC;
import static io.cohort.transport.tcp.TcpFrameLayout.MAX_FRAME_LENGTH;
import static io.cohort.transport.tcp.TcpFrameLayout.MAX_FRAME_RECORD_LENGTH;
import static io.cohort.transport.tcp.TcpFrameLayout.MAX_JOB_ID_BYTES;
import static io.cohort.transport.tcp.TcpFrameLayout.TYPE_OFFSET;
import static io.cohort.transport.tcp.TcpFrameLayout.VERSION;

/**
 * The TCP provider, on Netty: for ranks on different hosts (or network namespaces). A rank's first send to a peer
 * takes the connection the peer opened to it if there is one, else opens one; its frames, bulk slots and direct
 * transfers to that peer stay on the connection chosen, so they arrive in order. Usually a pair of ranks shares one
 * connection both ways; two ranks that send first at the same moment each open one, and each side reads both.
 *
 * <p>No I/O thread: the sockets are driven by a Netty {@link ManualIoEventLoop} that the rank's own thread runs,
 * without blocking, in every {@link #poll}. A waiting rank therefore busy-polls its sockets and sees a frame
 * microseconds after it lands, instead of waiting for another thread to be woken; and a commit writes to the
 * socket at once, on the calling thread, with no hand-off.
 *
 * <p>The event loop belongs to the first thread that sends or polls (not to the one that constructs and wires the
 * transport up), so a transport may be created on one thread and handed to another before its first use, as
 * {@code Cohort.join} does. After that, only that thread may use it.
 *
 * <pre>{@code
 * TcpTransport tcp = new TcpTransport(TcpConfig.fromEnvironment(System.getenv()), jobId, rank, size);
 * tcp.publish(exchange);   exchange.fence();
 * tcp.connect(peer, exchange);   // for each peer
 * }</pre>
 *
 * <p>Not thread-safe: one thread per rank.
 */
public final class TcpTransport implements Transport
{
    /** The exchange key under which rank {@code r} publishes {@code host:port}: this prefix, then r. */
    public static final String KEY_PREFIX = "tcp.";
    /** Seconds a connection may be idle before the kernel probes it. */
    public static final int KEEPALIVE_IDLE_SECONDS = 2;
    /** Seconds between keepalive probes. */
    public static final int KEEPALIVE_INTERVAL_SECONDS = 1;
    /** Unanswered probes after which the kernel declares the connection dead (about 5 s after it went quiet). */
    public static final int KEEPALIVE_PROBES = 3;
    /** Milliseconds sent data may stay unacknowledged before the kernel drops the connection (Linux only). */
    public static final int USER_TIMEOUT_MS = 5_000;

    private static final int LISTEN_BACKLOG = 1024;
    private static final long CLOSE_FLUSH_NANOS = TimeUnit.SECONDS.toNanos(2);
    private static final long CONNECT_PARK_NANOS = 20_000;
    /**
     * While polling without blocking, sockets are read directly and Netty's event loop (epoll_wait, accepts, closes,
     * writes the socket could not take at once) runs on one poll in this many, or at once when it has work. Each run
     * is an epoll_wait system call on a waiting rank's spin: one poll in 128 rather than 16 took the 8 B ping-pong
     * from 3.02-3.43 to 2.85-3.00 µs one-way (six interleaved pairs, 2026-12-06); a waiting rank that blocks runs the
     * loop anyway, and accepts and closes wait at most 128 polls (tens of microseconds).
     */
    private static final int LOOP_EVERY_POLLS = 128;
    /** Whether this process has said that TCP falls back to NIO (once is enough). */
    private static volatile boolean warnedOfNio;

    private final TcpConfig config;
    private final String jobId;
    private final byte[] jobIdBytes;
    private final int rank;
    private final int size;
    private final boolean epoll;
    private final ManualIoEventLoop loop;
    private final Arena arena = Arena.ofShared();
    private final InetSocketAddress[] addresses;
    private final TcpConnection[] send;
    private final TcpConnection[] in;
    private final int[] states;
    private final String[] reasons;
    private final MemorySegment[] bulkOut;
    private final ByteBuf[] bulkOutBuffers;
    private final ByteBuf[][] bulkOutViews;
    private final long[] bulkProduced;
    private final long[] bulkCredited;
    private final MemorySegment[] bulkIn;
    private final ByteBuffer[] bulkInViews;
    private final int[] creditsOwed;
    private final DirectTargets[] directTargets;
    private final boolean[] moveWanted;
    private final boolean[] movedFrom;
    private boolean anyCreditsOwed;
    private int pollsWithoutLoop;
    private TcpConnection[] connections = new TcpConnection[0];
    private Thread owner;
    private Socket listeningSocket;
    private ServerSocketChannel listeningChannel;
    private Channel server;
    private String published;
    private String lastRefusal;
    private FrameHandler handler;
    private int delivered;
    private boolean placed;
    private RuntimeException failure;
    private boolean closing;
    /** Frames that arrive while this rank lingers on closing have no one to take them. */
    private static final FrameHandler DROP_FRAMES = (peer, frameType, buffer, offset, length) ->
    {
    };
    private static final long LINGER_WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    private boolean closed;
    private boolean aborted;

    /**
     * Creates this rank's end; nothing listens until {@link #publish}.
     *
     * @param config the provider's settings
     * @param jobId  the job's id: connections from ranks of other jobs are refused
     * @param rank   this rank
     * @param size   ranks in the job
     */
    public TcpTransport(final TcpConfig config, final String jobId, final int rank, final int size)
    {
        this(config, jobId, rank, size, Epoll.isAvailable());
    }

    /**
     * Creates this rank's end over the socket layer {@code io} names, as COHORT_TCP_IO does: {@code auto} (the
     * default) takes Netty's native epoll transport when it loads and otherwise Java's NIO selector, saying so once
     * on standard error with the reason; {@code epoll} insists on epoll; {@code nio} takes NIO.
     *
     * @param config the provider's settings
     * @param jobId  the job's id
     * @param rank   this rank
     * @param size   ranks in the job
     * @param io     {@code auto}, {@code epoll} or {@code nio} (null means auto)
     * @return the transport
     * @throws TransportException if {@code io} is none of them, or epoll is demanded and does not load
     */
    public static TcpTransport create(final TcpConfig config, final String jobId, final int rank, final int size,
        final String io)
    {
        final String choice = io == null || io.isBlank() ? "auto" : io.trim();
        return switch (choice)
        {
            case "nio" -> new TcpTransport(config, jobId, rank, size, false);
            case "epoll" ->
            {
                if (!Epoll.isAvailable())
                {
                    throw new TransportException("COHORT_TCP_IO=epoll, but Netty's native epoll transport does not "
                        + "load here (" + Epoll.unavailabilityCause() + "); use COHORT_TCP_IO=nio or auto");
                }
                yield new TcpTransport(config, jobId, rank, size, true);
            }
            case "auto" ->
            {
                final boolean epoll = Epoll.isAvailable();
                if (!epoll && !warnedOfNio)
                {
                    warnedOfNio = true;
                    System.err.println("cohort: rank " + rank + ": Netty's native epoll transport does not load ("
                        + Epoll.unavailabilityCause() + "); TCP runs over Java NIO, which wakes up more slowly");
                }
                yield new TcpTransport(config, jobId, rank, size, epoll);
            }
            default -> throw new TransportException("COHORT_TCP_IO=" + choice + " is not a socket layer; use auto "
                + "(epoll when it loads, else NIO), epoll or nio");
        };
    }

    /**
     * Creates this rank's end over epoll or over Java's NIO selector (the fallback where epoll is unavailable).
     *
     * @param config   the provider's settings
     * @param jobId    the job's id
     * @param rank     this rank
     * @param size     ranks in the job
     * @param useEpoll true for Netty's native epoll transport
     */
    TcpTransport(final TcpConfig config, final String jobId, final int rank, final int size, final boolean useEpoll)
    {
        if (rank < 0 || rank >= size)
        {
            throw new TransportException("rank " + rank + " is outside a job of " + size + " ranks");
        }
        this.jobIdBytes = jobId.getBytes(StandardCharsets.UTF_8);
        if (jobIdBytes.length > MAX_JOB_ID_BYTES)
        {
            throw new TransportException("job id of " + jobIdBytes.length + " bytes is longer than the "
                + MAX_JOB_ID_BYTES + " a tcp hello carries");
        }
        this.config = config;
        this.jobId = jobId;
        this.rank = rank;
        this.size = size;
        this.epoll = useEpoll;
        // The owning thread is set on first use (see the class comment), so the loop is created without one.
        this.loop = new ManualIoEventLoop(null, null,
            useEpoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        this.addresses = new InetSocketAddress[size];
        this.send = new TcpConnection[size];
        this.in = new TcpConnection[size];
        this.states = new int[size];
        this.reasons = new String[size];
        this.bulkOut = new MemorySegment[size];
        this.bulkOutBuffers = new ByteBuf[size];
        this.bulkOutViews = new ByteBuf[size][];
        this.bulkProduced = new long[size];
        this.bulkCredited = new long[size];
        this.bulkIn = new MemorySegment[size];
        this.bulkInViews = new ByteBuffer[size];
        this.creditsOwed = new int[size];
        this.directTargets = new DirectTargets[size];
        this.moveWanted = new boolean[size];
        this.movedFrom = new boolean[size];
    }

    @Override
    public String name()
    {
        return "tcp";
    }

    @Override
    public String describe()
    {
        return epoll ? "tcp" : "tcp (nio)";
    }

    /**
     * The address this rank listens on, as published.
     *
     * @return {@code host:port}, or null before {@link #publish}
     */
    public String address()
    {
        return published;
    }

    /**
     * Why the last incoming connection was refused (another job, another version, a stray client), for diagnosis.
     *
     * @return the reason, or null if none was refused
     */
    public String lastRefusal()
    {
        return lastRefusal;
    }

    @Override
    public void publish(final AddressExchange exchange)
    {
        if (published == null)
        {
            listen();
        }
        exchange.put(KEY_PREFIX + rank, published);
    }

    private void listen()
    {
        final InetSocketAddress bindTo = new InetSocketAddress(config.address(), config.port());
        final int port;
        try
        {
            if (epoll)
            {
                final Socket socket = Socket.newSocketStream();
                try
                {
                    socket.setReuseAddress(true);
                    socket.bind(bindTo);
                    socket.listen(LISTEN_BACKLOG);
                }
                catch (final IOException ex)
                {
                    socket.close();
                    throw ex;
                }
                listeningSocket = socket;
                port = socket.localAddress().getPort();
            }
            else
            {
                final ServerSocketChannel channel = ServerSocketChannel.open();
                try
                {
                    channel.bind(bindTo, LISTEN_BACKLOG);
                }
                catch (final IOException ex)
                {
                    channel.close();
                    throw ex;
                }
                listeningChannel = channel;
                port = ((InetSocketAddress) channel.getLocalAddress()).getPort();
            }
        }
        catch (final IOException ex)
        {
            throw new TransportException("rank " + rank + " cannot listen on COHORT_TCP_ADDRESS="
                + config.address().getHostAddress() + " COHORT_TCP_PORT=" + config.port() + ": " + ex.getMessage()
                + "; set COHORT_TCP_ADDRESS to an address of this host's interfaces (see 'ip addr') and "
                + "COHORT_TCP_PORT to a free port, or 0 for any", ex);
        }
        final String host = config.address().getHostAddress();
        published = (config.address() instanceof Inet6Address ? "[" + host + "]" : host) + ":" + port;
        if (owner != null)
        {
            registerServer();
        }
    }

    @Override
    public boolean connect(final int peer, final AddressExchange exchange)
    {
        final String card = exchange.get(KEY_PREFIX + peer);
        if (card == null)
        {
            return false;
        }
        final int colon = card.lastIndexOf(':');
        if (colon <= 0)
        {
            throw new TransportException("rank " + peer + " published the tcp address '" + card
                + "', which is not host:port");
        }
        String host = card.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]"))
        {
            host = host.substring(1, host.length() - 1);
        }
        try
        {
            addresses[peer] = new InetSocketAddress(InetAddress.getByName(host),
                Integer.parseInt(card.substring(colon + 1)));
        }
        catch (final UnknownHostException | IllegalArgumentException ex)
        {
            throw new TransportException("rank " + peer + " published the tcp address '" + card
                + "', which does not resolve to a host and port: " + ex.getMessage(), ex);
        }
        return true;
    }

    @Override
    public void connected()
    {
        // Connections are opened on first use: a rank that never sends to a peer never connects to it.
    }

    @Override
    public int maxFrameLength()
    {
        return MAX_FRAME_LENGTH;
    }

    @Override
    public int tryClaim(final int peer, final int frameType, final int length)
    {
        if (length < 0 || length > MAX_FRAME_LENGTH || frameType <= 0)
        {
            throw new IllegalArgumentException("cannot claim a frame of type " + frameType + " and " + length
                + " bytes: the type must be positive and the length between 0 and " + MAX_FRAME_LENGTH);
        }
        own();
        final TcpConnection connection = outbound(peer);
        if (connection == null)
        {
            return BACK_PRESSURED;
        }
        final int at = connection.claim(frameType, length);
        return at < 0 ? BACK_PRESSURED : at + HEADER_LENGTH;
    }

    @Override
    public MemorySegment frameBuffer(final int peer)
    {
        return send[peer].staging();
    }

    @Override
    public void commit(final int peer, final int offset)
    {
        send[peer].commit(offset - HEADER_LENGTH);
    }

    @Override
    public void abortClaim(final int peer, final int offset)
    {
        send[peer].abort(offset - HEADER_LENGTH);
    }

    @Override
    public int poll(final FrameHandler frameHandler, final int limit)
    {
        return pollOrWait(frameHandler, limit, 0);
    }

    @Override
    public boolean wakesOnArrival()
    {
        return true;
    }

    @Override
    public int awaitFrames(final FrameHandler frameHandler, final int limit, final long timeoutNanos)
    {
        return pollOrWait(frameHandler, limit, Math.max(1, timeoutNanos));
    }

    /** Delivers what has arrived; when nothing has and waitNanos is positive, blocks in epoll up to that long. */
    private int pollOrWait(final FrameHandler frameHandler, final int limit, final long waitNanos)
    {
        own();
        handler = frameHandler;
        delivered = 0;
        placed = false;
        try
        {
            boolean runLoop = !epoll || ++pollsWithoutLoop >= LOOP_EVERY_POLLS;
            final TcpConnection[] all = connections;
            for (final TcpConnection connection : all)
            {
                connection.budget(limit);
                if (connection.hasHeld())
                {
                    connection.drainHeld();
                }
                if (epoll && failure == null && readsDirectly(connection) && connection.readDirect())
                {
                    runLoop = true;
                }
                if (!connection.nothingUnwritten())
                {
                    // Netty holds bytes the socket could not take: its loop writes them on EPOLLOUT.
                    runLoop = true;
                }
            }
            if (anyCreditsOwed)
            {
                payCredits();
            }
            if (failure == null)
            {
                if (waitNanos > 0 && delivered == 0 && !placed)
                {
                    // Parking in epoll_wait rather than in the scheduler: the first byte to arrive wakes the rank.
                    pollsWithoutLoop = 0;
                    loop.run(waitNanos);
                }
                else if (runLoop)
                {
                    pollsWithoutLoop = 0;
                    loop.runNow();
                }
            }
            if (anyCreditsOwed)
            {
                // Slots released by this poll's frames: one credit per peer, not one write per slot.
                payCredits();
            }
        }
        finally
        {
            handler = null;
        }
        final RuntimeException thrown = failure;
        if (thrown != null)
        {
            failure = null;
            throw thrown;
        }
        // Bytes placed straight into a receive are progress too: the rank keeps spinning while a transfer streams in
        // instead of blocking in epoll between reads (a wake-up per socket buffer of a large message).
        return placed ? delivered + 1 : delivered;
    }

    /**
     * Whether a poll reads this connection itself: every connection whose peer is known (the peer's frames and
     * credits may come on any of them; usually there is one per peer) until traffic moved off it. Otherwise the
     * event loop reads it
     * (a goodbye, the end of the stream) when it runs.
     */
    private boolean readsDirectly(final TcpConnection connection)
    {
        return connection.peer() >= 0 && !connection.retired();
    }

    @Override
    public int bulkSlotLength()
    {
        return config.bulkSlotLength();
    }

    @Override
    public int tryClaimBulk(final int peer)
    {
        own();
        final TcpConnection connection = outbound(peer);
        if (connection == null)
        {
            return BACK_PRESSURED;
        }
        final long produced = bulkProduced[peer];
        if (produced - bulkCredited[peer] >= config.bulkSlots())
        {
            return BACK_PRESSURED;
        }
        if (bulkOut[peer] == null)
        {
            allocateBulkOut(peer);
        }
        return TcpFrameLayout.bulkSlotOffset((int) (produced % config.bulkSlots()), config.bulkSlotLength());
    }

    @Override
    public MemorySegment bulkBuffer(final int peer)
    {
        if (bulkOut[peer] == null)
        {
            allocateBulkOut(peer);
        }
        return bulkOut[peer];
    }

    @Override
    public void commitBulk(final int peer)
    {
        commitBulk(peer, config.bulkSlotLength());
    }

    @Override
    public void commitBulk(final int peer, final int length)
    {
        final int slotLength = config.bulkSlotLength();
        if (length < 0 || length > slotLength)
        {
            throw new IllegalArgumentException("cannot commit " + length + " bytes of a bulk slot to rank " + peer
                + ": a slot holds 0 to " + slotLength + " bytes (COHORT_TCP_BULK_SLOT_BYTES)");
        }
        final int index = (int) (bulkProduced[peer] % config.bulkSlots());
        final int start = index * TcpFrameLayout.bulkStride(slotLength);
        final MemorySegment slots = bulkOut[peer];
        final int body = BULK_PREFIX_LENGTH - HEADER_LENGTH + length;
        slots.set(ValueLayout.JAVA_INT, start + LENGTH_OFFSET, body);
        slots.set(ValueLayout.JAVA_INT, start + TYPE_OFFSET, BULK);
        slots.set(ValueLayout.JAVA_INT, start + BULK_SLOT_INDEX_OFFSET, index);
        bulkProduced[peer]++;
        // The filled part of the slot goes out from where the engine filled it: no copy. The slot is not refilled
        // before the receiver's credit for it comes back, by which time the socket has long taken it.
        send[peer].write(bulkOutBuffers[peer], bulkOutViews[peer][index], slots.address(), start,
            TcpFrameLayout.recordLength(body));
    }

    @Override
    public boolean movesDirect(final int peer)
    {
        // The receiving side reads the socket itself, which only the epoll transport lets it do.
        return epoll;
    }

    @Override
    public void expectDirect(final int peer, final long transferId, final MemorySegment destination)
    {
        if (!epoll)
        {
            throw new UnsupportedOperationException("the tcp transport over Java NIO does not move messages "
                + "directly (movesDirect is false)");
        }
        if (!destination.isNative())
        {
            throw new IllegalArgumentException("direct transfer " + transferId + " from rank " + peer + " needs "
                + "native memory to land in, not " + destination);
        }
        DirectTargets targets = directTargets[peer];
        if (targets == null)
        {
            targets = new DirectTargets();
            directTargets[peer] = targets;
        }
        targets.add(transferId, destination);
    }

    @Override
    public void forgetDirect(final int peer, final long transferId)
    {
        final DirectTargets targets = directTargets[peer];
        if (targets != null)
        {
            targets.remove(transferId);
        }
        for (final TcpConnection connection : connections)
        {
            if (connection.peer() == peer)
            {
                connection.forgetDirect(transferId);
            }
        }
    }

    @Override
    public long writeDirect(final int peer, final long transferId, final MemorySegment source, final long position,
        final long length)
    {
        if (!source.isNative() || position < 0 || length < 0 || position + length > source.byteSize())
        {
            throw new IllegalArgumentException("cannot write bytes " + position + " to " + (position + length)
                + " of " + source + " directly: the source must be native memory holding them");
        }
        own();
        final TcpConnection connection = outbound(peer);
        if (connection == null || length == 0)
        {
            return 0;
        }
        return connection.writeDirect(transferId, source, position, length);
    }

    MemorySegment directTarget(final int peer, final long transferId)
    {
        final DirectTargets targets = directTargets[peer];
        return targets == null ? null : targets.find(transferId);
    }

    /** The transfers a peer may send directly, by id: few at a time, so arrays searched in order. */
    private static final class DirectTargets
    {
        private long[] ids = new long[4];
        private MemorySegment[] destinations = new MemorySegment[4];
        private int count;

        void add(final long id, final MemorySegment destination)
        {
            if (count == ids.length)
            {
                ids = Arrays.copyOf(ids, count * 2);
                destinations = Arrays.copyOf(destinations, count * 2);
            }
            ids[count] = id;
            destinations[count] = destination;
            count++;
        }

        MemorySegment find(final long id)
        {
            for (int i = 0; i < count; i++)
            {
                if (ids[i] == id)
                {
                    return destinations[i];
                }
            }
            return null;
        }

        void remove(final long id)
        {
            for (int i = 0; i < count; i++)
            {
                if (ids[i] == id)
                {
                    count--;
                    ids[i] = ids[count];
                    destinations[i] = destinations[count];
                    destinations[count] = null;
                    return;
                }
            }
        }
    }

    @Override
    public MemorySegment inboundBulk(final int peer)
    {
        if (bulkIn[peer] == null)
        {
            allocateBulkIn(peer);
        }
        return bulkIn[peer];
    }

    @Override
    public void releaseBulk(final int peer)
    {
        own();
        // Paid at the end of the poll that delivered the slot's frame (or the next poll): one credit record for
        // every slot a poll released, not a write system call per slot.
        creditsOwed[peer]++;
        anyCreditsOwed = true;
    }

    private void payCredits()
    {
        boolean owed = false;
        for (int peer = 0; peer < size; peer++)
        {
            if (creditsOwed[peer] > 0)
            {
                // On the connection this rank's frames to the peer take, else on the one the peer opened (its
                // bulk slots came on one of the two); the peer takes credits from either.
                final TcpConnection connection = send[peer] != null ? send[peer] : in[peer];
                if (connection == null || !connection.isOpen() || connection.sendCredit(creditsOwed[peer]))
                {
                    creditsOwed[peer] = 0;
                }
                else
                {
                    owed = true;
                }
            }
        }
        anyCreditsOwed = owed;
    }

    @Override
    public MemorySegment allocateRegistered(final long bytes)
    {
        if (bytes <= 0)
        {
            throw new TransportException("cannot allocate " + bytes + " bytes of registered memory: the size must be "
                + "> 0");
        }
        // Plain native memory: a TCP peer cannot read it in place, so large messages from it go through bulk slots.
        return arena.allocate(bytes, 64);
    }

    @Override
    public int regionOf(final MemorySegment segment)
    {
        return -1;
    }

    @Override
    public long regionBase(final int regionId)
    {
        throw new TransportException("the tcp transport has no regions peers can read (region " + regionId
            + "); regionOf always answers -1");
    }

    @Override
    public MemorySegment remoteRegion(final int peer, final int regionId)
    {
        throw new TransportException("rank " + rank + " cannot map region " + regionId + " of rank " + peer
            + ": the tcp transport cannot read a peer's memory in place");
    }

    @Override
    public boolean canReadProcessMemory(final int peer)
    {
        return false;
    }

    @Override
    public void readProcessMemory(final int peer, final long address, final MemorySegment dst, final long length)
    {
        throw new TransportException("rank " + rank + " cannot read the memory of rank " + peer
            + " over tcp: canReadProcessMemory is false");
    }

    @Override
    public int peerState(final int peer)
    {
        return states[peer];
    }

    /**
     * Why a peer is failed, for error messages.
     *
     * @param peer a rank
     * @return what broke, or null if the peer is not failed
     */
    public String failureOf(final int peer)
    {
        return states[peer] == PEER_FAILED ? reasons[peer] : null;
    }

    @Override
    public void removeNamedFiles()
    {
        // Nothing to do: a TCP endpoint has no name in the file system (the listening socket goes with the
        // process), unlike the shared-memory provider's files.
    }

    @Override
    public void abort()
    {
        if (aborted || closed)
        {
            return;
        }
        aborted = true;
        closing = true;
        // No goodbye: peers see the connections end without one and report this rank failed.
        for (final TcpConnection connection : connections)
        {
            connection.closeQuietly();
        }
        if (owner == Thread.currentThread())
        {
            loop.runNow();
        }
    }

    @Override
    public void close()
    {
        if (closed)
        {
            return;
        }
        if (owner == null)
        {
            own();
        }
        if (owner != Thread.currentThread())
        {
            // Only the owning thread may run the loop: close the sockets through it (done when it next runs, else
            // when the process exits) and leave the memory, which that thread may still be using.
            closed = true;
            closing = true;
            for (final TcpConnection connection : connections)
            {
                connection.closeQuietly();
            }
            return;
        }
        try
        {
            if (!aborted)
            {
                sayGoodbye();
                linger();
            }
            closing = true;
            for (final TcpConnection connection : connections)
            {
                connection.closeQuietly();
            }
            if (server != null)
            {
                server.close();
            }
            loop.runNow();
            loop.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            final long deadline = System.nanoTime() + CLOSE_FLUSH_NANOS;
            while (!loop.isTerminated() && System.nanoTime() < deadline)
            {
                loop.runNow();
            }
        }
        finally
        {
            closed = true;
            closeUnregisteredListener();
            for (final TcpConnection connection : connections)
            {
                connection.releaseMemory();
            }
            for (final ByteBuf buffer : bulkOutBuffers)
            {
                if (buffer != null && buffer.refCnt() > 0)
                {
                    buffer.release(buffer.refCnt());
                }
            }
            arena.close();
        }
    }

    /** Sends a goodbye on every open connection and waits (bounded) until the sockets have taken them. */
    /**
     * After the goodbye, reads (and drops) what peers still send until every bulk slot this rank filled has been
     * credited back, or 2 s pass: a peer still taking in this rank's last large message sends a credit per slot as it
     * goes, and a socket closed with those bytes unread makes the kernel reset the connection, so the peer would lose
     * the rest of the message.
     */
    private void linger()
    {
        final long deadline = System.nanoTime() + CLOSE_FLUSH_NANOS;
        while (System.nanoTime() < deadline)
        {
            boolean waiting = false;
            for (final TcpConnection connection : connections)
            {
                final int peer = connection.peer();
                waiting |= peer >= 0 && connection.isOpen() && !connection.saidGoodbye()
                    && states[peer] == PEER_ALIVE && bulkProduced[peer] > bulkCredited[peer];
            }
            if (!waiting)
            {
                return;
            }
            pollOrWait(DROP_FRAMES, Integer.MAX_VALUE, LINGER_WAIT_NANOS);
        }
    }

    private void sayGoodbye()
    {
        final long deadline = System.nanoTime() + CLOSE_FLUSH_NANOS;
        final boolean[] said = new boolean[connections.length];
        boolean pending = true;
        while (pending && System.nanoTime() < deadline)
        {
            pending = false;
            for (int i = 0; i < connections.length; i++)
            {
                final TcpConnection connection = connections[i];
                if (!connection.isOpen())
                {
                    continue;
                }
                if (!said[i])
                {
                    // Say whether this is the last word: the goodbye on the connection that carried this rank's
                    // frames follows the last of them.
                    final int peer = connection.peer();
                    said[i] = connection.sendGoodbye(peer < 0 || send[peer] == null || send[peer] == connection);
                }
                pending |= !said[i] || !connection.nothingUnwritten();
            }
            if (pending)
            {
                loop.runNow();
            }
        }
    }

    private void closeUnregisteredListener()
    {
        try
        {
            if (server == null && listeningSocket != null)
            {
                listeningSocket.close();
            }
            if (server == null && listeningChannel != null)
            {
                listeningChannel.close();
            }
        }
        catch (final IOException ex)
        {
            // Closing a listening socket fails only if it is already closed.
        }
    }

    // ------------------------------------------------------------------------------------------------ threads

    private void own()
    {
        if (owner != Thread.currentThread())
        {
            adopt();
        }
    }

    private void adopt()
    {
        final Thread current = Thread.currentThread();
        if (closed)
        {
            throw new TransportException("the tcp transport of rank " + rank + " is closed");
        }
        if (owner != null)
        {
            throw new IllegalStateException("the tcp transport of rank " + rank + " is driven by thread '"
                + owner.getName() + "'; thread '" + current.getName() + "' may not use it (one thread per rank: hand "
                + "a transport to another thread only before its first send or poll)");
        }
        loop.setOwningThread(current);
        owner = current;
        if (published != null)
        {
            registerServer();
        }
    }

    private void registerServer()
    {
        final Channel channel = epoll ? new EpollServerSocketChannel(listeningSocket.intValue())
            : new NioServerSocketChannel(listeningChannel);
        channel.pipeline().addLast(new Acceptor());
        channel.unsafe().register(loop, new DefaultChannelPromise(channel, loop));
        server = channel;
    }

    // ------------------------------------------------------------------------------------------------ connections

    /**
     * The connection this rank's frames to a peer take, chosen at the first send and kept (frames to one peer stay
     * in order): the peer's own connection if it has opened one (so data and acknowledgements share packets both
     * ways, which costs the kernel about a third less per message than a connection per direction), else a new one.
     */
    private TcpConnection outbound(final int peer)
    {
        final TcpConnection connection = send[peer];
        if (connection != null)
        {
            if (moveWanted[peer])
            {
                return moveTo(peer, connection);
            }
            return connection.isOpen() ? connection : null;
        }
        if (states[peer] != PEER_ALIVE)
        {
            return null;
        }
        final TcpConnection accepted = in[peer];
        final TcpConnection chosen = accepted != null && accepted.isOpen() ? accepted : open(peer);
        send[peer] = chosen;
        return chosen;
    }

    /**
     * Moves this rank's traffic to a lower peer onto the connection that peer opened (both opened one at the same
     * moment): a move record ends it on this rank's connection, a moved-here record starts it on the peer's, so the
     * peer delivers the frames in order. Waits (keeps the old connection) while a claim or a direct record is open.
     */
    private TcpConnection moveTo(final int peer, final TcpConnection current)
    {
        final TcpConnection target = in[peer];
        if (!current.isOpen() || target == null || !target.isOpen())
        {
            moveWanted[peer] = false;
            return current.isOpen() ? current : null;
        }
        if (!current.canMove() || !target.canMove() || !current.sendMove(TcpFrameLayout.MOVED))
        {
            return current;
        }
        if (!target.sendMove(TcpFrameLayout.MOVED_HERE))
        {
            // The new connection's staging is empty (it carried nothing of this rank's yet): cannot happen, but
            // if it did, the peer would wait for frames that never come after MOVED; fail loudly instead.
            throw new IllegalStateException("rank " + rank + " could not start its traffic to rank " + peer
                + " on the connection rank " + peer + " opened");
        }
        moveWanted[peer] = false;
        current.retire();
        send[peer] = target;
        return target;
    }

    /**
     * Whether this rank's traffic to a peer goes on the connection the peer opened, for tests.
     *
     * @param peer a rank
     * @return true if this rank sends on the peer's connection
     */
    boolean sendsOnPeersConnection(final int peer)
    {
        return send[peer] != null && send[peer] == in[peer];
    }

    boolean movedFrom(final int peer)
    {
        return movedFrom[peer];
    }

    void onMoved(final int peer)
    {
        movedFrom[peer] = true;
    }

    private TcpConnection open(final int peer)
    {
        if (peer == rank || peer < 0 || peer >= size)
        {
            throw new IllegalArgumentException("rank " + rank + " cannot send to rank " + peer + " over tcp (a job "
                + "of " + size + " ranks; a rank does not send to itself through a transport)");
        }
        final InetSocketAddress address = addresses[peer];
        if (address == null)
        {
            throw new TransportException("rank " + rank + " has no tcp address for rank " + peer + ": it published "
                + "none, or connect(" + peer + ") was not called after the exchange's fence");
        }
        final Channel channel;
        try
        {
            channel = epoll ? connectEpoll(address) : connectNio(address);
        }
        catch (final IOException ex)
        {
            states[peer] = PEER_FAILED;
            reasons[peer] = "cannot connect to " + address + ": " + ex.getMessage();
            throw new TransportException("rank " + rank + " cannot connect to rank " + peer + " at "
                + address.getAddress().getHostAddress() + ":" + address.getPort() + " (timeout "
                + config.connectTimeoutMs() + " ms, COHORT_TCP_CONNECT_TIMEOUT_MS): " + ex.getMessage()
                + "; is rank " + peer + " still running, and does this host reach the address it published "
                + "(its COHORT_TCP_ADDRESS)?", ex);
        }
        // The peer may send its frames on this connection too: room for its largest record.
        final TcpConnection connection = new TcpConnection(this, true, peer,
            arena.allocate(config.sendBuffer(), 4096), arena.allocate(MAX_FRAME_RECORD_LENGTH, 8));
        start(channel, connection);
        sendHello(connection);
        return connection;
    }

    private Channel connectEpoll(final InetSocketAddress address) throws IOException
    {
        final Socket socket = Socket.newSocketStream();
        try
        {
            final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(config.connectTimeoutMs());
            socket.connect(address);
            // The socket is non-blocking: wait until the peer's kernel accepted (getpeername succeeds) or the
            // attempt failed (finishConnect throws with the socket's error).
            while (socket.remoteAddress() == null)
            {
                socket.finishConnect();
                if (System.nanoTime() - deadline > 0)
                {
                    throw new IOException("connection timed out");
                }
                LockSupport.parkNanos(CONNECT_PARK_NANOS);
            }
            socket.finishConnect();
        }
        catch (final IOException ex)
        {
            socket.close();
            throw ex;
        }
        return new EpollSocketChannel(socket.intValue());
    }

    private Channel connectNio(final InetSocketAddress address) throws IOException
    {
        final SocketChannel channel = SocketChannel.open();
        try
        {
            channel.socket().connect(address, config.connectTimeoutMs());
        }
        catch (final IOException ex)
        {
            channel.close();
            throw ex;
        }
        return new NioSocketChannel(channel);
    }

    private void start(final Channel channel, final TcpConnection connection)
    {
        connection.attach(channel, channel instanceof EpollSocketChannel socket ? socket.fd() : null);
        channel.config().setOption(ChannelOption.TCP_NODELAY, true);
        // Frames are written from the provider's own memory; this allocator serves the reads.
        channel.config().setOption(ChannelOption.ALLOCATOR, new ReadBuffers());
        channel.config().setOption(ChannelOption.SO_KEEPALIVE, true);
        if (config.socketBuffer() > 0)
        {
            channel.config().setOption(ChannelOption.SO_SNDBUF, config.socketBuffer());
            channel.config().setOption(ChannelOption.SO_RCVBUF, config.socketBuffer());
        }
        // A failed write (the peer closed while this rank still sends it credits) must not close the connection:
        // the peer's last frames and its goodbye may still wait to be read. Netty shuts the output down instead;
        // a read error or the end of the stream closes the connection.
        channel.config().setOption(ChannelOption.AUTO_CLOSE, false);
        if (epoll)
        {
            channel.config().setOption(EpollChannelOption.TCP_KEEPIDLE, KEEPALIVE_IDLE_SECONDS);
            channel.config().setOption(EpollChannelOption.TCP_KEEPINTVL, KEEPALIVE_INTERVAL_SECONDS);
            channel.config().setOption(EpollChannelOption.TCP_KEEPCNT, KEEPALIVE_PROBES);
            channel.config().setOption(EpollChannelOption.TCP_USER_TIMEOUT, USER_TIMEOUT_MS);
        }
        else
        {
            channel.config().setOption(NioChannelOption.of(ExtendedSocketOptions.TCP_KEEPIDLE),
                KEEPALIVE_IDLE_SECONDS);
            channel.config().setOption(NioChannelOption.of(ExtendedSocketOptions.TCP_KEEPINTERVAL),
                KEEPALIVE_INTERVAL_SECONDS);
            channel.config().setOption(NioChannelOption.of(ExtendedSocketOptions.TCP_KEEPCOUNT), KEEPALIVE_PROBES);
        }
        channel.pipeline().addLast(connection);
        channel.unsafe().register(loop, new DefaultChannelPromise(channel, loop));
        connections = Arrays.copyOf(connections, connections.length + 1);
        connections[connections.length - 1] = connection;
    }

    private void sendHello(final TcpConnection connection)
    {
        final int at = connection.claim(HELLO, TcpFrameLayout.helloLength(jobIdBytes.length) - HEADER_LENGTH);
        final MemorySegment staging = connection.staging();
        staging.set(ValueLayout.JAVA_INT, at + HELLO_MAGIC_OFFSET, MAGIC);
        staging.set(ValueLayout.JAVA_INT, at + HELLO_VERSION_OFFSET, VERSION);
        staging.set(ValueLayout.JAVA_INT, at + HELLO_RANK_OFFSET, rank);
        staging.set(ValueLayout.JAVA_INT, at + HELLO_BULK_SLOTS_OFFSET, config.bulkSlots());
        staging.set(ValueLayout.JAVA_INT, at + HELLO_BULK_SLOT_LENGTH_OFFSET, config.bulkSlotLength());
        staging.set(ValueLayout.JAVA_INT, at + HELLO_JOB_ID_LENGTH_OFFSET, jobIdBytes.length);
        MemorySegment.copy(jobIdBytes, 0, staging, ValueLayout.JAVA_BYTE, at + HELLO_JOB_ID_OFFSET,
            jobIdBytes.length);
        connection.commit(at);
    }

    /** Accepts a peer's connection: it is anonymous until its hello names the peer. */
    private final class Acceptor extends ChannelInboundHandlerAdapter
    {
        @Override
        public void channelRead(final ChannelHandlerContext ctx, final Object msg)
        {
            final Channel child = (Channel) msg;
            if (closing)
            {
                child.close();
                return;
            }
            // The hello fits a small buffer, freed by the collector if the connection is refused (a stray client
            // costs nothing lasting); the full one is allocated once the hello is accepted.
            final MemorySegment helloBuffer = Arena.ofAuto().allocate(TcpFrameLayout.helloLength(MAX_JOB_ID_BYTES),
                8);
            final TcpConnection connection = new TcpConnection(TcpTransport.this, false, -1,
                arena.allocate(TcpConnection.MAX_PENDING_RECORDS * TcpFrameLayout.CREDIT_RECORD_LENGTH, 64),
                helloBuffer);
            start(child, connection);
        }

        @Override
        public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause)
        {
            // An accept failed (out of file descriptors, for example): the peer's connect fails and it reports it.
            lastRefusal = "accepting a connection failed: " + cause;
        }
    }

    // ------------------------------------------------------------------------------------------------ callbacks

    boolean canDeliver()
    {
        return handler != null && failure == null;
    }

    boolean deliver(final int peer, final int type, final MemorySegment buffer, final long offset, final int length)
    {
        try
        {
            handler.onFrame(peer, type, buffer, offset, length);
            delivered++;
            return true;
        }
        catch (final RuntimeException ex)
        {
            // Thrown out of poll once Netty's read loop is left; the frames after this one wait for the next poll.
            failure = ex;
            delivered++;
            return false;
        }
    }

    boolean onHello(final TcpConnection connection, final MemorySegment record, final int length)
    {
        final String refusal = checkHello(record, length);
        if (refusal != null)
        {
            lastRefusal = refusal;
            connection.closeQuietly();
            return false;
        }
        final int peer = record.get(ValueLayout.JAVA_INT, HELLO_RANK_OFFSET);
        connection.knownAs(peer);
        connection.receiveInto(arena.allocate(MAX_FRAME_RECORD_LENGTH, 8));
        // This rank may send its own frames on it: room for them.
        connection.growStaging(arena.allocate(config.sendBuffer(), 4096));
        in[peer] = connection;
        final TcpConnection own = send[peer];
        if (own != null && own != connection && peer < rank)
        {
            // Both opened a connection at the same moment: the lower rank's carries both ways; move onto it.
            moveWanted[peer] = true;
        }
        if (bulkIn[peer] == null)
        {
            allocateBulkIn(peer);
        }
        return true;
    }

    private String checkHello(final MemorySegment record, final int length)
    {
        final int minimum = HELLO_JOB_ID_OFFSET - HEADER_LENGTH;
        if (length < minimum || record.get(ValueLayout.JAVA_INT, HELLO_MAGIC_OFFSET) != MAGIC)
        {
            return "a connection that does not start with a Cohort tcp hello";
        }
        final int version = record.get(ValueLayout.JAVA_INT, HELLO_VERSION_OFFSET);
        if (version != VERSION)
        {
            return "a connection speaking version " + version + " of the tcp records, this rank speaks " + VERSION;
        }
        final int idLength = record.get(ValueLayout.JAVA_INT, HELLO_JOB_ID_LENGTH_OFFSET);
        if (idLength < 0 || idLength > length - minimum)
        {
            return "a hello with a job id of " + idLength + " bytes in a record of " + length;
        }
        final byte[] id = new byte[idLength];
        MemorySegment.copy(record, ValueLayout.JAVA_BYTE, HELLO_JOB_ID_OFFSET, id, 0, idLength);
        final int peer = record.get(ValueLayout.JAVA_INT, HELLO_RANK_OFFSET);
        if (!Arrays.equals(id, jobIdBytes))
        {
            return "a connection from rank " + peer + " of job '" + new String(id, StandardCharsets.UTF_8)
                + "', not of this job '" + jobId + "'";
        }
        if (peer < 0 || peer >= size || peer == rank)
        {
            return "a connection claiming to be rank " + peer + " of a job of " + size + " ranks";
        }
        if (in[peer] != null)
        {
            return "a second connection from rank " + peer;
        }
        final int slots = record.get(ValueLayout.JAVA_INT, HELLO_BULK_SLOTS_OFFSET);
        final int slotLength = record.get(ValueLayout.JAVA_INT, HELLO_BULK_SLOT_LENGTH_OFFSET);
        if (slots != config.bulkSlots() || slotLength != config.bulkSlotLength())
        {
            return "rank " + peer + " uses " + slots + " bulk slots of " + slotLength + " bytes, this rank "
                + config.bulkSlots() + " of " + config.bulkSlotLength() + ": start all ranks with the same "
                + "COHORT_TCP_BULK_SLOTS and COHORT_TCP_BULK_SLOT_BYTES";
        }
        return null;
    }

    ByteBuffer inboundSlot(final int peer, final int slot)
    {
        if (slot < 0 || slot >= config.bulkSlots())
        {
            return null;
        }
        if (bulkIn[peer] == null)
        {
            allocateBulkIn(peer);
        }
        final ByteBuffer view = bulkInViews[peer];
        final int start = TcpFrameLayout.bulkSlotOffset(slot, config.bulkSlotLength());
        view.clear();
        view.position(start).limit(start + config.bulkSlotLength());
        return view;
    }

    void onBytesPlaced()
    {
        placed = true;
    }

    long inboundSlotAddress(final int peer)
    {
        return bulkIn[peer].address();
    }

    void onCredit(final int peer, final int count)
    {
        bulkCredited[peer] += count;
    }

    /**
     * A peer said goodbye on one connection. It is finished only once nothing more can come from it: the goodbye
     * says it is the last word (it came on the connection that carried the peer's frames, in order, so every frame
     * it sent is in; or the peer sent none). Otherwise its frames may still be in flight on its other connection,
     * whose goodbye follows them (a goodbye on any connection used to do: a rank then saw a peer finished before its
     * last message was read).
     */
    void onGoodbye(final TcpConnection connection, final boolean last)
    {
        final int peer = connection.peer();
        if (states[peer] == PEER_ALIVE && last)
        {
            states[peer] = PEER_FINISHED;
        }
    }

    void onClosed(final TcpConnection connection)
    {
        final int peer = connection.peer();
        if (closing || peer < 0 || connection.saidGoodbye() || states[peer] != PEER_ALIVE)
        {
            return;
        }
        states[peer] = PEER_FAILED;
        if (reasons[peer] == null)
        {
            reasons[peer] = "the connection " + (connection.opened() ? "to" : "from") + " rank " + peer
                + " ended without a goodbye";
        }
    }

    void onConnectionError(final TcpConnection connection, final Throwable cause)
    {
        final int peer = connection.peer();
        if (peer >= 0 && reasons[peer] == null && !closing)
        {
            reasons[peer] = "the connection " + (connection.opened() ? "to" : "from") + " rank " + peer
                + " broke: " + cause;
        }
    }

    void onProtocolError(final TcpConnection connection, final String what)
    {
        final int peer = connection.peer();
        if (peer < 0)
        {
            lastRefusal = what;
            return;
        }
        if (states[peer] == PEER_ALIVE)
        {
            states[peer] = PEER_FAILED;
            reasons[peer] = "rank " + peer + " sent " + what;
        }
    }

    // ------------------------------------------------------------------------------------------------ memory

    private void allocateBulkOut(final int peer)
    {
        final int stride = TcpFrameLayout.bulkStride(config.bulkSlotLength());
        final MemorySegment slots = arena.allocate((long) stride * config.bulkSlots(), 4096);
        final ByteBuf buffer = Unpooled.wrappedBuffer(slots.asByteBuffer());
        final ByteBuf[] views = new ByteBuf[config.bulkSlots()];
        for (int i = 0; i < views.length; i++)
        {
            views[i] = buffer.duplicate();
        }
        bulkOut[peer] = slots;
        bulkOutBuffers[peer] = buffer;
        bulkOutViews[peer] = views;
    }

    private void allocateBulkIn(final int peer)
    {
        final int stride = TcpFrameLayout.bulkStride(config.bulkSlotLength());
        final MemorySegment slots = arena.allocate((long) stride * config.bulkSlots(), 4096);
        bulkIn[peer] = slots;
        bulkInViews[peer] = slots.asByteBuffer();
    }
}
