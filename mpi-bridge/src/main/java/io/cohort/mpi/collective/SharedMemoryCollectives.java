package io.cohort.mpi.collective;

import io.cohort.mpi.CohortException;
import io.cohort.mpi.ReduceOperation;
import io.cohort.mpi.engine.ProgressEngine;
import io.cohort.mpi.engine.Progressable;
import io.cohort.mpi.Request;
import io.cohort.mpi.Status;
import io.cohort.mpi.engine.WaitCondition;
import io.cohort.transport.Transport;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

import static io.cohort.mpi.collective.SharedCollectiveLayout.DESCRIPTOR_OFFSET;
import static io.cohort.mpi.collective.SharedCollectiveLayout.DESCRIPTOR_RECV_OFFSET;
import static io.cohort.mpi.collective.SharedCollectiveLayout.DESCRIPTOR_RECV_REGION;
import static io.cohort.mpi.collective.SharedCollectiveLayout.DESCRIPTOR_REGION;
import static io.cohort.mpi.collective.SharedCollectiveLayout.LINE_BYTES;
import static io.cohort.mpi.collective.SharedCollectiveLayout.READY_OFFSET;
import static io.cohort.mpi.collective.SharedCollectiveLayout.SEQUENCE_OFFSET;
import static io.cohort.mpi.collective.SharedCollectiveLayout.SLOTS;
import static io.cohort.mpi.collective.SharedCollectiveLayout.SLOT_BYTES;
import static io.cohort.mpi.collective.SharedCollectiveLayout.SMALL_FLAG_BYTES;
import static io.cohort.mpi.collective.SharedCollectiveLayout.SMALL_SLOTS;
import static io.cohort.mpi.collective.SharedCollectiveLayout.SMALL_SLOT_BYTES;
import static io.cohort.mpi.collective.SharedCollectiveLayout.descriptorOffset;
import static io.cohort.mpi.collective.SharedCollectiveLayout.slotOffset;
import static io.cohort.mpi.collective.SharedCollectiveLayout.smallFlagOffset;
import static io.cohort.mpi.collective.SharedCollectiveLayout.smallSlotOffset;

/**
 * Collectives of ranks that share one host's memory, through memory rather than messages (the design of Open MPI's
 * coll/sm and xhc components and MPICH's release-gather collectives): every rank of the communicator owns a region
 * ({@link SharedCollectiveLayout}) with a sequence flag and four data slots, and maps every other rank's region.
 *
 * <p><b>Steps.</b> Every rank counts the steps it has completed and publishes the count in its flag (release
 * store); a peer that needs step {@code s} waits until the flag reads at least {@code s} (acquire load). Every rank
 * runs the same steps for the same calls, so the counts agree without ever being reset:
 * <ul>
 *   <li>barrier: one step; publish, then wait for every peer's flag (a flat gather of flags: for the handful of
 *       ranks on one host one round beats a fan-in/fan-out tree's two);</li>
 *   <li>small allreduce (to {@link #ALL_READ_BYTES}): copy in, publish, wait for all, then every rank folds every
 *       rank's slot itself, from the highest rank down ({@code x0 op (x1 op (...))}), so non-commutative
 *       operations keep rank order and every rank gets bit-identical results;</li>
 *   <li>large allreduce: per chunk of one slot, copy in and publish; each rank folds its own slice of the chunk
 *       from every slot (a reduce-scatter in shared memory) into a second slot and publishes; each copies every
 *       slice out (the allgather);</li>
 *   <li>bcast: per chunk, the root copies in and publishes; the others copy out and publish, which tells the root
 *       its slot is free again (four slots in rotation pipeline the chunks);</li>
 *   <li>reduce: the small allreduce, but only the root folds;</li>
 *   <li>allgather: per chunk, copy in and publish, wait for all, copy every peer's chunk out;</li>
 *   <li>alltoall: per round, copy a chunk of every outgoing block in, publish, wait for all, copy this rank's part
 *       out of every peer's slot; rounds of large blocks span every slot.</li>
 * </ul>
 * A slot is rewritten only after every peer has published the step after its last reader's step
 * ({@code freeAfter}); with four slots in rotation that wait is almost always already over. Calls of up to
 * {@link SharedCollectiveLayout#SMALL_SLOT_BYTES} (small bcasts, reduces and allreduces) rotate through 64 small
 * slots instead, so a bcast root, or the non-roots of a reduce, can run 64 calls ahead of the others: back-to-back
 * small bcasts on 4 ranks sharing 2 cores then cost one context switch per 64 calls instead of one per 4.
 *
 * <p><b>Waiting</b> goes through {@link ProgressEngine#awaitCondition}: the engine's policy (spin, yield, park,
 * COHORT_WAIT_*), with progress on every round, so point-to-point messages and nonblocking collectives in flight
 * keep moving while a rank waits here, and a peer that dies is reported instead of awaited forever.
 *
 * <p><b>Copies</b> of {@link NativeCopy#MIN_BYTES} and more go through the C library's memcpy, smaller ones through
 * {@code MemorySegment.copy}.
 *
 * <p>Steady calls allocate nothing: scratch arrays are kept per element type. Not thread-safe: one rank's thread.
 */
public final class SharedMemoryCollectives implements WaitCondition
{
    /** Allreduces up to this many bytes let every rank fold every rank's data (one step); larger ones slice. */
    public static final int ALL_READ_BYTES = 4096;

    /** Elements a single-copy allreduce folds at a time: 16 KiB of doubles, so its two arrays stay in cache. */
    private static final int DIRECT_FOLD_ELEMENTS = 2048;

    /** The most cache lines after a small slot's flag line that a wait reads ahead. */
    private static final int TOUCHED_LINES = 4;

    /**
     * Blocks from which an allgather or alltoall of registered segments goes single-copy when the host's ranks
     * outnumber its cores: its extra wait for every rank then costs a time slice, which a copy saves only for large
     * blocks (allgather, 4 ranks on 2 cores, 16 KiB: 20-23 against 28-32 us through the slots; 128 KiB 58-62 against
     * 54-56 us).
     */
    private static final int OVERSUBSCRIBED_DIRECT_BYTES = 64 * 1024;

    private static final VarHandle SEQUENCE = ValueLayout.JAVA_LONG.varHandle();

