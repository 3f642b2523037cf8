"""The subgraphs' configuration, from `QF_*` environment variables, validated once at start-up.

These are what the services read; the whole system's settings (qf/settings.py) add the gateway's and the
servers' own. Every variable is listed, with its default, in README.md's configuration table.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from gateway.signing import DEFAULT_MAX_AGE

SERVICES = ("registry", "credits", "mapping")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="QF_", extra="ignore")

    # Production turns GraphiQL off on the subgraphs.
    environment: Literal["development", "production"] = "development"

    # No URL means: start the embedded PostgreSQL in `data_dir`.
    database_url: str | None = None
    data_dir: Path = Path(".qf-data")
    db_pool_min: int = Field(1, ge=1)
    db_pool_max: int = Field(10, ge=1, le=200)

    host: str = "127.0.0.1"
    registry_port: int = Field(4001, ge=1, le=65535)
    credits_port: int = Field(4002, ge=1, le=65535)
    mapping_port: int = Field(4003, ge=1, le=65535)
    registry_url: str | None = None

    # Shared by the gateway and every subgraph to sign internal requests.
    internal_secret: SecretStr | None = None
    # How far a signature's time may lie behind (a replay) or ahead of (clock skew) a subgraph's clock.
    signature_max_age_seconds: int = Field(DEFAULT_MAX_AGE, ge=1, le=600)
    # Largest body a subgraph reads: the gateway's entity fetches carry many representations.
    subgraph_max_body_bytes: int = Field(8 * 1024 * 1024, ge=64 * 1024)
    # Pepper for the hash of a certificate holder's CURP; CURPs are never stored in clear.
    curp_salt: SecretStr | None = None

    max_page_size: int = Field(100, ge=1, le=1000)
    max_search_length: int = Field(200, ge=10, le=2000)

    # How often the credit bank reads the registry's change feed (to reverse deposits of revoked ones).
    registry_feed_seconds: float = Field(2.0, gt=0, le=3600)

    renec_url: str = "https://conocer.gob.mx/CONOCERBACKCITAS/sectoresProductivos/getEstandaresAll"

    def port_of(self, service: str) -> int:
        return getattr(self, f"{service}_port")

    def url_of(self, service: str) -> str:
        configured = getattr(self, f"{service}_url", None)
        return configured or f"http://{self.host}:{self.port_of(service)}/graphql"

    def require_secret(self) -> bytes:
        if self.internal_secret is None or not self.internal_secret.get_secret_value():
            raise RuntimeError(
                "QF_INTERNAL_SECRET is not set: the gateway and the subgraphs need the same "
                "shared secret to sign internal requests (`qf serve` makes one for you)."
            )
        return self.internal_secret.get_secret_value().encode()

    def require_curp_salt(self) -> bytes:
        if self.curp_salt is None or not self.curp_salt.get_secret_value():
            raise RuntimeError("QF_CURP_SALT is not set: it is needed to hash holders' CURPs.")
        return self.curp_salt.get_secret_value().encode()

