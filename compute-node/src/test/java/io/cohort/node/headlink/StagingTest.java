package io.cohort.node.headlink;

import io.cohort.head.job.Program;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What a head-node job's package stages on a node, and the limit on it. */
class StagingTest
{
    @TempDir
    private Path dir;

    private Path zip(final String name, final int zeros) throws IOException
    {
        final Path file = dir.resolve("package.zip");
        try (OutputStream out = Files.newOutputStream(file); ZipOutputStream zip = new ZipOutputStream(out))
        {
            zip.putNextEntry(new ZipEntry(name));
            zip.write(new byte[zeros]);
            zip.closeEntry();
        }
        return file;
    }

    @Test
    void zipPackageIsUnpackedIntoTheFilesStaged() throws IOException
    {
        final Staging staging = Staging.of(new Program.Executable("bin/solve"), zip("bin/solve", 100), 1000);
        assertEquals(1, staging.files().size());
        assertEquals("bin/solve", staging.files().get(0).path());
        assertEquals(100, staging.files().get(0).content().length);
    }

    @Test
    void zipThatUnpacksToMoreThanALaunchCarriesIsRefusedNamingTheLimitWithoutReadingItAll() throws IOException
    {
        // A few KiB of zip that unpacks to 10 MB: read only up to the limit.
        final Path bomb = zip("big.bin", 10_000_000);
        assertTrue(Files.size(bomb) < 100_000, "the zip compresses: " + Files.size(bomb));
        final IOException refused = assertThrows(IOException.class,
            () -> Staging.of(new Program.MainClass(List.of("lib/*"), "Main"), bomb, 1_000_000));
        assertTrue(refused.getMessage().contains("at most 1000000 can be sent to a node"), refused.getMessage());
    }

    @Test
    void jarLargerThanALaunchCarriesIsRefused() throws IOException
    {
        final Path jar = zip("data.bin", 5000);
        final IOException refused = assertThrows(IOException.class,
            () -> Staging.of(new Program.Jar("app.jar"), jar, 100));
        assertTrue(refused.getMessage().contains("at most 100 can be sent"), refused.getMessage());
    }
}
