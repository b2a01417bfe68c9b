package io.cohort.node.headlink;

import io.cohort.head.job.Program;
import io.cohort.node.protocol.AgentMessage.ProgramOrder;
import io.cohort.node.protocol.AgentMessage.StagedFile;

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
        return switch (program)
        {
            case Program.Jar jar -> packageFile == null
                ? new Staging(new ProgramOrder("jar", jar.jar(), List.of()), List.of())
                : new Staging(new ProgramOrder("jar", jar.jar(), List.of()),
                    List.of(new StagedFile(jar.jar(), Files.readAllBytes(packageFile))));
            case Program.MainClass main -> new Staging(new ProgramOrder("class", main.mainClass(),
                main.classpath()), unpack(packageFile));
            case Program.Executable exe -> new Staging(new ProgramOrder("executable", exe.path(), List.of()),
                unpack(packageFile));
        };
    }

    private static List<StagedFile> unpack(final Path packageFile) throws IOException
    {
        final List<StagedFile> files = new ArrayList<>();
        if (packageFile == null)
        {
            return files;
        }
        try (InputStream in = Files.newInputStream(packageFile); ZipInputStream zip = new ZipInputStream(in))
        {
            ZipEntry entry;
            while ((entry = zip.getNextEntry()) != null)
            {
                if (!entry.isDirectory())
                {
                    files.add(new StagedFile(entry.getName(), zip.readAllBytes()));
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
