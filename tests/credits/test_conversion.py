"""Credit conversion through notional hours (services/credits/conversion.py).

Every expected figure is worked out by hand below from the rule it rests on, never by calling `convert`
a second time: SATCA (ANUIES 2007), the ECTS Users' Guide 2015, 34 CFR 600.2 (the US credit hour), the
QAA Higher Education Credit Framework for England (2021) and Korea's Enforcement Decree of the Higher
Education Act, Art. 14. Ranges are rounded outwards (low down, high up); the central value half-up.
"""

from __future__ import annotations

import itertools
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal

import pytest

from services.credits.conversion import (
    HOURS,
    MAX_CONVERTIBLE,
    SYSTEM_INFO,
    Activity,
    Basis,
    Conversion,
    ConversionError,
    CreditSystem,
    Measure,
    convert,
    hours_per_credit,
)

D = Decimal
CENT = D("0.01")


def half_up(x: Decimal) -> Decimal:
    return x.quantize(CENT, ROUND_HALF_UP)


def down(x: Decimal) -> Decimal:
    return x.quantize(CENT, ROUND_FLOOR)


def up(x: Decimal) -> Decimal:
    return x.quantize(CENT, ROUND_CEILING)


def assert_steps_cited(result: Conversion) -> None:
    assert result.steps
    for step in result.steps:
        assert step.text_es.strip() and step.text_en.strip()
        assert step.source is not None and step.source.title and step.source.rule


# --- The worked examples ---------------------------------------------------------------------------


def test_satca_instruction_to_us_semester_is_contact_hours_over_contact_hours() -> None:
    # SATCA: 16 h of "docencia" = 1 credit; 34 CFR 600.2: 1 h of instruction a week for ~15 weeks.
    # Both figures count hours of instruction, so no contact -> workload step and no assumption.
    result = convert(D(1), CreditSystem.SATCA, CreditSystem.US_SEMESTER)
    exact = D(16) / D(15)  # 1.0666...
    assert result.basis is Basis.NOTIONAL_HOURS
    assert result.value == half_up(exact) == D("1.07")
    assert (result.low, result.high) == (down(exact), up(exact)) == (D("1.06"), D("1.07"))
    assert (result.hours_low, result.hours_high) == (D(16), D(16))
    assert result.hours_measure is Measure.CONTACT
    assert result.assumptions == ()
    assert len(result.steps) == 2  # source hours, then target credits
    assert_steps_cited(result)


def test_us_semester_to_us_quarter_uses_the_ten_to_twelve_week_range() -> None:
    # 34 CFR 600.2: a semester hour is ~15 weeks of 1 h instruction; a quarter hour is 10 to 12 weeks.
    result = convert(D(3), CreditSystem.US_SEMESTER, CreditSystem.US_QUARTER)
    hours = 3 * D(15)  # 45 contact hours
    assert (result.hours_low, result.hours_high) == (hours, hours)
    assert result.low == hours / 12 == D("3.75")
    assert result.high == hours / 10 == D("4.5")
    assert result.value == half_up(hours / 11) == D("4.09")  # midpoint of 10..12 is 11
    assert result.assumptions == ()
    assert_steps_cited(result)


@pytest.mark.parametrize(
    ("value", "source", "target", "expected"),
    [
        # QAA credit framework: 2 credits in England = 1 ECTS credit (120 = 60 for a full-time year).
        (D(10), CreditSystem.UK_CREDIT, CreditSystem.ECTS, D(5)),
        (D(5), CreditSystem.ECTS, CreditSystem.UK_CREDIT, D(10)),
        (D(60), CreditSystem.ECTS, CreditSystem.UK_CREDIT, D(120)),
        (D(120), CreditSystem.UK_CREDIT, CreditSystem.ECTS, D(60)),
    ],
)
def test_uk_and_ects_use_the_published_two_to_one_equivalence(
    value: Decimal, source: CreditSystem, target: CreditSystem, expected: Decimal
) -> None:
    result = convert(value, source, target)
    assert result.basis is Basis.PUBLISHED_EQUIVALENCE
    assert result.value == result.low == result.high == expected
    assert result.hours_low is None and result.hours_high is None
    assert result.assumptions == ()
    assert_steps_cited(result)
    assert "QAA" in result.steps[0].source.publisher  # type: ignore[union-attr]


