-- The editor workflow of the communicators' network (issue 13 §3): the editor
-- (huvudredaktör) role, and the news, FAQ entries and pages communicators submit. Same
-- conventions as 0005: TEXT and BIGINT only, times as Unix milliseconds. Every version of a
-- submission is kept with who (personnummer of the communicator or editor) and when.

-- People with the editor role; they also need a communicator role to log in.
CREATE TABLE portal_editors (
    person TEXT PRIMARY KEY,
    granted_at BIGINT NOT NULL
);

-- One submission: news, a FAQ entry or a page, for one sender.
CREATE TABLE portal_submissions (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('news', 'faq', 'page')),
    sender TEXT NOT NULL,
    author TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('submitted', 'returned', 'published')),
    created_at BIGINT NOT NULL,
    published_at BIGINT
);
CREATE INDEX portal_submissions_by_status ON portal_submissions (kind, status, published_at);

-- Every version: the text (Markdown) as it stood after the step, the step, the comment.
CREATE TABLE portal_submission_versions (
    submission_id TEXT NOT NULL REFERENCES portal_submissions (id) ON DELETE CASCADE,
    version BIGINT NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    step TEXT NOT NULL,
    comment TEXT NOT NULL DEFAULT '',
    author TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (submission_id, version)
);
