package io.cohort.head.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cohort.head.job.Attempt;
import io.cohort.head.job.Job;
import io.cohort.head.job.JobSpec;
import io.cohort.head.job.JobSpecCodec;
import io.cohort.head.job.JobState;
import io.cohort.head.job.Progress;
import io.cohort.head.job.RankBlock;
import io.cohort.head.job.SpecException;
import io.cohort.head.job.Webhook;

import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The head node's durable state in an embedded H2 database ({@code DATA/db/cohort.mv.db}): jobs, their attempts,
 * nodes, tokens, and the event log. Every change is one transaction that also appends its event, and a method
 * returns only after the commit, so whatever it acknowledged survives a SIGKILL of the head node.
 *
 * <pre>{@code
 * try (JobStore store = JobStore.open(dataDir))
 * {
 *     Job job = store.submit("alice", spec, Instant.now()); // durable when this returns
 * }
 * }</pre>
 *
 * Thread-safe: one connection, one writer at a time, which also makes event sequence numbers follow commit order.
 */
public final class JobStore implements AutoCloseable
{
    /** The states in which a job still has a future without a requeue. */
    public static final Set<String> LIVE = Set.of("PENDING", "HELD", "STARTING", "RUNNING");

    private static final String JOB_COLUMNS = "id, owner, spec, state, reason, exit_code, attempts, retry_base, "
        + "not_before, submitted_at, queued_at, ended_at, progress_done, progress_total, progress_message, progress_at";
    /** Jobs with their specs (which live in a table of their own, see migration V4). */
    private static final String JOBS_WITH_SPECS = "jobs JOIN job_specs ON job_specs.job_id = jobs.id";
    private static final String UPDATE_STATE = "UPDATE jobs SET state = ?, reason = ?, exit_code = ?, "
        + "not_before = ?, ended_at = ?, retry_base = CASE WHEN ? THEN attempts ELSE retry_base END, "
        + "queued_at = CASE WHEN ? THEN ? ELSE queued_at END WHERE id = ?";
    private static final TypeReference<List<RankBlock>> PLACEMENT = new TypeReference<>()
    {
    };

    private final Connection connection;
    private final FileChannel lockFile;
    private final FileLock lock;
    private final JobSpecCodec codec = new JobSpecCodec();
    private final ObjectMapper json = new ObjectMapper();
    private final java.util.concurrent.ConcurrentLinkedQueue<Queued> arrivals =
        new java.util.concurrent.ConcurrentLinkedQueue<>();
    private PreparedStatement eventInsert;

    /**
     * How an attempt ended, written together with the job's new state.
     *
     * @param number   the attempt
     * @param status   how it ended
     * @param exitCode the first failing exit code (0 on success), or null
     * @param reason   for people, or null
     */
    public record AttemptEnd(int number, Attempt.Status status, Integer exitCode, String reason)
    {
    }

    /**
     * A stored job with the time it last entered the queue (aging counts from there).
     *
     * @param job      the job
     * @param queuedAt when it was submitted or last requeued by a user
     */
    public record QueuedEntry(Job job, Instant queuedAt)
    {
    }

    private JobStore(final Connection connection, final FileChannel lockFile, final FileLock lock)
    {
        this.connection = connection;
        this.lockFile = lockFile;
        this.lock = lock;
    }

    /**
     * Opens (creating if needed) the store in a data directory and brings its schema up to date. A lock on
     * {@code DATA/head.lock} (released by the operating system when the process dies, even by SIGKILL) refuses a
     * second head node on the same directory, so no job is ever run by two head nodes.
     *
     * @param dataDir the head node's data directory
     * @return the open store
     * @throws StoreException if the database cannot be opened or migrated
     */
    public static JobStore open(final Path dataDir)
    {
        FileChannel lockFile = null;
        try
        {
            Files.createDirectories(dataDir.resolve("db"));
            lockFile = FileChannel.open(dataDir.resolve("head.lock"), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE);
            FileLock lock;
            try
            {
                lock = lockFile.tryLock();
            }
            catch (final OverlappingFileLockException ex)
            {
                lock = null;
            }
            if (lock == null)
            {
                throw new java.io.IOException("another head node is using " + dataDir.toAbsolutePath()
                    + "; stop it first, or give a different --data directory");
            }
            // WRITE_DELAY=0: a commit reaches the file before it returns (H2 otherwise batches writes for 500 ms).
            // DB_CLOSE_ON_EXIT=FALSE: H2's own shutdown hook would close the database under the head node's threads
            // while its hook is still stopping them; the head node closes the store last, itself.
            final String url = "jdbc:h2:file:" + dataDir.resolve("db").resolve("cohort").toAbsolutePath()
                + ";WRITE_DELAY=0;DB_CLOSE_ON_EXIT=FALSE";
            final Connection connection = DriverManager.getConnection(url, "cohort", "");
            connection.setAutoCommit(false);
            Migrator.migrate(connection);
            return new JobStore(connection, lockFile, lock);
        }
        catch (final SQLException | java.io.IOException ex)
        {
            closeQuietly(lockFile, ex);
            throw new StoreException("cannot open the job store in " + dataDir, ex);
        }
    }

    private static void closeQuietly(final FileChannel channel, final Exception failure)
    {
        if (channel != null)
        {
            try
            {
                channel.close();
            }
            catch (final java.io.IOException ex)
            {
                failure.addSuppressed(ex);
            }
        }
    }

