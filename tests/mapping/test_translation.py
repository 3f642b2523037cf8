"""The Spanish -> English word lexicon (counterparts/translation.py), on small parallel lists."""

from __future__ import annotations

from services.mapping.counterparts.text import stem_prefixes, stems
from services.mapping.counterparts.translation import learn, translate

PAIRS = [
    ("reparar motores", "repair engines"),
    ("reparar frenos", "repair brakes"),
    ("inspeccionar frenos", "inspect brakes"),
    ("inspeccionar motores", "inspect engines"),
    ("afinar motores", "tune engines"),
    ("afinar instrumentos", "tune instruments"),
    ("mecánicos y afines", "mechanics and related workers"),
    ("pintores y afines", "painters and related workers"),
]


def es(word: str) -> str:
    return stems(word, "es")[0]


def en(word: str) -> str:
    return stems(word, "en")[0]


def test_each_word_learns_the_word_that_explains_it() -> None:
    lexicon = learn(PAIRS)
    assert lexicon[es("reparar")][0][0] == en("repair")
    assert lexicon[es("frenos")][0][0] == en("brakes")
    # "motor" is not also learnt as "repair" from every "reparar motores": the better source explains it.
    assert en("repair") not in {e for e, _ in lexicon[es("motores")]}


def test_a_word_prefix_tells_tuning_from_related() -> None:
    """"afinar" and "afines" share a stem; only the word's prefix key knows which one was meant."""
    lexicon = learn(PAIRS)
    assert es("afinar") == es("afines")
    title = "Afinación de motores"
    english = translate({s: 1.0 for s in stems(title, "es")}, lexicon, stem_prefixes(title, "es"))
    assert english.get(en("engines"), 0) > 0
    assert lexicon["~afina"][0][0] == en("tune")


def test_learning_is_deterministic() -> None:
    assert learn(PAIRS) == learn(list(reversed(PAIRS)))
