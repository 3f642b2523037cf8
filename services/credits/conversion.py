"""Converting credits between credit systems through notional learning hours.

A credit in every system here is defined as a number of hours of learning, so the honest common unit
is the hour: credits in the source system -> hours -> credits in the target system. Two things make
this less simple than one division, and both are handled explicitly rather than hidden:

1. **Activity type.** A system may give different activities different hours per credit. SATCA
   (Mexico, ANUIES 2007) counts 16 hours of instruction, 50 hours of supervised professional
   fieldwork or 20 hours of tutored independent work as one credit. So every conversion is for one
   `Activity`, and a system that does not define an activity refuses it instead of guessing.

2. **What the hours count (`Measure`).** Some figures count only hours of instruction (CONTACT:
   SATCA "docencia", the US credit hour's classroom hour, the Korean credit); others count all the
   learner's hours, instruction plus their own work (WORKLOAD: ECTS, the UK credit). Dividing 16
   contact hours by 25-30 workload hours would undercount the SATCA credit by about two thirds. When
   the two figures measure different things, contact hours become workload hours by multiplying by
   (1 + own-work hours per contact hour). The default ratio, 2, is the only one a source states (the
   US federal credit hour, 34 CFR 600.2); for any other system it is an assumption, and the result
   records it as one, in Spanish and English, so a reader can see it and the caller can change it.

Where two systems publish their own equivalence (2 UK credits = 1 ECTS credit), that published figure
is used instead of the hours: it is what both sides recognise.

Sources state ranges (ECTS: 25-30 hours; US quarter: 10-12 weeks), so a result is a range with a
central estimate. The range is taken at its widest (fewest hours over the largest target figure, most
hours over the smallest) and rounded outwards to 2 decimals (low down, high up), so the printed range
always contains the exact one. The central value uses the midpoints of both ranges, rounded half-up.

Every figure carries its `Source`: title, publisher, year, address when there is a stable one, and
the rule it states, quoted or closely paraphrased. Pure Python: no database, no GraphQL.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
MAX_CONVERTIBLE = Decimal(1000)
# 34 CFR 600.2: "a minimum of two hours of out of class student work" per hour of instruction.
US_OUT_OF_CLASS_HOURS_PER_CONTACT_HOUR = Decimal(2)
MAX_OUT_OF_CLASS_HOURS_PER_CONTACT_HOUR = Decimal(10)


class CreditSystem(enum.Enum):
    SATCA = "SATCA"
    ECTS = "ECTS"
    US_SEMESTER = "US_SEMESTER"
    US_QUARTER = "US_QUARTER"
    UK_CREDIT = "UK_CREDIT"
    KOREAN_CREDIT = "KOREAN_CREDIT"


class Activity(enum.Enum):
    INSTRUCTION = "INSTRUCTION"  # teacher-led: classroom, lab, online or mixed
    SUPERVISED_FIELDWORK = "SUPERVISED_FIELDWORK"  # internships, professional practice, social service
    INDEPENDENT_LEARNING = "INDEPENDENT_LEARNING"  # tutored or independent work: projects, theses


class Measure(enum.Enum):
    CONTACT = "CONTACT"  # the figure counts hours of instruction only
    WORKLOAD = "WORKLOAD"  # the figure counts all the learner's hours (instruction plus own work)


class Basis(enum.Enum):
    NOTIONAL_HOURS = "NOTIONAL_HOURS"
    PUBLISHED_EQUIVALENCE = "PUBLISHED_EQUIVALENCE"
    SAME_SYSTEM = "SAME_SYSTEM"


class ConversionError(ValueError):
    """A conversion that cannot be made; the message says what to change."""


@dataclass(frozen=True)
class Source:
    title: str
    publisher: str
    year: int
    url: str | None
    rule: str  # what the source says, in a sentence (quoted or closely paraphrased)


@dataclass(frozen=True)
class HoursPerCredit:
    system: CreditSystem
    activity: Activity
    low: Decimal
    high: Decimal
    measure: Measure
    source: Source


@dataclass(frozen=True)
class SystemInfo:
    name_es: str
    name_en: str
    country: str  # ISO 3166-1 alpha-2, or "EU"
    source: Source


@dataclass(frozen=True)
class Step:
    text_es: str
    text_en: str
    source: Source | None


@dataclass(frozen=True)
class Conversion:
    """The result of `convert`.

    `value` is the central estimate rounded half-up to 2 decimals; `low` is rounded down and `high` up,
    so low <= value <= high and the printed range contains the exact one. `hours_low`/`hours_high` are
    the notional hours the value stands for, as the source system's figure counts them (`hours_measure`);
    they are None for a published equivalence, which is not computed from hours.
    """

    value: Decimal
    low: Decimal
    high: Decimal
    hours_low: Decimal | None
    hours_high: Decimal | None
    basis: Basis
    steps: tuple[Step, ...]
    assumptions: tuple[Step, ...]
    explanation_es: str
    explanation_en: str
    hours_measure: Measure | None = None


# --- Sources ---------------------------------------------------------------------------------------

_SATCA = Source(
    title="Sistema de Asignación y Transferencia de Créditos Académicos (SATCA)",
    publisher="Asociación Nacional de Universidades e Instituciones de Educación Superior (ANUIES)",
    year=2007,
    url=None,
    rule=(
        "Los créditos se asignan por horas de actividad de aprendizaje según su tipo: docencia, trabajo "
        "de campo profesional supervisado y otras actividades de aprendizaje individual o independiente."
    ),
)
_ECTS = Source(
    title="ECTS Users' Guide 2015",
    publisher="European Commission (Publications Office of the European Union)",
    year=2015,
    url="https://op.europa.eu/en/publication-detail/-/publication/da7467e6-8450-11e5-b8b7-01aa75ed71a1",
    rule=(
        '"60 ECTS credits are allocated to the learning outcomes and associated workload of a full-time '
        'academic year"; "workload ranges from 1,500 to 1,800 hours for an academic year, whereby one '
        'credit corresponds to 25 to 30 hours of work."'
    ),
)
# The credit-hour definition dates from the program integrity final rules of 29 October 2010; the
# quotations are from the current eCFR text at the address below.
_US_CFR = Source(
    title='34 CFR 600.2, definition of "credit hour"',
    publisher="U.S. Department of Education (Code of Federal Regulations)",
    year=2010,
    url="https://www.ecfr.gov/current/title-34/subtitle-B/chapter-VI/part-600/subpart-A/section-600.2",
    rule=(
        'A credit hour is "one hour of classroom or direct faculty instruction and a minimum of two hours '
        "of out of class student work each week for approximately fifteen weeks for one semester or "
        'trimester hour of credit, or ten to twelve weeks for one quarter hour of credit"; other academic '
        'activities ("laboratory work, internships, practica, studio work") need "at least an equivalent '
        'amount of work".'
    ),
)
# Ofqual's Regulated Qualifications Framework states the same size ("one credit = 10 hours of total
# qualification time") for regulated qualifications; the QAA framework is the higher-education source.
_QAA = Source(
    title="Higher Education Credit Framework for England: Advice on Academic Credit Arrangements (2nd ed.)",
    publisher="Quality Assurance Agency for Higher Education (QAA)",
    year=2021,
    url="https://www.qaa.ac.uk/docs/qaa/quality-code/higher-education-credit-framework-for-england.pdf",
    rule=(
        "One credit represents 10 notional hours of learning: the time an average learner needs to "
        "achieve the learning outcomes, counting teaching, independent study and assessment."
    ),
)
_QAA_ECTS = replace(
    _QAA,
    rule=(
        "Two credits in England are equivalent to one ECTS credit: a full-time academic year is 120 "
        "credits in England and 60 ECTS credits, the convention used across the European Higher "
        "Education Area."
    ),
)
_KOREA = Source(
    title="Enforcement Decree of the Higher Education Act, Article 14 (Credit Hours)",
    publisher="Republic of Korea (Presidential Decree No. 15665, as amended)",
    year=1998,
    url="https://elaw.klri.re.kr/eng_service/lawViewTitle.do?hseq=50744",
    rule="One credit requires at least 15 hours of instruction per semester.",
)


# --- The table -------------------------------------------------------------------------------------


def _row(
    system: CreditSystem, activity: Activity, low: int, high: int, measure: Measure, source: Source, rule: str
) -> HoursPerCredit:
    return HoursPerCredit(system, activity, Decimal(low), Decimal(high), measure, replace(source, rule=rule))


_US_OTHER = (
    '"At least an equivalent amount of work" as one hour of instruction plus "a minimum of two hours of '
    'out of class student work each week" for {weeks}, for "other academic activities ... including '
    'laboratory work, internships, practica, studio work": (1 + 2) hours × {weeks} = {hours} hours.'
)

HOURS: tuple[HoursPerCredit, ...] = (
    _row(
        CreditSystem.SATCA, Activity.INSTRUCTION, 16, 16, Measure.CONTACT, _SATCA,
        "Docencia (instrucción frente a grupo de modo teórico, práctico, a distancia o mixto): "
        "16 horas = 1 crédito.",
    ),
    _row(
        CreditSystem.SATCA, Activity.SUPERVISED_FIELDWORK, 50, 50, Measure.WORKLOAD, _SATCA,
        "Trabajo de campo profesional supervisado (estancias, ayudantías, prácticas profesionales, "
        "servicio social, internado): 50 horas = 1 crédito.",
    ),
    _row(
        CreditSystem.SATCA, Activity.INDEPENDENT_LEARNING, 20, 20, Measure.WORKLOAD, _SATCA,
        "Otras actividades de aprendizaje individual o independiente a través de tutoría y/o asesoría "
        "(tesis, proyectos de investigación, etc.): 20 horas = 1 crédito.",
    ),
    *(
        _row(
            CreditSystem.ECTS, activity, 25, 30, Measure.WORKLOAD, _ECTS,
            '"Workload ranges from 1,500 to 1,800 hours for an academic year, whereby one credit '
            'corresponds to 25 to 30 hours of work"; workload covers all learning activities, including '
            "lectures, projects, work placements and individual study.",
        )
        for activity in Activity
    ),
    _row(
        CreditSystem.US_SEMESTER, Activity.INSTRUCTION, 15, 15, Measure.CONTACT, _US_CFR,
        '"One hour of classroom or direct faculty instruction ... each week for approximately fifteen '
        'weeks for one semester or trimester hour of credit": 15 hours of instruction.',
    ),
    _row(
        CreditSystem.US_SEMESTER, Activity.SUPERVISED_FIELDWORK, 45, 45, Measure.WORKLOAD, _US_CFR,
        _US_OTHER.format(weeks="approximately fifteen weeks", hours="45"),
    ),
    _row(
        CreditSystem.US_SEMESTER, Activity.INDEPENDENT_LEARNING, 45, 45, Measure.WORKLOAD, _US_CFR,
        _US_OTHER.format(weeks="approximately fifteen weeks", hours="45"),
    ),
    _row(
        CreditSystem.US_QUARTER, Activity.INSTRUCTION, 10, 12, Measure.CONTACT, _US_CFR,
        '"One hour of classroom or direct faculty instruction ... each week for ... ten to twelve weeks '
        'for one quarter hour of credit": 10 to 12 hours of instruction.',
    ),
    _row(
        CreditSystem.US_QUARTER, Activity.SUPERVISED_FIELDWORK, 30, 36, Measure.WORKLOAD, _US_CFR,
        _US_OTHER.format(weeks="ten to twelve weeks", hours="30 to 36"),
    ),
    _row(
        CreditSystem.US_QUARTER, Activity.INDEPENDENT_LEARNING, 30, 36, Measure.WORKLOAD, _US_CFR,
        _US_OTHER.format(weeks="ten to twelve weeks", hours="30 to 36"),
    ),
    *(
        _row(CreditSystem.UK_CREDIT, activity, 10, 10, Measure.WORKLOAD, _QAA, _QAA.rule)
        for activity in Activity
    ),
    # The decree's figure is for instruction only; it sets none for fieldwork or independent study, so
    # those have no row rather than an invented one.
    _row(CreditSystem.KOREAN_CREDIT, Activity.INSTRUCTION, 15, 15, Measure.CONTACT, _KOREA, _KOREA.rule),
)  # fmt: skip

_BY_KEY: dict[tuple[CreditSystem, Activity], HoursPerCredit] = {(r.system, r.activity): r for r in HOURS}

SYSTEM_INFO: dict[CreditSystem, SystemInfo] = {
    CreditSystem.SATCA: SystemInfo(
        "Sistema de Asignación y Transferencia de Créditos Académicos (SATCA)",
        "Mexican system for the allocation and transfer of academic credits (SATCA)",
        "MX",
        _SATCA,
    ),
    CreditSystem.ECTS: SystemInfo(
        "Sistema Europeo de Transferencia y Acumulación de Créditos (ECTS)",
        "European Credit Transfer and Accumulation System (ECTS)",
        "EU",
        _ECTS,
    ),
    CreditSystem.US_SEMESTER: SystemInfo(
        "Hora-crédito semestral de Estados Unidos", "US semester credit hour", "US", _US_CFR
    ),
    CreditSystem.US_QUARTER: SystemInfo(
        "Hora-crédito trimestral (quarter) de Estados Unidos", "US quarter credit hour", "US", _US_CFR
    ),
    CreditSystem.UK_CREDIT: SystemInfo(
        "Crédito del Reino Unido (marco de créditos de educación superior de Inglaterra)",
        "UK credit (Higher Education Credit Framework for England)",
        "GB",
        _QAA,
    ),
    CreditSystem.KOREAN_CREDIT: SystemInfo(
        "Crédito académico de Corea", "Korean academic credit", "KR", _KOREA
    ),
}

# Sentences are built in both languages by the same code; index 0 is Spanish, 1 English.
ES, EN = 0, 1
# Unit names: ((Spanish singular, plural), (English singular, plural)).
_UNITS: dict[CreditSystem, tuple[tuple[str, str], tuple[str, str]]] = {
    CreditSystem.SATCA: (("crédito SATCA", "créditos SATCA"), ("SATCA credit", "SATCA credits")),
    CreditSystem.ECTS: (("crédito ECTS", "créditos ECTS"), ("ECTS credit", "ECTS credits")),
    CreditSystem.US_SEMESTER: (
        ("hora-crédito semestral de EE. UU.", "horas-crédito semestrales de EE. UU."),
        ("US semester credit hour", "US semester credit hours"),
    ),
    CreditSystem.US_QUARTER: (
        ("hora-crédito trimestral de EE. UU.", "horas-crédito trimestrales de EE. UU."),
        ("US quarter credit hour", "US quarter credit hours"),
    ),
    CreditSystem.UK_CREDIT: (
        ("crédito del Reino Unido", "créditos del Reino Unido"),
        ("UK credit", "UK credits"),
    ),
    CreditSystem.KOREAN_CREDIT: (
        ("crédito coreano", "créditos coreanos"),
        ("Korean credit", "Korean credits"),
    ),
}
_ACTIVITY_NAMES: dict[Activity, tuple[str, str]] = {
    Activity.INSTRUCTION: ("instrucción", "instruction"),
    Activity.SUPERVISED_FIELDWORK: ("trabajo de campo supervisado", "supervised fieldwork"),
    Activity.INDEPENDENT_LEARNING: ("aprendizaje independiente", "independent learning"),
}
_HOURS_NAMES: dict[Measure, tuple[str, str]] = {
    Measure.CONTACT: ("horas de instrucción", "hours of instruction"),
    Measure.WORKLOAD: ("horas de trabajo total del estudiante", "hours of total learner workload"),
}
_US_SYSTEMS = frozenset({CreditSystem.US_SEMESTER, CreditSystem.US_QUARTER})
_PUBLISHED_PAIR = frozenset({CreditSystem.UK_CREDIT, CreditSystem.ECTS})
UK_CREDITS_PER_ECTS = Decimal(2)


# --- Public functions ------------------------------------------------------------------------------


def hours_per_credit(system: CreditSystem, activity: Activity) -> HoursPerCredit:
    """The hours one credit of `system` stands for in `activity`, with its source."""
    row = _BY_KEY.get((system, activity))
    if row is not None:
        return row
    if system not in SYSTEM_INFO or not isinstance(activity, Activity):
        raise ConversionError(f"Unknown credit system or activity: {system!r}, {activity!r}.")
    defined = [r.activity.value for r in HOURS if r.system is system]
    raise ConversionError(
        f"{SYSTEM_INFO[system].name_en} defines no hours per credit for {activity.value}: its source "
        f"({SYSTEM_INFO[system].source.title}) sets a figure only for {', '.join(defined)}. "
        f"Convert it as {' or '.join(defined)}, or choose another credit system."
    )


def convert(
    value: Decimal,
    source: CreditSystem,
    target: CreditSystem,
    activity: Activity = Activity.INSTRUCTION,
    *,
    out_of_class_hours_per_contact_hour: Decimal = US_OUT_OF_CLASS_HOURS_PER_CONTACT_HOUR,
) -> Conversion:
    """Converts `value` credits of `source` into `target` for one activity; see the module docstring."""
    amount = _checked_amount(value)
    ratio = _checked_ratio(out_of_class_hours_per_contact_hour)
    for name, given in (("source", source), ("target", target)):
        if not isinstance(given, CreditSystem):
            choices = ", ".join(s.value for s in CreditSystem)
            raise ConversionError(f"The {name} credit system {given!r} is not one of {choices}.")
    if not isinstance(activity, Activity):
        raise ConversionError(
            f"The activity {activity!r} is not one of {', '.join(a.value for a in Activity)}."
        )
    # Looked up even for the same system or a published pair: a system that does not define the
    # activity cannot be said to hold credits for it.
    from_row = hours_per_credit(source, activity)
    to_row = hours_per_credit(target, activity)
    if source is target:
        return _same_system(amount, from_row)
    if {source, target} == _PUBLISHED_PAIR:
        return _published(amount, source, target)
    return _through_hours(amount, from_row, to_row, ratio)


# --- The three bases -------------------------------------------------------------------------------


def _same_system(amount: Decimal, row: HoursPerCredit) -> Conversion:
    hours_low, hours_high = amount * row.low, amount * row.high

    def step(lang: int) -> str:
        same = ("Mismo sistema: el valor no cambia.", "Same system: the value does not change.")[lang]
        return (
            f"1 {_unit(row.system, Decimal(1), lang)} ({_ACTIVITY_NAMES[row.activity][lang]}) = "
            f"{_span(row.low, row.high, lang)} {_HOURS_NAMES[row.measure][lang]}; "
            f"{_calc(amount, row.low, amount, row.high, '×', lang)} = {_span(hours_low, hours_high, lang)} "
            f"{_HOURS[lang]}. {same}"
        )

    def explanation(lang: int) -> str:
        credits = f"{_num(amount)} {_unit(row.system, amount, lang)}"
        activity, hours = _ACTIVITY_NAMES[row.activity][lang], _span(hours_low, hours_high, lang)
        if lang == ES:
            verb = "sigue siendo" if amount == 1 else "siguen siendo"
            return (
                f"{credits} ({activity}) {verb} {credits} (mismo sistema) y "
                f"{'representa' if amount == 1 else 'representan'} {hours} {_HOURS_NAMES[row.measure][ES]}."
            )
        verb, stand = ("remains", "stands") if amount == 1 else ("remain", "stand")
        return (
            f"{credits} ({activity}) {verb} {credits} (same system) and {stand} for {hours} "
            f"{_HOURS_NAMES[row.measure][EN]}."
        )

    return Conversion(
        value=_cents(amount),
        low=_cents(amount),
        high=_cents(amount),
        hours_low=_cents(hours_low),
        hours_high=_cents(hours_high),
        basis=Basis.SAME_SYSTEM,
        steps=(Step(step(ES), step(EN), row.source),),
        assumptions=(),
        explanation_es=explanation(ES),
        explanation_en=explanation(EN),
        hours_measure=row.measure,
    )


def _published(amount: Decimal, source: CreditSystem, target: CreditSystem) -> Conversion:
    # Through hours, 1 ECTS credit (25-30 h) would be 2.5-3 UK credits (10 h). But both sides publish
    # 2:1 (120 UK credits = 60 ECTS credits for a full-time year), and that is the figure institutions
    # recognise, so the published equivalence wins over the arithmetic.
    to_ects = source is CreditSystem.UK_CREDIT
    exact = amount / UK_CREDITS_PER_ECTS if to_ects else amount * UK_CREDITS_PER_ECTS
    # Only a UK figure with an odd last cent (e.g. 0.25 -> 0.125) has more than 2 decimals here.
    value = exact.quantize(CENT, ROUND_HALF_UP)
    low, high = exact.quantize(CENT, ROUND_FLOOR), exact.quantize(CENT, ROUND_CEILING)
    op = "/" if to_ects else "×"
    calculation = f"{_num(amount)} {op} {UK_CREDITS_PER_ECTS} = {_num(value)}"

    def step(lang: int) -> str:
        rule = (
            "2 créditos del Reino Unido = 1 crédito ECTS (equivalencia publicada)",
            "2 UK credits = 1 ECTS credit (published equivalence)",
        )[lang]
        return f"{rule}: {calculation} {_unit(target, value, lang)}."

    def explanation(lang: int) -> str:
        given = f"{_num(amount)} {_unit(source, amount, lang)}"
        result = f"{_num(value)} {_unit(target, value, lang)}"
        if lang == ES:
            return (
                f"{given} {'equivale' if amount == 1 else 'equivalen'} a {result} según la equivalencia "
                f"publicada de 2 créditos del Reino Unido por 1 crédito ECTS (QAA {_QAA_ECTS.year})."
            )
        return (
            f"{given} {'equals' if amount == 1 else 'equal'} {result} by the published equivalence of "
            f"2 UK credits per ECTS credit (QAA {_QAA_ECTS.year})."
        )

    return Conversion(
        value=value,
        low=low,
        high=high,
        hours_low=None,
        hours_high=None,
        basis=Basis.PUBLISHED_EQUIVALENCE,
        steps=(Step(step(ES), step(EN), _QAA_ECTS),),
        assumptions=(),
        explanation_es=explanation(ES),
        explanation_en=explanation(EN),
        hours_measure=None,
    )


def _through_hours(
    amount: Decimal, from_row: HoursPerCredit, to_row: HoursPerCredit, ratio: Decimal
) -> Conversion:
    activity = from_row.activity
    hours_low, hours_high = amount * from_row.low, amount * from_row.high
    hours_mid = amount * _mid(from_row.low, from_row.high)

    def hours_step(lang: int) -> str:
        midpoint = (
            "" if hours_low == hours_high else f" ({('punto medio', 'midpoint')[lang]} {_num(hours_mid)})"
        )
        return (
            f"1 {_unit(from_row.system, Decimal(1), lang)} ({_ACTIVITY_NAMES[activity][lang]}) = "
            f"{_span(from_row.low, from_row.high, lang)} {_HOURS_NAMES[from_row.measure][lang]}; "
            f"{_calc(amount, from_row.low, amount, from_row.high, '×', lang)} = "
            f"{_span(hours_low, hours_high, lang)} {_HOURS[lang]}{midpoint}."
        )

    steps = [Step(hours_step(ES), hours_step(EN), from_row.source)]
    assumptions: list[Step] = []
    work_low, work_high, work_mid = hours_low, hours_high, hours_mid
    ratio_note = ("", "")
    if from_row.measure is not to_row.measure:
        change = _change_measure(from_row, to_row, ratio, hours_low, hours_high, hours_mid)
        work_low, work_high, work_mid = change.hours
        steps.append(change.step)
        if change.assumption is not None:
            assumptions.append(change.assumption)
        ratio_note = change.note

    target_mid = _mid(to_row.low, to_row.high)
    value = (work_mid / target_mid).quantize(CENT, ROUND_HALF_UP)
    low = (work_low / to_row.high).quantize(CENT, ROUND_FLOOR)
    high = (work_high / to_row.low).quantize(CENT, ROUND_CEILING)

    def target_step(lang: int) -> str:
        rounding = (
            " (mínimo redondeado hacia abajo y máximo hacia arriba, a 2 decimales)",
            " (low rounded down, high rounded up, to 2 decimals)",
        )[lang]
        if low == high:
            rounding = ""
        central = ("valor central con los puntos medios", "central value from the midpoints")[lang]
        return (
            f"1 {_unit(to_row.system, Decimal(1), lang)} ({_ACTIVITY_NAMES[activity][lang]}) = "
            f"{_span(to_row.low, to_row.high, lang)} {_HOURS_NAMES[to_row.measure][lang]}; "
            f"{_calc(work_low, to_row.high, work_high, to_row.low, '/', lang)} = {_span(low, high, lang)} "
            f"{_unit(to_row.system, Decimal(2), lang)}{rounding}; {central}: {_num(work_mid)} / "
            f"{_num(target_mid)} = {_num(value)}."
        )

    steps.append(Step(target_step(ES), target_step(EN), to_row.source))

    def explanation(lang: int) -> str:
        given = f"{_num(amount)} {_unit(from_row.system, amount, lang)} ({_ACTIVITY_NAMES[activity][lang]})"
        hours = (
            f"{_span(hours_low, hours_high, lang)} {_HOURS_NAMES[from_row.measure][lang]}{ratio_note[lang]}"
        )
        figure = f"{_span(to_row.low, to_row.high, lang)} {_HOURS_NAMES[to_row.measure][lang]}"
        result = f"{_num(value)} {_unit(to_row.system, value, lang)}"
        if lang == ES:
            spread = "" if low == high else f" (intervalo: {_span(low, high, ES)})"
            return (
                f"{given} {'equivale' if amount == 1 else 'equivalen'} a {hours}; a razón de {figure} por "
                f"{_unit(to_row.system, Decimal(1), ES)}, {'resulta' if value == 1 else 'resultan'} "
                f"{result}{spread}."
            )
        spread = "" if low == high else f" (range {_span(low, high, EN)})"
        return (
            f"{given} {'stands' if amount == 1 else 'stand'} for {hours}; at {figure} per "
            f"{_unit(to_row.system, Decimal(1), EN)}, that is {result}{spread}."
        )

    return Conversion(
        value=value,
        low=low,
        high=high,
        hours_low=_cents(hours_low),
        hours_high=_cents(hours_high),
        basis=Basis.NOTIONAL_HOURS,
        steps=tuple(steps),
        assumptions=tuple(assumptions),
        explanation_es=explanation(ES),
        explanation_en=explanation(EN),
        hours_measure=from_row.measure,
    )


@dataclass(frozen=True)
class _MeasureChange:
    hours: tuple[Decimal, Decimal, Decimal]  # low, high, midpoint, in the target figure's measure
    step: Step
    assumption: Step | None
    note: tuple[str, str]  # a clause for the explanation, Spanish and English


def _change_measure(
    from_row: HoursPerCredit,
    to_row: HoursPerCredit,
    ratio: Decimal,
    low: Decimal,
    high: Decimal,
    mid: Decimal,
) -> _MeasureChange:
    """Contact hours -> workload hours (x (1 + ratio)), or back (/ (1 + ratio))."""
    factor = 1 + ratio
    to_workload = from_row.measure is Measure.CONTACT
    op = "×" if to_workload else "/"
    new_low, new_high, new_mid = (h * factor if to_workload else h / factor for h in (low, high, mid))
    contact = from_row if to_workload else to_row
    borrowed = ratio == US_OUT_OF_CLASS_HOURS_PER_CONTACT_HOUR
    # Only the US credit hour states the own-work ratio. When the contact figure is a US one (which
    # includes every US <-> US case) and the caller kept 2, it is that figure's own rule; for any other
    # contact figure, or another ratio, it is an assumption.
    is_rule = borrowed and contact.system in _US_SYSTEMS
    ratio_source = _US_CFR if borrowed else None
    from_hours, to_hours = _HOURS_NAMES[from_row.measure], _HOURS_NAMES[to_row.measure]

    def step(lang: int) -> str:
        per_hour = (
            f"cada hora de instrucción más {_num(ratio)} horas de trabajo propio = "
            f"{_num(factor)} horas de trabajo total",
            f"each hour of instruction plus {_num(ratio)} hours of own work = "
            f"{_num(factor)} hours of total workload",
        )[lang]
        return (
            f"{('De', 'From')[lang]} {from_hours[lang]} {('a', 'to')[lang]} {to_hours[lang]}: {per_hour}; "
            f"{_calc(low, factor, high, factor, op, lang)} = "
            f"{_span(new_low, new_high, lang)} {to_hours[lang]}."
        )

    assumption = None
    if not is_rule:
        unit_es, unit_en = _unit(contact.system, Decimal(1), ES), _unit(contact.system, Decimal(1), EN)
        if borrowed:
            origin_es = (
                "la proporción es la de la hora-crédito de EE. UU. (34 CFR 600.2), no la de esa fuente"
            )
            origin_en = "the ratio is the US credit hour's (34 CFR 600.2), not that source's"
        else:
            origin_es = "la proporción la fijó quien pidió la conversión (34 CFR 600.2 de EE. UU. usa 2)"
            origin_en = "the ratio was set by the caller (the US rule, 34 CFR 600.2, uses 2)"
        title, year = contact.source.title, contact.source.year
        assumption = Step(
            f"Supuesto: cada hora de instrucción del {unit_es} conlleva {_num(ratio)} horas de trabajo "
            f"propio del estudiante. Su fuente, «{title}», {year}, sólo cuenta horas de instrucción; "
            f"{origin_es}.",
            f"Assumption: each hour of instruction in the {unit_en} comes with {_num(ratio)} hours of the "
            f'learner\'s own work. Its source, "{title}", {year}, counts hours of instruction only; '
            f"{origin_en}.",
            ratio_source,
        )
    assumed = (
        ("", "")
        if is_rule
        else (
            f", suponiendo {_num(ratio)} horas de trabajo propio por hora de instrucción",
            f", assuming {_num(ratio)} hours of own work per hour of instruction",
        )
    )
    return _MeasureChange(
        hours=(new_low, new_high, new_mid),
        step=Step(step(ES), step(EN), ratio_source),
        assumption=assumption,
        note=(
            f", es decir, {_span(new_low, new_high, ES)} {to_hours[ES]}{assumed[ES]}",
            f", i.e. {_span(new_low, new_high, EN)} {to_hours[EN]}{assumed[EN]}",
        ),
    )


# --- Helpers ---------------------------------------------------------------------------------------

_HOURS = ("horas", "hours")


def _checked_amount(value: Decimal) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        raise ConversionError(f"Pass the number of credits as a decimal number, not {type(value).__name__}.")
    amount = Decimal(value)
    if not amount.is_finite():
        raise ConversionError("The number of credits must be a finite number.")
    if amount <= 0:
        raise ConversionError("The number of credits must be greater than 0.")
    if amount > MAX_CONVERTIBLE:
        raise ConversionError(
            f"The number of credits must be at most {MAX_CONVERTIBLE}; convert a smaller amount."
        )
    if amount.quantize(CENT) != amount:
        raise ConversionError("The number of credits may have at most 2 decimals (for example 7.5 or 3.25).")
    return amount


def _checked_ratio(ratio: Decimal) -> Decimal:
    if isinstance(ratio, bool) or not isinstance(ratio, Decimal | int):
        raise ConversionError("Pass the out-of-class hours per contact hour as a decimal number.")
    ratio = Decimal(ratio)
    if not ratio.is_finite() or not 0 <= ratio <= MAX_OUT_OF_CLASS_HOURS_PER_CONTACT_HOUR:
        raise ConversionError(
            "The out-of-class hours per contact hour must be between 0 and "
            f"{MAX_OUT_OF_CLASS_HOURS_PER_CONTACT_HOUR} (the US rule, 34 CFR 600.2, uses 2)."
        )
    return ratio


def _mid(low: Decimal, high: Decimal) -> Decimal:
    return (low + high) / 2


def _cents(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, ROUND_HALF_UP)


def _num(amount: Decimal) -> str:
    """A figure for a sentence: at most 2 decimals, no trailing zeros ("1650", "27.5", "1.07")."""
    return format(_cents(amount).normalize(), "f")


def _span(low: Decimal, high: Decimal, lang: int) -> str:
    """ "25-30" (with an en dash) in Spanish, "25 to 30" in English; one figure when they are equal."""
    if _cents(low) == _cents(high):
        return _num(low)
    return f"{_num(low)}–{_num(high)}" if lang == ES else f"{_num(low)} to {_num(high)}"


def _calc(a_low: Decimal, b_low: Decimal, a_high: Decimal, b_high: Decimal, op: str, lang: int) -> str:
    """ "48 / 30", or "1500 / 45 to 1800 / 45" when the two ends differ."""
    first = f"{_num(a_low)} {op} {_num(b_low)}"
    if (_cents(a_low), _cents(b_low)) == (_cents(a_high), _cents(b_high)):
        return first
    return f"{first} {('a', 'to')[lang]} {_num(a_high)} {op} {_num(b_high)}"


def _unit(system: CreditSystem, amount: Decimal, lang: int) -> str:
    singular, plural = _UNITS[system][lang]
    return singular if amount == 1 else plural
