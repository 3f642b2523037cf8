"""What every resolver gets in `info.context`: the database, the signed caller, per-request loaders."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable, Sequence
from dataclasses import dataclass, field
from typing import Any

from strawberry.dataloader import DataLoader

from services.common.db import Database
from services.common.settings import Settings
from services.common.signing import Caller


@dataclass
class Context:
    db: Database
    caller: Caller
    settings: Settings
    request: Any = None
    _loaders: dict[str, DataLoader[Any, Any]] = field(default_factory=dict)

    def loader(
        self, name: str, batch: Callable[[Sequence[Hashable]], Awaitable[Sequence[Any]]]
    ) -> DataLoader[Any, Any]:
        """The request's DataLoader called `name`: loads made in one tick become one `batch` call.

        Loaders live for one request only, so nothing cached leaks between callers.
        """
        if name not in self._loaders:
            self._loaders[name] = DataLoader(load_fn=batch)
        return self._loaders[name]


def by_key(rows: Sequence[Any], keys: Sequence[Hashable], key: str) -> list[Any]:
    """Rows reordered to match `keys` (None where a key has no row), as DataLoaders need."""
    found = {row[key]: row for row in rows}
    return [found.get(k) for k in keys]
