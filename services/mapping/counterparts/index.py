"""BM25 over the Spanish names of occupations, one unit per name, keyed by stems and weak prefix keys.

Every name of an occupation (an ESCO preferred label per gender, each alternative label, a SINCO title)
is its own short unit, and an occupation scores by its best name: a long list of alternative labels
should not make an occupation match everything. A query word counts by how rare it is among the standard
titles (`query_weights`), so the words every title uses ("prestación", "servicios") weigh almost nothing.
"""

from __future__ import annotations

import heapq
import math
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from services.mapping.counterparts.text import stem_and_prefix, stems, words
from services.mapping.model import Scheme

K1 = 1.2
B = 0.5  # names are short and alike in length: length normalisation matters little
PREFIX_WEIGHT = 0.35  # a shared prefix ("pintura" ~ "pintor") is weaker evidence than a shared stem
RARE = 5  # a stem in at most this many standard titles has full weight in a query
NAME_COVERAGE = 0.5  # share of a name's score that depends on how much of the name the query covers
EXPANSION_WEIGHT = 0.3  # a related stem from the data-built lexicon, times its association
SHORTLIST = 200  # names rescored for coverage per search
# An English query stem also looks up its agent noun or the other way round ("weld" ~ "welder", "drive" ~
# "driver", "paint" ~ "painter"): Snowball keeps short -er nouns apart from their verb, and the lexicon
# translates a Spanish activity ("soldadura") to the verb where O*NET titles name the worker.
VARIANT_WEIGHT = 0.4  # times the query stem's weight


@dataclass(frozen=True, slots=True)
class Doc:
    scheme: Scheme
    code: str
    names: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Hit:
    doc: int
    score: float
    name: str  # the name that matched best
    matched: tuple[str, ...]  # the query words it shares with that name


def keys_of(text: str, lang: str = "es") -> Counter[str]:
    """A name's index keys: its stems and, in Spanish, their prefixes (English queries come translated
    to whole stems, and English stems already join most forms of a word)."""
    keys: Counter[str] = Counter()
    for s, p in stem_and_prefix(text, lang):
        keys[s] += 1
        if p is not None and lang == "es":
            keys[p] += 1
    return keys


class NameIndex:
    def __init__(
        self, docs: list[Doc], lexicon: dict[str, list[tuple[str, float]]] | None = None, lang: str = "es"
    ) -> None:
        self.docs = docs
        self.lang = lang
        self.lexicon = lexicon or {}
        self._unit_doc: list[int] = []
        self._unit_name: list[str] = []
        self._unit_len: list[int] = []
        self._unit_words: list[int] = []  # distinct stems of the name
        self._unit_keys: list[frozenset[str]] = []
        counts: defaultdict[str, list[tuple[int, int]]] = defaultdict(list)
        for d, doc in enumerate(docs):
            for name in doc.names:
                keys = keys_of(name, lang)
                if not keys:
                    continue
                unit = len(self._unit_doc)
                self._unit_doc.append(d)
                self._unit_name.append(name)
                self._unit_len.append(sum(keys.values()))
                self._unit_words.append(sum(1 for k in keys if not k.startswith("~")))
                self._unit_keys.append(frozenset(keys))
                for key, tf in keys.items():
                    counts[key].append((unit, tf))
        n = max(1, len(self._unit_doc))
        avg_len = sum(self._unit_len) / n
        # Each posting carries its BM25 term weight (idf and length norm included): a search only adds.
        self._postings: dict[str, list[tuple[int, float]]] = {}
        for key, posted in counts.items():
            idf = math.log(1 + (n - len(posted) + 0.5) / (len(posted) + 0.5))
            self._postings[key] = [
                (unit, idf * tf * (K1 + 1) / (tf + K1 * (1 - B + B * self._unit_len[unit] / avg_len)))
                for unit, tf in posted
            ]

    def knows(self, key: str) -> bool:
        """Whether any name holds `key` (a stem, or a prefix key in Spanish)."""
        return key in self._postings

    def search(
        self, query: dict[str, float], limit: int, prefixes: dict[str, str] | None = None
    ) -> list[Hit]:
        """The `limit` best occupations for weighted query stems, best first (ties by scheme, code);
        `prefixes` gives a Spanish query stem's prefix key (`text.stem_prefixes`)."""
        weighted: dict[str, float] = {}
        origin: dict[str, str] = {}  # index key -> the query stem it stands for
        for stem, weight in query.items():
            _add(weighted, origin, stem, weight, stem)
            p = prefixes.get(stem) if prefixes and self.lang == "es" else None
            if p is not None:
                _add(weighted, origin, p, weight * PREFIX_WEIGHT, stem)
            if self.lang == "en":  # a variant never outweighs the stem itself (`_add` keeps the larger)
                for variant in _agent_variants(stem):
                    if variant in self._postings:
                        _add(weighted, origin, variant, weight * VARIANT_WEIGHT, stem)
            for related, strength in self.lexicon.get(stem, ()):
                _add(weighted, origin, related, weight * EXPANSION_WEIGHT * strength, stem)
        raw: defaultdict[int, float] = defaultdict(float)
        for key, weight in weighted.items():
            for unit, w in self._postings.get(key, ()):
                raw[unit] += weight * w
        # Only the strongest names can end in the first `limit` occupations once coverage is applied.
        shortlist = heapq.nlargest(SHORTLIST, raw.items(), key=lambda kv: (kv[1], -kv[0]))
        best: dict[int, tuple[float, int, tuple[str, ...]]] = {}
        for unit, score in shortlist:
            keys = self._unit_keys[unit]  # a task text has hundreds of keys, a query a dozen
            matched = tuple(sorted({origin[k] for k in weighted if k in keys}))
            # "supervisor de pintura en obra" shares only "pintura" with "pintura automotriz": the words
            # of a name that the query does not explain count against it.
            covered = min(1.0, len(matched) / max(1, self._unit_words[unit]))
            score *= 1 - NAME_COVERAGE + NAME_COVERAGE * covered
            d = self._unit_doc[unit]
            if d not in best or score > best[d][0]:
                best[d] = (score, unit, matched)
        docs = self.docs
        ranked = sorted(best.items(), key=lambda kv: (-kv[1][0], docs[kv[0]].scheme, docs[kv[0]].code))
        return [Hit(d, score, self._unit_name[unit], matched) for d, (score, unit, matched) in ranked[:limit]]


