"""The reviewed glossary: Spanish words of standard titles whose learnt English translation was wrong or
missing, with the English a reviewer gives them (`glossary.csv`), and the phrases whose words mean
something together that they do not mean apart (`phrases.csv`).

The lexicon learnt from parallel labels (`translation.py`) is right for most words but learns from
Spain's ESCO and from industry names, so some words of Mexican standard titles come out wrong
("municipal" as "ammunition", "delictivo" as "delicatessen", "manufactura" as "china", "montacargas" as
"hoist" where Mexico means a forklift) or not at all ("indígena", "inocuidad", "avalúo"). How the file
was made: every word of the 1,477 standard titles (1,923 words) was read with its learnt translations;
a row was written only where those were wrong or missing (a word the lexicon lacks that O*NET writes as
Spanish does, such as "yoga" or "diésel", is left to `Proposer._add_loanwords`). Rows are reasons a
reviewer can check, one line each; the file is not tuned to any gold answer.

A row's English alternatives are in order of preference, separated by "|"; an empty English says the
word names no subject ("a través de", "de forma presencial") and is left out of English queries.

Phrases: word by word, "transporte de carga" is "transport load" where Mexico means trucking, "concreto
hidráulico" sends plumbers where it means ordinary Portland cement concrete, "educación media superior"
reads as higher education where it is high school, "atención al cliente" as care where it is customer
service. How the file was made: every pair of neighbouring content words found in at least two standard
titles (993 pairs) was read with its words' translations; a row was written where the pair means
something its words do not, in the words US titles use. A phrase found in a title is translated by its
row instead of word by word (`with_phrases`); an empty English says the phrase names no subject ("nivel
avanzado": the standard's grade, not its work).
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from services.mapping.counterparts.handwritten import checked_rows
from services.mapping.counterparts.text import stems
from services.mapping.counterparts.translation import Lexicon

GLOSSARY = Path(__file__).with_name("glossary.csv")
PHRASES = Path(__file__).with_name("phrases.csv")
COLUMNS = ("spanish", "english", "why")
MAX_ROWS = 5_000  # written by hand; more is a wrong file


class GlossaryError(ValueError):
    """The glossary file is not what `read_glossary` expects; the message says where."""


def read_glossary(path: Path = GLOSSARY) -> dict[str, list[list[str]]]:
    """Spanish stem -> its English alternatives, each a list of English stems, in order of preference."""
    return {stems_[0]: english for _, stems_, english in _read(path, phrases=False)}


@dataclass(frozen=True, slots=True)
class Phrase:
    spanish: str  # as the row writes it ("transporte de carga"), to show in evidence
    stems: tuple[str, ...]  # its content words' stems, in order ("transport", "carg")
    english: tuple[tuple[str, ...], ...]  # alternatives, each English stems, in order of preference


def read_phrases(path: Path = PHRASES) -> list[Phrase]:
    """The phrase rows (two or more Spanish content words each), in file order."""
    return [
        Phrase(spanish, stems_, tuple(map(tuple, english)))
        for spanish, stems_, english in _read(path, phrases=True)
    ]


def _read(path: Path, phrases: bool) -> list[tuple[str, tuple[str, ...], list[list[str]]]]:
    """(Spanish as written, its stems, English alternatives as stems) per row, checked line by line."""
    out: list[tuple[str, tuple[str, ...], list[list[str]]]] = []
    seen: set[tuple[str, ...]] = set()
    for line, row in checked_rows(path, COLUMNS, MAX_ROWS, GlossaryError):
        spanish = tuple(stems(row["spanish"], "es"))
        if not (len(spanish) > 1 if phrases else len(spanish) == 1) or not row["why"].strip():
            what = "two or more Spanish words" if phrases else "one Spanish word"
            raise GlossaryError(f"{path.name} line {line}: {what} and a reason are required")
        if spanish in seen:
            raise GlossaryError(f"{path.name} line {line}: {row['spanish']!r} repeats a stem")
        seen.add(spanish)
        alternatives = [stems(a, "en") for a in row["english"].split("|") if a.strip()]
        if any(not a for a in alternatives):
            raise GlossaryError(f"{path.name} line {line}: an English alternative has no content word")
        out.append((row["spanish"].strip(), spanish, alternatives))
    return out


def strength_of(lexicon: Lexicon) -> float:
    """How sure a reviewed translation is: the lexicon's median first translation (a reviewed word should
    weigh like a well-learnt one, not more)."""
    return statistics.median(pairs[0][1] for pairs in lexicon.values() if pairs) if lexicon else 1.0


def reviewed(lexicon: Lexicon, glossary: dict[str, list[list[str]]]) -> Lexicon:
    """`lexicon` with each glossary word's translations replaced by the reviewer's: the first alternative
    at `strength_of(lexicon)`, the n-th at 1/n of that."""
    strength = strength_of(lexicon)
    out = dict(lexicon)
    for spanish, alternatives in glossary.items():
        out[spanish] = sorted(_weighed(alternatives, strength).items(), key=lambda p: (-p[1], p[0]))
    return out


def phrases_in(title: str, phrases: list[Phrase]) -> list[Phrase]:
    """The phrases whose words stand next to each other, in order, among the title's content words."""
    found = stems(title, "es")
    return [
        p
        for p in phrases
        if any(tuple(found[i : i + len(p.stems)]) == p.stems for i in range(len(found) - len(p.stems) + 1))
    ]


def with_phrases(
    query: dict[str, float], found: list[Phrase], strength: float
) -> tuple[dict[str, float], dict[str, float]]:
    """(the query without the words of the `found` phrases, the English of those phrases). A phrase
    carries the weight its words carried together (at most a word's full weight: 1), its alternatives
    are as sure as a glossary word's (`strength`, the n-th at 1/n)."""
    rest, english = dict(query), {}
    for phrase in found:
        weight = min(1.0, sum(query.get(s, 0.0) for s in phrase.stems))
        for stem, sure in _weighed(phrase.english, strength).items():
            english[stem] = max(english.get(stem, 0.0), weight * sure)
        for s in phrase.stems:
            rest.pop(s, None)
    return rest, english


def _weighed(alternatives: Sequence[Sequence[str]], strength: float) -> dict[str, float]:
    """English stem -> how sure: the n-th alternative's stems at strength / n (the first mention kept)."""
    out: dict[str, float] = {}
    for rank, english in enumerate(alternatives, start=1):
        for stem in english:
            out.setdefault(stem, round(strength / rank, 4))
    return out
