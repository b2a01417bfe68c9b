package io.cohort.transport.shm;

import io.cohort.transport.AddressExchange;
import io.cohort.transport.FrameHandler;
import io.cohort.transport.HostIdentity;
import io.cohort.transport.Transport;
import io.cohort.transport.TransportException;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import static io.cohort.transport.shm.ShmLayout.JOB_SIZE_OFFSET;
import static io.cohort.transport.shm.ShmLayout.MAGIC;
import static io.cohort.transport.shm.ShmLayout.MAGIC_OFFSET;
import static io.cohort.transport.shm.ShmLayout.PID_OFFSET;
import static io.cohort.transport.shm.ShmLayout.RING_CAPACITY_OFFSET;
import static io.cohort.transport.shm.ShmLayout.STATE_FAILED;
import static io.cohort.transport.shm.ShmLayout.STATE_FINISHED;
import static io.cohort.transport.shm.ShmLayout.STATE_OFFSET;
import static io.cohort.transport.shm.ShmLayout.STATE_RUNNING;
import static io.cohort.transport.shm.ShmLayout.VERSION;
import static io.cohort.transport.shm.ShmLayout.VERSION_OFFSET;

/**
 * The shared-memory provider: every rank owns one file under /dev/shm holding one Agrona
 * {@link OneToOneRingBuffer} per sending rank. A sender claims a record in the receiver's ring for it and writes
 * its frame there directly (one copy); the receiver polls its rings. No system call and no allocation on the way.
 *
 * <p>Files are unlinked as soon as every peer has mapped them (after the second fence of wire-up), so a job
 * killed with SIGKILL leaves no inbound file behind. Registered regions ({@link #allocateRegistered}) must stay
 * nameable for peers to map lazily; they are removed at close, and a launcher removes any left by a crash.
 *
 * <p>Not thread-safe: one thread per rank.
 */
public final class ShmTransport implements Transport
{
    private static final String KEY_PREFIX = "shm.";

    private final ShmConfig config;
    private final String jobId;
    private final int rank;
    private final int jobSize;
    private final String hostId;
    private final Arena arena = Arena.ofShared();
    private final Path inboundPath;
    private final MemorySegment inbound;
    private final RingBuffer[] inboundRings;
    private final RingBuffer[] outboundRings;
    private final MemorySegment[] outboundMemory;
    private final MemorySegment[] peerHeaders;
    private final ProcessHandle[] peerProcesses;
    private final PeerReader[] readers;
    private final MemorySegment[] bulkOut;
    private final MemorySegment[] bulkOutHeader;
    private final MemorySegment[] bulkIn;
    private final MemorySegment[] bulkInHeader;
    private final long[] bulkProduced;
    private final long[] bulkConsumedSeen;
    private final long[] bulkConsumed;
    private int[] connectedPeers = new int[0];
    private final List<Region> regions = new ArrayList<>();
    /** Files of named regions, removed at close with the registered ones (kept apart: they take no region id). */
    private final List<Path> namedFiles = new ArrayList<>();
    private long[] regionStarts = new long[0];
    private long[] regionEnds = new long[0];
    private final Long2ObjectHashMap<MemorySegment> remoteRegions = new Long2ObjectHashMap<>();
    private final long[] peerPids;
    private CrossMemoryAttach crossMemory;
    private boolean inboundUnlinked;
    private boolean closed;
    private boolean aborted;

    private record Region(Path path, MemorySegment memory)
    {
    }

