"""The ledger: idempotency, one deposit per certificate, the cap under concurrency, a killed transaction,
revocations, reversals, and rows that cannot be edited."""

from __future__ import annotations

import asyncio
from decimal import Decimal

import asyncpg
import pytest

from gateway.signing import Caller
from services.common.db import Database
from services.common.errors import Conflict, NotFound, QFError
from services.credits import ledger
from services.credits.registry_link import RegistryClient
from tests.conftest import GraphQLClient
from tests.credits.conftest import Campus, Issuer, approved_rule, make_campus, new_curp

DEPOSIT = """mutation ($folio: String!, $inst: ID!, $key: String!, $curp: String) {
  depositCertificate(folio: $folio, institutionId: $inst, idempotencyKey: $key, holderCurp: $curp) {
    replayed entry { id kind folio holderRef credits }
  }
}"""
APPLY = """mutation ($holder: String!, $program: ID!, $key: String!) {
  applyCredits(holderRef: $holder, programId: $program, idempotencyKey: $key) {
    appliedCredits totalApplied remainingCap replayed entries { id credits } lines { folio status credits }
  }
}"""
REVERSE = """mutation ($id: ID!, $reason: String!) {
  reverseLedgerEntry(id: $id, reason: $reason) { id kind credits reverses }
}"""
ACCOUNT = """query ($holder: String!, $inst: ID!) {
  creditAccount(holderRef: $holder, institutionId: $inst) {
    entries { id kind credits } banked { folio } balances { credits program { id } }
  }
}"""


def registrar(campus: Campus) -> Caller:
    return Caller(role="registrar", subject=f"{campus.institution}:ana", scope=campus.institution)


async def deposit(credits: GraphQLClient, campus: Campus, folio: str, key: str, curp: str) -> dict:
    variables = {"folio": folio, "inst": campus.institution, "key": key, "curp": curp}
    return (await credits.data(DEPOSIT, variables, **campus.registrar))["depositCertificate"]


async def test_the_same_key_returns_the_first_answer_and_other_arguments_conflict(
    credits: GraphQLClient, campus: Campus, issuer: Issuer
) -> None:
    folio, _ = await issuer.issue()
    other, _ = await issuer.issue()
    first = await deposit(credits, campus, folio, "key-1", issuer.curp_of(folio))
    again = await deposit(credits, campus, folio, "key-1", issuer.curp_of(folio))
    assert not first["replayed"] and again["replayed"] and again["entry"] == first["entry"]
    error = await credits.error(
        DEPOSIT,
        {"folio": other, "inst": campus.institution, "key": "key-1", "curp": issuer.curp_of(other)},
        **campus.registrar,
    )
    assert error["extensions"]["code"] == "CONFLICT" and "other arguments" in error["message"]
    twice = await credits.error(
        DEPOSIT,
        {"folio": folio, "inst": campus.institution, "key": "key-2", "curp": issuer.curp_of(folio)},
        **campus.registrar,
    )
    assert twice["extensions"]["code"] == "CONFLICT"
    assert twice["extensions"]["existingEntryId"] == first["entry"]["id"]


async def test_deposit_facts_come_from_the_registry(
    credits: GraphQLClient, campus: Campus, issuer: Issuer
) -> None:
    folio, holder = await issuer.issue("EC0631")
    entry = (await deposit(credits, campus, folio, "k", issuer.curp_of(folio)))["entry"]
    assert entry["holderRef"] == holder and entry["credits"] == 0
    missing = await credits.error(
        DEPOSIT,
        {"folio": "NO-SUCH-FOLIO", "inst": campus.institution, "key": "k2", "curp": new_curp()},
        **campus.registrar,
    )
    assert missing["extensions"]["code"] == "NOT_FOUND" and "registry" in missing["message"]


