package io.cohort.mpi.engine;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** How long a waiting rank spins, yields and parks, on a fake clock. */
class WaitPolicyTest
{
    private static final EngineConfig DEFAULTS = new EngineConfig(16 * 1024, 2_000, 200, 500, 1L << 20, 50);

    private long now;
    private int parks;

    @Test
    void aRankWaitingOnSocketsBlocksOnceItHasSpunForTheWakingSpinTimeWithoutYielding()
    {
        final WaitPolicy policy = new WaitPolicy(DEFAULTS, nanos -> parks++, true, () -> now);
        int calls = 0;
        // Each idle call takes 1 us: after 50 us the policy must block, although 2,000 spins are allowed.
        while (!policy.idle())
        {
            now += 1_000;
            calls++;
            assertTrue(calls <= 50_000L / 1_000, "still spinning after " + calls + " us");
        }
        assertEquals(1, parks);
    }

    @Test
    void aRankWaitingOnSharedMemorySpinsThenYieldsBeforeParking()
    {
        final WaitPolicy policy = new WaitPolicy(DEFAULTS, nanos -> parks++, false, () -> now);
        for (int i = 0; i < DEFAULTS.spins() + DEFAULTS.yields(); i++)
        {
            now += 1_000_000;
            assertFalse(policy.idle(), "parked at call " + i);
        }
        assertTrue(policy.idle());
        assertEquals(1, parks);
    }

    @Test
    void framesHandledWhileParkedSendTheRankBackToSpinning()
    {
        final WaitPolicy policy = new WaitPolicy(new EngineConfig(16 * 1024, 1, 0, 500, 1L << 20, 50),
            nanos -> ++parks == 1 ? 1 : 0, true, () -> now);
        assertFalse(policy.idle());
        assertTrue(policy.idle(), "parks once the spin is over; a frame arrives");
        assertFalse(policy.idle(), "spins again after the frame");
    }
}
