"""`qf`: the operators' command line (DESIGN.md section 5)."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import json
import logging
import secrets
import signal
import sys
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import uvicorn
import uvloop
from pydantic import SecretStr, ValidationError
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from gateway.sources import SupergraphLoader, file_supergraph, live_supergraph
from services.common.db import Database, resolve_database_url
from services.common.migrations import migrate_service
from services.common.settings import SERVICES, Settings, get_settings
from services.common.signing import ROLES
from services.mapping.datasets import DATASETS, FOLDERS
from services.registry.importer import RenecImportError

log = logging.getLogger("qf")

# Services that exist so far; the others join as they are built.
AVAILABLE = tuple(s for s in SERVICES if (Path(__file__).parent / s / "migrations").is_dir())
SCHEMA_DIR = Path(__file__).resolve().parent.parent / "schema"
PORTAL_DIR = Path(__file__).resolve().parent.parent / "portal"


def with_local_secrets(settings: Settings) -> Settings:
    """For `qf serve` on one machine: make the shared secrets once and keep them in the data folder.

    The CURP salt must outlive restarts (it keys every holder reference), so it is written down
    rather than drawn afresh. Production sets both variables instead.
    """
    if settings.internal_secret and settings.curp_salt:
        return settings
    path = settings.data_dir / "secrets.json"
    stored: dict[str, str] = json.loads(path.read_text()) if path.exists() else {}
    for name in ("internal_secret", "curp_salt"):
        stored.setdefault(name, secrets.token_urlsafe(32))
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(stored))
    path.chmod(0o600)
    updates = {k: SecretStr(v) for k, v in stored.items() if getattr(settings, k) is None}
    return settings.model_copy(update=updates)


async def migrate_all(url: str) -> None:
    # The gateway's API keys live in Postgres too, in the "gateway" schema.
    for service in (*AVAILABLE, "gateway"):
        applied = await migrate_service(url, service)
        log.info("%s: %s", service, f"applied {', '.join(applied)}" if applied else "up to date")


async def load_data(url: str, settings: Settings, data_dir: Path | None, sample: bool = False) -> None:
    """The official files under `data_dir`, and the hand-written sample: by itself only into a database
    that holds nothing else, next to other data only when asked (`sample`)."""
    from services.credits import sample as credits_sample
    from services.mapping.importer import import_all
    from services.mapping.sources import sample as mapping_sample
    from services.mapping.store import write_dataset
    from services.registry import sample as registry_sample
    from services.registry.importer import import_renec

    registry = await Database.connect(url, "registry")
    mapping = await Database.connect(url, "mapping")
    credits = await Database.connect(url, "credits")
    try:
        if data_dir is not None:
            print((await import_renec(registry, data_dir / "conocer_renec_avala")).render())
            async with mapping.pool.acquire() as conn:
                for summary in await import_all(conn, data_dir):
                    print(summary.render())
        elif not sample:
            async with mapping.pool.acquire() as conn:
                held = {
                    "registry": await registry_sample.holds_other_data(registry),
                    "crosswalk": await mapping_sample.holds_other_data(conn),
                    "credit bank": await credits_sample.holds_other_data(credits),
                }
            if any(held.values()):
                names = ", ".join(name for name, has in held.items() if has)
                print(f"the database holds data of its own ({names}): the sample is not loaded "
                      "(`qf serve --sample` adds it)", flush=True)
                return
            sample = True
        if not sample:
            return
        await credits_sample.load_sample(credits)
        await registry_sample.load_sample(registry, settings.require_curp_salt())
        async with mapping.pool.acquire() as conn:
            # The crosswalk's sample is a hand copy of official rows: it never overwrites the real ones.
            if not await mapping_sample.holds_other_data(conn):
                for dataset in mapping_sample.sample_datasets():
                    await write_dataset(conn, dataset)
                await mapping_sample.write_sample_agreement(conn)
    finally:
        await registry.close()
        await mapping.close()
        await credits.close()


class _Server(uvicorn.Server):
    # Several servers share one process; `serve_all` handles the signals for all of them.
    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


class _Unlogged(HttpToolsProtocol):
    """HTTP without access-log lines: uvicorn's access logger is one for every server in the process,
    so a subgraph's (the gateway's signed internal calls) are turned off per connection instead."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.access_log = False


