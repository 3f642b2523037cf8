"""schema/supergraph.graphql is what `qf compose` writes today, and the gateway runs on it."""

from pathlib import Path

from gateway.supergraph import Supergraph
from qf.schema import composed_supergraph

FILE = Path(__file__).resolve().parents[2] / "schema" / "supergraph.graphql"


def test_checked_in_supergraph_matches_composition() -> None:
    assert FILE.read_text() == composed_supergraph(), "schema/supergraph.graphql drifted: run `qf compose`"


def test_the_gateway_loads_the_checked_in_supergraph() -> None:
    supergraph = Supergraph(FILE.read_text())
    assert set(supergraph.subgraphs) == {"registry", "credits", "mapping"}
    assert [k.fields for k in supergraph.types["Standard"].keys] == ["code"] * 3  # one per subgraph
    assert supergraph.resolvers("Standard", "crosswalk") == ["mapping"]
    assert supergraph.resolvers("Standard", "creditEquivalences") == ["credits"]
    assert supergraph.resolvers("Learner", "creditTranscript") == ["credits"]
    assert supergraph.api_schema.get_type("_Entity") is None
    assert "standards" in supergraph.api_schema.query_type.fields
