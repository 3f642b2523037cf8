"""What the crosswalk is made of: schemes, their items, and the edges between items.

Importers (`services.mapping.sources`) read official files into `Dataset`s of these plain values; the
store writes them; the graph traverses them. Nothing here touches the database.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum


class Scheme(StrEnum):
    CONOCER_EC = "CONOCER_EC"
    CONOCER_LEVEL = "CONOCER_LEVEL"
    SCIAN_2023 = "SCIAN_2023"
    NAICS_2022 = "NAICS_2022"
    NAICS_2017 = "NAICS_2017"
    SOC_2018 = "SOC_2018"
    SOC_2010 = "SOC_2010"
    ONET_SOC = "ONET_SOC"
    CIP_2020 = "CIP_2020"
    ISCED_F_2013 = "ISCED_F_2013"
    ISCO_08 = "ISCO_08"
    ESCO = "ESCO"
    SINCO_2011 = "SINCO_2011"
    NVQ = "NVQ"
    RQF = "RQF"
    EQF = "EQF"


# The schemes whose items are occupations or programmes: what a standard's counterpart can be.
COUNTERPART_SCHEMES = frozenset(
    {
        Scheme.ESCO,
        Scheme.SINCO_2011,
        Scheme.ISCO_08,
        Scheme.SOC_2010,
        Scheme.SOC_2018,
        Scheme.ONET_SOC,
        Scheme.CIP_2020,
    }
)

# The level frameworks: their items are levels, aligned by published referencing.
LEVEL_FRAMEWORKS = frozenset({Scheme.CONOCER_LEVEL, Scheme.NVQ, Scheme.RQF, Scheme.EQF})


@dataclass(frozen=True, slots=True)
class SchemeInfo:
    title_es: str
    title_en: str
    version: str
    publisher: str


SCHEMES: dict[Scheme, SchemeInfo] = {
    Scheme.CONOCER_EC: SchemeInfo(
        "Estándares de Competencia (RENEC)", "CONOCER competency standards (RENEC)", "2025-11", "CONOCER"
    ),
    Scheme.CONOCER_LEVEL: SchemeInfo(
        "Niveles de competencia CONOCER", "CONOCER competency levels", "1-5", "CONOCER"
    ),
    Scheme.SCIAN_2023: SchemeInfo(
        "Sistema de Clasificación Industrial de América del Norte 2023",
        "North American Industry Classification System, Mexico 2023",
        "2023",
        "INEGI",
    ),
    Scheme.NAICS_2022: SchemeInfo(
        "Sistema de Clasificación Industrial de América del Norte 2022 (EUA)",
        "North American Industry Classification System 2022",
        "2022",
        "US Census Bureau",
    ),
    Scheme.NAICS_2017: SchemeInfo(
        "Sistema de Clasificación Industrial de América del Norte 2017 (EUA)",
        "North American Industry Classification System 2017",
        "2017",
        "US Census Bureau",
    ),
    Scheme.SOC_2018: SchemeInfo(
        "Clasificación Estándar de Ocupaciones 2018 (EUA)",
        "Standard Occupational Classification 2018",
        "2018",
        "US Bureau of Labor Statistics",
    ),
    Scheme.SOC_2010: SchemeInfo(
        "Clasificación Estándar de Ocupaciones 2010 (EUA)",
        "Standard Occupational Classification 2010",
        "2010",
        "US Bureau of Labor Statistics",
    ),
    Scheme.ONET_SOC: SchemeInfo(
        "Ocupaciones O*NET-SOC", "O*NET-SOC occupations", "2019", "US Department of Labor, O*NET"
    ),
    Scheme.CIP_2020: SchemeInfo(
        "Clasificación de Programas de Instrucción 2020 (EUA)",
        "Classification of Instructional Programs 2020",
        "2020",
        "NCES",
    ),
    Scheme.ISCED_F_2013: SchemeInfo(
        "CINE-F 2013: campos de educación y formación",
        "ISCED Fields of Education and Training 2013",
        "2013",
        "UNESCO Institute for Statistics",
    ),
    Scheme.ISCO_08: SchemeInfo(
        "Clasificación Internacional Uniforme de Ocupaciones 2008",
        "International Standard Classification of Occupations 2008",
        "2008",
        "ILO",
    ),
    Scheme.ESCO: SchemeInfo("Ocupaciones ESCO", "ESCO occupations", "v1.0", "European Commission"),
    Scheme.SINCO_2011: SchemeInfo(
        "Sistema Nacional de Clasificación de Ocupaciones 2011",
        "Mexican National Occupation Classification System 2011",
        "2011",
        "INEGI",
    ),
    Scheme.NVQ: SchemeInfo(
        "Niveles NVQ (Reino Unido)", "UK National Vocational Qualification levels", "1-5", "UK (Ofqual)"
    ),
    Scheme.RQF: SchemeInfo(
        "Marco Regulado de Cualificaciones (Reino Unido)",
        "Regulated Qualifications Framework (England, Northern Ireland)",
        "2015",
        "Ofqual",
    ),
    Scheme.EQF: SchemeInfo(
        "Marco Europeo de Cualificaciones", "European Qualifications Framework", "2017", "Council of the EU"
    ),
}


class Relation(StrEnum):
    """SKOS mapping relations between schemes, and `broader` for the hierarchy inside one."""

    EXACT = "exactMatch"
    CLOSE = "closeMatch"
    BROAD = "broadMatch"  # the target is broader than the source
    NARROW = "narrowMatch"  # the target is narrower than the source
    RELATED = "relatedMatch"
    BROADER = "broader"  # inside one scheme: the target is the source's parent


class Method(StrEnum):
    OFFICIAL_CROSSWALK = "official_crosswalk"
    IDENTICAL_CODE = "identical_code"
    HIERARCHY = "hierarchy"
    PUBLISHED_REFERENCING = "published_referencing"
    DERIVED = "derived"
    EXPERT_REVIEW = "expert_review"
    PROPOSED = "proposed"
    RESEARCH_CROSSWALK = "research_crosswalk"  # a published study's table, not an official one
    TEXT_MATCH = "text_match"  # found by matching a standard's text against an occupation's


@dataclass(frozen=True, slots=True)
class Item:
    scheme: Scheme
    code: str
    label_es: str | None
    label_en: str | None
    parent: str | None = None  # the code of the broader item in the same scheme
    depth: int = 1  # 1 at the top of the scheme's hierarchy
    kind: str = ""  # the scheme's own name for this level: "sector", "detailed occupation", ...
    description: str | None = None


@dataclass(frozen=True, slots=True)
class Edge:
    from_scheme: Scheme
    from_code: str
    to_scheme: Scheme
    to_code: str
    relation: Relation
    confidence: float
    method: Method
    source: str  # the document the edge comes from: a file, a table, a page of a study
    note: str | None = None


class TermKind(StrEnum):
    LABEL = "label"  # a preferred label in a language the item's own labels lack
    ALTERNATIVE_LABEL = "alternative_label"  # ESCO's altLabels
    ALTERNATE_TITLE = "alternate_title"  # O*NET's alternate titles
    REPORTED_TITLE = "reported_title"  # O*NET's sample of reported job titles
    TASK = "task"  # an O*NET task statement


@dataclass(frozen=True, slots=True)
class Term:
    """Another name of an item, or a statement about it: evidence to match text against, not an item."""

    scheme: Scheme
    code: str
    lang: str  # "es" or "en"
    kind: TermKind
    term: str
    source: str


@dataclass(frozen=True, slots=True)
class Fact:
    """A one-value fact about an item, e.g. an O*NET occupation's `job_zone` ("1" to "5")."""

    scheme: Scheme
    code: str
    name: str
    value: str
    source: str


