-- Issue 15: the intermediary's Message v3 service (`distributeSecure`,
-- `checkDistributionStatus`, PROTOCOL.md §5.4). One row per signed delivery a sender system
-- handed over, written before anything is sent and kept, so a retry of the same signed
-- delivery answers the same distribution id and never sends it twice, and the sender can ask
-- what became of it. Same conventions as 0001: TEXT and BIGINT only, unix milliseconds.
--
-- `sender` is the organisation number (10 digits) of `Header/Sender/Id`, `message_id` the
-- letter's `Header/Id`: together the idempotency key, as at the operator. `content_digest` is
-- the hex SHA-256 of the content the sender signed; other content under the same key is
-- refused. `client` is the organisation of the sender system's client certificate.
-- `status`: `pending` (taken, reachability not yet known), `delivering` (reachable, being
-- sealed and delivered), `delivered` (the operator's receipt `trans_id` arrived), `failed`
-- (the operator refused it or could not be reached; a retry tries again), `paper` (not
-- reachable: on the paper-mail list).
CREATE TABLE sender_distributions (
    distribution_id TEXT PRIMARY KEY,
    sender TEXT NOT NULL,
    message_id TEXT NOT NULL,
    content_digest TEXT NOT NULL,
    recipient TEXT NOT NULL,
    client TEXT NOT NULL,
    status TEXT NOT NULL
        CHECK (status IN ('pending', 'delivering', 'delivered', 'failed', 'paper')),
    trans_id TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (sender, message_id)
);