def _agent_variants(stem: str) -> tuple[str, ...]:
    """The English stems that may be `stem`'s agent noun or, for an -er stem, its verb; a search keeps
    only those the index holds ("order" looks up "ord" and "orde", which no O*NET text has)."""
    if stem.endswith("er") and len(stem) > 4:
        return (stem[:-2], stem[:-1])
    return (stem + "er", stem + "r", stem + "or")


def _add(weighted: dict[str, float], origin: dict[str, str], key: str, weight: float, stem: str) -> None:
    if weight > weighted.get(key, 0.0):
        weighted[key] = weight
        origin[key] = stem


def query_weights(title: str, stem_df: Counter[str], titles: int) -> dict[str, float]:
    """A standard title's stems, each weighted by its rarity among all standard titles: the square of
    log(titles / df) over log(titles / RARE), at most 1, at least 0.05. A stem in a handful of titles
    ("soldadura") weighs 1, one in forty ("preparación") about 0.4, one in two hundred ("servicios") 0.1."""
    weights: dict[str, float] = {}
    full = math.log(titles / RARE)
    for s in stems(title, "es"):
        df = max(1, stem_df.get(s, 0))
        weights[s] = min(1.0, max(0.05, (math.log(titles / df) / full) ** 2))
    return weights


def title_words(title: str) -> dict[str, str]:
    """Stem -> the word of the title it came from, to report matched terms as written."""
    out: dict[str, str] = {}
    for w in words(title, "es"):
        out.setdefault(stems(w, "es")[0], w)
    return out


def build_lexicon(
    name_sets: Iterable[list[str]], min_pairs: int = 2, min_strength: float = 0.2
) -> dict[str, list[tuple[str, float]]]:
    """Related stems from the data: two stems that appear in different names of the same occupation
    ("automóvil" in one alternative label, "vehículo" in another) in at least `min_pairs` occupations,
    with strength pairs / sqrt(occupations of a * occupations of b)."""
    df: Counter[str] = Counter()
    pairs: Counter[tuple[str, str]] = Counter()
    for names in name_sets:
        per_name = [set(stems(n, "es")) for n in names]
        vocab = set().union(*per_name) if per_name else set()
        df.update(vocab)
        related: set[tuple[str, str]] = set()
        for i, a_set in enumerate(per_name):
            for j, b_set in enumerate(per_name):
                if i == j:
                    continue
                for a in a_set - b_set:
                    for b in b_set - a_set:
                        if a != b:
                            related.add((a, b))
        pairs.update(related)
    lexicon: defaultdict[str, list[tuple[str, float]]] = defaultdict(list)
    for (a, b), n in pairs.items():
        if n < min_pairs:
            continue
        strength = n / math.sqrt(df[a] * df[b])
        if strength >= min_strength:
            lexicon[a].append((b, round(strength, 4)))
    return {a: sorted(rel, key=lambda r: (-r[1], r[0]))[:8] for a, rel in sorted(lexicon.items())}
