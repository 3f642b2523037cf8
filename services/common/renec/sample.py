"""SAMPLE DATA: real entries of the RENEC list (November 2025), typed in by hand so a fresh machine has
something to show. The registry's sample stores them (with its bodies, accreditations and invented
certificates); the crosswalk's sample makes items and edges of the same standards.
"""

from __future__ import annotations

from datetime import date

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