@pytest.mark.parametrize("activity", list(Activity))
def test_the_published_equivalence_is_the_same_for_every_activity(activity: Activity) -> None:
    assert convert(D(10), CreditSystem.UK_CREDIT, CreditSystem.ECTS, activity).value == D(5)


def test_sixty_ects_is_1500_to_1800_hours_of_workload() -> None:
    # ECTS Users' Guide: 60 credits = 1,500-1,800 h, 25-30 h per credit. 34 CFR 600.2, other academic
    # activities (internships, practica): at least 1 h + 2 h out of class for ~15 weeks = 45 h.
    result = convert(D(60), CreditSystem.ECTS, CreditSystem.US_SEMESTER, Activity.SUPERVISED_FIELDWORK)
    assert (result.hours_low, result.hours_high) == (D(1500), D(1800))
    assert result.hours_measure is Measure.WORKLOAD
    assert result.low == down(D(1500) / 45) == D("33.33")
    assert result.high == up(D(1800) / 45) == D(40)
    assert result.value == half_up(D(1650) / 45) == D("36.67")  # 60 x 27.5 = 1650
    assert result.assumptions == ()  # both figures are workload


def test_satca_fieldwork_to_ects_rounds_the_range_outwards() -> None:
    # SATCA: 50 h of supervised professional fieldwork = 1 credit (workload); ECTS: 25-30 h of work.
    result = convert(D(1), CreditSystem.SATCA, CreditSystem.ECTS, Activity.SUPERVISED_FIELDWORK)
    assert (result.hours_low, result.hours_high) == (D(50), D(50))
    assert result.low == down(D(50) / 30) == D("1.66")  # 1.666... rounded down, not half-up to 1.67
    assert result.high == up(D(50) / 25) == D(2)
    assert result.value == half_up(D(50) / D("27.5")) == D("1.82")
    assert result.assumptions == ()
    assert_steps_cited(result)


def test_satca_instruction_to_ects_turns_contact_hours_into_workload_and_says_so() -> None:
    # SATCA counts 16 h of instruction; ECTS counts all the learner's work. 34 CFR 600.2's ratio (2 h
    # out of class per hour of instruction) turns 16 contact hours into 16 x 3 = 48 workload hours.
    result = convert(D(1), CreditSystem.SATCA, CreditSystem.ECTS)
    workload = D(16) * 3
    assert (result.hours_low, result.hours_high) == (D(16), D(16))  # as SATCA counts them
    assert result.hours_measure is Measure.CONTACT
    assert result.low == workload / 30 == D("1.6")
    assert result.high == workload / 25 == D("1.92")
    assert result.value == half_up(workload / D("27.5")) == D("1.75")
    assert len(result.steps) == 3  # hours, contact -> workload, credits
    assert "16 × 3 = 48" in result.steps[1].text_en
    assert_steps_cited(result)

    (assumption,) = result.assumptions
    assert "2 hours" in assumption.text_en and "SATCA" in assumption.text_en
    assert "2 horas" in assumption.text_es and "SATCA" in assumption.text_es
    assert "48" in result.explanation_en and "assuming 2 hours" in result.explanation_en
    assert "suponiendo 2 horas" in result.explanation_es


