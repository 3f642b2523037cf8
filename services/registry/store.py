"""The registry's reads: every SELECT the GraphQL layer needs, batched by key where it can be."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

import asyncpg

from gateway.signing import Caller
from services.common.db import Database
from services.common.errors import BadUserInput
from services.registry import privacy
from services.registry.spelling import SearchTerms

CODE_PATTERN = re.compile(r"^EC\d{4}(\.\d{2})?$")

STANDARD_COLUMNS = """
    code, base_code, version, title_es, title_en, purpose_es, purpose_en, level, sector_code,
    committee_id, committee_name, status, published_on, review_on, withdrawn_on,
    certificate_validity_years, supersedes, equivalent_to_previous
"""
# The columns a `Standard` is made of, and no more (a page of `_entities` decodes 1,000 rows of them).
# What replaces a standard and whether its elements are known are read only when asked
# (`superseding`, `with_elements`): a page of 1,000 standards does not pay two subqueries a row.


def normalise_code(code: str) -> str:
    """`ec0217.01 ` -> `EC0217.01`, or a BAD_USER_INPUT saying what a code looks like."""
    cleaned = code.strip().upper()
    if not CODE_PATTERN.match(cleaned):
        raise BadUserInput(
            f"{code!r} is not a standard code; codes look like EC0217 or EC0217.01.",
            argument="code",
        )
    return cleaned


async def standards_by_code(db: Database, codes: Sequence[str]) -> list[asyncpg.Record]:
    return await db.fetch(
        f"SELECT {STANDARD_COLUMNS} FROM standards WHERE code = ANY($1::text[])", list(codes)
    )


async def superseding(db: Database, codes: Sequence[str]) -> list[asyncpg.Record]:
    """For each code that has one, the newest version that supersedes it."""
    return await db.fetch(
        """SELECT DISTINCT ON (supersedes) supersedes, code FROM standards
           WHERE supersedes = ANY($1::text[]) ORDER BY supersedes, version DESC""",
        list(codes),
    )


async def with_elements(db: Database, codes: Sequence[str]) -> list[asyncpg.Record]:
    """The codes among `codes` whose elements the registry records."""
    return await db.fetch(
        "SELECT DISTINCT standard_code FROM elements WHERE standard_code = ANY($1::text[])", list(codes)
    )


async def equivalent_earlier_versions(db: Database, codes: Sequence[str]) -> list[asyncpg.Record]:
    """For each code, the earlier versions it is equivalent to, nearest first.

    The walk follows `supersedes` for as long as each version is marked equivalent to the one before:
    EC0217.02 (equivalent) -> EC0217.01 (not equivalent) -> EC0217 yields only EC0217.01.
    """
    return await db.fetch(
        """WITH RECURSIVE chain (code, earlier, depth) AS (
               SELECT s.code, s.supersedes, 1 FROM standards s
                WHERE s.code = ANY($1::text[]) AND s.equivalent_to_previous AND s.supersedes IS NOT NULL
               UNION ALL
               SELECT c.code, s.supersedes, c.depth + 1 FROM chain c JOIN standards s ON s.code = c.earlier
                WHERE s.equivalent_to_previous AND s.supersedes IS NOT NULL AND c.depth < 50
           )
           SELECT code, array_agg(earlier ORDER BY depth) AS earlier FROM chain GROUP BY code""",
        list(codes),
    )


@dataclass(frozen=True)
class StandardQuery:
    """A validated `standards` filter, turned into SQL once."""

    search: SearchTerms | None = None
    levels: tuple[int, ...] = ()
    sector_code: str | None = None
    committee_id: str | None = None
    statuses: tuple[str, ...] = ()

    def where(self, args: list[Any] | None = None) -> tuple[str, list[Any]]:
        """The condition and its arguments, numbered after those already in `args`."""
        clauses: list[str] = []
        args = [] if args is None else args

        def arg(value: Any) -> str:
            args.append(value)
            return f"${len(args)}"

        if self.search:
            # websearch syntax: words are ANDed, "quoted phrases", OR, -excluded; each word also
            # matches its near spellings (spelling.py). A code (or its start) finds that standard too.
            clauses.append(
                f"(search @@ {arg(self.search.widened)}::tsquery "
                f"OR starts_with(code, upper({arg(self.search.text)})))"
            )
        if self.levels:
            clauses.append(f"level = ANY({arg(list(self.levels))}::smallint[])")
        if self.sector_code:
            clauses.append(f"sector_code = {arg(self.sector_code)}")
        if self.committee_id:
            clauses.append(f"committee_id = {arg(self.committee_id)}")
        if self.statuses:
            clauses.append(f"status = ANY({arg(list(self.statuses))}::text[])")
        return (" AND ".join(clauses) or "true"), args


# Each ordering is a tuple of sort expressions compared as a row, so one keyset comparison pages
# through it. Relevance sorts on the negated rank, so that equal ranks keep ascending codes: its SQL
# direction is the opposite of the one asked for (DESC, most relevant first, is `-rank ASC, code ASC`).
ORDERINGS: dict[str, tuple[tuple[str, str], ...]] = {
    "CODE": (("code", "text"),),
    "TITLE": (("title_es", "text"), ("code", "text")),
    "LEVEL": (("level", "smallint"), ("code", "text")),
    "PUBLISHED": (("coalesce(published_on, '0001-01-01'::date)", "date"), ("code", "text")),
    "RELEVANCE": (("-rank", "real"), ("code", "text")),
}


async def search_standards(
    db: Database,
    query: StandardQuery,
    *,
    order: str,
    descending: bool,
    after: list[Any] | None,
    limit: int,
) -> list[asyncpg.Record]:
    """One page (`limit` rows) in the given order, after the cursor's sort key if any."""
    args: list[Any] = []
    rank = "0::real"
    if query.search:
        # In [1, 2) when the words match as typed, in [0, 1) when only near spellings match: a
        # standard found through a guess never ranks above one that has the words.
        exact = f"${len(args) + 1}::tsquery"
        widened = f"${len(args) + 2}::tsquery"
        args += [query.search.exact, query.search.widened]
        rank = (
            f"((search @@ {exact})::int + ts_rank_cd(search, {widened}) "
            f"/ (1 + ts_rank_cd(search, {widened})))::real"
        )
    where, args = query.where(args)
    keys = ORDERINGS[order]
    if order == "RELEVANCE":
        descending = not descending
    direction = "DESC" if descending else "ASC"
    inner = f"SELECT {STANDARD_COLUMNS}, {rank} AS rank FROM standards WHERE {where}"
    outer_where = "true"
    if after is not None:
        placeholders = []
        for value, (_, kind) in zip(after, keys, strict=True):
            args.append(str(value))
            placeholders.append(f"${len(args)}::text::{kind}")
        left = ", ".join(expr for expr, _ in keys)
        operator = "<" if descending else ">"
        outer_where = f"({left}) {operator} ({', '.join(placeholders)})"
    args.append(limit)
    order_by = ", ".join(f"{expr} {direction}" for expr, _ in keys)
    sql = f"SELECT * FROM ({inner}) AS matches WHERE {outer_where} ORDER BY {order_by} LIMIT ${len(args)}"
    if after is None:
        return await db.fetch(sql, *args)
    try:
        return await db.fetch(sql, *args)
    except asyncpg.DataError as exc:  # a forged cursor's value that does not cast to its column's type
        raise BadUserInput("The cursor is not one this API issued.", argument="after") from exc


