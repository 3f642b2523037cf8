-- The credit bank: institutions, programmes, equivalence rules, and learners' append-only ledger.
-- Runs with search_path set to the "credits" schema.

CREATE TABLE institutions (
    id            text PRIMARY KEY CHECK (id ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$'),
    name_es       text NOT NULL CHECK (btrim(name_es) <> ''),
    name_en       text,
    country       text NOT NULL CHECK (country ~ '^[A-Z]{2}$'),
    credit_system text NOT NULL,           -- conversion.CreditSystem
    website       text,
    illustrative  boolean NOT NULL DEFAULT false,
    updated_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE programs (
    id                        text PRIMARY KEY CHECK (id ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$'),
    institution_id            text NOT NULL REFERENCES institutions (id),
    name_es                   text NOT NULL CHECK (btrim(name_es) <> ''),
    name_en                   text,
    award_level               text NOT NULL,
    isced_field               text,
    total_credits             numeric(7, 2) NOT NULL CHECK (total_credits > 0),
    -- The most credit recognised competence may earn, and what must be earned at the institution.
    recognition_cap           numeric(7, 2) NOT NULL CHECK (recognition_cap >= 0),
    residency_credits         numeric(7, 2) NOT NULL DEFAULT 0 CHECK (residency_credits >= 0),
    max_certificate_age_years smallint CHECK (max_certificate_age_years BETWEEN 1 AND 100),
    illustrative              boolean NOT NULL DEFAULT false,
    updated_at                timestamptz NOT NULL DEFAULT now(),
    CHECK (recognition_cap <= total_credits AND residency_credits <= total_credits)
);
CREATE INDEX programs_institution ON programs (institution_id);

CREATE TABLE equivalence_rules (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    institution_id    text NOT NULL REFERENCES institutions (id),
    program_id        text REFERENCES programs (id),       -- NULL: every programme of the institution
    base_code         text NOT NULL,                        -- EC0217
    versions          text[] NOT NULL CHECK (cardinality(versions) > 0),  -- EC0217.01, ...
    credits           numeric(7, 2) NOT NULL CHECK (credits > 0),
    credit_level      text NOT NULL,
    exempted_courses  jsonb NOT NULL DEFAULT '[]',          -- [{code, title, titleEn, credits}]
    isced_field       text,
    valid_from        date NOT NULL,
    valid_to          date,
    status            text NOT NULL DEFAULT 'proposed' CHECK (status IN ('proposed', 'approved', 'retired')),
    evidence          text NOT NULL CHECK (btrim(evidence) <> ''),
    notes             text,
    proposed_by       text NOT NULL,
    proposed_at       timestamptz NOT NULL DEFAULT now(),
    approved_by       text,
    approved_on       date,
    retired_by        text,
    retired_on        date,
    retirement_reason text,
    illustrative      boolean NOT NULL DEFAULT false,
    CHECK (valid_to IS NULL OR valid_from <= valid_to),
    CHECK (approved_by IS NULL OR approved_by <> proposed_by),
    CHECK ((status = 'proposed') = (approved_on IS NULL) OR status = 'retired'),
    CHECK ((status = 'retired') = (retired_on IS NOT NULL))
);
CREATE INDEX equivalence_rules_base ON equivalence_rules (base_code);
CREATE INDEX equivalence_rules_institution ON equivalence_rules (institution_id, program_id);

-- One row per learner and institution: applying credits and reversing entries lock it, so postings for
-- one account are serialised while different accounts post in parallel.
CREATE TABLE accounts (
    holder_ref     text NOT NULL,
    institution_id text NOT NULL REFERENCES institutions (id),
    opened_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (holder_ref, institution_id)
);

-- The ledger. Rows are only ever inserted: a correction is a reversal entry, never an edit.
CREATE TABLE ledger_entries (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    holder_ref       text NOT NULL,
    institution_id   text NOT NULL,
    kind             text NOT NULL CHECK (kind IN ('deposit', 'application', 'reversal')),
    folio            text NOT NULL,
    standard_code    text NOT NULL,
    program_id       text REFERENCES programs (id),
    rule_id          bigint REFERENCES equivalence_rules (id),
    credits          numeric(7, 2) NOT NULL,
    exempted_courses jsonb NOT NULL DEFAULT '[]',
    reverses         bigint UNIQUE REFERENCES ledger_entries (id),
    reason           text,
    certificate      jsonb,                 -- a deposit's certificate facts, as the registry gave them
    posted_by        text NOT NULL,
    request_id       text,
    posted_at        timestamptz NOT NULL DEFAULT clock_timestamp(),
    FOREIGN KEY (holder_ref, institution_id) REFERENCES accounts (holder_ref, institution_id),
    CHECK (kind <> 'deposit' OR (credits = 0 AND program_id IS NULL AND certificate IS NOT NULL)),
    CHECK (kind <> 'application' OR (credits > 0 AND program_id IS NOT NULL AND rule_id IS NOT NULL)),
    CHECK ((kind = 'reversal') = (reverses IS NOT NULL)),
    CHECK (kind <> 'reversal' OR reason IS NOT NULL)
);
-- A certificate is deposited at most once per institution, whatever happens concurrently.
CREATE UNIQUE INDEX ledger_one_deposit ON ledger_entries (institution_id, folio) WHERE kind = 'deposit';
CREATE INDEX ledger_account ON ledger_entries (holder_ref, institution_id, id);
CREATE INDEX ledger_folio ON ledger_entries (folio);

CREATE FUNCTION forbid_ledger_edit() RETURNS trigger LANGUAGE plpgsql
SET search_path FROM CURRENT AS $$
BEGIN
    RAISE EXCEPTION 'credits.ledger_entries is append-only: post a reversal instead';
END $$;
CREATE TRIGGER ledger_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON ledger_entries
    FOR EACH STATEMENT EXECUTE FUNCTION forbid_ledger_edit();

-- A posting's idempotency key, scoped to its institution. The first request claims the key inside its own
-- transaction, so a concurrent repeat waits for it and then reads its answer; a failed request leaves
-- no claim behind.
CREATE TABLE idempotency_keys (
    institution_id text NOT NULL,
    key            text NOT NULL CHECK (length(key) BETWEEN 1 AND 200),
    operation      text NOT NULL,
    request_hash   text NOT NULL,
    result         jsonb,                  -- set before the claiming transaction commits
    created_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (institution_id, key)
);

-- How far the registry's change feed has been read (one row), and the certificates it reported revoked.
CREATE TABLE registry_feed (
    id     boolean PRIMARY KEY DEFAULT true CHECK (id),
    cursor text                             -- the feed's endCursor; NULL: from the beginning
);
INSERT INTO registry_feed DEFAULT VALUES;

CREATE TABLE revoked_certificates (
    folio      text PRIMARY KEY,
    revoked_on date,
    seen_at    timestamptz NOT NULL DEFAULT now()
);