async def test_a_deposit_needs_the_holders_curp_and_a_guessed_folio_learns_nothing(
    credits: GraphQLClient, campus: Campus, issuer: Issuer, bank_registry_db: Database
) -> None:
    """Issue 13: a registrar depositing a guessed folio learnt who held it. A registrar's deposit now
    carries the CURP the learner hands over; a wrong one is refused exactly as a folio that does not
    exist is, and neither banks nor discloses anything."""
    folio, holder = await issuer.issue()

    def variables(folio: str, curp: str | None, key: str) -> dict[str, str | None]:
        return {"folio": folio, "inst": campus.institution, "key": key, "curp": curp}

    missing = await credits.error(DEPOSIT, variables(folio, None, "g-1"), **campus.registrar)
    assert missing["extensions"] == {"code": "BAD_USER_INPUT", "argument": "holderCurp"}
    malformed = await credits.error(DEPOSIT, variables(folio, "XAXX", "g-2"), **campus.registrar)
    assert malformed["extensions"] == {"code": "BAD_USER_INPUT", "argument": "holderCurp"}
    wrong = await credits.error(DEPOSIT, variables(folio, new_curp(), "g-3"), **campus.registrar)
    nowhere = await credits.error(
        DEPOSIT, variables("EC1121-2025-9999999", new_curp(), "g-4"), **campus.registrar
    )
    assert wrong["extensions"] == nowhere["extensions"] == {"code": "NOT_FOUND", "argument": "folio"}
    assert wrong["message"].replace(folio, "F") == nowhere["message"].replace("EC1121-2025-9999999", "F")
    assert holder not in str([missing, malformed, wrong])
    assert not await bank_registry_db.fetchval("SELECT true FROM disclosures WHERE holder_ref = $1", holder)
    account = {"holder": holder, "inst": campus.institution}
    assert (await credits.data(ACCOUNT, account, **campus.registrar))["creditAccount"]["entries"] == []

    # With the learner's CURP, as typed (lower case, spaces), the deposit goes through and discloses.
    curp = f"  {issuer.curp_of(folio).lower()} "
    entry = (await deposit(credits, campus, folio, "g-5", curp))["entry"]
    assert entry["holderRef"] == holder
    disclosed = await bank_registry_db.fetch(
        "SELECT institution_id FROM disclosures WHERE holder_ref = $1", holder
    )
    assert [r["institution_id"] for r in disclosed] == [campus.institution]


async def test_an_admin_deposits_without_the_curp(
    credits: GraphQLClient, campus: Campus, issuer: Issuer
) -> None:
    folio, holder = await issuer.issue()
    admin = {"role": "admin", "subject": "test:admin"}
    variables = {"folio": folio, "inst": campus.institution, "key": "adm-1", "curp": None}
    entry = (await credits.data(DEPOSIT, variables, **admin))["depositCertificate"]["entry"]
    assert entry["holderRef"] == holder and entry["folio"] == folio
    # A CURP an admin gives is checked all the same.
    other, _ = await issuer.issue()
    refused = await credits.error(
        DEPOSIT, {**variables, "folio": other, "key": "adm-2", "curp": new_curp()}, **admin
    )
    assert refused["extensions"]["code"] == "NOT_FOUND"


async def test_fifty_concurrent_deposits_of_one_certificate_leave_one(
    credits_db: Database, registry_client: RegistryClient, credits: GraphQLClient, issuer: Issuer
) -> None:
    campus = await make_campus(credits)
    folio, _ = await issuer.issue()
    caller = registrar(campus)

    async def attempt(i: int) -> object:
        key = "shared-key" if i % 2 else f"own-key-{i}"
        try:
            return await ledger.deposit_certificate(
                credits_db, registry_client, caller, folio, campus.institution, key, issuer.curp_of(folio)
            )
        except Conflict as exc:
            return exc

    results = await asyncio.gather(*(attempt(i) for i in range(50)))
    count = await credits_db.fetchval(
        "SELECT count(*) FROM ledger_entries WHERE folio = $1 AND kind = 'deposit'", folio
    )
    assert count == 1
    answers = [r for r in results if isinstance(r, dict)]
    conflicts = [r for r in results if isinstance(r, Conflict)]
    assert len(answers) + len(conflicts) == 50 and answers
    assert {tuple(a["entries"]) for a in answers} == {tuple(answers[0]["entries"])}  # one entry, every answer
    assert sum(not a["replayed"] for a in answers) == 1
    # The others were told which entry holds the certificate.
    (entry,) = answers[0]["entries"]
    assert {c.extensions["existingEntryId"] for c in conflicts} <= {str(entry)}


