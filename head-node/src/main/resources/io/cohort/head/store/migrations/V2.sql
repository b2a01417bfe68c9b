-- Issue 6: the latest progress rank 0 reported, kept with the job; and the same values on job.progress events
-- (their message is the event's detail).
ALTER TABLE jobs ADD COLUMN progress_done BIGINT;
ALTER TABLE jobs ADD COLUMN progress_total BIGINT;
ALTER TABLE jobs ADD COLUMN progress_message VARCHAR(1000);
ALTER TABLE jobs ADD COLUMN progress_at BIGINT;
ALTER TABLE events ADD COLUMN progress_done BIGINT;
ALTER TABLE events ADD COLUMN progress_total BIGINT;
