"""Forgiving search over standards: near spellings of title words, and "did you mean" suggestions.

PostgreSQL's Spanish stemmer folds plurals and genders ("soldadores" and "soldadora" are both
`soldador`) but not a word family ("soldadura" is `soldadur`) nor a typo ("soldadra" is `soldadr`).
The embedded server has no pg_trgm, so the near spellings are found here: a vocabulary of the words of
every standard's title (about 2,000 stems on the full RENEC list) is held in memory per database, and
each stem of a search is widened to the vocabulary's stems within a small edit distance (rapidfuzz's
optimal string alignment, in C: a fraction of a millisecond per word). The vocabulary is rebuilt when
the titles change, which a fingerprint of them (one aggregate over the standards table, read with the
search's own tsquery) tells on each search.
"""

from __future__ import annotations

import asyncio
import itertools
import re
import weakref
from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property

from rapidfuzz import process
from rapidfuzz.distance import OSA

from services.common.db import Database

# Letters only: codes and numbers ("EC0217", "6G") are matched as typed, never as near spellings.
_WORD = re.compile(r"[^\W\d_]+")
# A lexeme in tsquery text ('soldadr', with '' for a quote inside), and the operators around it.
_TSQUERY_TOKEN = re.compile(r"'(?:[^']|'')*'(?::[*A-D]+)?|!|\(|\)")

MIN_STEM = 4  # shorter stems have too many neighbours to widen usefully
MAX_VARIANTS = 5  # near stems per stem of the search, closest and most common first
MAX_SUGGESTIONS = 5


def stem_radius(stem: str) -> int:
    """How many edits (a letter added, dropped, changed, or two neighbours swapped) a stem may be from
    a vocabulary stem and still count as the same word."""
    if len(stem) < MIN_STEM:
        return 0
    return 1 if len(stem) < 9 else 2


def word_radius(word: str) -> int:
    """How far a suggestion may be from a misspelled word: looser than `stem_radius`, since every
    suggestion is checked against the registry before it is offered."""
    if len(word) < 3:
        return 0
    return 1 if len(word) < 6 else 2 if len(word) < 9 else 3


@dataclass
class Vocabulary:
    """The words of the standards' titles, their stems and their most common spellings."""

    stems: Counter[str] = field(default_factory=Counter)  # stem -> how many title words have it
    spelling: dict[str, str] = field(default_factory=dict)  # folded word -> spelling as titled
    words: Counter[str] = field(default_factory=Counter)  # folded word -> occurrences

    @cached_property
    def _stems(self) -> list[str]:
        return list(self.stems)

    @cached_property
    def _words(self) -> list[str]:
        return list(self.words)

    def near_stems(self, stem: str) -> list[str]:
        """Vocabulary stems within `stem_radius` of `stem` that start with the same two letters (a
        typo's first letters are rarely wrong, and that keeps "cliente" from "caliente")."""
        radius = stem_radius(stem)
        if not radius or not stem.isalpha():
            return []
        found = process.extract(stem, self._stems, scorer=OSA.distance, score_cutoff=radius, limit=None)
        near = [(d, -self.stems[s], s) for s, d, _ in found if s != stem and s[:2] == stem[:2]]
        return [s for _, _, s in sorted(near)[:MAX_VARIANTS]]

    def near_words(self, word: str) -> list[str]:
        """Title words within `word_radius` of a folded word, closest and most common first."""
        radius = word_radius(word)
        if not radius:
            return []
        found = process.extract(word, self._words, scorer=OSA.distance, score_cutoff=radius, limit=None)
        ranked = sorted((d, -self.words[w], w) for w, d, _ in found if w != word)
        return [w for _, _, w in ranked[:3]]


async def _build(db: Database) -> Vocabulary:
    typed: Counter[str] = Counter()  # lower-case title word -> occurrences
    for row in await db.fetch("SELECT title_es FROM standards"):
        typed.update(_WORD.findall(row["title_es"].lower()))
    # Stemmed by the server with the search column's own fold() and dictionary, so a stem here is
    # exactly a lexeme of `standards.search`; stop words have no stem and stay out.
    rows = await db.fetch(
        "SELECT w, fold(w) AS folded, (ts_lexize('spanish_stem', fold(w)))[1] AS stem "
        "FROM unnest($1::text[]) AS w",
        list(typed),
    )
    vocabulary = Vocabulary()
    by_folded: dict[str, Counter[str]] = {}
    for row in rows:
        if row["stem"] is not None:
            by_folded.setdefault(row["folded"], Counter())[row["w"]] = typed[row["w"]]
            vocabulary.stems[row["stem"]] += typed[row["w"]]
    for folded, spellings in by_folded.items():
        vocabulary.words[folded] = spellings.total()
        vocabulary.spelling[folded] = spellings.most_common(1)[0][0]
    return vocabulary


@dataclass
class _Cached:
    fingerprint: str
    vocabulary: Vocabulary


_cache: weakref.WeakKeyDictionary[Database, _Cached] = weakref.WeakKeyDictionary()
_locks: weakref.WeakKeyDictionary[Database, asyncio.Lock] = weakref.WeakKeyDictionary()


