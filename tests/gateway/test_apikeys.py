"""API keys (gateway/apikeys.py): hashed at rest, mapped to a caller, revocable, cached briefly; and
the `qf apikey` commands, against a fresh database of the test server."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Callable
from typing import Any

import asyncpg
import pytest

from gateway.apikeys import (
    MIGRATIONS,
    AnonymousOnly,
    ApiKeyAuthenticator,
    Unauthenticated,
    create_api_key,
    list_api_keys,
    revoke_api_key,
    set_api_key_person,
)
from gateway.signing import ROLES
from qf.database import migrate_gateway
from qf.settings import get_settings
from services.common.db import Database
from services.common.migrations import migrations_in

KEY = re.compile(r"qf_[0-9a-f]{12}_[A-Za-z0-9_-]{43}")


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def gateway_url(make_database: Callable[[], Any]) -> str:
    url: str = await make_database()
    await migrate_gateway(url)
    return url


@pytest.fixture
async def db(gateway_url: str) -> AsyncIterator[Database]:
    database = await Database.connect(gateway_url, "gateway")
    yield database
    await database.close()


def key_id(key: str) -> str:
    return key.split("_")[1]


async def refused(auth: Any, header: str | None) -> Unauthenticated:
    with pytest.raises(Unauthenticated) as caught:
        await auth.authenticate(header)
    assert caught.value.code == "UNAUTHENTICATED"
    return caught.value


async def test_gateway_migrations_are_found_and_apply_once(gateway_url: str) -> None:
    assert [m.version for m in migrations_in(MIGRATIONS)] == ["001_apikeys", "002_key_people"]
    assert await migrate_gateway(gateway_url) == []


async def test_the_table_accepts_exactly_the_roles_of_the_signature(db: Database) -> None:
    definition = await db.fetchval(
        """SELECT pg_get_constraintdef(oid) FROM pg_constraint
           WHERE conrelid = 'gateway.api_keys'::regclass AND pg_get_constraintdef(oid) LIKE '%role%'"""
    )
    assert set(re.findall(r"'(\w+)'", definition)) == set(ROLES)


async def test_the_secret_is_stored_only_as_its_sha256(db: Database) -> None:
    key = await create_api_key(db, "taskforce", "Automotive task force")
    assert KEY.fullmatch(key)
    row = await db.fetchrow("SELECT * FROM gateway.api_keys WHERE id = $1", key_id(key))
    secret = key.split("_", 2)[2]
    assert secret not in "|".join(str(v) for v in row.values())
    assert re.fullmatch(r"[0-9a-f]{64}", row["secret_hash"])
    assert (row["role"], row["scope"], row["name"]) == ("taskforce", None, "Automotive task force")


async def test_a_valid_key_becomes_its_caller(db: Database) -> None:
    key = await create_api_key(db, "certifier", "ECE Norte", scope="ECE-001-21", person="Lucía  Ortega ")
    auth = ApiKeyAuthenticator(db)
    first = await auth.authenticate(f"Bearer {key}")
    assert (first.role, first.subject, first.scope) == ("certifier", f"apikey:{key_id(key)}", "ECE-001-21")
    assert first.person == "Lucía Ortega"
    second = await auth.authenticate(f"bearer   {key}  ")
    assert second.request_id != first.request_id


@pytest.mark.parametrize("header", [None, "", "   "])
async def test_no_key_is_the_public(db: Database, header: str | None) -> None:
    caller = await ApiKeyAuthenticator(db).authenticate(header)
    assert (caller.role, caller.subject, caller.scope) == ("public", None, None)


@pytest.mark.parametrize(
    ("header", "says"),
    [
        ("Basic dXNlcjpwYXNz", "Bearer <key>"),
        ("Bearer", "Bearer <key>"),
        ("Bearer not-a-key", "not a qf API key"),
        ("Bearer qf_0123456789ab", "not a qf API key"),
        ("Bearer qf_0123456789ab_short", "not a qf API key"),
        ("Bearer qf_XYZ456789abc_" + "a" * 43, "not a qf API key"),
    ],
)
async def test_malformed_headers_are_refused_plainly(db: Database, header: str, says: str) -> None:
    statements = db.statements
    error = await refused(ApiKeyAuthenticator(db), header)
    assert says in error.message
    assert db.statements == statements  # decided without asking Postgres


async def test_unknown_keys_and_wrong_secrets_are_refused_alike(db: Database) -> None:
    key = await create_api_key(db, "admin", "Operator")
    auth = ApiKeyAuthenticator(db)
    unknown = await refused(auth, "Bearer qf_0123456789ab_" + "A" * 43)
    wrong = await refused(auth, f"Bearer qf_{key_id(key)}_" + "A" * 43)
    assert unknown.message == wrong.message
    assert "Unknown API key" in wrong.message


async def test_a_revoked_key_is_refused_and_says_so(db: Database) -> None:
    key = await create_api_key(db, "taskforce", "US liaison")
    assert await revoke_api_key(db, key_id(key)) is True
    assert await revoke_api_key(db, key_id(key)) is False  # already revoked
    assert await revoke_api_key(db, "0123456789ab") is False  # no such key
    error = await refused(ApiKeyAuthenticator(db), f"Bearer {key}")
    assert "revoked" in error.message and key_id(key) in error.message


async def test_the_cache_spares_postgres(db: Database) -> None:
    key = await create_api_key(db, "registrar", "UNAM", scope="INST-UNAM", person="Ana Registro")
    clock = Clock()
    auth = ApiKeyAuthenticator(db, cache_seconds=30, clock=clock)
    await auth.authenticate(f"Bearer {key}")
    statements = db.statements
    for _ in range(20):
        assert (await auth.authenticate(f"Bearer {key}")).role == "registrar"
    assert db.statements == statements + 1  # one look for revoked keys in this second, however many calls
    clock.now += 0.5
    await auth.authenticate(f"Bearer {key}")
    assert db.statements == statements + 1
    clock.now += 0.6
    await auth.authenticate(f"Bearer {key}")
    assert db.statements == statements + 2


async def test_a_revocation_by_another_process_lands_within_a_second(gateway_url: str, db: Database) -> None:
    """`qf apikey revoke` runs in its own process, with its own connection: no cache of ours hears of it."""
    key = await create_api_key(db, "registrar", "UNAM", scope="INST-UNAM", person="Ana Registro")
    other = await create_api_key(db, "admin", "Operator")
    clock = Clock()
    auth = ApiKeyAuthenticator(db, cache_seconds=30, clock=clock)
    await auth.authenticate(f"Bearer {key}")
    await auth.authenticate(f"Bearer {other}")

    elsewhere = await asyncpg.connect(gateway_url)
    try:
        await elsewhere.execute(
            "UPDATE gateway.api_keys SET revoked_at = now() WHERE id = $1", key_id(key)
        )
    finally:
        await elsewhere.close()
    clock.now += 1.01
    error = await refused(auth, f"Bearer {key}")
    assert "revoked" in error.message
    assert (await auth.authenticate(f"Bearer {other}")).role == "admin"  # the others stay cached
    clock.now += 29  # and the revoked one stays refused when its cache entry is read again
    await refused(auth, f"Bearer {key}")


async def test_a_revocation_in_this_process_applies_on_the_next_request(db: Database) -> None:
    key = await create_api_key(db, "taskforce", "Task force", "MX")
    clock = Clock()
    auth = ApiKeyAuthenticator(db, clock=clock)
    await auth.authenticate(f"Bearer {key}")
    await auth.authenticate(f"Bearer {key}")  # the revocation check of this second is spent
    assert await revoke_api_key(db, key_id(key))
    await refused(auth, f"Bearer {key}")


async def test_forget_applies_a_local_revocation_at_once(db: Database) -> None:
    key = await create_api_key(db, "admin", "Operator")
    auth = ApiKeyAuthenticator(db)
    await auth.authenticate(f"Bearer {key}")
    await revoke_api_key(db, key_id(key))
    auth.forget(key_id(key))
    await refused(auth, f"Bearer {key}")


async def test_unknown_ids_are_cached_too_and_the_cache_is_bounded(db: Database) -> None:
    auth = ApiKeyAuthenticator(db, max_entries=3)
    unknown = "Bearer qf_0123456789ab_" + "A" * 43
    await refused(auth, unknown)
    statements = db.statements
    await refused(auth, unknown)
    assert db.statements == statements
    for n in range(5):
        await refused(auth, f"Bearer qf_{n:012x}_" + "A" * 43)
    assert len(auth._cache) == 3


async def test_last_used_is_recorded_on_success_only(db: Database) -> None:
    key = await create_api_key(db, "taskforce", "Task force")
    await refused(ApiKeyAuthenticator(db), f"Bearer qf_{key_id(key)}_" + "A" * 43)
    assert [k.last_used_at for k in await list_api_keys(db)] == [None]
    await ApiKeyAuthenticator(db).authenticate(f"Bearer {key}")
    assert [k.last_used_at is not None for k in await list_api_keys(db)] == [True]


async def test_creation_checks_role_name_and_scope(db: Database) -> None:
    with pytest.raises(ValueError, match="unknown role"):
        await create_api_key(db, "root", "Someone")
    with pytest.raises(ValueError, match="name"):
        await create_api_key(db, "admin", "  ")
    for role in ("registrar", "committee", "certifier"):
        with pytest.raises(ValueError, match="scope"):
            await create_api_key(db, role, "Somebody", scope=" ", person="Ana")
        with pytest.raises(ValueError, match="named person"):
            await create_api_key(db, role, "Somebody", scope="B1", person="  ")
    assert await list_api_keys(db) == []


async def test_an_existing_key_without_a_person_works_until_named(db: Database) -> None:
    """Keys made before people were recorded keep working, with no person, until one is set."""
    key = await create_api_key(db, "certifier", "ECE Sur", scope="B1", person="Temporal")
    await db.execute("UPDATE gateway.api_keys SET person = NULL WHERE id = $1", key_id(key))
    auth = ApiKeyAuthenticator(db)
    assert (await auth.authenticate(f"Bearer {key}")).person is None
    assert await set_api_key_person(db, key_id(key), "Marta Certificadora") is True
    assert (await auth.authenticate(f"Bearer {key}")).person == "Marta Certificadora"
    assert await set_api_key_person(db, "0123456789ab", "Nadie") is False
    with pytest.raises(ValueError, match="name"):
        await set_api_key_person(db, key_id(key), " ")


async def test_listing_shows_every_key_without_secrets(db: Database) -> None:
    active = await create_api_key(db, "committee", "Automotive committee", scope="CGC-AUTO", person="Pedro")
    revoked = await create_api_key(db, "public", "Portal")
    await revoke_api_key(db, key_id(revoked))
    keys = await list_api_keys(db)
    assert [(k.id, k.role, k.scope, k.revoked_at is None) for k in keys] == [
        (key_id(active), "committee", "CGC-AUTO", True),
        (key_id(revoked), "public", None, False),
    ]
    assert not hasattr(keys[0], "secret_hash")


async def test_anonymous_only_refuses_every_key() -> None:
    auth = AnonymousOnly()
    assert (await auth.authenticate(None)).role == "public"
    error = await refused(auth, "Bearer qf_0123456789ab_" + "A" * 43)
    assert "without an API key store" in error.message


# The `qf apikey` commands, in a thread: `main` runs its own event loop.


@pytest.fixture
def cli(make_database: Callable[[], Any], monkeypatch: pytest.MonkeyPatch) -> Any:
    from qf.cli import main

    async def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
        code = await asyncio.to_thread(main, list(argv))
        out, err = capsys.readouterr()
        return code, out, err

    async def setup() -> Any:
        from qf.database import migrate_all

        url = await make_database()
        # Scopes are checked against the registry's bodies and the credit bank's institutions.
        await migrate_all(url)
        conn = await asyncpg.connect(url)
        try:
            await conn.execute(
                "INSERT INTO registry.certification_bodies (id, name) VALUES ('B1', 'ECE Sur')"
            )
        finally:
            await conn.close()
        monkeypatch.setenv("QF_DATABASE_URL", url)
        get_settings.cache_clear()
        return run

    yield setup
    get_settings.cache_clear()


async def test_qf_apikey_create_list_revoke(cli: Any, capsys: pytest.CaptureFixture[str]) -> None:
    run = await cli()
    code, out, err = await run(capsys, "apikey", "list")
    assert code == 0 and "no API keys yet" in out

    create = ("apikey", "create", "--role", "certifier", "--name", "ECE Sur", "--scope", "B1")
    code, out, err = await run(capsys, *create)
    assert code == 2 and out == "" and "person" in err  # a body's key belongs to a named person
    code, out, err = await run(capsys, *create, "--person", "Marta Certificadora")
    assert code == 0
    key = out.strip()
    assert KEY.fullmatch(key), out
    assert "will not be shown again" in err

    code, out, _ = await run(capsys, "apikey", "list")
    assert code == 0
    assert key_id(key) in out and "certifier" in out and "ECE Sur" in out and "active" in out
    assert "Marta Certificadora" in out
    assert key.split("_", 2)[2] not in out

    code, out, _ = await run(capsys, "apikey", "set-person", key_id(key), "--person", "Marta  Ruiz")
    assert code == 0 and "Marta Ruiz" in out
    code, out, _ = await run(capsys, "apikey", "list")
    assert "Marta Ruiz" in out

    code, out, _ = await run(capsys, "apikey", "revoke", key_id(key))
    assert code == 0 and "revoked" in out
    code, _, err = await run(capsys, "apikey", "revoke", key_id(key))
    assert code == 1 and "no active API key" in err
    code, out, _ = await run(capsys, "apikey", "list")
    assert "revoked" in out


async def test_qf_apikey_create_refuses_a_scoped_role_without_scope(
    cli: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    run = await cli()
    code, out, err = await run(capsys, "apikey", "create", "--role", "registrar", "--name", "UNAM")
    assert code == 2 and out == "" and "scope" in err


@pytest.mark.parametrize(
    ("role", "scope", "says"),
    [
        ("certifier", "ECE-NOPE", "no certification body 'ECE-NOPE'"),
        ("committee", "B1", "no committee 'B1'"),
        ("registrar", "INST-NOPE", "no institution 'INST-NOPE'"),
        ("taskforce", "CA", "MX or US"),
        ("admin", "B1", "leave out --scope"),
    ],
)
async def test_qf_apikey_create_refuses_a_scope_that_does_not_exist(
    cli: Any, capsys: pytest.CaptureFixture[str], role: str, scope: str, says: str
) -> None:
    run = await cli()
    argv = ("apikey", "create", "--role", role, "--name", "Someone", "--scope", scope, "--person", "Ana")
    code, out, err = await run(capsys, *argv)
    assert code == 2 and out == "", out
    assert says in err, err
    code, out, _ = await run(capsys, "apikey", "list")
    assert "no API keys yet" in out


async def test_qf_migrate_includes_the_gateway(make_database: Callable[[], Any]) -> None:
    from qf.database import migrate_all

    url = await make_database()
    await migrate_all(url)
    database = await Database.connect(url, "gateway")
    try:
        assert await database.fetchval("SELECT to_regclass('gateway.api_keys') IS NOT NULL")
        assert await database.fetchval("SELECT to_regclass('registry.standards') IS NOT NULL")
    finally:
        await database.close()
