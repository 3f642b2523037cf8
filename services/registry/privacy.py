"""Who may see a certificate, and the disclosures that let an institution see a learner's.

- Admins see every certificate; a certifier sees its own body's.
- A registrar sees a learner's certificates once one of them was presented for a deposit at its
  institution. The credit bank verifies every deposit with the registry, signing as
  `CREDIT_BANK_SUBJECT` with the institution as scope; that verification records the disclosure
  (`disclosures`), and nothing else does. Before it, a registrar sees none of the learner's certificates.
- The person who certified is shown to the certifying body and admins only.
- The change feed carries standards and accreditations for everyone, and a certificate's events only
  for those who may see the certificate; the credit bank, which follows revocations for every
  institution, sees those of learners disclosed to any institution (the only ones it can hold).
"""

from __future__ import annotations

from typing import Any

from strawberry.types import Info

from services.common.context import Context
from services.common.errors import Forbidden
from services.common.permissions import allows
from services.common.signing import CREDIT_BANK_SUBJECT, Caller


def _ctx(info: Info) -> Context:
    return info.context


def is_deposit_check(caller: Caller) -> bool:
    """The credit bank verifying certificates for a deposit at the institution in the caller's scope."""
    return caller.role == "registrar" and caller.subject == CREDIT_BANK_SUBJECT and bool(caller.scope)


def record_disclosure(info: Info, folio: str) -> Any:
    """Discloses the holder of `folio` to the caller's institution (a deposit check); batched per request.

    It is written, and committed, before the certificate is read: a revocation the feed shows after this
    check is then one the credit bank is allowed to see.
    """
    ctx = _ctx(info)
    institution = ctx.caller.scope

    async def batch(folios: list[str]) -> list[None]:
        await ctx.db.execute(
            """INSERT INTO disclosures (holder_ref, institution_id, folio)
               SELECT DISTINCT ON (holder_ref) holder_ref, $1, folio FROM certificates
               WHERE folio = ANY($2::text[]) ORDER BY holder_ref, folio
               ON CONFLICT DO NOTHING""",
            institution,
            folios,
        )
        return [None] * len(folios)

    return ctx.loader("disclose", batch).load(folio)


def _disclosed(info: Info, holder_ref: str) -> Any:
    """Whether the caller's institution may see this holder's certificates; one query per request."""
    ctx = _ctx(info)

    async def batch(refs: list[str]) -> list[bool]:
        rows = await ctx.db.fetch(
            "SELECT holder_ref FROM disclosures WHERE institution_id = $1 AND holder_ref = ANY($2::text[])",
            ctx.caller.scope,
            refs,
        )
        found = {r["holder_ref"] for r in rows}
        return [ref in found for ref in refs]

    return ctx.loader("disclosed", batch).load(holder_ref)


async def may_read(info: Info, row: Any) -> bool:
    """Whether the caller may see this certificate (a `certificates` row) in full."""
    caller = _ctx(info).caller
    if allows(caller, "certifier", scope=row["body_id"]):
        return True
    if caller.role == "registrar" and caller.scope:
        return bool(await _disclosed(info, row["holder_ref"]))
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