    private final ProgressEngine engine;
    private final Transport transport;
    private final String name;
    private final int rank;
    private final int size;
    private final int[] worldOf;
    private final MemorySegment[] regions;
    private final MemorySegment mine;
    private final long[] seen;
    /** Blocks above this many bytes in registered segments go single-copy in an allgather or alltoall. */
    private final int directAbove;
    /** Per peer, its registered regions mapped so far, by region id (single-copy bcast, allreduce and allgather). */
    private final MemorySegment[][] mappedRegions;
    /**
     * Per rank, during a single-copy allreduce (and, send only, allgather and alltoall): the mapped region that holds
     * its send and its receive segment (this rank's own segments for itself), and where in it they begin, as its
     * descriptor says.
     */
    private final MemorySegment[] peerSend;
    private final MemorySegment[] peerRecv;
    private final long[] peerSendAt;
    private final long[] peerRecvAt;
    /** The two arrays a single-copy allreduce folds in, of the element type last reduced. */
    private Object foldAcc;
    private Object foldIn;
    /** Per slot, the step every peer must have published before it is rewritten: big slots, then small ones. */
    private final long[] freeAfter = new long[SLOTS + SMALL_SLOTS];
    private final NativeCopy nativeCopy = new NativeCopy();
    private long sequence;
    private boolean ready;
    private int nextSlot;
    private int nextSmallSlot;
    private long waitTarget;
    /** The flag a wait reads in each peer's region: its sequence, or a small slot's own flag. */
    private long waitFlag = SEQUENCE_OFFSET;
    /**
     * Cache lines after the flag's, of the small slot a wait reads, read along with the flag so that their transfers
     * overlap instead of starting one after another once the flag is seen: at most {@link #TOUCHED_LINES}.
     */
    private int waitTouch;
    /** Sums what {@link #waitTouch} reads, so that the reads are not dropped as unused. */
    private long touched;
    private int waitFrom;
    private int waitTo;
    private int awaited;
    private int[] intScratch;
    private long[] longScratch;
    private float[] floatScratch;
    private double[] doubleScratch;

    /**
     * Allocates this rank's region; peers' regions are mapped when first needed (a peer creates its own when it
     * first runs a shared-memory collective on the communicator, so nothing has to be exchanged first and a
     * nonblocking call can set up as well as a blocking one).
     *
     * @param engine    the rank's engine, which waits and makes progress
     * @param transport the shared-memory transport that reaches every other rank of the communicator
     * @param rank      this rank in the communicator
     * @param worldOf   the world rank of each rank of the communicator
     * @param name      the regions' name, the same on every rank and unique to the communicator
     */
    public SharedMemoryCollectives(final ProgressEngine engine, final Transport transport, final int rank,
        final int[] worldOf, final String name)
    {
        this.engine = engine;
        this.transport = transport;
        this.rank = rank;
        this.size = worldOf.length;
        this.worldOf = worldOf.clone();
        this.name = name;
        this.regions = new MemorySegment[size];
        this.mine = transport.allocateNamed(name, regionBytes());
        this.regions[rank] = mine;
        this.seen = new long[size];
        this.directAbove = size > Runtime.getRuntime().availableProcessors()
            ? OVERSUBSCRIBED_DIRECT_BYTES - 1 : SMALL_SLOT_BYTES;
        this.mappedRegions = new MemorySegment[size][];
        this.peerSend = new MemorySegment[size];
        this.peerRecv = new MemorySegment[size];
        this.peerSendAt = new long[size];
        this.peerRecvAt = new long[size];
    }

    /**
     * The size of the region each rank allocates.
     *
     * @return bytes
     */
    public static long regionBytes()
    {
        return SharedCollectiveLayout.regionBytes();
    }

    // ------------------------------------------------------------------------------------------------- barrier

    /** MPI_Barrier: one step, then every peer's flag. */
    public void barrier()
    {
        awaitAll(publish());
    }

    /**
     * MPI_Ibarrier: publishes the step now; the request is done once every peer has published it. It matches a
     * blocking {@link #barrier()} on other ranks (both are one step).
     *
     * @return the request
     */
    public Request ibarrier()
    {
        final Arrival arrival = new Arrival(publish());
        if (!arrival.met())
        {
            // The engine polls it on every progress, so the set-up and this rank's part go on while it waits elsewhere.
            engine.addProgressable(arrival);
        }
        return arrival;
    }

    /** An ibarrier's request: waits for every peer's flag to reach its step. */
    private final class Arrival implements Request, WaitCondition, Progressable
    {
        private final long step;
        private int behind;
        private boolean done;
        private final Status status = new Status();

        Arrival(final long step)
        {
            this.step = step;
        }

        @Override
        public boolean met()
        {
            if (!ready && !trySetUp())
            {
                behind = awaited;
                return false;
            }
            behind = firstBehind(0, size, step, SEQUENCE_OFFSET);
            done = behind < 0;
            return done;
        }

        @Override
        public boolean advance()
        {
            return done || met();
        }

        @Override
        public int awaitedPeer()
        {
            return worldOf[behind];
        }

        @Override
        public String describe()
        {
            return "rank " + behind + " of its communicator to enter the shared-memory barrier of step " + step;
        }

        @Override
        public boolean test()
        {
            if (!done && !met())
            {
                engine.progress();
                met();
            }
            return done;
        }

        @Override
        public Status await()
        {
            if (!done)
            {
                engine.awaitCondition(this);
                done = true;
            }
            return status.set(-1, -1, 0, false);
        }

        @Override
        public boolean cancel()
        {
            return false;
        }

        @Override
        public boolean isDone()
        {
            return done || met();
        }
    }

    // ----------------------------------------------------------------------------------------------- allreduce

