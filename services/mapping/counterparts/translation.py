"""A Spanish -> English word lexicon learnt from labels published in both languages.

SCIAN 2023 and NAICS 2022 name the same industries ("Fabricación de partes para vehículos automotores" =
"Motor Vehicle Parts Manufacturing"), ESCO and ISCO their occupations, and ESCO its 13,472 skills
("reparar sistemas de suspensión" = "repair suspension systems"), in both languages. IBM Model 1 (Brown et
al., 1993: a few rounds of expectation-maximisation over the pairs, with a "no word" source) learns how
likely each English stem is as the translation of each Spanish stem or word prefix. Unlike counting
co-occurrences, it explains a pair's English words away by the Spanish words that translate them best,
so "motor" is not also learnt as "vehicle" from every "motor vehicle" title. This carries a standard's
words that no Spanish occupation name uses ("automotriz", "afinación") over to O*NET's English titles
and tasks.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable

from services.mapping.counterparts.text import stem_and_prefix, stems

ROUNDS = 5  # EM rounds: more sharpen the few frequent words and starve the rare ones
MIN_PAIRS = 2  # a pairing seen once is chance
MIN_PROBABILITY = 0.1
PER_WORD = 3
PREFIX_WEIGHT = 0.5  # a Spanish word known only by its prefix ("automotriz" ~ "automotrices")
_NULL = ""  # the source of English words no Spanish word accounts for ("of", "and related")

# Spanish stem or prefix key -> (English stem, probability), likeliest first
Lexicon = dict[str, list[tuple[str, float]]]


def learn(parallel: Iterable[tuple[str, str]]) -> Lexicon:
    """Spanish stem or prefix key -> up to PER_WORD (English stem, probability), likeliest first (ties by
    stem)."""
    pairs: list[tuple[list[str], list[str]]] = []
    seen: Counter[tuple[str, str]] = Counter()
    for es, en in parallel:
        spanish = stem_and_prefix(es, "es")
        source = sorted({s for s, _ in spanish} | {p for _, p in spanish if p is not None})
        target = sorted(set(stems(en, "en")))
        if source and target:
            seen.update((x, y) for x in source for y in target)
            pairs.append(([*source, _NULL], target))
    t: dict[tuple[str, str], float] = defaultdict(lambda: 1.0)  # t(english | spanish), uniform at first
    for _ in range(ROUNDS):
        counts: defaultdict[tuple[str, str], float] = defaultdict(float)
        totals: defaultdict[str, float] = defaultdict(float)
        for source, target in pairs:
            for y in target:
                norm = sum(t[(x, y)] for x in source)
                for x in source:
                    share = t[(x, y)] / norm
                    counts[(x, y)] += share
                    totals[x] += share
        t = {(x, y): c / totals[x] for (x, y), c in counts.items()}
    lexicon: defaultdict[str, list[tuple[str, float]]] = defaultdict(list)
    for (x, y), p in t.items():
        if x != _NULL and p >= MIN_PROBABILITY and seen[(x, y)] >= MIN_PAIRS:
            lexicon[x].append((y, round(p, 4)))
    return {x: sorted(pairs, key=lambda p: (-p[1], p[0]))[:PER_WORD] for x, pairs in sorted(lexicon.items())}


def translate(
    query: dict[str, float],
    lexicon: Lexicon,
    prefixes: dict[str, str] | None = None,
) -> dict[str, float]:
    """English stems for weighted Spanish stems: weight times probability, the strongest source kept; a
    stem the lexicon lacks is translated by its word's prefix (`prefixes`, stem -> key), at PREFIX_WEIGHT."""
    out: dict[str, float] = {}
    for stem, weight in query.items():
        pairs = lexicon.get(stem)
        if pairs is None and prefixes and (p := prefixes.get(stem)) is not None:
            pairs, weight = lexicon.get(p), weight * PREFIX_WEIGHT
        for en, probability in pairs or ():
            out[en] = max(out.get(en, 0.0), weight * probability)
    return out
