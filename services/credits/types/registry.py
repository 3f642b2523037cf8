"""The registry's entities the credit bank extends.

`Standard`, `Certificate` and `Learner` belong to the registry. The credit bank adds fields to them and
declares, with `@requires`, which registry facts those fields need: the gateway fetches the facts from the
registry and hands them over in the entity representation, so the credit bank never reads the registry's
tables and never trusts a client for them.
"""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import date
from typing import Any

import strawberry

from services.common.errors import Forbidden, NotFound
from services.credits import catalog, transcript
from services.credits.loaders import Info
from services.credits.registry_link import certificate_from_graphql
from services.credits.types.catalog import EquivalenceRule, is_insider
from services.credits.types.enums import CertificateScope, CertificateStatus
from services.credits.types.transcript import CreditLine, CreditTranscript


def _external(**kwargs: Any) -> Any:
    """A registry field this subgraph requires but never resolves: the gateway fetches it from the registry.

    The declared type matches the registry's exactly (composition checks it); the Python default only
    satisfies the dataclass.
    """
    return strawberry.federation.field(external=True, default=None, **kwargs)


# Fields the credit bank adds to the registry's entities are nullable: when the credit bank cannot answer
# (or refuses), the gateway nulls only them, and the standard or learner the registry gave still shows.
WHEN_NULL = " Null when the credit bank could not answer or refused; the response's errors say why."


@strawberry.federation.type(
    keys=["code"], description="A CONOCER competency standard (owned by the registry)."
)
class Standard:
    code: str
    equivalent_earlier_versions: list[str] = _external()

    @classmethod
    def resolve_reference(cls, info: Info, code: str, **required: Any) -> Standard:
        return cls(code=code, equivalent_earlier_versions=required.get("equivalentEarlierVersions"))

    @strawberry.federation.field(
        requires=["equivalentEarlierVersions"],
        description="Approved rules in force on `asOf` (today by default) that give this version credit, "
        "at one institution or programme or at all of them." + WHEN_NULL,
    )
    async def credit_equivalences(
        self,
        info: Info,
        institution_id: strawberry.ID | None = None,
        program_id: strawberry.ID | None = None,
        as_of: date | None = None,
    ) -> list[EquivalenceRule] | None:
        day = as_of or date.today()
        program = None
        if program_id is not None:
            program = await info.context.loaders.program.load(str(program_id))
            if program is None:
                raise NotFound(f"No programme has the id {program_id!r}.", argument="programId")
        certificate = transcript.Certificate(
            folio="",
            standard_code=self.code,
            issued_on=day,
            equivalent_earlier=tuple(self.equivalent_earlier_versions or ()),
        )
        rows = await info.context.loaders.rules_for_base.load(transcript.base_code(self.code))
        chosen = []
        for row in rows:
            rule = catalog.rule_of(row)
            if institution_id is not None and rule.institution_id != str(institution_id):
                continue
            if program is not None and (
                rule.institution_id != program["institution_id"]
                or rule.program_id not in (None, program["id"])
            ):
                continue
            if rule.covers(certificate) and rule.in_force(day):
                chosen.append(EquivalenceRule.from_row(row))
        return chosen


CERTIFICATE_FACTS = (
    "folio standardCode scope issuedOn expiresOn status revokedOn standard { equivalentEarlierVersions }"
)


@strawberry.federation.type(keys=["folio"], description="A competence certificate (owned by the registry).")
class Certificate:
    folio: str
    standard_code: str = _external()
    scope: CertificateScope = _external()
    issued_on: date = _external()
    expires_on: date | None = _external()
    status: CertificateStatus = _external()
    revoked_on: date | None = _external()
    standard: Standard = _external()
    _facts: strawberry.Private[dict[str, Any] | None] = None

    @classmethod
    def resolve_reference(cls, info: Info, folio: str, **required: Any) -> Certificate:
        return cls(folio=folio, _facts={"folio": folio, **required} if required else None)

    @strawberry.federation.field(
        requires=[CERTIFICATE_FACTS.removeprefix("folio ")],
        description="What this certificate alone earns in a programme on `asOf` (today by default), and why; "
        "null when it had not been issued by then.",
    )
    async def credit_value(
        self, info: Info, program_id: strawberry.ID, as_of: date | None = None
    ) -> CreditLine | None:
        result = await _transcript(info, program_id, [self._facts or {}], as_of)
        return CreditLine.of(result.lines[0]) if result.lines else None


@strawberry.federation.type(keys=["holderRef"], description="A certificate holder (owned by the registry).")
class Learner:
    holder_ref: str
    certificates: list[Certificate] = _external()
    _certificates: strawberry.Private[list[dict[str, Any]]] = dataclasses.field(default_factory=list)

    @classmethod
    def resolve_reference(cls, info: Info, holderRef: str, **required: Any) -> Learner:
        return cls(holder_ref=holderRef, _certificates=list(required.get("certificates") or []))

    @strawberry.federation.field(
        requires=[f"certificates {{ {CERTIFICATE_FACTS} }}"],
        description="The learner's certificates judged by a programme's rules on `asOf` (today by default): "
        "a line per certificate with its status, credits and reasons in Spanish and English; totals; the "
        "cap applied; and the credits still needed for the award." + WHEN_NULL,
    )
    async def credit_transcript(
        self, info: Info, program_id: strawberry.ID, as_of: date | None = None
    ) -> CreditTranscript | None:
        return CreditTranscript.of(await _transcript(info, program_id, self._certificates, as_of))


async def _transcript(
    info: Info, program_id: strawberry.ID, facts: list[dict[str, Any]], as_of: date | None
) -> transcript.Transcript:
    row = await info.context.loaders.program.load(str(program_id))
    if row is None:
        raise NotFound(f"No programme has the id {program_id!r}.", argument="programId")
    caller = info.context.caller
    if not is_insider(info, row["institution_id"]):
        raise Forbidden(
            f"Credit for a learner in {row['id']} is for registrars of {row['institution_id']} and admins; "
            f"you are {caller.role!r}" + (f" of {caller.scope!r}." if caller.scope else "."),
        )
    certificates = [certificate_from_graphql(f) for f in facts if f.get("issuedOn")]
    bases = sorted({transcript.base_code(c.standard_code) for c in certificates})
    rules_at = info.context.loaders.rules_at
    found = await asyncio.gather(*(rules_at.load((row["institution_id"], base)) for base in bases))
    rules = [catalog.rule_of(r) for rows in found for r in rows]
    return transcript.compute(catalog.program_of(row), rules, certificates, as_of or date.today())