@dataclass(frozen=True)
class Listener:
    app: Any
    port: int
    public: bool = False  # the gateway's ports: their requests are access-logged, subgraphs' never are


async def serve_all(
    listeners: list[Listener], settings: Settings, when_ready: Callable[[], Awaitable[None]] | None = None
) -> None:
    """Run the servers in one loop; `when_ready` runs once every one of them listens.

    They stop in the reverse of their order (the gateway first, the registry last), each once the one
    before has finished, so nothing is left calling a subgraph that has gone; a second Ctrl-C stops
    them all at once. Run it under `uvloop.run`: uvicorn installs uvloop only when it owns the loop.
    """
    level = settings.log_level.lower()
    if len(listeners) > 1 and level in ("debug", "info"):
        level = "warning"  # one "Uvicorn running on ..." per server says nothing `when_ready` will not
    servers = [
        _Server(
            uvicorn.Config(
                x.app,
                host=settings.host,
                port=x.port,
                log_level=level,
                http="auto" if x.public else _Unlogged,
            )
        )
        for x in listeners
    ]
    # uvicorn set its access logger to `level` too; the public listeners' requests stay in the log.
    logging.getLogger("uvicorn.access").setLevel(settings.log_level)
    tasks: list[asyncio.Future[None]] = []
    stopping: asyncio.Future[None] | None = None
    loop = asyncio.get_running_loop()

    async def stop_in_order() -> None:
        for server, task in reversed(list(zip(servers, tasks, strict=True))):
            server.should_exit = True
            await asyncio.wait([task])

    def stop() -> None:
        nonlocal stopping
        if stopping is None:
            stopping = asyncio.ensure_future(stop_in_order())
            return
        for server in servers:  # asked twice: now
            server.should_exit = server.force_exit = True

    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop)

    async def watch() -> None:
        while not all(s.started for s in servers):
            if any(s.should_exit for s in servers):
                stop()  # one failed to start (uvicorn gave up on it): take the others down too
                return
            await asyncio.sleep(0.05)
        _settle_garbage_collector()
        if when_ready is not None:
            await when_ready()

    tasks.extend(asyncio.ensure_future(s.serve()) for s in servers)
    watcher = asyncio.ensure_future(watch())
    try:
        await asyncio.gather(*tasks)
        if stopping is not None:
            await stopping
    finally:
        watcher.cancel()


