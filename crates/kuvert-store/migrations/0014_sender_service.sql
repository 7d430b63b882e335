-- Issue 15, the sender service (`kuvert sender serve`): a durable queue of the letters sender
-- systems hand over REST, and the timeline of each letter with one global sequence for the
-- feed. Same conventions as 0001: TEXT and BIGINT only, unix milliseconds, ids UUIDv7 text.

-- One row per accepted letter. `client_id` is the configured caller (mutual TLS or OAuth 2)
-- and `idempotency_key` its `Idempotency-Key`: a replay of the key answers the same letter.
-- `request_digest` (hex SHA-256 of the letter as accepted) tells a replay from other content
-- under the same key. `message_id` is fixed at acceptance, so every attempt after a restart
-- sends under the same operator idempotency key. `letter` is the service's JSON of the letter
-- (attachments in base64). A worker takes a row by setting `claimed_by`/`claimed_until`; only
-- that holder may record what became of it.
CREATE TABLE sender_letters (
    id TEXT PRIMARY KEY,
    client_id TEXT NOT NULL,
    idempotency_key TEXT NOT NULL,
    request_digest TEXT NOT NULL,
    sender TEXT NOT NULL,
    recipient TEXT NOT NULL,
    message_id TEXT NOT NULL,
    letter TEXT NOT NULL,
    state TEXT NOT NULL
        CHECK (state IN ('accepted', 'sealed', 'delivered', 'paper', 'failed')),
    rounds BIGINT NOT NULL,
    claims BIGINT NOT NULL,
    next_attempt_at BIGINT NOT NULL,
    claimed_by TEXT,
    claimed_until BIGINT,
    last_error TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (client_id, idempotency_key),
    UNIQUE (sender, message_id)
);
CREATE INDEX sender_letters_due ON sender_letters (state, next_attempt_at);

-- The timeline: one row per event of a letter, numbered by one global sequence taken from
-- `sender_event_sequence` inside the writing transaction (the row lock orders writers), so
-- the feed read by sequence never skips an event committed later under a smaller number.
-- Its one row (id 1) is made by the first event's upsert, so an unused database stays empty
-- (a backup restores only into an empty database).
CREATE TABLE sender_letter_events (
    sequence BIGINT PRIMARY KEY,
    letter_id TEXT NOT NULL REFERENCES sender_letters (id),
    client_id TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('accepted', 'sealed', 'delivered', 'paper', 'failed')),
    at BIGINT NOT NULL,
    trans_id TEXT,
    operator TEXT,
    reason TEXT
);
CREATE INDEX sender_letter_events_by_letter ON sender_letter_events (letter_id, sequence);
CREATE INDEX sender_letter_events_by_client ON sender_letter_events (client_id, sequence);

CREATE TABLE sender_event_sequence (
    id BIGINT PRIMARY KEY CHECK (id = 1),
    last_sequence BIGINT NOT NULL
);
