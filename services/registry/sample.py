"""The built-in sample, written by hand so a fresh machine has something to show.

SAMPLE DATA. Standards and committees (`services.common.renec.sample`, which the crosswalk's sample
shares), certification bodies and accreditations are real entries of the RENEC list (November 2025),
typed in, not read from ../shared/data; the evaluators, learners and
certificates are invented and marked as such. `qf import renec DIR` loads the full official list over
this sample (imported rows update the sample's in place).
"""

from __future__ import annotations

from datetime import date

from gateway.signing import Caller
from services.common.db import Database
from services.common.renec.reference import SECTORS_BY_CODE
from services.common.renec.sample import COMMITTEES, STANDARDS
from services.registry import rules

# Elements as published in the standards themselves.
ELEMENTS = {
    "EC0217.01": [
        ("E01", "Preparar la sesión mediante la planeación de la capacitación"),
        ("E02", "Conducir la sesión mediante la implementación de técnicas de instrucción y grupales"),
        ("E03", "Evaluar el aprendizaje antes, durante y al final del curso"),
    ],
    "EC0301": [
        ("E01", "Diseñar cursos de formación del capital humano de manera presencial grupal"),
        ("E02", "Diseñar instrumentos para la evaluación del curso"),
        ("E03", "Diseñar manuales del curso"),
    ],
}

# (id, name, accredited standards)
BODIES = [
    (
        "ECE-00001",
        "ICEMéxico",
        ["EC0076", "EC0217.01", "EC0241", "EC0264", "EC0301", "EC0305", "EC0366", "EC0631"],
    ),
    (
        "ECE-00002",
        "Organismo de Certificación Laboral Mexicana, S.C.",
        ["EC0011", "EC0076", "EC0217.01", "EC0301", "EC0305", "EC0366", "EC0630", "EC0631", "EC0761"],
    ),
    (
        "ECE-00005",
        "Colegio Nacional de Educación Profesional Técnica",
        ["EC0011", "EC0076", "EC0217.01", "EC0241", "EC0301", "EC0305", "EC0366", "EC0520", "EC0631"],
    ),
    (
        "ECE-00009",
        "Dirección General de Centros de Formación para el Trabajo",
        ["EC0011", "EC0076", "EC0217.01", "EC0301", "EC0305", "EC0366", "EC0631", "EC1121"],
    ),
    (
        "ECE-00021",
        "CONALEP Estado de México",
        ["EC0076", "EC0217.01", "EC0305", "EC0520", "EC0630", "EC0631", "EC1121"],
    ),
]

# Invented people and certificates (SAMPLE): one learner holding three certificates.
EVALUATORS = [
    ("EV-SAMPLE-1", "ECE-00009", "sample:evaluator-1", "Evaluadora de ejemplo 1"),
    ("EV-SAMPLE-2", "ECE-00001", "sample:evaluator-2", "Evaluador de ejemplo 2"),
]
SAMPLE_CURP = "XAXX010101HDFRRN09"
CERTIFICATES = [
    ("EC1121", "ECE-00009", "EV-SAMPLE-1", date(2025, 3, 14), "sample-cert-1"),
    ("EC0631", "ECE-00009", "EV-SAMPLE-1", date(2025, 6, 2), "sample-cert-2"),
    ("EC0217.01", "ECE-00001", "EV-SAMPLE-2", date(2024, 11, 20), "sample-cert-3"),
]


async def load_sample(db: Database, curp_salt: bytes) -> None:
    """Insert the sample where nothing is there yet; never overwrites imported data."""
    async with db.transaction() as conn:
        await conn.executemany(
            "INSERT INTO committees (id, conocer_key, name, state, formed_on, source) "
            "VALUES ($1, $2, $3, $4, $5, 'sample') ON CONFLICT (id) DO NOTHING",
            COMMITTEES,
        )
        names = {c[0]: c[2] for c in COMMITTEES}
        await conn.executemany(
            """INSERT INTO standards (code, base_code, version, title_es, level, sector_code,
                   sector_title, committee_id, committee_name, status, source)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'published', 'sample')
               ON CONFLICT (code) DO NOTHING""",
            [
                (
                    code,
                    code[:6],
                    int(code[7:] or 0),
                    title,
                    level,
                    sector,
                    SECTORS_BY_CODE[sector].title_es,
                    committee,
                    names[committee],
                )
                for code, level, sector, committee, title in STANDARDS
            ],
        )
        await conn.executemany(
            "INSERT INTO elements (standard_code, position, code, title_es) VALUES ($1, $2, $3, $4) "
            "ON CONFLICT DO NOTHING",
            [
                (code, position, element, title)
                for code, items in ELEMENTS.items()
                for position, (element, title) in enumerate(items, start=1)
            ],
        )
        await conn.executemany(
            "INSERT INTO certification_bodies (id, name, source) VALUES ($1, $2, 'sample') "
            "ON CONFLICT (id) DO NOTHING",
            [(body, name) for body, name, _ in BODIES],
        )
        await conn.executemany(
            "INSERT INTO accreditations (body_id, standard_code, source) VALUES ($1, $2, 'sample') "
            "ON CONFLICT DO NOTHING",
            [(body, code) for body, _, codes in BODIES for code in codes],
        )
        await conn.executemany(
            "INSERT INTO evaluators (id, body_id, person_ref, display_name) VALUES ($1, $2, $3, $4) "
            "ON CONFLICT DO NOTHING",
            EVALUATORS,
        )
    for code, body, evaluator, issued_on, key in CERTIFICATES:
        # Through the real rules, so the sample obeys them too; the key makes this idempotent.
        await rules.issue_certificate(
            db,
            rules.Issue(
                standard_code=code,
                body_id=body,
                evaluator_id=evaluator,
                holder_curp=SAMPLE_CURP,
                holder_name="Persona De Ejemplo",
                issued_on=issued_on,
                idempotency_key=key,
            ),
            Caller(role="certifier", subject=f"sample:certifier-{body}", scope=body),
            curp_salt,
        )


async def holds_other_data(db: Database) -> bool:
    """Whether the registry holds rows that are not the sample's: imported from RENEC (which takes the
    sample's rows over in place) or entered through the API."""
    return await db.fetchval(
        "SELECT EXISTS (SELECT 1 FROM standards WHERE source <> 'sample') "
        "OR EXISTS (SELECT 1 FROM certification_bodies WHERE source <> 'sample')"
    )
