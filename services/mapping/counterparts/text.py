"""Words for matching: lower case, Snowball stems, accents folded, function words dropped.

Stemming runs before folding (the Snowball rules know Spanish accents), so "automóviles" and "automóvil"
both become "automovil". A word's prefix (the first letters of the folded word, not of its stem) is a
weaker key that joins the words a stemmer keeps apart: "soldadura" and "soldador", "barbería" and
"barbero" (stems "barb" and "barber"), "afinación" and "afinar" but not "afines" (related).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import snowballstemmer

_WORD = re.compile(r"[^\W\d_]+|\d+", re.UNICODE)
PREFIX_LENGTH = 5

# Function words only; the words every standard title uses ("servicios", "atención") are found from
# document frequency over the titles themselves (`Corpus.common_stems`), not listed here.
_SPANISH_FUNCTION_WORDS = (
    "a al ante bajo con contra de del desde durante e el en entre hacia hasta la las lo los mediante "
    "o para por segun sin sobre su sus tras u un una unas unos y que otro otra otros otras como "
    "cual cuales ni se este esta estos estas ese esa esos esas"
)
_ENGLISH_FUNCTION_WORDS = "a an and as at by for from in into of on or other the to with without all except"
STOP_WORDS = {
    "es": frozenset(_SPANISH_FUNCTION_WORDS.split()),
    "en": frozenset(_ENGLISH_FUNCTION_WORDS.split()),
}
_STEMMERS = {"es": snowballstemmer.stemmer("spanish"), "en": snowballstemmer.stemmer("english")}


def fold(text: str) -> str:
    """Lower case without accents: "Aplicación" -> "aplicacion" (ñ becomes n, as in the schema's fold)."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@lru_cache(maxsize=200_000)
def _stem(word: str, lang: str) -> str | None:
    """A lower-case word's folded stem, None for a function word or a single letter."""
    # Function words are listed unaccented ("segun"); ñ is kept apart so "uñas" is not "unas" (some).
    if len(word) < 2 or fold(word.replace("ñ", "ny")) in STOP_WORDS[lang]:
        return None
    return fold(_STEMMERS[lang].stemWord(word))


def words(text: str, lang: str) -> list[str]:
    """The content words of `text`, lower case, accents kept (for display)."""
    return [w for w in _WORD.findall(text.lower()) if _stem(w, lang) is not None]


def stems(text: str, lang: str) -> list[str]:
    """The stems of `text`'s content words, in order, repeats kept."""
    return [s for w in _WORD.findall(text.lower()) if (s := _stem(w, lang)) is not None]


def prefix(word: str) -> str | None:
    """The weak key of a word, or None for a short one (a short prefix says little)."""
    folded = fold(word)
    return "~" + folded[:PREFIX_LENGTH] if len(folded) > PREFIX_LENGTH else None


def stem_and_prefix(text: str, lang: str) -> list[tuple[str, str | None]]:
    """Each content word's (stem, prefix key), in order."""
    return [(s, prefix(w)) for w in _WORD.findall(text.lower()) if (s := _stem(w, lang)) is not None]


def stem_prefixes(text: str, lang: str) -> dict[str, str]:
    """Stem -> the prefix key of the (first) word of `text` it came from, when that word has one."""
    out: dict[str, str] = {}
    for s, p in stem_and_prefix(text, lang):
        if p is not None:
            out.setdefault(s, p)
    return out