    /**
     * Creates this rank's inbound file.
     *
     * @param config  the provider's settings
     * @param jobId   the job's id, part of every file name
     * @param rank    this rank
     * @param jobSize ranks in the job
     */
    public ShmTransport(final ShmConfig config, final String jobId, final int rank, final int jobSize)
    {
        if (jobSize > 1)
        {
            requireAgronaAccess();
        }
        this.config = config;
        this.jobId = jobId;
        this.rank = rank;
        this.jobSize = jobSize;
        this.hostId = HostIdentity.current();
        this.inboundPath = config.directory().resolve(ShmLayout.inboundFileName(jobId, rank));
        this.inboundRings = new RingBuffer[jobSize];
        this.outboundRings = new RingBuffer[jobSize];
        this.outboundMemory = new MemorySegment[jobSize];
        this.peerHeaders = new MemorySegment[jobSize];
        this.peerProcesses = new ProcessHandle[jobSize];
        this.readers = new PeerReader[jobSize];
        this.bulkOut = new MemorySegment[jobSize];
        this.bulkOutHeader = new MemorySegment[jobSize];
        this.bulkIn = new MemorySegment[jobSize];
        this.bulkInHeader = new MemorySegment[jobSize];
        this.bulkProduced = new long[jobSize];
        this.bulkConsumedSeen = new long[jobSize];
        this.bulkConsumed = new long[jobSize];
        this.peerPids = new long[jobSize];
        final long length = ShmLayout.fileLength(jobSize, config);
        this.inbound = mapFile(inboundPath, length, true);
        inbound.set(ValueLayout.JAVA_INT, VERSION_OFFSET, VERSION);
        inbound.set(ValueLayout.JAVA_INT, JOB_SIZE_OFFSET, jobSize);
        inbound.set(ValueLayout.JAVA_LONG, PID_OFFSET, ProcessHandle.current().pid());
        inbound.set(ValueLayout.JAVA_INT, RING_CAPACITY_OFFSET, config.ringCapacity());
        inbound.set(ValueLayout.JAVA_INT, ShmLayout.BULK_SLOTS_OFFSET, config.bulkSlots());
        inbound.set(ValueLayout.JAVA_INT, ShmLayout.BULK_SLOT_LENGTH_OFFSET, config.bulkSlotLength());
        inbound.set(ValueLayout.JAVA_INT, STATE_OFFSET, STATE_RUNNING);
        // The magic goes last, with release semantics: a peer that sees it sees a complete header.
        ShmHeaderAccess.MAGIC.setRelease(inbound, (long) MAGIC_OFFSET, MAGIC);
    }

    /** Agrona 2 reads memory through the JDK's internal Unsafe, which the JVM must export to it. */
    private static void requireAgronaAccess()
    {
        try
        {
            new UnsafeBuffer(new byte[8]).getLongVolatile(0);
        }
        catch (final IllegalAccessError | ExceptionInInitializerError | NoClassDefFoundError ex)
        {
            throw new TransportException("the shared-memory transport needs the JVM option "
                + "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED (for Agrona); 'cohort run' adds it to every "
                + "rank, add it to your own java command when you start ranks yourself", ex);
        }
    }

    @Override
    public String name()
    {
        return "shm";
    }

    @Override
    public void publish(final AddressExchange exchange)
    {
        exchange.put(KEY_PREFIX + rank, hostId + " " + inboundPath);
    }

