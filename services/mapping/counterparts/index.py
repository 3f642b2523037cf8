"""BM25 over the Spanish names of occupations, one unit per name, keyed by stems and weak prefix keys.

Every name of an occupation (an ESCO preferred label per gender, each alternative label, a SINCO title)
is its own short unit, and an occupation scores by its best name: a long list of alternative labels
should not make an occupation match everything. A query word counts by how rare it is among the standard
titles (`query_weights`), so the words every title uses ("prestación", "servicios") weigh almost nothing.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from services.mapping.counterparts.text import prefix, stems, words
from services.mapping.model import Scheme

K1 = 1.2
B = 0.5  # names are short and alike in length: length normalisation matters little
PREFIX_WEIGHT = 0.35  # a shared prefix ("pintura" ~ "pintor") is weaker evidence than a shared stem
RARE = 5  # a stem in at most this many standard titles has full weight in a query
NAME_COVERAGE = 0.5  # share of a name's score that depends on how much of the name the query covers
EXPANSION_WEIGHT = 0.3  # a related stem from the data-built lexicon, times its association


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


def keys_of(text: str) -> Counter[str]:
    """A name's index keys: its stems and their prefixes."""
    keys: Counter[str] = Counter()
    for s in stems(text, "es"):
        keys[s] += 1
        p = prefix(s)
        if p is not None:
            keys[p] += 1
    return keys


class NameIndex:
    def __init__(self, docs: list[Doc], lexicon: dict[str, list[tuple[str, float]]] | None = None) -> None:
        self.docs = docs
        self.lexicon = lexicon or {}
        self._unit_doc: list[int] = []
        self._unit_name: list[str] = []
        self._unit_len: list[int] = []
        self._unit_words: list[int] = []  # distinct stems of the name
        postings: defaultdict[str, list[tuple[int, int]]] = defaultdict(list)
        for d, doc in enumerate(docs):
            for name in doc.names:
                keys = keys_of(name)
                if not keys:
                    continue
                unit = len(self._unit_doc)
                self._unit_doc.append(d)
                self._unit_name.append(name)
                self._unit_len.append(sum(keys.values()))
                self._unit_words.append(sum(1 for k in keys if not k.startswith("~")))
                for key, tf in keys.items():
                    postings[key].append((unit, tf))
        self._postings = dict(postings)
        n = max(1, len(self._unit_doc))
        self._avg_len = sum(self._unit_len) / n
        self._idf = {
            key: math.log(1 + (n - len(p) + 0.5) / (len(p) + 0.5)) for key, p in self._postings.items()
        }

    def search(self, query: dict[str, float], limit: int) -> list[Hit]:
        """The `limit` best occupations for weighted query stems, best first (ties by scheme, code)."""
        weighted: dict[str, float] = {}
        origin: dict[str, str] = {}  # index key -> the query stem it stands for
        for stem, weight in query.items():
            _add(weighted, origin, stem, weight, stem)
            p = prefix(stem)
            if p is not None:
                _add(weighted, origin, p, weight * PREFIX_WEIGHT, stem)
            for related, strength in self.lexicon.get(stem, ()):
                _add(weighted, origin, related, weight * EXPANSION_WEIGHT * strength, stem)
        unit_scores: defaultdict[int, float] = defaultdict(float)
        unit_stems: defaultdict[int, set[str]] = defaultdict(set)
        for key, weight in weighted.items():
            postings = self._postings.get(key)
            if not postings:
                continue
            idf = self._idf[key] * weight
            for unit, tf in postings:
                norm = K1 * (1 - B + B * self._unit_len[unit] / self._avg_len)
                unit_scores[unit] += idf * tf * (K1 + 1) / (tf + norm)
                unit_stems[unit].add(origin[key])
        best: dict[int, tuple[float, int]] = {}
        for unit, raw in unit_scores.items():
            # "supervisor de pintura en obra" shares only "pintura" with "pintura automotriz": the words
            # of a name that the query does not explain count against it.
            covered = len(unit_stems[unit]) / max(1, self._unit_words[unit])
            score = raw * (1 - NAME_COVERAGE + NAME_COVERAGE * min(1.0, covered))
            d = self._unit_doc[unit]
            if d not in best or score > best[d][0]:
                best[d] = (score, unit)
        docs = self.docs
        ranked = sorted(best.items(), key=lambda kv: (-kv[1][0], docs[kv[0]].scheme, docs[kv[0]].code))
        return [
            Hit(d, score, self._unit_name[unit], tuple(sorted(unit_stems[unit])))
            for d, (score, unit) in ranked[:limit]
        ]


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
