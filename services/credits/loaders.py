"""The credit bank's DataLoaders, built once per request: a page of rules, programmes or transcripts
loads its institutions, programmes and rules in one query each."""

from __future__ import annotations

import strawberry

from gateway.signing import Caller
from services.common.context import Context, all_each, one_each
from services.common.db import Database
from services.credits import catalog, ledger


class Loaders:
    def __init__(self, db: Database, caller: Caller) -> None:
        self.institution = one_each(lambda ids: catalog.institutions_by_id(db, ids), "id")
        self.program = one_each(lambda ids: catalog.programs_by_id(db, ids), "id")
        self.programs_of = all_each(lambda ids: catalog.programs_of(db, ids), "institution_id")
        self.rule = one_each(lambda ids: catalog.rules_by_id(db, ids), "id")
        # Every rule for a base code, at any institution (filtered by the caller's view afterwards).
        self.rules_for_base = all_each(lambda bases: catalog.rules_for_bases(db, bases), "base_code")
        # Every rule of one institution for a base code: a page of transcripts loads them in one query.
        self.rules_at = all_each(lambda pairs: catalog.rules_at(db, pairs), ("institution_id", "base_code"))
        self.entry = one_each(lambda ids: ledger.entries_by_id(db, ids), "id")


CreditsContext = Context[Loaders]
Info = strawberry.Info[CreditsContext, None]
