-- Issue 15, the sender service's webhooks: every configured endpoint reads the ordered event
-- log of 0014 (`sender_letter_events`, one global sequence) through its own durable cursor, so
-- each event reaches each endpoint once and in feed order, across restarts. Same conventions
-- as 0001: TEXT and BIGINT only, unix milliseconds.

-- One row per endpoint (its configured id), made by the first claim. `after_sequence` is the
-- last event done (delivered, or put on the dead-letter list); `attempts` counts the failed
-- attempts at the next one, due again at `next_attempt_at`. A node pushes an endpoint only
-- while it holds the lease (`claimed_by`/`claimed_until`), so two nodes never push one
-- endpoint at once; only the holder may move the cursor.
CREATE TABLE sender_webhook_endpoints (
    endpoint_id TEXT PRIMARY KEY,
    after_sequence BIGINT NOT NULL,
    attempts BIGINT NOT NULL,
    next_attempt_at BIGINT NOT NULL,
    claimed_by TEXT,
    claimed_until BIGINT,
    last_error TEXT,
    updated_at BIGINT NOT NULL
);

-- The dead-letter list: an event an endpoint refused through its last attempt. `sender` is
-- the letter's sender, by which callers see only their own. `queued` is a dead letter a
-- caller asked to send again (its attempts counted anew), `resent` one that then arrived.
CREATE TABLE sender_webhook_dead_letters (
    id TEXT PRIMARY KEY,
    endpoint_id TEXT NOT NULL REFERENCES sender_webhook_endpoints (endpoint_id),
    sequence BIGINT NOT NULL REFERENCES sender_letter_events (sequence),
    sender TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('dead', 'queued', 'resent')),
    attempts BIGINT NOT NULL,
    next_attempt_at BIGINT NOT NULL,
    last_error TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (endpoint_id, sequence)
);
CREATE INDEX sender_webhook_dead_letters_by_sender ON sender_webhook_dead_letters (sender, id);
CREATE INDEX sender_webhook_dead_letters_due
    ON sender_webhook_dead_letters (endpoint_id, state, next_attempt_at);
