package io.cohort.head.store;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Brings a database's schema up to date with numbered SQL scripts ({@code migrations/V1.sql}, {@code V2.sql}, ...
 * next to this class), each applied once, in order, and recorded in {@code schema_version}. A database newer than
 * this code is refused rather than guessed at.
 *
 * <pre>{@code
 * int version = Migrator.migrate(connection);
 * }</pre>
 */
public final class Migrator
{
    private Migrator()
    {
    }

    /**
     * Applies the scripts the database has not seen.
     *
     * @param connection an open connection (auto-commit off)
     * @return the schema version now
     * @throws SQLException if a script fails (its changes are rolled back where the database allows)
     */
    public static int migrate(final Connection connection) throws SQLException
    {
        try (Statement statement = connection.createStatement())
        {
            statement.execute("CREATE TABLE IF NOT EXISTS schema_version (version INT PRIMARY KEY, "
                + "applied_at BIGINT NOT NULL)");
        }
        connection.commit();
        int current = 0;
        try (Statement statement = connection.createStatement();
            ResultSet rows = statement.executeQuery("SELECT COALESCE(MAX(version), 0) FROM schema_version"))
        {
            rows.next();
            current = rows.getInt(1);
        }
        final int known = latest();
        if (current > known)
        {
            throw new SQLException("the database has schema version " + current + " but this head node knows up to "
                + known + "; run a newer cohort");
        }
        for (int version = current + 1; version <= known; version++)
        {
            apply(connection, version, script(version));
        }
        return known;
    }

    private static void apply(final Connection connection, final int version, final String sql) throws SQLException
    {
        try (Statement statement = connection.createStatement())
        {
            for (final String part : sql.split(";\\s*(\\r?\\n|$)"))
            {
                final String body = stripComments(part);
                if (!body.isBlank())
                {
                    statement.execute(body);
                }
            }
            try (PreparedStatement record = connection.prepareStatement(
                "INSERT INTO schema_version (version, applied_at) VALUES (?, ?)"))
            {
                record.setInt(1, version);
                record.setLong(2, System.currentTimeMillis());
                record.executeUpdate();
            }
            connection.commit();
        }
        catch (final SQLException ex)
        {
            connection.rollback();
            throw new SQLException("schema migration V" + version + " failed: " + ex.getMessage(), ex);
        }
    }

    private static String stripComments(final String part)
    {
        final StringBuilder body = new StringBuilder();
        for (final String line : part.split("\\r?\\n"))
        {
            if (!line.strip().startsWith("--"))
            {
                body.append(line).append('\n');
            }
        }
        return body.toString();
    }

    private static int latest()
    {
        int version = 0;
        while (Migrator.class.getResource("migrations/V" + (version + 1) + ".sql") != null)
        {
            version++;
        }
        return version;
    }

    private static String script(final int version) throws SQLException
    {
        try (InputStream in = Migrator.class.getResourceAsStream("migrations/V" + version + ".sql"))
        {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        catch (final IOException ex)
        {
            throw new SQLException("cannot read migration V" + version + ": " + ex.getMessage(), ex);
        }
    }
}
