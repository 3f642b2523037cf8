"""schema/api.graphql, the client-facing contract: it is what the code serves, and a change that would break
a client written against it fails until schema/CHANGELOG.md records it."""

from __future__ import annotations

from pathlib import Path

from gateway.contract import api_sdl, breaking_changes, unrecorded
from qf.schema import composed_supergraph

SCHEMA = Path(__file__).resolve().parents[2] / "schema"
RECORDED = SCHEMA / "api.graphql"
CHANGELOG = SCHEMA / "CHANGELOG.md"


def test_no_unrecorded_breaking_change_to_the_clients_schema() -> None:
    changes = breaking_changes(RECORDED.read_text(), api_sdl(composed_supergraph()))
    missing = unrecorded(changes, CHANGELOG.read_text())
    assert not missing, (
        "breaking changes to schema/api.graphql that schema/CHANGELOG.md does not record:\n  "
        + "\n  ".join(missing)
        + "\nrecord each word for word in schema/CHANGELOG.md (why, what clients use instead), or undo them"
    )


def test_checked_in_api_schema_matches_the_code() -> None:
    current = api_sdl(composed_supergraph())
    assert RECORDED.read_text() == current, "schema/api.graphql drifted: run `qf compose`"


def test_the_api_schema_has_no_federation_machinery() -> None:
    sdl = RECORDED.read_text()
    for machinery in ("join__", "@link", "link__", "_Entity", "_service", "inaccessible"):
        assert machinery not in sdl
    assert "type Query {" in sdl and "standards(" in sdl


RECORDED_EXAMPLE = """
type Query { standard(code: String!): Standard! standards(first: Int = 20): [Standard!]! }
type Standard { code: String! title: String! accreditations: [String!]! }
"""


def test_a_removed_field_or_a_new_required_argument_is_breaking_until_recorded() -> None:
    current = """
    type Query { standard(code: String!, at: String!): Standard! standards(first: Int = 20): [Standard!]! }
    type Standard { code: String! title: String! extra: Int }
    """
    changes = breaking_changes(RECORDED_EXAMPLE, current)
    assert changes == [
        "A required argument Query.standard(at:) was added.",
        "Field Standard.accreditations was removed.",
    ]
    changelog = "## 2026-12-07\n- `Field Standard.accreditations was removed.` Use the connection.\n"
    assert unrecorded(changes, changelog) == ["A required argument Query.standard(at:) was added."]
    # Additions (a field, an optional argument) and deprecations break nobody.
    added = RECORDED_EXAMPLE.replace("code: String! title", "code: String! new: Int title").replace(
        "accreditations: [String!]!", 'accreditations: [String!]! @deprecated(reason: "paged")'
    )
    assert breaking_changes(RECORDED_EXAMPLE, added) == []
