"""The Spanish -> English word lexicon (counterparts/translation.py) and the reviewed glossary and phrases
(counterparts/glossary.py), on small lists."""

from __future__ import annotations

import statistics
from collections.abc import Callable
from pathlib import Path

import pytest

from services.mapping.counterparts.glossary import (
    GlossaryError,
    Phrase,
    phrases_in,
    read_glossary,
    read_phrases,
    reviewed,
    with_phrases,
)
from services.mapping.counterparts.index import Hit
from services.mapping.counterparts.proposer import SPLIT_PHRASE_WEIGHT, _unsplit
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


def test_a_phrase_is_translated_by_its_row_and_its_words_are_not() -> None:
    """ "concreto hidráulico" is ordinary concrete: the phrase's row speaks for both words, so "hidráulico"
    sends nothing of its own (plumbing) to the English query; the other words translate as learnt."""
    english_row = ((en("concrete"),), (en("cement"),))
    phrase = Phrase("concreto hidráulico", (es("concreto"), es("hidráulico")), english_row)
    title = "Colocación de concreto hidráulico"
    query = {es("colocación"): 0.5, es("concreto"): 0.4, es("hidráulico"): 0.3}
    found = phrases_in(title, [phrase])
    rest, english = with_phrases(query, found, 0.6)
    assert found == [phrase]
    assert rest == {es("colocación"): 0.5}
    # The words' weights together (0.7), as sure as a reviewed word (0.6), the second alternative at half.
    assert english == {en("concrete"): pytest.approx(0.42), en("cement"): pytest.approx(0.21)}
    # The words must stand together and in order.
    assert phrases_in("Colocación de concreto y tubería hidráulica", [phrase]) == []
    assert phrases_in("Hidráulico concreto", [phrase]) == []


def test_the_phrase_file_reads_and_says_why_for_every_row() -> None:
    phrases = {p.spanish: p for p in read_phrases()}
    assert len(phrases) > 50
    assert phrases["transporte de carga"].stems == (es("transporte"), es("carga"))
    assert phrases["transporte de carga"].english[0] == tuple(stems("truck freight", "en"))


@pytest.mark.parametrize(
    ("read", "text", "message"),
    [
        (read_glossary, "spanish,english\nmotor,engine\n", "columns"),
        (read_glossary, "spanish,english,why\nmotor,engine,\n", "reason"),
        (
            read_glossary,
            "spanish,english,why\nmotor,engine,learnt badly\nmotores,engines,again\n",
            "repeats a stem",
        ),
        (read_glossary, "spanish,english,why\nmotor,of,function word only\n", "no content word"),
        (read_phrases, "spanish,english,why\ncarga,freight,one word\n", "two or more Spanish words"),
        (read_phrases, "spanish,english,why\ntransporte de carga,of,function word only\n", "no content word"),
        (
            read_phrases,
            "spanish,english,why\ntransporte de carga,trucking,x\ntransportes de cargas,freight,y\n",
            "repeats",
        ),
    ],
)
def test_a_wrong_glossary_or_phrase_file_is_refused_with_the_line(
    tmp_path: Path, read: Callable[[Path], object], text: str, message: str
) -> None:
    path = tmp_path / "reviewed.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(GlossaryError, match=message):
        read(path)


def test_a_spanish_name_that_splits_a_reviewed_phrase_counts_for_half() -> None:
    """ "Apoyo en las acciones de protección civil": "ingeniero civil" shares "civil" but not "protección",
    so it matched the word outside the phrase's sense; a name holding the whole phrase, or none of it,
    keeps its score, and the hits are best first again."""
    civil = Phrase("protección civil", (es("protección"), es("civil")), ((en("emergency"),),))
    engineer = Hit(0, 10.0, "ingeniero civil", (es("civil"),))
    coordinator = Hit(1, 8.0, "coordinador de protección civil", (es("civil"), es("protección")))
    helper = Hit(2, 6.0, "auxiliar de apoyo", (es("apoyo"),))
    ranked = _unsplit([engineer, coordinator, helper], [civil])
    assert [(h.name, h.score) for h in ranked] == [
        ("coordinador de protección civil", 8.0),
        ("auxiliar de apoyo", 6.0),
        ("ingeniero civil", 10.0 * SPLIT_PHRASE_WEIGHT),
    ]
    assert _unsplit([engineer], []) == [engineer]
