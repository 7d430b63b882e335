-- Issue 16, "stateless nodes": what a process kept in memory moves into the database, so any
-- number of nodes serve one operator or portal and a restart logs nobody out. Same
-- conventions as 0001: TEXT and BIGINT only, unix milliseconds, flags 0/1.

-- Web sessions (the inbox's `kuvert_session`, the communicators' `kuvert_kommunikator`).
-- The key is the hex SHA-256 of the cookie's session id, so a copy of this table opens no
-- session; `realm` is the cookie's name. `data` is the role's session as JSON (who is logged
-- in, a signing in progress); `lookup_key` is the hex SHA-256 of the state a signing service
-- posts back cross-site, without the cookie. `version` grows with every change, so two nodes
-- changing one session at once cannot overwrite each other unseen.
CREATE TABLE web_sessions (
    session_key TEXT PRIMARY KEY,
    realm TEXT NOT NULL,
    data TEXT NOT NULL,
    lookup_key TEXT,
    version BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL
);
CREATE INDEX web_sessions_by_age ON web_sessions (realm, last_seen_at);
CREATE INDEX web_sessions_by_lookup ON web_sessions (realm, lookup_key);

-- The portal's visitor salt of each Stockholm day (32 random bytes, hex): one per day for
-- every node, created by whichever node needs it first; earlier days' are deleted.
CREATE TABLE portal_visitor_salts (
    day TEXT PRIMARY KEY,
    salt TEXT NOT NULL
);

-- The summary hour of each address: when the last notification on a recipient's channel was
-- (or is being) sent. A worker takes the hour with one conditional upsert, so of several
-- workers exactly one sends within an hour; `previous_sent_at` lets a failed send give the
-- hour back.
CREATE TABLE notification_send_slots (
    recipient TEXT NOT NULL,
    channel TEXT NOT NULL CHECK (channel IN ('email', 'sms')),
    sent_at BIGINT,
    previous_sent_at BIGINT,
    PRIMARY KEY (recipient, channel)
);
INSERT INTO notification_send_slots (recipient, channel, sent_at, previous_sent_at)
    SELECT recipient, channel, MAX(sent_at), NULL FROM notifications
    WHERE status = 'sent' AND sent_at IS NOT NULL GROUP BY recipient, channel;

-- Which worker round holds a notification's lease: only it may mark the notification sent or
-- failed, so a worker whose lease ran out and was taken over cannot mark it twice.
ALTER TABLE notifications ADD COLUMN claimed_by TEXT;
