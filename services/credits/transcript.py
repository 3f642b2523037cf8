"""A learner's credit in one programme, computed and explained line by line.

Pure: no database and no GraphQL, so the same rules give the same answer to `creditTranscript`,
`creditValue` and `applyCredits` (which starts from what the ledger already applied).

Each certificate meets these tests in this order; the first that fails gives its line's status:
revoked on the date, expired, older than the programme allows, certifying only some elements, no rule
covering its version, no covering rule in force on the date. A certificate that passes earns its rule's
credits less the credits of courses an earlier line already exempted (counted once), and the running total
stops at the programme's cap: the lower of its cap on recognised competence and its total less the credits
that must be earned in residence. Certificates count in the order they were issued, so an earlier
certificate keeps its credit when a later one repeats its courses or meets the cap.
"""

from __future__ import annotations

import calendar
import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

ZERO = Decimal(0)


class LineStatus(enum.Enum):
    RECOGNIZED = "RECOGNIZED"
    CAPPED = "CAPPED"
    DUPLICATE_COURSE = "DUPLICATE_COURSE"
    DUPLICATE_STANDARD = "DUPLICATE_STANDARD"
    NO_RULE = "NO_RULE"
    RULE_NOT_IN_FORCE = "RULE_NOT_IN_FORCE"
    CERTIFICATE_TOO_OLD = "CERTIFICATE_TOO_OLD"
    CERTIFICATE_REVOKED = "CERTIFICATE_REVOKED"
    CERTIFICATE_EXPIRED = "CERTIFICATE_EXPIRED"
    PARTIAL_CERTIFICATE = "PARTIAL_CERTIFICATE"


class CapBasis(enum.Enum):
    RECOGNITION_CAP = "RECOGNITION_CAP"
    RESIDENCY = "RESIDENCY"


@dataclass(frozen=True)
class Certificate:
    """What the registry says of a certificate (never what a client says)."""

    folio: str
    standard_code: str
    issued_on: date
    expires_on: date | None = None
    revoked: bool = False
    revoked_on: date | None = None
    whole: bool = True
    # Earlier versions of its standard this version is equivalent to (equivalentEarlierVersions).
    equivalent_earlier: tuple[str, ...] = ()

    def revoked_by(self, day: date) -> bool:
        return self.revoked and (self.revoked_on is None or self.revoked_on <= day)


@dataclass(frozen=True)
class Course:
    code: str
    title: str
    credits: Decimal
    title_en: str | None = None


@dataclass(frozen=True)
class Rule:
    id: int
    institution_id: str
    program_id: str | None
    base_code: str
    versions: tuple[str, ...]
    credits: Decimal
    credit_level: str
    courses: tuple[Course, ...]
    valid_from: date
    valid_to: date | None
    status: str
    approved_on: date | None = None
    retired_on: date | None = None

    def covers(self, certificate: Certificate) -> bool:
        return certificate.standard_code in self.versions or any(
            v in self.versions for v in certificate.equivalent_earlier
        )

    def in_force(self, day: date) -> bool:
        """Approved by `day`, not retired by then, and inside its validity window."""
        if self.approved_on is None or self.approved_on > day:
            return False
        if self.retired_on is not None and self.retired_on <= day:
            return False
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)

    def window(self) -> str:
        return f"{self.valid_from.isoformat()}..{self.valid_to.isoformat() if self.valid_to else ''}"


@dataclass(frozen=True)
class Program:
    id: str
    institution_id: str
    total_credits: Decimal
    recognition_cap: Decimal
    residency_credits: Decimal
    max_certificate_age_years: int | None = None

    @property
    def cap(self) -> tuple[Decimal, CapBasis]:
        """The most recognised competence can earn here, and which requirement sets it."""
        by_residency = self.total_credits - self.residency_credits
        if by_residency < self.recognition_cap:
            return by_residency, CapBasis.RESIDENCY
        return self.recognition_cap, CapBasis.RECOGNITION_CAP