    /**
     * Stores a new job, PENDING (or HELD if its spec says so), and its submission event. Concurrent submissions
     * share commits (group commit): a caller that finds the store busy queues its job, and whoever holds the store
     * next commits every queued job in one transaction. Each caller still returns only after its own job is durable.
     *
     * @param owner the submitting user
     * @param spec  the validated spec
     * @param now   the submission time
     * @return the stored job with its id; durable when this returns
     * @throws StoreException if the job could not be stored (then none of the jobs committed with it were)
     */
    public Job submit(final String owner, final JobSpec spec, final Instant now)
    {
        final Queued queued = new Queued(new Submission(owner, spec));
        arrivals.add(queued);
        synchronized (this)
        {
            if (queued.job == null && queued.failure == null)
            {
                final List<Queued> batch = new ArrayList<>();
                for (Queued next = arrivals.poll(); next != null; next = arrivals.poll())
                {
                    batch.add(next);
                }
                try
                {
                    final List<Job> jobs = submitAll(batch.stream().map(q -> q.submission).toList(), now);
                    for (int i = 0; i < batch.size(); i++)
                    {
                        batch.get(i).job = jobs.get(i);
                    }
                }
                catch (final StoreException ex)
                {
                    batch.forEach(q -> q.failure = ex);
                }
            }
        }
        // Read after the lock: whoever committed this job set the fields while holding it.
        if (queued.failure != null)
        {
            throw queued.failure;
        }
        return queued.job;
    }

    /** A submission waiting for a group commit; its fields are written and read under the store's lock. */
    private static final class Queued
    {
        final Submission submission;
        Job job;
        StoreException failure;

        Queued(final Submission submission)
        {
            this.submission = submission;
        }
    }

    /**
     * A job to store.
     *
     * @param owner the submitting user
     * @param spec  the validated spec
     */
    public record Submission(String owner, JobSpec spec)
    {
    }

