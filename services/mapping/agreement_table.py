"""An agreement's standards against their counterparts: its coverage counts and its downloadable table.

Both read the agreement's scope through `routes.py` (counterparts in the agreement's counterpart scheme),
the parties' reviews of each proposal (`edge_reviews`) and the recognitions recorded in the agreement
(each party's decision and the gaps), so the counts and the table always agree.
"""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

from services.mapping.counterparts_api import load_proposals
from services.mapping.loaders import Info
from services.mapping.routes import Found, Proposal, counterparts, onward
from services.mapping.types import current_graph

EXPORT_PER_STANDARD = 5  # the best counterparts of each standard in the table
COLUMNS = (
    "standardCode",
    "standardTitle",
    "counterpartScheme",
    "counterpartCode",
    "counterpartTitle",
    "confidence",
    "status",
    "method",
    "proposalId",
    "mxReview",
    "usReview",
    "mutual",
    "recognitionMx",
    "recognitionUs",
    "gaps",
    "route",
)
NO_COUNTERPART = "no counterpart proposed yet"


@dataclass
class Counts:
    in_scope: int
    with_counterpart: int
    with_proposed_counterpart: int
    with_endorsed_counterpart: int
    mutual: int


@dataclass
class _Agreement:
    id: str
    scope: list[str]
    scheme: str
    proposals: dict[str, list[Proposal]]  # by standard, each reaching the agreement's scheme
    reviews: dict[int, dict[str, str]]  # edge id -> party -> endorsed|rejected
    recognitions: dict[tuple[str, str, str], dict[str, Any]]  # (standard, scheme, code) -> row


async def _read(info: Info, agreement_id: str, scope: list[str], scheme: str) -> _Agreement:
    db = info.context.db
    graph = await current_graph(info)
    by_standard: dict[str, list[Proposal]] = defaultdict(list)
    for p in await load_proposals(info, "from_code = ANY($3::text[])", scope):
        if any(node[0] == scheme for node in onward(graph, p.target)):
            by_standard[p.standard].append(p)
    ids = [p.edge_id for ps in by_standard.values() for p in ps]
    reviews: dict[int, dict[str, str]] = defaultdict(dict)
    for r in await db.fetch("SELECT * FROM edge_reviews WHERE edge_id = ANY($1::bigint[])", ids):
        reviews[r["edge_id"]][r["party"]] = r["decision"]
    recognitions = {
        (r["standard_code"], r["counterpart_scheme"], r["counterpart_code"]): dict(r)
        for r in await db.fetch(
            """SELECT r.standard_code, r.counterpart_scheme, r.counterpart_code, r.gaps,
                      max(d.decision) FILTER (WHERE d.party = 'MX') AS mx,
                      max(d.decision) FILTER (WHERE d.party = 'US') AS us
               FROM recognitions r LEFT JOIN recognition_decisions d USING
                   (agreement_id, standard_code, counterpart_scheme, counterpart_code)
               WHERE r.agreement_id = $1 AND r.standard_code = ANY($2::text[])
               GROUP BY r.standard_code, r.counterpart_scheme, r.counterpart_code, r.gaps""",
            agreement_id,
            scope,
        )
    }
    return _Agreement(agreement_id, scope, scheme, by_standard, reviews, recognitions)


def _mutual(reviews: dict[str, str]) -> bool:
    return reviews.get("MX") == reviews.get("US") == "endorsed"


async def coverage(info: Info, agreement_id: str, scope: list[str], scheme: str) -> Counts:
    a = await _read(info, agreement_id, scope, scheme)
    recognised: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for (standard, _, _), r in a.recognitions.items():
        recognised[standard].append(r)
    endorsed = mutual = 0
    for code in scope:
        proposals, recognitions = a.proposals.get(code, []), recognised.get(code, [])
        if any(p.status == "endorsed" for p in proposals) or any(
            "endorsed" in (r["mx"], r["us"]) for r in recognitions
        ):
            endorsed += 1
        if any(_mutual(a.reviews.get(p.edge_id, {})) for p in proposals) or any(
            r["mx"] == r["us"] == "endorsed" for r in recognitions
        ):
            mutual += 1
    return Counts(
        in_scope=len(scope),
        with_counterpart=len(recognised),
        with_proposed_counterpart=sum(1 for code in scope if a.proposals.get(code)),
        with_endorsed_counterpart=endorsed,
        mutual=mutual,
    )


def _gaps(recognition: dict[str, Any] | None) -> str:
    gaps = recognition["gaps"] if recognition else []
    return "; ".join(
        f"{g.get('element', '')}: {g.get('gap', '')} -> {g.get('measure', '')}"
        for g in gaps
        if isinstance(g, dict)
    )


