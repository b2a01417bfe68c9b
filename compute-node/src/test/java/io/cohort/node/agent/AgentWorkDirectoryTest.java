package io.cohort.node.agent;

import io.cohort.node.launch.SharedMemoryCleanup;
import io.cohort.node.protocol.ClusterSecret;
import io.cohort.transport.shm.ShmLayout;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** An agent's work directory: its own while it runs, and cleared of what a dead agent left there. */
class AgentWorkDirectoryTest
{
    @TempDir
    private Path dir;

    private Agent agent(final Path work, final ByteArrayOutputStream log) throws IOException
    {
        return new Agent(new AgentConfig(new InetSocketAddress("127.0.0.1", 0), 1, "a1",
            ClusterSecret.create(dir.resolve("secret"), true), work, Duration.ofSeconds(5)),
            new PrintStream(log, true, StandardCharsets.UTF_8));
    }

    @Test
    void secondAgentOnTheSameWorkDirectoryIsRefusedNamingItAndTheFix() throws IOException
    {
        final Path work = dir.resolve("work");
        try (Agent first = agent(work, new ByteArrayOutputStream()))
        {
            final IOException refused = assertThrows(IOException.class, () -> agent(work, new ByteArrayOutputStream()));
            assertTrue(refused.getMessage().contains("another agent uses the work directory " + work
                + "; give this one its own with --work-dir DIR"), refused.getMessage());
        }
        // Free again once the first agent is gone.
        agent(work, new ByteArrayOutputStream()).close();
    }

    @Test
    void jobDirectoriesAndSharedMemoryFilesLeftByADeadAgentAreRemovedWhenTheNextStarts() throws IOException
    {
        final Path work = dir.resolve("work");
        final Path left = Files.createDirectories(work.resolve("job-9f3e1a-123456").resolve("lib"));
        Files.writeString(left.resolve("app.jar"), "staged");
        final Path shm = SharedMemoryCleanup.directoryFor(Map.of()).resolve(ShmLayout.jobPrefix("9f3e1a") + "ring-0");
        Files.write(shm, new byte[64]);
        final Path unrelated = SharedMemoryCleanup.directoryFor(Map.of()).resolve(ShmLayout.jobPrefix("77aa00")
            + "ring-0");
        Files.write(unrelated, new byte[64]);
        try
        {
            final ByteArrayOutputStream log = new ByteArrayOutputStream();
            agent(work, log).close();
            assertFalse(Files.exists(work.resolve("job-9f3e1a-123456")), "the dead agent's job directory");
            assertFalse(Files.exists(shm), "the dead agent's job's shared-memory file");
            assertTrue(Files.exists(unrelated), "another job's file is not touched");
            assertTrue(log.toString(StandardCharsets.UTF_8).contains("removed " + work.resolve("job-9f3e1a-123456")
                + " and 1 shared-memory files, left by an agent that stopped without cleaning up"),
                log.toString(StandardCharsets.UTF_8));
        }
        finally
        {
            Files.deleteIfExists(shm);
            Files.deleteIfExists(unrelated);
        }
    }
}