def _settle_garbage_collector() -> None:
    """Once the servers listen: what they built at start (schemas, supergraph, caches) leaves the cyclic
    collector's sight, and the youngest generation may grow larger before a collection.

    A request allocates thousands of short-lived dicts and lists (parsed subgraph answers, the shaped
    response), which reference counting frees; with the default threshold of 700 the collector still
    ran every few hundred of them and walked the long-lived objects too. On the gateway bench's
    @requires shape the gateway's CPU per request fell from 0.92 to 0.65 ms, and p99 latency by half.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 20, 20)


def cmd_serve(args: argparse.Namespace) -> int:
    settings = get_settings()
    if args.supergraph and args.service != "gateway":
        print("qf: --supergraph goes with --service gateway", file=sys.stderr)
        return 2
    if args.service == "gateway":
        if args.supergraph is not None:
            app = _gateway_app(settings, file_supergraph(args.supergraph), own_database=False)
        else:
            stopped, supergraph = uvloop.run(_wait_for_subgraphs(settings))
            if supergraph is None:
                print(f"qf: stopped by {stopped} before the gateway started: its subgraphs never all "
                      "answered (see above)", file=sys.stderr)
                return 1
            app = _gateway_app(settings, _ready(supergraph))
        listeners = [Listener(app, args.port or settings.gateway_port, public=True), *_metrics(app, settings)]
        uvloop.run(serve_all(listeners, settings))
        return 0
    if args.service:
        if args.service not in AVAILABLE:
            print(f"qf: the {args.service} service is not built yet", file=sys.stderr)
            return 2
        url = resolve_database_url(settings)
        asyncio.run(migrate_service(url, args.service))
        app = _service_app(args.service, settings, url)
        uvloop.run(serve_all([Listener(app, args.port or settings.port_of(args.service))], settings))
        return 0

    started = time.monotonic()
    settings = with_local_secrets(settings)
    url = resolve_database_url(settings)
    asyncio.run(migrate_all(url))
    asyncio.run(load_data(url, settings, args.data, sample=args.sample))
    settings = settings.model_copy(update={"database_url": url})
    listeners = [Listener(_service_app(s, settings, url), settings.port_of(s)) for s in AVAILABLE]
    # The subgraphs start in this same loop: a few seconds without them is no news.
    live = live_supergraph(_subgraph_urls(settings), settings.require_secret(), quiet_seconds=5)
    gateway = _gateway_app(settings, live)
    listeners += [Listener(gateway, settings.gateway_port, public=True), *_metrics(gateway, settings)]
    gateway_url = f"http://{settings.host}:{settings.gateway_port}/graphql"
    subgraphs = ", ".join(f"{s} :{settings.port_of(s)}" for s in AVAILABLE)

    async def announce() -> None:
        print(
            f"\nqf is up in {time.monotonic() - started:.1f} s: {gateway_url}  (Ctrl-C stops it)\n"
            f"subgraphs (signed calls only): {subgraphs}\n",
            flush=True,
        )

    uvloop.run(serve_all(listeners, settings, when_ready=announce))
    return 0


def _subgraph_urls(settings: Settings) -> dict[str, str]:
    return {service: settings.url_of(service) for service in AVAILABLE}


async def _wait_for_subgraphs(settings: Settings) -> tuple[str | None, str | None]:
    """The supergraph composed from the running subgraphs, waiting for them as long as it takes (saying
    so); Ctrl-C or SIGTERM ends the wait: (the signal's name, None)."""
    load = live_supergraph(_subgraph_urls(settings), settings.require_secret(), wait_seconds=None)
    task = asyncio.ensure_future(load())
    loop = asyncio.get_running_loop()
    stopped: list[str] = []

    def stop(sig: signal.Signals) -> None:
        stopped.append(sig.name)
        task.cancel()

    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop, sig)
    try:
        return None, await task
    except asyncio.CancelledError:
        return stopped[0] if stopped else "a signal", None
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)


def _ready(supergraph: str) -> SupergraphLoader:
    async def load() -> str:
        return supergraph

    return load


def _metrics(gateway: Any, settings: Settings) -> list[Listener]:
    """In production the gateway's /metrics is served on QF_METRICS_PORT, off the public port."""
    if not settings.metrics_on_own_port:
        return []
    from gateway.server import create_metrics_app

    return [Listener(create_metrics_app(gateway.state.metrics), settings.metrics_port)]


def _gateway_app(settings: Settings, supergraph: SupergraphLoader, *, own_database: bool = True) -> Any:
    """The gateway; over our own subgraphs its API keys live in our database, while a gateway over a
    supergraph file needs none (it uses QF_DATABASE_URL if set, else every caller is public)."""
    from gateway.server import create_gateway_app

    secret = settings.internal_secret.get_secret_value().encode() if settings.internal_secret else None
    # The reference portal (portal/) unless QF_PORTAL_DIR names another; an installed package has none.
    portal = settings.portal_dir or (PORTAL_DIR if PORTAL_DIR.is_dir() else None)
    database_url = settings.database_url
    if own_database:
        database_url = resolve_database_url(settings)
        asyncio.run(migrate_service(database_url, "gateway"))
    return create_gateway_app(
        settings, supergraph, database_url=database_url, secret=secret, portal_dir=portal
    )


