"""Issue 12's importers against the real files in ../shared/data: SINCO 2011, O*NET evidence, Nesta's
ESCO -> O*NET crosswalk, BLS OEWS sector employment and ESCO alternative labels. Counts are the files'
(checked against each PROVENANCE.md where it states them)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from services.mapping.model import Dataset, Method, Relation, Scheme, TermKind
from services.mapping.sources.esco_onet import onet_taxonomy, read_esco_onet
from services.mapping.sources.esco_skills import read_esco_skills
from services.mapping.sources.occupations import esco_broader, read_esco, read_isco, read_soc
from services.mapping.sources.oews import read_oews
from services.mapping.sources.onet_evidence import read_onet_evidence
from services.mapping.sources.sinco import read_sinco, soc_2010_detailed


@pytest.fixture(scope="module")
def sinco(shared_data: Path) -> Dataset:
    soc = read_soc(shared_data / "soc_2018")
    detailed = {item.code for item in soc.items if item.scheme is Scheme.SOC_2010}
    isco = read_isco(shared_data / "esco_v1_en", shared_data / "esco_v1_es")
    return read_sinco(shared_data / "sinco_2011_inegi", detailed, {i.code: i.label_es for i in isco.items})


def test_sinco_items_are_the_full_structure(sinco: Dataset) -> None:
    # PROVENANCE.md: 9 divisiones, 53 grupos principales, 156 subgrupos, 468 four-digit groups.
    assert Counter(item.depth for item in sinco.items) == {1: 9, 2: 53, 3: 156, 4: 468}
    items = {item.code: item for item in sinco.items}
    assert items["2161"].label_es == "Pintores" or items["2161"].label_es.startswith("Pintores")
    assert items["2161"].parent == "216" and items["216"].parent == "21" and items["2"].parent is None
    assert all(item.label_es and item.label_en is None for item in sinco.items)


def test_sinco_edges_expand_broad_soc_codes_and_flag_carried_rows(sinco: Dataset) -> None:
    to_soc = [e for e in sinco.edges if e.to_scheme is Scheme.SOC_2010]
    to_isco = [e for e in sinco.edges if e.to_scheme is Scheme.ISCO_08]
    assert (len(to_soc), len(to_isco)) == (1781, 637)
    assert {e.method for e in sinco.edges} == {Method.OFFICIAL_CROSSWALK}
    # 2161 Pintores -> SOC 2010 broad 27-1010 (artists): its detailed occupations 27-1011..27-1019.
    painters = {e.to_code: e for e in to_soc if e.from_code == "2161"}
    assert set(painters) == {"27-1011", "27-1012", "27-1013", "27-1014", "27-1019"}
    assert "27-1010" in (painters["27-1013"].note or "")
    # 2162 inherits 2161's target: noted, and at half the confidence the table's shape gives.
    drawers = {e.to_code: e for e in to_soc if e.from_code == "2162"}
    assert set(drawers) == set(painters)
    assert all("carried forward" in (e.note or "") for e in drawers.values())
    assert all(e.confidence < painters[code].confidence for code, e in drawers.items())
    carried = [e for e in sinco.edges if "carried forward" in (e.note or "")]
    assert (
        sum(e.to_scheme is Scheme.SOC_2010 for e in carried),
        sum(e.to_scheme is Scheme.ISCO_08 for e in carried),
    ) == (189, 47)
    # The workbook's "310" is ISCO-08 0310 (armed forces, other ranks), its leading zero lost.
    assert {e.to_code for e in to_isco if e.from_code == "5411"} == {"0310"}
    assert all(len(e.to_code) == 4 for e in to_isco)


def test_sinco_tables_name_soc_2010_and_isco_08_targets_in_spanish(sinco: Dataset) -> None:
    terms = {(t.scheme, t.code, t.kind, t.term) for t in sinco.terms}
    assert all(t.lang == "es" and t.source.startswith("INEGI, SINCO 2011") for t in sinco.terms)
    assert len(terms) == len(sinco.terms)
    # The broad 49-3020's Mexican name is another name of each detailed occupation under it.
    mechanics = "Técnicos y reparadores automotrices"
    assert {c for s, c, k, t in terms if t == mechanics} == {"49-3021", "49-3022", "49-3023"}
    assert (Scheme.SOC_2010, "49-3023", TermKind.ALTERNATIVE_LABEL, mechanics) in terms
    # A row naming a detailed code gives that occupation its Spanish label.
    labels = {(c, t) for s, c, k, t in terms if k is TermKind.LABEL}
    assert all(s is Scheme.SOC_2010 for s, _, k, _ in terms if k is TermKind.LABEL)
    assert len(labels) == 4
    # ISCO-08: only the names that differ from the group's Spanish label (ESCO's).
    isco = [t for t in sinco.terms if t.scheme is Scheme.ISCO_08]
    assert len(isco) == 6 and all(t.kind is TermKind.ALTERNATIVE_LABEL for t in isco)
    assert Counter(t.scheme for t in sinco.terms) == {Scheme.SOC_2010: 874, Scheme.ISCO_08: 6}


def test_soc_2010_codes_expand_to_the_detailed_ones_under_them() -> None:
    detailed = {"27-1011", "27-1012", "27-1021", "43-6014", "11-1011"}
    assert soc_2010_detailed("43-6014", detailed) == ["43-6014"]
    assert soc_2010_detailed("27-1010", detailed) == ["27-1011", "27-1012"]
    assert soc_2010_detailed("27-1000", detailed) == ["27-1011", "27-1012", "27-1021"]
    assert soc_2010_detailed("99-9999", detailed) == []


def test_onet_evidence_terms_and_job_zones(shared_data: Path) -> None:
    evidence = read_onet_evidence(shared_data / "onet_db_30_0_text", shared_data / "onet_db_29_3_excel")
    unique = {(t.code, t.kind, t.term) for t in evidence.terms}
    kinds = Counter(kind for _, kind, _ in unique)
    # PROVENANCE.md: 56,495 alternate titles (+ 3,865 short forms, 140 of them equal to a title or given
    # twice), 18,797 task statements, 7,796 reported titles; every row distinct.
    assert kinds == {TermKind.ALTERNATE_TITLE: 60_220, TermKind.TASK: 18_797, TermKind.REPORTED_TITLE: 7_796}
    assert len({t.code for t in evidence.terms}) == 1016
    assert all(
        t.lang == "en" and t.scheme is Scheme.ONET_SOC and t.term == t.term.strip() for t in evidence.terms
    )
    assert ("49-3023.00", TermKind.ALTERNATE_TITLE, "Auto Mechanic") in unique
    zones = {f.code: f.value for f in evidence.facts if f.name == "job_zone"}
    assert len(zones) == 923  # PROVENANCE.md: 923 job zones
    assert Counter(zones.values()) == {"1": 31, "2": 295, "3": 219, "4": 224, "5": 154}
    assert zones["11-1011.00"] == "5"


def test_esco_onet_research_crosswalk(shared_data: Path) -> None:
    taxonomy = onet_taxonomy(shared_data / "onet_soc_2019", shared_data / "soc_2018")
    dataset = read_esco_onet(
        shared_data / "esco_onet_crosswalk_nesta_2020", taxonomy, esco_broader(shared_data / "esco_v1_es")
    )
    direct = [e for e in dataset.edges if "inherited" not in (e.note or "")]
    inherited = [e for e in dataset.edges if "inherited" in (e.note or "")]
    # 1,680 rows (PROVENANCE.md), 43 of them on O*NET-SOC 2010 codes that split in 2019.
    assert (len(direct), len(inherited)) == (1637, 1228)
    assert {e.method for e in dataset.edges} == {Method.RESEARCH_CROSSWALK}
    assert all(e.to_code in taxonomy.titles for e in dataset.edges)
    assert all(0 < e.confidence <= 1 for e in dataset.edges)
    assert all(e.relation is Relation.BROAD for e in inherited)
    # The rule: confidence = w x (1 + s) / 2. "secretary of state" (study confidence 1, s 0.8108).
    secretary = next(e for e in direct if e.from_code == "0ee67d5e-8de9-48f0-97c5-ba23d486b1e9")
    assert (secretary.to_code, secretary.relation) == ("11-1011.00", Relation.CLOSE)
    assert secretary.confidence == pytest.approx(0.8 * (1 + 0.8107619822025299) / 2, abs=1e-4)
    # An O*NET-SOC 2010 specialty dropped in 2019 reaches the 2019 taxonomy by title or through its SOC.
    assert not any(e.to_code in ("49-3023.01", "49-3023.02") for e in dataset.edges)
    assert sum("is 49-3023.00 in 2019" in (e.note or "") for e in direct) >= 1


def test_oews_detailed_employment_by_sector(shared_data: Path) -> None:
    oews = read_oews(shared_data / "bls_oews_natsector_2024")
    # PROVENANCE.md: 8,579 sector x detailed cells; 644 of them suppressed ("**") are left out.
    assert len(oews.employment) == 8579 - 644
    sectors = {e.naics_sector for e in oews.employment}
    assert len(sectors) == 20 and {"31-33", "44-45", "48-49", "99"} <= sectors
    assert not {"31", "44", "48"} & sectors
    assert len({(e.naics_sector, e.soc_code) for e in oews.employment}) == len(oews.employment)
    assert all(e.employment >= 0 and e.year == 2024 for e in oews.employment)
    assert any(
        e.naics_sector == "81" and e.soc_code == "49-3023" and e.employment > 100_000 for e in oews.employment
    )


def test_esco_alternative_labels_are_terms_not_duplicates(shared_data: Path) -> None:
    esco = read_esco(shared_data / "esco_v1_en", shared_data / "esco_v1_es")
    langs = Counter(t.lang for t in esco.terms)
    assert langs == {"es": 12_937, "en": 29_948}
    labels = {(i.code, "es"): (i.label_es or "").lower() for i in esco.items} | {
        (i.code, "en"): (i.label_en or "").lower() for i in esco.items
    }
    assert not any(t.term.lower() == labels[t.code, t.lang] for t in esco.terms)
    assert {t.kind for t in esco.terms} == {TermKind.ALTERNATIVE_LABEL}
    assert any("skills" in note for note in esco.notes)


def test_esco_skills_pair_spanish_and_english_labels(shared_data: Path) -> None:
    skills = read_esco_skills(shared_data / "esco_v1_skills_en_us", shared_data / "esco_v1_es")
    # PROVENANCE.md: 13,485 skills in each file, ids matching; 13 have no en-US preferred label.
    assert len(skills.parallel) == 13_472
    assert len({p.key for p in skills.parallel}) == len(skills.parallel)
    pairs = {p.label_es: p.label_en for p in skills.parallel}
    assert pairs["realizar estudios toxicológicos"] == "perform toxicological studies"
    assert all(p.label_es == p.label_es.strip() and p.label_en for p in skills.parallel)
    assert not skills.items and not skills.terms  # evidence for words, never items