def test_workload_to_contact_divides_by_the_same_factor() -> None:
    # ECTS 25-30 workload hours / 3 = 8.33-10 contact hours; SATCA: 16 contact hours per credit.
    result = convert(D(1), CreditSystem.ECTS, CreditSystem.SATCA)
    assert (result.hours_low, result.hours_high) == (D(25), D(30))
    assert result.hours_measure is Measure.WORKLOAD
    assert result.low == down(D(25) / 3 / 16) == D("0.52")
    assert result.high == up(D(30) / 3 / 16) == D("0.63")  # 0.625 rounded up
    assert result.value == half_up(D("27.5") / 3 / 16) == D("0.57")
    assert len(result.assumptions) == 1


def test_a_us_contact_figure_brings_its_own_ratio_so_nothing_is_assumed() -> None:
    # 34 CFR 600.2 itself says 1 h of instruction comes with at least 2 h out of class: 15 x 3 = 45 h.
    result = convert(D(1), CreditSystem.US_SEMESTER, CreditSystem.ECTS)
    assert result.low == D(45) / 30 == D("1.5")
    assert result.high == D(45) / 25 == D("1.8")
    assert result.value == half_up(D(45) / D("27.5")) == D("1.64")
    assert result.assumptions == ()
    assert result.steps[1].source is not None and "600.2" in result.steps[1].source.title
    assert "assuming" not in result.explanation_en


def test_the_caller_can_change_the_out_of_class_ratio_and_it_is_recorded() -> None:
    # 1 h out of class per contact hour: 16 x (1 + 1) = 32 workload hours.
    result = convert(D(1), CreditSystem.SATCA, CreditSystem.ECTS, out_of_class_hours_per_contact_hour=D(1))
    assert result.low == down(D(32) / 30) == D("1.06")
    assert result.high == up(D(32) / 25) == D("1.28")
    assert result.value == half_up(D(32) / D("27.5")) == D("1.16")
    (assumption,) = result.assumptions
    assert assumption.source is None  # no source states this ratio
    assert "caller" in assumption.text_en

    # Even a US contact figure is an assumption once the caller departs from the rule's 2 hours.
    us = convert(D(1), CreditSystem.US_SEMESTER, CreditSystem.ECTS, out_of_class_hours_per_contact_hour=D(1))
    assert len(us.assumptions) == 1


@pytest.mark.parametrize("ratio", [D(0), D("0.5"), D(10)])
def test_ratio_bounds_are_inclusive(ratio: Decimal) -> None:
    result = convert(D(1), CreditSystem.SATCA, CreditSystem.ECTS, out_of_class_hours_per_contact_hour=ratio)
    assert result.low == down(16 * (1 + ratio) / 30)


@pytest.mark.parametrize("ratio", [D(-1), D("10.01"), D("NaN"), D("Infinity")])
def test_ratio_out_of_range_is_refused(ratio: Decimal) -> None:
    with pytest.raises(ConversionError, match="between 0 and 10"):
        convert(D(1), CreditSystem.SATCA, CreditSystem.ECTS, out_of_class_hours_per_contact_hour=ratio)


def test_same_system_keeps_the_value() -> None:
    result = convert(D("7.5"), CreditSystem.SATCA, CreditSystem.SATCA, Activity.INDEPENDENT_LEARNING)
    assert result.basis is Basis.SAME_SYSTEM
    assert result.value == result.low == result.high == D("7.5")
    # SATCA: 20 h of tutored independent work = 1 credit.
    assert (result.hours_low, result.hours_high) == (D(150), D(150))
    assert result.assumptions == ()
    assert_steps_cited(result)


# --- Refusals --------------------------------------------------------------------------------------


