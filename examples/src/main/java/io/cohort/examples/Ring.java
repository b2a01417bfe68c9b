package io.cohort.examples;

import io.cohort.mpi.Cohort;
import io.cohort.mpi.Communicator;

/**
 * A token goes around the ring of ranks several times; each rank adds its rank number on every pass, so rank 0
 * can check the total against the closed form.
 * <pre>{@code cohort run -n 4 -cp examples/target/cohort-examples.jar io.cohort.examples.Ring 10}</pre>
 */
public final class Ring
{
    private static final int TAG = 7;

    private Ring()
    {
    }

    /**
     * Runs one rank.
     *
     * @param args optionally the number of laps (default 10)
     */
    public static void main(final String[] args)
    {
        final int laps = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        try (Cohort cohort = Cohort.init(args))
        {
            final Communicator world = cohort.world();
            final int rank = world.rank();
            final int size = world.size();
            final int next = (rank + 1) % size;
            final int previous = (rank - 1 + size) % size;
            final long[] token = new long[1];
            for (int lap = 0; lap < laps; lap++)
            {
                if (rank == 0)
                {
                    token[0] += rank;
                    world.send(token, 0, 1, next, TAG);
                    world.recv(token, 0, 1, previous, TAG);
                }
                else
                {
                    world.recv(token, 0, 1, previous, TAG);
                    token[0] += rank;
                    world.send(token, 0, 1, next, TAG);
                }
            }
            if (rank == 0)
            {
                final long expected = (long) laps * size * (size - 1) / 2;
                if (token[0] != expected)
                {
                    System.out.println("ring: FAILED, token " + token[0] + " after " + laps + " laps, expected "
                        + expected);
                    System.exit(1);
                }
                System.out.println("ring: OK, token " + token[0] + " after " + laps + " laps of " + size + " ranks");
            }
        }
    }
}
