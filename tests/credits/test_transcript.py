"""The transcript computation: every line status, caps and residency, validity windows and versions."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from services.credits.transcript import (
    CapBasis,
    Certificate,
    Course,
    Line,
    LineStatus,
    Program,
    Rule,
    Transcript,
    compute,
)

D = Decimal
AS_OF = date(2026, 1, 15)
PROGRAM = Program("p", "inst", total_credits=D(100), recognition_cap=D(20), residency_credits=D(0))


def rule(rule_id: int = 1, versions: tuple[str, ...] = ("EC1121",), credits: int = 6, **more: object) -> Rule:
    fields: dict[str, object] = {
        "institution_id": "inst",
        "program_id": "p",
        "base_code": versions[0].split(".")[0],
        "credit_level": "VOCATIONAL",
        "courses": (),
        "valid_from": date(2020, 1, 1),
        "valid_to": None,
        "status": "approved",
        "approved_on": date(2020, 1, 1),
        **more,
    }
    return Rule(id=rule_id, versions=versions, credits=D(credits), **fields)  # type: ignore[arg-type]


def cert(
    folio: str = "F1", code: str = "EC1121", issued: date = date(2025, 3, 14), **more: object
) -> Certificate:
    return Certificate(folio=folio, standard_code=code, issued_on=issued, **more)  # type: ignore[arg-type]


def only_line(result: object) -> object:
    (line,) = result.lines  # type: ignore[attr-defined]
    return line


def test_recognized_with_its_rule_credits_and_courses() -> None:
    course = Course("M1", "Motores", D(6), "Engines")
    result = compute(PROGRAM, [rule(courses=(course,))], [cert()], AS_OF)
    line = only_line(result)
    assert line.status is LineStatus.RECOGNIZED and line.credits == 6 and line.courses == (course,)
    assert "Regla 1" in line.reason_es and "Rule 1" in line.reason_en and "M1" in line.reason_en
    assert result.recognized_credits == 6 and result.credits_still_needed == 94


def test_no_rule() -> None:
    line = only_line(compute(PROGRAM, [rule(versions=("EC0631",))], [cert()], AS_OF))
    assert line.status is LineStatus.NO_RULE and line.credits == 0
    assert "EC1121" in line.reason_en and "no approved rule" in line.reason_en


def test_a_proposed_rule_is_no_rule_but_is_mentioned() -> None:
    line = only_line(compute(PROGRAM, [rule(status="proposed", approved_on=None)], [cert()], AS_OF))
    assert line.status is LineStatus.NO_RULE and "awaits approval" in line.reason_en


def test_rules_of_other_programmes_and_institutions_do_not_apply() -> None:
    others = [rule(program_id="other"), rule(2, institution_id="elsewhere", program_id=None)]
    assert only_line(compute(PROGRAM, others, [cert()], AS_OF)).status is LineStatus.NO_RULE


def test_rule_validity_window() -> None:
    windowed = rule(valid_from=date(2024, 1, 1), valid_to=date(2024, 12, 31))
    inside = only_line(compute(PROGRAM, [windowed], [cert(issued=date(2023, 5, 1))], date(2024, 6, 1)))
    assert inside.status is LineStatus.RECOGNIZED
    after = only_line(compute(PROGRAM, [windowed], [cert(issued=date(2023, 5, 1))], date(2025, 1, 1)))
    assert after.status is LineStatus.RULE_NOT_IN_FORCE and after.rule == windowed
    assert "2024-01-01..2024-12-31" in after.reason_en
    before = only_line(compute(PROGRAM, [windowed], [cert(issued=date(2023, 5, 1))], date(2023, 12, 31)))
    assert before.status is LineStatus.RULE_NOT_IN_FORCE


def test_a_rule_counts_from_its_approval_and_until_its_retirement() -> None:
    late = rule(approved_on=date(2025, 6, 1))
    assert (
        only_line(compute(PROGRAM, [late], [cert()], date(2025, 5, 31))).status
        is LineStatus.RULE_NOT_IN_FORCE
    )
    assert only_line(compute(PROGRAM, [late], [cert()], date(2025, 6, 1))).status is LineStatus.RECOGNIZED
    retired = rule(status="retired", retired_on=date(2025, 9, 1))
    assert only_line(compute(PROGRAM, [retired], [cert()], date(2025, 8, 31))).status is LineStatus.RECOGNIZED
    line = only_line(compute(PROGRAM, [retired], [cert()], date(2025, 9, 1)))
    assert line.status is LineStatus.RULE_NOT_IN_FORCE and "retired on 2025-09-01" in line.reason_en


def test_versions_a_superseding_version_counts_only_when_marked_equivalent() -> None:
    """EC0217.01 is named by the rule; EC0217.02 counts only if the registry marks it equivalent."""
    named = rule(versions=("EC0217.01",))
    exact = cert(code="EC0217.01")
    assert only_line(compute(PROGRAM, [named], [exact], AS_OF)).status is LineStatus.RECOGNIZED
    equivalent = cert(code="EC0217.02", equivalent_earlier=("EC0217.01", "EC0217"))
    assert only_line(compute(PROGRAM, [named], [equivalent], AS_OF)).status is LineStatus.RECOGNIZED
    not_equivalent = cert(code="EC0217.02")
    line = only_line(compute(PROGRAM, [named], [not_equivalent], AS_OF))
    assert line.status is LineStatus.NO_RULE
    assert "cover EC0217.01" in line.reason_en and "not recorded as equivalent" in line.reason_en
    # The first edition is earlier than the named version: a rule for .01 does not reach back to it.
    assert only_line(compute(PROGRAM, [named], [cert(code="EC0217")], AS_OF)).status is LineStatus.NO_RULE


def test_revoked_expired_too_old_and_partial() -> None:
    rules = [rule()]
    revoked = only_line(compute(PROGRAM, rules, [cert(revoked=True, revoked_on=date(2025, 9, 1))], AS_OF))
    assert revoked.status is LineStatus.CERTIFICATE_REVOKED and "2025-09-01" in revoked.reason_es
    # A transcript dated before the revocation still counts the certificate.
    before = compute(PROGRAM, rules, [cert(revoked=True, revoked_on=date(2025, 9, 1))], date(2025, 8, 1))
    assert only_line(before).status is LineStatus.RECOGNIZED
    expired = only_line(compute(PROGRAM, rules, [cert(expires_on=date(2025, 12, 31))], AS_OF))
    assert expired.status is LineStatus.CERTIFICATE_EXPIRED
    aged = Program("p", "inst", D(100), D(20), D(0), max_certificate_age_years=3)
    old = only_line(compute(aged, rules, [cert(issued=date(2023, 1, 14))], AS_OF))
    assert old.status is LineStatus.CERTIFICATE_TOO_OLD and "3 years" in old.reason_en
    assert (
        only_line(compute(aged, rules, [cert(issued=date(2023, 1, 15))], AS_OF)).status
        is LineStatus.RECOGNIZED
    )
    partial = only_line(compute(PROGRAM, rules, [cert(whole=False)], AS_OF))
    assert partial.status is LineStatus.PARTIAL_CERTIFICATE


def test_two_certificates_exempting_the_same_course_count_it_once() -> None:
    shared = Course("OPT-10", "Optativa", D(4))
    rules = [
        rule(1, ("EC0217.01",), 4, courses=(shared,)),
        rule(2, ("EC0301",), 6, courses=(shared, Course("DOC-2", "Diseño", D(2)))),
    ]
    result = compute(
        PROGRAM,
        rules,
        [cert("A", "EC0217.01", date(2024, 1, 1)), cert("B", "EC0301", date(2024, 2, 1))],
        AS_OF,
    )
    first, second = result.lines
    assert first.status is LineStatus.RECOGNIZED and first.credits == 4
    assert second.status is LineStatus.DUPLICATE_COURSE and second.credits == 2  # 6 less OPT-10's 4
    assert [c.code for c in second.courses] == ["DOC-2"]
    assert "OPT-10" in second.reason_en and "already exempted" in second.reason_en
    assert result.recognized_credits == 6
    # The same course entirely repeated earns nothing.
    twice = compute(
        PROGRAM,
        [rule(1, ("EC0217.01",), 4, courses=(shared,)), rule(2, ("EC0301",), 4, courses=(shared,))],
        [cert("A", "EC0217.01"), cert("B", "EC0301", date(2025, 4, 1))],
        AS_OF,
    )
    assert [(line.status, line.credits) for line in twice.lines] == [
        (LineStatus.RECOGNIZED, 4),
        (LineStatus.DUPLICATE_COURSE, 0),
    ]


def test_the_cap_cuts_the_line_that_crosses_it_and_everything_after() -> None:
    rules = [rule(1, ("EC1121",), 12), rule(2, ("EC0631",), 6), rule(3, ("EC0301",), 5)]
    certificates = [
        cert("A", "EC1121", date(2024, 1, 1)),
        cert("B", "EC0631", date(2024, 2, 1)),
        cert("C", "EC0301", date(2024, 3, 1)),
    ]
    result = compute(PROGRAM, rules, certificates, AS_OF)
    assert [(line.status, line.credits) for line in result.lines] == [
        (LineStatus.RECOGNIZED, 12),
        (LineStatus.RECOGNIZED, 6),
        (LineStatus.CAPPED, 2),
    ]
    assert "at most 20" in result.lines[2].reason_en and "2 of 5" in result.lines[2].reason_en
    assert result.eligible_credits == 23 and result.recognized_credits == 20
    assert (result.cap, result.cap_basis) == (20, CapBasis.RECOGNITION_CAP)


def test_residency_lowers_the_cap_when_it_leaves_less_room() -> None:
    program = Program("p", "inst", total_credits=D(60), recognition_cap=D(30), residency_credits=D(45))
    result = compute(program, [rule(credits=20)], [cert()], AS_OF)
    assert (result.cap, result.cap_basis) == (15, CapBasis.RESIDENCY)
    line = only_line(result)
    assert line.status is LineStatus.CAPPED and line.credits == 15 and "residency" in line.reason_en
    assert result.credits_still_needed == 45


def test_the_programmes_own_rule_wins_over_the_institutions() -> None:
    general = rule(1, program_id=None, credits=3)
    own = rule(2, credits=8)
    assert only_line(compute(PROGRAM, [general, own], [cert()], AS_OF)).credits == 8
    other_programme = Program("q", "inst", D(100), D(20), D(0))
    assert only_line(compute(other_programme, [general, own], [cert()], AS_OF)).credits == 3


def test_certificates_issued_after_the_date_are_left_out_and_order_is_by_issue_date() -> None:
    result = compute(
        PROGRAM,
        [rule(credits=15), rule(2, ("EC0631",), 15)],
        [
            cert("late", "EC1121", date(2025, 6, 1)),
            cert("early", "EC0631", date(2024, 1, 1)),
            cert("future", issued=date(2027, 1, 1)),
        ],
        AS_OF,
    )
    assert [(line.certificate.folio, line.status) for line in result.lines] == [
        ("early", LineStatus.RECOGNIZED),
        ("late", LineStatus.CAPPED),
    ]


def test_a_ledger_application_starts_from_what_was_applied_before() -> None:
    course = Course("M1", "Motores", D(6))
    result = compute(
        PROGRAM,
        [rule(credits=6, courses=(course,))],
        [cert()],
        AS_OF,
        already_counted=D(16),
        already_exempted=["M1"],
    )
    line = only_line(result)
    assert line.status is LineStatus.DUPLICATE_COURSE and line.credits == 0
    result = compute(PROGRAM, [rule(credits=6)], [cert()], AS_OF, already_counted=D(16))
    assert only_line(result).credits == 4 and result.credits_still_needed == 80


def test_one_competence_earns_credit_once() -> None:
    """A re-certification, or a later equivalent version, adds nothing even when the rule lists no course."""
    rules = [rule(versions=("EC0217.01",), credits=3)]
    certificates = [
        cert("first", "EC0217.01", date(2021, 5, 1)),
        cert("again", "EC0217.01", date(2024, 5, 1)),
        cert("newer", "EC0217.02", date(2025, 5, 1), equivalent_earlier=("EC0217.01",)),
    ]
    result = compute(PROGRAM, rules, certificates, AS_OF)
    assert [(line.status, line.credits) for line in result.lines] == [
        (LineStatus.RECOGNIZED, 3),
        (LineStatus.DUPLICATE_STANDARD, 0),
        (LineStatus.DUPLICATE_STANDARD, 0),
    ]
    assert "first" in result.lines[1].reason_en and result.recognized_credits == 3
    # A revoked first certificate leaves the credit to the next one.
    revoked = [cert("first", "EC0217.01", date(2021, 5, 1), revoked=True), certificates[1]]
    assert [line.status for line in compute(PROGRAM, rules, revoked, AS_OF).lines] == [
        LineStatus.CERTIFICATE_REVOKED,
        LineStatus.RECOGNIZED,
    ]
    # What the ledger applied before counts too.
    later = compute(PROGRAM, rules, [certificates[1]], AS_OF, already_credited=["EC0217.01"])
    assert only_line(later).status is LineStatus.DUPLICATE_STANDARD


def said_exempted(line: Line) -> tuple[set[str], set[str]]:
    """The course codes a line's Spanish and English sentences say it exempts."""

    def codes(text: str, marker: str) -> set[str]:
        said = re.search(rf"; {marker} ([^;]+?)(?:;|\.$)", text)
        return set(said.group(1).split(", ")) if said else set()

    return codes(line.reason_es, "convalida"), codes(line.reason_en, "exempts")


