"""The built-in sample, written by hand so a fresh machine has something to show.

SAMPLE DATA. Standards, committees, certification bodies and accreditations are real entries of the
RENEC list (November 2025), typed in here, not read from ../shared/data; the evaluators, learners and
certificates are invented and marked as such. `qf import renec DIR` loads the full official list over
this sample (imported rows update the sample's in place).
"""

from __future__ import annotations

from datetime import date

from gateway.signing import Caller
from services.common.db import Database
from services.common.reference import SECTORS_BY_CODE
from services.registry import rules

# (id, CONOCER key, name, state, formed on)
COMMITTEES = [
    (
        "123",
        "1.12.1",
        "de la Asociación Mexicana de Capacitación de Personal y Empresarial, A.C.",
        "CIUDAD DE MÉXICO",
        date(2009, 11, 26),
    ),
    (
        "90",
        "2.3.1",
        "del Consejo Nacional de Normalización y Certificación de Competencias Laborales",
        "CIUDAD DE MÉXICO",
        date(2009, 2, 20),
    ),
    ("271", None, "de la Industria Automotriz a Nivel Nacional", "CIUDAD DE MÉXICO", date(2010, 11, 30)),
    ("373", None, "del Colegio Nacional de Educación Profesional Técnica", "MÉXICO", date(2015, 1, 29)),
    ("582", None, "de la Subsecretaría de Educación Media Superior", "CIUDAD DE MÉXICO", date(2025, 10, 1)),
    (
        "513",
        None,
        "del Centro de Experimentación y Seguridad Vial México, CESVI México, S.A.",
        "MÉXICO",
        date(2016, 2, 5),
    ),
    ("273", None, "del Clúster Automotriz de Nuevo León", "Nuevo León", date(2011, 3, 31)),
    ("326", "3.1.12", "de la Formación para el Trabajo", "HIDALGO", date(2022, 7, 21)),
    ("105", None, "de Tecnologías de la Información y Comunicaciones", "CIUDAD DE MÉXICO", date(2011, 8, 24)),
    ("85", "1.3.1", "del Sector Turismo", "CIUDAD DE MÉXICO", date(2010, 9, 8)),
]

# (code, level, SCIAN sector, committee id, Spanish title)
STANDARDS = [
    (
        "EC0217.01",
        3,
        "61",
        "123",
        "Impartición de cursos de formación del capital humano de manera presencial grupal",
    ),
    (
        "EC0301",
        3,
        "61",
        "123",
        "Diseño de cursos de formación del capital humano de manera presencial grupal, "
        "sus instrumentos de evaluación y manuales del curso.",
    ),
    (
        "EC0049",
        3,
        "61",
        "123",
        "Diseño de cursos de capacitación presenciales, sus instrumentos de evaluación y material didáctico",
    ),
    ("EC0305", 2, "56", "123", "Prestación de servicios de atención a clientes"),
    (
        "EC0076",
        4,
        "54",
        "90",
        "Evaluación de la competencia de candidatos con base en Estándares de Competencia",
    ),
    ("EC0241", 2, "81", "271", "Mantenimiento industrial básico"),
    ("EC0264", 4, "31-33", "271", "Resolución de problemas a través de la Metodología Seis Sigma Nivel I"),
    ("EC0520", 2, "31-33", "271", "Fabricación de piezas por desprendimiento de viruta"),
    ("EC0632", 2, "31-33", "271", "Producción de componentes y sistemas mecánicos"),
    ("EC1279", 3, "31-33", "271", "Inspección de la unidad automotriz en pista de pruebas"),
    ("EC0630", 2, "81", "373", "Aplicación de pintura automotriz"),
    ("EC0631", 2, "81", "373", "Mantenimiento del sistema de frenos de vehículos."),
    (
        "EC0647",
        3,
        "61",
        "373",
        "Propiciar el aprendizaje significativo en Educación Media Superior y Superior",
    ),
    ("EC1121", 2, "81", "582", "Mantenimiento mecánico automotriz"),
    ("EC0988", 2, "31-33", "582", "Aplicación de materiales en el sector automotriz"),
    ("EC0761", 2, "81", "513", "Aplicación de pintura automotriz sobre superficies metálicas"),
    ("EC0231", 4, "31-33", "273", "Ejecución del ciclo de desarrollo de componentes automotrices"),
    ("EC0233", 3, "61", "273", "Facilitación de Procesos de Aprendizaje en el entorno del Sector Automotriz"),
    ("EC0366", 3, "61", "326", "Desarrollo de cursos de formación en línea"),
    ("EC0011", 2, "51", "105", "Elaboración de documentos mediante un procesador de textos"),
    ("EC0038", 2, "72", "85", "Atención a comensales"),
]

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
