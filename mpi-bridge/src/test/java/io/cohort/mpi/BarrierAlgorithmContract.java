package io.cohort.mpi;

import io.cohort.mpi.collective.CollectiveAlgorithm;
import io.cohort.mpi.collective.CollectiveTuning;
import io.cohort.mpi.collective.TunedCollective;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Random;
import java.util.concurrent.atomic.AtomicIntegerArray;

import static io.cohort.mpi.CollectiveReference.SEED;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What every barrier algorithm must do on 1, 2, 3, 5 and 8 ranks and on split parts: no rank leaves a barrier
 * before every rank of its communicator has entered it, round after round, whoever arrives late; and a rank
 * waiting in a barrier keeps point-to-point traffic it started moving. The ranks are threads of one JVM, so they
 * record their arrivals in one shared array. One subclass per algorithm.
 */
abstract class BarrierAlgorithmContract
{
    private static final int ROUNDS = 300;

    /**
     * The tuning every rank uses: the algorithm under test forced.
     *
     * @return the tuning
     */
    abstract CollectiveTuning tuning();

    static CollectiveTuning forcing(final CollectiveAlgorithm algorithm)
    {
        return CollectiveTuning.defaults().forcing(TunedCollective.BARRIER, algorithm);
    }

    @ParameterizedTest(name = "{0} ranks")
    @ValueSource(ints = {1, 2, 3, 5, 8})
    void noRankLeavesABarrierBeforeEveryRankHasEnteredIt(final int size)
    {
        final AtomicIntegerArray entered = new AtomicIntegerArray(size);
        ThreadedJob.run(size, cohort ->
        {
            final Communicator world = cohort.world();
            world.useCollectiveTuning(tuning());
            checkRounds(world, entered, world.rank(), identity(size));
        });
    }

    @Test
    void aSplitCommunicatorWaitsOnlyForItsOwnRanks()
    {
        final AtomicIntegerArray entered = new AtomicIntegerArray(8);
        ThreadedJob.run(8, cohort ->
        {
            final Communicator world = cohort.world();
            world.useCollectiveTuning(tuning());
            // Parts of 5 and 3 ranks, the second in reverse order of world rank.
            final boolean low = world.rank() < 5;
            final Communicator part = world.split(low ? 0 : 1, low ? world.rank() : -world.rank());
            final int[] members = new int[part.size()];
            for (int r = 0; r < members.length; r++)
            {
                members[r] = part.worldRank(r);
            }
            checkRounds(part, entered, world.rank(), members);
        });
    }

    @Test
    void aRankWaitingInABarrierKeepsItsPointToPointTrafficMoving()
    {
        // Rank 0's isend is larger than the transport's bulk slots hold, so it completes only if rank 0 keeps
        // pumping fragments while it waits in the barrier for rank 1, which receives before it enters.
        final int count = 1 << 20;
        ThreadedJob.run(2, cohort ->
        {
            final Communicator world = cohort.world();
            world.useCollectiveTuning(tuning());
            final double[] data = new double[count];
            if (world.rank() == 0)
            {
                for (int i = 0; i < count; i++)
                {
                    data[i] = i;
                }
                final Request sent = world.isend(data, 0, count, 1, 5);
                world.barrier();
                sent.await();
            }
            else
            {
                world.recv(data, 0, count, 0, 5);
                world.barrier();
                final double[] expected = new double[count];
                for (int i = 0; i < count; i++)
                {
                    expected[i] = i;
                }
                assertArrayEquals(expected, data);
            }
        });
    }

    private static int[] identity(final int size)
    {
        final int[] ranks = new int[size];
        for (int r = 0; r < size; r++)
        {
            ranks[r] = r;
        }
        return ranks;
    }

    /** Each round: count this rank in (after a random delay now and then), barrier, then every member must be in. */
    private static void checkRounds(final Communicator comm, final AtomicIntegerArray entered, final int me,
        final int[] members)
    {
        final Random random = new Random(SEED + me);
        for (int round = 1; round <= ROUNDS; round++)
        {
            if (random.nextInt(10) == 0)
            {
                Thread.onSpinWait();
                java.util.concurrent.locks.LockSupport.parkNanos(random.nextInt(200_000));
            }
            entered.set(me, round);
            comm.barrier();
            for (final int member : members)
            {
                final int seen = entered.get(member);
                assertTrue(seen >= round, "rank " + me + " left barrier " + round + " of " + comm.size()
                    + " ranks before world rank " + member + " entered it (it had entered " + seen + "), "
                    + comm.collectiveTuning().forced(TunedCollective.BARRIER) + ", seed " + SEED);
            }
        }
    }
}
