"""A Spanish -> English word lexicon learnt from titles published in both languages.

SCIAN 2023 and NAICS 2022 name the same industries ("Fabricación de partes para vehículos automotores" =
"Motor Vehicle Parts Manufacturing"), ESCO and ISCO their occupations in both languages. A Spanish stem
translates to the English stems it appears with most consistently across those pairs (Dice coefficient),
which carries a standard's words that no Spanish occupation name uses ("automotriz" is in no ESCO or
SINCO title) over to the English O*NET titles.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable

from services.mapping.counterparts.text import stem_and_prefix, stems

MIN_PAIRS = 2  # a pairing seen once is chance
MIN_DICE = 0.25
PER_WORD = 3
PREFIX_WEIGHT = 0.5  # a Spanish word known only by its prefix ("automotriz" ~ "automotrices")


def learn(parallel: Iterable[tuple[str, str]]) -> dict[str, list[tuple[str, float]]]:
    """Spanish stem -> up to PER_WORD (English stem, Dice) pairs, strongest first (ties by stem)."""
    df_es: Counter[str] = Counter()
    df_en: Counter[str] = Counter()
    both: Counter[tuple[str, str]] = Counter()
    for es, en in parallel:
        spanish = stem_and_prefix(es, "es")
        a = {s for s, _ in spanish} | {p for _, p in spanish if p is not None}
        b = set(stems(en, "en"))
        df_es.update(a)
        df_en.update(b)
        both.update((x, y) for x in a for y in b)
    lexicon: defaultdict[str, list[tuple[str, float]]] = defaultdict(list)
    for (x, y), n in both.items():
        if n < MIN_PAIRS:
            continue
        dice = 2 * n / (df_es[x] + df_en[y])
        if dice >= MIN_DICE:
            lexicon[x].append((y, round(dice, 4)))
    return {x: sorted(pairs, key=lambda p: (-p[1], p[0]))[:PER_WORD] for x, pairs in sorted(lexicon.items())}


def translate(
    query: dict[str, float],
    lexicon: dict[str, list[tuple[str, float]]],
    prefixes: dict[str, str] | None = None,
) -> dict[str, float]:
    """English stems for weighted Spanish stems: weight times Dice, the strongest source kept; a stem
    the lexicon lacks is translated by its word's prefix (`prefixes`, stem -> key), at PREFIX_WEIGHT."""
    out: dict[str, float] = {}
    for stem, weight in query.items():
        pairs = lexicon.get(stem)
        if pairs is None and prefixes and (p := prefixes.get(stem)) is not None:
            pairs, weight = lexicon.get(p), weight * PREFIX_WEIGHT
        for en, dice in pairs or ():
            out[en] = max(out.get(en, 0.0), weight * dice)
    return out