async def table(info: Info, agreement_id: str, scope: list[str], scheme: str) -> list[dict[str, Any]]:
    """One row per counterpart of each standard in scope (its best EXPORT_PER_STANDARD), and one row
    for each standard with none; recognitions recorded for other counterparts get rows of their own."""
    a = await _read(info, agreement_id, scope, scheme)
    graph = await current_graph(info)
    found: dict[str, list[Found]] = {
        code: counterparts(graph, a.proposals.get(code, []), {scheme})[:EXPORT_PER_STANDARD] for code in scope
    }
    nodes = {("CONOCER_EC", code) for code in scope} | {f.node for fs in found.values() for f in fs}
    nodes |= {(scheme, code) for (_, scheme, code) in a.recognitions}
    ordered = sorted(nodes)
    labels = {
        (r["scheme"], r["code"]): r["label_es"] or r["label_en"] or ""
        for r in await info.context.db.fetch(
            """SELECT i.scheme, i.code, i.label_es, i.label_en FROM items i
               JOIN unnest($1::text[], $2::text[]) AS k (scheme, code) USING (scheme, code)""",
            [n[0] for n in ordered],
            [n[1] for n in ordered],
        )
    }
    rows: list[dict[str, Any]] = []
    for code in sorted(scope):
        title = labels.get(("CONOCER_EC", code), "")
        shown = set()
        for f in found[code]:
            shown.add(f.node)
            reviews = a.reviews.get(f.proposal.edge_id, {})
            recognition = a.recognitions.get((code, *f.node))
            rows.append(
                {
                    "standardCode": code,
                    "standardTitle": title,
                    "counterpartScheme": f.node[0],
                    "counterpartCode": f.node[1],
                    "counterpartTitle": labels.get(f.node, ""),
                    "confidence": round(f.confidence, 4),
                    "status": f.proposal.status,
                    "method": f.proposal.method,
                    "proposalId": f.proposal.edge_id,
                    "mxReview": reviews.get("MX", "pending"),
                    "usReview": reviews.get("US", "pending"),
                    "mutual": _mutual(reviews)
                    or bool(recognition and recognition["mx"] == recognition["us"] == "endorsed"),
                    "recognitionMx": (recognition or {}).get("mx") or "",
                    "recognitionUs": (recognition or {}).get("us") or "",
                    "gaps": _gaps(recognition),
                    "route": " > ".join(
                        f"{s} {c}"
                        for s, c in [
                            ("CONOCER_EC", code),
                            f.proposal.target,
                            *(arc.target for arc in f.route),
                        ]
                    ),
                }
            )
        for (standard, s, c), recognition in sorted(a.recognitions.items()):
            if standard == code and (s, c) not in shown:
                shown.add((s, c))
                rows.append(
                    {
                        **dict.fromkeys(COLUMNS, ""),
                        "standardCode": code,
                        "standardTitle": title,
                        "counterpartScheme": s,
                        "counterpartCode": c,
                        "counterpartTitle": labels.get((s, c), ""),
                        "method": "recognition",
                        "mutual": recognition["mx"] == recognition["us"] == "endorsed",
                        "recognitionMx": recognition["mx"] or "",
                        "recognitionUs": recognition["us"] or "",
                        "gaps": _gaps(recognition),
                    }
                )
        if not shown:
            rows.append(
                {
                    **dict.fromkeys(COLUMNS, ""),
                    "standardCode": code,
                    "standardTitle": title,
                    "mutual": False,
                    "gaps": NO_COUNTERPART,
                }
            )
    return rows


# A spreadsheet runs a cell that starts with one of these as a formula (OWASP's "CSV injection"); notes,
# gaps and labels are people's text, so such a cell is written with a leading apostrophe instead.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def as_csv(rows: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows({key: _cell(value) for key, value in row.items()} for row in rows)
    return out.getvalue()


def as_json(agreement_id: str, scheme: str, counts: Counts, rows: list[dict[str, Any]]) -> str:
    return json.dumps(
        {
            "agreement": agreement_id,
            "counterpartScheme": scheme,
            "generatedOn": date.today().isoformat(),
            "coverage": {
                "inScope": counts.in_scope,
                "withCounterpart": counts.with_counterpart,
                "withProposedCounterpart": counts.with_proposed_counterpart,
                "withEndorsedCounterpart": counts.with_endorsed_counterpart,
                "mutual": counts.mutual,
            },
            "rows": rows,
        },
        ensure_ascii=False,
    )
