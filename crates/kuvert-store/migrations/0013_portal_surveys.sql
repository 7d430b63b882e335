-- The communicators' network, continued (issue 13 §4, §5). Same conventions as 0005: TEXT and
-- BIGINT only, days as TEXT 'YYYY-MM-DD', times as Unix milliseconds. No address, user agent,
-- visitor id or cookie is stored for a survey answer: only its day, campaign and answers.

-- The network's standard campaign questions, kept by the editor: asked by `sort_order` on
-- every campaign's survey page; `kind` 'yes_no' (Ja/Nej) or 'text' (free text, masked).
CREATE TABLE portal_survey_questions (
    id TEXT PRIMARY KEY,
    sort_order BIGINT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('yes_no', 'text')),
    text_sv TEXT NOT NULL,
    text_en TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- One row per question answered; the answers of one visit share `response_id`. `answer` is
-- 'ja'/'nej' or the free text with personal identity numbers and e-mail addresses masked.
CREATE TABLE portal_survey_answers (
    id TEXT PRIMARY KEY,
    response_id TEXT NOT NULL,
    day TEXT NOT NULL,
    campaign TEXT NOT NULL,
    question_id TEXT NOT NULL REFERENCES portal_survey_questions (id) ON DELETE CASCADE,
    answer TEXT NOT NULL
);
CREATE INDEX portal_survey_answers_by_campaign ON portal_survey_answers (campaign, question_id);

-- The source code a registration carries when its link named a known campaign and the
-- sender's A/B test showed a variant: the registry counts it once, and the portal counts it
-- both for the campaign and for the variant.
CREATE TABLE portal_ab_campaign_codes (
    code TEXT PRIMARY KEY,
    test_id TEXT NOT NULL REFERENCES portal_ab_tests (id) ON DELETE CASCADE,
    variant TEXT NOT NULL CHECK (variant IN ('A', 'B')),
    campaign TEXT NOT NULL
);
CREATE INDEX portal_ab_campaign_codes_by_campaign ON portal_ab_campaign_codes (campaign);
CREATE INDEX portal_ab_campaign_codes_by_test ON portal_ab_campaign_codes (test_id);

-- Every edit and deletion of a planned activity: who, when, and the activity as it was.
CREATE TABLE portal_plan_activity_changes (
    id TEXT PRIMARY KEY,
    activity_id TEXT NOT NULL,
    change_kind TEXT NOT NULL CHECK (change_kind IN ('edited', 'deleted')),
    changed_by TEXT NOT NULL,
    changed_at BIGINT NOT NULL,
    message TEXT NOT NULL,
    target_group TEXT NOT NULL,
    channel TEXT NOT NULL,
    starts_on TEXT NOT NULL,
    ends_on TEXT NOT NULL
);
CREATE INDEX portal_plan_activity_changes_by_activity
    ON portal_plan_activity_changes (activity_id, changed_at);