    /**
     * MPI_Allreduce on int, long, float or double arrays, in rank order for every operation.
     *
     * @param send       this rank's data
     * @param sendOffset its first element
     * @param recv       the result (may be {@code send})
     * @param recvOffset its first element
     * @param count      elements
     * @param op         the operation
     * @param grain      elements that must stay together (2 for MINLOC and MAXLOC pairs, else 1)
     */
    public void allreduce(final Object send, final int sendOffset, final Object recv, final int recvOffset,
        final int count, final ReduceOperation op, final int grain)
    {
        final int elementBytes = Blocks.elementBytes(send);
        if ((long) count * elementBytes <= ALL_READ_BYTES)
        {
            foldAll(send, sendOffset, recv, recvOffset, count, op, -1);
            return;
        }
        final int chunk = SLOT_BYTES / elementBytes / grain * grain;
        for (int done = 0; done < count; done += chunk)
        {
            slicedChunk(send, sendOffset + done, recv, recvOffset + done, Math.min(chunk, count - done), op, grain,
                elementBytes);
        }
    }

    /**
     * MPI_Allreduce of int, long, float or double segments in one copy, when every rank's send and receive segments are
     * registered shared memory ({@code Cohort.allocate}): each rank folds its slice straight out of every rank's send
     * segment into its own receive segment, in rank order, a few KiB at a time through two small arrays; then copies
     * every other slice straight out of its owner's receive segment; and returns once every rank has done the same,
     * since until then peers read its segments. A reduce-scatter and an allgather in memory, as Open MPI's xhc and
     * XPMEM-based collectives do, with no copy into or out of slots.
     *
     * <p>The first step publishes where this rank's segments are (a descriptor next to the slot this call takes); if
     * some rank's are not registered, every rank sees it and returns false, having done nothing else.
     *
     * @param send    this rank's values
     * @param recv    the result, at least as large (may be {@code send}: in place)
     * @param element the values' layout (int, long, float or double, any order and alignment)
     * @param count   values
     * @param op      the operation
     * @param grain   elements that must stay together (2 for MINLOC and MAXLOC pairs, else 1)
     * @return whether it was done; false on every rank alike
     */
    public boolean allreduceDirect(final MemorySegment send, final MemorySegment recv, final ValueLayout element,
        final int count, final ReduceOperation op, final int grain)
    {
        final int slot = takeSlot();
        awaitAll(freeAfter[slot]);
        final long descriptor = descriptorOffset(slot);
        final int sendRegion = transport.regionOf(send);
        final int recvRegion = transport.regionOf(recv);
        writeWhere(descriptor + DESCRIPTOR_REGION, descriptor + DESCRIPTOR_OFFSET, sendRegion, send, 0);
        writeWhere(descriptor + DESCRIPTOR_RECV_REGION, descriptor + DESCRIPTOR_RECV_OFFSET, recvRegion, recv, 0);
        final long described = publish();
        // Peers read the descriptor before their next step.
        freeAfter[slot] = described + 1;
        awaitAll(described);
        for (int q = 0; q < size; q++)
        {
            if (regions[q].get(ValueLayout.JAVA_LONG, descriptor + DESCRIPTOR_REGION) < 0
                || regions[q].get(ValueLayout.JAVA_LONG, descriptor + DESCRIPTOR_RECV_REGION) < 0)
            {
                return false;
            }
        }
        for (int q = 0; q < size; q++)
        {
            final MemorySegment region = regions[q];
            final int from = (int) region.get(ValueLayout.JAVA_LONG, descriptor + DESCRIPTOR_REGION);
            final int to = (int) region.get(ValueLayout.JAVA_LONG, descriptor + DESCRIPTOR_RECV_REGION);
            final boolean self = q == rank;
            peerSend[q] = self ? send : peerRegion(q, from);
            peerSendAt[q] = self ? 0 : region.get(ValueLayout.JAVA_LONG, descriptor + DESCRIPTOR_OFFSET);
            peerRecv[q] = self ? recv : peerRegion(q, to);
            peerRecvAt[q] = self ? 0 : region.get(ValueLayout.JAVA_LONG, descriptor + DESCRIPTOR_RECV_OFFSET);
        }
        final int units = count / grain;
        final int lo = sliceStart(units, rank) * grain;
        final int hi = sliceStart(units, rank + 1) * grain;
        // Whole values of the operation per pass (a user operation's unit may be any number of elements).
        final int pass = Math.max(grain, DIRECT_FOLD_ELEMENTS / grain * grain);
        foldAcc = foldArray(element, foldAcc, pass);
        foldIn = foldArray(element, foldIn, pass);
        for (int at = lo; at < hi; at += pass)
        {
            final int n = Math.min(pass, hi - at);
            final long offset = at * element.byteSize();
            // Highest rank first, as every other allreduce here: every rank gets bit-identical results.
            MemorySegment.copy(peerSend[size - 1], element, peerSendAt[size - 1] + offset, foldAcc, 0, n);
            for (int q = size - 2; q >= 0; q--)
            {
                MemorySegment.copy(peerSend[q], element, peerSendAt[q] + offset, foldIn, 0, n);
                op.applyTo(foldIn, 0, foldAcc, 0, n);
            }
            MemorySegment.copy(foldAcc, 0, recv, element, offset, n);
        }
        final long folded = publish();
        awaitAll(folded);
        for (int q = 0; q < size; q++)
        {
            final long qlo = (long) sliceStart(units, q) * grain * element.byteSize();
            final long qhi = (long) sliceStart(units, q + 1) * grain * element.byteSize();
            if (q != rank && qhi > qlo)
            {
                // Segments are at most Integer.MAX_VALUE bytes (the caller checks): the byte counts fit an int.
                copyOut(peerRecv[q], peerRecvAt[q] + qlo, recv, (int) qlo, (int) (qhi - qlo));
            }
        }
        final long copied = publish();
        freeAfter[slot] = copied;
        // Peers may still be copying out of this rank's receive segment: it may change only once they all have.
        awaitAll(copied);
        for (int q = 0; q < size; q++)
        {
            peerSend[q] = null;
            peerRecv[q] = null;
        }
        return true;
    }

    /** An array of at least {@code length} of the element's type: {@code current} if it is one. */
    private static Object foldArray(final ValueLayout element, final Object current, final int length)
    {
        if (current != null && current.getClass().componentType() == element.carrier()
            && java.lang.reflect.Array.getLength(current) >= length)
        {
            return current;
        }
        return java.lang.reflect.Array.newInstance(element.carrier(), length);
    }

