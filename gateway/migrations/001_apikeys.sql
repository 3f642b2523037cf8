-- API keys of the gateway (DESIGN.md section 6). A key is `qf_<id>_<secret>`; only the id and a
-- SHA-256 of the secret are kept, so a copy of this table lets nobody call the API.
-- Runs with search_path set to the "gateway" schema.

CREATE TABLE api_keys (
    id            text PRIMARY KEY CHECK (id ~ '^[0-9a-f]{12}$'),
    name          text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 200),
    -- The roles of services/common/signing.py (ROLES); a test keeps the two lists equal.
    role          text NOT NULL
                  CHECK (role IN ('public', 'registrar', 'committee', 'certifier', 'taskforce', 'admin')),
    scope         text CHECK (scope <> ''),    -- the institution, committee or body the key acts for
    secret_hash   text NOT NULL CHECK (secret_hash ~ '^[0-9a-f]{64}$'),
    created_at    timestamptz NOT NULL DEFAULT now(),
    revoked_at    timestamptz,
    last_used_at  timestamptz                  -- refreshed at most once per cache period
);
