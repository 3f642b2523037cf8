"""Through the gateway: the credit bank joined to the registry and the crosswalk in one query.

The three real subgraphs run over HTTP in this process's threads, as `qf serve` runs them: the registry
and the credit bank on `bank_url` (both samples), the mapping subgraph on a database of its own with the
mapping sample, and our gateway composed from the live subgraphs, with API keys in `bank_url`'s
`gateway` schema. The credit bank's own line to the registry goes to the registry server started here.
"""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import date
from typing import Any

import httpx
import pytest

from gateway.apikeys import create_api_key
from gateway.composition import SubgraphSource, compose
from gateway.server import create_gateway_app
from gateway.sources import live_supergraph
from qf.database import migrate_gateway
from qf.settings import SystemSettings
from services.common.db import Database
from services.common.migrations import migrate_service
from services.credits.app import create_credits_app
from services.credits.registry_link import RegistryClient
from services.credits.sample import PROGRAMS
from services.credits.transcript import years_after
from services.mapping.app import create_mapping_app
from services.registry import rules as registry_rules
from services.registry.app import create_registry_app
from services.registry.sample import CERTIFICATES, SAMPLE_CURP
from tests.credits.conftest import make_bank
from tests.gateway.servers import serve

PROGRAM = "mx-ut-ejemplo-tsu-auto"

TRANSCRIPT = """query ($h: String!, $asOf: Date) {
  learner(holderRef: $h) {
    certificates { folio standardCode issuedOn standard { title } }
    creditTranscript(programId: "mx-ut-ejemplo-tsu-auto", asOf: $asOf) {
      recognizedCredits creditsStillNeeded capApplied capBasis totalCredits
      lines {
        folio standardCode status credits reason reasonEn exemptedCourses { code }
        certificate { issuedOn } rule { id credits }
      }
    }
  }
}"""

EQUIVALENCES = """query ($institution: ID) {
  standard(code: "EC1121") {
    title
    creditEquivalences(institutionId: $institution) {
      credits institution { id name creditSystem } program { id } exemptedCourses { code }
    }
    crosswalk(first: 2) { item { scheme code } }
  }
}"""


@pytest.fixture(scope="module")
async def bank_url(make_database: Callable[[], Any], settings: SystemSettings) -> str:
    """A registry and credit bank of this module's own: its tests deposit certificates and add an
    institution with a rule the registry does not know, which no other module should see."""
    return await make_bank(make_database, settings)


@pytest.fixture(scope="module")
async def mapping_url(make_database: Callable[[], Any]) -> str:
    """A database with the mapping sample, loaded as `qf serve` loads it (not the full official data)."""
    from services.mapping.sources.sample import sample_datasets, write_sample_agreement
    from services.mapping.store import write_dataset

    url = await make_database()
    await migrate_service(url, "mapping")
    db = await Database.connect(url, "mapping")
    try:
        async with db.pool.acquire() as conn:
            for dataset in sample_datasets():
                await write_dataset(conn, dataset)
            await write_sample_agreement(conn)
    finally:
        await db.close()
    return url


@pytest.fixture(scope="module")
async def keys(bank_url: str) -> dict[str, str]:
    """API keys in the gateway's own schema: an admin, a registrar of the programme's institution and
    one of another institution."""
    await migrate_gateway(bank_url)
    db = await Database.connect(bank_url, "gateway")
    try:
        return {
            "admin": await create_api_key(db, "admin", "credits gateway tests"),
            "registrar": await create_api_key(
                db, "registrar", "UT Ejemplo", scope="mx-ut-ejemplo", person="Registro UT"
            ),
            "outsider": await create_api_key(
                db, "registrar", "Sample CC", scope="us-cc-sample", person="Registro CC"
            ),
        }
    finally:
        await db.close()


@pytest.fixture(scope="module")
async def registry_link(registry_base: str, settings: SystemSettings) -> AsyncIterator[RegistryClient]:
    client = RegistryClient(f"{registry_base}/graphql", settings.require_secret())
    yield client
    await client.close()


