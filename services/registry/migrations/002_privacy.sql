-- Privacy and accountability of certificates (issue 13). Runs with search_path set to "registry".

-- Which institutions may see a learner's certificates. A row is written when the credit bank verifies
-- one of the learner's certificates for a deposit at the institution (the learner presented it there);
-- from then on the institution's registrars see the learner's certificates. Nothing else grants it.
CREATE TABLE disclosures (
    holder_ref     text NOT NULL,
    institution_id text NOT NULL CHECK (institution_id <> ''),
    folio          text NOT NULL REFERENCES certificates (folio),  -- the first certificate presented
    disclosed_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (institution_id, holder_ref)
);
CREATE INDEX disclosures_holder ON disclosures (holder_ref);

-- The key that certified (the gateway's subject, e.g. apikey:640238b5551c), kept next to the person it
-- names in certifying_person: a person's name is what people read, the key is what an audit follows.
-- NULL on certificates issued before keys had people: their certifying_person is the key.
ALTER TABLE certificates ADD COLUMN certifying_key text;
