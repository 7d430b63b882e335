-- Issue 15: two `distributeSecure` calls for the same signed delivery at once, or a retry
-- after a crash, must not both send it (nor both put it on paper). Same conventions as 0001.
--
-- `claimed_until` (unix ms): the distribution is being carried out by one request until then;
-- another request for it answers its id without sending. NULL when nobody carries it out (it
-- ended `delivered`, `paper` or `failed`, or its request failed and let it go). A process that
-- died while holding it leaves the claim to lapse, after which a retry resumes it.
-- `paper_begun_at` (unix ms): set before its row is appended to the paper-mail list, so a
-- resume after a crash looks in the list before appending and the row is there once.
ALTER TABLE sender_distributions ADD COLUMN claimed_until BIGINT;
ALTER TABLE sender_distributions ADD COLUMN paper_begun_at BIGINT;