@pytest.fixture(scope="module")
def registry_base(bank_url: str, settings: SystemSettings) -> Iterator[str]:
    with serve(create_registry_app(settings, bank_url)) as base:
        yield base


@pytest.fixture(scope="module")
def subgraph_urls(
    settings: SystemSettings,
    bank_url: str,
    mapping_url: str,
    registry_base: str,
    registry_link: RegistryClient,
) -> Iterator[dict[str, str]]:
    credits_app = create_credits_app(settings, bank_url, registry=registry_link, follow_feed=False)
    with serve(credits_app) as credits, serve(create_mapping_app(settings, mapping_url)) as mapping:
        yield {
            "registry": f"{registry_base}/graphql",
            "credits": f"{credits}/graphql",
            "mapping": f"{mapping}/graphql",
        }


@pytest.fixture(scope="module")
def gateway_base(
    settings: SystemSettings, bank_url: str, subgraph_urls: dict[str, str], keys: dict[str, str]
) -> Iterator[str]:
    secret = settings.require_secret()
    app = create_gateway_app(
        settings, live_supergraph(subgraph_urls, secret), database_url=bank_url, secret=secret
    )
    with serve(app) as base:
        yield base


@pytest.fixture(scope="module")
def holder(settings: SystemSettings) -> str:
    return registry_rules.holder_ref(settings.require_curp_salt(), SAMPLE_CURP)


async def post(
    url: str, query: str, variables: dict[str, Any] | None = None, key: str | None = None
) -> dict[str, Any]:
    headers = {"authorization": f"Bearer {key}"} if key else {}
    async with httpx.AsyncClient(timeout=30) as client:
        answer = await client.post(url, json={"query": query, "variables": variables}, headers=headers)
    assert answer.status_code == 200, answer.text
    return answer.json()


def issued(code: str) -> date:
    return next(on for standard, _, _, on, _ in CERTIFICATES if standard == code)


def max_age_years() -> int:
    return next(p[9] for p in PROGRAMS if p[0] == PROGRAM)


# --- acceptance 2a: a learner's certificates and their transcript, in one query ----------------------


DEPOSIT = """mutation ($folio: String!, $key: String!, $curp: String) {
  depositCertificate(folio: $folio, institutionId: "mx-ut-ejemplo", idempotencyKey: $key, holderCurp: $curp) {
    entry { id }
  }
}"""
CERTIFICATES_OF = "query ($h: String!) { learner(holderRef: $h) { certificates { folio } } }"


async def deposit_one_at_ut(gateway_base: str, keys: dict[str, str], holder: str) -> list[str]:
    """Deposits the learner's first certificate at mx-ut-ejemplo (once: the key makes it idempotent);
    returns the learner's folios, oldest first."""
    url = f"{gateway_base}/graphql"
    admin_view = await post(url, CERTIFICATES_OF, {"h": holder}, keys["admin"])
    folios = [c["folio"] for c in admin_view["data"]["learner"]["certificates"]]
    variables = {"folio": folios[0], "key": "privacy-1", "curp": SAMPLE_CURP}  # the learner hands both over
    deposited = await post(url, DEPOSIT, variables, keys["registrar"])
    assert "errors" not in deposited, deposited["errors"]
    return folios


async def test_a_registrar_sees_a_learners_certificates_once_one_is_deposited_there(
    gateway_base: str, keys: dict[str, str], holder: str, bank_url: str
) -> None:
    url = f"{gateway_base}/graphql"
    before = await post(url, CERTIFICATES_OF, {"h": holder}, keys["registrar"])
    assert before == {"data": {"learner": {"certificates": []}}}
    # The learner presents one certificate at the institution: the credit bank verifies it with the
    # registry, which records the disclosure; from then on its registrars see all three.
    folios = await deposit_one_at_ut(gateway_base, keys, holder)
    assert len(folios) == 3
    after = await post(url, CERTIFICATES_OF, {"h": holder}, keys["registrar"])
    assert [c["folio"] for c in after["data"]["learner"]["certificates"]] == folios
    # Another institution's registrar still sees none of them.
    outsider = await post(url, CERTIFICATES_OF, {"h": holder}, keys["outsider"])
    assert outsider == {"data": {"learner": {"certificates": []}}}
    registry = await Database.connect(bank_url, "registry")
    try:
        disclosed = await registry.fetch(
            "SELECT institution_id, folio FROM disclosures WHERE holder_ref = $1", holder
        )
    finally:
        await registry.close()
    assert [(r["institution_id"], r["folio"]) for r in disclosed] == [("mx-ut-ejemplo", folios[0])]


