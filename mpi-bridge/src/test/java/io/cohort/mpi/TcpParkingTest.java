package io.cohort.mpi;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Ranks that wait on tcp peers block in epoll: nothing that arrives while a rank is blocked may be left waiting
 * (data, a credit, a clear-to-send), and nothing sent before a peer closes may be taken for lost. Ranks are threads
 * of this JVM, forced onto the tcp provider, that park at once (no spinning, no yielding) for up to a second: a lost
 * wake-up costs a second per hop, so 200 rendezvous round trips would outlast ThreadedJob's two-minute bound.
 */
class TcpParkingTest
{
    private static final Map<String, String> PARK_AT_ONCE = Map.of("COHORT_TRANSPORT", "tcp",
        "COHORT_WAIT_SPINS", "0", "COHORT_WAIT_YIELDS", "0", "COHORT_WAIT_MAX_PARK_US", "1000000");

    @Test
    void rendezvousPingPongThroughBulkSlotsCompletesWhileRanksParkInEpoll()
    {
        pingPong(64 * 1024, 200);
    }

    @Test
    void multiFragmentPingPongCompletesWhileRanksParkInEpoll()
    {
        // 16 fragments of 64 KiB through 8 slots: the sender parks waiting for credits.
        pingPong(1024 * 1024, 20);
    }

    @Test
    void eagerPingPongEndsWithThePeerClosingRightAfterItsLastSend()
    {
        // The last reply is still in flight when its sender closes: it must be read, not reported as lost.
        pingPong(8, 2_000);
    }

    private static void pingPong(final int bytes, final int roundTrips)
    {
        ThreadedJob.run(2, PARK_AT_ONCE, cohort ->
        {
            final Communicator world = cohort.world();
            final int peer = 1 - world.rank();
            try (Arena arena = Arena.ofConfined())
            {
                final MemorySegment out = arena.allocate(bytes, 8);
                final MemorySegment in = arena.allocate(bytes, 8);
                for (int i = 0; i < roundTrips; i++)
                {
                    if (world.rank() == 0)
                    {
                        out.set(ValueLayout.JAVA_INT, 0, i);
                        out.set(ValueLayout.JAVA_INT, bytes - 4, ~i);
                        world.send(out, peer, 3);
                        world.recv(in, peer, 3);
                    }
                    else
                    {
                        world.recv(in, peer, 3);
                        world.send(in, peer, 3);
                        continue;
                    }
                    assertEquals(i, in.get(ValueLayout.JAVA_INT, 0), "round trip " + i + ": first int");
                    assertEquals(~i, in.get(ValueLayout.JAVA_INT, bytes - 4), "round trip " + i + ": last int");
                }
            }
        });
    }
}
