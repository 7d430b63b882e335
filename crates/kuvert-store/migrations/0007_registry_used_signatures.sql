-- Replay protection for e-ID signatures of profile changes: the SHA-256 digest (hex) of
-- every signature the registry accepted, with when it was accepted (unix milliseconds).
-- A digest is inserted in the transaction of the change it authorised; the primary key makes
-- a second acceptance of the same signature fail even when two requests race. Digests older
-- than `limits::EID_SIGNATURE_USED_KEEP_SECS` are deleted on the next write, since their
-- signatures are refused as too old anyway (kuvert-store `registry::signatures`).

CREATE TABLE registry_used_signatures (
    digest TEXT PRIMARY KEY,
    used_at BIGINT NOT NULL
);

CREATE INDEX registry_used_signatures_by_time ON registry_used_signatures (used_at);