async def test_certificates_and_transcript_in_one_query(
    gateway_base: str, keys: dict[str, str], holder: str
) -> None:
    await deposit_one_at_ut(gateway_base, keys, holder)  # so the registrar may see them
    answer = await post(
        f"{gateway_base}/graphql", TRANSCRIPT, {"h": holder, "asOf": "2025-12-01"}, keys["registrar"]
    )
    assert "errors" not in answer, answer["errors"]
    learner = answer["data"]["learner"]
    # From the registry: the sample learner's three certificates, oldest first, with their standards.
    certificates = {c["standardCode"]: c for c in learner["certificates"]}
    assert set(certificates) == {"EC1121", "EC0631", "EC0217.01"}
    assert all(c["standard"]["title"] for c in learner["certificates"])
    assert [c["issuedOn"] for c in learner["certificates"]] == sorted(
        c["issuedOn"] for c in learner["certificates"]
    )
    # From the credit bank, computed from the registry's facts the gateway handed over (@requires).
    transcript = learner["creditTranscript"]
    lines = {line["standardCode"]: line for line in transcript["lines"]}
    assert [line["standardCode"] for line in transcript["lines"]] == ["EC0217.01", "EC1121", "EC0631"]
    expected = {  # code: (credits, exempted courses), from services/credits/sample.py
        "EC1121": (9, ["MA-101", "MA-102"]),
        "EC0631": (6, ["MA-104"]),
        "EC0217.01": (4, ["OPT-10"]),  # the institution-wide rule
    }
    for code, (credits, courses) in expected.items():
        line = lines[code]
        assert line["folio"] == certificates[code]["folio"]
        assert line["status"] == "RECOGNIZED", line
        assert line["credits"] == credits and line["rule"]["credits"] == credits
        assert [c["code"] for c in line["exemptedCourses"]] == courses
        # The line's certificate comes back from the registry through the gateway.
        assert line["certificate"] == {"issuedOn": certificates[code]["issuedOn"]}
        assert line["certificate"]["issuedOn"] == issued(code).isoformat()
        # Explained in both languages, naming the rule that decided it.
        assert line["reason"].startswith(f"Regla {line['rule']['id']}: {credits} créditos; convalida ")
        assert line["reasonEn"].startswith(f"Rule {line['rule']['id']}: {credits} credits; exempts ")
        assert line["reason"].endswith(".") and line["reasonEn"].endswith(".")
    assert len({line["rule"]["id"] for line in transcript["lines"]}) == 3
    assert transcript["recognizedCredits"] == 19
    assert transcript["totalCredits"] == 180 and transcript["creditsStillNeeded"] == 161
    # Cap 45 is below total less residency (180 - 90 = 90): the recognition cap applies.
    assert transcript["capApplied"] == 45 and transcript["capBasis"] == "RECOGNITION_CAP"

    # The same answer for an admin.
    as_admin = await post(
        f"{gateway_base}/graphql", TRANSCRIPT, {"h": holder, "asOf": "2025-12-01"}, keys["admin"]
    )
    assert as_admin == answer


