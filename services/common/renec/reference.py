"""Published facts the services carry as code: the 20 SCIAN 2023 sectors and the 5 level descriptors.

Sector titles are INEGI's SCIAN 2023 titles (English: the NAICS 2022 wording where the sector is
trilateral, otherwise INEGI's English edition). Level descriptors are quoted from the ILO background
case study (de Anda, 2010), Appendix 5, which cites CONOCER 1996 and SEP-STPS-CONOCER 2000; the
Spanish text is CONOCER's wording of the same criteria.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass


@dataclass(frozen=True)
class Sector:
    code: str
    title_es: str
    title_en: str


SCIAN_2023_SECTORS: tuple[Sector, ...] = (
    Sector(
        "11",
        "Agricultura, cría y explotación de animales, aprovechamiento forestal, pesca y caza",
        "Agriculture, Forestry, Fishing and Hunting",
    ),
    Sector("21", "Minería", "Mining, Quarrying, and Oil and Gas Extraction"),
    Sector(
        "22",
        "Generación, transmisión, distribución y comercialización de energía eléctrica, "
        "suministro de agua y de gas natural por ductos al consumidor final",
        "Utilities",
    ),
    Sector("23", "Construcción", "Construction"),
    Sector("31-33", "Industrias manufactureras", "Manufacturing"),
    Sector("43", "Comercio al por mayor", "Wholesale Trade"),
    Sector("46", "Comercio al por menor", "Retail Trade"),
    Sector("48-49", "Transportes, correos y almacenamiento", "Transportation and Warehousing"),
    Sector("51", "Información en medios masivos", "Information"),
    Sector("52", "Servicios financieros y de seguros", "Finance and Insurance"),
    Sector(
        "53",
        "Servicios inmobiliarios y de alquiler de bienes muebles e intangibles",
        "Real Estate and Rental and Leasing",
    ),
    Sector(
        "54",
        "Servicios profesionales, científicos y técnicos",
        "Professional, Scientific, and Technical Services",
    ),
    Sector(
        "55",
        "Dirección y administración de grupos empresariales o corporativos",
        "Management of Companies and Enterprises",
    ),
    Sector(
        "56",
        "Servicios de apoyo a los negocios y manejo de residuos, y servicios de remediación",
        "Administrative and Support and Waste Management and Remediation Services",
    ),
    Sector("61", "Servicios educativos", "Educational Services"),
    Sector("62", "Servicios de salud y de asistencia social", "Health Care and Social Assistance"),
    Sector(
        "71",
        "Servicios de esparcimiento culturales y deportivos, y otros servicios recreativos",
        "Arts, Entertainment, and Recreation",
    ),
    Sector(
        "72",
        "Servicios de alojamiento temporal y de preparación de alimentos y bebidas",
        "Accommodation and Food Services",
    ),
    Sector(
        "81",
        "Otros servicios excepto actividades gubernamentales",
        "Other Services (except Public Administration)",
    ),
    Sector(
        "93",
        "Actividades legislativas, gubernamentales, de impartición de justicia y de "
        "organismos internacionales y extraterritoriales",
        "Legislative, Governmental, Justice, and International and Extraterritorial Activities",
    ),
)

SECTORS_BY_CODE = {s.code: s for s in SCIAN_2023_SECTORS}

# Older SCIAN titles that RENEC still uses. "CORPORATIVOS" is sector 55's SCIAN 2013/2018 title.
_TITLE_ALIASES = {"corporativos": "55"}


def fold(text: str) -> str:
    """Lower case, no accents, single spaces: how titles are compared."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.sub(r"\s+", " ", plain).strip().lower()


_CODE_BY_TITLE = {fold(s.title_es): s.code for s in SCIAN_2023_SECTORS} | _TITLE_ALIASES


def sector_for_title(title: str) -> Sector | None:
    """The SCIAN 2023 sector a RENEC `secProductivo` title names, if any."""
    code = _CODE_BY_TITLE.get(fold(title))
    return SECTORS_BY_CODE[code] if code else None


@dataclass(frozen=True)
class LevelDescriptor:
    level: int
    description_es: str
    description_en: str


LEVEL_DESCRIPTORS_SOURCE = (
    "ILO, Background case study on Mexico's qualifications framework (de Anda, 2010), Appendix 5, "
    "citing CONOCER 1996 and SEP-STPS-CONOCER 2000"
)

LEVEL_DESCRIPTORS: tuple[LevelDescriptor, ...] = (
    LevelDescriptor(
        1,
        "Competencia en el desempeño de un conjunto pequeño de actividades de trabajo variadas. "
        "Predominan las actividades rutinarias y predecibles.",
        "Competence in the performance of a small range of varied work activities. "
        "Routine and predictable activities are predominant.",
    ),
    LevelDescriptor(
        2,
        "Competencia en un conjunto significativo de actividades de trabajo variadas, realizadas "
        "en diversos contextos. Algunas de las actividades son complejas o no rutinarias. "
        "La responsabilidad y la autonomía son bajas. A menudo se requiere colaborar con otros, "
        "o trabajar en grupo o en equipo.",
        "Competence in a significant range of varied work activities, performed in a variety of "
        "contexts. Some of the activities are complex or non-routine. Responsibility and "
        "autonomy are low. Collaboration with others is often required or through a work group "
        "or team.",
    ),
    LevelDescriptor(
        3,
        "Competencia en un amplio conjunto de actividades de trabajo variadas, realizadas en una "
        "gran variedad de contextos, la mayoría complejas y no rutinarias. Hay una considerable "
        "responsabilidad y autonomía. A menudo se requiere controlar u orientar a otros.",
        "Competence in a broad range of varied work activities performed in a wide variety of "
        "contexts, most of which are complex and non-routine. There is considerable "
        "responsibility and autonomy. Control or guidance of others is often required.",
    ),
    LevelDescriptor(
        4,
        "Competencia en un amplio conjunto de actividades de trabajo complejas, técnicas o "
        "profesionales, realizadas en diversos contextos. Alto grado de responsabilidad y "
        "autonomía personal. Responsabilidad por el trabajo de otros. Responsabilidad ocasional "
        "en la asignación de recursos.",
        "Competence in a broad range of complex, technical or professional work activities "
        "performed in a variety of contexts. High degree of personal responsibility and "
        "autonomy. Responsibility for the work of others. Occasional responsibility for the "
        "allocation of resources.",
    ),
    LevelDescriptor(
        5,
        "Competencia que implica la aplicación de una gama de principios fundamentales y técnicas "
        "complejas, en una amplia y a menudo impredecible variedad de contextos. Alto grado de "
        "autonomía personal. Responsabilidad frecuente en la asignación de recursos. "
        "Responsabilidad en el análisis, diagnóstico, diseño, planeación, ejecución y evaluación.",
        "Competence that involves the application of a range of fundamental principles and "
        "complex techniques, across a wide and often unpredictable variety of contexts. High "
        "degree of personal autonomy. Frequent responsibility for the allocation of resources. "
        "Responsibility for analysis, diagnosis, design, planning, execution and evaluation.",
    ),
)
