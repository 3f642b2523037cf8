"""What every resolver gets in `info.context`: the database, the signed caller, per-request loaders."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable, Sequence
from dataclasses import dataclass, field
from typing import Any

from strawberry.dataloader import DataLoader

from gateway.signing import Caller
from services.common.db import Database
from services.common.errors import Forbidden
from services.common.settings import Settings


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

    def require_role(self, *roles: str, scope: str | None = None) -> Caller:
        """The caller, if it has one of `roles` (and, for scoped roles, acts for `scope`).

        `admin` passes everywhere.
        """
        caller = self.caller
        if caller.role == "admin":
            return caller
        if caller.role not in roles:
            allowed = ", ".join(sorted({*roles, "admin"}))
            raise Forbidden(
                f"This needs one of the roles {allowed}; you are {caller.role!r}.",
                requiredRoles=sorted({*roles, "admin"}),
            )
        if scope is not None and caller.scope != scope:
            raise Forbidden(f"Your {caller.role} key acts for {caller.scope!r}, not for {scope!r}.")
        return caller


def by_key(rows: Sequence[Any], keys: Sequence[Hashable], key: str) -> list[Any]:
    """Rows reordered to match `keys` (None where a key has no row), as DataLoaders need."""
    found = {row[key]: row for row in rows}
    return [found.get(k) for k in keys]
