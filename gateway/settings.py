"""What the gateway is told by whoever starts it: its limits, its CORS origins, how it treats subgraphs.

The gateway reads no environment variable itself. `qf` reads `QF_*` into a `SystemSettings`, which is a
`GatewaySettings`; anyone running the gateway over their own subgraphs builds one in code:

    create_gateway_app(GatewaySettings(max_depth=10, cors_origins=["https://app.example"]), load, ...)

Every value is checked here, however it arrives, so a gateway never starts with a limit it cannot apply.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic_settings import NoDecode

# What a browser sends as `Origin`: scheme, host and port only (a path or a trailing slash never matches).
ORIGIN = re.compile(r"https?://([a-z0-9-]+(\.[a-z0-9-]+)*|\[[0-9a-f:.]+\])(:[0-9]{1,5})?")


class GatewaySettings(BaseModel):
    model_config = ConfigDict(frozen=True)

    environment: Literal["development", "production"] = "development"
    # Introspection and GraphiQL; unset means on in development, off in production.
    introspection: bool | None = None

    # What one request may ask of the gateway (gateway/limits.py explains how cost is counted).
    # The body of a POST to /graphql, in bytes as sent (before its JSON is decoded), counted while it is
    # read. It bounds nothing else: not a GET's query string (its document meets `max_tokens` as it is
    # parsed), nor the answers the gateway reads from its subgraphs (trusted, and only timed).
    max_body_bytes: int = Field(256 * 1024, ge=1024)
    max_depth: int = Field(15, ge=2, le=100)
    max_aliases: int = Field(30, ge=0)
    max_cost: int = Field(50_000, ge=1)
    max_tokens: int = Field(15_000, ge=100)
    max_operations: int = Field(50, ge=1)
    max_definitions: int = Field(500, ge=1)
    max_fields: int = Field(2_000, ge=10)
    # Browser origins allowed to call /graphql (gateway/cors.py). Unset: any localhost origin in
    # development, none in production; empty: none. Comma-separated or a JSON list; "*" alone: any.
    # (NoDecode: a settings source hands the raw text to the validator below, which splits it.)
    cors_origins: Annotated[list[str] | None, NoDecode] = None
    # How long the gateway waits for a subgraph before it answers without that subgraph's fields.
    subgraph_timeout_seconds: float = Field(10.0, gt=0, le=300)
    # Identical subgraph queries in flight at once for the same caller are sent once (gateway/transport.py).
    deduplicate_subgraph_queries: bool = True
    # A folder the gateway processes of one machine share persisted queries through (gateway/apq.py);
    # `qf serve --service gateway --workers N` makes one. Unset: each process keeps its own.
    persisted_queries_dir: Path | None = None

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
        """Production keeps Prometheus' scrape off the public endpoint (served by `create_metrics_app`)."""
        return self.environment == "production"
