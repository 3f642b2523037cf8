"""The registry's DataLoaders, built once per request: N standards (or N certificates) asked for in one
tick, however they were asked for, cost one SQL query."""

from __future__ import annotations

from datetime import date
from typing import Any

import strawberry
from strawberry.dataloader import DataLoader

from gateway.signing import Caller
from services.common.context import Context, PerArgument, all_each, one_each
from services.common.db import Database
from services.registry import store

# A page of accreditations: (active on, the sort key after which it starts, rows to read).
AccreditationPage = tuple[date | None, tuple[Any, ...] | None, int]


class Loaders:
    def __init__(self, db: Database, caller: Caller) -> None:
        self.standard = one_each(lambda codes: store.standards_by_code(db, codes), "code")
        self.committee = one_each(lambda ids: store.committees_by_id(db, ids), "id")
        self.committee_standard_count: DataLoader[str, int] = DataLoader(
            load_fn=lambda ids: _committee_standard_counts(db, ids)
        )
        self.body = one_each(lambda ids: store.bodies_by_id(db, ids), "id")
        self.certificate = one_each(lambda folios: store.certificates_by_folio(db, folios), "folio")
        self.evaluator = one_each(lambda ids: store.evaluators_by_id(db, ids), "id")
        self.elements = all_each(lambda codes: store.elements_of(db, codes), "standard_code")
        self.holder_certificates = all_each(
            lambda refs: store.certificates_of_holders(db, refs), "holder_ref"
        )
        # Asked only when wanted, not with every standard's row (store.STANDARD_COLUMNS).
        self.superseded_by: DataLoader[str, str | None] = DataLoader(
            load_fn=lambda codes: _superseding(db, codes)
        )
        self.elements_known: DataLoader[str, bool] = DataLoader(
            load_fn=lambda codes: _with_elements(db, codes)
        )
        self.equivalent_earlier_versions: DataLoader[str, list[str]] = DataLoader(
            load_fn=lambda codes: _earlier_versions(db, codes)
        )
        # One loader per date (and page): a page of standards asking for the same date is one query.
        self.accreditations = PerArgument(
            lambda active_on: all_each(
                lambda codes: store.accredited_bodies(db, codes, active_on), "standard_code"
            )
        )
        self.accreditation_page = PerArgument(
            lambda page: all_each(lambda codes: store.accreditation_pages(db, codes, *page), "standard_code")
        )
        self.accreditation_count: PerArgument[date | None, str, int] = PerArgument(
            lambda active_on: DataLoader(load_fn=lambda codes: _accreditation_counts(db, codes, active_on))
        )
        # A deposit check: whether each (folio, holder reference or None for an admin's) is a certificate
        # of that holder, disclosing the holder to the caller's institution when it is (privacy.py).
        self.present: DataLoader[tuple[str, str | None], bool] = DataLoader(
            load_fn=lambda keys: store.present(db, caller.scope, keys)
        )
        self.disclosed: DataLoader[str, bool] = DataLoader(
            load_fn=lambda refs: store.disclosed(db, caller.scope, refs)
        )


async def _superseding(db: Database, codes: list[str]) -> list[str | None]:
    newest = {r["supersedes"]: r["code"] for r in await store.superseding(db, codes)}
    return [newest.get(c) for c in codes]


async def _with_elements(db: Database, codes: list[str]) -> list[bool]:
    known = {r["standard_code"] for r in await store.with_elements(db, codes)}
    return [c in known for c in codes]


async def _earlier_versions(db: Database, codes: list[str]) -> list[list[str]]:
    found = {r["code"]: list(r["earlier"]) for r in await store.equivalent_earlier_versions(db, codes)}
    return [found.get(c, []) for c in codes]


async def _committee_standard_counts(db: Database, ids: list[str]) -> list[int]:
    counts = {r["committee_id"]: r["count"] for r in await store.committee_standard_counts(db, ids)}
    return [counts.get(i, 0) for i in ids]


async def _accreditation_counts(db: Database, codes: list[str], active_on: date | None) -> list[int]:
    counts = {r["standard_code"]: r["count"] for r in await store.accreditation_counts(db, codes, active_on)}
    return [counts.get(c, 0) for c in codes]


RegistryContext = Context[Loaders]
Info = strawberry.Info[RegistryContext, None]