    /**
     * MPI_Reduce on int, long, float or double arrays, in rank order: every rank publishes its data, the root folds.
     * Data larger than a slot goes in slot-sized chunks.
     *
     * @param send       this rank's data
     * @param sendOffset its first element
     * @param recv       the result at the root (ignored elsewhere)
     * @param recvOffset its first element
     * @param count      elements
     * @param op         the operation
     * @param root       the rank that gets the result
     */
    public void reduce(final Object send, final int sendOffset, final Object recv, final int recvOffset,
        final int count, final ReduceOperation op, final int root)
    {
        // Whole values per chunk: (value, index) pairs for MINLOC and MAXLOC, a user operation's unit.
        final int grain = Reduction.grain(op, count);
        final int chunk = SLOT_BYTES / Blocks.elementBytes(send) / grain * grain;
        for (int done = 0; done < count; done += chunk)
        {
            final int n = Math.min(chunk, count - done);
            foldAll(send, sendOffset + done, recv, recvOffset + done, n, op, root);
        }
    }

    /** One step: every rank publishes its data; the root (every rank if {@code root} &lt; 0) folds all of it. */
    private void foldAll(final Object send, final int sendOffset, final Object recv, final int recvOffset,
        final int count, final ReduceOperation op, final int root)
    {
        final int slot = takeSlot((long) count * Blocks.elementBytes(send));
        awaitAll(freeAfter[slot]);
        copyIn(send, sendOffset, count, mine, offsetOf(slot));
        // A small slot carries its own flag next to its data: readers wait on that and get the data with it.
        final long flag = slot < SLOTS ? SEQUENCE_OFFSET : smallFlagOffset(slot - SLOTS);
        final long step = publish(flag);
        // Readers fold in this call, before they publish their next step.
        freeAfter[slot] = step + 1;
        if (root < 0 || rank == root)
        {
            awaitRanks(0, size, step, flag, linesAfterFlag((long) count * Blocks.elementBytes(send)));
            // This rank's own part is read from send unless recv is send (then recv is overwritten first).
            fold(slot, 0, recv, recvOffset, count, op, send != recv ? send : null, sendOffset);
        }
    }

    /**
     * One chunk of the large allreduce: copy in and publish; fold this rank's slice from every rank's slot into a
     * second slot and publish; copy every rank's slice out.
     */
    private void slicedChunk(final Object send, final int sendOffset, final Object recv, final int recvOffset,
        final int count, final ReduceOperation op, final int grain, final int elementBytes)
    {
        final int in = takeSlot();
        final int out = takeSlot();
        final int units = count / grain;
        final int lo = sliceStart(units, rank) * grain;
        final int hi = sliceStart(units, rank + 1) * grain;
        // This rank folds its own slice from send itself, so only the other slices go to the slot; in place, the
        // fold overwrites recv (= send) as it goes, so the slot keeps the whole input.
        final Object own = send != recv ? send : null;
        awaitAll(freeAfter[in]);
        if (own != null)
        {
            copyIn(send, sendOffset, lo, mine, offsetOf(in));
            copyIn(send, sendOffset + hi, count - hi, mine, offsetOf(in) + (long) hi * elementBytes);
        }
        else
        {
            copyIn(send, sendOffset, count, mine, offsetOf(in));
        }
        final long copied = publish();
        awaitAll(copied);
        if (hi > lo)
        {
            // recv's elements of this chunk are already copied in, so folding into them is safe in place too.
            fold(in, lo, recv, recvOffset + lo, hi - lo, op, own, sendOffset + lo);
            awaitAll(freeAfter[out]);
            copyIn(recv, recvOffset + lo, hi - lo, mine, offsetOf(out) + (long) lo * elementBytes);
        }
        final long reduced = publish();
        // Peers read our input slot while folding, before publishing `reduced`; our slice before their next step.
        freeAfter[in] = reduced;
        freeAfter[out] = reduced + 1;
        awaitAll(reduced);
        for (int q = 0; q < size; q++)
        {
            final int qlo = sliceStart(units, q) * grain;
            final int qhi = sliceStart(units, q + 1) * grain;
            if (q != rank && qhi > qlo)
            {
                copyOut(regions[q], offsetOf(out) + (long) qlo * elementBytes, recv, recvOffset + qlo, qhi - qlo);
            }
        }
    }

    private int sliceStart(final int units, final int r)
    {
        return (int) ((long) units * r / size);
    }

    /**
     * Folds elements {@code [at, at + count)} of every rank's slot into recv, highest rank first (rank order). This
     * rank's part comes from {@code own} when given (an array other than recv, so unchanged by the fold), which
     * saves reading back what it just copied in.
     */
    private void fold(final int slot, final int at, final Object recv, final int recvOffset, final int count,
        final ReduceOperation op, final Object own, final int ownOffset)
    {
        final long offset = offsetOf(slot) + (long) at * Blocks.elementBytes(recv);
        if (rank == size - 1 && own != null)
        {
            System.arraycopy(own, ownOffset, recv, recvOffset, count);
        }
        else
        {
            copyOut(regions[size - 1], offset, recv, recvOffset, count);
        }
        for (int q = size - 2; q >= 0; q--)
        {
            if (q == rank && own != null)
            {
                op.applyTo(own, ownOffset, recv, recvOffset, count);
            }
            else
            {
                final Object scratch = scratch(recv, count);
                copyOut(regions[q], offset, scratch, 0, count);
                op.applyTo(scratch, 0, recv, recvOffset, count);
            }
        }
    }

    // --------------------------------------------------------------------------------------------------- bcast