def _service_app(service: str, settings: Settings, url: str) -> Any:
    if service == "registry":
        from services.registry.app import create_registry_app

        return create_registry_app(settings, url)
    if service == "credits":
        from services.credits.app import create_credits_app

        return create_credits_app(settings, url)
    if service == "mapping":
        from services.mapping.app import create_mapping_app

        return create_mapping_app(settings, url)
    raise ValueError(service)


def cmd_migrate(args: argparse.Namespace) -> int:
    asyncio.run(migrate_all(resolve_database_url(get_settings())))
    return 0


async def _with_registry(work: Any) -> Any:
    url = resolve_database_url(get_settings())
    await migrate_service(url, "registry")
    db = await Database.connect(url, "registry")
    try:
        return await work(db)
    finally:
        await db.close()


async def _with_mapping(work: Any, *, create: bool = True) -> Any:
    url = resolve_database_url(get_settings(), create=create)
    await migrate_service(url, "mapping")
    db = await Database.connect(url, "mapping")
    try:
        async with db.pool.acquire() as conn:
            return await work(conn)
    finally:
        await db.close()


def cmd_import(args: argparse.Namespace) -> int:
    """RENEC goes to the registry and, as crosswalk items, to the mapping service; the rest to mapping."""
    from services.mapping.importer import import_all, import_dataset
    from services.registry.importer import import_renec

    path: Path = args.path
    if problem := _wrong_folder(args.dataset, path):
        print(f"qf: {problem}", file=sys.stderr)
        return 2
    started = time.monotonic()
    try:
        if args.dataset in ("renec", "all"):
            renec = path / FOLDERS["renec"] if args.dataset == "all" else path
            print(asyncio.run(_with_registry(lambda db: import_renec(db, renec))).render())
        if args.dataset == "all":
            summaries = asyncio.run(_with_mapping(lambda conn: import_all(conn, path)))
        else:
            summaries = asyncio.run(_with_mapping(lambda conn: import_dataset(conn, args.dataset, path)))
    except (OSError, ValueError) as exc:  # a missing or malformed file: nothing was written
        expected = "the data folder (like ../shared/data)" if args.dataset == "all" else FOLDERS[args.dataset]
        hint = f"`qf import {args.dataset}` takes {expected}; `qf import --help` lists them"
        print(f"qf: {args.dataset} not imported, nothing written: {exc}\n({hint})", file=sys.stderr)
        return 2
    for summary in summaries:
        print(summary.render())
    if args.dataset == "all":  # the counterpart proposals rest on every dataset: made once all are in
        print(_render_proposals(asyncio.run(_with_mapping(_propose))))
    print(f"done in {time.monotonic() - started:.2f} s")
    return 0


def _wrong_folder(dataset: str, path: Path) -> str | None:
    """Why `path` cannot be what `qf import DATASET` takes, naming the folder it expects; None if it can."""
    if not path.is_dir():
        return f"{path} is not a folder"
    if dataset == "all":
        if path.name in FOLDERS.values():
            return (f"{path} is one dataset's folder; `qf import all` takes the folder that holds them all "
                    f"(like ../shared/data), perhaps {path.parent}")
        missing = [folder for folder in FOLDERS.values() if not (path / folder).is_dir()]
        if missing:
            return f"{path} lacks the dataset folders {', '.join(missing)} that `qf import all` reads"
        return None
    expected = FOLDERS[dataset]
    if path.name != expected and (path / expected).is_dir():
        return f"`qf import {dataset}` takes the {expected} folder itself: {path / expected}"
    return None


async def _propose(conn: Any) -> Any:
    from services.mapping.counterparts.proposer import propose_all

    return await propose_all(conn)


