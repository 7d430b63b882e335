-- Idempotency by content (issue 10): the SHA-256 (hex) of the letter's canonical
-- sender-signed content (the SignedDelivery as its signature covers it, not the seal), kept
-- with the (sender, message_id) key. A repeat with the same key and digest gets the original
-- receipt; the same key with another digest is refused (fault 5007) and learns nothing.
-- Rows stored before this migration have '' and so never match: a repeat of such an old
-- letter is refused rather than answered with a receipt that may belong to another letter.
-- Same conventions as 0002: TEXT, app-computed values.

ALTER TABLE deliveries ADD COLUMN content_digest TEXT NOT NULL DEFAULT '';
