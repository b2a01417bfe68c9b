package io.cohort.mpi;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** COHORT_TCP_IO chooses the TCP provider's socket layer for a job's ranks: the same messages over either. */
class TcpSocketLayerTest
{
    @Test
    void ranksToldToUseNioExchangeSmallAndLargeMessagesOverIt()
    {
        ThreadedJob.run(2, Map.of("COHORT_TRANSPORT", "tcp", "COHORT_TCP_IO", "nio"), cohort ->
        {
            final Communicator world = cohort.world();
            for (final int n : new int[] {1, 100_000})
            {
                final long[] sent = new long[n];
                for (int i = 0; i < n; i++)
                {
                    sent[i] = i * 31L + world.rank();
                }
                final long[] got = new long[n];
                world.sendrecv(sent, 0, n, 1 - world.rank(), 3, got, 0, n, 1 - world.rank(), 3);
                final long[] expected = new long[n];
                for (int i = 0; i < n; i++)
                {
                    expected[i] = i * 31L + 1 - world.rank();
                }
                assertArrayEquals(expected, got, n + " longs over NIO");
            }
        });
    }

    @Test
    void unknownSocketLayerFailsTheRankNamingTheVariable()
    {
        final CohortException bad = assertThrows(CohortException.class,
            () -> InProcessJob.start(2, Map.of("COHORT_TRANSPORT", "tcp", "COHORT_TCP_IO", "poll")));
        assertTrue(bad.getMessage().contains("COHORT_TCP_IO=poll"), bad.getMessage());
    }
}