@dataclass(frozen=True)
class Line:
    certificate: Certificate
    status: LineStatus
    credits: Decimal  # what counts toward the programme
    reason_es: str
    reason_en: str
    rule: Rule | None = None
    courses: tuple[Course, ...] = ()  # exempted by this line


@dataclass(frozen=True)
class Transcript:
    program: Program
    as_of: date
    lines: tuple[Line, ...]
    eligible_credits: Decimal  # before the cap
    recognized_credits: Decimal
    cap: Decimal
    cap_basis: CapBasis
    already_counted: Decimal = ZERO
    exempted: tuple[Course, ...] = field(default=())

    @property
    def credits_still_needed(self) -> Decimal:
        return max(ZERO, self.program.total_credits - self.already_counted - self.recognized_credits)


def fmt(value: Decimal) -> str:
    """4, 4.5, 4.25: credits as a person writes them."""
    text = f"{value.quantize(Decimal('0.01')):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def years_after(day: date, years: int) -> date:
    year = day.year + years
    return day.replace(year=year, day=min(day.day, calendar.monthrange(year, day.month)[1]))


def compute(
    program: Program,
    rules: Iterable[Rule],
    certificates: Sequence[Certificate],
    as_of: date,
    *,
    already_counted: Decimal = ZERO,
    already_exempted: Iterable[str] = (),
    already_credited: Iterable[str] = (),
) -> Transcript:
    """The transcript of `certificates` in `program` on `as_of`.

    `rules` may hold any rule of the institution; those of other programmes are ignored.
    `already_counted`, `already_exempted` and `already_credited` are the credits, course codes and standard
    codes the ledger applied before.
    """
    usable = [
        r for r in rules if r.institution_id == program.institution_id and r.program_id in (None, program.id)
    ]
    cap, basis = program.cap
    counted = already_counted
    exempted = set(already_exempted)
    # One competence earns credit once: a second certificate of the same standard (a re-certification, or
    # a later version) adds nothing, whatever courses its rule lists.
    credited: dict[str, str] = {base_code(code): "" for code in already_credited}
    lines: list[Line] = []
    eligible = ZERO
    for certificate in sorted(
        (c for c in certificates if c.issued_on <= as_of), key=lambda c: (c.issued_on, c.folio)
    ):
        line, earned = _judge(program, usable, certificate, as_of, exempted)
        base = base_code(certificate.standard_code)
        if earned > 0 and base in credited:
            line, earned = _repeated_standard(line, credited[base]), ZERO
        if line.status in (LineStatus.RECOGNIZED, LineStatus.DUPLICATE_COURSE):
            eligible += earned
            room = max(ZERO, cap - counted)
            if earned > room:
                line = _capped(line, earned, room, cap, basis)
            counted += line.credits
            exempted.update(c.code for c in line.courses)
            if line.credits > 0:
                credited[base] = certificate.folio
        lines.append(line)
    recognized = counted - already_counted
    return Transcript(
        program=program,
        as_of=as_of,
        lines=tuple(lines),
        eligible_credits=eligible,
        recognized_credits=recognized,
        cap=cap,
        cap_basis=basis,
        already_counted=already_counted,
        exempted=tuple(c for line in lines for c in line.courses),
    )


