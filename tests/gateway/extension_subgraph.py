"""A synthetic subgraph that extends the registry's `Standard`, standing in for credits and mapping
until they exist. Run alone (`python -m tests.gateway.extension_subgraph PORT`) so a test can kill it
mid-request.
"""

from __future__ import annotations

import asyncio
import sys
from typing import Any

import uvicorn

from tests.gateway.synthetic.runtime import Subgraph, create_app, link

SDL = (
    link("@key", "@external", "@requires")
    + """
type Standard @key(fields: "code") {
  code: String!
  level: Int! @external
  "Invented for the tests: how many characters the code has."
  demandIndex: Int!
  "Needs the registry's level: basic for levels 1-2, advanced above."
  levelBand: String! @requires(fields: "level")
  "Answers after `seconds`, so a test can time out or kill this subgraph mid-request."
  slowNote(seconds: Float!): String
}

type Query {
  trending: [Standard!]!
  "How many slow notes this process has written: tells how many requests reached it."
  slowNotesWritten: Int!
}
"""
)


_written = 0


async def _slow_note(standard: dict[str, Any], _info: Any, seconds: float) -> str:
    global _written
    _written += 1
    await asyncio.sleep(seconds)
    return f"{standard['code']} after {seconds:g} s"


EXTENSION = Subgraph(
    "extension",
    SDL,
    {
        "Query.trending": lambda _obj, _info: [{"code": "EC0217.01"}, {"code": "EC0301"}],
        "Query.slowNotesWritten": lambda _obj, _info: _written,
        "Standard.__resolve_reference": lambda rep: {**rep},
        "Standard.demandIndex": lambda standard, _info: len(standard["code"]),
        "Standard.levelBand": lambda standard, _info: "basic" if standard["level"] <= 2 else "advanced",
        "Standard.slowNote": _slow_note,
    },
)


def app() -> Any:
    return create_app({"ext": [EXTENSION]})


if __name__ == "__main__":
    uvicorn.run(app(), host="127.0.0.1", port=int(sys.argv[1]), log_level="warning")