    /**
     * MPI_Bcast of an array or a segment, in slot-sized chunks that pipeline through four slots. Above
     * {@link SharedCollectiveLayout#SMALL_SLOT_BYTES}, when the root's buffer is registered shared memory
     * ({@code Cohort.allocate}), the other ranks copy straight out of it instead, one copy in all (the single-copy
     * bcast of Open MPI's xhc and of KNEM/XPMEM-based collectives), and the root returns once they all have.
     *
     * @param buffer a primitive array or a {@code MemorySegment}
     * @param offset the first element (byte for a segment)
     * @param count  elements (bytes for a segment)
     * @param root   the rank that has the data
     */
    public void bcast(final Object buffer, final int offset, final int count, final int root)
    {
        final int elementBytes = Blocks.elementBytes(buffer);
        final int chunk = SLOT_BYTES / elementBytes;
        // Every rank takes the same branch: the first chunk of a large bcast takes a slot with a descriptor.
        boolean described = (long) count * elementBytes > SMALL_SLOT_BYTES;
        int done = 0;
        do
        {
            final int n = Math.min(chunk, count - done);
            final int slot = takeSlot((long) n * elementBytes);
            if (rank == root)
            {
                awaitAll(freeAfter[slot]);
                if (described && writeWhere(descriptorOffset(slot) + DESCRIPTOR_REGION,
                    descriptorOffset(slot) + DESCRIPTOR_OFFSET,
                    buffer instanceof MemorySegment segment ? transport.regionOf(segment) : -1, buffer, offset))
                {
                    final long step = publish();
                    freeAfter[slot] = step;
                    // The readers copy out of the buffer itself: it may change only once they all have.
                    awaitAll(step);
                    return;
                }
                copyIn(buffer, offset + done, n, mine, offsetOf(slot));
                // Every other rank publishes this same step once it has copied the chunk out.
                freeAfter[slot] = publish();
            }
            else
            {
                final long step = sequence + 1;
                awaitOne(root, step);
                final int region = described ? (int) regions[root].get(ValueLayout.JAVA_LONG,
                    descriptorOffset(slot) + DESCRIPTOR_REGION) : -1;
                if (region >= 0)
                {
                    final long at = regions[root].get(ValueLayout.JAVA_LONG,
                        descriptorOffset(slot) + DESCRIPTOR_OFFSET);
                    copyOut(peerRegion(root, region), at, buffer, offset, count);
                    publish();
                    return;
                }
                copyOut(regions[root], offsetOf(slot), buffer, offset + done, n);
                publish();
            }
            described = false;
            done += n;
        }
        while (done < count);
    }

    /**
     * Writes in this rank's region where a buffer is: its registered region's id at {@code regionAt}, and at
     * {@code offsetAt} where byte {@code offset} of it lies in that region; -1 and 0 if it is not in one.
     *
     * @return whether it is in a registered region (peers may copy straight out of it)
     */
    private boolean writeWhere(final long regionAt, final long offsetAt, final int region, final Object buffer,
        final int offset)
    {
        mine.set(ValueLayout.JAVA_LONG, regionAt, region);
        mine.set(ValueLayout.JAVA_LONG, offsetAt,
            region < 0 ? 0 : ((MemorySegment) buffer).address() + offset - transport.regionBase(region));
        return region >= 0;
    }

    /** A registered region of a peer, mapped once and kept (the transport's own lookup boxes its key). */
    private MemorySegment peerRegion(final int peer, final int region)
    {
        MemorySegment[] mapped = mappedRegions[peer];
        if (mapped == null || region >= mapped.length)
        {
            mapped = java.util.Arrays.copyOf(mapped == null ? new MemorySegment[0] : mapped, region + 4);
            mappedRegions[peer] = mapped;
        }
        if (mapped[region] == null)
        {
            mapped[region] = transport.remoteRegion(worldOf[peer], region);
        }
        return mapped[region];
    }

    // ----------------------------------------------------------------------------------------------- allgather

    /**
     * MPI_Allgather of an array or a segment, in slot-sized chunks: each rank copies its chunk into its own slot and
     * publishes; once every rank has, each copies every other rank's chunk out of that rank's slot, straight to its
     * place in {@code recv}. Each byte crosses memory twice, as in Open MPI's coll/sm, against log2 p or p - 1
     * message hops. A block of up to {@link SharedCollectiveLayout#SMALL_SLOT_BYTES} goes in one small slot,
     * published with the slot's own flag.
     *
     * @param send       this rank's block (may be its place in {@code recv}: in place)
     * @param sendOffset its first element (byte for a segment)
     * @param count      elements per rank (bytes for a segment)
     * @param recv       room for every rank's block, rank r's at {@code recvOffset + r * count}
     * @param recvOffset its first element (byte for a segment)
     */
    public void allgather(final Object send, final int sendOffset, final int count, final Object recv,
        final int recvOffset)
    {
        if (send != recv || sendOffset != recvOffset + rank * count)
        {
            Blocks.copy(send, sendOffset, recv, recvOffset + rank * count, count);
        }
        final long bytes = (long) count * Blocks.elementBytes(send);
        if (bytes <= SMALL_SLOT_BYTES)
        {
            smallAllgather(send, sendOffset, count, recv, recvOffset, bytes);
            return;
        }
        // Ranks agree on the kind of buffer (checked in COHORT_CHECK mode), so all of them take this branch or none.
        if (bytes > directAbove && send instanceof MemorySegment from && recv instanceof MemorySegment to
            && allgatherDirect(from, sendOffset, count, to, recvOffset))
        {
            return;
        }
        final int chunk = SLOT_BYTES / Blocks.elementBytes(send);
        int done = 0;
        do
        {
            final int n = Math.min(chunk, count - done);
            final int slot = takeSlot();
            awaitAll(freeAfter[slot]);
            copyIn(send, sendOffset + done, n, mine, offsetOf(slot));
            final long step = publish();
            // Peers copy this chunk out in this call, before they publish their next step.
            freeAfter[slot] = step + 1;
            awaitAll(step);
            for (int q = 0; q < size; q++)
            {
                if (q != rank && n > 0)
                {
                    copyOut(regions[q], offsetOf(slot), recv, recvOffset + q * count + done, n);
                }
            }
            done += n;
        }
        while (done < count);
    }

    /**
     * An allgather of a block that fits one small slot: it goes next to the slot's flag, so that a reader gets the
     * data with the flag rather than after a second miss on the sequence line.
     */
    private void smallAllgather(final Object send, final int sendOffset, final int count, final Object recv,
        final int recvOffset, final long bytes)
    {
        final int slot = takeSlot(bytes);
        awaitAll(freeAfter[slot]);
        copyIn(send, sendOffset, count, mine, offsetOf(slot));
        final long flag = smallFlagOffset(slot - SLOTS);
        final long step = publish(flag);
        // Peers copy the block out in this call, before they publish their next step.
        freeAfter[slot] = step + 1;
        awaitRanks(0, size, step, flag, linesAfterFlag(bytes));
        for (int q = 0; q < size; q++)
        {
            if (q != rank && count > 0)
            {
                copyOut(regions[q], offsetOf(slot), recv, recvOffset + q * count, count);
            }
        }
    }