def _render_proposals(summary: Any) -> str:
    return (
        f"counterpart proposals: {summary.with_proposal:,} of {summary.standards:,} standards proposed; "
        f"edges {summary.inserted:,} inserted, {summary.updated:,} updated, {summary.withdrawn:,} withdrawn, "
        f"{summary.unchanged:,} unchanged ({summary.seconds:.1f} s)"
    )


def cmd_propose(args: argparse.Namespace) -> int:
    """Re-runs the counterpart proposer over the imported data; reviewers' decisions are never touched."""
    # Over data imported before: a new, empty database here would only mean the wrong folder.
    print(_render_proposals(asyncio.run(_with_mapping(_propose, create=False))))
    return 0


def cmd_sync(args: argparse.Namespace) -> int:
    """CONOCER's live list goes to the registry and, like `qf import renec`, to the crosswalk: a new
    standard gets its sector and level links at once. The rows are fetched once and checked before
    either service writes."""
    from services.mapping.importer import import_renec_rows
    from services.registry.importer import import_standards
    from services.registry.sync import fetch_renec

    url = args.url or get_settings().renec_url
    rows = asyncio.run(fetch_renec(url))
    print(asyncio.run(_with_registry(lambda db: import_standards(db, rows, complete=True))).render())
    for summary in asyncio.run(_with_mapping(lambda conn: import_renec_rows(conn, rows))):
        print(summary.render())
    return 0


async def _with_gateway(work: Any, *, create: bool = True) -> Any:
    url = resolve_database_url(get_settings(), create=create)
    await migrate_service(url, "gateway")
    db = await Database.connect(url, "gateway")
    try:
        return await work(db)
    finally:
        await db.close()


# Where the scope of each role is defined: a key that acts for an institution, committee, body or party
# that does not exist would be refused by every rule that checks it, or worse, act for one made later.
_SCOPE_TABLES = {
    "registrar": ("credits.institutions", "institution"),
    "committee": ("registry.committees", "committee"),
    "certifier": ("registry.certification_bodies", "certification body"),
}


async def check_scope(db: Database, role: str, scope: str | None) -> None:
    """ValueError unless `scope` names something a `role` key can act for (or is rightly absent)."""
    from services.mapping.rules import PARTIES

    scope = (scope or "").strip() or None
    if scope is None:
        return  # create_api_key says which roles need one
    if role in ("admin", "public"):
        raise ValueError(f"a {role} key acts for no institution or body: leave out --scope")
    if role == "taskforce":
        if scope not in PARTIES:
            raise ValueError(
                f"a taskforce key acts for a party, {' or '.join(PARTIES)}; {scope!r} is not one"
            )
        return
    table, what = _SCOPE_TABLES[role]
    try:
        known = await db.fetchval(f"SELECT true FROM {table} WHERE id = $1", scope)
    except asyncpg.UndefinedTableError:
        raise ValueError(
            f"cannot check the scope {scope!r}: this database has no {table} yet "
            "(run `qf migrate`, then import the data)"
        ) from None
    if not known:
        raise ValueError(f"there is no {what} {scope!r}; a {role} key's --scope is the id of one")


def cmd_apikey_create(args: argparse.Namespace) -> int:
    from gateway.apikeys import create_api_key

    async def create(db: Database) -> str:
        await check_scope(db, args.role, args.scope)
        return await create_api_key(db, args.role, args.name, args.scope, person=args.person)

    try:
        key = asyncio.run(_with_gateway(create))
    except ValueError as exc:
        print(f"qf: {exc}", file=sys.stderr)
        return 2
    print(key)
    print("Keep it now: the key is stored hashed and will not be shown again.", file=sys.stderr)
    return 0


