package io.cohort.head.store;

import io.cohort.head.job.Job;
import io.cohort.head.job.JobSpecCodec;
import io.cohort.head.job.JobState;
import io.cohort.head.testing.Specs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

/** A data directory written by an older head node opens under the newest schema with nothing lost. */
class MigrationTest
{
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    @TempDir
    Path data;

    @Test
    void jobsStoredUnderSchemaOneKeepTheirSpecsAfterTheSpecsMoveToTheirOwnTable() throws Exception
    {
        final String url = "jdbc:h2:file:" + data.resolve("db").resolve("cohort").toAbsolutePath();
        try (Connection connection = DriverManager.getConnection(url, "cohort", "");
            Statement statement = connection.createStatement();
            InputStream in = Migrator.class.getResourceAsStream("migrations/V1.sql"))
        {
            for (final String part : new String(in.readAllBytes(), StandardCharsets.UTF_8).split(";\\s*\\n"))
            {
                if (!part.isBlank())
                {
                    statement.execute(part);
                }
            }
            statement.execute("CREATE TABLE schema_version (version INT PRIMARY KEY, applied_at BIGINT NOT NULL)");
            statement.execute("INSERT INTO schema_version VALUES (1, 0)");
            try (PreparedStatement insert = connection.prepareStatement("INSERT INTO jobs (owner, name, spec, "
                + "priority, ranks, state, submitted_at, queued_at) VALUES ('alice', 'old', ?, 0, 3, 'PENDING', ?, ?)"))
            {
                insert.setString(1, new JobSpecCodec().write(Specs.simple(3)).toString());
                insert.setLong(2, T0.toEpochMilli());
                insert.setLong(3, T0.toEpochMilli());
                insert.executeUpdate();
                insert.executeUpdate();
            }
        }
        try (JobStore store = JobStore.open(data))
        {
            final Job job = store.job(2).orElseThrow();
            assertEquals(Specs.simple(3), job.spec());
            assertEquals("alice", job.owner());
            assertInstanceOf(JobState.Pending.class, job.state());
            assertEquals(3, store.submit("bob", Specs.simple(1), T0).id(), "new ids continue after the old ones");
        }
    }
}