    @Override
    public boolean connect(final int peer, final AddressExchange exchange)
    {
        final String card = exchange.get(KEY_PREFIX + peer);
        if (card == null)
        {
            return false;
        }
        final int space = card.indexOf(' ');
        if (space < 0 || !card.substring(0, space).equals(hostId))
        {
            return false;
        }
        final Path peerPath = Path.of(card.substring(space + 1));
        final int capacity = config.ringCapacity();
        final MemorySegment peerFile = mapFile(peerPath, ShmLayout.fileLength(jobSize, config), false);
        if ((long) ShmHeaderAccess.MAGIC.getAcquire(peerFile, (long) MAGIC_OFFSET) != MAGIC
            || peerFile.get(ValueLayout.JAVA_INT, VERSION_OFFSET) != VERSION
            || peerFile.get(ValueLayout.JAVA_INT, RING_CAPACITY_OFFSET) != capacity
            || peerFile.get(ValueLayout.JAVA_INT, ShmLayout.BULK_SLOTS_OFFSET) != config.bulkSlots()
            || peerFile.get(ValueLayout.JAVA_INT, ShmLayout.BULK_SLOT_LENGTH_OFFSET) != config.bulkSlotLength())
        {
            throw new TransportException("shared-memory file " + peerPath + " of rank " + peer
                + " has another layout than this rank's (" + config + "): are all ranks started with the same "
                + "COHORT_SHM_* settings and Cohort version?");
        }
        final long ringLength = capacity + RingBufferDescriptor.TRAILER_LENGTH;
        final MemorySegment out = peerFile.asSlice(ShmLayout.ringOffset(rank, config), ringLength);
        outboundMemory[peer] = out;
        outboundRings[peer] = new OneToOneRingBuffer(new UnsafeBuffer(out.address(), (int) out.byteSize()));
        final MemorySegment in = inbound.asSlice(ShmLayout.ringOffset(peer, config), ringLength);
        final long bulkLength = (long) config.bulkSlots() * config.bulkSlotLength();
        bulkOut[peer] = peerFile.asSlice(ShmLayout.bulkSlotsOffset(rank, config), bulkLength);
        bulkOutHeader[peer] = peerFile.asSlice(ShmLayout.bulkHeaderOffset(rank, config), 64);
        bulkIn[peer] = inbound.asSlice(ShmLayout.bulkSlotsOffset(peer, config), bulkLength);
        bulkInHeader[peer] = inbound.asSlice(ShmLayout.bulkHeaderOffset(peer, config), 64);
        inboundRings[peer] = new OneToOneRingBuffer(new UnsafeBuffer(in.address(), (int) in.byteSize()));
        readers[peer] = new PeerReader(peer, in);
        peerHeaders[peer] = peerFile.asSlice(0, ShmLayout.HEADER_LENGTH);
        peerPids[peer] = peerFile.get(ValueLayout.JAVA_LONG, PID_OFFSET);
        final Optional<ProcessHandle> process = ProcessHandle.of(peerPids[peer]);
        peerProcesses[peer] = process.orElse(null);
        connectedPeers = Arrays.copyOf(connectedPeers, connectedPeers.length + 1);
        connectedPeers[connectedPeers.length - 1] = peer;
        return true;
    }

    @Override
    public void connected()
    {
        unlinkInbound();
    }

    @Override
    public int maxFrameLength()
    {
        return config.ringCapacity() / 8;
    }

    @Override
    public int tryClaim(final int peer, final int frameType, final int length)
    {
        final int index = outboundRings[peer].tryClaim(frameType, length);
        return index > 0 ? index : BACK_PRESSURED;
    }

    @Override
    public MemorySegment frameBuffer(final int peer)
    {
        return outboundMemory[peer];
    }

    @Override
    public void commit(final int peer, final int offset)
    {
        outboundRings[peer].commit(offset);
    }

    @Override
    public void abortClaim(final int peer, final int offset)
    {
        outboundRings[peer].abort(offset);
    }

    @Override
    public int poll(final FrameHandler handler, final int limit)
    {
        final int[] peers = connectedPeers;
        int frames = 0;
        for (final int peer : peers)
        {
            final PeerReader reader = readers[peer];
            reader.handler = handler;
            frames += inboundRings[peer].read(reader, limit);
        }
        return frames;
    }

    @Override
    public int bulkSlotLength()
    {
        return config.bulkSlotLength();
    }

    @Override
    public int tryClaimBulk(final int peer)
    {
        final long produced = bulkProduced[peer];
        final int slots = config.bulkSlots();
        if (produced - bulkConsumedSeen[peer] >= slots)
        {
            // Only when the cached count says full is the shared one read: the line is the receiver's to write.
            bulkConsumedSeen[peer] = (long) ShmHeaderAccess.BULK_CONSUMED.getAcquire(bulkOutHeader[peer],
                (long) ShmLayout.BULK_CONSUMED_OFFSET);
            if (produced - bulkConsumedSeen[peer] >= slots)
            {
                return BACK_PRESSURED;
            }
        }
        return (int) (produced % slots) * config.bulkSlotLength();
    }