def cmd_apikey_set_person(args: argparse.Namespace) -> int:
    from gateway.apikeys import set_api_key_person

    try:
        named = asyncio.run(_with_gateway(lambda db: set_api_key_person(db, args.id, args.person)))
    except ValueError as exc:
        print(f"qf: {exc}", file=sys.stderr)
        return 2
    if not named:
        print(f"qf: no active API key has the id {args.id!r} (see `qf apikey list`)", file=sys.stderr)
        return 1
    print(f"{args.id} now belongs to {' '.join(args.person.split())}; gateways use the name within 30 s")
    return 0


def cmd_apikey_revoke(args: argparse.Namespace) -> int:
    from gateway.apikeys import revoke_api_key

    if not asyncio.run(_with_gateway(lambda db: revoke_api_key(db, args.id))):
        print(f"qf: no active API key has the id {args.id!r} (see `qf apikey list`)", file=sys.stderr)
        return 1
    print(f"revoked {args.id}; running gateways refuse it within a second")
    return 0


def cmd_apikey_list(args: argparse.Namespace) -> int:
    from gateway.apikeys import list_api_keys

    keys = asyncio.run(_with_gateway(list_api_keys, create=False))
    if not keys:
        print(
            "no API keys yet: `qf apikey create --role ROLE --name NAME [--scope ID --person NAME]` makes one"
        )
        return 0
    rows = [("id", "role", "scope", "person", "status", "created", "last used", "name")]
    for key in keys:
        status = f"revoked {key.revoked_at:%Y-%m-%d}" if key.revoked_at else "active"
        used = f"{key.last_used_at:%Y-%m-%d %H:%M}" if key.last_used_at else "never"
        created = f"{key.created_at:%Y-%m-%d}"
        rows.append((key.id, key.role, key.scope or "-", key.person or "-", status, created, used, key.name))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())
    return 0


def subgraph_sdls() -> dict[str, str]:
    """Each built subgraph's SDL, as its `_service { sdl }` answers."""
    from services.credits.schema import schema as credits_schema
    from services.mapping.schema import schema as mapping_schema
    from services.registry.schema import schema as registry_schema

    return {
        "registry": registry_schema.as_str(),
        "credits": credits_schema.as_str(),
        "mapping": mapping_schema.as_str(),
    }


def composed_supergraph() -> str:
    """The supergraph of our subgraphs at their default URLs (what `qf serve` runs)."""
    from gateway.composition import SubgraphSource, compose

    defaults = Settings.model_construct()  # the defaults, whatever QF_* this shell has
    sources = [SubgraphSource(name, defaults.url_of(name), sdl) for name, sdl in subgraph_sdls().items()]
    return compose(sources)


def cmd_compose(args: argparse.Namespace) -> int:
    SCHEMA_DIR.mkdir(exist_ok=True)
    for name, sdl in subgraph_sdls().items():
        target = SCHEMA_DIR / f"{name}.graphql"
        target.write_text(sdl + "\n")
        print(f"wrote {target}")
    target = SCHEMA_DIR / "supergraph.graphql"
    supergraph = composed_supergraph()
    target.write_text(supergraph)
    print(f"wrote {target}")
    return _write_api_schema(supergraph)


def _write_api_schema(supergraph: str) -> int:
    """schema/api.graphql, the clients' contract: refused while a breaking change is not in the changelog."""
    from gateway.contract import api_sdl, breaking_changes, unrecorded

    target = SCHEMA_DIR / "api.graphql"
    changelog = SCHEMA_DIR / "CHANGELOG.md"
    current = api_sdl(supergraph)
    if target.is_file():
        recorded = changelog.read_text() if changelog.is_file() else ""
        missing = unrecorded(breaking_changes(target.read_text(), current), recorded)
        if missing:
            print(f"qf compose: {target} not written: breaking changes for clients:", file=sys.stderr)
            for change in missing:
                print(f"  - {change}", file=sys.stderr)
            print(f"record each, word for word, in {changelog} (see its top), or undo them", file=sys.stderr)
            return 1
    target.write_text(current)
    print(f"wrote {target}")
    return 0


