"""The counterpart evaluation's metrics on hand-made rankings, and the gold set against the real data."""

from __future__ import annotations

from pathlib import Path

import pytest

from services.mapping.counterparts.evaluation import (
    Bin,
    GoldError,
    calibration_bins,
    calibration_error,
    coverage,
    first_hit,
    precision_at,
    read_gold,
    score,
    soc_of,
    soc_ranking,
)
from services.mapping.model import Scheme
from services.mapping.sources.conocer import read_standards
from services.mapping.sources.occupations import read_soc

GOLD = Path(__file__).parent / "gold" / "counterparts.csv"
HEADER = "standard_code,sector,title_es,soc_2018,reasoning\n"


def test_soc_of_counts_onet_codes_through_their_soc() -> None:
    assert soc_of(Scheme.SOC_2018, "49-3023") == "49-3023"
    assert soc_of(Scheme.ONET_SOC, "49-3023.01") == "49-3023"
    assert soc_of("ONET_SOC", "51-9124.00") == "51-9124"
    assert soc_of(Scheme.ISCO_08, "7231") is None
    assert soc_of(Scheme.ESCO, "49-3023") is None  # a code that looks like SOC in another scheme
    assert soc_of(Scheme.SOC_2018, "49-3000") == "49-3000"  # a group: kept, never in a gold row
    assert soc_of(Scheme.ONET_SOC, "49-3023") is None


def test_rankings_keep_order_name_each_occupation_once_and_drop_other_schemes() -> None:
    ranking = soc_ranking(
        [
            (Scheme.ESCO, "http://data.europa.eu/esco/occupation/x"),
            (Scheme.ONET_SOC, "51-9124.00"),
            (Scheme.ISCO_08, "7132"),
            (Scheme.SOC_2018, "51-9124"),  # the same occupation again: ranked once
            (Scheme.SOC_2018, "49-3021"),
            (Scheme.ONET_SOC, "49-3021.00"),
        ]
    )
    assert ranking == ["51-9124", "49-3021"]
    assert first_hit(ranking, frozenset({"49-3021"})) == 2
    assert first_hit(ranking, frozenset({"51-9124", "49-3021"})) == 1
    assert first_hit(ranking, frozenset({"47-2141"})) is None
    assert first_hit([], frozenset({"47-2141"})) is None


def test_hits_and_mrr() -> None:
    # Hits at 1, 2, 5, 6 and a miss.
    scores = score([1, 2, 5, 6, None])
    assert scores.count == 5
    assert scores.hit_at_1 == pytest.approx(1 / 5)
    assert scores.hit_at_5 == pytest.approx(3 / 5)
    assert scores.mrr == pytest.approx((1 + 1 / 2 + 1 / 5 + 1 / 6) / 5)
    assert score([]).count == 0
    assert score([None, None]).mrr == 0.0


def test_calibration_bins() -> None:
    judged = [(0.1, False), (0.15, True), (0.5, True), (0.55, False), (0.9, True), (1.0, True)]
    bins = calibration_bins(judged, edges=(0.0, 0.4, 0.8, 1.0))
    assert [(b.low, b.high, b.count) for b in bins] == [(0.0, 0.4, 2), (0.4, 0.8, 2), (0.8, 1.0, 2)]
    assert bins[0].mean_confidence == pytest.approx(0.125)
    assert bins[0].precision == 0.5
    assert bins[2].precision == 1.0  # 1.0 falls in the last bin, upper edge included
    # An edge value opens the next bin.
    assert [b.count for b in calibration_bins([(0.4, True)], edges=(0.0, 0.4, 0.8, 1.0))] == [0, 1, 0]
    # |0.5 - 0.125| * 2 + |0.5 - 0.525| * 2 + |1.0 - 0.95| * 2, over 6
    assert calibration_error(bins) == pytest.approx((0.375 * 2 + 0.025 * 2 + 0.05 * 2) / 6)


def test_a_calibrated_proposer_has_no_calibration_error() -> None:
    judged = [(0.75, True)] * 3 + [(0.75, False)] + [(0.25, True)] + [(0.25, False)] * 3
    assert calibration_error(calibration_bins(judged)) == pytest.approx(0.0)
    assert calibration_error([Bin(0.0, 1.0, 0, 0.0, 0.0)]) == 0.0


def test_calibration_refuses_bad_input() -> None:
    with pytest.raises(ValueError, match="outside"):
        calibration_bins([(1.2, True)])
    with pytest.raises(ValueError, match="increasing"):
        calibration_bins([], edges=(0.0, 0.5, 0.5, 1.0))


def test_coverage_and_precision_at_a_threshold() -> None:
    cover = coverage([0.9, 0.5, None, 0.3], threshold=0.5)
    assert (cover.covered, cover.total) == (2, 4)
    assert cover.share == 0.5
    assert cover.mean_confidence == pytest.approx(0.7)
    assert coverage([], 0.5).share == 0.0
    assert precision_at([(0.9, True), (0.6, False), (0.2, False)], 0.5) == (2, 0.5)
    assert precision_at([(0.2, True)], 0.5) == (0, 0.0)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("code,sector\nEC0001,x\n", "columns"),
        (HEADER + "EC01,auto,t,49-3023,why\n", "not a standard code"),
        (HEADER + "EC0630,auto,t,49-3023,why\nEC0630,auto,t,49-3023,why\n", "twice"),
        (HEADER + "EC0630,auto,t,49-3000,why\n", "49-3000"),
        (HEADER + "EC0630,auto,t,49-3023 | 7132,why\n", "7132"),
        (HEADER + "EC0630,auto,t,49-3023,\n", "reasoning"),
        (HEADER + "EC0630,auto,t,49-3023\n", "fields"),
        (HEADER + "EC0630,auto,t,49-3023,why,extra\n", "fields"),
    ],
)
def test_read_gold_refuses_malformed_files(tmp_path: Path, body: str, message: str) -> None:
    path = tmp_path / "gold.csv"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(GoldError, match=message):
        read_gold(path)


def test_the_gold_set_names_current_standards_and_detailed_soc_occupations(shared_data: Path) -> None:
    gold = read_gold(GOLD)
    assert len(gold) >= 60
    assert len({row.sector for row in gold}) >= 10
    standards = {i.code: i for i in read_standards(shared_data / "conocer_renec_avala").items}
    detailed = {i.code for i in read_soc(shared_data / "soc_2018").items if i.kind == "detailed occupation"}
    for row in gold:
        assert row.standard_code in standards, row.standard_code
        assert row.title_es == " ".join((standards[row.standard_code].label_es or "").split())
        assert row.accepted <= detailed, (row.standard_code, row.accepted - detailed)
    by_code = {row.standard_code: row for row in gold}
    # The acceptance pairs are in the set.
    assert by_code["EC0630"].accepted == {"51-9124", "49-3021"}
    assert "49-3023" in by_code["EC1121"].accepted
