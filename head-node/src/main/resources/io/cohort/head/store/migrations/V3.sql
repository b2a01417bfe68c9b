-- Issue 6: webhooks. How many hooks a job names (so the dispatcher reads specs of those jobs only), every delivery
-- with its outcome, and the last event the dispatcher has turned into deliveries.
ALTER TABLE jobs ADD COLUMN webhooks INT DEFAULT 0 NOT NULL;

CREATE TABLE webhook_deliveries (
    id VARCHAR(40) PRIMARY KEY,
    job_id BIGINT NOT NULL,
    hook INT NOT NULL,
    event_seq BIGINT NOT NULL,
    kind VARCHAR(32) NOT NULL,
    url VARCHAR(2048) NOT NULL,
    status VARCHAR(16) NOT NULL,
    attempts INT DEFAULT 0 NOT NULL,
    last_status INT,
    last_error VARCHAR(1000),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    next_at BIGINT NOT NULL,
    UNIQUE (event_seq, hook)
);
CREATE INDEX deliveries_by_job ON webhook_deliveries (job_id, event_seq);
CREATE INDEX deliveries_due ON webhook_deliveries (status, next_at);

CREATE TABLE webhook_cursor (
    id INT PRIMARY KEY,
    last_seq BIGINT NOT NULL
);
-- Events before this version had no webhooks to deliver to.
INSERT INTO webhook_cursor (id, last_seq) VALUES (1, COALESCE((SELECT MAX(seq) FROM events), 0));