def assert_text_matches_structure(result: Transcript) -> None:
    for line in result.lines:
        listed = {c.code for c in line.courses}
        assert said_exempted(line) == (listed, listed), (line.reason_en, listed)


def test_a_capped_line_says_only_the_courses_it_exempts() -> None:
    """Issue 13: a capped line read "exempts LVM-310" while its `exemptedCourses` was empty."""
    big = Course("LVM-310", "Laminado y pintura", D(6))
    small = Course("LVM-101", "Seguridad", D(1))
    rules = [rule(1, ("EC0631",), 18), rule(2, ("EC1121",), 7, courses=(small, big))]
    result = compute(
        PROGRAM, rules, [cert("A", "EC0631", date(2024, 1, 1)), cert("B", "EC1121", date(2024, 2, 1))], AS_OF
    )
    capped = result.lines[1]
    assert capped.status is LineStatus.CAPPED and capped.credits == 2
    assert capped.courses == (small,)  # LVM-101 fits in the 2 credits left; LVM-310 does not
    assert "exempts LVM-101" in capped.reason_en and "convalida LVM-101" in capped.reason_es
    assert "does not exempt LVM-310" in capped.reason_en and "no convalida LVM-310" in capped.reason_es
    assert "at most 20" in capped.reason_en and "2 of 7" in capped.reason_en
    assert_text_matches_structure(result)
    # Nothing fits: the line exempts nothing and its sentence says so.
    none_fit = compute(
        PROGRAM,
        [rule(1, ("EC0631",), 19), rule(2, ("EC1121",), 6, courses=(big,))],
        [cert("A", "EC0631", date(2024, 1, 1)), cert("B", "EC1121", date(2024, 2, 1))],
        AS_OF,
    )
    line = none_fit.lines[1]
    assert line.status is LineStatus.CAPPED and line.courses == () and line.credits == 1
    assert "exempts" not in line.reason_en.replace("does not exempt", "")
    assert_text_matches_structure(none_fit)


