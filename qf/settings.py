"""The whole system's configuration: every `QF_*` variable, read from the environment once.

It is the subgraphs' settings and the gateway's in one value (so `qf` hands the same object to each),
plus what only the servers `qf` starts need: ports, log level, the portal's folder. Every variable is
listed, with its default, in README.md's configuration table.
"""

from __future__ import annotations

import json
import secrets
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

from gateway.settings import GatewaySettings
from services.common.settings import Settings


class SystemSettings(Settings, GatewaySettings):
    model_config = SettingsConfigDict(env_prefix="QF_", extra="ignore", frozen=True)

    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    gateway_port: int = Field(4000, ge=1, le=65535)
    # In production the gateway's /metrics leaves the public port for this one (`qf serve` serves it).
    metrics_port: int = Field(9090, ge=1, le=65535)
    # Static pages the gateway serves at / and /portal; unset: `qf serve` serves the repository's portal/.
    portal_dir: Path | None = None


@lru_cache
def get_settings() -> SystemSettings:
    return SystemSettings()


def with_local_secrets(settings: SystemSettings) -> SystemSettings:
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
