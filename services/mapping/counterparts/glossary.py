"""The reviewed glossary: Spanish words of standard titles whose learnt English translation was wrong or
missing, with the English a reviewer gives them (`glossary.csv`).

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
"""

from __future__ import annotations

import statistics
from pathlib import Path

from services.mapping.counterparts.handwritten import checked_rows
from services.mapping.counterparts.text import stems
from services.mapping.counterparts.translation import Lexicon

GLOSSARY = Path(__file__).with_name("glossary.csv")
COLUMNS = ("spanish", "english", "why")
MAX_ROWS = 5_000  # written by hand; more is a wrong file


class GlossaryError(ValueError):
    """The glossary file is not what `read_glossary` expects; the message says where."""


def read_glossary(path: Path = GLOSSARY) -> dict[str, list[list[str]]]:
    """Spanish stem -> its English alternatives, each a list of English stems, in order of preference."""
    out: dict[str, list[list[str]]] = {}
    for line, row in checked_rows(path, COLUMNS, MAX_ROWS, GlossaryError):
        spanish = stems(row["spanish"], "es")
        if len(spanish) != 1 or not row["why"].strip():
            raise GlossaryError(f"{path.name} line {line}: one Spanish word and a reason are required")
        if spanish[0] in out:
            raise GlossaryError(f"{path.name} line {line}: {row['spanish']!r} repeats a stem")
        alternatives = [stems(a, "en") for a in row["english"].split("|") if a.strip()]
        if any(not a for a in alternatives):
            raise GlossaryError(f"{path.name} line {line}: an English alternative has no content word")
        out[spanish[0]] = alternatives
    return out


def reviewed(lexicon: Lexicon, glossary: dict[str, list[list[str]]]) -> Lexicon:
    """`lexicon` with each glossary word's translations replaced by the reviewer's: the first alternative
    as sure as the lexicon's median first translation (a reviewed word should weigh like a well-learnt one,
    not more), the n-th at 1/n of that."""
    strength = statistics.median(pairs[0][1] for pairs in lexicon.values() if pairs) if lexicon else 1.0
    out = dict(lexicon)
    for spanish, alternatives in glossary.items():
        translated: dict[str, float] = {}
        for rank, english in enumerate(alternatives, start=1):
            for stem in english:
                translated.setdefault(stem, round(strength / rank, 4))
        out[spanish] = sorted(translated.items(), key=lambda p: (-p[1], p[0]))
    return out