    /**
     * Stores several new jobs in one transaction (group commit: one write to the file for all of them), each with
     * its submission event.
     *
     * @param submissions the jobs
     * @param now         the submission time
     * @return the stored jobs with their ids, in the same order; all durable when this returns, or none stored
     */
    public synchronized List<Job> submitAll(final List<Submission> submissions, final Instant now)
    {
        try (PreparedStatement insert = connection.prepareStatement("INSERT INTO jobs (owner, name, priority, "
            + "ranks, state, reason, submitted_at, queued_at, webhooks) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            Statement.RETURN_GENERATED_KEYS);
            PreparedStatement insertSpec = connection.prepareStatement(
                "INSERT INTO job_specs (job_id, spec) VALUES (?, ?)"))
        {
            final List<Job> jobs = new ArrayList<>(submissions.size());
            for (final Submission submission : submissions)
            {
                final JobSpec spec = submission.spec();
                final String owner = submission.owner();
                final String state = spec.hold() ? "HELD" : "PENDING";
                final String reason = spec.hold() ? "submitted held by " + owner : null;
                insert.setString(1, owner);
                insert.setString(2, spec.name());
                insert.setInt(3, spec.priority());
                insert.setInt(4, spec.ranks());
                insert.setString(5, state);
                insert.setString(6, reason);
                insert.setLong(7, now.toEpochMilli());
                insert.setLong(8, now.toEpochMilli());
                insert.setInt(9, spec.webhooks().size());
                insert.executeUpdate();
                final long id;
                try (ResultSet keys = insert.getGeneratedKeys())
                {
                    keys.next();
                    id = keys.getLong(1);
                }
                insertSpec.setLong(1, id);
                insertSpec.setString(2, codec.write(spec).toString());
                insertSpec.executeUpdate();
                event(now, id, null, "job.submitted", state, spec.name() + ", " + spec.ranks() + " ranks, by "
                    + owner);
                jobs.add(new Job(id, owner, spec, JobState.of(state, reason, null, 0, null), 0, 0, now, null,
                    null));
            }
            connection.commit();
            return jobs;
        }
        catch (final SQLException ex)
        {
            throw rollback("cannot store the job", ex);
        }
    }

    /**
     * One job.
     *
     * @param id the job id
     * @return the job, or empty if there is none
     */
    public synchronized Optional<Job> job(final long id)
    {
        try (PreparedStatement query = connection.prepareStatement("SELECT " + JOB_COLUMNS + " FROM " + JOBS_WITH_SPECS
            + " WHERE id = ?"))
        {
            query.setLong(1, id);
            try (ResultSet rows = query.executeQuery())
            {
                return rows.next() ? Optional.of(job(rows)) : Optional.empty();
            }
        }
        catch (final SQLException ex)
        {
            throw new StoreException("cannot read job " + id, ex);
        }
    }

    /**
     * A page of jobs.
     *
     * @param filter the filter and page
     * @return matching jobs in id order, or newest first
     */
    public synchronized List<Job> jobs(final JobQuery filter)
    {
        // With states, one index range (state, id) per state, each read in id order and cut at the page size, then
        // merged: H2 would otherwise read every row of those states to sort them by id.
        final List<String> states = filter.states().isEmpty() ? java.util.Collections.singletonList(null)
            : List.copyOf(filter.states());
        final String order = filter.newest() ? " ORDER BY id DESC" : " ORDER BY id";
        final StringBuilder sql = new StringBuilder("SELECT * FROM (");
        final List<Object> params = new ArrayList<>();
        for (final String state : states)
        {
            if (!params.isEmpty())
            {
                sql.append(" UNION ALL ");
            }
            sql.append("(SELECT " + JOB_COLUMNS + " FROM " + JOBS_WITH_SPECS + " WHERE ");
            if (state != null)
            {
                sql.append("state = ? AND ");
                params.add(state);
            }
            // Newest first starts below the cursor (0 meaning the top), oldest first above it.
            sql.append(filter.newest() ? "id < ?" : "id > ?");
            params.add(filter.newest() && filter.afterId() == 0 ? Long.MAX_VALUE : filter.afterId());
            if (filter.owner() != null)
            {
                sql.append(" AND owner = ?");
                params.add(filter.owner());
            }
            if (filter.name() != null)
            {
                sql.append(" AND name = ?");
                params.add(filter.name());
            }
            // Ordered by the whole index key: H2 reads an index in order only then (ORDER BY id alone made it read
            // every row of the state, or of the owner, and sort them).
            final String direction = filter.newest() ? " DESC" : "";
            final String key = state != null ? "state" + direction + ", "
                : filter.owner() != null ? "owner" + direction + ", " : "";
            sql.append(" ORDER BY ").append(key).append("id").append(direction).append(" LIMIT ?)");
            params.add(filter.limit());
        }
        sql.append(") AS page").append(order).append(" LIMIT ?");
        params.add(filter.limit());
        try (PreparedStatement query = connection.prepareStatement(sql.toString()))
        {
            for (int i = 0; i < params.size(); i++)
            {
                query.setObject(i + 1, params.get(i));
            }
            final List<Job> jobs = new ArrayList<>();
            try (ResultSet rows = query.executeQuery())
            {
                while (rows.next())
                {
                    jobs.add(job(rows));
                }
            }
            return jobs;
        }
        catch (final SQLException ex)
        {
            throw new StoreException("cannot list jobs", ex);
        }
    }

    /**
     * Every job that is not final, with its queue time: what the head node loads at start and schedules from.
     *
     * @return live jobs in id order
     */
    public synchronized List<QueuedEntry> live()
    {
        try (PreparedStatement query = connection.prepareStatement("SELECT " + JOB_COLUMNS
            + " FROM " + JOBS_WITH_SPECS + " WHERE state IN ('PENDING', 'HELD', 'STARTING', 'RUNNING') ORDER BY id");
            ResultSet rows = query.executeQuery())
        {
            final List<QueuedEntry> jobs = new ArrayList<>();
            while (rows.next())
            {
                jobs.add(new QueuedEntry(job(rows), Instant.ofEpochMilli(rows.getLong("queued_at"))));
            }
            return jobs;
        }
        catch (final SQLException ex)
        {
            throw new StoreException("cannot load live jobs", ex);
        }
    }

    /**
     * The packages a job may still need: those named by a job that is not final, or that ended at or after the given
     * time (it may be requeued). What the package store keeps when it collects unused packages.
     *
     * @param endedSince jobs that ended at or after this still count
     * @return SHA-256 hashes of the packages in use
     */
    public synchronized Set<String> packagesInUse(final Instant endedSince)
    {
        // Specs without a package are skipped by the LIKE; the rest are parsed, not matched, to read the field.
        try (PreparedStatement query = connection.prepareStatement("SELECT id, spec FROM " + JOBS_WITH_SPECS
            + " WHERE (state IN ('PENDING', 'HELD', 'STARTING', 'RUNNING') OR ended_at IS NULL OR ended_at >= ?)"
            + " AND spec LIKE '%\"package\"%'"))
        {
            query.setLong(1, endedSince.toEpochMilli());
            final Set<String> hashes = new HashSet<>();
            try (ResultSet rows = query.executeQuery())
            {
                while (rows.next())
                {
                    final JsonNode hash = json.readTree(rows.getString(2)).get("package");
                    if (hash != null && hash.isTextual())
                    {
                        hashes.add(hash.asText());
                    }
                }
            }
            return hashes;
        }
        catch (final SQLException | JsonProcessingException ex)
        {
            throw new StoreException("cannot read which packages jobs use", ex);
        }
    }

    /**
     * A job's attempts.
     *
     * @param jobId the job
     * @return its attempts, first first
     */
    public synchronized List<Attempt> attempts(final long jobId)
    {
        try (PreparedStatement query = connection.prepareStatement("SELECT number, status, placement, started_at, "
            + "ended_at, exit_code, reason FROM attempts WHERE job_id = ? ORDER BY number"))
        {
            query.setLong(1, jobId);
            final List<Attempt> attempts = new ArrayList<>();
            try (ResultSet rows = query.executeQuery())
            {
                while (rows.next())
                {
                    attempts.add(new Attempt(jobId, rows.getInt(1), Attempt.Status.valueOf(rows.getString(2)),
                        json.readValue(rows.getString(3), PLACEMENT), Instant.ofEpochMilli(rows.getLong(4)),
                        instant(rows, 5), integer(rows, 6), rows.getString(7)));
                }
            }
            return attempts;
        }
        catch (final SQLException | JsonProcessingException ex)
        {
            throw new StoreException("cannot read the attempts of job " + jobId, ex);
        }
    }

    /**
     * A user's request to stop a running attempt, kept until the attempt ends.
     *
     * @param ending CANCEL or REQUEUE
     * @param reason why, as the user's request said
     */
    public record StopRequest(String ending, String reason)
    {
    }

    /**
     * Stores a user's request to stop a running attempt (cancel or requeue), committed before it returns, so the
     * request outlives a head node restart.
     *
     * @param jobId   the job
     * @param number  the attempt
     * @param request what was asked
     */
    public synchronized void requestStop(final long jobId, final int number, final StopRequest request)
    {
        try (PreparedStatement update = connection.prepareStatement(
            "UPDATE attempts SET stop_request = ?, stop_reason = ? WHERE job_id = ? AND number = ?"))
        {
            update.setString(1, request.ending());
            update.setString(2, request.reason());
            update.setLong(3, jobId);
            update.setInt(4, number);
            update.executeUpdate();
            connection.commit();
        }
        catch (final SQLException ex)
        {
            throw rollback("cannot store the stop request for job " + jobId + " attempt " + number, ex);
        }
    }

    /**
     * The stop request stored for an attempt, if any.
     *
     * @param jobId  the job
     * @param number the attempt
     * @return the request
     */
    public synchronized Optional<StopRequest> stopRequest(final long jobId, final int number)
    {
        try (PreparedStatement query = connection.prepareStatement(
            "SELECT stop_request, stop_reason FROM attempts WHERE job_id = ? AND number = ?"))
        {
            query.setLong(1, jobId);
            query.setInt(2, number);
            try (ResultSet rows = query.executeQuery())
            {
                if (rows.next() && rows.getString(1) != null)
                {
                    return Optional.of(new StopRequest(rows.getString(1), rows.getString(2)));
                }
                return Optional.empty();
            }
        }
        catch (final SQLException ex)
        {
            throw new StoreException("cannot read the stop request of job " + jobId + " attempt " + number, ex);
        }
    }

    /**
     * A new attempt to record.
     *
     * @param jobId     the job
     * @param number    the attempt's number
     * @param placement its ranks on each node
     */
    public record AttemptStart(long jobId, int number, List<RankBlock> placement)
    {
    }

    /**
     * Records a new attempt and makes the job STARTING.
     *
     * @param jobId     the job
     * @param number    the attempt's number
     * @param placement its ranks on each node
     * @param now       the time the launches are sent
     */
    public void startAttempt(final long jobId, final int number, final List<RankBlock> placement, final Instant now)
    {
        startAttempts(List.of(new AttemptStart(jobId, number, placement)), now);
    }

    /**
     * Records the new attempts of one scheduling pass in one transaction, each job STARTING.
     *
     * @param starts the attempts
     * @param now    the time the launches are sent
     */
    public synchronized void startAttempts(final List<AttemptStart> starts, final Instant now)
    {
        commit(List.of(), starts, now);
    }

    /**
     * A job's move to a new state, to be committed with others.
     *
     * @param jobId   the job
     * @param next    the new state
     * @param at      when
     * @param end     how the current attempt ended, or null
     * @param requeue whether this is a user's requeue (the retry budget and the queue time start again)
     */
    public record Transition(long jobId, JobState next, Instant at, AttemptEnd end, boolean requeue)
    {
    }

    /**
     * Records several state changes, then a scheduling pass's new attempts (each job STARTING), in one transaction:
     * one write to the file for all of them. Events are appended in the order given, so their sequence numbers keep
     * that order.
     *
     * @param transitions the state changes, oldest first
     * @param starts      the new attempts
     * @param now         the time the launches are sent
     * @throws StoreException if they could not be recorded (then none of them was)
     */
    public synchronized void commit(final List<Transition> transitions, final List<AttemptStart> starts,
        final Instant now)
    {
        if (transitions.isEmpty() && starts.isEmpty())
        {
            return;
        }
        try
        {
            if (!transitions.isEmpty())
            {
                try (PreparedStatement update = connection.prepareStatement(UPDATE_STATE))
                {
                    for (final Transition transition : transitions)
                    {
                        apply(update, transition);
                    }
                }
            }
            if (!starts.isEmpty())
            {
                record(starts, now);
            }
            connection.commit();
        }
        catch (final SQLException | JsonProcessingException ex)
        {
            throw rollback(transitions.isEmpty() ? "cannot record " + starts.size() + " new attempts"
                : "cannot record " + transitions.size() + " state changes and " + starts.size() + " new attempts",
                ex);
        }
    }

    private void record(final List<AttemptStart> starts, final Instant now) throws SQLException,
        JsonProcessingException
    {
        try (PreparedStatement insert = connection.prepareStatement("INSERT INTO attempts (job_id, number, status, "
            + "placement, started_at) VALUES (?, ?, 'ACTIVE', ?, ?)");
            PreparedStatement update = connection.prepareStatement("UPDATE jobs SET state = 'STARTING', reason = NULL, "
                + "exit_code = NULL, not_before = NULL, attempts = ?, progress_done = NULL, progress_total = NULL, "
                + "progress_message = NULL, progress_at = NULL WHERE id = ?"))
        {
            for (final AttemptStart start : starts)
            {
                insert.setLong(1, start.jobId());
                insert.setInt(2, start.number());
                insert.setString(3, json.writeValueAsString(start.placement()));
                insert.setLong(4, now.toEpochMilli());
                insert.executeUpdate();
                update.setInt(1, start.number());
                update.setLong(2, start.jobId());
                update.executeUpdate();
                event(now, start.jobId(), null, "attempt.started", "STARTING", "attempt " + start.number() + " on "
                    + start.placement().stream().map(b -> b.node() + ":" + b.count()).toList());
            }
        }
    }

    /**
     * Moves a job to a new state, ending its current attempt in the same transaction if one is given.
     *
     * @param jobId   the job
     * @param next    the new state
     * @param now     when
     * @param end     how the current attempt ended, or null
     * @param requeue whether this is a user's requeue (the retry budget and the queue time start again)
     */
    public synchronized void transition(final long jobId, final JobState next, final Instant now,
        final AttemptEnd end, final boolean requeue)
    {
        try (PreparedStatement update = connection.prepareStatement(UPDATE_STATE))
        {
            apply(update, new Transition(jobId, next, now, end, requeue));
            connection.commit();
        }
        catch (final SQLException ex)
        {
            throw rollback("cannot move job " + jobId + " to " + next.name(), ex);
        }
    }

    private void apply(final PreparedStatement update, final Transition transition) throws SQLException
    {
        final JobState next = transition.next();
        final long now = transition.at().toEpochMilli();
        update.setString(1, next.name());
        update.setString(2, next.reason());
        if (next instanceof JobState.Failed failed)
        {
            update.setInt(3, failed.exitCode());
        }
        else
        {
            update.setNull(3, Types.INTEGER);
        }
        if (next instanceof JobState.Pending pending && pending.notBefore() != null)
        {
            update.setLong(4, pending.notBefore().toEpochMilli());
        }
        else
        {
            update.setNull(4, Types.BIGINT);
        }
        if (next.terminal())
        {
            update.setLong(5, now);
        }
        else
        {
            update.setNull(5, Types.BIGINT);
        }
        update.setBoolean(6, transition.requeue());
        update.setBoolean(7, transition.requeue());
        update.setLong(8, now);
        update.setLong(9, transition.jobId());
        if (update.executeUpdate() != 1)
        {
            throw new SQLException("no job " + transition.jobId() + " to move to " + next.name());
        }
        if (transition.end() != null)
        {
            endAttempt(transition.jobId(), transition.end(), transition.at());
        }
        event(transition.at(), transition.jobId(), null, "job.state", next.name(), next.reason());
    }

    private void endAttempt(final long jobId, final AttemptEnd end, final Instant now) throws SQLException
    {
        try (PreparedStatement update = connection.prepareStatement("UPDATE attempts SET status = ?, ended_at = ?, "
            + "exit_code = ?, reason = ? WHERE job_id = ? AND number = ?"))
        {
            update.setString(1, end.status().name());
            update.setLong(2, now.toEpochMilli());
            if (end.exitCode() == null)
            {
                update.setNull(3, Types.INTEGER);
            }
            else
            {
                update.setInt(3, end.exitCode());
            }
            update.setString(4, end.reason());
            update.setLong(5, jobId);
            update.setInt(6, end.number());
            update.executeUpdate();
        }
        event(now, jobId, null, "attempt.ended", end.status().name(), "attempt " + end.number()
            + (end.reason() == null ? "" : ": " + end.reason()));
    }

    /**
     * Events after a sequence number.
     *
     * @param afterSeq the last sequence number seen (0 for all)
     * @param jobId    only this job's events, or null
     * @param limit    the most to return
     * @return events in sequence order
     */
    public List<Event> events(final long afterSeq, final Long jobId, final int limit)
    {
        return events(afterSeq, jobId, null, limit);
    }

    /**
     * Events after a sequence number, of one job, or of one user's jobs and the nodes.
     *
     * @param afterSeq the last sequence number seen (0 for all)
     * @param jobId    only this job's events, or null
     * @param owner    only events of this user's jobs, and node events (which concern no job), or null for all
     * @param limit    the most to return
     * @return events in sequence order
     */
    public synchronized List<Event> events(final long afterSeq, final Long jobId, final String owner,
        final int limit)
    {
        final String sql = "SELECT seq, at, job_id, node, kind, state, detail, progress_done, progress_total "
            + "FROM events WHERE seq > ?"
            + (jobId == null ? "" : " AND job_id = ?")
            + (owner == null ? "" : " AND (job_id IS NULL OR job_id IN (SELECT id FROM jobs WHERE owner = ?))")
            + (jobId == null ? " ORDER BY seq" : " ORDER BY job_id, seq") + " LIMIT ?";
        try (PreparedStatement query = connection.prepareStatement(sql))
        {
            int i = 1;
            query.setLong(i++, afterSeq);
            if (jobId != null)
            {
                query.setLong(i++, jobId);
            }
            if (owner != null)
            {
                query.setString(i++, owner);
            }
            query.setInt(i, limit);
            final List<Event> events = new ArrayList<>();
            try (ResultSet rows = query.executeQuery())
            {
                while (rows.next())
                {
                    final long job = rows.getLong(3);
                    final Long concerned = rows.wasNull() ? null : job;
                    final Instant at = Instant.ofEpochMilli(rows.getLong(2));
                    final long done = rows.getLong(8);
                    final Progress progress = rows.wasNull() ? null
                        : new Progress(done, rows.getLong(9), rows.getString(7), at);
                    events.add(new Event(rows.getLong(1), at, concerned, rows.getString(4), rows.getString(5),
                        rows.getString(6), rows.getString(7), progress));
                }
            }
            return events;
        }
        catch (final SQLException ex)
        {
            throw new StoreException("cannot read events", ex);
        }
    }

    /**
     * Stores a job's progress and its {@code job.progress} event in one transaction, if the report comes from the
     * job's current attempt (a late report of an earlier attempt is dropped). A final report that arrives just after
     * the job ended is still stored, so a finished job shows its last progress.
     *
     * @param jobId    the job
     * @param attempt  the attempt whose rank 0 reported
     * @param progress the report
     * @return true if stored, false if the job has no such current attempt
     * @throws StoreException if it could not be recorded
     */
    public synchronized boolean progress(final long jobId, final int attempt, final Progress progress)
    {
        try (PreparedStatement update = connection.prepareStatement("UPDATE jobs SET progress_done = ?, "
            + "progress_total = ?, progress_message = ?, progress_at = ? WHERE id = ? AND attempts = ?");
            PreparedStatement insert = connection.prepareStatement("INSERT INTO events (at, job_id, kind, detail, "
                + "progress_done, progress_total) VALUES (?, ?, 'job.progress', ?, ?, ?)"))
        {
            update.setLong(1, progress.done());
            update.setLong(2, progress.total());
            update.setString(3, progress.message());
            update.setLong(4, progress.at().toEpochMilli());
            update.setLong(5, jobId);
            update.setInt(6, attempt);
            if (update.executeUpdate() == 0)
            {
                connection.rollback();
                return false;
            }
            insert.setLong(1, progress.at().toEpochMilli());
            insert.setLong(2, jobId);
            insert.setString(3, progress.message());
            insert.setLong(4, progress.done());
            insert.setLong(5, progress.total());
            insert.executeUpdate();
            connection.commit();
            return true;
        }
        catch (final SQLException ex)
        {
            throw rollback("cannot record the progress of job " + jobId, ex);
        }
    }

    /**
     * The last event the webhook dispatcher has turned into deliveries.
     *
     * @return its sequence number
     */
    public synchronized long webhookCursor()
    {
        try (Statement statement = connection.createStatement();
            ResultSet rows = statement.executeQuery("SELECT last_seq FROM webhook_cursor WHERE id = 1"))
        {
            return rows.next() ? rows.getLong(1) : 0;
        }
        catch (final SQLException ex)
        {
            throw new StoreException("cannot read the webhook cursor", ex);
        }
    }

    /**
     * The webhooks of those of the given jobs that have any.
     *
     * @param jobIds job ids
     * @return job id to its hooks (jobs without hooks are absent)
     */
    public synchronized Map<Long, List<Webhook>> webhooks(final Collection<Long> jobIds)
    {
        final Map<Long, List<Webhook>> hooks = new HashMap<>();
        if (jobIds.isEmpty())
        {
            return hooks;
        }
        final String marks = String.join(", ", java.util.Collections.nCopies(jobIds.size(), "?"));
        try (PreparedStatement query = connection.prepareStatement("SELECT id, spec FROM " + JOBS_WITH_SPECS
            + " WHERE webhooks > 0 "
            + "AND id IN (" + marks + ")"))
        {
            int i = 1;
            for (final long id : jobIds)
            {
                query.setLong(i++, id);
            }
            try (ResultSet rows = query.executeQuery())
            {
                while (rows.next())
                {
                    hooks.put(rows.getLong(1), codec.read(json.readTree(rows.getString(2))).webhooks());
                }
            }
            return hooks;
        }
        catch (final SQLException | SpecException | JsonProcessingException ex)
        {
            throw new StoreException("cannot read the webhooks of jobs " + jobIds, ex);
        }
    }

    /**
     * Records new deliveries and moves the dispatcher's cursor past the events they came from, in one transaction:
     * after a restart no event is taken up twice or skipped.
     *
     * @param deliveries the new deliveries (PENDING)
     * @param cursor     the last event looked at
     */
    public synchronized void addDeliveries(final List<Delivery> deliveries, final long cursor)
    {
        try (PreparedStatement insert = connection.prepareStatement("INSERT INTO webhook_deliveries (id, job_id, hook, "
            + "event_seq, kind, url, status, attempts, created_at, updated_at, next_at) "
            + "VALUES (?, ?, ?, ?, ?, ?, 'PENDING', 0, ?, ?, ?)");
            PreparedStatement move = connection.prepareStatement("UPDATE webhook_cursor SET last_seq = ? WHERE id = 1"))
        {
            for (final Delivery d : deliveries)
            {
                insert.setString(1, d.id());
                insert.setLong(2, d.jobId());
                insert.setInt(3, d.hook());
                insert.setLong(4, d.eventSeq());
                insert.setString(5, d.kind());
                insert.setString(6, d.url());
                insert.setLong(7, d.createdAt().toEpochMilli());
                insert.setLong(8, d.createdAt().toEpochMilli());
                insert.setLong(9, d.nextAt().toEpochMilli());
                insert.executeUpdate();
            }
            move.setLong(1, cursor);
            move.executeUpdate();
            connection.commit();
        }
        catch (final SQLException ex)
        {
            throw rollback("cannot record " + deliveries.size() + " webhook deliveries", ex);
        }
    }

    /**
     * PENDING deliveries due by a time, the longest due first.
     *
     * @param now   the time
     * @param limit the most to return
     * @return the deliveries
     */
    public synchronized List<Delivery> dueDeliveries(final Instant now, final int limit)
    {
        return deliveries("WHERE status = 'PENDING' AND next_at <= ? ORDER BY next_at", now.toEpochMilli(), limit);
    }

    /**
     * A job's deliveries in event order.
     *
     * @param jobId the job
     * @return its deliveries
     */
    public synchronized List<Delivery> deliveries(final long jobId)
    {
        return deliveries("WHERE job_id = ? ORDER BY event_seq, hook", jobId, 10_000);
    }

    private List<Delivery> deliveries(final String where, final long value, final int limit)
    {
        try (PreparedStatement query = connection.prepareStatement("SELECT id, job_id, hook, event_seq, kind, url, "
            + "status, attempts, last_status, last_error, created_at, updated_at, next_at FROM webhook_deliveries "
            + where + " LIMIT ?"))
        {
            query.setLong(1, value);
            query.setInt(2, limit);
            final List<Delivery> found = new ArrayList<>();
            try (ResultSet rows = query.executeQuery())
            {
                while (rows.next())
                {
                    found.add(new Delivery(rows.getString(1), rows.getLong(2), rows.getInt(3), rows.getLong(4),
                        rows.getString(5), rows.getString(6), Delivery.Status.valueOf(rows.getString(7)),
                        rows.getInt(8), integer(rows, 9), rows.getString(10), Instant.ofEpochMilli(rows.getLong(11)),
                        Instant.ofEpochMilli(rows.getLong(12)), Instant.ofEpochMilli(rows.getLong(13))));
                }
            }
            return found;
        }
        catch (final SQLException ex)
        {
            throw new StoreException("cannot read webhook deliveries", ex);
        }
    }

    /**
     * Records how an attempt of a delivery went.
     *
     * @param id         the delivery
     * @param status     its status now
     * @param attempts   attempts made so far
     * @param lastStatus the HTTP status answered, or null
     * @param lastError  why it failed, or null
     * @param now        when the attempt ended
     * @param nextAt     when to try again (PENDING), else now
     */
    public synchronized void updateDelivery(final String id, final Delivery.Status status, final int attempts,
        final Integer lastStatus, final String lastError, final Instant now, final Instant nextAt)
    {
        try (PreparedStatement update = connection.prepareStatement("UPDATE webhook_deliveries SET status = ?, "
            + "attempts = ?, last_status = ?, last_error = ?, updated_at = ?, next_at = ? WHERE id = ?"))
        {
            update.setString(1, status.name());
            update.setInt(2, attempts);
            if (lastStatus == null)
            {
                update.setNull(3, Types.INTEGER);
            }
            else
            {
                update.setInt(3, lastStatus);
            }
            update.setString(4, lastError == null || lastError.length() <= 1000 ? lastError
                : lastError.substring(0, 1000));
            update.setLong(5, now.toEpochMilli());
            update.setLong(6, nextAt.toEpochMilli());
            update.setString(7, id);
            update.executeUpdate();
            connection.commit();
        }
        catch (final SQLException ex)
        {
            throw rollback("cannot record webhook delivery " + id, ex);
        }
    }

    /**
     * Records that a node joined or reported a new capacity; keeps its drained flag.
     *
     * @param node the node as reported (its drained flag is ignored when the node is known)
     * @param now  when
     */
    public synchronized void saveNode(final NodeRecord node, final Instant now)
    {
        try (PreparedStatement merge = connection.prepareStatement("MERGE INTO nodes (name, drained, slots, cores, "
            + "memory_bytes, transports, address, joined_at) KEY (name) VALUES (?, COALESCE((SELECT drained FROM "
            + "nodes WHERE name = ?), ?), ?, ?, ?, ?, ?, COALESCE((SELECT joined_at FROM nodes WHERE name = ?), ?))"))
        {
            merge.setString(1, node.name());
            merge.setString(2, node.name());
            merge.setBoolean(3, node.drained());
            merge.setInt(4, node.slots());
            merge.setInt(5, node.cores());
            merge.setLong(6, node.memoryBytes());
            merge.setString(7, String.join(",", node.transports()));
            merge.setString(8, node.address());
            merge.setString(9, node.name());
            merge.setLong(10, now.toEpochMilli());
            merge.executeUpdate();
            event(now, null, node.name(), "node.joined", null, node.slots() + " slots, " + node.cores() + " cores");
            connection.commit();
        }
        catch (final SQLException ex)
        {
            throw rollback("cannot record node " + node.name(), ex);
        }
    }

    /**
     * Sets or clears a node's drained flag.
     *
     * @param name    the node
     * @param drained whether it takes no new work
     * @param now     when
     * @return false if no such node is known
     */
    public synchronized boolean setDrained(final String name, final boolean drained, final Instant now)
    {
        try (PreparedStatement update = connection.prepareStatement("UPDATE nodes SET drained = ? WHERE name = ?"))
        {
            update.setBoolean(1, drained);
            update.setString(2, name);
            if (update.executeUpdate() == 0)
            {
                connection.rollback();
                return false;
            }
            event(now, null, name, "node.state", drained ? "DRAINING" : "UP", drained ? "drained" : "resumed");
            connection.commit();
            return true;
        }
        catch (final SQLException ex)
        {
            throw rollback("cannot drain or resume node " + name, ex);
        }
    }

    /**
     * Records a node's state change in the event log (UP again, DOWN).
     *
     * @param name   the node
     * @param state  its new state
     * @param detail why
     * @param now    when
     */
    public synchronized void nodeEvent(final String name, final String state, final String detail, final Instant now)
    {
        try
        {
            event(now, null, name, "node.state", state, detail);
            connection.commit();
        }
        catch (final SQLException ex)
        {
            throw rollback("cannot record the state of node " + name, ex);
        }
    }

    /**
     * Every known node.
     *
     * @return nodes by name
     */
    public synchronized List<NodeRecord> nodes()
    {
        try (PreparedStatement query = connection.prepareStatement("SELECT name, drained, slots, cores, memory_bytes, "
            + "transports, address, joined_at FROM nodes ORDER BY name");
            ResultSet rows = query.executeQuery())
        {
            final List<NodeRecord> nodes = new ArrayList<>();
            while (rows.next())
            {
                final String transports = rows.getString(6);
                nodes.add(new NodeRecord(rows.getString(1), rows.getBoolean(2), rows.getInt(3), rows.getInt(4),
                    rows.getLong(5), transports.isEmpty() ? List.of() : Arrays.asList(transports.split(",")),
                    rows.getString(7), Instant.ofEpochMilli(rows.getLong(8))));
            }
            return nodes;
        }
        catch (final SQLException ex)
        {
            throw new StoreException("cannot list nodes", ex);
        }
    }

    /**
     * Stores a new token (its hash only).
     *
     * @param token the token record
     */
    public synchronized void insertToken(final TokenRecord token)
    {
        try (PreparedStatement insert = connection.prepareStatement("INSERT INTO tokens (id, name, username, role, "
            + "hash, created_at, webhooks) VALUES (?, ?, ?, ?, ?, ?, ?)"))
        {
            insert.setString(1, token.id());
            insert.setString(2, token.name());
            insert.setString(3, token.user());
            insert.setString(4, token.role());
            insert.setString(5, token.hash());
            insert.setLong(6, token.createdAt().toEpochMilli());
            insert.setString(7, token.webhooks().isEmpty() ? null
                : JobSpecCodec.writeWebhooks(token.webhooks(), true).toString());
            insert.executeUpdate();
            connection.commit();
        }
        catch (final SQLException ex)
        {
            throw rollback("cannot store the token", ex);
        }
    }

    /**
     * Every token, revoked ones included.
     *
     * @return tokens by creation time
     */
    public synchronized List<TokenRecord> tokens()
    {
        try (PreparedStatement query = connection.prepareStatement("SELECT id, name, username, role, hash, created_at, "
            + "revoked_at, webhooks FROM tokens ORDER BY created_at, id");
            ResultSet rows = query.executeQuery())
        {
            final List<TokenRecord> tokens = new ArrayList<>();
            while (rows.next())
            {
                final String hooks = rows.getString(8);
                tokens.add(new TokenRecord(rows.getString(1), rows.getString(2), rows.getString(3), rows.getString(4),
                    rows.getString(5), Instant.ofEpochMilli(rows.getLong(6)), instant(rows, 7),
                    hooks == null ? List.of() : JobSpecCodec.readWebhooks(json.readTree(hooks))));
            }
            return tokens;
        }
        catch (final SQLException | JsonProcessingException | SpecException ex)
        {
            throw new StoreException("cannot list tokens", ex);
        }
    }

    /**
     * Revokes a token.
     *
     * @param id  the token's id
     * @param now when
     * @return false if there is no such token or it was already revoked
     */
    public synchronized boolean revokeToken(final String id, final Instant now)
    {
        try (PreparedStatement update = connection.prepareStatement("UPDATE tokens SET revoked_at = ? WHERE id = ? "
            + "AND revoked_at IS NULL"))
        {
            update.setLong(1, now.toEpochMilli());
            update.setString(2, id);
            final boolean revoked = update.executeUpdate() == 1;
            connection.commit();
            return revoked;
        }
        catch (final SQLException ex)
        {
            throw rollback("cannot revoke token " + id, ex);
        }
    }

    @Override
    public synchronized void close()
    {
        try
        {
            if (!connection.isClosed())
            {
                // Closing the connection closes its statements, the cached event insert among them.
                connection.close();
            }
            if (lockFile.isOpen())
            {
                lock.release();
                lockFile.close();
            }
        }
        catch (final SQLException | java.io.IOException ex)
        {
            throw new StoreException("cannot close the job store", ex);
        }
    }

    private void event(final Instant at, final Long jobId, final String node, final String kind, final String state,
        final String detail) throws SQLException
    {
        // Prepared once: every change writes events, several per job (the connection is used under this lock only).
        if (eventInsert == null)
        {
            eventInsert = connection.prepareStatement("INSERT INTO events (at, job_id, node, kind, state, detail) "
                + "VALUES (?, ?, ?, ?, ?, ?)");
        }
        final PreparedStatement insert = eventInsert;
        insert.setLong(1, at.toEpochMilli());
        if (jobId == null)
        {
            insert.setNull(2, Types.BIGINT);
        }
        else
        {
            insert.setLong(2, jobId);
        }
        insert.setString(3, node);
        insert.setString(4, kind);
        insert.setString(5, state);
        insert.setString(6, detail == null || detail.length() <= 4000 ? detail : detail.substring(0, 4000));
        insert.executeUpdate();
    }

    private Job job(final ResultSet rows) throws SQLException
    {
        final long id = rows.getLong("id");
        final JobSpec spec;
        try
        {
            spec = codec.read(json.readTree(rows.getString("spec")));
        }
        catch (final SpecException | JsonProcessingException ex)
        {
            throw new SQLException("job " + id + " has an unreadable spec: " + ex.getMessage(), ex);
        }
        final Instant notBefore = instant(rows, rows.findColumn("not_before"));
        final JobState state = JobState.of(rows.getString("state"), rows.getString("reason"),
            integer(rows, rows.findColumn("exit_code")), rows.getInt("attempts"), notBefore);
        final long done = rows.getLong("progress_done");
        final Progress progress = rows.wasNull() ? null : new Progress(done, rows.getLong("progress_total"),
            rows.getString("progress_message"), Instant.ofEpochMilli(rows.getLong("progress_at")));
        return new Job(id, rows.getString("owner"), spec, state, rows.getInt("attempts"), rows.getInt("retry_base"),
            Instant.ofEpochMilli(rows.getLong("submitted_at")), instant(rows, rows.findColumn("ended_at")), progress);
    }

    private static Instant instant(final ResultSet rows, final int column) throws SQLException
    {
        final long millis = rows.getLong(column);
        return rows.wasNull() ? null : Instant.ofEpochMilli(millis);
    }

    private static Integer integer(final ResultSet rows, final int column) throws SQLException
    {
        final int value = rows.getInt(column);
        return rows.wasNull() ? null : value;
    }

    private StoreException rollback(final String what, final Exception cause)
    {
        try
        {
            connection.rollback();
        }
        catch (final SQLException ex)
        {
            cause.addSuppressed(ex);
        }
        return new StoreException(what, cause);
    }
}
