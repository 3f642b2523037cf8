"""Words for matching (services/mapping/counterparts/text.py): stems, folding and function words."""

from __future__ import annotations

from services.mapping.counterparts.text import fold, prefix, stem_prefixes, stems, words


def test_accented_and_plain_forms_share_a_stem() -> None:
    assert stems("automóviles", "es") == stems("automóvil", "es") == ["automovil"]
    assert fold("Aplicación") == "aplicacion"


def test_function_words_are_dropped_but_n_with_tilde_is_not_n() -> None:
    """"unas" (some) is a function word; "uñas" (nails, EC0361.01) is the subject of a trade."""
    assert stems("aplicación de unas uñas", "es") == ["aplic", stems("uñas", "es")[0]]
    assert stems("uñas", "es") and words("Uñas acrílicas", "es") == ["uñas", "acrílicas"]
    assert stems("según el tipo", "es") == ["tip"]


def test_prefix_joins_a_trade_and_its_worker_from_the_words_not_the_stems() -> None:
    assert prefix("soldadura") == prefix("soldador") == "~solda"
    # The stemmer cuts "barbería" to "barb" and "barbero" to "barber": their words still share a key.
    assert stems("barbería", "es") != stems("barbero", "es")
    assert stem_prefixes("Servicios de barbería", "es")[stems("barbería", "es")[0]] == prefix("barbero")
    # "afinación" (tuning) and "afines" (related) share a stem, not a key.
    assert stems("afinación", "es") == stems("afines", "es") and prefix("afinación") != prefix("afines")
    assert prefix("motor") is None


def test_a_coined_compound_reads_as_its_known_parts_and_a_plain_word_does_not() -> None:
    """Combining forms are learnt from the known words: "video" joins five known words to known words."""
    from services.mapping.counterparts.compounds import Compounds

    known = ["vigilancia", "video", "juegos", "arte", "clubes", "grabacion", "llamada", "conferencia"]
    known += ["videojuegos", "videoarte", "videoclubes", "videograbacion", "videollamada", "videoconferencia"]
    known += ["datos", "candidatos", "partes", "autopartes"]
    compounds = Compounds(known)
    assert "video" in compounds.heads and "candi" not in compounds.heads
    assert compounds.parts("videovigilancia") == ["video", "vigilancia"]
    assert compounds.parts("videojuegos") == []  # a known word is read as itself
    assert compounds.parts("candidatos") == []  # "candi" combines nothing else: not "datos"
    assert compounds.parts("videofonico") == ["video"]  # a form that is a word, the rest unknown
    assert compounds.parts("autopartes") == []  # "auto" joins one known word here, not five