def sort_key(row: asyncpg.Record, order: str) -> list[Any]:
    values = {
        "CODE": [row["code"]],
        "TITLE": [row["title_es"], row["code"]],
        "LEVEL": [row["level"], row["code"]],
        "PUBLISHED": [(row["published_on"] or date(1, 1, 1)).isoformat(), row["code"]],
        "RELEVANCE": [-row["rank"], row["code"]],
    }
    return values[order]


async def matching_searches(db: Database, query: StandardQuery, searches: Sequence[str]) -> list[str]:
    """Those of `searches` (each as typed into the box) that find a standard under the query's other
    conditions, in the order given: one query for all."""
    where, args = replace(query, search=None).where()
    args.append(list(searches))
    rows = await db.fetch(
        f"""SELECT t.s FROM unnest(${len(args)}::text[]) WITH ORDINALITY AS t(s, n)
            WHERE EXISTS (SELECT 1 FROM standards WHERE {where}
                            AND search @@ websearch_to_tsquery('spanish', fold(t.s)))
            ORDER BY t.n""",
        *args,
    )
    return [r["s"] for r in rows]


async def count_standards(db: Database, query: StandardQuery) -> int:
    where, args = query.where()
    return await db.fetchval(f"SELECT count(*) FROM standards WHERE {where}", *args)


