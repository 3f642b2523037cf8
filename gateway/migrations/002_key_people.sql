-- A key of a body or institution belongs to a named person of it: the registry records that person as
-- the one who certified (issue 13), instead of the key's id. NULL on keys made before: they keep
-- working, shown by their id until `qf apikey set-person` names them.
-- Runs with search_path set to the "gateway" schema.

ALTER TABLE api_keys ADD COLUMN person text CHECK (length(btrim(person)) BETWEEN 1 AND 200);

-- Gateways look for keys revoked lately once a second (gateway/apikeys.py); this keeps that cheap.
CREATE INDEX api_keys_revoked_at ON api_keys (revoked_at) WHERE revoked_at IS NOT NULL;
