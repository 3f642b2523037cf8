"""The Spanish -> English word lexicon (counterparts/translation.py), on small parallel lists."""

from __future__ import annotations

import statistics
from pathlib import Path

import pytest

from services.mapping.counterparts.glossary import GlossaryError, read_glossary, reviewed
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
    """ "afinar" and "afines" share a stem; only the word's prefix key knows which one was meant."""
    lexicon = learn(PAIRS)
    assert es("afinar") == es("afines")
    title = "Afinación de motores"
    english = translate({s: 1.0 for s in stems(title, "es")}, lexicon, stem_prefixes(title, "es"))
    assert english.get(en("engines"), 0) > 0
    assert lexicon["~afina"][0][0] == en("tune")


def test_learning_is_deterministic() -> None:
    assert learn(PAIRS) == learn(list(reversed(PAIRS)))


def test_a_reviewed_word_replaces_what_was_learnt_and_an_empty_one_is_dropped() -> None:
    lexicon = learn(PAIRS)
    strength = statistics.median(pairs[0][1] for pairs in lexicon.values())
    fixed = reviewed(lexicon, {es("frenos"): [[en("brakes")], stems("stopping gear", "en")]})
    assert fixed[es("frenos")] == [
        (en("brakes"), round(strength, 4)),
        ("gear", round(strength / 2, 4)),
        ("stop", round(strength / 2, 4)),
    ]
    assert fixed[es("motores")] == lexicon[es("motores")]  # the rest as learnt
    title = "frenos y motores"
    query = {s: 1.0 for s in stems(title, "es")}
    assert translate(query, reviewed(lexicon, {es("motores"): []})).keys() == {en("brakes")}


def test_the_glossary_file_reads_and_says_why_for_every_row() -> None:
    glossary = read_glossary()
    assert len(glossary) > 100
    assert glossary[es("montacargas")][0] == stems("forklift", "en")
    assert glossary[stems("través", "es")[0]] == []  # "a través de": no subject


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("spanish,english\nmotor,engine\n", "columns"),
        ("spanish,english,why\nmotor,engine,\n", "reason"),
        ("spanish,english,why\nmotor,engine,learnt badly\nmotores,engines,again\n", "repeats a stem"),
        ("spanish,english,why\nmotor,of,function word only\n", "no content word"),
    ],
)
def test_a_wrong_glossary_is_refused_with_the_line(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "glossary.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(GlossaryError, match=message):
        read_glossary(path)
