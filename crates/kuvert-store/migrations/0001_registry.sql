-- Registry (FaR): operators, senders, intermediaries, profiles, reception rules, signatures,
-- company signatory rules and pending company registrations.
-- Portable between SQLite and PostgreSQL: TEXT and BIGINT only. Timestamps are BIGINT unix
-- milliseconds (UTC); flags are BIGINT 0/1; ids are UUID text made by the application.
-- Organisation numbers are stored as 10 digits, personnummer as 12 digits, recipients in the
-- 12-character wire form ("16" + organisation number for companies).

CREATE TABLE operators (
    organisation_number TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    service_address TEXT NOT NULL,
    ui_address TEXT,
    domain TEXT NOT NULL UNIQUE
);

CREATE TABLE senders (
    organisation_number TEXT PRIMARY KEY,
    name TEXT NOT NULL
);

CREATE TABLE intermediaries (
    organisation_number TEXT PRIMARY KEY,
    name TEXT NOT NULL
);

CREATE TABLE intermediary_senders (
    intermediary TEXT NOT NULL REFERENCES intermediaries (organisation_number) ON DELETE CASCADE,
    sender TEXT NOT NULL REFERENCES senders (organisation_number) ON DELETE CASCADE,
    PRIMARY KEY (intermediary, sender)
);

CREATE TABLE profiles (
    recipient TEXT PRIMARY KEY,
    operator TEXT NOT NULL REFERENCES operators (organisation_number),
    kind TEXT NOT NULL CHECK (kind IN ('person', 'company')),
    status TEXT NOT NULL CHECK (status IN ('active', 'pending')),
    registered_at BIGINT NOT NULL,
    source_sender TEXT,
    source_campaign TEXT,
    reception_changed_at BIGINT
);
CREATE INDEX profiles_by_operator ON profiles (operator);

-- Reception rules: a profile accepts every sender except those listed here.
CREATE TABLE deselected_senders (
    recipient TEXT NOT NULL REFERENCES profiles (recipient) ON DELETE CASCADE,
    sender TEXT NOT NULL,
    PRIMARY KEY (recipient, sender)
);

-- Who signed what and when, kept after the profile is gone (audit).
CREATE TABLE signatures (
    id TEXT PRIMARY KEY,
    recipient TEXT NOT NULL,
    action TEXT NOT NULL,
    signatory TEXT NOT NULL,
    operator TEXT NOT NULL,
    agreement_text TEXT NOT NULL,
    signature_base64 TEXT NOT NULL,
    certificate TEXT NOT NULL,
    signed_at BIGINT NOT NULL
);
CREATE INDEX signatures_by_recipient ON signatures (recipient, signed_at);

-- Seed data standing in for Bolagsverket's firmateckning.
CREATE TABLE company_signatory_rules (
    company TEXT PRIMARY KEY,
    company_name TEXT NOT NULL,
    rule_text TEXT NOT NULL,
    signatures_required BIGINT NOT NULL
);

CREATE TABLE company_signatories (
    company TEXT NOT NULL REFERENCES company_signatory_rules (company) ON DELETE CASCADE,
    signatory TEXT NOT NULL,
    name TEXT NOT NULL,
    PRIMARY KEY (company, signatory)
);

CREATE TABLE pending_company_registrations (
    company TEXT PRIMARY KEY,
    operator TEXT NOT NULL REFERENCES operators (organisation_number),
    agreement_text TEXT NOT NULL,
    requested_at BIGINT NOT NULL
);

CREATE TABLE pending_company_signatures (
    company TEXT NOT NULL REFERENCES pending_company_registrations (company) ON DELETE CASCADE,
    signatory TEXT NOT NULL,
    signature_id TEXT NOT NULL REFERENCES signatures (id),
    PRIMARY KEY (company, signatory)
);
