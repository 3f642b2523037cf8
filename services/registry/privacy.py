"""Who may see a certificate, and the disclosures that let an institution see a learner's.

- Admins see every certificate; a certifier sees its own body's.
- A registrar sees a learner's certificates once the learner presented one of them for a deposit at its
  institution. The credit bank verifies every deposit with the registry, signing as
  `CREDIT_BANK_SUBJECT` with the institution as scope; that verification records the disclosure
  (`disclosures`), and nothing else does. Before it, a registrar sees none of the learner's certificates.
- A folio alone proves nothing (folios are printed on certificates and can be guessed): a registrar's
  deposit also carries the CURP the learner handed over, and it counts only when that CURP is the
  certificate's holder's. Otherwise the check answers as for a folio that does not exist, records
  nothing and discloses nothing, so it cannot be used to learn who holds a folio. Only an admin's deposit
  (the credit bank signs it with the admin role) may come without the CURP: admins see every certificate
  and answer for what they bank.
- The person who certified is shown to the certifying body and admins only.
- The change feed carries standards and accreditations for everyone, and a certificate's events only
  for those who may see the certificate; the credit bank, which follows revocations for every
  institution, sees those of learners disclosed to any institution (the only ones it can hold).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from gateway.signing import Caller
from services.common.callers import CREDIT_BANK_SUBJECT
from services.common.curp import holder_ref
from services.common.errors import BadUserInput, Forbidden
from services.common.permissions import allows

if TYPE_CHECKING:
    from services.registry.loaders import Info


def is_deposit_check(caller: Caller) -> bool:
    """The credit bank verifying certificates for a deposit at the institution in the caller's scope, on
    behalf of a registrar of it or of an admin (the role)."""
    return (
        caller.role in ("registrar", "admin") and caller.subject == CREDIT_BANK_SUBJECT and bool(caller.scope)
    )


async def presented(info: Info, folio: str, holder_curp: str | None) -> bool:
    """Whether `folio` is a certificate of the holder whose CURP the depositor gave; when it is, discloses
    that holder to the caller's institution (a deposit check). Batched per request.

    False, with nothing written, for a folio that does not exist, a CURP that is not its holder's or is not
    a CURP, and a registrar's deposit without one: the same answer, so that it tells nothing.
    The disclosure is written, and committed, before the certificate is read: a revocation the feed shows
    after this check is then one the credit bank is allowed to see.
    """
    caller = info.context.caller
    if holder_curp is None:
        if caller.role != "admin":
            return False
        holder = None
    else:
        try:
            holder = holder_ref(info.context.settings.require_curp_salt(), holder_curp)
        except BadUserInput:
            return False
    return await info.context.loaders.present.load((folio, holder))


async def may_read(info: Info, row: Any) -> bool:
    """Whether the caller may see this certificate (a `certificates` row) in full."""
    caller = info.context.caller
    if allows(caller, "certifier", scope=row["body_id"]):
        return True
    if caller.role == "registrar" and caller.scope:
        return await info.context.loaders.disclosed.load(row["holder_ref"])
    return False


async def ensure_can_read(info: Info, row: Any) -> None:
    if not await may_read(info, row):
        raise Forbidden(
            "Certificate details are for the issuing body, admins and registrars of an institution where "
            "one of the holder's certificates was deposited; anyone can check a certificate with "
            "verifyCertificate(folio)."
        )


def may_see_certifying_person(caller: Caller, body_id: str) -> bool:
    return allows(caller, "certifier", scope=body_id)


def feed_filter(caller: Caller, first_parameter: int) -> tuple[str, list[Any]]:
    """SQL over `change_log` keeping the events this caller may see, and its parameters.

    `first_parameter` is the number of the first `$n` the condition may use.
    """
    if allows(caller):
        return "true", []
    if caller.role == "certifier" and caller.scope:
        return f"(entity <> 'certificate' OR data ->> 'body_id' = ${first_parameter})", [caller.scope]
    disclosed = """EXISTS (SELECT 1 FROM certificates c JOIN disclosures d ON d.holder_ref = c.holder_ref
                           WHERE c.folio = change_log.key{})"""
    if caller.role == "registrar" and caller.scope:
        condition = disclosed.format(f" AND d.institution_id = ${first_parameter}")
        return f"(entity <> 'certificate' OR {condition})", [caller.scope]
    if caller.role == "registrar" and caller.subject == CREDIT_BANK_SUBJECT:
        return f"(entity <> 'certificate' OR {disclosed.format('')})", []
    return "entity <> 'certificate'", []
