"""Composition of subgraph SDLs into a supergraph: our rules, and agreement with @apollo/composition.

Every case runs twice: against gateway.composition, and (when Node is installed) against Apollo's
composition on the same SDL, all cases in one node process. Successful cases must agree on every
type's and field's join facts; failing ones on the error code.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from graphql import (
    BooleanValueNode,
    DirectiveDefinitionNode,
    DirectiveNode,
    EnumTypeDefinitionNode,
    EnumValueNode,
    StringValueNode,
    TypeDefinitionNode,
    UnionTypeDefinitionNode,
    parse,
    print_ast,
)

from gateway.composition import CompositionError, SubgraphSource, compose
from tests.oracle.oracle import apollo_gateway, compose_many_with_apollo, require_oracle

# Our subgraphs' `_service { sdl }`, checked in (tests elsewhere keep them in step with the code).
SCHEMA_DIR = Path(__file__).resolve().parents[2] / "schema"
REGISTRY = [
    SubgraphSource("registry", "http://127.0.0.1:4001/graphql", (SCHEMA_DIR / "registry.graphql").read_text())
]
OURS = [
    *REGISTRY,
    SubgraphSource("credits", "http://127.0.0.1:4002/graphql", (SCHEMA_DIR / "credits.graphql").read_text()),
    SubgraphSource("mapping", "http://127.0.0.1:4003/graphql", (SCHEMA_DIR / "mapping.graphql").read_text()),
]
IMPORTS = ["@key", "@shareable", "@external", "@requires", "@provides", "@override", "@inaccessible", "@tag"]


CASES = Path(__file__).resolve().parent / "composition_cases"


def sub(name: str, body: str, version: str = "2.3", imports: list[str] | None = None) -> SubgraphSource:
    """A Federation 2 subgraph as a subgraph library prints it (`body` is its SDL after the @link)."""
    names = IMPORTS + (["@interfaceObject"] if version >= "2.3" else []) if imports is None else imports
    link = ", ".join(f'"{n}"' for n in names)
    header = f'extend schema @link(url: "https://specs.apollo.dev/federation/v{version}", import: [{link}])\n'
    return SubgraphSource(name, f"http://{name}.test/graphql", header + body)


def read_cases(path: Path) -> dict[str, tuple[list[SubgraphSource], str]]:
    """Cases of a composition_cases file: `# == name[: CODE]`, then `# -- subgraph [options]` + SDL."""
    cases: dict[str, tuple[list[SubgraphSource], str]] = {}
    subgraphs: list[SubgraphSource] = []
    header: list[str] = []
    body: list[str] = []

    def close_subgraph() -> None:
        if header:
            name, *options = header
            version = next((o[1:] for o in options if o.startswith("v")), "2.3")
            listed = next((o.removeprefix("imports:") for o in options if o.startswith("imports:")), None)
            imports = None if listed is None else [] if listed == "none" else listed.split(",")
            text = "\n".join(body) + "\n"
            if "fed1" in options or "as-written" in options:
                subgraphs.append(SubgraphSource(name, f"http://{name}.test/graphql", text))
            else:
                subgraphs.append(sub(name, text, version, imports))
        header.clear()
        body.clear()

    for line in path.read_text().splitlines():
        if line.startswith("# == "):
            close_subgraph()
            name, _, code = line[5:].partition(":")
            subgraphs = []
            cases[name.strip()] = (subgraphs, code.strip())
        elif line.startswith("# -- "):
            close_subgraph()
            header.extend(line[5:].split())
        elif header:
            body.append(line)
    close_subgraph()
    return cases


SUCCESSES = {name: subgraphs for name, (subgraphs, _) in read_cases(CASES / "successes.graphql").items()}
FAILURES = read_cases(CASES / "failures.graphql")
PRODUCTS, REVIEWS = SUCCESSES["single_key"]


def codes_of(subgraphs: list[SubgraphSource]) -> set[str]:
    with pytest.raises(CompositionError) as raised:
        compose(subgraphs)
    return {issue.code for issue in raised.value.issues}


@pytest.mark.parametrize("name", sorted(SUCCESSES))
def test_composes(name: str) -> None:
    supergraph = compose(SUCCESSES[name])
    assert join_facts(supergraph)  # parses, and has the join machinery


@pytest.mark.parametrize("name", sorted(FAILURES))
def test_rejects(name: str) -> None:
    subgraphs, code = FAILURES[name]
    assert code in codes_of(subgraphs)


# --- what the supergraph says, checked by hand on a few cases -------------------------------------------


def test_entity_fields_say_which_subgraph_resolves_them() -> None:
    facts = join_facts(compose([PRODUCTS, REVIEWS]))
    product = facts["Product"]
    assert product["types"] == {("products", "id", True, False), ("reviews", "id", True, False)}
    assert product["fields"]["id"][1] == [("products",), ("reviews",)]  # no join__field: every subgraph
    assert product["fields"]["name"][1] == [("products", False, None, None, None, False)]
    assert product["fields"]["reviews"][1] == [("reviews", False, None, None, None, False)]
    assert facts["Query"]["types"] == {("products", None, True, False), ("reviews", None, True, False)}


def test_graph_enum_names_are_sanitized() -> None:
    supergraph = compose(
        [
            sub("my-products", PRODUCTS.sdl.split("\n", 1)[1]),
            sub("2b", 'type Product @key(fields: "id") { id: ID! x: Int }'),
        ]
    )
    assert (
        'MY_PRODUCTS @join__graph(name: "my-products", url: "http://my-products.test/graphql")' in supergraph
    )
    assert '_2B @join__graph(name: "2b"' in supergraph


def test_requires_external_and_override_are_recorded() -> None:
    facts = join_facts(compose(SUCCESSES["requires_nested"]))
    assert facts["P"]["fields"]["dims"][1] == [
        ("a", False, None, None, None, False),
        ("b", True, None, None, None, False),
    ]
    assert facts["P"]["fields"]["ship"][1] == [("b", False, "dims { w h }", None, None, False)]
    facts = join_facts(compose(SUCCESSES["override"]))
    assert facts["Product"]["fields"]["price"][1] == [("pricing", False, None, None, "products", False)]
    facts = join_facts(compose(SUCCESSES["override_used"]))
    assert facts["T"]["fields"]["code"][1] == [
        ("a", False, None, None, None, True),
        ("b", False, None, None, "a", False),
    ]


def test_nullability_differences_take_the_general_type_and_record_each() -> None:
    supergraph = compose(SUCCESSES["nullability"])
    assert (
        'a: String @join__field(graph: A, type: "String!") @join__field(graph: B, type: "String")'
        in supergraph
    )
    assert "b: [Int]" in supergraph


def test_inputs_keep_common_fields_and_output_enums_all_values() -> None:
    facts = join_facts(compose(SUCCESSES["inputs_and_enums"]))
    assert set(facts["Filter"]["fields"]) == {"q"}
    assert set(facts["Order"]["values"]) == {"ASC", "DESC"}  # input enum: the intersection
    assert set(facts["Level"]["values"]) == {"LOW", "MID", "HIGH"}  # output enum: the union
    assert facts["Level"]["values"]["MID"] == ("b",)


def test_interface_object_fields_reach_the_implementations() -> None:
    supergraph = compose(SUCCESSES["interface_object"])
    facts = join_facts(supergraph)
    assert ("b", "id", True, True) in facts["Media"]["types"]
    assert facts["Book"]["fields"]["reviews"][1] == [("",)]
    assert "reviews: [String] @join__field\n" in supergraph


def test_inaccessible_and_tag_are_carried_with_their_links() -> None:
    supergraph = compose(SUCCESSES["inaccessible"])
    assert '@link(url: "https://specs.apollo.dev/inaccessible/v0.2", for: SECURITY)' in supergraph
    assert "x: Int @inaccessible" in supergraph
    assert "B @inaccessible @join__enumValue(graph: A)" in supergraph
    tagged = compose(SUCCESSES["tag"])
    assert '@link(url: "https://specs.apollo.dev/tag/v0.3")' in tagged
    assert '@tag(name: "entity")\n  @tag(name: "b")' in tagged  # repeatable: each distinct one once
    assert "inaccessible" not in tagged


def test_join_version_follows_the_newest_federation_version() -> None:
    assert "join/v0.3" in compose([PRODUCTS, REVIEWS])
    assert "join/v0.4" in compose(SUCCESSES["override_label"])
    assert "join/v0.5" in compose([sub("a", "type Query { x: Int }", version="2.11")])


def test_federation1_subgraphs_are_upgraded() -> None:
    facts = join_facts(compose(SUCCESSES["fed1_extend"]))
    # `extend type User` with @external key fields: an ordinary entity after the upgrade.
    assert facts["User"]["types"] == {("accounts", "id", True, False), ("reviews", "id", True, False)}
    assert facts["User"]["fields"]["name"][1] == [
        ("accounts", False, None, None, None, False),
        ("reviews", True, None, None, None, False),
    ]
    assert facts["Money"]["fields"]["amount"][1] == [("accounts",), ("reviews",)]  # a shared value type


def test_errors_name_subgraphs_and_what_to_fix() -> None:
    with pytest.raises(CompositionError) as raised:
        compose(FAILURES["invalid_field_sharing"][0])
    message = str(raised.value)
    assert '"Product.name"' in message and '"products"' in message and '"b"' in message
    assert "@shareable" in message


def test_all_issues_are_reported_at_once() -> None:
    body = """
        type Query { t: T }
        type T @key(fields: "nope") { id: ID! }
        type U @key(fields: "also") { id: ID! }
    """
    with pytest.raises(CompositionError) as raised:
        compose([sub("a", body)])
    assert [issue.code for issue in raised.value.issues] == ["KEY_INVALID_FIELDS", "KEY_INVALID_FIELDS"]
    assert "[a]" in str(raised.value) and '"nope"' in str(raised.value)


def test_registry_subgraph_composes() -> None:
    facts = join_facts(compose(REGISTRY))
    assert ("registry", "code", True, False) in facts["Standard"]["types"]
    assert "_Service" not in facts and "_entities" not in facts["Query"]["fields"]


# --- agreement with @apollo/composition --------------------------------------------------------------------


def _as_dicts(subgraphs: list[SubgraphSource]) -> list[dict[str, str]]:
    return [{"name": s.name, "url": s.url, "sdl": s.sdl} for s in subgraphs]


@pytest.fixture(scope="module")
def apollo() -> dict[str, dict[str, Any]]:
    """Apollo's composition of every case, computed once (one node process)."""
    require_oracle()
    cases = {f"ok:{k}": v for k, v in SUCCESSES.items()}
    cases |= {f"fail:{k}": v[0] for k, v in FAILURES.items()}
    cases["registry"] = REGISTRY
    cases["ours"] = OURS
    results = compose_many_with_apollo([_as_dicts(v) for v in cases.values()])
    return dict(zip(cases, results, strict=True))