@pytest.mark.parametrize(
    ("as_of", "too_old"),
    [
        # 2024-11-20 + 5 y = 2029-11-20 and 2025-03-14 + 5 y = 2030-03-14 are past; 2030-06-02 is not yet.
        ("2030-04-01", {"EC0217.01", "EC1121"}),
        # Every sample certificate is more than five years old.
        ("2031-06-01", {"EC0217.01", "EC1121", "EC0631"}),
    ],
)
async def test_certificates_older_than_the_programme_allows_earn_nothing(
    gateway_base: str, keys: dict[str, str], holder: str, as_of: str, too_old: set[str]
) -> None:
    age = max_age_years()
    assert age == 5
    day = date.fromisoformat(as_of)
    # The parameters agree with the sample's dates.
    assert too_old == {code for code, *_ in CERTIFICATES if years_after(issued(code), age) < day}
    answer = await post(f"{gateway_base}/graphql", TRANSCRIPT, {"h": holder, "asOf": as_of}, keys["admin"])
    assert "errors" not in answer, answer["errors"]
    transcript = answer["data"]["learner"]["creditTranscript"]
    lines = {line["standardCode"]: line for line in transcript["lines"]}
    assert set(lines) == {"EC1121", "EC0631", "EC0217.01"}
    for code, line in lines.items():
        if code in too_old:
            assert line["status"] == "CERTIFICATE_TOO_OLD", line
            assert line["credits"] == 0 and line["exemptedCourses"] == [] and line["rule"] is None
            on = issued(code).isoformat()
            assert line["reason"] == (
                f"El certificado se emitió el {on}; el programa acepta certificados de hasta {age} años "
                "de antigüedad."
            )
            assert line["reasonEn"] == (
                f"The certificate was issued on {on}; the programme accepts certificates up to {age} "
                "years old."
            )
        else:
            assert line["status"] == "RECOGNIZED" and line["credits"] == 6, line
    recognised = 0 if "EC0631" in too_old else 6
    assert transcript["recognizedCredits"] == recognised
    assert transcript["creditsStillNeeded"] == 180 - recognised


async def test_a_registrar_of_another_institution_is_refused_the_transcript(
    gateway_base: str, keys: dict[str, str], holder: str
) -> None:
    answer = await post(
        f"{gateway_base}/graphql", TRANSCRIPT, {"h": holder, "asOf": "2025-12-01"}, keys["outsider"]
    )
    [error] = answer["errors"]
    assert error["extensions"]["code"] == "FORBIDDEN"
    assert error["extensions"]["serviceName"] == "credits"
    assert error["path"] == ["learner", "creditTranscript"]
    assert "mx-ut-ejemplo" in error["message"]
    # creditTranscript is nullable (issue 13): the refusal costs that field, not the learner.
    assert answer["data"]["learner"]["creditTranscript"] is None


async def test_a_public_caller_is_refused_the_learner_by_the_registry(gateway_base: str, holder: str) -> None:
    answer = await post(f"{gateway_base}/graphql", TRANSCRIPT, {"h": holder, "asOf": "2025-12-01"})
    assert answer["data"] is None
    [error] = answer["errors"]
    assert error["extensions"]["code"] == "FORBIDDEN"
    assert error["extensions"]["serviceName"] == "registry"
    assert error["path"] == ["learner"]


# --- acceptance 2b: a standard's credit equivalences at several institutions, and its crosswalk ------


async def test_a_standards_credit_equivalences_and_crosswalk_in_one_query(gateway_base: str) -> None:
    answer = await post(f"{gateway_base}/graphql", EQUIVALENCES)  # anonymous
    assert "errors" not in answer, answer["errors"]
    standard = answer["data"]["standard"]
    assert standard["title"] == "Mantenimiento mecánico automotriz"  # registry
    # Other tests in this session may add rules of their own institutions: look for the sample's.
    rules = {r["institution"]["id"]: r for r in standard["creditEquivalences"]}  # credits
    assert rules["mx-ut-ejemplo"] == {
        "credits": 9,
        "institution": {
            "id": "mx-ut-ejemplo",
            "name": "Universidad Tecnológica de Ejemplo (ILUSTRATIVA)",
            "creditSystem": "SATCA",
        },
        "program": {"id": "mx-ut-ejemplo-tsu-auto"},
        "exemptedCourses": [{"code": "MA-101"}, {"code": "MA-102"}],
    }
    assert rules["us-cc-sample"]["credits"] == 4
    assert rules["us-cc-sample"]["institution"]["creditSystem"] == "US_SEMESTER"
    assert rules["us-cc-sample"]["program"] == {"id": "us-cc-sample-aas-auto"}
    assert rules["us-cc-sample"]["exemptedCourses"] == [{"code": "AUTO 110"}]
    assert rules["uk-fe-sample"]["credits"] == 30
    assert rules["uk-fe-sample"]["institution"]["creditSystem"] == "UK_CREDIT"
    assert rules["uk-fe-sample"]["exemptedCourses"] == [{"code": "LVM-301"}]
    sample = [r for r in standard["creditEquivalences"] if r["institution"]["id"] in rules]
    assert len(sample) == len(standard["creditEquivalences"])  # one rule per institution
    # The crosswalk (mapping) answers in the same query: EC1121's sector and level in the mapping sample.
    walked = [r["item"] for r in standard["crosswalk"]]
    assert len(walked) == 2
    assert {"scheme": "SCIAN_2023", "code": "81"} in walked or {
        "scheme": "CONOCER_LEVEL",
        "code": "2",
    } in walked, walked


