package io.cohort.examples;

import io.cohort.mpi.Cohort;
import io.cohort.mpi.Communicator;

/**
 * Every rank greets rank 0, which prints the greetings in rank order and checks that all arrived.
 * <pre>{@code cohort run -n 4 -cp examples/target/cohort-examples.jar io.cohort.examples.Hello}</pre>
 */
public final class Hello
{
    private static final int TAG = 0;

    private Hello()
    {
    }

    /**
     * Runs one rank.
     *
     * @param args unused
     */
    public static void main(final String[] args)
    {
        try (Cohort cohort = Cohort.init(args))
        {
            final Communicator world = cohort.world();
            final int rank = world.rank();
            final int size = world.size();
            final long pid = ProcessHandle.current().pid();
            if (rank != 0)
            {
                world.send(new long[] {pid}, 0, 1, 0, TAG);
                return;
            }
            System.out.println("Hello from rank 0 of " + size + " (pid " + pid + ")");
            final long[] peer = new long[1];
            for (int source = 1; source < size; source++)
            {
                world.recv(peer, 0, 1, source, TAG);
                System.out.println("Hello from rank " + source + " of " + size + " (pid " + peer[0] + ")");
            }
            System.out.println("hello: OK, " + size + " ranks answered");
        }
    }
}
