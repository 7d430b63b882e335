-- Annual plans of the communicators' network (issue 13 §4): each sender's plan and the one
-- common plan (sender ''), as activities with message, target group, channel and period;
-- and the editor's review of each campaign (the activity it was created from, if any, and
-- who marked its messages and terms checked, when). Same conventions as 0005: TEXT and
-- BIGINT only, days as TEXT 'YYYY-MM-DD', times as Unix milliseconds.

CREATE TABLE portal_plan_activities (
    id TEXT PRIMARY KEY,
    year BIGINT NOT NULL,
    sender TEXT NOT NULL,
    message TEXT NOT NULL,
    target_group TEXT NOT NULL,
    channel TEXT NOT NULL,
    starts_on TEXT NOT NULL,
    ends_on TEXT NOT NULL,
    author TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX portal_plan_activities_by_year ON portal_plan_activities (year, sender, starts_on);

CREATE TABLE portal_campaign_reviews (
    code TEXT PRIMARY KEY REFERENCES portal_campaigns (code) ON DELETE CASCADE,
    activity_id TEXT REFERENCES portal_plan_activities (id) ON DELETE SET NULL,
    checked_by TEXT,
    checked_at BIGINT
);