async def standard_facets(db: Database, query: StandardQuery) -> list[asyncpg.Record]:
    """Counts by level, by sector and by committee of everything the filter matches, in one query."""
    where, args = query.where()
    return await db.fetch(
        f"""SELECT level, sector_code, min(sector_title) AS sector_title,
                   committee_id, min(committee_name) AS committee_name, count(*) AS count,
                   GROUPING(level) = 0 AS by_level, GROUPING(sector_code) = 0 AS by_sector
            FROM standards WHERE {where}
            GROUP BY GROUPING SETS ((level), (sector_code), (committee_id))
            ORDER BY count(*) DESC""",
        *args,
    )


async def elements_of(db: Database, codes: Sequence[str]) -> list[asyncpg.Record]:
    return await db.fetch(
        """SELECT e.standard_code, e.code, e.position, e.title_es, e.title_en,
                  coalesce(jsonb_agg(jsonb_build_object(
                      'kind', c.kind, 'position', c.position, 'text_es', c.text_es,
                      'text_en', c.text_en) ORDER BY c.kind, c.position)
                    FILTER (WHERE c.kind IS NOT NULL), '[]') AS criteria
           FROM elements e
           LEFT JOIN criteria c ON (c.standard_code, c.element_code) = (e.standard_code, e.code)
           WHERE e.standard_code = ANY($1::text[])
           GROUP BY e.standard_code, e.code, e.position, e.title_es, e.title_en
           ORDER BY e.standard_code, e.position""",
        list(codes),
    )


async def committees_by_id(db: Database, ids: Sequence[str]) -> list[asyncpg.Record]:
    # Without their standards' count (`committee_standard_counts`, asked only when wanted): a page of
    # 1,000 standards' committees is a key lookup, not a count per committee.
    return await db.fetch(
        """SELECT id, conocer_key, name, sector_label, state, formed_on
           FROM committees c WHERE id = ANY($1::text[])""",
        list(ids),
    )


async def committee_standard_counts(db: Database, ids: Sequence[str]) -> list[asyncpg.Record]:
    return await db.fetch(
        """SELECT committee_id, count(*) AS count FROM standards
           WHERE committee_id = ANY($1::text[]) GROUP BY committee_id""",
        list(ids),
    )


async def bodies_by_id(db: Database, ids: Sequence[str]) -> list[asyncpg.Record]:
    return await db.fetch(
        "SELECT id, name, kind, state, active FROM certification_bodies WHERE id = ANY($1::text[])",
        list(ids),
    )


async def certificates_by_folio(db: Database, folios: Sequence[str]) -> list[asyncpg.Record]:
    return await db.fetch("SELECT * FROM certificates WHERE folio = ANY($1::text[])", list(folios))


async def certificates_of_holders(db: Database, refs: Sequence[str]) -> list[asyncpg.Record]:
    return await db.fetch(
        "SELECT * FROM certificates WHERE holder_ref = ANY($1::text[]) ORDER BY issued_on, folio",
        list(refs),
    )


async def evaluators_by_id(db: Database, ids: Sequence[str]) -> list[asyncpg.Record]:
    return await db.fetch(
        "SELECT id, body_id, display_name, active FROM evaluators WHERE id = ANY($1::text[])",
        list(ids),
    )


