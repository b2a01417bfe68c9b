package io.cohort.head.store;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.NoSuchFileException;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Uploaded jars and zips, stored once by content: {@code DATA/packages/<sha256>}. An upload is written to a temporary
 * file, hashed as it streams, and moved into place atomically, so a package file is either whole or absent.
 *
 * <p>A package's modification time is when it was last uploaded or named by a submission or requeue ({@link #claim}).
 * {@link #collect} removes packages that no job may still need and that were not used for the retention period;
 * both hold this store's lock, so a package claimed while a collection runs is kept.
 *
 * <pre>{@code
 * String hash = packages.put(request.getRequestBody(), PackageStore.DEFAULT_MAX_BYTES);
 * Path jar = packages.path(hash).orElseThrow();
 * }</pre>
 *
 * Thread-safe.
 */
public final class PackageStore
{
    /**
     * The largest upload accepted unless configured otherwise: 256 MiB, so that a package (and what a zip unpacks
     * to, up to about 384 MiB) fits in the one message that takes it to a node.
     */
    public static final long DEFAULT_MAX_BYTES = 256L << 20;

    private static final Pattern HASH = Pattern.compile("[0-9a-f]{64}");

    private final Path dir;
    private final InstantSource clock;

    /**
     * A package removed by {@link #collect}.
     *
     * @param hash  its SHA-256
     * @param bytes its size
     */
    public record Removed(String hash, long bytes)
    {
    }

    /** An upload larger than the limit; nothing was kept. */
    public static final class TooLargeException extends IOException
    {
        private static final long serialVersionUID = 1L;

        /**
         * An oversized upload.
         *
         * @param limit the limit in bytes
         */
        public TooLargeException(final long limit)
        {
            super("the package is larger than the limit of " + limit + " bytes; upload a smaller jar or zip, or raise "
                + "the head node's --max-package-bytes");
        }
    }

    /** An upload that is not a jar or zip file; nothing was kept. */
    public static final class NotAZipException extends IOException
    {
        private static final long serialVersionUID = 1L;

        /**
         * A package that cannot be read as a zip.
         *
         * @param why what the zip reader said
         */
        public NotAZipException(final String why)
        {
            super("the package is not a jar or zip file (" + why + "); upload the program's jar, or a zip of its "
                + "files");
        }
    }

    /**
     * The package store of a data directory. Uploads a previous head node left half-written (it died while
     * receiving them) are removed.
     *
     * @param dataDir the head node's data directory
     * @throws IOException if the directory cannot be made or read
     */
    public PackageStore(final Path dataDir) throws IOException
    {
        this(dataDir, InstantSource.system());
    }

    /**
     * The package store of a data directory, with the clock that dates its uses (tests move it on).
     *
     * @param dataDir the head node's data directory
     * @param clock   the time of uploads and claims
     * @throws IOException if the directory cannot be made or read
     */
    public PackageStore(final Path dataDir, final InstantSource clock) throws IOException
    {
        this.clock = clock;
        this.dir = Files.createDirectories(dataDir.resolve("packages"));
        try (var leftovers = Files.newDirectoryStream(dir, ".upload-*.part"))
        {
            for (final Path leftover : leftovers)
            {
                Files.deleteIfExists(leftover);
            }
        }
    }

    /**
     * Stores an upload.
     *
     * @param in       the bytes
     * @param maxBytes the most accepted
     * @return the SHA-256 of the content in lower-case hex, its name from now on
     * @throws IOException if writing fails, the upload is too large ({@link TooLargeException}) or is not a jar or
     *                     zip ({@link NotAZipException})
     */
    public String put(final InputStream in, final long maxBytes) throws IOException
    {
        final MessageDigest digest = sha256();
        final Path temp = Files.createTempFile(dir, ".upload-", ".part");
        try
        {
            long total = 0;
            try (OutputStream out = Files.newOutputStream(temp))
            {
                final byte[] buffer = new byte[64 << 10];
                for (int n = in.read(buffer); n >= 0; n = in.read(buffer))
                {
                    total += n;
                    if (total > maxBytes)
                    {
                        throw new TooLargeException(maxBytes);
                    }
                    digest.update(buffer, 0, n);
                    out.write(buffer, 0, n);
                }
            }
            checkZip(temp);
            final String hash = HexFormat.of().formatHex(digest.digest());
            final Path target = dir.resolve(hash);
            synchronized (this)
            {
                if (Files.exists(target))
                {
                    Files.delete(temp);
                }
                else
                {
                    Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
                }
                // Uploading counts as a use: the package is kept at least a retention period for its submission.
                Files.setLastModifiedTime(target, FileTime.from(clock.instant()));
            }
            return hash;
        }
        finally
        {
            Files.deleteIfExists(temp);
        }
    }

    /** Refuses a file the agents could not unpack: every jar and zip has a readable central directory. */
    private static void checkZip(final Path file) throws NotAZipException
    {
        try (java.util.zip.ZipFile zip = new java.util.zip.ZipFile(file.toFile()))
        {
            zip.size();
        }
        catch (final IOException ex)
        {
            throw new NotAZipException(ex.getMessage());
        }
    }

    /**
     * Whether a package is stored.
     *
     * @param hash a SHA-256 in hex
     * @return true if it is here
     */
    public boolean contains(final String hash)
    {
        return HASH.matcher(hash).matches() && Files.isRegularFile(dir.resolve(hash));
    }

    /**
     * Marks a package as used now, if it is stored: a submission or requeue that names it calls this before it is
     * acknowledged, so that a collection running at the same time keeps it.
     *
     * @param hash a SHA-256 in hex
     * @return true if it is here (and now counts as just used), false if it is not
     */
    public synchronized boolean claim(final String hash)
    {
        if (!contains(hash))
        {
            return false;
        }
        try
        {
            Files.setLastModifiedTime(dir.resolve(hash), FileTime.from(clock.instant()));
            return true;
        }
        catch (final NoSuchFileException ex)
        {
            return false;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot mark package " + hash + " as used", ex);
        }
    }

    /**
     * Removes the packages not in use and not uploaded or claimed within the retention period.
     *
     * @param inUse     hashes some job may still need (never removed)
     * @param retention how long an unused package is kept after its last upload or claim
     * @return what was removed
     * @throws IOException if the directory cannot be read or a file cannot be removed
     */
    public synchronized List<Removed> collect(final Set<String> inUse, final Duration retention) throws IOException
    {
        final Instant cutoff = clock.instant().minus(retention);
        final List<Removed> removed = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir))
        {
            for (final Path file : files)
            {
                final String hash = file.getFileName().toString();
                if (HASH.matcher(hash).matches() && !inUse.contains(hash)
                    && Files.getLastModifiedTime(file).toInstant().isBefore(cutoff))
                {
                    final long bytes = Files.size(file);
                    Files.delete(file);
                    removed.add(new Removed(hash, bytes));
                }
            }
        }
        return removed;
    }

    /**
     * A stored package's file, for staging it to agents.
     *
     * @param hash a SHA-256 in hex
     * @return its file, or empty
     */
    public java.util.Optional<Path> path(final String hash)
    {
        return contains(hash) ? java.util.Optional.of(dir.resolve(hash)) : java.util.Optional.empty();
    }

    private static MessageDigest sha256()
    {
        try
        {
            return MessageDigest.getInstance("SHA-256");
        }
        catch (final NoSuchAlgorithmException ex)
        {
            throw new IllegalStateException("every Java runtime has SHA-256", ex);
        }
    }
}