@pytest.mark.parametrize("name", sorted(SUCCESSES))
def test_apollo_agrees_on_success(name: str, apollo: dict[str, dict[str, Any]]) -> None:
    theirs = apollo[f"ok:{name}"]
    assert "errors" not in theirs, theirs["errors"]
    assert join_facts(compose(SUCCESSES[name])) == join_facts(theirs["supergraphSdl"])


@pytest.mark.parametrize("name", sorted(FAILURES))
def test_apollo_agrees_on_failure(name: str, apollo: dict[str, dict[str, Any]]) -> None:
    subgraphs, _ = FAILURES[name]
    theirs = apollo[f"fail:{name}"]
    assert "errors" in theirs, "Apollo composed it"
    assert codes_of(subgraphs) == {e["code"] for e in theirs["errors"]}  # the same codes, not just `code`


def test_apollo_agrees_on_the_registry(apollo: dict[str, dict[str, Any]]) -> None:
    ours = compose(REGISTRY)
    assert join_facts(ours) == join_facts(apollo["registry"]["supergraphSdl"])


def test_apollo_agrees_on_all_our_subgraphs(apollo: dict[str, dict[str, Any]]) -> None:
    """Every field's owners and keys, over registry, credits and mapping together."""
    assert "errors" not in apollo["ours"], apollo["ours"]["errors"]
    assert join_facts(compose(OURS)) == join_facts(apollo["ours"]["supergraphSdl"])