    /**
     * The single-copy allgather of blocks in registered shared memory ({@code Cohort.allocate}), as the single-copy
     * bcast: every rank publishes where its block is, then copies every peer's block straight out of the peer's
     * memory, and returns once all have, since until then peers read its block.
     *
     * @return false if some rank's block is not in registered shared memory: every rank sees that alike, and all go
     *         through the slots instead
     */
    private boolean allgatherDirect(final MemorySegment send, final int sendOffset, final int bytes,
        final MemorySegment recv, final int recvOffset)
    {
        final int slot = describeSends(send, sendOffset);
        if (slot < 0)
        {
            return false;
        }
        for (int q = 0; q < size; q++)
        {
            if (q != rank && bytes > 0)
            {
                copyOut(peerSend[q], peerSendAt[q], recv, recvOffset + q * bytes, bytes);
            }
        }
        endDirect(slot);
        return true;
    }

    /**
     * MPI_Allgatherv of segments in registered shared memory ({@code Cohort.allocate}), single-copy as
     * {@link #allgather}: every rank publishes where its block is, then copies every peer's block straight out of
     * the peer's memory to its place, and returns once all have.
     *
     * @param send   this rank's block, {@code counts[rank]} bytes (may be its place in {@code recv})
     * @param recv   room for every block
     * @param counts each rank's block in bytes
     * @param displs where each rank's block lands in {@code recv}, in bytes
     * @return false, with nothing done, if some rank's block is not in registered shared memory: every rank sees that
     *         alike, and all must take another way
     */
    public boolean allgathervDirect(final MemorySegment send, final MemorySegment recv, final int[] counts,
        final int[] displs)
    {
        final int slot = describeSends(send, 0);
        if (slot < 0)
        {
            return false;
        }
        if (send.address() != recv.address() + displs[rank])
        {
            // Not in place (send is not already its own place in recv).
            MemorySegment.copy(send, 0, recv, displs[rank], counts[rank]);
        }
        for (int q = 0; q < size; q++)
        {
            if (q != rank && counts[q] > 0)
            {
                copyOut(peerSend[q], peerSendAt[q], recv, displs[q], counts[q]);
            }
        }
        endDirect(slot);
        return true;
    }

    /**
     * The first step of a single-copy allgather or alltoall: publish where this rank's send segment lies, and learn
     * where every peer's does ({@link #peerSend}, {@link #peerSendAt}).
     *
     * @return the slot whose descriptors say so; or -1 if some rank's segment is not in registered shared memory,
     *         which every rank sees alike
     */
    private int describeSends(final MemorySegment send, final int sendOffset)
    {
        final int slot = takeSlot();
        awaitAll(freeAfter[slot]);
        final long descriptor = descriptorOffset(slot);
        writeWhere(descriptor + DESCRIPTOR_REGION, descriptor + DESCRIPTOR_OFFSET, transport.regionOf(send), send,
            sendOffset);
        final long described = publish();
        // Peers read the descriptor before their next step.
        freeAfter[slot] = described + 1;
        awaitAll(described);
        for (int q = 0; q < size; q++)
        {
            if (regions[q].get(ValueLayout.JAVA_LONG, descriptor + DESCRIPTOR_REGION) < 0)
            {
                return -1;
            }
        }
        for (int q = 0; q < size; q++)
        {
            if (q != rank)
            {
                final int region = (int) regions[q].get(ValueLayout.JAVA_LONG, descriptor + DESCRIPTOR_REGION);
                peerSend[q] = peerRegion(q, region);
                peerSendAt[q] = regions[q].get(ValueLayout.JAVA_LONG, descriptor + DESCRIPTOR_OFFSET);
            }
        }
        return slot;
    }

    /** The last step of a single-copy allgather or alltoall: return once every rank has copied out of this one's. */
    private void endDirect(final int slot)
    {
        final long copied = publish();
        freeAfter[slot] = copied;
        awaitAll(copied);
        for (int q = 0; q < size; q++)
        {
            peerSend[q] = null;
        }
    }

    // ------------------------------------------------------------------------------------------------ alltoall

    /**
     * MPI_Alltoall of arrays or segments: per round, every rank copies a chunk of each block it sends into its own
     * slot, the block for rank q at the q-th part, and publishes; once every rank has, each copies its part out of
     * every peer's slot, straight to its place in {@code recv}. Blocks that fit one small slot together go there,
     * published with its flag; blocks that fit one slot take one round in one slot;
     * larger ones take rounds that span all {@link SharedCollectiveLayout#SLOTS} slots, each ended by one more
     * publish that says this rank has read its parts.
     *
     * @param send       {@code size} blocks, the one for rank q at {@code sendOffset + q * count}
     * @param sendOffset the first element (byte for a segment)
     * @param recv       room for {@code size} blocks, rank q's at {@code recvOffset + q * count}; not {@code send}
     * @param recvOffset its first element (byte for a segment)
     * @param count      elements per block (bytes for a segment)
     */
    public void alltoall(final Object send, final int sendOffset, final Object recv, final int recvOffset,
        final int count)
    {
        Blocks.copy(send, sendOffset + rank * count, recv, recvOffset + rank * count, count);
        final int elementBytes = Blocks.elementBytes(send);
        final long part = (long) count * elementBytes;
        if (part * size <= SMALL_SLOT_BYTES)
        {
            smallAlltoall(send, sendOffset, recv, recvOffset, count, part);
            return;
        }
        // Ranks agree on the kind of buffer (checked in COHORT_CHECK mode), so all of them take this branch or none.
        if (part > directAbove && send instanceof MemorySegment from && recv instanceof MemorySegment to
            && alltoallDirect(from, sendOffset, to, recvOffset, count))
        {
            return;
        }
        // Data that fits one slot goes in one round of one slot. More goes in rounds spanning every slot (adjacent,
        // so one area in each region): a quarter of the rounds, so of the waits for every rank, which cost most when
        // ranks outnumber cores (4 ranks on 2 cores, 1 MiB blocks: 1.05 ms -> 0.7 ms a call).
        final boolean wide = count > SLOT_BYTES / elementBytes / size;
        final int width = wide ? SLOTS : 1;
        // A rank's part of a round's slots: every communicator on one host has far fewer ranks than they have room.
        final int chunk = Math.max(1, width * SLOT_BYTES / elementBytes / size);
        if (wide)
        {
            // Says this rank has read what earlier calls left in any slot. A slot is free after its readers' next
            // step; the slot of the last call is among those a wide round rewrites, and its readers would otherwise
            // publish that step only in this call, after waiting for it.
            publish();
        }
        int done = 0;
        do
        {
            final int n = Math.min(chunk, count - done);
            final int first = nextSlot - nextSlot % width;
            nextSlot = (first + width) % SLOTS;
            long free = 0;
            for (int slot = first; slot < first + width; slot++)
            {
                free = Math.max(free, freeAfter[slot]);
            }
            awaitAll(free);
            final long area = offsetOf(first);
            final long piece = (long) n * elementBytes;
            for (int q = 0; q < size; q++)
            {
                if (q != rank && n > 0)
                {
                    copyIn(send, sendOffset + q * count + done, n, mine, area + q * piece);
                }
            }
            final long step = publish();
            // Peers copy their parts out in this call, before they publish their next step.
            long read = step + 1;
            awaitAll(step);
            for (int q = 0; q < size; q++)
            {
                if (q != rank && n > 0)
                {
                    copyOut(regions[q], area + rank * piece, recv, recvOffset + q * count + done, n);
                }
            }
            if (wide)
            {
                // The next round reuses these very slots: it must wait for a step each peer publishes once it has
                // read, not for one it would publish only after that wait.
                read = publish();
            }
            for (int slot = first; slot < first + width; slot++)
            {
                freeAfter[slot] = read;
            }
            done += n;
        }
        while (done < count);
    }