# One aggregate over the titles: changes when a title is added, changed or removed.
_FINGERPRINT = "(SELECT row(count(*), coalesce(sum(hashtext(title_es)), 0))::text FROM standards)"


async def vocabulary(db: Database, fingerprint: str | None = None) -> Vocabulary:
    """The database's vocabulary, rebuilt only when the titles' fingerprint changed."""
    if fingerprint is None:
        fingerprint = await db.fetchval(f"SELECT {_FINGERPRINT}")
    cached = _cache.get(db)
    if cached and cached.fingerprint == fingerprint:
        return cached.vocabulary
    async with _locks.setdefault(db, asyncio.Lock()):
        cached = _cache.get(db)
        if cached and cached.fingerprint == fingerprint:
            return cached.vocabulary
        built = await _build(db)
        _cache[db] = _Cached(fingerprint, built)
        return built


def widen(tsquery: str, near: dict[str, list[str]]) -> str:
    """The tsquery text with each lexeme that is not excluded (`!`) replaced by itself OR its near
    stems: `'soldadr' & !'mig'` -> `('soldadr' | 'soldadur') & !'mig'`. Phrases keep their shape
    (`('pintor' | 'pintur') <-> 'automotriz'` is a valid phrase query)."""
    out: list[str] = []
    negated: list[bool] = []  # one per open parenthesis: whether it is excluded
    bang = False
    position = 0
    for match in _TSQUERY_TOKEN.finditer(tsquery):
        out.append(tsquery[position : match.start()])
        position = match.end()
        token = match.group()
        if token == "!":
            bang = True
            out.append(token)
            continue
        if token == "(":
            negated.append(bang or any(negated))
        elif token == ")":
            if negated:
                negated.pop()
        else:
            variants = near.get(_lexeme(token), [])
            if variants and not bang and not any(negated):
                token = "(" + " | ".join([token, *(f"'{v}'" for v in variants)]) + ")"
        bang = False
        out.append(token)
    out.append(tsquery[position:])
    return "".join(out)


def _lexeme(token: str) -> str:
    """`'soldadr'` -> soldadr; a lexeme with a weight or prefix mark (`'a':*`) is left out ("")."""
    return token[1:-1].replace("''", "'") if token.endswith("'") else ""


@dataclass(frozen=True)
class SearchTerms:
    text: str  # as typed, for codes
    exact: str  # tsquery text of the words as typed
    widened: str  # the same with near spellings


async def terms(db: Database, text: str) -> SearchTerms:
    """The search's tsquery as PostgreSQL parses it (websearch syntax), and widened."""
    row = await db.fetchrow(
        f"SELECT websearch_to_tsquery('spanish', fold($1))::text AS exact, {_FINGERPRINT} AS fingerprint",
        text,
    )
    exact = row["exact"]
    words = await vocabulary(db, row["fingerprint"])
    lexemes = {_lexeme(m.group()) for m in _TSQUERY_TOKEN.finditer(exact)} - {""}
    near = {lexeme: words.near_stems(lexeme) for lexeme in lexemes}
    return SearchTerms(text=text, exact=exact, widened=widen(exact, near))


async def spellings(db: Database, text: str) -> list[str]:
    """The search text with its unknown words replaced by near title words, best first (at most
    twice MAX_SUGGESTIONS, for the caller to keep those that match)."""
    words = await vocabulary(db)
    typed = sorted({m.group().lower() for m in _WORD.finditer(text)})
    rows = await db.fetch(
        "SELECT w, fold(w) AS folded, (ts_lexize('spanish_stem', fold(w)))[1] AS stem "
        "FROM unnest($1::text[]) AS w",
        typed,
    )
    return respell(text, words, {r["w"]: (r["folded"], r["stem"]) for r in rows})


def respell(text: str, words: Vocabulary, typed: dict[str, tuple[str, str | None]]) -> list[str]:
    """`spellings` without the database: `typed` maps each lower-case word of the text to its folded
    form and stem (None for a stop word). A word is unknown when no title has its stem; excluded
    words (`-word`) and websearch's `or` are left as they are."""
    spans: list[tuple[int, int, list[str]]] = []
    for match in _WORD.finditer(text):
        folded, stem = typed.get(match.group().lower(), ("", None))
        excluded = text[: match.start()].endswith("-")
        if folded == "or" or excluded or stem is None or stem in words.stems:
            continue
        options = words.near_words(folded)
        if not options:
            return []  # a word nothing resembles: no spelling of the whole search would match
        spans.append((match.start(), match.end(), options))
    if not spans or len(spans) > 4:
        return []
    # Every combination of the options, the closest ones first.
    ranked = sorted(
        itertools.product(*(range(len(options)) for _, _, options in spans)),
        key=lambda choice: (sum(choice), choice),
    )
    found: list[str] = []
    for choice in ranked[: MAX_SUGGESTIONS * 2]:
        pieces, position = [], 0
        for (start, end, options), index in zip(spans, choice, strict=True):
            pieces += [text[position:start], words.spelling[options[index]]]
            position = end
        found.append("".join([*pieces, text[position:]]))
    return found
