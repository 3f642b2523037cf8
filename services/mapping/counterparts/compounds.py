"""Spanish compounds read as the words they are made of: "videovigilancia" as "video" and "vigilancia".

Standard titles coin compounds that no occupation name spells ("videovigilancia", "radiofónicos",
"hidroneumáticos"); their parts are known words ("vigilancia", "radio", "neumáticos"). Which leading
pieces are combining forms is learnt from the known words themselves: a piece ending in a vowel that
joins at least `MIN_COMPOUNDS` known words to form other known words ("electro" + "mecánico",
"termo" + "eléctrica", ...). Pieces that merely start words ("con", "pre", "des") end in a consonant
or are too short; a word is only split into a known combining form and a known word, so "candidatos"
is never read as "datos".
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

MIN_HEAD = 4  # letters of a combining form: "auto", "foto", "hidro"
MIN_TAIL = 5  # letters of the word it joins: "partes", "vigilancia"
MIN_COMPOUNDS = 5  # known words a piece must combine into before it counts as a combining form
VOWELS = frozenset("aeiou")


class Compounds:
    def __init__(self, known: Iterable[str]) -> None:
        """`known`: folded words (lower case, no accents) of the names and labels matching can find."""
        self.known = frozenset(known)
        joined: defaultdict[str, set[str]] = defaultdict(set)
        for word in self.known:
            for cut in range(MIN_HEAD, len(word) - MIN_TAIL + 1):
                head, tail = word[:cut], word[cut:]
                if head[-1] in VOWELS and tail in self.known:
                    joined[head].add(word)
        self.heads = frozenset(head for head, words in joined.items() if len(words) >= MIN_COMPOUNDS)

    def parts(self, word: str) -> list[str]:
        """The known words a folded compound is made of, longest combining form first; [] when `word`
        is known itself or is no compound of a combining form and a known word. The combining form is
        a part only when it is a word of its own of at least MIN_TAIL letters ("radio", "video")."""
        if word in self.known:
            return []
        for cut in range(len(word) - MIN_TAIL, MIN_HEAD - 1, -1):
            head, tail = word[:cut], word[cut:]
            if head in self.heads and tail in self.known:
                return [head, tail] if len(head) >= MIN_TAIL and head in self.known else [tail]
        for cut in range(len(word) - MIN_TAIL, MIN_HEAD - 1, -1):  # a form and an unknown rest
            head = word[:cut]
            if head in self.heads and len(head) >= MIN_TAIL and head in self.known:
                return [head]
        return []
