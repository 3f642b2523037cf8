-- Counterparts (issue 12): the evidence that links a standard to the occupations it corresponds to.
--
-- * item_terms: other names of an item (ESCO alternative labels, O*NET alternate and reported titles)
--   and its task statements: evidence to match text against, never items of their own.
-- * item_facts: one-value facts about an item (an O*NET occupation's job zone).
-- * sector_employment: how many people an occupation employs in an industry sector (BLS OEWS).
-- * edges gain two methods (a research crosswalk; a proposal found by matching text) and, for
--   proposals, structured evidence (what matched, along which route, with which sector evidence).

ALTER TABLE edges DROP CONSTRAINT edges_method_check;
ALTER TABLE edges ADD CONSTRAINT edges_method_check CHECK (method IN (
    'official_crosswalk', 'identical_code', 'hierarchy', 'published_referencing', 'derived',
    'expert_review', 'proposed', 'research_crosswalk', 'text_match'));
ALTER TABLE edges ADD COLUMN evidence jsonb;

CREATE TABLE item_terms (
    scheme  text NOT NULL,
    code    text NOT NULL,
    lang    text NOT NULL CHECK (lang IN ('es', 'en')),
    kind    text NOT NULL CHECK (kind IN ('label', 'alternative_label', 'alternate_title',
                                          'reported_title', 'task')),
    term    text NOT NULL CHECK (term <> '' AND term = btrim(term)),
    source  text NOT NULL CHECK (source <> ''),
    PRIMARY KEY (scheme, code, lang, kind, term),
    FOREIGN KEY (scheme, code) REFERENCES items (scheme, code)
);

CREATE TABLE item_facts (
    scheme  text NOT NULL,
    code    text NOT NULL,
    name    text NOT NULL CHECK (name ~ '^[a-z_]{2,40}$'),
    value   text NOT NULL,
    source  text NOT NULL CHECK (source <> ''),
    PRIMARY KEY (scheme, code, name),
    FOREIGN KEY (scheme, code) REFERENCES items (scheme, code)
);

CREATE TABLE sector_employment (
    naics_sector text NOT NULL,          -- the OEWS sector code as published: '31-33', '44-45', '48-49', '11', ...
    soc_code     text NOT NULL,          -- SOC 2018 detailed occupation
    employment   integer NOT NULL CHECK (employment >= 0),
    year         smallint NOT NULL,
    source       text NOT NULL CHECK (source <> ''),
    PRIMARY KEY (naics_sector, soc_code)
);