def _datasets_help() -> str:
    width = max(map(len, DATASETS))
    lines = ["datasets, their folder in ../shared/data, and what each brings:"]
    for name, (folder, what) in DATASETS.items():
        lines += [f"  {name:<{width}}  {folder}/", f"  {'':<{width}}    {what}"]
    lines.append(f"  {'all':<{width}}  every folder above (give their parent), then counterpart proposals")
    return "\n".join(lines)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="qf", description="Mexico's qualifications framework API")
    sub = p.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="run everything, or one service with --service")
    serve.add_argument("--service", choices=(*SERVICES, "gateway"))
    serve.add_argument("--port", type=int)
    serve.add_argument(
        "--data", type=Path, metavar="DIR", help="import the official files under DIR, as `qf import all`"
    )
    serve.add_argument(
        "--sample",
        action="store_true",
        help="load the illustrative sample even next to other data (by default it goes only into an empty "
        "database)",
    )
    serve.add_argument(
        "--supergraph",
        type=Path,
        help="with --service gateway: serve this supergraph file (no database needed)",
    )
    serve.set_defaults(run=cmd_serve)

    sub.add_parser("migrate", help="apply every service's migrations").set_defaults(run=cmd_migrate)

    imp = sub.add_parser(
        "import",
        help="import an official dataset",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Imports one official dataset from its folder, or `all` of them from the folder that "
        "holds them (like ../shared/data). Imports are idempotent and never undo a local decision.",
        epilog=_datasets_help(),
    )
    imp.add_argument("dataset", choices=(*DATASETS, "all"), metavar="DATASET", help="one listed below")
    imp.add_argument("path", type=Path, help="the dataset's folder; for `all`, the folder holding them")
    imp.set_defaults(run=cmd_import)

    sub.add_parser(
        "propose", help="propose counterparts for every standard (text match; decided edges kept)"
    ).set_defaults(run=cmd_propose)

    sync = sub.add_parser("sync", help="pull a live dataset")
    sync.add_argument("dataset", choices=("renec",))
    sync.add_argument("--url", help="override QF_RENEC_URL")
    sync.set_defaults(run=cmd_sync)

    sub.add_parser("compose", help="write schema/*.graphql").set_defaults(run=cmd_compose)

    apikey = sub.add_parser("apikey", help="create, revoke and list the gateway's API keys")
    keys = apikey.add_subparsers(dest="action", required=True)
    create = keys.add_parser("create", help="print a new API key once")
    create.add_argument("--role", required=True, choices=ROLES)
    create.add_argument("--name", required=True, help="who holds the key, e.g. 'UNAM registrar office'")
    create.add_argument(
        "--scope", help="the institution, committee or certification body (or taskforce party) it acts for"
    )
    create.add_argument(
        "--person",
        help="the person of that institution or body who holds the key (required with --scope for "
        "registrar, committee and certifier keys); recorded as the one who acts, e.g. who certified",
    )
    create.set_defaults(run=cmd_apikey_create)
    person = keys.add_parser("set-person", help="name the person who holds an existing key")
    person.add_argument("id")
    person.add_argument("--person", required=True)
    person.set_defaults(run=cmd_apikey_set_person)
    revoke = keys.add_parser("revoke", help="revoke a key by its id")
    revoke.add_argument("id")
    revoke.set_defaults(run=cmd_apikey_revoke)
    keys.add_parser("list", help="every key, without secrets").set_defaults(run=cmd_apikey_list)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    logging.basicConfig(level=get_settings().log_level, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("pgserver").setLevel(logging.WARNING)  # it narrates every pg_ctl call
    logging.getLogger("httpx").setLevel(logging.WARNING)  # and httpx every request
    try:
        return args.run(args)
    except KeyboardInterrupt:
        return 130
    except (RuntimeError, RenecImportError, ValidationError) as exc:
        # Configuration and data problems are told plainly, without a traceback.
        print(f"qf: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