async def accredited_bodies(
    db: Database, codes: Sequence[str], active_on: date | None
) -> list[asyncpg.Record]:
    """Bodies accredited for each standard (on `active_on`, or ever), one query for all codes."""
    return await db.fetch(
        """SELECT a.standard_code, b.id, b.name, b.kind, b.state, b.active,
                  a.valid_from, a.valid_to
           FROM accreditations a JOIN certification_bodies b ON b.id = a.body_id
           WHERE a.standard_code = ANY($1::text[])
             AND ($2::date IS NULL OR (coalesce(a.valid_from, '-infinity') <= $2
                                       AND coalesce(a.valid_to, 'infinity') >= $2))
           ORDER BY a.standard_code, b.name, b.id""",
        list(codes),
        active_on,
    )


# Accreditations of a standard, as a page: by body name, then body id, then accreditation id (a body
# may hold several windows for one standard), which is also the cursor.
_ACCREDITATIONS_OF = """
    FROM accreditations a JOIN certification_bodies b ON b.id = a.body_id
    WHERE a.standard_code = ANY($1::text[])
      AND ($2::date IS NULL OR (coalesce(a.valid_from, '-infinity') <= $2
                                AND coalesce(a.valid_to, 'infinity') >= $2))"""


async def accreditation_pages(
    db: Database,
    codes: Sequence[str],
    active_on: date | None,
    after: Sequence[Any] | None,
    limit: int,
) -> list[asyncpg.Record]:
    """Up to `limit` accreditations of each standard after the (name, body id, id) key, one query for
    all codes (a page of standards asking for the same page of each is one round trip)."""
    name, body_id, accreditation_id = after or (None, None, None)
    return await db.fetch(
        f"""SELECT * FROM (
                SELECT a.standard_code, a.id AS accreditation_id, b.id, b.name, b.kind, b.state,
                       b.active, a.valid_from, a.valid_to,
                       row_number() OVER (PARTITION BY a.standard_code ORDER BY b.name, b.id, a.id) AS n
                {_ACCREDITATIONS_OF}
                  AND ($3::text IS NULL OR (b.name, b.id, a.id) > ($3, $4, $5))
            ) AS page WHERE n <= $6 ORDER BY standard_code, n""",
        list(codes),
        active_on,
        name,
        body_id,
        accreditation_id,
        limit,
    )


async def accreditation_counts(
    db: Database, codes: Sequence[str], active_on: date | None
) -> list[asyncpg.Record]:
    return await db.fetch(
        f"SELECT a.standard_code, count(*) AS count {_ACCREDITATIONS_OF} GROUP BY a.standard_code",
        list(codes),
        active_on,
    )


async def present(
    db: Database, institution_id: str | None, keys: Sequence[tuple[str, str | None]]
) -> list[bool]:
    """Whether each (folio, holder reference) is a certificate of that holder (any holder when the
    reference is None); the holders found are disclosed to `institution_id` (a deposit check; privacy.py)."""
    rows = await db.fetch(
        """WITH given AS (
               SELECT * FROM unnest($2::text[], $3::text[]) AS g (folio, holder_ref)
           ), matched AS (
               SELECT DISTINCT c.folio, g.holder_ref AS given, c.holder_ref
               FROM given g JOIN certificates c
                 ON c.folio = g.folio AND (g.holder_ref IS NULL OR c.holder_ref = g.holder_ref)
           ), disclosed AS (
               INSERT INTO disclosures (holder_ref, institution_id, folio)
               SELECT DISTINCT ON (holder_ref) holder_ref, $1, folio FROM matched
               ORDER BY holder_ref, folio
               ON CONFLICT DO NOTHING
           )
           SELECT folio, given FROM matched""",
        institution_id,
        [folio for folio, _ in keys],
        [holder for _, holder in keys],
    )
    found = {(r["folio"], r["given"]) for r in rows}
    return [key in found for key in keys]


async def disclosed(db: Database, institution_id: str | None, refs: Sequence[str]) -> list[bool]:
    """Whether each holder was disclosed to `institution_id`."""
    rows = await db.fetch(
        "SELECT holder_ref FROM disclosures WHERE institution_id = $1 AND holder_ref = ANY($2::text[])",
        institution_id,
        list(refs),
    )
    found = {r["holder_ref"] for r in rows}
    return [ref in found for ref in refs]


