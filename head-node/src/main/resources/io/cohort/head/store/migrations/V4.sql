-- Job specs move to a table of their own. A spec is written once and never changed, while a job's row changes with
-- every state; MVStore rewrites whole pages on each commit, so keeping the specs beside the states made every
-- state change rewrite the specs of the neighbouring jobs too.
CREATE TABLE job_specs (
    job_id BIGINT PRIMARY KEY REFERENCES jobs (id),
    spec VARCHAR(1000000) NOT NULL
);
INSERT INTO job_specs (job_id, spec) SELECT id, spec FROM jobs;
ALTER TABLE jobs DROP COLUMN spec;