def _judge(
    program: Program, rules: list[Rule], cert: Certificate, as_of: date, exempted: set[str]
) -> tuple[Line, Decimal]:
    """The line before the cap, and the credits it would earn."""

    def line(status: LineStatus, es: str, en: str, **more: object) -> tuple[Line, Decimal]:
        return Line(cert, status, ZERO, es, en, **more), ZERO  # type: ignore[arg-type]

    code = cert.standard_code
    if cert.revoked_by(as_of):
        when = cert.revoked_on.isoformat() if cert.revoked_on else "?"
        return line(
            LineStatus.CERTIFICATE_REVOKED,
            f"El certificado {cert.folio} fue revocado el {when}; no otorga créditos.",
            f"Certificate {cert.folio} was revoked on {when}; it earns no credit.",
        )
    if cert.expires_on is not None and cert.expires_on < as_of:
        return line(
            LineStatus.CERTIFICATE_EXPIRED,
            f"El certificado {cert.folio} venció el {cert.expires_on.isoformat()}.",
            f"Certificate {cert.folio} expired on {cert.expires_on.isoformat()}.",
        )
    age = program.max_certificate_age_years
    if age is not None and years_after(cert.issued_on, age) < as_of:
        return line(
            LineStatus.CERTIFICATE_TOO_OLD,
            f"El certificado se emitió el {cert.issued_on.isoformat()}; el programa acepta certificados "
            f"de hasta {age} años de antigüedad.",
            f"The certificate was issued on {cert.issued_on.isoformat()}; the programme accepts "
            f"certificates up to {age} years old.",
        )
    if not cert.whole:
        return line(
            LineStatus.PARTIAL_CERTIFICATE,
            f"El certificado acredita solo algunos elementos de {code}; las reglas piden el estándar "
            "completo.",
            f"The certificate covers only some elements of {code}; the rules require the whole standard.",
        )
    same_base = [r for r in rules if r.base_code == code.split(".")[0] and r.status != "proposed"]
    covering = [r for r in same_base if r.covers(cert)]
    if not covering:
        pending = any(r.base_code == code.split(".")[0] and r.status == "proposed" for r in rules)
        if same_base:
            versions = ", ".join(sorted({v for r in same_base for v in r.versions}))
            es = (
                f"Las reglas de esta institución cubren {versions}; {code} no está registrada como "
                "equivalente a esas versiones."
            )
            en = f"This institution's rules cover {versions}; {code} is not recorded as equivalent to them."
        else:
            es = f"Esta institución no tiene una regla aprobada para {code} en este programa."
            en = f"This institution has no approved rule for {code} in this programme."
        if pending:
            es += " Hay una regla propuesta, aún sin aprobar."
            en += " A rule has been proposed and awaits approval."
        return line(LineStatus.NO_RULE, es, en)
    in_force = [r for r in covering if r.in_force(as_of)]
    if not in_force:
        nearest = min(covering, key=lambda r: abs((r.valid_from - as_of).days))
        retired = nearest.retired_on is not None and nearest.retired_on <= as_of
        retired_es = f", retirada el {nearest.retired_on}" if retired else ""
        retired_en = f", retired on {nearest.retired_on}" if retired else ""
        es = (
            f"La regla {nearest.id} para {code} no está vigente el {as_of.isoformat()} "
            f"(vigencia {nearest.window()}{retired_es})."
        )
        en = (
            f"Rule {nearest.id} for {code} is not in force on {as_of.isoformat()} "
            f"(valid {nearest.window()}{retired_en})."
        )
        return line(LineStatus.RULE_NOT_IN_FORCE, es, en, rule=nearest)
    # A programme's own rule wins over the institution's general one; then the most recent.
    rule = max(in_force, key=lambda r: (r.program_id is not None, r.valid_from, r.id))
    repeated = tuple(c for c in rule.courses if c.code in exempted)
    new = tuple(c for c in rule.courses if c.code not in exempted)
    earned = max(ZERO, rule.credits - sum((c.credits for c in repeated), ZERO))
    status = LineStatus.DUPLICATE_COURSE if repeated else LineStatus.RECOGNIZED
    es, en = _credit_reason(rule, repeated, earned, new)
    return Line(cert, status, earned, es, en, rule=rule, courses=new), earned


def base_code(standard_code: str) -> str:
    return standard_code.split(".")[0]