    /**
     * An alltoall whose blocks all fit one small slot: the block for rank q at the q-th part of the slot, published
     * with the slot's flag, so that a reader gets the data with the flag.
     */
    private void smallAlltoall(final Object send, final int sendOffset, final Object recv, final int recvOffset,
        final int count, final long part)
    {
        final int slot = takeSlot(part * size);
        awaitAll(freeAfter[slot]);
        final long area = offsetOf(slot);
        for (int q = 0; q < size; q++)
        {
            if (q != rank && count > 0)
            {
                copyIn(send, sendOffset + q * count, count, mine, area + q * part);
            }
        }
        final long flag = smallFlagOffset(slot - SLOTS);
        final long step = publish(flag);
        // Peers copy their parts out in this call, before they publish their next step.
        freeAfter[slot] = step + 1;
        awaitRanks(0, size, step, flag, linesAfterFlag(part * size));
        for (int q = 0; q < size; q++)
        {
            if (q != rank && count > 0)
            {
                copyOut(regions[q], area + rank * part, recv, recvOffset + q * count, count);
            }
        }
    }

    /**
     * The single-copy alltoall of blocks in registered shared memory ({@code Cohort.allocate}), as the single-copy
     * allgather: every rank publishes where its outgoing blocks are, then copies the block for it straight out of
     * every peer's memory, and returns once all have.
     *
     * @return false if some rank's blocks are not in registered shared memory: every rank sees that alike, and all
     *         go through the slots instead
     */
    private boolean alltoallDirect(final MemorySegment send, final int sendOffset, final MemorySegment recv,
        final int recvOffset, final int bytes)
    {
        final int slot = describeSends(send, sendOffset);
        if (slot < 0)
        {
            return false;
        }
        for (int q = 0; q < size; q++)
        {
            if (q != rank)
            {
                copyOut(peerSend[q], peerSendAt[q] + (long) rank * bytes, recv, recvOffset + q * bytes, bytes);
            }
        }
        endDirect(slot);
        return true;
    }

    // ------------------------------------------------------------------------------------------ steps, waiting

    /** The cache lines after a small slot's flag line that hold some of its {@code bytes} of data, at most a few. */
    private static int linesAfterFlag(final long bytes)
    {
        return (int) Math.min(TOUCHED_LINES, (SMALL_FLAG_BYTES + bytes - 1) / LINE_BYTES);
    }

    private int takeSlot()
    {
        final int slot = nextSlot;
        nextSlot = slot + 1 == SLOTS ? 0 : slot + 1;
        return slot;
    }

    /** The next small slot for data of up to {@link SharedCollectiveLayout#SMALL_SLOT_BYTES}, else the next slot. */
    private int takeSlot(final long bytes)
    {
        if (bytes > SMALL_SLOT_BYTES)
        {
            return takeSlot();
        }
        final int small = nextSmallSlot;
        nextSmallSlot = small + 1 == SMALL_SLOTS ? 0 : small + 1;
        return SLOTS + small;
    }

    /** Where slot {@code slot} (numbered as in {@link #freeAfter}) begins in a region. */
    private static long offsetOf(final int slot)
    {
        return slot < SLOTS ? slotOffset(slot) : smallSlotOffset(slot - SLOTS);
    }

    /** Completes a step: everything written before is visible to a peer that reads the new count. */
    private long publish()
    {
        final long step = ++sequence;
        // Release: the slot writes of this step happen-before a peer's acquire read of the count.
        SEQUENCE.setRelease(mine, SEQUENCE_OFFSET, step);
        return step;
    }

    /**
     * Completes a step whose data is in a small slot: the slot's flag first, so readers waiting on it go on at once,
     * then the sequence.
     */
    private long publish(final long flag)
    {
        if (flag == SEQUENCE_OFFSET)
        {
            return publish();
        }
        final long step = sequence + 1;
        // Release: the slot's data happen-before a peer's acquire read of its flag.
        SEQUENCE.setRelease(mine, flag, step);
        return publish();
    }

    private void awaitAll(final long step)
    {
        awaitRanks(0, size, step, SEQUENCE_OFFSET, 0);
    }

    private void awaitOne(final int peer, final long step)
    {
        awaitRanks(peer, peer + 1, step, SEQUENCE_OFFSET, 0);
    }

