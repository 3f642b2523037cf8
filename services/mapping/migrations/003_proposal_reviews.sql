-- The task force's review of proposed mappings (issue 12): each party (MX, US) decides once per edge.
-- The edge keeps its overall status (the first endorsement makes it count in crosswalks; a rejection by
-- either party takes it out); this table says who decided, for which party, so a proposal endorsed by
-- both parties reads as mutual.

CREATE TABLE edge_reviews (
    edge_id     bigint NOT NULL REFERENCES edges (id) ON DELETE CASCADE,
    party       text NOT NULL CHECK (party IN ('MX', 'US')),
    decision    text NOT NULL CHECK (decision IN ('endorsed', 'rejected')),
    reviewed_by text NOT NULL,
    reviewed_at timestamptz NOT NULL DEFAULT now(),
    note        text,
    PRIMARY KEY (edge_id, party)
);
CREATE INDEX edges_proposed ON edges (confidence DESC, id) WHERE proposed_by IS NOT NULL;