@dataclass(frozen=True, slots=True)
class Employment:
    """People employed in an occupation in an industry sector (BLS OEWS, national by sector)."""

    naics_sector: str  # as published: "31-33", "44-45", "48-49", "11", "62", ...
    soc_code: str  # SOC 2018 detailed occupation
    employment: int
    year: int
    source: str


@dataclass(frozen=True, slots=True)
class ParallelLabel:
    """One concept's label in Spanish and in English (an ESCO skill): evidence for translating words."""

    dataset: str
    key: str
    label_es: str
    label_en: str
    source: str


@dataclass
class Dataset:
    """What one importer read: items (their `parent` gives the hierarchy edges), cross-scheme edges, and
    evidence about items (terms, facts), occupations (employment by sector) and words (parallel labels)."""

    name: str
    items: list[Item] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    terms: list[Term] = field(default_factory=list)
    facts: list[Fact] = field(default_factory=list)
    employment: list[Employment] = field(default_factory=list)
    parallel: list[ParallelLabel] = field(default_factory=list)


# An official pair's confidence: the average of the table's word for it (1: the table lists the pair)
# and the chance that it is the right pair among the k the table offers (1/k), so 1 for a one-to-one pair,
# 0.75 for one of two, and never below OFFICIAL_FLOOR however many alternatives the table lists.
OFFICIAL_FLOOR = 0.5


