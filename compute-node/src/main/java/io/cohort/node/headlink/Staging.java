package io.cohort.node.headlink;

import io.cohort.head.job.Program;
import io.cohort.node.protocol.AgentMessage.ProgramOrder;
import io.cohort.node.protocol.AgentMessage.StagedFile;
import io.cohort.node.protocol.AgentProtocol;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * How a head-node job's program and package reach an agent's working directory: with a jar program, the package
 * is that jar (staged under its name); with a classpath or an executable, the package is a zip (or jar) unpacked
 * into the working directory. Paths in the program are relative to the working directory, or absolute on the host.
 *
 * @param program what the ranks run
 * @param files   what is staged
 */
record Staging(ProgramOrder program, List<StagedFile> files)
{
    static Staging of(final Program program, final Path packageFile) throws IOException
    {
        return of(program, packageFile, AgentProtocol.MAX_STAGED_BYTES);
    }

    /** {@link #of(Program, Path)} with another limit on the bytes staged. */
    static Staging of(final Program program, final Path packageFile, final long limit) throws IOException
    {
        return switch (program)
        {
            case Program.Jar jar -> packageFile == null
                ? new Staging(new ProgramOrder("jar", jar.jar(), List.of()), List.of())
                : new Staging(new ProgramOrder("jar", jar.jar(), List.of()),
                    List.of(new StagedFile(jar.jar(), readJar(packageFile, limit))));
            case Program.MainClass main -> new Staging(new ProgramOrder("class", main.mainClass(),
                main.classpath()), unpack(packageFile, limit));
            case Program.Executable exe -> new Staging(new ProgramOrder("executable", exe.path(), List.of()),
                unpack(packageFile, limit));
        };
    }

    private static byte[] readJar(final Path packageFile, final long limit) throws IOException
    {
        final long size = Files.size(packageFile);
        if (size > limit)
        {
            throw tooLarge(size, limit);
        }
        return Files.readAllBytes(packageFile);
    }

    private static IOException tooLarge(final long bytes, final long limit)
    {
        return new IOException("the job's package stages " + bytes + " bytes or more; at most " + limit
            + " can be sent to a node: make the package smaller");
    }

    private static List<StagedFile> unpack(final Path packageFile, final long limit) throws IOException
    {
        final List<StagedFile> files = new ArrayList<>();
        if (packageFile == null)
        {
            return files;
        }
        long total = 0;
        try (InputStream in = Files.newInputStream(packageFile); ZipInputStream zip = new ZipInputStream(in))
        {
            ZipEntry entry;
            while ((entry = zip.getNextEntry()) != null)
            {
                if (!entry.isDirectory())
                {
                    // Read at most one byte past what may still be staged: a zip that unpacks to more (a zip
                    // bomb included) is refused without the head node holding it all.
                    final byte[] content = zip.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, limit - total + 1));
                    total += content.length;
                    if (total > limit)
                    {
                        throw tooLarge(total, limit);
                    }
                    files.add(new StagedFile(entry.getName(), content));
                }
            }
        }
        if (files.isEmpty())
        {
            throw new IOException("the job's package " + packageFile.getFileName() + " is not a zip or jar with "
                + "files in it");
        }
        return files;
    }
}
