"""The automotive scope of the Mexico-US task force, as a rule anyone can re-run.

A CONOCER standard is in the automotive scope when at least one of these holds; each that holds is a
reason, and all are listed:

1. COMMITTEE: its RENEC committee's name mentions the automotive industry ("automotriz", "automotor").
2. TITLE: its title names the trade (automotriz, automotor, automóvil, carrocería, autopartes), or
   names a vehicle or motorcycle as the object of workshop work (its first words: mantenimiento,
   reparación, diagnóstico, instalación, aplicación, pintura, valuación, inspección, verificación, ...);
   a title about driving or running vehicles for transport (conducción, operación del vehículo, ...)
   is the transport trade, not this one.
3. INDUSTRY: an edge (proposed or endorsed) leads from it to a SCIAN 2023 or NAICS industry under 3361,
   3362, 3363 (motor vehicles, bodies and trailers, parts), 4411 (automobile dealers) or 8111
   (automotive repair). RENEC gives a standard only its two-digit sector, so this reason comes from
   edges people add.
4. OCCUPATION: one of its counterparts (`Standard.counterparts`, proposed or endorsed) at confidence
   0.3 or more (about one in two such proposals is right on the gold set) is a SOC 2018 occupation
   49-30xx (vehicle and mobile equipment mechanics, installers and repairers).

Why not 68: the memorandum's "68 standards" counts what CONOCER developed with the industry over time.
RENEC's committee records (`committees_complete.json`) associate 61 standards with its eight automotive
committees, but only 28 of them are in today's list of 1,477: the other 33 are the NTCL standards that
preceded the EC codes (CMAU, the Mantenimiento Automotriz committee's 27, and CAUP, autoparts' 4) and
two withdrawn ECs (EC0230, EC0403). The registry holds current standards only, so the rule selects
current ones: those 28 by committee, and about two dozen more of other committees by title or occupation.

Committee and title are read from RENEC at import (the illustrative agreement's scope is drawn from them,
since no proposal exists yet then); the `automotiveScope` query applies all four to the data as it is.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum

from services.mapping.counterparts.text import fold

COMMITTEE_TERMS = re.compile(r"\bautomo(triz|tor)")
AUTOMOTIVE_WORDS = re.compile(r"\b(automotri[zc]\w*|automotor\w*|automovil\w*|carroceria\w*|autopartes?)\b")
VEHICLE_WORDS = re.compile(r"\b(vehicul\w*|motocicleta\w*)\b")
# Work on a vehicle (repair, paint, diagnose, appraise, fit, ...), as a title's first words say it.
WORKSHOP_WORK = re.compile(
    r"^(mantenimiento|reparacion|diagnostico|instalacion|aplicacion|conformado|pintado|pintura|valuacion"
    r"|inspeccion|evaluacion|verificacion|realizacion de cambio|ensamble|armado|fabricacion|hojalateria"
    r"|manejo del sistema)\b"
)
# Driving or running a vehicle for transport is the transport trade, not the automotive one.
DRIVING = re.compile(
    r"^(conduccion|operacion (de|del) (vehiculo|automotores)|prestacion del servicio de transporte)"
)
INDUSTRIES = ("3361", "3362", "3363", "4411", "8111")
OCCUPATION_PREFIX = "49-30"
OCCUPATION_MIN_CONFIDENCE = 0.3
COMMITTEE_FACT = "committee"
COMMITTEE_SOURCE = "CONOCER, RENEC: the standard's committee (comite)"


class ReasonKind(Enum):
    COMMITTEE = "committee"
    TITLE = "title"
    INDUSTRY = "industry"
    OCCUPATION = "occupation"


@dataclass(frozen=True, slots=True)
class Reason:
    kind: ReasonKind
    detail: str  # what matched: the committee's name, the title's word, the industry or occupation code


def automotive_reasons(
    title: str,
    committee: str | None,
    industries: Iterable[str] = (),
    occupations: Iterable[str] = (),
) -> list[Reason]:
    """Why a standard is in the automotive scope (empty when it is not); `industries` are the SCIAN or
    NAICS codes its edges lead to, `occupations` the SOC 2018 codes of its counterparts."""
    reasons = []
    if committee and COMMITTEE_TERMS.search(fold(committee)):
        reasons.append(Reason(ReasonKind.COMMITTEE, committee))
    folded = fold(title).strip()
    if not DRIVING.match(folded):
        words = {m.group(0) for m in AUTOMOTIVE_WORDS.finditer(folded)}
        if WORKSHOP_WORK.match(folded):
            words.update(m.group(0) for m in VEHICLE_WORDS.finditer(folded))
        if words:
            reasons.append(Reason(ReasonKind.TITLE, ", ".join(sorted(words))))
    reasons.extend(
        Reason(ReasonKind.INDUSTRY, code) for code in sorted(set(industries)) if code[:4] in INDUSTRIES
    )
    reasons.extend(
        Reason(ReasonKind.OCCUPATION, code)
        for code in sorted(set(occupations))
        if code.startswith(OCCUPATION_PREFIX)
    )
    return reasons
