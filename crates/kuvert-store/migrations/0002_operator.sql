-- Mailbox operator: deliveries (letters), attachments metadata, notification outbox and
-- settings, audit log of letter access, and representation (person acting for a company).
-- Same conventions as 0001: TEXT and BIGINT only, unix milliseconds, flags 0/1, app-made ids.

-- A row exists only if its blob was written and flushed first (blob_key, blob_digest).
-- UNIQUE (sender, message_id) makes deliverSecure idempotent.
CREATE TABLE deliveries (
    id TEXT PRIMARY KEY,
    sender TEXT NOT NULL,
    message_id TEXT NOT NULL,
    recipient TEXT NOT NULL,
    trans_id TEXT NOT NULL UNIQUE,
    received_at BIGINT NOT NULL,
    blob_key TEXT NOT NULL,
    blob_digest TEXT NOT NULL,
    blob_bytes BIGINT NOT NULL,
    receipt_xml TEXT NOT NULL,
    subject TEXT NOT NULL,
    sender_name TEXT NOT NULL,
    attachment_count BIGINT NOT NULL,
    is_read BIGINT NOT NULL,
    read_at BIGINT,
    is_archived BIGINT NOT NULL,
    UNIQUE (sender, message_id)
);
CREATE INDEX deliveries_by_recipient ON deliveries (recipient, received_at);

CREATE TABLE attachments (
    delivery_id TEXT NOT NULL REFERENCES deliveries (id) ON DELETE CASCADE,
    position BIGINT NOT NULL,
    filename TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size_bytes BIGINT NOT NULL,
    PRIMARY KEY (delivery_id, position)
);

CREATE TABLE notification_settings (
    recipient TEXT NOT NULL,
    channel TEXT NOT NULL CHECK (channel IN ('email', 'sms')),
    address TEXT NOT NULL,
    confirmation_code TEXT NOT NULL,
    is_confirmed BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (recipient, channel)
);

CREATE TABLE notifications (
    id TEXT PRIMARY KEY,
    recipient TEXT NOT NULL,
    delivery_id TEXT NOT NULL REFERENCES deliveries (id) ON DELETE CASCADE,
    channel TEXT NOT NULL CHECK (channel IN ('email', 'sms')),
    address TEXT NOT NULL,
    sender_name TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'failed')),
    attempts BIGINT NOT NULL,
    next_attempt_at BIGINT NOT NULL,
    claimed_until BIGINT,
    last_error TEXT,
    created_at BIGINT NOT NULL,
    sent_at BIGINT
);
CREATE INDEX notifications_due ON notifications (status, next_attempt_at);
CREATE INDEX notifications_by_recipient ON notifications (recipient, created_at);

CREATE TABLE audit_events (
    id TEXT PRIMARY KEY,
    mailbox TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    delivery_id TEXT,
    attachment_position BIGINT,
    at BIGINT NOT NULL
);
CREATE INDEX audit_events_by_mailbox ON audit_events (mailbox, at);

CREATE TABLE representations (
    company TEXT NOT NULL,
    person TEXT NOT NULL,
    granted_at BIGINT NOT NULL,
    PRIMARY KEY (company, person)
);
CREATE INDEX representations_by_person ON representations (person);