async def test_fifty_concurrent_applications_never_exceed_the_cap(
    credits_db: Database, registry_client: RegistryClient, credits: GraphQLClient, issuer: Issuer
) -> None:
    campus = await make_campus(credits, total=100, cap=20)
    codes = ["EC1121", "EC0631", "EC0011", "EC0076", "EC0305"]
    for code in codes:
        await approved_rule(credits, campus, versions=[code], credits=7)
    curp = new_curp()
    caller = registrar(campus)
    holder = ""
    for n, code in enumerate(codes):
        folio, holder = await issuer.issue(code, curp=curp)
        await ledger.deposit_certificate(
            credits_db, registry_client, caller, folio, campus.institution, f"d{n}", curp
        )

    results = await asyncio.gather(
        *(ledger.apply_credits(credits_db, caller, holder, campus.program, f"apply-{i}") for i in range(50))
    )
    applied = await credits_db.fetchval(
        "SELECT sum(credits) FROM ledger_entries WHERE holder_ref = $1 AND program_id = $2",
        holder,
        campus.program,
    )
    assert applied == Decimal(20)
    assert sum(Decimal(r["appliedNow"]) for r in results) == 20
    folios = await credits_db.fetch(
        "SELECT folio, count(*) FROM ledger_entries WHERE holder_ref = $1 AND kind = 'application' "
        "GROUP BY folio",
        holder,
    )
    assert all(row["count"] == 1 for row in folios) and len(folios) == 3  # 7 + 7 + 6 (capped)


async def test_a_transaction_killed_half_way_leaves_nothing(
    credits_db: Database,
    registry_client: RegistryClient,
    credits: GraphQLClient,
    issuer: Issuer,
    bank_url: str,
) -> None:
    """The application is killed after its key is claimed and its first entry written: no trace remains,
    and the same key then works."""
    campus = await make_campus(credits)
    await approved_rule(credits, campus, versions=["EC1121"], credits=5)
    await approved_rule(credits, campus, versions=["EC0631"], credits=5)
    curp = new_curp()
    caller = registrar(campus)
    holder = ""
    for n, code in enumerate(["EC1121", "EC0631"]):
        folio, holder = await issuer.issue(code, curp=curp)
        await ledger.deposit_certificate(
            credits_db, registry_client, caller, folio, campus.institution, f"d{n}", curp
        )
    before = await credits_db.fetchval("SELECT count(*) FROM ledger_entries WHERE holder_ref = $1", holder)

    admin = await asyncpg.connect(bank_url)
    trigger = f"stall_{campus.institution.replace('-', '_')}"
    try:
        # Stall inside the INSERT of application entries of this institution, once rows are written.
        await admin.execute(
            f"""CREATE FUNCTION credits.{trigger}() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN PERFORM pg_sleep(30); RETURN NULL; END $$;
                CREATE TRIGGER {trigger} AFTER INSERT ON credits.ledger_entries FOR EACH ROW
                WHEN (NEW.kind = 'application' AND NEW.institution_id = '{campus.institution}')
                EXECUTE FUNCTION credits.{trigger}();"""
        )
        task = asyncio.ensure_future(
            ledger.apply_credits(credits_db, caller, holder, campus.program, "killed")
        )
        pid = None
        for _ in range(200):
            pid = await admin.fetchval(
                "SELECT pid FROM pg_stat_activity WHERE query LIKE '%unnest%' AND wait_event = 'PgSleep'"
            )
            if pid:
                break
            await asyncio.sleep(0.05)
        assert pid, "the application never reached its stall point"
        assert await admin.fetchval("SELECT pg_terminate_backend($1)", pid)
        with pytest.raises((asyncpg.PostgresError, asyncpg.InterfaceError, ConnectionError, OSError)):
            await task
    finally:
        await admin.execute(f"DROP TRIGGER IF EXISTS {trigger} ON credits.ledger_entries")
        await admin.execute(f"DROP FUNCTION IF EXISTS credits.{trigger}()")
        await admin.close()

    after = await credits_db.fetchval("SELECT count(*) FROM ledger_entries WHERE holder_ref = $1", holder)
    assert after == before
    assert not await credits_db.fetchval(
        "SELECT true FROM idempotency_keys WHERE institution_id = $1 AND key = 'killed'", campus.institution
    )
    retried = await ledger.apply_credits(credits_db, caller, holder, campus.program, "killed")
    assert Decimal(retried["appliedNow"]) == 10 and not retried["replayed"]