    /**
     * Waits until every rank in {@code [from, to)} has reached {@code step}, as read in its flag at {@code flag},
     * reading the first word of each of the {@code touch} cache lines after the flag's with it.
     */
    private void awaitRanks(final int from, final int to, final long step, final long flag, final int touch)
    {
        waitFrom = from;
        waitTo = to;
        waitTarget = step;
        waitFlag = flag;
        waitTouch = touch;
        if (!met())
        {
            engine.awaitCondition(this);
        }
    }

    @Override
    public boolean met()
    {
        if (!ready && !trySetUp())
        {
            return false;
        }
        final int behind = firstBehind(waitFrom, waitTo, waitTarget, waitFlag);
        if (behind < 0)
        {
            return true;
        }
        awaited = behind;
        return false;
    }

    /**
     * The set-up, a barrier of its own, done once: map every peer's region (each creates its own on its first
     * shared-memory collective here), say so in the ready flag, and wait until every peer has said so. Only then
     * may a rank go on: a rank that went on could finish and close, removing its file before a slower peer mapped
     * it. Non-blocking, so an ibarrier can drive it from its request.
     *
     * @return true once set up
     */
    private boolean trySetUp()
    {
        for (int q = 0; q < size; q++)
        {
            if (regions[q] == null)
            {
                regions[q] = transport.mapNamed(worldOf[q], name, regionBytes());
                if (regions[q] == null)
                {
                    awaited = q;
                    return false;
                }
            }
        }
        // Release, like the sequence; read with acquire below.
        SEQUENCE.setRelease(mine, READY_OFFSET, 1L);
        for (int q = 0; q < size; q++)
        {
            if ((long) SEQUENCE.getAcquire(regions[q], READY_OFFSET) == 0)
            {
                awaited = q;
                return false;
            }
        }
        ready = true;
        return true;
    }

    /**
     * The first rank in {@code [from, to)} (this one aside) that has not published {@code step}, or -1, read in each
     * peer's flag at {@code flag}: its sequence, or the small slot that step fills. A slot's flag holds the step
     * that last filled it, so it may lag what {@link #seen} already knows; a peer that stored it had done all it
     * does before that step, so it counts as seen too.
     */
    private int firstBehind(final int from, final int to, final long step, final long flag)
    {
        for (int q = from; q < to; q++)
        {
            if (q != rank && seen[q] < step)
            {
                // Acquire: what the peer wrote before publishing this count is visible after this read.
                final long published = (long) SEQUENCE.getAcquire(regions[q], flag);
                for (int line = 1; line <= waitTouch; line++)
                {
                    touched += (long) SEQUENCE.getOpaque(regions[q], flag + (long) line * LINE_BYTES);
                }
                if (published > seen[q])
                {
                    seen[q] = published;
                }
                if (seen[q] < step)
                {
                    return q;
                }
            }
        }
        return -1;
    }

    @Override
    public int awaitedPeer()
    {
        return worldOf[awaited];
    }

    @Override
    public String describe()
    {
        return "rank " + awaited + " of its communicator to " + (ready ? "reach step " + waitTarget + " of"
            : "set up") + " a shared-memory collective";
    }

    // ------------------------------------------------------------------------------------------------- copying

    private void copyIn(final Object from, final int offset, final int count, final MemorySegment to,
        final long at)
    {
        final long bytes = (long) count * Blocks.elementBytes(from);
        if (bytes >= NativeCopy.MIN_BYTES)
        {
            nativeCopy.outOf(to, at, from, offset, bytes);
            return;
        }
        if (from instanceof MemorySegment segment)
        {
            MemorySegment.copy(segment, offset, to, at, count);
        }
        else
        {
            MemorySegment.copy(from, offset, to, layoutOf(from), at, count);
        }
    }

    private void copyOut(final MemorySegment from, final long at, final Object to, final int offset,
        final int count)
    {
        final long bytes = (long) count * Blocks.elementBytes(to);
        if (bytes >= NativeCopy.MIN_BYTES)
        {
            nativeCopy.into(to, offset, from, at, bytes);
            return;
        }
        if (to instanceof MemorySegment segment)
        {
            MemorySegment.copy(from, at, segment, offset, count);
        }
        else
        {
            MemorySegment.copy(from, layoutOf(to), at, to, offset, count);
        }
    }

    private static ValueLayout layoutOf(final Object array)
    {
        // instanceof tests, as in Blocks.elementBytes: cheaper than a pattern switch on the small-call path.
        if (array instanceof double[])
        {
            return ValueLayout.JAVA_DOUBLE_UNALIGNED;
        }
        if (array instanceof long[])
        {
            return ValueLayout.JAVA_LONG_UNALIGNED;
        }
        if (array instanceof int[])
        {
            return ValueLayout.JAVA_INT_UNALIGNED;
        }
        if (array instanceof float[])
        {
            return ValueLayout.JAVA_FLOAT_UNALIGNED;
        }
        if (array instanceof byte[])
        {
            return ValueLayout.JAVA_BYTE;
        }
        throw new CohortException("shared-memory collectives take byte, int, long, float or double arrays or "
            + "segments, not " + array.getClass().getSimpleName());
    }

    /** A kept array of recv's type with room for {@code count} elements (at most one slot's worth). */
    private Object scratch(final Object like, final int count)
    {
        return switch (like)
        {
            case double[] a ->
            {
                if (doubleScratch == null || doubleScratch.length < count)
                {
                    doubleScratch = new double[Math.max(count, SLOT_BYTES / Double.BYTES)];
                }
                yield doubleScratch;
            }
            case long[] a ->
            {
                if (longScratch == null || longScratch.length < count)
                {
                    longScratch = new long[Math.max(count, SLOT_BYTES / Long.BYTES)];
                }
                yield longScratch;
            }
            case int[] a ->
            {
                if (intScratch == null || intScratch.length < count)
                {
                    intScratch = new int[Math.max(count, SLOT_BYTES / Integer.BYTES)];
                }
                yield intScratch;
            }
            case float[] a ->
            {
                if (floatScratch == null || floatScratch.length < count)
                {
                    floatScratch = new float[Math.max(count, SLOT_BYTES / Float.BYTES)];
                }
                yield floatScratch;
            }
            default -> throw new CohortException("reductions take int, long, float or double arrays, not "
                + like.getClass().getSimpleName());
        };
    }
}