def test_korean_credit_defines_only_instruction() -> None:
    # Enforcement Decree, Art. 14: at least 15 h of instruction per semester per credit; nothing else.
    assert hours_per_credit(CreditSystem.KOREAN_CREDIT, Activity.INSTRUCTION).low == D(15)
    for activity in (Activity.SUPERVISED_FIELDWORK, Activity.INDEPENDENT_LEARNING):
        with pytest.raises(ConversionError, match="INSTRUCTION"):
            hours_per_credit(CreditSystem.KOREAN_CREDIT, activity)
    with pytest.raises(ConversionError, match="SUPERVISED_FIELDWORK"):
        convert(D(1), CreditSystem.KOREAN_CREDIT, CreditSystem.ECTS, Activity.SUPERVISED_FIELDWORK)
    with pytest.raises(ConversionError):
        convert(D(1), CreditSystem.SATCA, CreditSystem.KOREAN_CREDIT, Activity.SUPERVISED_FIELDWORK)
    # 3 Korean credits of instruction = 45 contact hours = 3 US semester hours (15 h each).
    assert convert(D(3), CreditSystem.KOREAN_CREDIT, CreditSystem.US_SEMESTER).value == D(3)


@pytest.mark.parametrize(
    "value",
    [
        D(0),
        D("-0"),
        D(-1),
        D(1001),
        D("1000.01"),
        D("1.234"),
        D("NaN"),
        D("sNaN"),
        D("Infinity"),
        D("-Infinity"),
    ],
)
def test_values_outside_the_accepted_range_are_refused(value: Decimal) -> None:
    with pytest.raises(ConversionError):
        convert(value, CreditSystem.SATCA, CreditSystem.ECTS)


@pytest.mark.parametrize("value", [1.5, "1.5", True, None])
def test_values_that_are_not_decimals_are_refused(value: object) -> None:
    with pytest.raises(ConversionError):
        convert(value, CreditSystem.SATCA, CreditSystem.ECTS)  # type: ignore[arg-type]


def test_unknown_systems_are_refused() -> None:
    with pytest.raises(ConversionError, match="SATCA"):
        convert(D(1), "SATCA", CreditSystem.ECTS)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("value", "central", "low", "high"),
    [
        # SATCA instruction: 16 contact hours a credit, x 3 for workload (34 CFR 600.2's 2 h out of class),
        # so v credits are 48v hours of work; ECTS: 25-30 h a credit, 27.5 at the midpoint.
        (D("0.01"), D("0.02"), D("0.01"), D("0.02")),  # 0.48 h: 0.0175 / 0.016 / 0.0192
        (D("1.230"), D("2.15"), D("1.96"), D("2.37")),  # trailing zero, still two places: 59.04 h
        (MAX_CONVERTIBLE, D("1745.45"), D(1600), D(1920)),  # 48,000 h
        (D(1), D("1.75"), D("1.6"), D("1.92")),  # 48 h
        (7, D("12.22"), D("11.2"), D("13.44")),  # a plain int: 336 h
    ],
)
def test_values_at_the_edges_are_accepted(
    value: Decimal | int, central: Decimal, low: Decimal, high: Decimal
) -> None:
    result = convert(value, CreditSystem.SATCA, CreditSystem.ECTS)
    workload = 48 * D(value)
    assert (result.value, result.low, result.high) == (central, low, high)
    assert (central, low, high) == (half_up(workload / D("27.5")), down(workload / 30), up(workload / 25))
    assert result.hours_low == result.hours_high == 16 * D(value)


# --- The table and the wording ---------------------------------------------------------------------


def test_every_row_cites_its_source() -> None:
    seen: set[tuple[CreditSystem, Activity]] = set()
    for row in HOURS:
        assert (row.system, row.activity) not in seen, "one figure per system and activity"
        seen.add((row.system, row.activity))
        assert row.source.title.strip() and row.source.publisher.strip() and row.source.rule.strip()
        assert 1900 < row.source.year < 2100
        assert row.source.url is None or row.source.url.startswith("https://")
        assert D(0) < row.low <= row.high


def test_every_system_has_info() -> None:
    assert set(SYSTEM_INFO) == set(CreditSystem)


@pytest.mark.parametrize("system", list(CreditSystem))
def test_each_systems_info_is_complete_and_it_has_an_instruction_row(system: CreditSystem) -> None:
    info = SYSTEM_INFO[system]
    assert info.name_es and info.name_en and info.source.title and info.source.rule
    assert info.country == "EU" or (len(info.country) == 2 and info.country.isupper())
    assert hours_per_credit(system, Activity.INSTRUCTION).system is system


