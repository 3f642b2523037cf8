-- The crosswalk: classification schemes, their items, the edges between items (with confidence and
-- provenance per edge), and recognition agreements. Runs with search_path set to the "mapping" schema.

CREATE FUNCTION fold(t text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE RETURNS NULL ON NULL INPUT
RETURN translate(lower(t), 'áàâäãéèêëíìîïóòôöõúùûüñç', 'aaaaaeeeeiiiiooooouuuunc');

CREATE TABLE schemes (
    id          text PRIMARY KEY,          -- the GraphQL enum value: SCIAN_2023, SOC_2018, ...
    title_es    text NOT NULL,
    title_en    text NOT NULL,
    version     text NOT NULL,
    publisher   text NOT NULL
);

CREATE TABLE items (
    scheme      text NOT NULL REFERENCES schemes (id),
    code        text NOT NULL CHECK (code <> '' AND code = btrim(code)),
    label_es    text,
    label_en    text,
    parent      text,                      -- the broader item's code, in the same scheme
    depth       smallint NOT NULL CHECK (depth BETWEEN 1 AND 9),
    kind        text NOT NULL DEFAULT '',
    description text,
    search      text GENERATED ALWAYS AS (
                    fold(coalesce(code, '') || ' ' || coalesce(label_es, '') || ' ' || coalesce(label_en, ''))
                ) STORED,
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (scheme, code),
    CHECK (label_es IS NOT NULL OR label_en IS NOT NULL),
    FOREIGN KEY (scheme, parent) REFERENCES items (scheme, code) DEFERRABLE INITIALLY DEFERRED
);
CREATE INDEX items_parent ON items (scheme, parent);

CREATE TABLE edges (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    from_scheme   text NOT NULL,
    from_code     text NOT NULL,
    to_scheme     text NOT NULL,
    to_code       text NOT NULL,
    relation      text NOT NULL CHECK (relation IN
                    ('exactMatch', 'closeMatch', 'broadMatch', 'narrowMatch', 'relatedMatch', 'broader')),
    confidence    double precision NOT NULL CHECK (confidence > 0 AND confidence <= 1),
    method        text NOT NULL CHECK (method IN ('official_crosswalk', 'identical_code', 'hierarchy',
                    'published_referencing', 'derived', 'expert_review', 'proposed')),
    source        text NOT NULL CHECK (source <> ''),
    note          text,
    from_version  text NOT NULL,
    to_version    text NOT NULL,
    status        text NOT NULL DEFAULT 'endorsed' CHECK (status IN ('proposed', 'endorsed', 'rejected')),
    proposed_by   text,
    reviewed_by   text,
    reviewed_at   timestamptz,
    review_note   text,
    valid_from    date,
    valid_to      date,
    created_at    timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (from_scheme, from_code) REFERENCES items (scheme, code),
    FOREIGN KEY (to_scheme, to_code) REFERENCES items (scheme, code),
    CHECK ((from_scheme, from_code) <> (to_scheme, to_code)),
    CHECK (valid_to IS NULL OR valid_from IS NULL OR valid_from <= valid_to),
    CHECK (relation <> 'broader' OR from_scheme = to_scheme),
    -- The proposer of an edge never reviews it.
    CHECK (reviewed_by IS NULL OR proposed_by IS NULL OR reviewed_by <> proposed_by)
);
-- One edge per ordered pair of items: a second proposal for the same pair is a conflict, not a copy.
CREATE UNIQUE INDEX edges_pair ON edges (from_scheme, from_code, to_scheme, to_code);
CREATE INDEX edges_to ON edges (to_scheme, to_code);

-- Bumped when items or edges change; a running service polls it to know when to rebuild its graph.
CREATE TABLE graph_version (
    only_row  boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    version   bigint NOT NULL
);
INSERT INTO graph_version VALUES (true, 1);

-- Only statements that changed rows count: an import that finds nothing new leaves the graph alone.
-- (A trigger with a transition table takes one event, hence three per table.)
CREATE FUNCTION bump_graph_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM changed) THEN
        UPDATE graph_version SET version = version + 1;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER edges_inserted AFTER INSERT ON edges REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION bump_graph_version();
CREATE TRIGGER edges_updated AFTER UPDATE ON edges REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION bump_graph_version();
CREATE TRIGGER edges_deleted AFTER DELETE ON edges REFERENCING OLD TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION bump_graph_version();
CREATE TRIGGER items_inserted AFTER INSERT ON items REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION bump_graph_version();
CREATE TRIGGER items_deleted AFTER DELETE ON items REFERENCING OLD TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION bump_graph_version();

CREATE TABLE recognition_agreements (
    id            text PRIMARY KEY CHECK (id ~ '^[A-Za-z0-9._-]{3,64}$'),
    title_es      text NOT NULL,
    title_en      text,
    parties       text[] NOT NULL CHECK (parties = ARRAY['MX', 'US']),
    -- The scope: the standards of these CONOCER committees, and these standards by code.
    scope_committees text[] NOT NULL DEFAULT '{}',
    scope_standards  text[] NOT NULL DEFAULT '{}',
    counterpart_scheme text NOT NULL REFERENCES schemes (id),
    status        text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'in_force', 'expired')),
    signed_on     date,
    valid_from    date,
    valid_to      date,
    illustrative  boolean NOT NULL DEFAULT false,
    note          text,
    created_by    text,
    created_at    timestamptz NOT NULL DEFAULT now(),
    CHECK (valid_to IS NULL OR valid_from IS NULL OR valid_from <= valid_to)
);

CREATE TABLE recognitions (
    agreement_id     text NOT NULL REFERENCES recognition_agreements (id),
    standard_code    text NOT NULL,
    counterpart_scheme text NOT NULL,
    counterpart_code text NOT NULL,
    conditions       text,
    gaps             jsonb NOT NULL DEFAULT '[]',   -- [{element, gap, measure}]
    created_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (agreement_id, standard_code, counterpart_scheme, counterpart_code),
    FOREIGN KEY (counterpart_scheme, counterpart_code) REFERENCES items (scheme, code)
);

-- Each party's latest word on a recognition; a recognition is mutual only when both endorsed.
CREATE TABLE recognition_decisions (
    agreement_id     text NOT NULL,
    standard_code    text NOT NULL,
    counterpart_scheme text NOT NULL,
    counterpart_code text NOT NULL,
    party            text NOT NULL CHECK (party IN ('MX', 'US')),
    decision         text NOT NULL CHECK (decision IN ('endorsed', 'rejected', 'pending')),
    decided_by       text NOT NULL,
    decided_on       date NOT NULL DEFAULT current_date,
    note             text,
    PRIMARY KEY (agreement_id, standard_code, counterpart_scheme, counterpart_code, party),
    FOREIGN KEY (agreement_id, standard_code, counterpart_scheme, counterpart_code)
        REFERENCES recognitions (agreement_id, standard_code, counterpart_scheme, counterpart_code)
);
