-- Issue 15: the sender service (`sender_letters`) and the intermediary
-- (`sender_distributions`) report every letter that ended digital (`delivered`) or on paper
-- (`paper`) to the registry's letter statistics, once (`kuvert_store::letter_report`). Several
-- nodes may share the database, so a reporting node first claims the rows it counts. Same
-- conventions as 0001: TEXT and BIGINT only, unix milliseconds.
--
-- `reported_at`: when the registry counted the letter; NULL while it has not. Letters that
-- ended before this migration are NULL too, so they are counted once, in the month of the
-- first report after it.
-- `report_claimed_by` / `report_claimed_until`: the reporting node (a `LeaseHolder`) that
-- counts the letter in its current round, and until when; a claim whose node died lapses.
ALTER TABLE sender_letters ADD COLUMN reported_at BIGINT;
ALTER TABLE sender_letters ADD COLUMN report_claimed_by TEXT;
ALTER TABLE sender_letters ADD COLUMN report_claimed_until BIGINT;
CREATE INDEX sender_letters_unreported ON sender_letters (state, id)
    WHERE reported_at IS NULL;

ALTER TABLE sender_distributions ADD COLUMN reported_at BIGINT;
ALTER TABLE sender_distributions ADD COLUMN report_claimed_by TEXT;
ALTER TABLE sender_distributions ADD COLUMN report_claimed_until BIGINT;
CREATE INDEX sender_distributions_unreported ON sender_distributions (status, distribution_id)
    WHERE reported_at IS NULL;