@pytest.mark.parametrize(
    ("system", "activity", "low", "high", "measure"),
    [
        (CreditSystem.SATCA, Activity.INSTRUCTION, 16, 16, Measure.CONTACT),
        (CreditSystem.SATCA, Activity.SUPERVISED_FIELDWORK, 50, 50, Measure.WORKLOAD),
        (CreditSystem.SATCA, Activity.INDEPENDENT_LEARNING, 20, 20, Measure.WORKLOAD),
        (CreditSystem.ECTS, Activity.INSTRUCTION, 25, 30, Measure.WORKLOAD),
        (CreditSystem.US_SEMESTER, Activity.INSTRUCTION, 15, 15, Measure.CONTACT),
        (CreditSystem.US_SEMESTER, Activity.SUPERVISED_FIELDWORK, 45, 45, Measure.WORKLOAD),
        (CreditSystem.US_QUARTER, Activity.INSTRUCTION, 10, 12, Measure.CONTACT),
        (CreditSystem.US_QUARTER, Activity.INDEPENDENT_LEARNING, 30, 36, Measure.WORKLOAD),
        (CreditSystem.UK_CREDIT, Activity.SUPERVISED_FIELDWORK, 10, 10, Measure.WORKLOAD),
        (CreditSystem.KOREAN_CREDIT, Activity.INSTRUCTION, 15, 15, Measure.CONTACT),
    ],
)
def test_the_figures_are_the_sources_figures(
    system: CreditSystem, activity: Activity, low: int, high: int, measure: Measure
) -> None:
    row = hours_per_credit(system, activity)
    assert (row.low, row.high, row.measure) == (D(low), D(high), measure)


def test_explanations_mention_the_hours_and_both_systems() -> None:
    result = convert(D(60), CreditSystem.ECTS, CreditSystem.US_SEMESTER, Activity.SUPERVISED_FIELDWORK)
    for text in ("60 ECTS credits", "1500 to 1800 hours", "45 hours", "36.67 US semester credit hours"):
        assert text in result.explanation_en
    for text in ("60 créditos ECTS", "1500–1800 horas", "36.67 horas-crédito semestrales"):
        assert text in result.explanation_es

    one = convert(D(1), CreditSystem.SATCA, CreditSystem.US_SEMESTER)
    assert one.explanation_en.startswith("1 SATCA credit (instruction) stands for 16 hours of instruction")
    assert "US semester credit hour" in one.explanation_en
    assert one.explanation_es.startswith("1 crédito SATCA (instrucción) equivale a 16 horas de instrucción")


def defined(system: CreditSystem, activity: Activity) -> bool:
    try:
        hours_per_credit(system, activity)
    except ConversionError:
        return False
    return True


# Every pair of systems, for each activity both define a figure for.
CONVERTIBLE = [
    pytest.param(source, target, activity, id=f"{source.name}-{target.name}-{activity.name}")
    for source, target, activity in itertools.product(CreditSystem, CreditSystem, Activity)
    if defined(source, activity) and defined(target, activity)
]


@pytest.mark.parametrize(("source", "target", "activity"), CONVERTIBLE)
@pytest.mark.parametrize("value", [D("0.01"), D("0.25"), D(1), D("7.5"), D(1000)])
def test_every_conversion_stays_within_its_range_and_cites_its_steps(
    source: CreditSystem, target: CreditSystem, activity: Activity, value: Decimal
) -> None:
    result = convert(value, source, target, activity)
    assert result.low <= result.value <= result.high
    assert result.value.as_tuple().exponent == -2
    assert result.explanation_es and result.explanation_en
    for step in (*result.steps, *result.assumptions):
        assert step.text_es and step.text_en
    # With the default ratio every step, including contact -> workload, rests on a source.
    assert_steps_cited(result)
