-- Labels published in both languages for the same concept, kept only as evidence for matching: the
-- counterpart proposer learns a Spanish -> English word lexicon from them (ESCO's 13,485 skills, whose
-- labels are written as work done: "reparar sistemas de suspensión" = "repair suspension systems").
-- Skills are not items: without the occupation-skill relations they point to no occupation.

CREATE TABLE parallel_labels (
    dataset  text NOT NULL CHECK (dataset ~ '^[a-z0-9_-]{2,40}$'),
    key      text NOT NULL CHECK (key <> ''),
    label_es text NOT NULL CHECK (label_es <> '' AND label_es = btrim(label_es)),
    label_en text NOT NULL CHECK (label_en <> '' AND label_en = btrim(label_en)),
    source   text NOT NULL CHECK (source <> ''),
    PRIMARY KEY (dataset, key)
);
