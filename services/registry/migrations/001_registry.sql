-- The standards registry: standards and their elements, committees, certification bodies and their
-- accreditations, nominations, evaluation centres, evaluators, certificates and an append-only change
-- log. Runs with search_path set to the "registry" schema.

-- Lower case without accents, for search that ignores both. The embedded server has no `unaccent`
-- extension, so the fold is spelled out; IMMUTABLE lets generated columns and indexes use it.
CREATE FUNCTION fold(t text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE RETURNS NULL ON NULL INPUT
RETURN translate(lower(t), 'áàâäãéèêëíìîïóòôöõúùûüñç', 'aaaaaeeeeiiiiooooouuuunc');

CREATE TABLE committees (
    id            text PRIMARY KEY,
    conocer_key   text,                -- CONOCER's "clave", e.g. 1.5.1
    name          text NOT NULL,
    sector_label  text,                -- CONOCER's own sector label (not SCIAN)
    state         text,
    formed_on     date,
    source        text NOT NULL DEFAULT 'api',
    updated_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE standards (
    code                       text PRIMARY KEY CHECK (code ~ '^EC[0-9]{4}(\.[0-9]{2})?$'),
    base_code                  text NOT NULL CHECK (base_code ~ '^EC[0-9]{4}$'),
    version                    smallint NOT NULL CHECK (version >= 0),
    title_es                   text NOT NULL CHECK (title_es <> ''),
    title_en                   text,
    purpose_es                 text,
    purpose_en                 text,
    level                      smallint NOT NULL CHECK (level BETWEEN 1 AND 5),
    sector_code                text NOT NULL,
    sector_title               text NOT NULL,
    committee_id               text REFERENCES committees (id),
    committee_name             text,
    status                     text NOT NULL DEFAULT 'submitted'
                               CHECK (status IN ('submitted', 'published', 'withdrawn')),
    published_on               date,
    review_on                  date,
    withdrawn_on               date,
    certificate_validity_years smallint CHECK (certificate_validity_years BETWEEN 1 AND 20),
    supersedes                 text REFERENCES standards (code),
    equivalent_to_previous     boolean,
    source                     text NOT NULL DEFAULT 'api',
    created_at                 timestamptz NOT NULL DEFAULT now(),
    updated_at                 timestamptz NOT NULL DEFAULT now(),
    search                     tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('spanish'::regconfig, fold(code) || ' ' || fold(base_code)), 'A') ||
        setweight(to_tsvector('spanish'::regconfig, fold(title_es)), 'A') ||
        setweight(to_tsvector('spanish'::regconfig, coalesce(fold(purpose_es), '')), 'B') ||
        setweight(to_tsvector('spanish'::regconfig, coalesce(fold(committee_name), '')), 'C') ||
        setweight(to_tsvector('spanish'::regconfig, fold(sector_title)), 'D')
    ) STORED,
    UNIQUE (base_code, version)
);
CREATE INDEX standards_search ON standards USING gin (search);
CREATE INDEX standards_level ON standards (level);
CREATE INDEX standards_sector ON standards (sector_code);
CREATE INDEX standards_committee ON standards (committee_id);
CREATE INDEX standards_title ON standards (title_es, code);
CREATE INDEX standards_supersedes ON standards (supersedes) WHERE supersedes IS NOT NULL;

CREATE TABLE elements (
    standard_code text NOT NULL REFERENCES standards (code) ON DELETE CASCADE,
    position      smallint NOT NULL,
    code          text NOT NULL,          -- e.g. E0875
    title_es      text NOT NULL,
    title_en      text,
    PRIMARY KEY (standard_code, code),
    UNIQUE (standard_code, position)
);

CREATE TABLE criteria (
    standard_code text NOT NULL,
    element_code  text NOT NULL,
    kind          text NOT NULL CHECK (kind IN ('performance', 'product', 'knowledge', 'attitude')),
    position      smallint NOT NULL,
    text_es       text NOT NULL,
    text_en       text,
    PRIMARY KEY (standard_code, element_code, kind, position),
    FOREIGN KEY (standard_code, element_code) REFERENCES elements ON DELETE CASCADE
);

CREATE TABLE certification_bodies (
    id         text PRIMARY KEY,
    name       text NOT NULL,
    kind       text NOT NULL DEFAULT 'unknown' CHECK (kind IN ('ECE', 'OC', 'unknown')),
    state      text,
    active     boolean NOT NULL DEFAULT true,
    source     text NOT NULL DEFAULT 'api',
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX certification_bodies_name ON certification_bodies (fold(name));

-- A body may certify a standard within [valid_from, valid_to]; NULL ends are open (RENEC lists
-- current accreditations without dates).
CREATE TABLE accreditations (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    body_id       text NOT NULL REFERENCES certification_bodies (id),
    standard_code text NOT NULL REFERENCES standards (code),
    valid_from    date,
    valid_to      date,
    source        text NOT NULL DEFAULT 'api',
    CHECK (valid_to IS NULL OR valid_from IS NULL OR valid_from <= valid_to)
);
CREATE UNIQUE INDEX accreditations_once
    ON accreditations (body_id, standard_code, coalesce(valid_from, '-infinity'::date));
CREATE INDEX accreditations_standard ON accreditations (standard_code);

-- Before publication the committee nominates the bodies that will certify a standard (>= 3).
CREATE TABLE nominations (
    standard_code text NOT NULL REFERENCES standards (code),
    body_id       text NOT NULL REFERENCES certification_bodies (id),
    nominated_by  text,
    nominated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (standard_code, body_id)
);

CREATE TABLE centres (
    id         text PRIMARY KEY,
    name       text NOT NULL,
    kind       text NOT NULL CHECK (kind IN ('evaluation', 'training')),
    body_id    text REFERENCES certification_bodies (id),
    state      text,
    active     boolean NOT NULL DEFAULT true,
    source     text NOT NULL DEFAULT 'api'
);

CREATE TABLE centre_standards (
    centre_id     text NOT NULL REFERENCES centres (id) ON DELETE CASCADE,
    standard_code text NOT NULL REFERENCES standards (code),
    PRIMARY KEY (centre_id, standard_code)
);

-- person_ref is the evaluator's identity as the gateway knows it (an API key's subject), so the
-- registry can tell when the evaluator and the certifying person are the same person.
CREATE TABLE evaluators (
    id           text PRIMARY KEY,
    body_id      text NOT NULL REFERENCES certification_bodies (id),
    centre_id    text REFERENCES centres (id),
    person_ref   text NOT NULL UNIQUE,
    display_name text NOT NULL,
    active       boolean NOT NULL DEFAULT true
);

