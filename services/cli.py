"""`qf`: the operators' command line (DESIGN.md section 5)."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import secrets
import signal
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import uvicorn
from pydantic import SecretStr, ValidationError

from services.common.db import Database, resolve_database_url
from services.common.migrations import migrate_service
from services.common.settings import SERVICES, Settings, get_settings
from services.registry.importer import RenecImportError

log = logging.getLogger("qf")

# Services that exist so far; the others join as they are built.
AVAILABLE = tuple(s for s in SERVICES if (Path(__file__).parent / s / "migrations").is_dir())
SCHEMA_DIR = Path(__file__).resolve().parent.parent / "schema"


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
    for service in AVAILABLE:
        applied = await migrate_service(url, service)
        log.info("%s: %s", service, f"applied {', '.join(applied)}" if applied else "up to date")


async def load_data(url: str, settings: Settings, data_dir: Path | None) -> None:
    from services.registry.importer import import_renec
    from services.registry.sample import load_sample

    db = await Database.connect(url, "registry")
    try:
        if data_dir is None:
            await load_sample(db, settings.require_curp_salt())
        else:
            print((await import_renec(db, data_dir / "conocer_renec_avala")).render())
    finally:
        await db.close()


class _Server(uvicorn.Server):
    # Several servers share one process; `serve_all` handles the signals for all of them.
    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


async def serve_all(apps: list[tuple[Any, int]], settings: Settings) -> None:
    servers = [
        _Server(uvicorn.Config(app, host=settings.host, port=port, log_level=settings.log_level.lower()))
        for app, port in apps
    ]
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, lambda: [setattr(s, "should_exit", True) for s in servers])
    await asyncio.gather(*(s.serve() for s in servers))


def cmd_serve(args: argparse.Namespace) -> int:
    settings = get_settings()
    if args.service == "gateway":
        from gateway.server import create_gateway_app

        app = create_gateway_app(settings)
        asyncio.run(serve_all([(app, args.port or settings.gateway_port)], settings))
        return 0
    if args.service:
        if args.service not in AVAILABLE:
            print(f"qf: the {args.service} service is not built yet", file=sys.stderr)
            return 2
        url = resolve_database_url(settings)
        asyncio.run(migrate_service(url, args.service))
        app = _service_app(args.service, settings, url)
        asyncio.run(serve_all([(app, args.port or settings.port_of(args.service))], settings))
        return 0

    started = time.monotonic()
    settings = with_local_secrets(settings)
    url = resolve_database_url(settings)
    asyncio.run(migrate_all(url))
    asyncio.run(load_data(url, settings, args.data))
    from gateway.server import create_gateway_app

    apps = [(_service_app(s, settings, url), settings.port_of(s)) for s in AVAILABLE]
    apps.append((create_gateway_app(settings), settings.gateway_port))
    gateway_url = f"http://{settings.host}:{settings.gateway_port}/graphql"
    print(f"\nqf is up in {time.monotonic() - started:.1f} s: {gateway_url}  (Ctrl-C stops it)\n", flush=True)
    asyncio.run(serve_all(apps, settings))
    return 0


def _service_app(service: str, settings: Settings, url: str) -> Any:
    if service == "registry":
        from services.registry.app import create_registry_app

        return create_registry_app(settings, url)
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


def cmd_import(args: argparse.Namespace) -> int:
    from services.registry.importer import import_renec

    path: Path = args.path
    if args.dataset == "all":
        path = path / "conocer_renec_avala"
    elif args.dataset != "renec":
        print(f"qf: importing {args.dataset} arrives with the mapping service", file=sys.stderr)
        return 2
    started = time.monotonic()
    summary = asyncio.run(_with_registry(lambda db: import_renec(db, path)))
    print(summary.render())
    print(f"done in {time.monotonic() - started:.2f} s")
    return 0


def cmd_sync(args: argparse.Namespace) -> int:
    from services.registry.sync import sync_renec

    url = args.url or get_settings().renec_url
    summary = asyncio.run(_with_registry(lambda db: sync_renec(db, url)))
    print(summary.render())
    return 0


def cmd_compose(args: argparse.Namespace) -> int:
    from services.registry.schema import schema as registry_schema

    SCHEMA_DIR.mkdir(exist_ok=True)
    target = SCHEMA_DIR / "registry.graphql"
    target.write_text(registry_schema.as_str() + "\n")
    print(f"wrote {target}")
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="qf", description="Mexico's qualifications framework API")
    sub = p.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="run everything, or one service with --service")
    serve.add_argument("--service", choices=(*SERVICES, "gateway"))
    serve.add_argument("--port", type=int)
    serve.add_argument("--data", type=Path, help="load the official files under DIR instead of the sample")
    serve.set_defaults(run=cmd_serve)

    sub.add_parser("migrate", help="apply every service's migrations").set_defaults(run=cmd_migrate)

    imp = sub.add_parser("import", help="import an official dataset")
    imp.add_argument(
        "dataset", choices=("renec", "scian", "naics", "soc", "onet", "cip", "isced", "esco", "all")
    )
    imp.add_argument("path", type=Path)
    imp.set_defaults(run=cmd_import)

    sync = sub.add_parser("sync", help="pull a live dataset")
    sync.add_argument("dataset", choices=("renec",))
    sync.add_argument("--url", help="override QF_RENEC_URL")
    sync.set_defaults(run=cmd_sync)

    sub.add_parser("compose", help="write schema/*.graphql").set_defaults(run=cmd_compose)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    logging.basicConfig(level=get_settings().log_level, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("pgserver").setLevel(logging.WARNING)  # it narrates every pg_ctl call
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