    @Override
    public MemorySegment bulkBuffer(final int peer)
    {
        return bulkOut[peer];
    }

    @Override
    public void commitBulk(final int peer)
    {
        bulkProduced[peer]++;
    }

    @Override
    public MemorySegment inboundBulk(final int peer)
    {
        return bulkIn[peer];
    }

    @Override
    public void releaseBulk(final int peer)
    {
        // Release: the sender may refill the slot only after our copy out of it is complete.
        ShmHeaderAccess.BULK_CONSUMED.setRelease(bulkInHeader[peer], (long) ShmLayout.BULK_CONSUMED_OFFSET,
            ++bulkConsumed[peer]);
    }

    @Override
    public MemorySegment allocateRegistered(final long bytes)
    {
        if (bytes <= 0)
        {
            throw new TransportException("cannot allocate " + bytes + " bytes of shared memory: the size must be > 0");
        }
        final int id = regions.size();
        final Path path = config.directory().resolve(ShmLayout.regionFileName(jobId, rank, id));
        final MemorySegment memory = mapFile(path, bytes, true);
        synchronized (regions)
        {
            regions.add(new Region(path, memory));
        }
        regionStarts = Arrays.copyOf(regionStarts, id + 1);
        regionEnds = Arrays.copyOf(regionEnds, id + 1);
        regionStarts[id] = memory.address();
        regionEnds[id] = memory.address() + bytes;
        return memory;
    }

    @Override
    public MemorySegment allocateNamed(final String name, final long bytes)
    {
        if (bytes <= 0 || !name.matches("[A-Za-z0-9-]+"))
        {
            throw new TransportException("cannot allocate named region '" + name + "' of " + bytes + " bytes: the "
                + "size must be > 0 and the name letters, digits and '-'");
        }
        final Path path = config.directory().resolve(ShmLayout.namedFileName(jobId, rank, name));
        synchronized (regions)
        {
            namedFiles.add(path);
        }
        return mapFile(path, bytes, true);
    }

    @Override
    public MemorySegment mapNamed(final int peer, final String name, final long bytes)
    {
        final Path path = config.directory().resolve(ShmLayout.namedFileName(jobId, peer, name));
        try
        {
            // The owner creates the file empty and then sizes it: until it is sized, it is not there yet.
            if (!Files.exists(path) || Files.size(path) < bytes)
            {
                return null;
            }
        }
        catch (final IOException ex)
        {
            return null;
        }
        return mapFile(path, bytes, false);
    }

    @Override
    public int regionOf(final MemorySegment segment)
    {
        if (!segment.isNative())
        {
            return -1;
        }
        final long start = segment.address();
        final long end = start + segment.byteSize();
        final long[] starts = regionStarts;
        final long[] ends = regionEnds;
        for (int i = 0; i < starts.length; i++)
        {
            if (start >= starts[i] && end <= ends[i])
            {
                return i;
            }
        }
        return -1;
    }

    @Override
    public long regionBase(final int regionId)
    {
        return regionStarts[regionId];
    }

    @Override
    public MemorySegment remoteRegion(final int peer, final int regionId)
    {
        final long key = ((long) peer << 32) | regionId;
        MemorySegment region = remoteRegions.get(key);
        if (region == null)
        {
            final Path path = config.directory().resolve(ShmLayout.regionFileName(jobId, peer, regionId));
            try
            {
                region = mapFile(path, Files.size(path), false);
            }
            catch (final IOException ex)
            {
                throw new TransportException("cannot map region " + regionId + " of rank " + peer + " at " + path
                    + ": " + ex.getMessage(), ex);
            }
            remoteRegions.put(key, region);
        }
        return region;
    }

    @Override
    public boolean canReadProcessMemory(final int peer)
    {
        return CrossMemoryAttach.available() && peerPids[peer] > 0;
    }

