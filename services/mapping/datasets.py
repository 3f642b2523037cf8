"""The official datasets `qf import` knows: each one's folder (as laid out in ../shared/data) and what it
brings. Kept apart from the readers so the command line can name them without loading any reader."""

from __future__ import annotations

# dataset -> (folder, what it brings)
DATASETS: dict[str, tuple[str, str]] = {
    "renec": ("conocer_renec_avala", "RENEC: standards, committees, bodies, accreditations, levels"),
    "scian": ("scian_2023_mx", "SCIAN 2023, INEGI's industry classification"),
    "naics": ("naics", "NAICS 2017 and 2022, with SCIAN matches when scian_2023_mx is beside it"),
    "soc": ("soc_2018", "SOC 2018 and 2010 occupations, SOC 2010 -> 2018, ISCO-08 <-> SOC 2010"),
    "onet": ("onet_soc_2019", "O*NET-SOC occupations"),
    "cip": ("cip_2020", "CIP 2020 programmes and the CIP -> SOC 2018 crosswalk"),
    "isced": ("isced_f_2013", "ISCED-F 2013 fields of education"),
    "esco": ("esco_v1_en", "ESCO occupations and ISCO-08 (needs esco_v1_es beside it)"),
    "sinco": ("sinco_2011_inegi", "SINCO 2011, INEGI's occupations, to SOC 2010 and ISCO-08"),
    "onet-evidence": ("onet_db_30_0_text", "O*NET titles and tasks (needs onet_db_29_3_excel beside it)"),
    "esco-onet": ("esco_onet_crosswalk_nesta_2020", "Nesta's ESCO -> O*NET crosswalk"),
    "oews": ("bls_oews_natsector_2024", "BLS OEWS employment by NAICS sector and SOC occupation"),
    "esco-skills": ("esco_v1_skills_en_us", "ESCO skill labels in Spanish and English (needs esco_v1_es)"),
}
FOLDERS: dict[str, str] = {name: folder for name, (folder, _) in DATASETS.items()}
