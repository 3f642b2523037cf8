"""Title similarity: the tie-breaker between crosswalk results of equal confidence.

An official table often gives one item several counterparts of the same confidence (SOC 49-3023 comes
from eight CIP programmes, each one of eight). Among those, the one whose title shares the most words with
the item's own is the better first answer: "Automobile/Automotive Mechanics Technology/Technician" for
"Automotive Service Technicians and Mechanics", not "Vehicle Emissions Inspection and Maintenance
Technology/Technician". It only orders ties; it never changes a confidence.

The measure is the Jaccard overlap of the two titles' word sets: lower case, accents dropped, split on
anything that is not a letter or digit, function words dropped, and a light stemming that folds plurals
("mechanics" -> "mechanic", "technologies" -> "technology", "técnicos" -> "tecnico"). English
titles are compared when both items have one, else Spanish ones; otherwise the similarity is 0.
"""

from __future__ import annotations

import re
import unicodedata

# Words that say nothing about the subject: English and Spanish function words, and the residual markers
# of classifications ("All Other", "General", "n.e.c.").
STOPWORDS = frozenset(
    {
        *("a", "an", "and", "as", "at", "by", "for", "from", "in", "into", "of", "on", "or", "the", "to"),
        *("with", "all", "other", "except", "general", "nec"),
        *("al", "con", "de", "del", "e", "el", "en", "la", "las", "lo", "los", "o", "otro", "otros"),
        *("otra", "otras", "para", "por", "u", "un", "una", "y"),
    }
)
WORD = re.compile(r"[a-z0-9]+")

Tokens = frozenset[str]


def _stem(word: str) -> str:
    """A light plural fold, the same for English and Spanish titles: "-ies" -> "-y", then a final "s" and
    a final "e" go ("vehicles" and "vehicle" -> "vehicl", "trabajadores" and "trabajador" -> "trabajador").
    Short words stay as they are."""
    if len(word) <= 3:
        return word
    if word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    if word.endswith("e") and len(word) > 3:
        word = word[:-1]
    return word


def title_tokens(title: str | None) -> Tokens:
    """The stemmed content words of a title; empty for no title."""
    if not title:
        return frozenset()
    plain = unicodedata.normalize("NFKD", title.lower()).encode("ascii", "ignore").decode()
    return frozenset(_stem(w) for w in WORD.findall(plain) if w not in STOPWORDS)


def token_similarity(a: Tokens, b: Tokens) -> float:
    """Jaccard overlap of two word sets, 0 when either is empty."""
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def title_similarity(a: tuple[Tokens, Tokens], b: tuple[Tokens, Tokens]) -> float:
    """Similarity of two items given as (English tokens, Spanish tokens): English when both have English
    titles, else Spanish when both have Spanish ones, else 0."""
    if a[0] and b[0]:
        return token_similarity(a[0], b[0])
    return token_similarity(a[1], b[1])