    @Override
    public void readProcessMemory(final int peer, final long address, final MemorySegment dst, final long length)
    {
        if (crossMemory == null)
        {
            crossMemory = new CrossMemoryAttach(arena);
        }
        crossMemory.read(peerPids[peer], address, dst, length);
    }

    @Override
    public int peerState(final int peer)
    {
        final MemorySegment header = peerHeaders[peer];
        if (header == null)
        {
            return PEER_FAILED;
        }
        final int state = (int) ShmHeaderAccess.STATE.getVolatile(header, (long) STATE_OFFSET);
        if (state == STATE_FINISHED)
        {
            return PEER_FINISHED;
        }
        if (state == STATE_FAILED)
        {
            return PEER_FAILED;
        }
        final ProcessHandle process = peerProcesses[peer];
        return process != null && process.isAlive() ? PEER_ALIVE : PEER_FAILED;
    }

    @Override
    public void abort()
    {
        aborted = true;
        setState(STATE_FAILED);
    }

    @Override
    public void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        if (!aborted)
        {
            setState(STATE_FINISHED);
        }
        removeNamedFiles();
        arena.close();
    }

    @Override
    public void removeNamedFiles()
    {
        final List<Path> names = new ArrayList<>();
        synchronized (regions)
        {
            if (!inboundUnlinked)
            {
                names.add(inboundPath);
            }
            regions.forEach(region -> names.add(region.path()));
            names.addAll(namedFiles);
        }
        for (final Path name : names)
        {
            try
            {
                Files.deleteIfExists(name);
            }
            catch (final IOException ex)
            {
                // The launcher removes whatever a rank could not.
            }
        }
    }

    private void setState(final int state)
    {
        if (!closed || state == STATE_FINISHED)
        {
            // Volatile so a peer polling our state sees it after every frame we committed before it.
            ShmHeaderAccess.STATE.setVolatile(inbound, (long) STATE_OFFSET, state);
        }
    }

    private void unlinkInbound()
    {
        if (!inboundUnlinked)
        {
            inboundUnlinked = true;
            try
            {
                Files.deleteIfExists(inboundPath);
            }
            catch (final IOException ex)
            {
                throw new TransportException("cannot remove shared-memory file " + inboundPath + ": "
                    + ex.getMessage(), ex);
            }
        }
    }

    private MemorySegment mapFile(final Path path, final long length, final boolean create)
    {
        try (FileChannel channel = create
            ? FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ, StandardOpenOption.WRITE)
            : FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE))
        {
            if (create)
            {
                channel.truncate(length);
                channel.write(java.nio.ByteBuffer.allocate(1), length - 1);
            }
            else if (channel.size() < length)
            {
                throw new TransportException("shared-memory file " + path + " is " + channel.size()
                    + " bytes, expected at least " + length);
            }
            return channel.map(FileChannel.MapMode.READ_WRITE, 0, length, arena);
        }
        catch (final NoSuchFileException ex)
        {
            throw new TransportException("shared-memory file " + path + " does not exist (its rank exited, or "
                + "the ranks do not share " + config.directory() + ")", ex);
        }
        catch (final IOException ex)
        {
            throw new TransportException("cannot map shared-memory file " + path + " (" + length + " bytes): "
                + ex.getMessage() + "; is " + config.directory() + " a writable tmpfs with room?", ex);
        }
    }

    /** Adapts Agrona's handler to ours, remembering which peer's ring is being read. */
    private static final class PeerReader implements MessageHandler
    {
        private final int peer;
        private final MemorySegment ring;
        private FrameHandler handler;

        PeerReader(final int peer, final MemorySegment ring)
        {
            this.peer = peer;
            this.ring = ring;
        }

        @Override
        public void onMessage(final int msgTypeId, final org.agrona.MutableDirectBuffer buffer, final int index,
            final int length)
        {
            handler.onFrame(peer, msgTypeId, ring, index, length);
        }
    }
}
