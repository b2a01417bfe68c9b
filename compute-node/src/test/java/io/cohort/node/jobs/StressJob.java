package io.cohort.node.jobs;

import io.cohort.mpi.Cohort;
import io.cohort.mpi.Communicator;
import io.cohort.mpi.Request;
import io.cohort.mpi.Status;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;
import java.util.zip.CRC32C;

/**
 * Many messages of random sizes (0 B to 1 MiB, log-uniform so every protocol is used) and random tags between all
 * ranks; every payload carries its sender, sequence number and CRC-32C, checked on arrival, and each sender's
 * messages must arrive in order. The plan is drawn from a seed all ranks share, so every rank knows how many
 * messages come to it. Half the sends come from Cohort's shared memory, half from ordinary native memory.
 *
 * <p>Arguments: total messages, seed.
 */
public final class StressJob
{
    private static final int HEADER = 24;
    private static final int MAX = 1 << 20;
    private static final int WINDOW = 8;

    private StressJob()
    {
    }

    /**
     * Runs one rank.
     *
     * @param args total messages, seed
     */
    public static void main(final String[] args)
    {
        final int total = Integer.parseInt(args[0]);
        final long seed = Long.parseLong(args[1]);
        try (Cohort cohort = Cohort.init(args); Arena arena = Arena.ofConfined())
        {
            final Communicator world = cohort.world();
            final int rank = world.rank();
            final int size = world.size();
            // The plan: message i goes from i % size to a random other rank with a random tag and size.
            final SplittableRandom plan = new SplittableRandom(seed);
            final int[] dest = new int[total];
            final int[] tags = new int[total];
            final int[] sizes = new int[total];
            int expected = 0;
            for (int i = 0; i < total; i++)
            {
                final int from = i % size;
                dest[i] = (from + 1 + plan.nextInt(size - 1)) % size;
                tags[i] = plan.nextInt(1000);
                sizes[i] = (int) Math.min(MAX, Math.pow(2, plan.nextDouble() * 20.0001)) - 1;
                if (dest[i] == rank)
                {
                    expected++;
                }
            }
            final MemorySegment[] outs = new MemorySegment[WINDOW];
            final Request[] sends = new Request[WINDOW];
            for (int w = 0; w < WINDOW; w++)
            {
                outs[w] = w % 2 == 0 ? cohort.allocate(MAX) : arena.allocate(MAX, 64);
            }
            final MemorySegment in = arena.allocate(MAX, 64);
            final long[] nextSequence = new long[size];
            final Status status = new Status();
            final CRC32C crc = new CRC32C();
            Request recv = expected > 0 ? world.irecv(in, Cohort.ANY_SOURCE, Cohort.ANY_TAG) : null;
            int received = 0;
            int next = rank;
            long mine = 0;
            while (next < total || received < expected || anyPending(sends))
            {
                for (int w = 0; w < WINDOW && next < total; w++)
                {
                    if (sends[w] == null || sends[w].test())
                    {
                        final MemorySegment out = outs[w].asSlice(0, sizes[next]);
                        fill(out, rank, mine++, seed + next, crc);
                        sends[w] = world.isend(out, dest[next], tags[next]);
                        next += size;
                    }
                }
                for (int w = 0; w < WINDOW; w++)
                {
                    if (sends[w] != null && sends[w].test())
                    {
                        sends[w] = null;
                    }
                }
                if (recv != null && recv.test())
                {
                    final Status got = recv.await();
                    check(in, got, nextSequence, crc, rank);
                    received++;
                    recv = received < expected ? world.irecv(in, Cohort.ANY_SOURCE, Cohort.ANY_TAG) : null;
                }
            }
            world.barrier();
            System.out.println("stress OK: rank " + rank + " received " + received + " messages");
        }
    }

    private static boolean anyPending(final Request[] sends)
    {
        for (final Request r : sends)
        {
            if (r != null)
            {
                return true;
            }
        }
        return false;
    }

    private static void fill(final MemorySegment out, final int rank, final long sequence, final long seed,
        final CRC32C crc)
    {
        final long size = out.byteSize();
        if (size < HEADER)
        {
            // Too small for a header: a pattern that depends on the size is checked instead.
            for (int i = 0; i < size; i++)
            {
                out.set(ValueLayout.JAVA_BYTE, i, (byte) (size * 7 + i));
            }
            return;
        }
        long x = seed * 0x9E3779B97F4A7C15L + 1;
        for (long i = HEADER; i + 8 <= size; i += 8)
        {
            x ^= x << 13;
            x ^= x >>> 7;
            x ^= x << 17;
            out.set(ValueLayout.JAVA_LONG_UNALIGNED, i, x);
        }
        for (long i = size - (size - HEADER) % 8; i < size; i++)
        {
            out.set(ValueLayout.JAVA_BYTE, i, (byte) i);
        }
        out.set(ValueLayout.JAVA_LONG_UNALIGNED, 0, rank);
        out.set(ValueLayout.JAVA_LONG_UNALIGNED, 8, sequence);
        crc.reset();
        crc.update(out.asSlice(HEADER).asByteBuffer());
        out.set(ValueLayout.JAVA_LONG_UNALIGNED, 16, crc.getValue());
    }

    private static void check(final MemorySegment in, final Status status, final long[] nextSequence,
        final CRC32C crc, final int rank)
    {
        final long size = status.byteCount();
        if (size < HEADER)
        {
            for (int i = 0; i < size; i++)
            {
                if (in.get(ValueLayout.JAVA_BYTE, i) != (byte) (size * 7 + i))
                {
                    throw new IllegalStateException("rank " + rank + ": corrupt " + size + "-byte message from rank "
                        + status.source());
                }
            }
            return;
        }
        final int source = (int) in.get(ValueLayout.JAVA_LONG_UNALIGNED, 0);
        final long sequence = in.get(ValueLayout.JAVA_LONG_UNALIGNED, 8);
        if (source != status.source())
        {
            throw new IllegalStateException("rank " + rank + ": payload says source " + source + ", status "
                + status.source());
        }
        if (sequence < nextSequence[source])
        {
            throw new IllegalStateException("rank " + rank + ": message " + sequence + " from " + source
                + " overtook a later one (expected at least " + nextSequence[source] + ")");
        }
        nextSequence[source] = sequence + 1;
        crc.reset();
        crc.update(in.asSlice(HEADER, size - HEADER).asByteBuffer());
        if (crc.getValue() != in.get(ValueLayout.JAVA_LONG_UNALIGNED, 16))
        {
            throw new IllegalStateException("rank " + rank + ": checksum mismatch in message " + sequence + " of "
                + size + " bytes from rank " + source + " (tag " + status.tag() + ")");
        }
    }
}
