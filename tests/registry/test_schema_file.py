"""schema/registry.graphql is the registry's published contract; it must match the code."""

from pathlib import Path

from services.registry.schema import schema

CHECKED_IN = Path(__file__).resolve().parents[2] / "schema" / "registry.graphql"


def test_checked_in_sdl_matches_the_code() -> None:
    assert CHECKED_IN.read_text() == schema.as_str() + "\n", (
        "schema/registry.graphql drifted from the code; run `qf compose` and review the diff"
    )


def test_contract_keys() -> None:
    sdl = schema.as_str()
    for entity, key in [
        ("Standard", "code"),
        ("Certificate", "folio"),
        ("Learner", "holderRef"),
        ("CertificationBody", "id"),
        ("Committee", "id"),
    ]:
        assert f'type {entity} @key(fields: "{key}")' in sdl