CREATE SEQUENCE certificate_folio;

CREATE TABLE certificates (
    folio              text PRIMARY KEY,
    standard_code      text NOT NULL REFERENCES standards (code),
    scope              text NOT NULL CHECK (scope IN ('whole', 'elements')),
    element_codes      text[] NOT NULL DEFAULT '{}',
    holder_ref         text NOT NULL,   -- keyed hash of the holder's CURP; the CURP is never stored
    holder_name_masked text NOT NULL,
    evaluator_id       text NOT NULL REFERENCES evaluators (id),
    certifying_person  text NOT NULL,
    body_id            text NOT NULL REFERENCES certification_bodies (id),
    issued_on          date NOT NULL,
    expires_on         date,
    status             text NOT NULL DEFAULT 'valid' CHECK (status IN ('valid', 'revoked')),
    revoked_on         date,
    revocation_reason  text,
    idempotency_key    text NOT NULL,
    request_hash       text NOT NULL,
    created_at         timestamptz NOT NULL DEFAULT now(),
    CHECK ((scope = 'whole') = (cardinality(element_codes) = 0)),
    UNIQUE (body_id, idempotency_key)
);
CREATE INDEX certificates_holder ON certificates (holder_ref);
CREATE INDEX certificates_standard ON certificates (standard_code);

-- Every change to standards, accreditations and certificates, in commit order. Rows are written by
-- triggers, so no code path can change those tables without leaving a trace, and never updated.
CREATE TABLE change_log (
    seq        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    entity     text NOT NULL,
    key        text NOT NULL,
    op         text NOT NULL CHECK (op IN ('created', 'updated', 'deleted')),
    data       jsonb NOT NULL,
    changed_at timestamptz NOT NULL DEFAULT clock_timestamp()
);

CREATE FUNCTION forbid_change_log_edit() RETURNS trigger LANGUAGE plpgsql
SET search_path FROM CURRENT AS $$
BEGIN
    RAISE EXCEPTION 'registry.change_log is append-only';
END $$;
CREATE TRIGGER change_log_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON change_log
    FOR EACH STATEMENT EXECUTE FUNCTION forbid_change_log_edit();

-- What the feed shows of a row: public facts only (no holder data for certificates).
CREATE FUNCTION log_change() RETURNS trigger LANGUAGE plpgsql
SET search_path FROM CURRENT AS $$
DECLARE
    row_data jsonb;
    row_key  text;
    op       text;
BEGIN
    IF TG_OP = 'DELETE' THEN
        row_data := to_jsonb(OLD);
        op := 'deleted';
    ELSE
        row_data := to_jsonb(NEW);
        op := CASE TG_OP WHEN 'INSERT' THEN 'created' ELSE 'updated' END;
        IF TG_OP = 'UPDATE' AND to_jsonb(OLD) = row_data THEN
            RETURN NULL;  -- a no-op update is not a change
        END IF;
    END IF;
    row_data := row_data - 'search' - 'created_at' - 'updated_at';
    IF TG_TABLE_NAME = 'certificates' THEN
        row_key := row_data ->> 'folio';
        row_data := jsonb_build_object(
            'folio', row_data -> 'folio', 'standard_code', row_data -> 'standard_code',
            'scope', row_data -> 'scope', 'element_codes', row_data -> 'element_codes',
            'body_id', row_data -> 'body_id', 'issued_on', row_data -> 'issued_on',
            'expires_on', row_data -> 'expires_on', 'status', row_data -> 'status',
            'revoked_on', row_data -> 'revoked_on');
    ELSIF TG_TABLE_NAME = 'accreditations' THEN
        row_key := (row_data ->> 'body_id') || ':' || (row_data ->> 'standard_code');
    ELSE
        row_key := row_data ->> 'code';
    END IF;
    INSERT INTO change_log (entity, key, op, data)
    VALUES (rtrim(TG_TABLE_NAME, 's'), row_key, op, row_data);
    RETURN NULL;
END $$;

CREATE TRIGGER standards_log AFTER INSERT OR UPDATE OR DELETE ON standards
    FOR EACH ROW EXECUTE FUNCTION log_change();
CREATE TRIGGER accreditations_log AFTER INSERT OR UPDATE OR DELETE ON accreditations
    FOR EACH ROW EXECUTE FUNCTION log_change();
CREATE TRIGGER certificates_log AFTER INSERT OR UPDATE OR DELETE ON certificates
    FOR EACH ROW EXECUTE FUNCTION log_change();
