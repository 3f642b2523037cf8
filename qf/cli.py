"""`qf`: the operators' command line (DESIGN.md section 5)."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
import time
from pathlib import Path
from typing import Any

import asyncpg
import uvloop
from pydantic import ValidationError

from gateway.signing import ROLES
from gateway.sources import file_supergraph, live_supergraph
from qf.database import load_data, migrate_all, migrate_gateway, with_gateway, with_mapping, with_registry
from qf.schema import write_schema
from qf.servers import (
    Listener,
    gateway_app,
    metrics_listeners,
    ready,
    serve_all,
    service_app,
    subgraph_urls,
    wait_for_subgraphs,
)
from qf.settings import get_settings, with_local_secrets
from services.common.db import Database, resolve_database_url
from services.common.migrations import migrate_service
from services.common.settings import SERVICES
from services.mapping.datasets import DATASETS, FOLDERS
from services.registry.importer import RenecImportError

MAX_WORKERS = 64


def cmd_serve(args: argparse.Namespace) -> int:
    settings = get_settings()
    if args.supergraph and args.service != "gateway":
        print("qf: --supergraph goes with --service gateway", file=sys.stderr)
        return 2
    if args.workers != 1 and args.service != "gateway":
        print("qf: --workers goes with --service gateway", file=sys.stderr)
        return 2
    if not 1 <= args.workers <= MAX_WORKERS:
        print(f"qf: --workers must be between 1 and {MAX_WORKERS}", file=sys.stderr)
        return 2
    if args.service == "gateway":
        if args.supergraph is not None:
            loader = file_supergraph(args.supergraph)
        else:
            stopped, supergraph = uvloop.run(wait_for_subgraphs(settings))
            if supergraph is None:
                print(
                    f"qf: stopped by {stopped} before the gateway started: its subgraphs never all "
                    "answered (see above)",
                    file=sys.stderr,
                )
                return 1
            loader = ready(supergraph)
        own_database = args.supergraph is None
        if args.workers > 1:
            from qf.workers import serve_workers

            url = settings.database_url
            if own_database:
                url = resolve_database_url(settings)
                asyncio.run(migrate_gateway(url))
            port = args.port or settings.gateway_port
            serve_workers(settings, asyncio.run(loader()), url, port, args.workers)
            return 0
        app = gateway_app(settings, loader, own_database=own_database)
        public = Listener(app, args.port or settings.gateway_port, public=True)
        listeners = [public, *metrics_listeners(app, settings)]
        uvloop.run(serve_all(listeners, settings))
        return 0
    if args.service:
        url = resolve_database_url(settings)
        asyncio.run(migrate_service(url, args.service))
        app = service_app(args.service, settings, url)
        uvloop.run(serve_all([Listener(app, args.port or settings.port_of(args.service))], settings))
        return 0

    started = time.monotonic()
    settings = with_local_secrets(settings)
    url = resolve_database_url(settings)
    asyncio.run(migrate_all(url))
    asyncio.run(load_data(url, settings, args.data, sample=args.sample))
    settings = settings.model_copy(update={"database_url": url})
    listeners = [Listener(service_app(s, settings, url), settings.port_of(s)) for s in SERVICES]
    # The subgraphs start in this same loop: a few seconds without them is no news.
    live = live_supergraph(subgraph_urls(settings), settings.require_secret(), quiet_seconds=5)
    gateway = gateway_app(settings, live)
    listeners += [
        Listener(gateway, settings.gateway_port, public=True),
        *metrics_listeners(gateway, settings),
    ]
    gateway_url = f"http://{settings.host}:{settings.gateway_port}/graphql"
    subgraphs = ", ".join(f"{s} :{settings.port_of(s)}" for s in SERVICES)

    async def announce() -> None:
        print(
            f"\nqf is up in {time.monotonic() - started:.1f} s: {gateway_url}  (Ctrl-C stops it)\n"
            f"subgraphs (signed calls only): {subgraphs}\n",
            flush=True,
        )

    uvloop.run(serve_all(listeners, settings, when_ready=announce))
    return 0


def cmd_migrate(args: argparse.Namespace) -> int:
    asyncio.run(migrate_all(resolve_database_url(get_settings())))
    return 0


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
            print(asyncio.run(with_registry(lambda db: import_renec(db, renec))).render())
        if args.dataset == "all":
            summaries = asyncio.run(with_mapping(lambda conn: import_all(conn, path)))
        else:
            summaries = asyncio.run(with_mapping(lambda conn: import_dataset(conn, args.dataset, path)))
    except (OSError, ValueError) as exc:  # a missing or malformed file: nothing was written
        expected = "the data folder (like ../shared/data)" if args.dataset == "all" else FOLDERS[args.dataset]
        hint = f"`qf import {args.dataset}` takes {expected}; `qf import --help` lists them"
        print(f"qf: {args.dataset} not imported, nothing written: {exc}\n({hint})", file=sys.stderr)
        return 2
    for summary in summaries:
        print(summary.render())
    if args.dataset == "all":  # the counterpart proposals rest on every dataset: made once all are in
        print(_render_proposals(asyncio.run(with_mapping(_propose))))
    print(f"done in {time.monotonic() - started:.2f} s")
    return 0


def _wrong_folder(dataset: str, path: Path) -> str | None:
    """Why `path` cannot be what `qf import DATASET` takes, naming the folder it expects; None if it can."""
    if not path.is_dir():
        return f"{path} is not a folder"
    if dataset == "all":
        if path.name in FOLDERS.values():
            return (
                f"{path} is one dataset's folder; `qf import all` takes the folder that holds them all "
                f"(like ../shared/data), perhaps {path.parent}"
            )
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
    print(_render_proposals(asyncio.run(with_mapping(_propose, create=False))))
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
    print(asyncio.run(with_registry(lambda db: import_standards(db, rows, complete=True))).render())
    for summary in asyncio.run(with_mapping(lambda conn: import_renec_rows(conn, rows))):
        print(summary.render())
    return 0


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
        key = asyncio.run(with_gateway(create))
    except ValueError as exc:
        print(f"qf: {exc}", file=sys.stderr)
        return 2
    print(key)
    print("Keep it now: the key is stored hashed and will not be shown again.", file=sys.stderr)
    return 0


def cmd_apikey_set_person(args: argparse.Namespace) -> int:
    from gateway.apikeys import set_api_key_person

    try:
        named = asyncio.run(with_gateway(lambda db: set_api_key_person(db, args.id, args.person)))
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

    if not asyncio.run(with_gateway(lambda db: revoke_api_key(db, args.id))):
        print(f"qf: no active API key has the id {args.id!r} (see `qf apikey list`)", file=sys.stderr)
        return 1
    print(f"revoked {args.id}; running gateways refuse it within a second")
    return 0


def cmd_apikey_list(args: argparse.Namespace) -> int:
    from gateway.apikeys import list_api_keys

    keys = asyncio.run(with_gateway(list_api_keys, create=False))
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


def cmd_compose(args: argparse.Namespace) -> int:
    return write_schema()


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
    serve.add_argument(
        "--workers",
        type=int,
        default=1,
        metavar="N",
        help="with --service gateway: serve in N processes behind one port (each runs on one core; "
        "persisted queries and API-key revocations are shared)",
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