def test_apollo_gateway_runs_our_supergraph() -> None:
    """Apollo's gateway accepts what we compose (it re-extracts each subgraph from the join directives)."""
    require_oracle()
    supergraph = compose(SUCCESSES["interface_object"])
    with apollo_gateway(supergraph) as url:
        response = httpx.post(url, json={"query": '{ __type(name: "Book") { fields { name } } }'}, timeout=10)
    names = {f["name"] for f in response.json()["data"]["__type"]["fields"]}
    assert names == {"id", "title", "reviews"}


# --- the comparison: join facts of a supergraph, whatever the printing order ------------------------------


def _args(directive: DirectiveNode) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for argument in directive.arguments or ():
        value = argument.value
        if isinstance(value, StringValueNode):
            values[argument.name.value] = " ".join(value.value.split())
        elif isinstance(value, BooleanValueNode | EnumValueNode):
            values[argument.name.value] = value.value
        else:
            values[argument.name.value] = print_ast(value)
    return values


def _applied(node: Any, name: str) -> list[dict[str, Any]]:
    return [_args(d) for d in node.directives or () if d.name.value == name]


def join_facts(sdl: str) -> dict[str, dict[str, Any]]:
    """Per type: its join__type set, implementations, members, enum values and, per field, its type and
    resolving graphs (a field without join__field is resolved by all of its type's graphs). Graphs are named
    by subgraph name, so the join__Graph enum's spelling does not matter."""
    document = parse(sdl)
    directives = {
        print_ast(d)
        for d in document.definitions
        if isinstance(d, DirectiveDefinitionNode) and not d.name.value.startswith(("join__", "link"))
    }
    graphs: dict[str, str] = {}
    for definition in document.definitions:
        if isinstance(definition, EnumTypeDefinitionNode) and definition.name.value == "join__Graph":
            for value in definition.values or ():
                graphs[value.name.value] = _applied(value, "join__graph")[0]["name"]
    facts: dict[str, dict[str, Any]] = {}
    for definition in document.definitions:
        if not isinstance(definition, TypeDefinitionNode):
            continue
        name = definition.name.value
        if name.startswith(("join__", "link__")):
            continue
        joins = _applied(definition, "join__type")
        type_graphs = sorted({graphs[j["graph"]] for j in joins})
        fields: dict[str, Any] = {}
        for field in getattr(definition, "fields", None) or ():
            field_joins = _applied(field, "join__field")
            if not field_joins:
                resolving: list[tuple[Any, ...]] = [(g,) for g in type_graphs]
            else:
                resolving = sorted(
                    (
                        graphs.get(j.get("graph", ""), ""),
                        *(
                            (
                                j.get("external", False),
                                j.get("requires"),
                                j.get("provides"),
                                j.get("override"),
                                j.get("usedOverridden", False),
                            )
                            if j.get("graph")
                            else ()
                        ),
                    )
                    for j in field_joins
                )
            fields[field.name.value] = (print_ast(field.type), resolving)
        facts[name] = {
            "types": {
                (
                    graphs[j["graph"]],
                    j.get("key"),
                    j.get("resolvable", True),
                    j.get("isInterfaceObject", False),
                )
                for j in joins
            },
            "implements": {
                (graphs[j["graph"]], j["interface"]) for j in _applied(definition, "join__implements")
            },
            "members": (
                {(graphs[j["graph"]], j["member"]) for j in _applied(definition, "join__unionMember")}
                if isinstance(definition, UnionTypeDefinitionNode)
                else set()
            ),
            "values": {
                v.name.value: tuple(sorted(graphs[j["graph"]] for j in _applied(v, "join__enumValue")))
                for v in getattr(definition, "values", None) or ()
            },
            "fields": fields,
        }
    facts["@directives"] = {"definitions": directives}
    return facts
