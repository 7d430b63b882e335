-- Issue 15, the sender service: the lane each queued letter is signed, sealed and delivered
-- in (`kuvert_core::lane::Lane`). A single letter (`POST /api/v1/letters`) is `single`; the
-- letters of a batch or a mailing are `bulk`, so a caseworker's letter never waits behind a
-- mass mailing — neither for a worker's claim nor on the CPU pool nor at the operator.
-- Letters queued before this migration were all single letters as far as the worker knew.
ALTER TABLE sender_letters ADD COLUMN lane TEXT NOT NULL DEFAULT 'single'
    CHECK (lane IN ('single', 'bulk'));
