"""Who may do what: the roles of the signed caller, checked one way in every subgraph.

`admin` passes every check. A scoped role (a registrar's institution, a committee, a certifier's body,
a task force's party) passes only where a check names its scope. Root fields declare their roles with
strawberry's permission classes (`permission_classes=[IsAdmin]`); checks that depend on a row the
resolver has to read first (the committee of a standard, the institution of a programme) call
`require_role` with the scope once they know it. Either way the caller gets a `FORBIDDEN` error that
names the roles it needs and the one it has.
"""

from __future__ import annotations

from typing import Any, ClassVar

from strawberry.permission import BasePermission
from strawberry.types import Info

from gateway.signing import Caller
from services.common.errors import Forbidden

ADMIN = "admin"


def allows(caller: Caller, *roles: str, scope: str | None = None) -> bool:
    """Whether `caller` is an admin, or has one of `roles` and (when `scope` is given) acts for it."""
    if caller.role == ADMIN:
        return True
    return caller.role in roles and (scope is None or caller.scope == scope)


def require_role(caller: Caller, *roles: str, scope: str | None = None) -> Caller:
    """`caller`, if `allows` it; otherwise `Forbidden`, saying which roles (or which scope) it needs."""
    if allows(caller, *roles, scope=scope):
        return caller
    if caller.role not in roles:
        needed = sorted({*roles, ADMIN})
        raise Forbidden(
            f"This needs one of the roles {', '.join(needed)}; you are {caller.role!r}.",
            requiredRoles=needed,
        )
    raise Forbidden(f"Your {caller.role} key acts for {caller.scope!r}, not for {scope!r}.")


class RolePermission(BasePermission):
    """A field for the callers with one of `roles` (and admins), whatever their scope.

    `has_permission` raises the `Forbidden` itself rather than returning False: strawberry's
    `on_unauthorized` has no access to the request, and the message names the caller's role.
    """

    roles: ClassVar[tuple[str, ...]] = ()

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        require_role(info.context.caller, *self.roles)
        return True


class IsAdmin(RolePermission):
    roles = ()


class IsTaskforce(RolePermission):
    roles = ("taskforce",)


class IsCommittee(RolePermission):
    roles = ("committee",)


class IsCertifier(RolePermission):
    roles = ("certifier",)


class IsRegistrar(RolePermission):
    roles = ("registrar",)


class IsRegistrarOrCertifier(RolePermission):
    roles = ("registrar", "certifier")