# --- pages of committees, certification bodies and the change feed ------------------------------------

_COMMITTEES_MATCHING = "($1::text IS NULL OR fold(name) LIKE '%' || fold($1) || '%')"


async def committees_page(
    db: Database, search: str | None, after: Sequence[Any], limit: int
) -> list[asyncpg.Record]:
    """Committees whose name holds `search` (accents and case ignored), by name and id after `after`."""
    return await db.fetch(
        f"""SELECT id, conocer_key, name, sector_label, state, formed_on
            FROM committees c
            WHERE {_COMMITTEES_MATCHING} AND ($2::text IS NULL OR (name, id) > ($2, $3))
            ORDER BY name, id LIMIT $4""",
        search,
        *after,
        limit,
    )


async def count_committees(db: Database, search: str | None) -> int:
    return await db.fetchval(f"SELECT count(*) FROM committees WHERE {_COMMITTEES_MATCHING}", search)


@dataclass(frozen=True)
class BodyQuery:
    """Certification bodies whose name holds `search`, in `state`, of `kind`, accredited for
    `standard_code` and (or) on `active_on`; None leaves a condition out."""

    search: str | None = None
    standard_code: str | None = None
    state: str | None = None
    kind: str | None = None
    active_on: date | None = None

    def arguments(self) -> list[Any]:
        return [self.search, self.standard_code, self.state, self.kind, self.active_on]


_BODIES_MATCHING = """($1::text IS NULL OR fold(b.name) LIKE '%' || fold($1) || '%')
    AND ($3::text IS NULL OR fold(b.state) = fold($3))
    AND ($4::text IS NULL OR b.kind = $4)
    AND ($2::text IS NULL AND $5::date IS NULL OR EXISTS (
        SELECT 1 FROM accreditations a WHERE a.body_id = b.id
          AND ($2::text IS NULL OR a.standard_code = $2)
          AND ($5::date IS NULL OR (coalesce(a.valid_from, '-infinity') <= $5
                                    AND coalesce(a.valid_to, 'infinity') >= $5))))"""


async def bodies_page(
    db: Database, query: BodyQuery, after: Sequence[Any], limit: int
) -> list[asyncpg.Record]:
    """The bodies `query` selects, by name and id after `after`."""
    return await db.fetch(
        f"""SELECT b.id, b.name, b.kind, b.state, b.active FROM certification_bodies b
            WHERE {_BODIES_MATCHING} AND ($6::text IS NULL OR (b.name, b.id) > ($6, $7))
            ORDER BY b.name, b.id LIMIT $8""",
        *query.arguments(),
        *after,
        limit,
    )


async def count_bodies(db: Database, query: BodyQuery) -> int:
    return await db.fetchval(
        f"SELECT count(*) FROM certification_bodies b WHERE {_BODIES_MATCHING}", *query.arguments()
    )


async def published_by_sector_and_level(db: Database) -> dict[tuple[str, int], int]:
    """How many published standards each (sector, level) has; pairs with none are absent."""
    rows = await db.fetch(
        "SELECT sector_code, level, count(*) AS n FROM standards WHERE status = 'published' "
        "GROUP BY sector_code, level"
    )
    return {(r["sector_code"], r["level"]): r["n"] for r in rows}


async def changes_page(db: Database, caller: Caller, since: int, limit: int) -> list[asyncpg.Record]:
    """The change feed after position `since`, as far as `caller` may see it (privacy.feed_filter)."""
    # The caller's condition takes the parameters after the page's own two.
    visible, parameters = privacy.feed_filter(caller, 3)
    return await db.fetch(
        "SELECT seq, entity, key, op, data, changed_at FROM change_log "
        f"WHERE seq > $1 AND {visible} ORDER BY seq LIMIT $2",
        since,
        limit,
        *parameters,
    )


async def count_changes(db: Database, caller: Caller) -> int:
    """The length of the whole feed `caller` may see."""
    visible, parameters = privacy.feed_filter(caller, 1)
    return await db.fetchval(f"SELECT count(*) FROM change_log WHERE {visible}", *parameters)