async def test_a_revoked_certificate_cannot_be_deposited(
    credits: GraphQLClient, campus: Campus, issuer: Issuer
) -> None:
    folio, _ = await issuer.issue()
    await issuer.revoke(folio)
    error = await credits.error(
        DEPOSIT,
        {"folio": folio, "inst": campus.institution, "key": "r", "curp": issuer.curp_of(folio)},
        **campus.registrar,
    )
    assert error["extensions"]["code"] == "CONFLICT" and "revoked" in error["message"]


async def test_a_revocation_after_deposit_is_reversed_from_the_change_feed(
    credits_db: Database, registry_client: RegistryClient, credits: GraphQLClient, issuer: Issuer
) -> None:
    campus = await make_campus(credits)
    await approved_rule(credits, campus, versions=["EC1121"], credits=5)
    folio, holder = await issuer.issue()
    deposited = await deposit(credits, campus, folio, "d", issuer.curp_of(folio))
    applied = (
        await credits.data(
            APPLY, {"holder": holder, "program": campus.program, "key": "a"}, **campus.registrar
        )
    )["applyCredits"]
    assert applied["appliedCredits"] == 5
    await ledger.follow_registry(credits_db, registry_client)  # catch up with everything before
    await issuer.revoke(folio)
    assert await ledger.follow_registry(credits_db, registry_client) == 2  # the deposit and its application
    account = (
        await credits.data(ACCOUNT, {"holder": holder, "inst": campus.institution}, **campus.registrar)
    )["creditAccount"]
    assert [e["kind"] for e in account["entries"]] == ["DEPOSIT", "APPLICATION", "REVERSAL", "REVERSAL"]
    assert account["banked"] == [] and account["balances"][0]["credits"] == 0
    # Nothing was edited: the deposit is still there as it was posted.
    assert account["entries"][0]["id"] == deposited["entry"]["id"]
    # Reading the feed again posts nothing more, and the certificate cannot come back.
    assert await ledger.follow_registry(credits_db, registry_client) == 0
    other = await make_campus(credits)
    with pytest.raises(Conflict):
        await ledger.deposit_certificate(
            credits_db,
            registry_client,
            registrar(other),
            folio,
            other.institution,
            "x",
            issuer.curp_of(folio),
        )


async def test_reversal_of_an_application_frees_the_cap_and_is_idempotent(
    credits: GraphQLClient, campus: Campus, issuer: Issuer
) -> None:
    await approved_rule(credits, campus, versions=["EC1121"], credits=5)
    folio, holder = await issuer.issue()
    await deposit(credits, campus, folio, "d", issuer.curp_of(folio))
    applied = (
        await credits.data(
            APPLY, {"holder": holder, "program": campus.program, "key": "a"}, **campus.registrar
        )
    )["applyCredits"]
    entry = applied["entries"][0]["id"]
    reversal = (
        await credits.data(REVERSE, {"id": entry, "reason": "Applied by mistake"}, **campus.registrar)
    )["reverseLedgerEntry"]
    assert [(r["kind"], r["credits"], r["reverses"]) for r in reversal] == [("REVERSAL", -5, entry)]
    again = (await credits.data(REVERSE, {"id": entry, "reason": "twice"}, **campus.registrar))[
        "reverseLedgerEntry"
    ]
    assert again == reversal
    reapplied = (
        await credits.data(
            APPLY, {"holder": holder, "program": campus.program, "key": "a2"}, **campus.registrar
        )
    )["applyCredits"]
    assert reapplied["appliedCredits"] == 5 and reapplied["totalApplied"] == 5
    error = await credits.error(REVERSE, {"id": reversal[0]["id"], "reason": "x"}, **campus.registrar)
    assert error["extensions"]["code"] == "BAD_USER_INPUT"


async def test_ledger_rows_cannot_be_edited_or_deleted(credits_db: Database) -> None:
    for statement in ("UPDATE ledger_entries SET credits = 99", "DELETE FROM ledger_entries"):
        with pytest.raises(asyncpg.RaiseError, match="append-only"):
            await credits_db.execute(statement)


