"""ESCO skills in Spanish and in American English, paired by concept: evidence for translating words.

Files (see each folder's PROVENANCE.md): `esco_v1_es/skills_es.csv` and
`esco_v1_skills_en_us/skills_en-us.csv`, the same 13,485 skills of one ESCO release (ids match). A skill's
preferred labels in the two languages say the same work in the words each language uses for it
("reparar sistemas de suspensión" / "repair suspension systems"), which is what the counterpart proposer's
word lexicon learns from (`counterparts/translation.py`). Alternative labels are not paired: the n-th
Spanish one is not the n-th English one. Skills are not items: this release has no occupation-skill
relations, so a skill points to no occupation.
"""

from __future__ import annotations

import csv
from pathlib import Path

from services.mapping.model import Dataset, ParallelLabel

SPANISH = "skills_es.csv"
ENGLISH = "skills_en-us.csv"
DATASET = "esco-skills"
SOURCE = "ESCO v1.0 skills, preferred labels (es, en-us)"
MAX_LABEL = 400  # a skill label is a short phrase; anything longer is a broken row


def read_esco_skills(english_folder: Path, spanish_folder: Path) -> Dataset:
    dataset = Dataset(DATASET)
    spanish = _labels(spanish_folder / SPANISH)
    english = _labels(english_folder / ENGLISH)
    for uri in sorted(spanish.keys() & english.keys()):
        key = uri.rstrip("/").rsplit("/", 1)[-1]
        dataset.parallel.append(ParallelLabel(DATASET, key, spanish[uri], english[uri], SOURCE))
    alone = len(spanish.keys() ^ english.keys())
    dataset.notes.append(
        f"ESCO skills: {len(dataset.parallel):,} labelled in both languages"
        + (f", {alone:,} in one language only (left out)" if alone else "")
    )
    return dataset


def _labels(path: Path) -> dict[str, str]:
    """conceptUri -> preferred label, for rows that have both."""
    with path.open(encoding="utf-8", newline="") as f:
        rows = csv.DictReader(f)
        out = {}
        for row in rows:
            uri = (row.get("conceptUri") or "").strip()
            label = " ".join((row.get("preferredLabel") or "").split())
            if uri and label and len(label) <= MAX_LABEL:
                out[uri] = label
        return out
