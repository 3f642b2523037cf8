"""Ranks, for a standard, the occupations and programmes it corresponds to, with the evidence why.

1. Match: the standard's Spanish title against every Spanish name of ESCO, SINCO 2011, ISCO-08 and
   SOC 2010 occupations (SOC 2010's from INEGI's comparison table, in Mexican usage) (`NameIndex`, BM25
   on stems, with a lexicon of related stems built from the names).
2. Route: from each matched occupation along the crosswalks to every scheme (`Router`).
3. Check in English: a target reached through a table that fans out (ISCO 7231 -> six SOC codes) is
   weighed by how well the matched occupation's English names are covered by the target's English titles
   (SOC and O*NET titles, O*NET alternate and reported titles).
4. Combine: a target reached from several matched occupations or along several routes ranks higher.
5. Priors: the occupation's share of employment in the standard's sector (OEWS), and the standard's
   level against the O*NET job zone.
6. Calibrate: the raw score maps to the precision measured on the gold set (`calibration_table`).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from services.mapping.counterparts.calibration import calibrated
from services.mapping.counterparts.corpus import Corpus, Standard
from services.mapping.counterparts.index import Doc, Hit, NameIndex, build_lexicon, query_weights, title_words
from services.mapping.counterparts.routes import Node, Route, Router
from services.mapping.counterparts.text import stems
from services.mapping.counterparts.translation import learn, translate
from services.mapping.model import Scheme

MATCHED_SCHEMES = (Scheme.ESCO, Scheme.SINCO_2011, Scheme.ISCO_08, Scheme.SOC_2010)
UNIT_GROUP_SCHEMES = (Scheme.ISCO_08, Scheme.SINCO_2011)  # only their 4-digit groups name occupations
DATASETS = {
    Scheme.ESCO: "ESCO v1.0 (es)",
    Scheme.SINCO_2011: "SINCO 2011 (INEGI)",
    Scheme.ISCO_08: "ISCO-08 (ESCO, es; INEGI's SINCO-CIUO table)",
    Scheme.SOC_2010: "SOC 2010 (INEGI's SINCO-SOC table, es)",
}
ENGLISH_DATASET = (
    "O*NET titles, alternate and reported titles (en), through a lexicon learnt from SCIAN/NAICS and ESCO"
)
ENGLISH_DOCS_PER_QUERY = 15
# English BM25 scores run lower than Spanish ones (more, longer titles per occupation): this puts the two
# channels on one scale (tuned as a general weight over the whole gold set).
TRANSLATED_WEIGHT = 2.0
DOCS_PER_QUERY = 40  # matched occupations followed per standard
OTHER_ROUTE_DECAY = 0.35  # each further piece of evidence for a target adds this share of itself
ENGLISH_FLOOR = 0.55  # weight of a fan-out target whose English titles share nothing with the match
NO_ENGLISH = 0.8  # weight when the matched occupation has no English name to check
SECTOR_WEIGHT = 2.0  # how much the occupation's concentration in the standard's sector can add
JOB_ZONE_STEP = 0.06  # lost per level of distance between the standard's level and the job zone


@dataclass(frozen=True, slots=True)
class Candidate:
    scheme: Scheme
    code: str
    confidence: float
    evidence: dict[str, Any]
    path: list[tuple[Scheme, str]]


@dataclass(slots=True)
class _Evidence:
    score: float
    contributions: list[float]
    hit: Hit
    route: Route
    index: NameIndex


class Proposer:
    def __init__(self, corpus: Corpus) -> None:
        self.corpus = corpus
        docs, name_sets = [], []
        for (scheme, code), (label_es, _, depth) in sorted(corpus.items.items()):
            if scheme not in MATCHED_SCHEMES or (scheme in UNIT_GROUP_SCHEMES and depth < 4):
                continue
            spanish = [t for lang, _, t in corpus.terms.get((scheme, code), ()) if lang == "es"]
            names = list(dict.fromkeys(_names(label_es) + spanish))
            if names:
                docs.append(Doc(scheme, code, tuple(names)))
                name_sets.append(names)
        self.index = NameIndex(docs, build_lexicon(name_sets))
        english_docs = []
        for (scheme, code), (_, label_en, _) in sorted(corpus.items.items()):
            if scheme is Scheme.ONET_SOC:
                names = _names(label_en) + [
                    t for lang, _, t in corpus.terms.get((scheme, code), ()) if lang == "en"
                ]
                english_docs.append(Doc(scheme, code, tuple(dict.fromkeys(names))))
        self.english = NameIndex(english_docs, lang="en")
        self.translations = learn(corpus.parallel)
        self.router = Router(corpus)
        self._stem_df: Counter[str] = Counter()
        for s in corpus.standards.values():
            self._stem_df.update(set(stems(s.title, "es")))
        self._english_names = {(d.scheme, d.code): _english_names(corpus, (d.scheme, d.code)) for d in docs}
        self._title_vocab: dict[Node, frozenset[str]] = {}
        for node in corpus.items:  # built now, so the first queries are as fast as the rest
            if node[0] in (Scheme.SOC_2018, Scheme.ONET_SOC, Scheme.SOC_2010):
                self._vocab(node)
        self._soc_total = Counter[str]()
        for per_soc in corpus.employment.values():
            self._soc_total.update(per_soc)
        self._english_cache: dict[tuple[Node, Node], float] = {}

    # -- ranking ---------------------------------------------------------------------------------------

    def rank(self, standard_code: str, schemes: Iterable[Scheme], first: int = 10) -> list[Candidate]:
        """The `first` best counterparts of a standard in `schemes`, best first (ties by scheme, code)."""
        standard = self.corpus.standards.get(standard_code)
        wanted = set(schemes)
        if standard is None or not wanted or first <= 0:
            return []
        evidence = self._evidence(standard, wanted)
        ranked = sorted(evidence.items(), key=lambda kv: (-kv[1].score, kv[0][0], kv[0][1]))[:first]
        return [self._candidate(standard, node, ev) for node, ev in ranked]

    def rank_per_scheme(self, standard_code: str, firsts: dict[Scheme, int]) -> dict[Scheme, list[Candidate]]:
        """`rank` for several schemes at once, each with its own length, matching the title only once."""
        standard = self.corpus.standards.get(standard_code)
        if standard is None:
            return {scheme: [] for scheme in firsts}
        evidence = self._evidence(standard, set(firsts))
        ordered = sorted(evidence.items(), key=lambda kv: (-kv[1].score, kv[0][0], kv[0][1]))
        out: dict[Scheme, list[Candidate]] = {}
        for scheme, first in firsts.items():
            best = [(node, ev) for node, ev in ordered if node[0] is scheme][: max(0, first)]
            out[scheme] = [self._candidate(standard, node, ev) for node, ev in best]
        return out

    def _evidence(self, standard: Standard, wanted: set[Scheme]) -> dict[Node, _Evidence]:
        query = query_weights(standard.title, self._stem_df, len(self.corpus.standards))
        hits = [(self.index, hit, 1.0) for hit in self.index.search(query, DOCS_PER_QUERY)]
        english = translate(query, self.translations)
        if english:
            found_en = self.english.search(english, ENGLISH_DOCS_PER_QUERY)
            hits += [(self.english, hit, TRANSLATED_WEIGHT) for hit in found_en]
        found: dict[Node, _Evidence] = {}
        for index, hit, factor in hits:
            doc = index.docs[hit.doc]
            start = (doc.scheme, doc.code)
            for node, route in self.router.reach(start).items():
                if node[0] not in wanted:
                    continue
                weight = route.weight * self._english(start, node, english)
                if route.routes > 1:
                    weight *= 1 + 0.15 * min(route.routes - 1, 3)
                value = hit.score * weight * factor
                ev = found.get(node)
                if ev is None:
                    found[node] = _Evidence(0.0, [value], hit, route, index)
                else:
                    if value > max(ev.contributions):
                        ev.hit, ev.route, ev.index = hit, route, index
                    ev.contributions.append(value)
        for node, ev in found.items():
            parts = sorted(ev.contributions, reverse=True)
            combined = sum(v * OTHER_ROUTE_DECAY**i for i, v in enumerate(parts))
            ev.score = combined * self._prior(standard, node)
        return found

    def _english(self, start: Node, target: Node, query: dict[str, float]) -> float:
        """How well a target reached through a fan-out fits in English: the matched occupation's English
        names, or the standard's own words translated, whichever the target's titles cover better."""
        if target == start or target[0] not in (Scheme.SOC_2018, Scheme.ONET_SOC, Scheme.SOC_2010):
            return 1.0
        key = (start, target)
        cached = self._english_cache.get(key)
        if cached is None:
            names = self._english_names.get(start)
            vocab = self._vocab(target)
            cached = (
                max((sum(1 for s in n if s in vocab) / len(n) for n in names), default=-1.0)
                if names
                else -1.0
            )
            self._english_cache[key] = cached
        by_query = 0.0
        if query:
            vocab = self._vocab(target)
            by_query = sum(w for s, w in query.items() if s in vocab) / sum(query.values())
        if cached < 0 and by_query == 0.0:
            return NO_ENGLISH
        return ENGLISH_FLOOR + (1 - ENGLISH_FLOOR) * max(cached, by_query)

    def _vocab(self, node: Node) -> frozenset[str]:
        """The English stems of a SOC or O*NET item's titles, alternate and reported titles included (a
        SOC code's also those of its O*NET occupations)."""
        vocab = self._title_vocab.get(node)
        if vocab is None:
            texts = _english_texts(self.corpus, node)
            if node[0] is Scheme.SOC_2018:
                for suffix in (".00", ".01", ".02", ".03", ".04", ".05", ".06", ".07", ".08"):
                    texts += _english_texts(self.corpus, (Scheme.ONET_SOC, node[1] + suffix))
            vocab = frozenset(s for t in texts for s in stems(t, "en"))
            self._title_vocab[node] = vocab
        return vocab

    def _prior(self, standard: Standard, node: Node) -> float:
        soc = _soc_of(node)
        if soc is None:
            return 1.0
        prior = 1.0
        sector = self.corpus.naics_sector(standard.sector)
        per_sector = self.corpus.employment.get(sector or "")
        if per_sector is not None and self._soc_total.get(soc):
            concentration = per_sector.get(soc, 0) / self._soc_total[soc]
            prior *= 1 + SECTOR_WEIGHT * math.sqrt(concentration)
        zone = self._job_zone(node, soc)
        if zone is not None and standard.level is not None:
            prior *= 1 - JOB_ZONE_STEP * abs(standard.level - zone)
        return prior

    def _job_zone(self, node: Node, soc: str) -> int | None:
        if node[0] is Scheme.ONET_SOC and node[1] in self.corpus.job_zones:
            return self.corpus.job_zones[node[1]]
        return self.corpus.job_zones.get(soc + ".00")

    # -- evidence --------------------------------------------------------------------------------------

    def _candidate(self, standard: Standard, node: Node, ev: _Evidence) -> Candidate:
        doc = ev.index.docs[ev.hit.doc]
        spelled = title_words(standard.title)
        path = [(Scheme.CONOCER_EC, standard.code), *ev.route.path]
        if ev.index is self.english:
            # English stems matched: name the title's words they translate, and the English stem.
            sources = {en: es for es in spelled for en, _ in self.translations.get(es, ())}
            terms = [f"{spelled[sources[s]]} ({s})" if s in sources else s for s in ev.hit.matched]
            dataset = ENGLISH_DATASET
        else:
            terms = [spelled.get(s, s) for s in ev.hit.matched]
            dataset = DATASETS[doc.scheme]
        evidence: dict[str, Any] = {
            "matchedLabel": ev.hit.name,
            "matchedTerms": terms,
            "dataset": dataset,
            "score": round(ev.score, 4),
            "route": [{"scheme": s.value, "code": c} for s, c in path],
        }
        if len(ev.contributions) > 1:
            evidence["supporting"] = len(ev.contributions) - 1
        soc = _soc_of(node)
        sector = self.corpus.naics_sector(standard.sector)
        if soc is not None and sector is not None and sector in self.corpus.employment:
            per_sector = self.corpus.employment[sector]
            total = sum(per_sector.values())
            employed = per_sector.get(soc, 0)
            evidence["sector"] = {
                "naicsSector": sector,
                "employment": employed,
                "share": round(employed / total, 4) if total else 0.0,
            }
        if soc is not None:
            zone = self._job_zone(node, soc)
            if zone is not None:
                evidence["jobZone"] = zone
        return Candidate(node[0], node[1], calibrated(ev.score), evidence, path)


