-- A token's default webhooks (JSON, secrets included), given to the jobs submitted with it that name none.
ALTER TABLE tokens ADD COLUMN webhooks VARCHAR(100000);