async def test_equivalences_filtered_to_one_institution(gateway_base: str) -> None:
    answer = await post(f"{gateway_base}/graphql", EQUIVALENCES, {"institution": "us-cc-sample"})
    assert "errors" not in answer, answer["errors"]
    [rule] = answer["data"]["standard"]["creditEquivalences"]
    assert rule["institution"]["id"] == "us-cc-sample" and rule["credits"] == 4
    assert answer["data"]["standard"]["crosswalk"]


# --- the same operations through @apollo/gateway --------------------------------------------------------


@pytest.fixture(scope="module")
def apollo_url(subgraph_urls: dict[str, str], settings: SystemSettings) -> Iterator[str]:
    """@apollo/gateway over the supergraph our composition makes of the same live subgraphs.

    The oracle signs every subgraph request as the `public` role (tests/oracle/gateway.mjs), so only
    anonymous calls can be compared: the transcript is compared as the refusal both must give.
    """
    from services.credits.schema import schema as credits_schema
    from services.mapping.schema import schema as mapping_schema
    from services.registry.schema import schema as registry_schema
    from tests.oracle.oracle import apollo_gateway, require_oracle

    require_oracle()
    schemas = {"registry": registry_schema, "credits": credits_schema, "mapping": mapping_schema}
    sdl = compose([SubgraphSource(name, url, schemas[name].as_str()) for name, url in subgraph_urls.items()])
    with apollo_gateway(sdl, settings.require_secret().decode()) as url:
        yield url


@pytest.mark.parametrize(
    ("query", "variables"),
    [
        (EQUIVALENCES, None),
        (EQUIVALENCES, {"institution": "uk-fe-sample"}),
        (TRANSCRIPT, {"asOf": "2025-12-01"}),
    ],
    ids=["equivalences", "equivalences_one_institution", "transcript_refused"],
)
async def test_same_data_as_apollo(
    gateway_base: str, apollo_url: str, holder: str, query: str, variables: dict | None
) -> None:
    if variables is not None and "asOf" in variables:
        variables = {**variables, "h": holder}
    ours = await post(f"{gateway_base}/graphql", query, variables)
    apollo = await post(apollo_url, query, variables)
    assert ours.get("data") == apollo.get("data"), f"\n ours:   {ours}\n apollo: {apollo}"
    codes = [(e.get("path"), e["extensions"]["code"]) for e in ours.get("errors", [])]
    assert codes == [(e.get("path"), e["extensions"]["code"]) for e in apollo.get("errors", [])]


# --- a rule for a standard the registry does not know: the nulls come with their errors -------------

UNKNOWN_STANDARD = "EC9999"

RULES_WITH_TITLES = """query ($i: ID) {
  equivalenceRules(filter: {institutionId: $i}) {
    totalCount
    edges { node { id credits standard { code title } } }
  }
  convertCredits(value: 9, from: SATCA, to: ECTS) { value }
}"""


