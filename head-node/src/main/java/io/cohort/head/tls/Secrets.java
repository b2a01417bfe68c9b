package io.cohort.head.tls;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/** Writes files that hold secrets (keys, tokens, the cluster secret) readable by their owner only. */
public final class Secrets
{
    private Secrets()
    {
    }

    /**
     * Writes a file with owner-only permissions (0600), created that way so it is never readable by others, even
     * for a moment.
     *
     * @param file    the file (must not exist)
     * @param content its text
     * @throws IOException if it exists or cannot be written
     */
    public static void writePrivate(final Path file, final String content) throws IOException
    {
        if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix"))
        {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        }
        else
        {
            Files.createFile(file);
        }
        Files.writeString(file, content, StandardOpenOption.TRUNCATE_EXISTING);
    }

    /**
     * The permissions a private file gets.
     *
     * @return rw for the owner only
     */
    public static Set<java.nio.file.attribute.PosixFilePermission> privatePermissions()
    {
        return PosixFilePermissions.fromString("rw-------");
    }
}
