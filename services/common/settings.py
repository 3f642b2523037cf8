"""Configuration from `QF_*` environment variables, validated once at start-up.

Every variable is listed, with its default, in README.md's configuration table.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from gateway.signing import DEFAULT_MAX_AGE

SERVICES = ("registry", "credits", "mapping")
# What a browser sends as `Origin`: scheme, host and port only (a path or a trailing slash never matches).
ORIGIN = re.compile(r"https?://([a-z0-9-]+(\.[a-z0-9-]+)*|\[[0-9a-f:.]+\])(:[0-9]{1,5})?")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="QF_", extra="ignore")

    environment: Literal["development", "production"] = "development"
    # Introspection and GraphiQL on the gateway; unset means on in development, off in production.
    introspection: bool | None = None
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"

    # No URL means: start the embedded PostgreSQL in `data_dir`.
    database_url: str | None = None
    data_dir: Path = Path(".qf-data")
    db_pool_min: int = Field(1, ge=1)
    db_pool_max: int = Field(10, ge=1, le=200)

    host: str = "127.0.0.1"
    gateway_port: int = Field(4000, ge=1, le=65535)
    registry_port: int = Field(4001, ge=1, le=65535)
    credits_port: int = Field(4002, ge=1, le=65535)
    mapping_port: int = Field(4003, ge=1, le=65535)
    # In production the gateway's /metrics leaves the public port for this one (`qf serve` serves it).
    metrics_port: int = Field(9090, ge=1, le=65535)
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

    # What one request may ask of the gateway (gateway/limits.py explains how cost is counted).
    max_body_bytes: int = Field(256 * 1024, ge=1024)
    max_depth: int = Field(15, ge=2, le=100)
    max_aliases: int = Field(30, ge=0)
    max_cost: int = Field(50_000, ge=1)
    max_tokens: int = Field(15_000, ge=100)
    max_operations: int = Field(50, ge=1)
    max_definitions: int = Field(500, ge=1)
    max_fields: int = Field(2_000, ge=10)
    # Browser origins allowed to call the gateway's /graphql (gateway/cors.py). Unset: any localhost origin
    # in development, none in production; empty: none. Comma-separated or a JSON list; "*" alone: any.
    cors_origins: Annotated[list[str] | None, NoDecode] = None
    # How long the gateway waits for a subgraph before it answers without that subgraph's fields.
    subgraph_timeout_seconds: float = Field(10.0, gt=0, le=300)
    # Identical subgraph queries in flight at once for the same caller are sent once (gateway/transport.py).
    deduplicate_subgraph_queries: bool = True
    # Static pages the gateway serves at / and /portal; unset: `qf serve` serves the repository's portal/.
    portal_dir: Path | None = None

    # How often the credit bank reads the registry's change feed (to reverse deposits of revoked ones).
    registry_feed_seconds: float = Field(2.0, gt=0, le=3600)

    renec_url: str = "https://conocer.gob.mx/CONOCERBACKCITAS/sectoresProductivos/getEstandaresAll"

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _parse_origins(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = json.loads(value) if value.lstrip().startswith("[") else value.split(",")
        if not isinstance(value, list) or not all(isinstance(origin, str) for origin in value):
            return value  # pydantic explains what is wrong with it
        origins = [origin.strip().lower() for origin in value if origin.strip()]
        if "*" in origins and len(origins) > 1:
            raise ValueError('"*" allows every origin: list origins or give "*" alone')
        for origin in origins:
            if origin != "*" and not ORIGIN.fullmatch(origin):
                raise ValueError(
                    f"{origin!r} is not an origin like https://portal.example.edu or http://localhost:3000"
                )
        return origins

    @property
    def introspection_enabled(self) -> bool:
        return self.introspection if self.introspection is not None else self.environment == "development"

    @property
    def metrics_on_own_port(self) -> bool:
        """Production keeps Prometheus' scrape off the public endpoint."""
        return self.environment == "production"

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


@lru_cache
def get_settings() -> Settings:
    return Settings()
