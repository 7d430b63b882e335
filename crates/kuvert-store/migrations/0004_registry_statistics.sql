-- Registry statistics (issue 5): daily registration counters kept in the same transaction as
-- every profile change, and letters per sender and month reported by the senders' toolkits.
-- Same conventions as 0001: TEXT and BIGINT only. Days are the Swedish calendar day
-- (Europe/Stockholm) as TEXT 'YYYY-MM-DD', months TEXT 'YYYY-MM'; both sort in time order.
-- An absent source is '' (not NULL) so that it is one key like any other.

CREATE TABLE registry_daily (
    day TEXT NOT NULL,
    operator TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('person', 'company')),
    source_sender TEXT NOT NULL DEFAULT '',
    source_campaign TEXT NOT NULL DEFAULT '',
    registered BIGINT NOT NULL DEFAULT 0,
    deregistered BIGINT NOT NULL DEFAULT 0,
    moved_in BIGINT NOT NULL DEFAULT 0,
    moved_out BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (day, operator, kind, source_sender, source_campaign)
);

CREATE TABLE letter_statistics (
    sender TEXT NOT NULL,
    month TEXT NOT NULL,
    digital BIGINT NOT NULL,
    paper BIGINT NOT NULL,
    PRIMARY KEY (sender, month)
);
CREATE INDEX letter_statistics_by_month ON letter_statistics (month, sender);

-- Campaign codes are case-insensitive and kept in upper case from now on.
UPDATE profiles SET source_campaign = UPPER(source_campaign) WHERE source_campaign IS NOT NULL;

-- Profiles active before this migration are counted as registered on 1970-01-01: portable
-- SQL cannot turn their registration time into a Swedish day, and a baseline before every
-- range keeps "mailboxes before a day" right for every day after the migration.
INSERT INTO registry_daily (day, operator, kind, source_sender, source_campaign, registered,
    deregistered, moved_in, moved_out)
SELECT '1970-01-01', operator, kind, COALESCE(source_sender, ''), COALESCE(source_campaign, ''),
    COUNT(*), 0, 0, 0
FROM profiles WHERE status = 'active'
GROUP BY operator, kind, COALESCE(source_sender, ''), COALESCE(source_campaign, '');
