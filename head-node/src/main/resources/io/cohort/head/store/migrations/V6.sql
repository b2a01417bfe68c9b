-- A user's cancel or requeue of a running attempt (CANCEL or REQUEUE, and why), stored when it is acknowledged so
-- that a head node restarted before the ranks ended stops them again instead of letting them run on.
ALTER TABLE attempts ADD COLUMN stop_request VARCHAR(16);
ALTER TABLE attempts ADD COLUMN stop_reason VARCHAR(4000);