def test_every_line_says_exactly_the_courses_it_exempts() -> None:
    """The sentence and `exemptedCourses` come from one source, whatever the line's fate: recognised,
    with a course repeated (and new ones besides), capped, or capped after a repeat."""
    shared = Course("OPT-10", "Optativa", D(4))
    design = Course("DOC-2", "Diseño", D(2))
    engines = Course("M1", "Motores", D(5))
    rules = [
        rule(1, ("EC0217.01",), 4, courses=(shared,)),
        rule(2, ("EC0301",), 6, courses=(shared, design)),
        rule(3, ("EC1121",), 8, courses=(engines, Course("M2", "Frenos", D(3)))),
        rule(4, ("EC0631",), 9, courses=(design, Course("P1", "Pintura", D(4)))),
    ]
    certificates = [
        cert("A", "EC0217.01", date(2024, 1, 1)),
        cert("B", "EC0301", date(2024, 2, 1)),
        cert("C", "EC1121", date(2024, 3, 1)),
        cert("D", "EC0631", date(2024, 4, 1)),
    ]
    for cap in (D(0), D(3), D(5), D(9), D(12), D(15), D(20), D(40)):
        program = Program("p", "inst", total_credits=D(100), recognition_cap=cap, residency_credits=D(0))
        result = compute(program, rules, certificates, AS_OF)
        assert_text_matches_structure(result)
    # The repeated course is named as already exempted, the new one as exempted by this line.
    second = compute(PROGRAM, rules, certificates, AS_OF).lines[1]
    assert second.status is LineStatus.DUPLICATE_COURSE and second.courses == (design,)
    assert "less 4 for OPT-10, already exempted" in second.reason_en and "exempts DOC-2" in second.reason_en