async def test_ledger_roles(credits: GraphQLClient, campus: Campus, issuer: Issuer) -> None:
    folio, holder = await issuer.issue()
    variables = {"folio": folio, "inst": campus.institution, "key": "k", "curp": issuer.curp_of(folio)}
    outsider = {"role": "registrar", "subject": "someone", "scope": "another-institution"}
    for who in ({"role": "public"}, outsider, {"role": "certifier", "subject": "c", "scope": "ECE-00009"}):
        assert (await credits.error(DEPOSIT, variables, **who))["extensions"]["code"] == "FORBIDDEN"
    await deposit(credits, campus, folio, "k", issuer.curp_of(folio))
    account = {"holder": holder, "inst": campus.institution}
    assert (await credits.error(ACCOUNT, account, **outsider))["extensions"]["code"] == "FORBIDDEN"
    assert (
        len((await credits.data(ACCOUNT, account, role="admin", subject="a"))["creditAccount"]["banked"]) == 1
    )


async def test_unknown_programme_and_bad_keys(credits: GraphQLClient, campus: Campus) -> None:
    unknown = await credits.error(
        APPLY, {"holder": "h", "program": "no-such", "key": "k"}, **campus.registrar
    )
    assert unknown["extensions"]["code"] == "NOT_FOUND"
    empty = await credits.error(
        APPLY, {"holder": "h", "program": campus.program, "key": "  "}, **campus.registrar
    )
    assert empty["extensions"]["code"] == "BAD_USER_INPUT"
    nobody = (
        await credits.data(APPLY, {"holder": "h", "program": campus.program, "key": "k"}, **campus.registrar)
    )["applyCredits"]
    assert nobody["appliedCredits"] == 0 and nobody["lines"] == []


async def test_registry_down_means_nothing_posted(
    credits_db: Database, credits: GraphQLClient, issuer: Issuer
) -> None:
    campus = await make_campus(credits)
    folio, _ = await issuer.issue()
    dead = RegistryClient("http://127.0.0.1:9/graphql", b"secret")
    try:
        with pytest.raises(QFError, match="nothing was posted"):
            await ledger.deposit_certificate(
                credits_db, dead, registrar(campus), folio, campus.institution, "k", issuer.curp_of(folio)
            )
    finally:
        await dead.close()
    assert not await credits_db.fetchval("SELECT true FROM ledger_entries WHERE folio = $1", folio)
    with pytest.raises(NotFound):
        await ledger.reverse_entry(credits_db, registrar(campus), 10**12, "x")


async def test_concurrent_verifications_share_one_registry_call(
    bank_registry_app: object, settings: object, issuer: Issuer
) -> None:
    import httpx

    calls = 0

    async def count(request: httpx.Request) -> None:
        nonlocal calls
        calls += 1

    http = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=bank_registry_app),
        event_hooks={"request": [count]},  # type: ignore[arg-type]
    )
    client = RegistryClient("http://registry/graphql", settings.require_secret(), http)  # type: ignore[attr-defined]
    try:
        folios = [(await issuer.issue())[0] for _ in range(10)]
        caller = Caller(role="registrar", subject="x", scope="some-institution")
        presented = [(f, issuer.curp_of(f)) for f in folios] + [("NO-SUCH", new_curp())]
        found = await asyncio.gather(*(client.certificate(f, caller, curp) for f, curp in presented))
    finally:
        await client.close()
    assert calls == 1
    assert [v.certificate.folio for v in found[:10] if v] == folios and found[10] is None


async def test_a_deposits_reversal_takes_its_applications_along_in_one_read(
    credits: GraphQLClient, campus: Campus, issuer: Issuer, credits_app: object
) -> None:
    await approved_rule(credits, campus, versions=["EC1121"], credits=5)
    folio, holder = await issuer.issue()
    deposited = (await deposit(credits, campus, folio, "d", issuer.curp_of(folio)))["entry"]["id"]
    await credits.data(APPLY, {"holder": holder, "program": campus.program, "key": "a"}, **campus.registrar)
    db = credits_app.state.db  # type: ignore[attr-defined]
    before = db.statements
    reversal = (
        await credits.data(REVERSE, {"id": deposited, "reason": "Deposited in error"}, **campus.registrar)
    )["reverseLedgerEntry"]
    assert [(r["kind"], r["credits"]) for r in reversal] == [("REVERSAL", 0), ("REVERSAL", -5)]
    assert db.statements - before == 2  # the entry, then both reversals together (posting runs uncounted)
    again = (await credits.data(REVERSE, {"id": deposited, "reason": "again"}, **campus.registrar))[
        "reverseLedgerEntry"
    ]
    assert again == reversal