def _names(label: str | None) -> list[str]:
    """ESCO writes both genders in one label: "pintor de vehículos/pintora de vehículos"."""
    if not label:
        return []
    return [part.strip() for part in label.split("/") if part.strip()]


def _english_names(corpus: Corpus, node: Node) -> list[list[str]]:
    item = corpus.items.get(node)
    texts = _names(item[1]) if item else []
    texts += [t for lang, _, t in corpus.terms.get(node, ()) if lang == "en"]
    out = []
    for t in dict.fromkeys(texts):
        st = list(dict.fromkeys(stems(t, "en")))
        if st:
            out.append(st)
    return out


def _english_texts(corpus: Corpus, node: Node) -> list[str]:
    item = corpus.items.get(node)
    if item is None:
        return []
    texts = [item[1]] if item[1] else []
    return texts + [t for lang, _, t in corpus.terms.get(node, ()) if lang == "en"]


def _soc_of(node: Node) -> str | None:
    if node[0] is Scheme.SOC_2018:
        return node[1]
    if node[0] is Scheme.ONET_SOC:
        return node[1][:7]
    return None


async def propose_all(conn: Any) -> Any:
    """Writes proposal edges for every standard (`store.propose_all`); here so the interface is one module.
    Imported late: the store builds on this module."""
    from services.mapping.counterparts.store import propose_all as write

    return await write(conn)
