-- Portal (issue 5): visits counted without tracking, operator choices, campaigns,
-- communicators and annual targets. Same conventions as 0001: TEXT and BIGINT only; days are
-- Swedish calendar days as TEXT 'YYYY-MM-DD'; an absent source is '' (one key like any other).
-- No address, user agent or visitor id is stored: only aggregate counts, and for the current
-- day the hashes that tell a returning visitor apart, deleted at the day's end.

CREATE TABLE portal_visits (
    day TEXT NOT NULL,
    page TEXT NOT NULL,
    sender TEXT NOT NULL DEFAULT '',
    campaign TEXT NOT NULL DEFAULT '',
    campaign_known BIGINT NOT NULL,
    referrer_domain TEXT NOT NULL DEFAULT '',
    visits BIGINT NOT NULL,
    unique_visitors BIGINT NOT NULL,
    PRIMARY KEY (day, page, sender, campaign, campaign_known, referrer_domain)
);
CREATE INDEX portal_visits_by_campaign ON portal_visits (campaign, day);

-- SHA-256 (hex) over the day's visitor hash and the count's key: one row per visitor and key
-- and day, so a reload is one visit for unique_visitors. Unlinkable across keys.
CREATE TABLE portal_visitors (
    day TEXT NOT NULL,
    visit_key TEXT NOT NULL,
    PRIMARY KEY (day, visit_key)
);

CREATE TABLE portal_operator_choices (
    day TEXT NOT NULL,
    operator_slug TEXT NOT NULL,
    sender TEXT NOT NULL DEFAULT '',
    campaign TEXT NOT NULL DEFAULT '',
    choices BIGINT NOT NULL,
    PRIMARY KEY (day, operator_slug, sender, campaign)
);
CREATE INDEX portal_operator_choices_by_campaign ON portal_operator_choices (campaign, day);

CREATE TABLE portal_campaigns (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    channel TEXT NOT NULL,
    starts_on TEXT NOT NULL,
    ends_on TEXT NOT NULL,
    goal_registrations BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE portal_campaign_owners (
    code TEXT NOT NULL REFERENCES portal_campaigns (code) ON DELETE CASCADE,
    sender TEXT NOT NULL,
    PRIMARY KEY (code, sender)
);

CREATE TABLE portal_communicators (
    person TEXT PRIMARY KEY,
    is_admin BIGINT NOT NULL,
    granted_at BIGINT NOT NULL
);

CREATE TABLE portal_communicator_senders (
    person TEXT NOT NULL REFERENCES portal_communicators (person) ON DELETE CASCADE,
    sender TEXT NOT NULL,
    PRIMARY KEY (person, sender)
);

-- Target share of persons with a mailbox at the end of the year, in hundredths of a per cent.
CREATE TABLE portal_annual_targets (
    year BIGINT PRIMARY KEY,
    target_hundredths BIGINT NOT NULL
);
