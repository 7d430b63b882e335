-- Notification addresses confirmed with a code that is stored only as a salted SHA-256 hash,
-- expires, allows a bounded number of wrong tries and a bounded number of sends per day.
-- Same conventions as 0001/0002: TEXT and BIGINT only, unix milliseconds, flags 0/1.

-- The old column held the code in plain text; from now on it stays empty.
UPDATE notification_settings SET confirmation_code = '';

-- Hex SHA-256 over salt, channel, address and code; NULL when no code is outstanding.
ALTER TABLE notification_settings ADD COLUMN code_hash TEXT;
-- Random hex salt of the outstanding code.
ALTER TABLE notification_settings ADD COLUMN code_salt TEXT;
ALTER TABLE notification_settings ADD COLUMN code_expires_at BIGINT;
ALTER TABLE notification_settings ADD COLUMN code_wrong_tries BIGINT NOT NULL DEFAULT 0;
-- Codes sent since code_window_started_at (a day long window, restarted when it has passed).
ALTER TABLE notification_settings ADD COLUMN codes_sent BIGINT NOT NULL DEFAULT 0;
ALTER TABLE notification_settings ADD COLUMN code_window_started_at BIGINT NOT NULL DEFAULT 0;

-- When the last failed attempt of a notification was made, shown with its reason.
ALTER TABLE notifications ADD COLUMN last_attempt_at BIGINT;

-- When the last notification on each channel was sent, so several letters within an hour
-- become one summary; found by recipient and channel.
CREATE INDEX notifications_by_channel ON notifications (recipient, channel, sent_at);
