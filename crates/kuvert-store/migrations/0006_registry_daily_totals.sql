-- Registry statistics without sources (issue 5 benchmark): the public dashboards need the
-- daily counters per day, operator and kind only, and "mailboxes before a day" sums every
-- day before it. Summing `registry_daily` (one row per source too) for that read hundreds
-- of thousands of rows for a year of six million profiles; this table holds one row per
-- day, operator and kind, kept in the same transaction as `registry_daily` by the counter
-- upkeep (kuvert-store `registry::counters`), so the two always agree.
-- Same conventions as 0004: TEXT days 'YYYY-MM-DD', BIGINT counters.

CREATE TABLE registry_daily_totals (
    day TEXT NOT NULL,
    operator TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('person', 'company')),
    registered BIGINT NOT NULL DEFAULT 0,
    deregistered BIGINT NOT NULL DEFAULT 0,
    moved_in BIGINT NOT NULL DEFAULT 0,
    moved_out BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (day, operator, kind)
);

INSERT INTO registry_daily_totals (day, operator, kind, registered, deregistered, moved_in,
    moved_out)
SELECT day, operator, kind, SUM(registered), SUM(deregistered), SUM(moved_in), SUM(moved_out)
FROM registry_daily
GROUP BY day, operator, kind;

-- A campaign's rows (`campaign=` in the feed) by an index range per code.
CREATE INDEX registry_daily_by_campaign ON registry_daily (source_campaign, day);
