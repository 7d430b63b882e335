-- The communicators' network (issue 13): senders' brands on the portal, page feedback and A/B
-- tests. Same conventions as 0005: TEXT and BIGINT only; days are Swedish calendar days as TEXT
-- 'YYYY-MM-DD'. No address, user agent, visitor id or person is stored: feedback is one answer
-- and a masked comment per day and page; a visitor's test variant is kept for the current day
-- only, under a hash that `forget_ab_visitors_before` deletes at the day's end.

-- A sender's brand, entered by its communicator: a one-line message and a logo (sanitised SVG
-- or PNG, base64 TEXT since PostgreSQL has no BLOB through the `any` driver) with alt text.
CREATE TABLE portal_sender_brands (
    sender TEXT PRIMARY KEY,
    message_sv TEXT NOT NULL,
    message_en TEXT NOT NULL,
    logo_media_type TEXT NOT NULL DEFAULT '',
    logo_base64 TEXT NOT NULL DEFAULT '',
    logo_alt_sv TEXT NOT NULL DEFAULT '',
    logo_alt_en TEXT NOT NULL DEFAULT '',
    updated_at BIGINT NOT NULL
);

-- "Hittade du det du sökte?": one row per answer; the comment is masked before it is stored.
CREATE TABLE portal_feedback (
    id TEXT PRIMARY KEY,
    day TEXT NOT NULL,
    page TEXT NOT NULL,
    found BIGINT NOT NULL,
    comment TEXT NOT NULL DEFAULT ''
);
CREATE INDEX portal_feedback_by_day ON portal_feedback (day, page);

-- An A/B test of the message a sender's deep link lands on: two variants.
CREATE TABLE portal_ab_tests (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    sender TEXT NOT NULL,
    variant_a_sv TEXT NOT NULL,
    variant_a_en TEXT NOT NULL,
    variant_b_sv TEXT NOT NULL,
    variant_b_en TEXT NOT NULL,
    is_running BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX portal_ab_tests_by_sender ON portal_ab_tests (sender, is_running);

-- Counts per test, variant and day: visitors assigned, page views, operator choices.
CREATE TABLE portal_ab_counts (
    test_id TEXT NOT NULL REFERENCES portal_ab_tests (id) ON DELETE CASCADE,
    variant TEXT NOT NULL CHECK (variant IN ('A', 'B')),
    day TEXT NOT NULL,
    visitors BIGINT NOT NULL,
    visits BIGINT NOT NULL,
    operator_choices BIGINT NOT NULL,
    PRIMARY KEY (test_id, variant, day)
);

-- Today's variant of a visitor: SHA-256 (hex) over the day's visitor hash and the test's id.
CREATE TABLE portal_ab_visitors (
    day TEXT NOT NULL,
    visitor_key TEXT NOT NULL,
    test_id TEXT NOT NULL,
    variant TEXT NOT NULL,
    has_chosen BIGINT NOT NULL,
    PRIMARY KEY (day, visitor_key)
);
