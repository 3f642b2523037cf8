"""A transcript: each certificate's credit toward a programme, and why."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Annotated, Any

import strawberry

from services.credits import catalog, transcript
from services.credits.loaders import Info
from services.credits.types.catalog import EquivalenceRule, ExemptedCourse, Program
from services.credits.types.enums import CapBasis, LineStatus

if TYPE_CHECKING:
    from services.credits.types.registry import Certificate

REGISTRY = "services.credits.types.registry"  # its Certificate has credit lines; a line names its Certificate


@strawberry.type(description="One certificate on a transcript or in a credit application.")
class CreditLine:
    folio: str
    standard_code: str
    status: LineStatus  # type: ignore[valid-type]
    credits: float = strawberry.field(description="What counts toward the programme.")
    exempted_courses: list[ExemptedCourse]
    reason: str = strawberry.field(description="Why, in Spanish.")
    reason_en: str = strawberry.field(description="Why, in English.")
    _rule_id: strawberry.Private[int | None]

    @classmethod
    def of(cls, line: transcript.Line) -> CreditLine:
        return cls(
            folio=line.certificate.folio,
            standard_code=line.certificate.standard_code,
            status=line.status,
            credits=float(line.credits),
            exempted_courses=[ExemptedCourse.of(c) for c in line.courses],
            reason=line.reason_es,
            reason_en=line.reason_en,
            _rule_id=line.rule.id if line.rule else None,
        )

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> CreditLine:
        return cls(
            folio=data["folio"],
            standard_code=data["standardCode"],
            status=transcript.LineStatus(data["status"]),
            credits=float(data["credits"]),
            exempted_courses=[ExemptedCourse.of(c) for c in catalog.courses_of(data["courses"])],
            reason=data["reasonEs"],
            reason_en=data["reasonEn"],
            _rule_id=data["ruleId"],
        )

    @strawberry.field
    def certificate(self) -> Annotated[Certificate, strawberry.lazy(REGISTRY)]:
        from services.credits.types.registry import Certificate  # imports this module: a cycle at load time

        return Certificate(folio=self.folio)

    @strawberry.field(description="The rule that decided the line, if one did.")
    async def rule(self, info: Info) -> EquivalenceRule | None:
        if self._rule_id is None:
            return None
        return EquivalenceRule.from_optional_row(await info.context.loaders.rule.load(self._rule_id))


@strawberry.type(description="A learner's certificates judged by one programme's rules on one date.")
class CreditTranscript:
    as_of: date
    lines: list[CreditLine]
    eligible_credits: float = strawberry.field(description="What the lines would earn without the cap.")
    recognized_credits: float = strawberry.field(description="What counts, after duplicates and the cap.")
    cap_applied: float = strawberry.field(description="The programme's effective cap on recognised credit.")
    cap_basis: CapBasis  # type: ignore[valid-type]
    total_credits: float
    residency_credits: float
    credits_still_needed: float = strawberry.field(
        description="The award's total less the recognised credits."
    )
    exempted_courses: list[ExemptedCourse]
    _program_id: strawberry.Private[str]

    @classmethod
    def of(cls, result: transcript.Transcript) -> CreditTranscript:
        return cls(
            as_of=result.as_of,
            lines=[CreditLine.of(line) for line in result.lines],
            eligible_credits=float(result.eligible_credits),
            recognized_credits=float(result.recognized_credits),
            cap_applied=float(result.cap),
            cap_basis=result.cap_basis,
            total_credits=float(result.program.total_credits),
            residency_credits=float(result.program.residency_credits),
            credits_still_needed=float(result.credits_still_needed),
            exempted_courses=[ExemptedCourse.of(c) for c in result.exempted],
            _program_id=result.program.id,
        )

    @strawberry.field
    async def program(self, info: Info) -> Program:
        return Program.from_row(await info.context.loaders.program.load(self._program_id))