def _repeated_standard(line: Line, earlier: str) -> Line:
    code = line.certificate.standard_code
    by_es = f"el certificado {earlier}" if earlier else "un certificado aplicado antes"
    by_en = f"certificate {earlier}" if earlier else "a certificate applied before"
    return Line(
        line.certificate,
        LineStatus.DUPLICATE_STANDARD,
        ZERO,
        f"La competencia de {code} ya recibió créditos con {by_es}; se reconoce una sola vez.",
        f"The competence of {code} already earned credit with {by_en}; it is recognised once.",
        rule=line.rule,
    )


def _capped(line: Line, earned: Decimal, room: Decimal, cap: Decimal, basis: CapBasis) -> Line:
    """`line` cut to the `room` left under the cap; it keeps only the courses that fit, and its sentence
    is written again from what it keeps."""
    assert line.rule is not None  # only a line that earns credit under a rule reaches the cap
    kept: list[Course] = []
    used = ZERO
    for course in line.courses:
        if used + course.credits <= room:
            kept.append(course)
            used += course.credits
    dropped = tuple(c for c in line.courses if c not in kept)
    # The rule's courses that the line did not take were exempted by an earlier line (see `_judge`).
    repeated = tuple(c for c in line.rule.courses if c not in line.courses)
    es, en = _credit_reason(line.rule, repeated, earned, tuple(kept), Cut(cap, basis, room, dropped))
    return Line(line.certificate, LineStatus.CAPPED, room, es, en, rule=line.rule, courses=tuple(kept))


@dataclass(frozen=True)
class Cut:
    """What the programme's cap took from a line: the cap, what set it, the credits left, the courses
    that no longer fit."""

    cap: Decimal
    basis: CapBasis
    room: Decimal
    dropped: tuple[Course, ...]


def _codes(courses: Sequence[Course]) -> str:
    return ", ".join(c.code for c in courses)


def _credit_reason(
    rule: Rule,
    repeated: Sequence[Course],
    earned: Decimal,
    exempted: Sequence[Course],
    cut: Cut | None = None,
) -> tuple[str, str]:
    """The Spanish and English sentences of a line that earns credit under `rule`.

    Written only from the facts the line carries (its rule, the courses an earlier line already exempted,
    the credits, the courses it exempts, what the cap took), so the text can never name a course that
    `exemptedCourses` does not list, nor leave out one it does: the courses after "convalida"/"exempts"
    are exactly `exempted`.
    """
    if repeated:
        less = fmt(rule.credits - earned)
        es = (
            f"Regla {rule.id}: {fmt(rule.credits)} créditos, menos {less} de {_codes(repeated)}, "
            f"ya convalidado por otro certificado; cuenta {fmt(earned)}"
        )
        en = (
            f"Rule {rule.id}: {fmt(rule.credits)} credits, less {less} for {_codes(repeated)}, "
            f"already exempted by another certificate; {fmt(earned)} count"
        )
    else:
        es, en = f"Regla {rule.id}: {fmt(earned)} créditos", f"Rule {rule.id}: {fmt(earned)} credits"
    if cut is not None:
        if cut.basis is CapBasis.RECOGNITION_CAP:
            why_es, why_en = "el tope de créditos por competencias", "the cap on recognised credit"
        else:
            why_es, why_en = "la residencia", "the residency requirement"
        es += (
            f". El programa reconoce como máximo {fmt(cut.cap)} créditos ({why_es}): "
            f"cuentan {fmt(cut.room)} de {fmt(earned)}"
        )
        en += (
            f". The programme recognises at most {fmt(cut.cap)} credits ({why_en}): "
            f"{fmt(cut.room)} of {fmt(earned)} count"
        )
    if exempted:
        es += f"; convalida {_codes(exempted)}"
        en += f"; exempts {_codes(exempted)}"
    if cut is not None and cut.dropped:
        es += f"; no convalida {_codes(cut.dropped)}, que ya no cabe bajo el tope"
        en += f"; does not exempt {_codes(cut.dropped)}, which no longer fits under the cap"
    return es + ".", en + "."
