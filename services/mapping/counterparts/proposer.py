"""Ranks, for a standard, the occupations and programmes it corresponds to, with the evidence why.

Three channels look for the standard's title, each ranking occupations on its own:

1. Spanish names: the title against every Spanish name of ESCO, SINCO 2011, ISCO-08 and SOC 2010
   occupations (SOC 2010's from INEGI's comparison table, in Mexican usage) (`NameIndex`, BM25 on stems,
   with a lexicon of related stems built from the names), then along the crosswalks to every scheme
   (`Router`); a compound the title coins ("videovigilancia") also counts as its known parts
   (`compounds.py`); a name sharing only part of a reviewed phrase of the title ("ingeniero civil" for
   "protección civil") counts for half (`_unsplit`). A target reached through a table that fans out
   (ISCO 7231 -> six SOC codes) is weighed by how well the matched occupation's English names are covered
   by the target's English titles.
2. English titles: the title translated word by word (`translation.py`, a lexicon learnt from labels
   published in both languages: SCIAN/NAICS, ESCO occupations, ISCO groups and ESCO's 13,472 skills,
   mended by a reviewed glossary of the titles' words and phrases, `glossary.py`; a word neither knows that
   O*NET writes as Spanish does stands for itself) against O*NET titles, alternate and reported titles.
3. English tasks: the same translated title against each O*NET occupation's task statements and its
   description, which name the work ("Tune automobile engines") where titles name the worker.

A target's score adds each channel's score relative to that channel's best for the standard, weighted
(a target both English channels found also borrows part of the best Spanish score in its SOC minor group:
Spanish names often find the area of work, English ones the occupation in it; `_credit_siblings`; one
that only a single shared word of one Spanish name speaks for loses part of its score: `_lone_word`), and
priors: the occupation's concentration and prevalence in the standard's sector (OEWS), and a penalty
when one of standard and occupation supervises and the other does not. The raw score maps to the precision
measured on the gold set (`calibration_table`), a standard's best candidate in a scheme by its own table.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from services.mapping.counterparts.calibration import calibrated
from services.mapping.counterparts.compounds import Compounds
from services.mapping.counterparts.corpus import Corpus, Standard
from services.mapping.counterparts.glossary import (
    Phrase,
    phrases_in,
    read_glossary,
    read_phrases,
    reviewed,
    strength_of,
    with_phrases,
)
from services.mapping.counterparts.index import Doc, Hit, NameIndex, build_lexicon, query_weights, title_words
from services.mapping.counterparts.routes import Node, Route, Router
from services.mapping.counterparts.text import fold, prefix, stem_prefixes, stems, words
from services.mapping.counterparts.translation import learn, translate
from services.mapping.model import Scheme

US_OCCUPATIONS = frozenset({Scheme.SOC_2018, Scheme.ONET_SOC})  # what channel scores are measured against
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
TASKS_DATASET = "O*NET 30.0 task statements and occupation descriptions (en), through the same lexicon"
DOCS_PER_QUERY = 40  # matched occupations followed per standard, Spanish names
ENGLISH_DOCS_PER_QUERY = 30  # the same for English titles
TASK_DOCS_PER_QUERY = 30  # and for task statements
LOANWORD_WEIGHT = 0.6  # an untranslated word looked up in English as written
LONE_WORD_WEIGHT = 0.7  # a target only one word of one Spanish name speaks for (`_lone_word`)
SPLIT_PHRASE_WEIGHT = 0.5  # a Spanish name sharing only part of a reviewed phrase of the title (`_unsplit`)
COMPOUND_WEIGHT = 0.8  # a part of a compound the title coined, against the compound's own weight
OTHER_ROUTE_DECAY = 0.35  # each further piece of evidence for a target adds this share of itself
ENGLISH_FLOOR = 0.55  # weight of a fan-out target whose English titles share nothing with the match
NO_ENGLISH = 0.8  # weight when the matched occupation has no English name to check
# One linear score: each channel's score relative to its best for the standard, times its weight, plus
# the priors. Set by hand to round values and checked by five-fold cross-validation on the gold set
# (bench/counterparts.py); fitted weights gained little there over these.
SPANISH_WEIGHT = 1.0  # Spanish names of ESCO, SINCO, ISCO-08 and SOC 2010 occupations
TITLES_WEIGHT = 0.5  # English O*NET titles, alternate and reported titles, for the translated title
TASKS_WEIGHT = 0.3  # O*NET task statements, for the translated title
SIBLING_WEIGHT = 0.4  # share of the best Spanish score in a target's SOC minor group (`_credit_siblings`)
SECTOR_WEIGHT = 0.5  # times the square root of the occupation's concentration in the standard's sector
PREVALENCE_WEIGHT = 0.3  # times the square root of its jobs in that sector over the sector's commonest
ROLE_WEIGHT = 0.5  # lost when the standard supervises and the occupation does not, or the other way
SUPERVISING_WORDS = frozenset(
    {"coordinacion", "supervision", "direccion", "gestion", "gerencia", "administracion"}
    | {"coordinar", "supervisar", "dirigir", "administrar", "gestionar"}
)


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
    hit: Hit  # the strongest contribution's
    route: Route
    index: NameIndex
    best: float  # the strongest contribution


@dataclass(frozen=True, slots=True)
class _Spelled:
    spanish: dict[str, str]  # Spanish stem -> the title's word
    english: dict[str, str]  # English stem -> the title's word or phrase it translates


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
        # An occupation's task statements are one text: tasks are long, and a standard's few words are
        # spread over several of them ("diagnose", "repair", "brakes").
        self.tasks = NameIndex(
            [Doc(Scheme.ONET_SOC, code, (" ".join(t),)) for code, t in sorted(corpus.tasks.items())],
            lang="en",
        )
        learnt = learn(corpus.parallel)
        self.translations = reviewed(learnt, read_glossary())
        self.phrases, self._phrase_strength = read_phrases(), strength_of(learnt)
        self.compounds = Compounds(
            fold(w)
            for text in [*(n for d in docs for n in d.names), *(es for es, _ in corpus.parallel)]
            for w in words(text, "es")
        )
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
        self._sector_top = {
            sector: max(per_soc.values(), default=0) for sector, per_soc in corpus.employment.items()
        }
        self._english_cache: dict[tuple[Node, Node], float] = {}
        self._reach_cache: dict[tuple[Node, frozenset[Scheme]], list[tuple[Node, Route]]] = {}
        # Managers (SOC major group 11) and first-line supervisors, by the SOC's own title.
        self._supervisory = frozenset(
            code
            for (scheme, code), (_, label_en, _) in corpus.items.items()
            if scheme is Scheme.SOC_2018
            and (code.startswith("11-") or (label_en or "").startswith("First-Line Supervisors"))
        )

    # -- ranking ---------------------------------------------------------------------------------------

    def rank(self, standard_code: str, schemes: Iterable[Scheme], first: int = 10) -> list[Candidate]:
        """The `first` best counterparts of a standard in `schemes`, best first (ties by scheme, code)."""
        standard = self.corpus.standards.get(standard_code)
        wanted = set(schemes)
        if standard is None or not wanted or first <= 0:
            return []
        evidence = self._evidence(standard, wanted)
        ordered = sorted(evidence.items(), key=lambda kv: (-kv[1].score, kv[0][0], kv[0][1]))
        best = _best_per_scheme(ordered)
        spelled = self._spelled(standard.title)
        return [self._candidate(standard, node, ev, node in best, spelled) for node, ev in ordered[:first]]

    def rank_per_scheme(self, standard_code: str, firsts: dict[Scheme, int]) -> dict[Scheme, list[Candidate]]:
        """`rank` for several schemes at once, each with its own length, matching the title only once."""
        standard = self.corpus.standards.get(standard_code)
        if standard is None:
            return {scheme: [] for scheme in firsts}
        evidence = self._evidence(standard, set(firsts))
        ordered = sorted(evidence.items(), key=lambda kv: (-kv[1].score, kv[0][0], kv[0][1]))
        best = _best_per_scheme(ordered)
        spelled = self._spelled(standard.title)
        out: dict[Scheme, list[Candidate]] = {}
        for scheme, first in firsts.items():
            mine = [(node, ev) for node, ev in ordered if node[0] is scheme][: max(0, first)]
            out[scheme] = [self._candidate(standard, node, ev, node in best, spelled) for node, ev in mine]
        return out

    def _evidence(self, standard: Standard, wanted: set[Scheme]) -> dict[Node, _Evidence]:
        """Each reachable target's evidence in `wanted` schemes, its score the weighted sum of what every
        channel found (each channel's score over its best US occupation for this standard, so channels
        share one scale, and a target's score is the same whichever schemes are asked: the calibration
        measured on SOC codes holds for stored proposals of every scheme) and the priors."""
        scope = wanted | US_OCCUPATIONS
        query = query_weights(standard.title, self._stem_df, len(self.corpus.standards))
        prefixes = stem_prefixes(standard.title, "es")
        self._add_compound_parts(standard.title, query, prefixes)
        phrases = phrases_in(standard.title, self.phrases)
        english = self._translate(standard.title, query, prefixes, phrases)
        spanish = _unsplit(self.index.search(query, DOCS_PER_QUERY, prefixes), phrases)
        channels = [(SPANISH_WEIGHT, self._channel(self.index, spanish, scope, english))]
        if english:
            for weight, index, limit in (
                (TITLES_WEIGHT, self.english, ENGLISH_DOCS_PER_QUERY),
                (TASKS_WEIGHT, self.tasks, TASK_DOCS_PER_QUERY),
            ):
                channels.append((weight, self._channel(index, index.search(english, limit), scope, None)))
        bests = [_best_score(channel) for _, channel in channels]
        found: dict[Node, _Evidence] = {}
        for (weight, channel), best in zip(channels, bests, strict=True):
            for node, ev in channel.items():
                share = weight * ev.score / best if best > 0 else 0.0
                known = found.get(node)
                if known is None:
                    found[node] = _Evidence(share, [share], ev.hit, ev.route, ev.index, share)
                else:
                    if share > known.best:  # the strongest channel speaks for the target
                        known.hit, known.route, known.index, known.best = ev.hit, ev.route, ev.index, share
                    known.contributions.append(share)
                    known.score += share
        for ev in found.values():
            if _lone_word(ev, self.index):
                ev.score *= LONE_WORD_WEIGHT
        _credit_siblings(found, [channel for _, channel in channels], bests)
        supervises = _supervises(standard.title)
        sector = self.corpus.naics_sector(standard.sector)
        wanted_found = {node: ev for node, ev in found.items() if node[0] in wanted}
        for node, ev in wanted_found.items():
            ev.score = max(0.0, ev.score + self._prior(node, sector, supervises))
        return wanted_found

    def _translate(
        self, title: str, query: dict[str, float], prefixes: dict[str, str], phrases: list[Phrase]
    ) -> dict[str, float]:
        """The English query: the title's reviewed `phrases` by their rows, its other words by the
        lexicon, and loanwords as written."""
        rest, english = with_phrases(query, phrases, self._phrase_strength)
        for stem, weight in translate(rest, self.translations, prefixes).items():
            english[stem] = max(english.get(stem, 0.0), weight)
        self._add_loanwords(title, rest, english)
        return english

    def _add_compound_parts(self, title: str, query: dict[str, float], prefixes: dict[str, str]) -> None:
        """Adds to `query` the parts of the title's compounds that nothing else would match
        ("videovigilancia": "video", "vigilancia"), at COMPOUND_WEIGHT of the compound's weight."""
        for word, part, part_stem in self._compound_parts(title):
            if part_stem not in query:
                query[part_stem] = query[stems(word, "es")[0]] * COMPOUND_WEIGHT
                if (key := prefix(part)) is not None:
                    prefixes.setdefault(part_stem, key)

    def _add_loanwords(self, title: str, query: dict[str, float], english: dict[str, float]) -> None:
        """A word the lexicon cannot translate that English titles or tasks use as it is written ("diésel",
        "yoga", "coaching", "rural"): Spanish borrows trade words and shares Latin ones; it stands for
        itself, at LOANWORD_WEIGHT."""
        for word in words(title, "es"):
            stem, key = stems(word, "es")[0], prefix(word)
            if stem not in query or stem in self.translations or key in self.translations:
                continue
            for loan in stems(fold(word), "en")[:1]:  # none when the word is an English function word
                if self.english.knows(loan) or self.tasks.knows(loan):
                    english[loan] = max(english.get(loan, 0.0), query[stem] * LOANWORD_WEIGHT)

    def _compound_parts(self, title: str) -> list[tuple[str, str, str]]:
        """(word of the title, known word it is made of, that word's stem) for the title's compounds."""
        return [
            (word, part, stems(part, "es")[0])
            for word in words(title, "es")
            for part in self.compounds.parts(fold(word))
        ]

    def _spelled(self, title: str) -> _Spelled:
        """How to show what matched: a Spanish stem as the title's word ("videovigilancia (vigilancia)" for
        a compound's part), an English stem as the word or phrase of the title it translates."""
        spanish = title_words(title)
        for word, part, part_stem in self._compound_parts(title):
            spanish.setdefault(part_stem, f"{word} ({part})")
        english = {en: spanish[es] for es in spanish for en, _ in self.translations.get(es, ())}
        for phrase in phrases_in(title, self.phrases):
            english.update((en, phrase.spanish) for alternative in phrase.english for en in alternative)
        return _Spelled(spanish, english)

    def _channel(
        self, index: NameIndex, hits: list[Hit], wanted: set[Scheme], english: dict[str, float] | None
    ) -> dict[Node, _Evidence]:
        """The targets one index's hits reach along the crosswalks: a target's score is its best route's
        plus a decaying share of every further one (`OTHER_ROUTE_DECAY`). Spanish hits are checked in
        English where a table fans out (`_english`); English hits already are."""
        found: dict[Node, _Evidence] = {}
        fit: dict[Node, float] = {}  # how much of the translated title each target's titles cover
        for hit in hits:
            doc = index.docs[hit.doc]
            start = (doc.scheme, doc.code)
            for node, route in self._reach(start, wanted):
                weight = route.weight
                if english is not None:
                    weight *= self._english(start, node, english, fit)
                if route.routes > 1:
                    weight *= 1 + 0.15 * min(route.routes - 1, 3)
                value = hit.score * weight
                ev = found.get(node)
                if ev is None:
                    found[node] = _Evidence(0.0, [value], hit, route, index, value)
                else:
                    if value > ev.best:
                        ev.hit, ev.route, ev.best = hit, route, value
                    ev.contributions.append(value)
        for ev in found.values():
            parts = ev.contributions
            if len(parts) == 1:  # most targets: one route from one name
                ev.score = parts[0]
            else:
                parts.sort(reverse=True)
                ev.score = sum(v * OTHER_ROUTE_DECAY**i for i, v in enumerate(parts))
        return found

    def _reach(self, start: Node, wanted: set[Scheme]) -> list[tuple[Node, Route]]:
        """`Router.reach` from `start`, only the targets in `wanted` schemes (kept: every standard asks)."""
        key = (start, frozenset(wanted))
        reached = self._reach_cache.get(key)
        if reached is None:
            reached = [(node, route) for node, route in self.router.reach(start).items() if node[0] in wanted]
            self._reach_cache[key] = reached
        return reached

    def _english(self, start: Node, target: Node, query: dict[str, float], fit: dict[Node, float]) -> float:
        """How well a target reached through a fan-out fits in English: the matched occupation's English
        names, or the standard's own words translated, whichever the target's titles cover better (`fit`
        keeps the latter per target for the standard at hand)."""
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
        by_query = fit.get(target)
        if by_query is None:
            by_query = 0.0
            if query:
                vocab = self._vocab(target)
                by_query = sum(w for s, w in query.items() if s in vocab) / sum(query.values())
            fit[target] = by_query
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

    def _prior(self, node: Node, sector: str | None, supervises: bool) -> float:
        """What the target's occupation adds before any word matched, from US employment by sector (OEWS)
        in the standard's NAICS `sector`: its concentration there (the share of all its jobs that are in
        that sector) and its prevalence there (its jobs in the sector over those of the sector's commonest
        occupation: a standard is more often written for the work many people of the sector do than for a
        rare specialty sharing its words); less `ROLE_WEIGHT` when one of the standard (`supervises`) and
        the occupation supervises or manages and the other does not."""
        soc = _soc_of(node)
        if soc is None:
            return 0.0
        prior = 0.0
        per_sector = self.corpus.employment.get(sector or "")
        if per_sector is not None and self._soc_total.get(soc):
            jobs = per_sector.get(soc, 0)
            prior += SECTOR_WEIGHT * math.sqrt(jobs / self._soc_total[soc])
            if top := self._sector_top.get(sector or ""):
                prior += PREVALENCE_WEIGHT * math.sqrt(jobs / top)
        if supervises != (soc in self._supervisory):
            prior -= ROLE_WEIGHT
        return prior

    def _job_zone(self, node: Node, soc: str) -> int | None:
        if node[0] is Scheme.ONET_SOC and node[1] in self.corpus.job_zones:
            return self.corpus.job_zones[node[1]]
        return self.corpus.job_zones.get(soc + ".00")

    # -- evidence --------------------------------------------------------------------------------------

    def _candidate(
        self, standard: Standard, node: Node, ev: _Evidence, first: bool, spelled: _Spelled
    ) -> Candidate:
        """The candidate with its evidence; `first` when it is the standard's best in its scheme."""
        doc = ev.index.docs[ev.hit.doc]
        path = [(Scheme.CONOCER_EC, standard.code), *ev.route.path]
        label = ev.hit.name
        if ev.index is self.english or ev.index is self.tasks:
            # English stems matched: name the title's words they translate, and the English stem.
            terms = [f"{spelled.english[s]} ({s})" if s in spelled.english else s for s in ev.hit.matched]
            dataset = ENGLISH_DATASET
            if ev.index is self.tasks:
                dataset = TASKS_DATASET
                label = _best_task(self.corpus.tasks.get(doc.code, []), set(ev.hit.matched))
        else:
            terms = [spelled.spanish.get(s, s) for s in ev.hit.matched]
            dataset = DATASETS[doc.scheme]
        evidence: dict[str, Any] = {
            "matchedLabel": label,
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
        return Candidate(node[0], node[1], calibrated(ev.score, first), evidence, path)


def _best_score(channel: dict[Node, _Evidence]) -> float:
    """What a channel's scores are measured against: its best US occupation (SOC 2018 or O*NET-SOC), or
    its best target when it reached none."""
    occupations = [ev.score for node, ev in channel.items() if node[0] in US_OCCUPATIONS]
    return max(occupations or [ev.score for ev in channel.values()], default=0.0)


def _credit_siblings(
    found: dict[Node, _Evidence], channels: list[dict[Node, _Evidence]], bests: list[float]
) -> None:
    """Lends a SOC or O*NET target a share (`SIBLING_WEIGHT`) of the best Spanish-name score in its SOC
    minor group, times how strongly the English channels found the target itself (the mean of its score
    over each channel's best: both must agree for the full share), where that is more than its own
    Spanish score. A Spanish name often finds the right area of work but, along a table that
    fans out or a one-word match, the wrong occupation in it ("postizos" -> wigmakers for artificial
    nails); the English channels name the occupation ("Nail Technician") but alone weigh too little."""
    spanish, english = channels[0], channels[1:]
    top, english_top = bests[0], bests[1:]
    if top <= 0 or not english:
        return
    group_best: dict[tuple[Scheme, str], float] = {}
    for node, ev in spanish.items():
        if node[0] in (Scheme.SOC_2018, Scheme.ONET_SOC):
            key = (node[0], node[1][:4])  # "39-5092" and "39-5092.00": minor group 39-5000
            group_best[key] = max(group_best.get(key, 0.0), ev.score / top)
    for node, ev in found.items():
        group = group_best.get((node[0], node[1][:4]))
        if group is None:  # no Spanish name reached its group, or no SOC or O*NET target
            continue
        confirmed = sum(
            ch[node].score / t for ch, t in zip(english, english_top, strict=True) if t > 0 and node in ch
        ) / len(english)
        own = spanish[node].score / top if node in spanish else 0.0
        lift = SPANISH_WEIGHT * (SIBLING_WEIGHT * confirmed * group - own)
        if lift > 0:
            ev.score += lift


def _lone_word(ev: _Evidence, spanish: NameIndex) -> bool:
    """Whether only the Spanish names found a target, and its strongest name shares a single word of two
    or more with the title: nothing in English agrees, and one shared word is how "recepcionista de
    consulta veterinaria" reaches "procedimientos de consulta sindical", "colocador de pizarra" the
    placing of eyelash extensions, or "veterinaria de animales acuáticos" aquatic exercise for older
    adults."""
    return (
        len(ev.contributions) == 1
        and ev.index is spanish
        and len(ev.hit.matched) == 1
        and len(set(stems(ev.hit.name, "es"))) > 1
    )


def _unsplit(hits: list[Hit], phrases: list[Phrase]) -> list[Hit]:
    """`hits` with a name that shares part of a reviewed phrase of the title but not the rest at
    SPLIT_PHRASE_WEIGHT of its score, best first again: it matched a word outside the sense the phrase
    gives it ("ingeniero civil" for "protección civil", "primer oficial" for "primer respondiente",
    "agente de libertad vigilada" for "personas privadas de la libertad")."""
    if not phrases:
        return hits
    out = []
    for hit in hits:
        matched = set(hit.matched)
        if any(matched & set(p.stems) and not matched >= set(p.stems) for p in phrases):
            hit = Hit(hit.doc, hit.score * SPLIT_PHRASE_WEIGHT, hit.name, hit.matched)
        out.append(hit)
    return sorted(out, key=lambda h: -h.score)  # stable: ties keep the index's order


def _best_per_scheme(ordered: list[tuple[Node, _Evidence]]) -> set[Node]:
    """The first target of each scheme in a best-first list."""
    seen: dict[Scheme, Node] = {}
    for node, _ in ordered:
        seen.setdefault(node[0], node)
    return set(seen.values())


def _best_task(tasks: list[str], matched: set[str]) -> str:
    """The task statement that holds most of the matched stems (the first such, in code order)."""
    return max(tasks, key=lambda t: len(matched & set(stems(t, "en"))), default="")


def _supervises(title: str) -> bool:
    """Whether a standard's title names supervising or managing work ("Coordinación de los servicios de
    limpieza...") rather than doing it: by its first word, as CONOCER titles are written."""
    first = words(title, "es")[:1]
    return bool(first) and fold(first[0]) in SUPERVISING_WORDS


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