@pytest.fixture(scope="module")
async def orphan_rules(bank_url: str) -> AsyncIterator[tuple[str, list[str]]]:
    """An institution with an approved rule for EC1121 and a later one for EC9999, which the registry
    does not know: (institution, rule ids newest first, as equivalenceRules lists them). Inserted with
    SQL, as the API will refuse such a rule, into this module's own bank."""
    institution = f"inst-orphan-{secrets.token_hex(4)}"
    db = await Database.connect(bank_url, "credits")
    try:
        await db.execute(
            "INSERT INTO institutions (id, name_es, country, credit_system) VALUES ($1, $2, 'MX', 'SATCA')",
            institution,
            "Institución de prueba (regla huérfana)",
        )
        insert = (
            "INSERT INTO equivalence_rules (institution_id, base_code, versions, credits, credit_level,"
            " valid_from, status, evidence, proposed_by, approved_by, approved_on) VALUES ($1, $2,"
            " ARRAY[$2], 6, 'VOCATIONAL', '2020-01-01', 'approved', 'Test.', 'test:ana', 'test:beto',"
            " '2020-01-02') RETURNING id"
        )
        ids = [str(await db.fetchval(insert, institution, code)) for code in ("EC1121", UNKNOWN_STANDARD)]
        yield institution, ids[::-1]
    finally:
        await db.close()


async def test_a_rule_for_an_unknown_standard_is_an_error_at_its_path_not_a_silent_null(
    gateway_base: str, orphan_rules: tuple[str, list[str]]
) -> None:
    institution, ids = orphan_rules
    # Without the registry's fields, both rules come back: the credit bank knows the code.
    listed = await post(
        f"{gateway_base}/graphql",
        "query ($i: ID) { equivalenceRules(filter: {institutionId: $i}) { nodes { id standard { code } } } }",
        {"i": institution},
    )
    assert "errors" not in listed, listed
    assert listed["data"]["equivalenceRules"]["nodes"] == [
        {"id": ids[0], "standard": {"code": UNKNOWN_STANDARD}},
        {"id": ids[1], "standard": {"code": "EC1121"}},
    ]

    answer = await post(f"{gateway_base}/graphql", RULES_WITH_TITLES, {"i": institution})
    # The registry answers null for EC9999, whose title is non-null; every field up to the root is
    # non-null too (edge, node, standard, the connection), so the null reaches `data`: the sibling
    # convertCredits goes with it. But never silently: the error is at the null's path.
    assert answer["data"] is None
    assert answer["errors"] == [
        {
            "message": "Cannot return null for non-nullable field Standard.title.",
            "path": ["equivalenceRules", "edges", 0, "node", "standard", "title"],
            "extensions": {"code": "INVALID_GRAPHQL"},
        }
    ]

    # A nullable field of the unknown standard is just null, so both rules and the sibling come back.
    nullable = RULES_WITH_TITLES.replace("standard { code title }", "standard { code titleEn }")
    answer = await post(f"{gateway_base}/graphql", nullable, {"i": institution})
    assert "errors" not in answer, answer
    nodes = [edge["node"] for edge in answer["data"]["equivalenceRules"]["edges"]]
    assert [(n["id"], n["standard"]["code"]) for n in nodes] == [
        (ids[0], UNKNOWN_STANDARD),
        (ids[1], "EC1121"),
    ]
    assert nodes[0]["standard"]["titleEn"] is None
    assert answer["data"]["equivalenceRules"]["totalCount"] == 2
    assert answer["data"]["convertCredits"]["value"] > 0


async def test_the_unknown_standards_null_as_apollo_has_it(
    gateway_base: str, apollo_url: str, orphan_rules: tuple[str, list[str]]
) -> None:
    institution, _ = orphan_rules
    ours = await post(f"{gateway_base}/graphql", RULES_WITH_TITLES, {"i": institution})
    apollo = await post(apollo_url, RULES_WITH_TITLES, {"i": institution})
    assert ours["data"] == apollo["data"] is None
    # @apollo/gateway keeps the same error in extensions.valueCompletion, and no error at all.
    assert "errors" not in apollo
    completion = apollo["extensions"]["valueCompletion"]
    assert [(e["path"], e["message"]) for e in ours["errors"]] == [
        (e["path"], e["message"]) for e in completion
    ]