def official_confidence(alternatives: int) -> float:
    """(1 + 1/k) / 2 for a pair that is one of k alternatives in its table (k >= 1)."""
    return round(OFFICIAL_FLOOR + (1 - OFFICIAL_FLOOR) / max(alternatives, 1), 4)


def _at_level_of_detail(
    partners: dict[str, set[str]], parent: Callable[[str], str | None] | None
) -> dict[str, set[str]]:
    """Each code's partners in the table, a group's including those of its descendants in the table.

    BLS maps ISCO minor group 315 to SOC 53-2022 in one row while its unit groups 3151-3155 map to seven
    other SOC occupations: at the table's level of detail, 315 maps to eight occupations, not one.
    """
    folded = {code: set(codes) for code, codes in partners.items()}
    if parent is None:
        return folded
    for code, codes in partners.items():
        ancestor = parent(code)
        while ancestor is not None:
            if ancestor in folded:
                folded[ancestor] |= codes
            ancestor = parent(ancestor)
    return folded


def crosswalk_edges(
    pairs: Iterable[tuple[str, str]],
    from_scheme: Scheme,
    to_scheme: Scheme,
    method: Method,
    source: str,
    *,
    from_parent: Callable[[str], str | None] | None = None,
    to_parent: Callable[[str], str | None] | None = None,
) -> list[Edge]:
    """Edges for a published crosswalk table, their relation and confidence from both its cardinalities.

    Cardinalities are counted at the table's level of detail: when the table lists a group (`from_parent`
    or `to_parent` give each side's hierarchy) and also some of its descendants, the group's partners
    include its descendants' partners. With `targets` the partners of a and `sources` those of b:

    - relation: exactMatch only when a maps only to b and b only from a; narrowMatch when b comes only
      from a but a maps to others too (a split: b is narrower); broadMatch when a maps only to b but b
      comes from others too (a merge: b is broader); closeMatch otherwise (many-to-many). A one-row pair
      of a many-to-many table (a group whose descendants map elsewhere) is therefore never exact.
    - confidence: the graph walks every edge both ways, so the chance that a holder of one side
      corresponds to the other given the table is 1/k, with k = max(targets, sources): a split is shared
      by its targets and a merge by its sources. Because the table does vouch for every pair it lists, the
      confidence is the average of that vouching (1) and 1/k: `official_confidence(k)` = (1 + 1/k) / 2,
      1 for an exact pair, 0.75 for one of two, 0.5625 for one of eight, never below 0.5, so an official
      edge with many alternatives never looks worse than a weak text match. Among pairs of equal
      confidence the graph ranks by title similarity (`services.mapping.titles`).

    Duplicate pairs count once; self pairs are dropped.
    """
    unique = list(dict.fromkeys((a, b) for a, b in pairs if (from_scheme, a) != (to_scheme, b)))
    forward: dict[str, set[str]] = defaultdict(set)
    backward: dict[str, set[str]] = defaultdict(set)
    for a, b in unique:
        forward[a].add(b)
        backward[b].add(a)
    targets = _at_level_of_detail(forward, from_parent)
    sources = _at_level_of_detail(backward, to_parent)
    edges = []
    for a, b in unique:
        out, into = len(targets[a]), len(sources[b])
        if out == 1 and into == 1:
            relation = Relation.EXACT
        elif into == 1:
            relation = Relation.NARROW
        elif out == 1:
            relation = Relation.BROAD
        else:
            relation = Relation.CLOSE
        confidence = official_confidence(max(out, into))
        edges.append(Edge(from_scheme, a, to_scheme, b, relation, confidence, method, source))
    return edges
