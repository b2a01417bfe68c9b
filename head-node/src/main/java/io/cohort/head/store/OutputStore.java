package io.cohort.head.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * The output of every rank of every attempt, in {@code DATA/logs/JOB/ATTEMPT/rank-N.out} (stdout and stderr in
 * arrival order). Chunks are written straight to the file, so a reader sees them while the job runs.
 *
 * <pre>{@code
 * output.append(42, 1, 0, bytes);
 * OutputStore.Chunk chunk = output.read(42, 1, 0, 0, 65536); // then read again from chunk.next()
 * }</pre>
 *
 * Thread-safe.
 */
public final class OutputStore implements AutoCloseable
{
    private final Path dir;
    private final Map<Path, FileChannel> open = new HashMap<>();

    /**
     * Bytes read from a rank's output.
     *
     * @param data the bytes
     * @param next the offset to read from next time
     */
    public record Chunk(byte[] data, long next)
    {
    }

    /**
     * The output store of a data directory.
     *
     * @param dataDir the head node's data directory
     * @throws IOException if the directory cannot be made
     */
    public OutputStore(final Path dataDir) throws IOException
    {
        this.dir = Files.createDirectories(dataDir.resolve("logs"));
    }

    /**
     * The file of one rank's output.
     *
     * @param jobId   the job
     * @param attempt the attempt
     * @param rank    the rank
     * @return its path (it may not exist yet)
     */
    public Path file(final long jobId, final int attempt, final int rank)
    {
        return dir.resolve(Long.toString(jobId)).resolve(Integer.toString(attempt)).resolve("rank-" + rank + ".out");
    }

    /**
     * Appends output of a rank.
     *
     * @param jobId   the job
     * @param attempt the attempt
     * @param rank    the rank
     * @param data    the bytes
     * @throws IOException if writing fails
     */
    public synchronized void append(final long jobId, final int attempt, final int rank, final byte[] data)
        throws IOException
    {
        final Path file = file(jobId, attempt, rank);
        FileChannel channel = open.get(file);
        if (channel == null)
        {
            Files.createDirectories(file.getParent());
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND);
            open.put(file, channel);
        }
        final ByteBuffer buffer = ByteBuffer.wrap(data);
        while (buffer.hasRemaining())
        {
            channel.write(buffer);
        }
    }

    /**
     * Closes the files of an attempt that has ended (later chunks reopen them).
     *
     * @param jobId   the job
     * @param attempt the attempt
     * @throws IOException if closing fails
     */
    public synchronized void close(final long jobId, final int attempt) throws IOException
    {
        final Path attemptDir = dir.resolve(Long.toString(jobId)).resolve(Integer.toString(attempt));
        final Iterator<Map.Entry<Path, FileChannel>> entries = open.entrySet().iterator();
        while (entries.hasNext())
        {
            final Map.Entry<Path, FileChannel> entry = entries.next();
            if (entry.getKey().startsWith(attemptDir))
            {
                entry.getValue().close();
                entries.remove();
            }
        }
    }

    /**
     * Reads a rank's output from an offset.
     *
     * @param jobId    the job
     * @param attempt  the attempt
     * @param rank     the rank
     * @param offset   where to start
     * @param maxBytes the most to read
     * @return the bytes (empty if nothing new or no output yet) and the next offset
     * @throws IOException if reading fails
     */
    public Chunk read(final long jobId, final int attempt, final int rank, final long offset, final int maxBytes)
        throws IOException
    {
        try (FileChannel channel = FileChannel.open(file(jobId, attempt, rank), StandardOpenOption.READ))
        {
            final long available = Math.max(0, channel.size() - offset);
            final ByteBuffer buffer = ByteBuffer.allocate((int)Math.min(available, maxBytes));
            while (buffer.hasRemaining())
            {
                if (channel.read(buffer, offset + buffer.position()) < 0)
                {
                    break;
                }
            }
            final byte[] data = new byte[buffer.position()];
            buffer.flip().get(data);
            return new Chunk(data, offset + data.length);
        }
        catch (final NoSuchFileException ex)
        {
            return new Chunk(new byte[0], offset);
        }
    }

    @Override
    public synchronized void close() throws IOException
    {
        for (final FileChannel channel : open.values())
        {
            channel.close();
        }
        open.clear();
    }
}
