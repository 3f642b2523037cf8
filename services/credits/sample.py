"""ILLUSTRATIVE sample for `qf serve`: three invented institutions, a programme each, and rules for real
RENEC standards (EC0217.01, EC0301, and the automotive EC0631 and EC1121 held by the registry's sample
learner).

Nothing here is an agreement of a real institution: the institutions are invented, their names say so,
and every row is marked `illustrative`. The credit figures are chosen to be plausible in each system
(SATCA, US semester hours, UK credits), so the portal and the transcript have something true to the rules
to show.
"""

from __future__ import annotations

from datetime import date

from services.common.db import Database

EVIDENCE = (
    "ILLUSTRATIVE: written for the built-in sample to show how rules work; not an agreement of any real "
    "institution."
)
PROPOSER = "sample:registrar"
APPROVER = "sample:admin"
IN_FORCE_FROM = date(2024, 1, 1)

# (id, Spanish name, English name, country, credit system, website)
INSTITUTIONS = [
    (
        "mx-ut-ejemplo",
        "Universidad Tecnológica de Ejemplo (ILUSTRATIVA)",
        "Example Technological University (ILLUSTRATIVE)",
        "MX",
        "SATCA",
    ),
    (
        "us-cc-sample",
        "Sample Community College (ILUSTRATIVO)",
        "Sample Community College (ILLUSTRATIVE)",
        "US",
        "US_SEMESTER",
    ),
    (
        "uk-fe-sample",
        "Sample College of Further Education (ILUSTRATIVO)",
        "Sample College of Further Education (ILLUSTRATIVE)",
        "GB",
        "UK_CREDIT",
    ),
]

# (id, institution, Spanish name, English name, award level, ISCED-F field, total, cap, residency, max age)
PROGRAMS = [
    (
        "mx-ut-ejemplo-tsu-auto",
        "mx-ut-ejemplo",
        "Técnico Superior Universitario en Mantenimiento Automotriz (ilustrativo)",
        "Higher Technical Diploma in Automotive Maintenance (illustrative)",
        "SHORT_CYCLE",
        "0716",
        180,
        45,
        90,
        5,
    ),
    (
        "us-cc-sample-aas-auto",
        "us-cc-sample",
        "A.A.S. en Tecnología Automotriz (ilustrativo)",
        "A.A.S. Automotive Technology (illustrative)",
        "SHORT_CYCLE",
        "0716",
        60,
        15,
        15,
        3,
    ),
    (
        "uk-fe-sample-l3-lvm",
        "uk-fe-sample",
        "Diploma de Nivel 3 en Mantenimiento de Vehículos Ligeros (ilustrativo)",
        "Level 3 Diploma in Light Vehicle Maintenance (illustrative)",
        "POST_SECONDARY_CERTIFICATE",
        "0716",
        120,
        60,
        30,
        None,
    ),
]

# (institution, programme or None, versions, credits, credit level, [(course, title, title_en, credits)])
RULES = [
    (
        "mx-ut-ejemplo",
        "mx-ut-ejemplo-tsu-auto",
        ["EC1121"],
        9,
        "VOCATIONAL",
        [
            ("MA-101", "Mantenimiento de motores", "Engine maintenance", 5),
            ("MA-102", "Sistemas de lubricación y enfriamiento", "Lubrication and cooling systems", 4),
        ],
    ),
    (
        "mx-ut-ejemplo",
        "mx-ut-ejemplo-tsu-auto",
        ["EC0631"],
        6,
        "VOCATIONAL",
        [("MA-104", "Sistemas de frenos", "Brake systems", 6)],
    ),
    (
        "mx-ut-ejemplo",
        None,
        ["EC0217.01"],
        4,
        "LOWER_DIVISION",
        [("OPT-10", "Optativa: instrucción técnica", "Elective: technical instruction", 4)],
    ),
    (
        "mx-ut-ejemplo",
        None,
        ["EC0301"],
        4,
        "LOWER_DIVISION",
        [("OPT-10", "Optativa: instrucción técnica", "Elective: technical instruction", 4)],
    ),
    (
        "us-cc-sample",
        "us-cc-sample-aas-auto",
        ["EC1121"],
        4,
        "LOWER_DIVISION",
        [("AUTO 110", "Reparación de motores", "Engine Repair", 4)],
    ),
    (
        "us-cc-sample",
        "us-cc-sample-aas-auto",
        ["EC0631"],
        3,
        "LOWER_DIVISION",
        [("AUTO 121", "Frenos", "Brakes", 3)],
    ),
    ("us-cc-sample", None, ["EC0217.01"], 3, "VOCATIONAL", []),
    (
        "uk-fe-sample",
        "uk-fe-sample-l3-lvm",
        ["EC1121"],
        30,
        "VOCATIONAL",
        [("LVM-301", "Motores de vehículos ligeros", "Light vehicle engines", 30)],
    ),
    (
        "uk-fe-sample",
        "uk-fe-sample-l3-lvm",
        ["EC0631"],
        20,
        "VOCATIONAL",
        [("LVM-305", "Sistemas de frenos", "Braking systems", 20)],
    ),
    ("uk-fe-sample", None, ["EC0301"], 10, "VOCATIONAL", []),
]


async def load_sample(db: Database) -> None:
    """Insert the sample where it is not there yet; never touches other rows."""
    async with db.transaction() as conn:
        await conn.executemany(
            "INSERT INTO institutions (id, name_es, name_en, country, credit_system, illustrative) "
            "VALUES ($1, $2, $3, $4, $5, true) ON CONFLICT (id) DO NOTHING",
            INSTITUTIONS,
        )
        await conn.executemany(
            """INSERT INTO programs (id, institution_id, name_es, name_en, award_level, isced_field,
                   total_credits,
                   recognition_cap, residency_credits, max_certificate_age_years, illustrative)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, true) ON CONFLICT (id) DO NOTHING""",
            PROGRAMS,
        )
        if await conn.fetchval("SELECT true FROM equivalence_rules WHERE illustrative LIMIT 1"):
            return
        await conn.executemany(
            """INSERT INTO equivalence_rules (institution_id, program_id, base_code, versions, credits,
                   credit_level, exempted_courses, isced_field, valid_from, status, evidence, proposed_by,
                   approved_by, approved_on, illustrative)
               VALUES ($1, $2, $3, $4, $5, $6, $7, '0716', $8, 'approved', $9, $10, $11, $8, true)""",
            [
                (
                    institution,
                    program,
                    versions[0].split(".")[0],
                    versions,
                    credits,
                    level,
                    [{"code": c, "title": t, "titleEn": e, "credits": str(n)} for c, t, e, n in courses],
                    IN_FORCE_FROM,
                    EVIDENCE,
                    PROPOSER,
                    APPROVER,
                )
                for institution, program, versions, credits, level, courses in RULES
            ],
        )


async def holds_other_data(db: Database) -> bool:
    """Whether the credit bank holds institutions of its own, not the illustrative sample's."""
    return await db.fetchval("SELECT EXISTS (SELECT 1 FROM institutions WHERE NOT illustrative)")
