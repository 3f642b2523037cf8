"""The CURP (Clave Única de Registro de Población), Mexico's personal identity code, as services read it.

The registry keys a certificate's holder by a keyed hash of it (never the CURP itself); the credit bank
takes it from a registrar, with a folio, as the learner's proof of having come to the institution, and
hands it to the registry to check. Both read it the same way: trimmed, upper case, 18 characters in the
pattern RENAPO publishes.
"""

from __future__ import annotations

import hashlib
import hmac
import re

from services.common.errors import BadUserInput

# Four letters (the second a vowel or X), birth date, sex (H, M or X for non-binary), state (two letters),
# three inner consonants, a homonym character and a check digit.
CURP_PATTERN = re.compile(r"^[A-Z][AEIOUX][A-Z]{2}\d{6}[HMX][A-Z]{2}[B-DF-HJ-NP-TV-Z]{3}[A-Z\d]\d$")


def normalise_curp(curp: str, argument: str | None = None) -> str:
    """The CURP as stored and hashed: trimmed and upper case; BAD_USER_INPUT when it is not one."""
    cleaned = curp.strip().upper()
    if not CURP_PATTERN.match(cleaned):
        extensions = {"argument": argument} if argument else {}
        raise BadUserInput("That is not a valid CURP (18 characters, e.g. GOMA800101HDFRRN09).", **extensions)
    return cleaned


def holder_ref(salt: bytes, curp: str) -> str:
    """A stable pseudonym for a CURP: the same person always gets the same reference."""
    cleaned = normalise_curp(curp)
    return hmac.new(salt, cleaned.encode(), hashlib.sha256).hexdigest()[:32]
