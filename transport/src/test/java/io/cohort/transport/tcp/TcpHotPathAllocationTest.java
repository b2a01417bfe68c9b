package io.cohort.transport.tcp;

import io.cohort.transport.FrameHandler;
import io.cohort.transport.InMemoryExchange;
import io.cohort.transport.Transport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.management.ManagementFactory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Sending and receiving a small frame allocates nothing on the Java heap once warm: claim, commit (a write system
 * call), poll (a read, delivery from the record buffer; Netty's epoll loop now and then). Neither does a direct
 * transfer: the receiver naming its memory, the sender's writev, the receiver's reads into the named memory.
 */
class TcpHotPathAllocationTest
{
    private static final int ROUND_TRIPS = 20_000;
    private static final int DIRECT_TRANSFERS = 2_000;
    private static final int DIRECT_BYTES = 256 * 1024;

    private final TcpTransport[] t = new TcpTransport[2];
    private final long[] received = new long[2];
    private final FrameHandler[] handlers = {
        (peer, type, buf, off, len) -> received[0] = buf.get(ValueLayout.JAVA_LONG, off),
        (peer, type, buf, off, len) -> received[1] = buf.get(ValueLayout.JAVA_LONG, off)};

    @AfterEach
    void close()
    {
        for (final TcpTransport transport : t)
        {
            if (transport != null)
            {
                transport.close();
            }
        }
    }

    @Test
    void pingPongOfSmallFramesAllocatesNothingPerMessage()
    {
        final InMemoryExchange exchange = new InMemoryExchange(1);
        for (int r = 0; r < 2; r++)
        {
            t[r] = new TcpTransport(TcpConfig.loopback(), "alloc", r, 2);
            t[r].publish(exchange);
        }
        t[0].connect(1, exchange);
        t[1].connect(0, exchange);
        pingPong(ROUND_TRIPS, 1);
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        final long before = threads.getCurrentThreadAllocatedBytes();
        pingPong(ROUND_TRIPS, ROUND_TRIPS + 1);
        final long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        System.out.println("tcp ping-pong: " + allocated + " bytes allocated in " + ROUND_TRIPS + " round trips ("
            + (double) allocated / (2 * ROUND_TRIPS) + " per message)");
        // A few hundred bytes of one-off noise (a class loaded, a lazily grown table) are tolerated; per-message
        // garbage would be tens of bytes times 40,000 messages.
        assertTrue(allocated < 16 * 1024, allocated + " bytes allocated in " + ROUND_TRIPS + " round trips");
    }

    @Test
    void directTransfersAllocateNothingPerMessage()
    {
        final InMemoryExchange exchange = new InMemoryExchange(1);
        for (int r = 0; r < 2; r++)
        {
            t[r] = new TcpTransport(TcpConfig.loopback(), "alloc-direct", r, 2);
            t[r].publish(exchange);
        }
        t[0].connect(1, exchange);
        t[1].connect(0, exchange);
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment source = arena.allocate(DIRECT_BYTES, 64);
            final MemorySegment destination = arena.allocate(DIRECT_BYTES, 64);
            directTransfers(source, destination, 200, 1);
            final com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
            final long before = threads.getCurrentThreadAllocatedBytes();
            directTransfers(source, destination, DIRECT_TRANSFERS, 201);
            final long allocated = threads.getCurrentThreadAllocatedBytes() - before;
            System.out.println("tcp direct transfers: " + allocated + " bytes allocated in " + DIRECT_TRANSFERS
                + " transfers of " + DIRECT_BYTES + " bytes");
            assertTrue(allocated < 16 * 1024, allocated + " bytes allocated in " + DIRECT_TRANSFERS + " transfers");
        }
    }

    /** Each transfer: the receiver names its memory, the sender writes it directly and a frame follows. */
    private void directTransfers(final MemorySegment source, final MemorySegment destination, final int count,
        final long first)
    {
        for (long i = first; i < first + count; i++)
        {
            t[1].expectDirect(0, i, destination);
            source.set(ValueLayout.JAVA_LONG, DIRECT_BYTES - 8, i);
            long written = 0;
            while (written < DIRECT_BYTES)
            {
                written += t[0].writeDirect(1, i, source, written, DIRECT_BYTES - written);
                t[1].poll(handlers[1], 10);
                t[0].poll(handlers[0], 10);
            }
            send(t[0], 1, i);
            await(1, i);
            t[1].forgetDirect(0, i);
            assertEquals(i, destination.get(ValueLayout.JAVA_LONG, DIRECT_BYTES - 8));
        }
    }

    private void pingPong(final int rounds, final long first)
    {
        for (long i = first; i < first + rounds; i++)
        {
            send(t[0], 1, i);
            await(1, i);
            send(t[1], 0, i);
            await(0, i);
        }
    }

    private void send(final Transport from, final int to, final long value)
    {
        int at;
        while ((at = from.tryClaim(to, 1, 8)) == Transport.BACK_PRESSURED)
        {
            from.poll(handlers[to == 1 ? 0 : 1], 10);
        }
        from.frameBuffer(to).set(ValueLayout.JAVA_LONG, at, value);
        from.commit(to, at);
    }

    private void await(final int rank, final long value)
    {
        while (received[rank] != value)
        {
            t[rank].poll(handlers[rank], 10);
        }
        assertEquals(value, received[rank]);
    }
}
