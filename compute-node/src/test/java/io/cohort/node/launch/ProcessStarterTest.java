package io.cohort.node.launch;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** How an agent starts the processes of ranks: posix_spawn from the JVM, behaving as ProcessBuilder's do. */
class ProcessStarterTest
{
    private static final ProcessStarter POSIX = ProcessStarter.fromEnvironment(Map.of());

    @TempDir
    Path dir;

    private static ProcessBuilder rank(final String... command)
    {
        return new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    }

    private static String read(final java.io.InputStream stream) throws IOException
    {
        try (stream)
        {
            return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void posixSpawnIsTheDefaultInAJvmStartedWithTheAgentsOptions()
    {
        assertNull(PosixSpawn.unavailableReason());
        assertEquals(ProcessStarter.Mechanism.POSIX_SPAWN, POSIX.mechanism());
    }

    @Test
    void aSpawnedProcessRunsInItsDirectoryWithItsEnvironmentAndEndsWithItsExitCode() throws Exception
    {
        final ProcessBuilder builder = rank("sh", "-c", "echo \"$PWD $GREETING\"; echo oops >&2; exit 3")
            .directory(dir.toFile());
        builder.environment().put("GREETING", "hello");
        final Process process = POSIX.start(builder);
        assertInstanceOf(SpawnedProcess.class, process);
        assertEquals(dir.toRealPath() + " hello\n", read(process.getInputStream()));
        assertEquals("oops\n", read(process.getErrorStream()));
        assertEquals(3, process.waitFor());
        assertEquals(3, process.exitValue());
        assertFalse(process.isAlive());
    }

    @Test
    void standardInputIsDevNull() throws Exception
    {
        final Process process = POSIX.start(rank("cat"));
        assertEquals("", read(process.getInputStream()));
        assertEquals(0, process.waitFor());
    }

    @Test
    void theChildInheritsOnlyItsThreeStandardDescriptors() throws Exception
    {
        // ls opens the directory it lists as descriptor 3; anything above would be a leak from the agent.
        final Process process = POSIX.start(rank("sh", "-c", "exec ls /proc/self/fd"));
        assertEquals(List.of("0", "1", "2", "3"), read(process.getInputStream()).lines().toList());
        assertEquals(0, process.waitFor());
    }

    @Test
    void theAgentKeepsNoDescriptorOfAProcessWhoseStreamsWereClosed() throws Exception
    {
        final long before = openDescriptors();
        for (int i = 0; i < 20; i++)
        {
            final Process process = POSIX.start(rank("true"));
            read(process.getInputStream());
            read(process.getErrorStream());
            process.waitFor();
        }
        assertEquals(before, openDescriptors());
    }

    private static long openDescriptors() throws IOException
    {
        try (var fds = Files.list(Path.of("/proc/self/fd")))
        {
            return fds.count();
        }
    }

    @Test
    void destroySendsSigtermAndTheExitValueSaysSo() throws Exception
    {
        final Process process = POSIX.start(rank("sleep", "30"));
        assertTrue(process.isAlive());
        process.destroy();
        assertTrue(process.waitFor(10, TimeUnit.SECONDS));
        assertEquals(128 + 15, process.exitValue());
    }

    @Test
    void destroyForciblySendsSigkill() throws Exception
    {
        final Process process = POSIX.start(rank("sh", "-c", "trap '' TERM; sleep 30"));
        process.destroyForcibly();
        assertEquals(128 + 9, process.onExit().get(10, TimeUnit.SECONDS).exitValue());
    }

    @Test
    void theExitValueOfARunningProcessIsNotThereYet() throws Exception
    {
        final Process process = POSIX.start(rank("sleep", "30"));
        assertThrows(IllegalThreadStateException.class, process::exitValue);
        assertFalse(process.waitFor(10, TimeUnit.MILLISECONDS));
        process.destroyForcibly();
        process.waitFor();
    }

    @Test
    void aSignalAfterTheEndReachesNoOne() throws Exception
    {
        final Process process = POSIX.start(rank("true"));
        assertEquals(0, process.waitFor());
        process.destroy();
        process.destroyForcibly();
        assertEquals(0, process.exitValue());
    }

    @Test
    void aMissingProgramIsAnErrorNamingItAndTheReason()
    {
        final IOException error = assertThrows(IOException.class,
            () -> POSIX.start(rank("/no/such/program").directory(dir.toFile())));
        assertTrue(error.getMessage().contains("/no/such/program"), error.getMessage());
        assertTrue(error.getMessage().contains("No such file or directory"), error.getMessage());
    }

    @Test
    void otherRedirectionsAreLeftToTheJdk() throws Exception
    {
        final Process process = POSIX.start(rank("sh", "-c", "echo out; echo err >&2").redirectErrorStream(true));
        assertFalse(process instanceof SpawnedProcess);
        assertEquals("out\nerr\n", read(process.getInputStream()));
        assertEquals(0, process.waitFor());
    }

    @Test
    void cohortSpawnJdkChoosesProcessBuilder() throws Exception
    {
        final ProcessStarter jdk = ProcessStarter.fromEnvironment(Map.of(ProcessStarter.SPAWN, "jdk"));
        assertEquals(ProcessStarter.Mechanism.JDK, jdk.mechanism());
        final Process process = jdk.start(rank("true"));
        assertFalse(process instanceof SpawnedProcess);
        assertEquals(0, process.waitFor());
    }

    @Test
    void anUnknownSettingNamesTheChoices()
    {
        final IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
            () -> ProcessStarter.fromEnvironment(Map.of(ProcessStarter.SPAWN, "fork")));
        assertTrue(error.getMessage().contains("COHORT_SPAWN=fork"), error.getMessage());
        assertTrue(error.getMessage().contains("posix_spawn or jdk"), error.getMessage());
    }
}
