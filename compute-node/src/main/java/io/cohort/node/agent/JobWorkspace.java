package io.cohort.node.agent;

import io.cohort.node.protocol.AgentMessage.StagedFile;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;

/**
 * A job's fresh working directory on an agent's host: the ranks run in it, the program's files are staged into
 * it, and it is removed when the job ends (unless the launcher asked to keep it).
 *
 * <p>Not thread-safe: owned by one agent session.
 */
final class JobWorkspace
{
    private final Path directory;

    private JobWorkspace(final Path directory)
    {
        this.directory = directory;
    }

    /**
     * Makes a new, empty directory for a job.
     *
     * @param root  the agent's work root
     * @param jobId the job
     * @return the workspace
     * @throws IOException if it cannot be made
     */
    static JobWorkspace create(final Path root, final String jobId) throws IOException
    {
        // A stat first: createDirectories on an existing directory throws and catches two exceptions, per job.
        if (!Files.isDirectory(root))
        {
            Files.createDirectories(root);
        }
        return new JobWorkspace(Files.createTempDirectory(root, "job-" + jobId + "-"));
    }

    Path directory()
    {
        return directory;
    }

    /**
     * Writes the staged files, refusing any path that would land outside the directory.
     *
     * @param files the files
     * @throws IOException if one cannot be written
     */
    void stage(final List<StagedFile> files) throws IOException
    {
        for (final StagedFile file : files)
        {
            resolve(file.path());
            final Path target = directory.resolve(file.path()).normalize();
            Files.createDirectories(target.getParent());
            Files.write(target, file.content());
        }
    }

    /**
     * A path inside the workspace.
     *
     * @param relative a relative path from the launcher
     * @return the absolute path
     * @throws IllegalArgumentException if the path is absolute or escapes the directory
     */
    Path resolve(final String relative)
    {
        final Path target = directory.resolve(relative).normalize();
        if (Path.of(relative).isAbsolute() || !target.startsWith(directory))
        {
            throw new IllegalArgumentException("the staged path '" + relative + "' leaves the job's working "
                + "directory");
        }
        return target;
    }

    /** Removes the directory and everything in it. */
    void delete() throws IOException
    {
        deleteTree(directory);
    }

    /**
     * Removes a directory and everything in it (symbolic links are removed, not followed).
     *
     * @param directory the directory
     * @throws IOException if something cannot be removed
     */
    static void deleteTree(final Path directory) throws IOException
    {
        if (!Files.exists(directory, java.nio.file.LinkOption.NOFOLLOW_LINKS))
        {
            return;
        }
        // Tolerates files vanishing meanwhile: a dead agent's watchdog may be removing the same tree.
        Files.walkFileTree(directory, new SimpleFileVisitor<>()
        {
            @Override
            public FileVisitResult visitFile(final Path file, final BasicFileAttributes attrs) throws IOException
            {
                Files.deleteIfExists(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(final Path file, final IOException ex) throws IOException
            {
                if (ex instanceof NoSuchFileException)
                {
                    return FileVisitResult.CONTINUE;
                }
                throw ex;
            }

            @Override
            public FileVisitResult postVisitDirectory(final Path dir, final IOException ex) throws IOException
            {
                if (ex != null && !(ex instanceof NoSuchFileException))
                {
                    throw ex;
                }
                Files.deleteIfExists(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
