"""schema/credits.graphql is the credit bank's published contract; it must match the code."""

from pathlib import Path

from services.credits.schema import schema

CHECKED_IN = Path(__file__).resolve().parents[2] / "schema" / "credits.graphql"


def test_checked_in_sdl_matches_the_code() -> None:
    assert CHECKED_IN.read_text() == schema.as_str() + "\n", (
        "schema/credits.graphql drifted from the code; run `qf compose` and review the diff"
    )


def test_contract_names() -> None:
    sdl = schema.as_str()
    for entity in ("Institution", "Program"):
        assert f'type {entity} @key(fields: "id")' in sdl
    assert 'type Standard @key(fields: "code")' in sdl
    assert 'type Certificate @key(fields: "folio")' in sdl
    assert 'type Learner @key(fields: "holderRef")' in sdl
    for field in ("institution(", "institutions(", "program(", "equivalenceRules(", "convertCredits("):
        assert f"  {field}" in sdl
    for field in (
        "upsertInstitution(",
        "upsertProgram(",
        "proposeEquivalenceRule(",
        "approveEquivalenceRule(",
        "retireEquivalenceRule(",
        "depositCertificate(",
        "applyCredits(",
        "reverseLedgerEntry(",
    ):
        assert f"  {field}" in sdl
