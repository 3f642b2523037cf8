"""The registry's GraphQL types and federation entities.

Nested fields and `_entities` load through per-request DataLoaders, so N standards (or N
certificates) cost one SQL query, however they were asked for.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from enum import Enum
from typing import Any

import asyncpg
import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from services.common.context import Context, by_key
from services.common.pagination import Connection, decode_cursor, make_page, page_size
from services.common.renec.reference import LEVEL_DESCRIPTORS, LEVEL_DESCRIPTORS_SOURCE, SECTORS_BY_CODE
from services.registry import privacy, store


def _ctx(info: Info) -> Context:
    return info.context


def load_standard(info: Info, code: str) -> Any:
    async def batch(codes: list[str]) -> list[Any]:
        return by_key(await store.standards_by_code(_ctx(info).db, codes), codes, "code")

    return _ctx(info).loader("standard", batch).load(code)


def load_committee(info: Info, committee_id: str) -> Any:
    async def batch(ids: list[str]) -> list[Any]:
        return by_key(await store.committees_by_id(_ctx(info).db, ids), ids, "id")

    return _ctx(info).loader("committee", batch).load(committee_id)


def load_body(info: Info, body_id: str) -> Any:
    async def batch(ids: list[str]) -> list[Any]:
        return by_key(await store.bodies_by_id(_ctx(info).db, ids), ids, "id")

    return _ctx(info).loader("body", batch).load(body_id)


def load_certificate(info: Info, folio: str) -> Any:
    async def batch(folios: list[str]) -> list[Any]:
        return by_key(await store.certificates_by_folio(_ctx(info).db, folios), folios, "folio")

    return _ctx(info).loader("certificate", batch).load(folio)


def load_equivalent_earlier_versions(info: Info, code: str) -> Any:
    async def batch(codes: list[str]) -> list[Any]:
        found = {
            r["code"]: list(r["earlier"])
            for r in await store.equivalent_earlier_versions(_ctx(info).db, codes)
        }
        return [found.get(c, []) for c in codes]

    return _ctx(info).loader("equivalent_earlier_versions", batch).load(code)


def load_evaluator(info: Info, evaluator_id: str) -> Any:
    async def batch(ids: list[str]) -> list[Any]:
        return by_key(await store.evaluators_by_id(_ctx(info).db, ids), ids, "id")

    return _ctx(info).loader("evaluator", batch).load(evaluator_id)


def _grouped(rows: list[asyncpg.Record], keys: list[str], column: str) -> list[list[asyncpg.Record]]:
    groups: dict[str, list[asyncpg.Record]] = defaultdict(list)
    for row in rows:
        groups[row[column]].append(row)
    return [groups.get(k, []) for k in keys]


def load_elements(info: Info, code: str) -> Any:
    async def batch(codes: list[str]) -> list[Any]:
        return _grouped(await store.elements_of(_ctx(info).db, codes), codes, "standard_code")

    return _ctx(info).loader("elements", batch).load(code)


def load_accreditations(info: Info, code: str, active_on: date | None) -> Any:
    async def batch(codes: list[str]) -> list[Any]:
        rows = await store.accredited_bodies(_ctx(info).db, codes, active_on)
        return _grouped(rows, codes, "standard_code")

    # One loader per date: a page of standards asking for the same date is one query.
    return _ctx(info).loader(f"accreditations:{active_on}", batch).load(code)


def load_accreditation_page(
    info: Info, code: str, active_on: date | None, after: list[Any] | None, limit: int
) -> Any:
    async def batch(codes: list[str]) -> list[Any]:
        rows = await store.accreditation_pages(_ctx(info).db, codes, active_on, after, limit)
        return _grouped(rows, codes, "standard_code")

    return _ctx(info).loader(f"accreditation_page:{active_on}:{after}:{limit}", batch).load(code)


def load_accreditation_count(info: Info, code: str, active_on: date | None) -> Any:
    async def batch(codes: list[str]) -> list[int]:
        rows = await store.accreditation_counts(_ctx(info).db, codes, active_on)
        counts = {r["standard_code"]: r["count"] for r in rows}
        return [counts.get(c, 0) for c in codes]

    return _ctx(info).loader(f"accreditation_count:{active_on}", batch).load(code)


def load_holder_certificates(info: Info, holder_ref: str) -> Any:
    async def batch(refs: list[str]) -> list[Any]:
        rows = await store.certificates_of_holders(_ctx(info).db, refs)
        return _grouped(rows, refs, "holder_ref")

    return _ctx(info).loader("holder_certificates", batch).load(holder_ref)


# --- reference types -------------------------------------------------------------------------


@strawberry.type(description="A SCIAN 2023 sector (Mexico's edition of NAICS).")
class Sector:
    code: str
    title: str = strawberry.field(description="Spanish title (INEGI).")
    title_en: str | None

    @classmethod
    def of(cls, code: str) -> Sector:
        sector = SECTORS_BY_CODE[code]
        return cls(code=sector.code, title=sector.title_es, title_en=sector.title_en)


@strawberry.type(description="One of CONOCER's five competence levels.")
class LevelDescriptor:
    level: int
    description: str = strawberry.field(description="Spanish.")
    description_en: str
    source: str

    @classmethod
    def of(cls, level: int) -> LevelDescriptor:
        d = LEVEL_DESCRIPTORS[level - 1]
        return cls(
            level=d.level,
            description=d.description_es,
            description_en=d.description_en,
            source=LEVEL_DESCRIPTORS_SOURCE,
        )


@strawberry.enum
class StandardStatus(Enum):
    SUBMITTED = "submitted"
    PUBLISHED = "published"
    WITHDRAWN = "withdrawn"


@strawberry.enum
class CriterionKind(Enum):
    PERFORMANCE = "performance"
    PRODUCT = "product"
    KNOWLEDGE = "knowledge"
    ATTITUDE = "attitude"


@strawberry.type(description="What an element requires: a performance, product, knowledge or attitude.")
class Criterion:
    kind: CriterionKind
    text: str
    text_en: str | None


@strawberry.type(description="A unit of a standard; certification may cover single elements.")
class Element:
    code: str
    position: int
    title: str
    title_en: str | None
    criteria: list[Criterion]

    @classmethod
    def from_row(cls, row: asyncpg.Record) -> Element:
        return cls(
            code=row["code"],
            position=row["position"],
            title=row["title_es"],
            title_en=row["title_en"],
            criteria=[
                Criterion(kind=CriterionKind(c["kind"]), text=c["text_es"], text_en=c["text_en"])
                for c in row["criteria"]
            ],
        )


# --- entities --------------------------------------------------------------------------------


@strawberry.federation.type(keys=["id"], description="A competence management committee.")
class Committee:
    id: strawberry.ID
    conocer_key: str | None = strawberry.field(description="CONOCER's committee key, e.g. 1.5.1.")
    name: str
    sector_label: str | None = strawberry.field(description="CONOCER's own sector label (not SCIAN).")
    state: str | None
    formed_on: date | None
    standard_count: int

    @classmethod
    def from_row(cls, row: asyncpg.Record) -> Committee:
        return cls(
            id=strawberry.ID(row["id"]),
            conocer_key=row["conocer_key"],
            name=row["name"],
            sector_label=row["sector_label"],
            state=row["state"],
            formed_on=row["formed_on"],
            standard_count=row["standard_count"],
        )

    @classmethod
    async def resolve_reference(cls, info: Info, id: strawberry.ID) -> Committee | None:
        row = await load_committee(info, id)
        return cls.from_row(row) if row else None


@strawberry.enum
class BodyKind(Enum):
    ECE = "ECE"
    OC = "OC"
    UNKNOWN = "unknown"


@strawberry.federation.type(
    keys=["id"],
    description="A certification entity (ECE) or certifying body (OC) accredited by CONOCER.",
)
class CertificationBody:
    id: strawberry.ID
    name: str
    kind: BodyKind
    state: str | None
    active: bool

    @classmethod
    def from_row(cls, row: asyncpg.Record) -> CertificationBody:
        return cls(
            id=strawberry.ID(row["id"]),
            name=row["name"],
            kind=BodyKind(row["kind"]),
            state=row["state"],
            active=row["active"],
        )

    @classmethod
    async def resolve_reference(cls, info: Info, id: strawberry.ID) -> CertificationBody | None:
        row = await load_body(info, id)
        return cls.from_row(row) if row else None


@strawberry.type(description="A body's accreditation for a standard; open ends mean no recorded limit.")
class Accreditation:
    body: CertificationBody
    valid_from: date | None
    valid_to: date | None

    @classmethod
    def from_row(cls, row: asyncpg.Record) -> Accreditation:
        return cls(
            body=CertificationBody.from_row(row), valid_from=row["valid_from"], valid_to=row["valid_to"]
        )


@strawberry.federation.type(keys=["code"], description="A competency standard (Estándar de Competencia).")
class Standard:
    code: str = strawberry.field(description="E.g. EC0217.01.")
    base_code: str = strawberry.field(description="The code without version, e.g. EC0217.")
    version: int = strawberry.field(description="0 for the first edition, 1 for .01, ...")
    title: str = strawberry.field(description="Spanish title.")
    title_en: str | None
    purpose: str | None = strawberry.field(description="Spanish statement of purpose.")
    purpose_en: str | None
    level: int
    status: StandardStatus
    published_on: date | None
    review_on: date | None
    withdrawn_on: date | None
    certificate_validity_years: int | None
    equivalent_to_previous: bool | None = strawberry.field(
        description="Whether this version is equivalent to the one it supersedes (null: not recorded)."
    )
    elements_known: bool = strawberry.field(
        description="Whether the registry records this standard's elements (RENEC's list does not "
        "give them; an element structure file or the standard's committee does)."
    )
    _sector_code: strawberry.Private[str]
    _committee_id: strawberry.Private[str | None]
    _committee_name: strawberry.Private[str | None]
    _supersedes: strawberry.Private[str | None]
    _superseded_by: strawberry.Private[str | None]

    @classmethod
    def from_row(cls, row: asyncpg.Record) -> Standard:
        return cls(
            code=row["code"],
            base_code=row["base_code"],
            version=row["version"],
            title=row["title_es"],
            title_en=row["title_en"],
            purpose=row["purpose_es"],
            purpose_en=row["purpose_en"],
            level=row["level"],
            status=StandardStatus(row["status"]),
            published_on=row["published_on"],
            review_on=row["review_on"],
            withdrawn_on=row["withdrawn_on"],
            certificate_validity_years=row["certificate_validity_years"],
            equivalent_to_previous=row["equivalent_to_previous"],
            elements_known=row["elements_known"],
            _sector_code=row["sector_code"],
            _committee_id=row["committee_id"],
            _committee_name=row["committee_name"],
            _supersedes=row["supersedes"],
            _superseded_by=row["superseded_by"],
        )

    @classmethod
    async def resolve_reference(cls, info: Info, code: str) -> Standard | None:
        row = await load_standard(info, code)
        return cls.from_row(row) if row else None

    @strawberry.field
    def sector(self) -> Sector:
        return Sector.of(self._sector_code)

    @strawberry.field
    def level_descriptor(self) -> LevelDescriptor:
        return LevelDescriptor.of(self.level)

    @strawberry.field(description="The committee as RENEC names it, even when it is not on file.")
    def committee_name(self) -> str | None:
        return self._committee_name

    @strawberry.field
    async def committee(self, info: Info) -> Committee | None:
        if self._committee_id is None:
            return None
        row = await load_committee(info, self._committee_id)
        return Committee.from_row(row) if row else None

    @strawberry.field(description="The earlier version this one replaces.")
    async def supersedes(self, info: Info) -> Standard | None:
        if self._supersedes is None:
            return None
        row = await load_standard(info, self._supersedes)
        return Standard.from_row(row) if row else None

    @strawberry.field(
        description="The earlier versions this one is equivalent to, nearest first: `supersedes` followed "
        "for as long as each version is marked equivalent to the one before. A credit rule written for "
        "one of them covers this version too."
    )
    async def equivalent_earlier_versions(self, info: Info) -> list[str]:
        if not self.equivalent_to_previous:
            return []
        return await load_equivalent_earlier_versions(info, self.code)

    @strawberry.field(description="The newest version that replaces this one.")
    async def superseded_by(self, info: Info) -> Standard | None:
        if self._superseded_by is None:
            return None
        row = await load_standard(info, self._superseded_by)
        return Standard.from_row(row) if row else None

    @strawberry.field(
        description="The standard's elements in order; empty when the registry does not record them "
        "(see elementsKnown)."
    )
    async def elements(self, info: Info) -> list[Element]:
        return [Element.from_row(r) for r in await load_elements(info, self.code)]

    @strawberry.field(
        description="Bodies accredited to certify this standard, on `activeOn` if given, all at once.",
        deprecation_reason="Use accreditationsConnection, which pages (EC0217.01 has hundreds).",
    )
    async def accreditations(self, info: Info, active_on: date | None = None) -> list[Accreditation]:
        rows = await load_accreditations(info, self.code, active_on)
        return [Accreditation.from_row(r) for r in rows]

    @strawberry.field(
        description="Bodies accredited to certify this standard, on `activeOn` if given, by body name; "
        "`totalCount` counts them all."
    )
    async def accreditations_connection(
        self, info: Info, active_on: date | None = None, first: int | None = 20, after: str | None = None
    ) -> Connection[Accreditation]:
        size = page_size(first, _ctx(info).settings.max_page_size)
        key = decode_cursor(after, 3, kinds=(str, str, int)) if after else None
        rows = await load_accreditation_page(info, self.code, active_on, key, size + 1)
        edges, page = make_page(
            rows,
            size,
            cursor_of=lambda r: [r["name"], r["id"], r["accreditation_id"]],
            node_of=Accreditation.from_row,
            after=after,
        )
        code = self.code
        return Connection(
            edges=edges, page_info=page, _count=lambda: load_accreditation_count(info, code, active_on)
        )


@strawberry.enum
class CertificateScope(Enum):
    WHOLE = "whole"
    ELEMENTS = "elements"


@strawberry.enum
class CertificateStatus(Enum):
    VALID = "valid"
    REVOKED = "revoked"


@strawberry.type(description="An evaluator registered with a certification body.")
class Evaluator:
    id: strawberry.ID
    display_name: str
    active: bool


@strawberry.federation.type(keys=["folio"], description="A competence certificate.")
class Certificate:
    folio: str
    standard_code: str
    scope: CertificateScope
    element_codes: list[str] = strawberry.field(description="Certified elements when scope is ELEMENTS.")
    holder_name: str = strawberry.field(description="Masked, e.g. 'M*** L*** G***'.")
    issued_on: date
    expires_on: date | None
    status: CertificateStatus
    revoked_on: date | None
    revocation_reason: str | None
    _holder_ref: strawberry.Private[str]
    _body_id: strawberry.Private[str]
    _evaluator_id: strawberry.Private[str]
    _certifying_person: strawberry.Private[str]

    @classmethod
    def from_row(cls, row: asyncpg.Record) -> Certificate:
        return cls(
            folio=row["folio"],
            standard_code=row["standard_code"],
            scope=CertificateScope(row["scope"]),
            element_codes=list(row["element_codes"]),
            holder_name=row["holder_name_masked"],
            issued_on=row["issued_on"],
            expires_on=row["expires_on"],
            status=CertificateStatus(row["status"]),
            revoked_on=row["revoked_on"],
            revocation_reason=row["revocation_reason"],
            _holder_ref=row["holder_ref"],
            _body_id=row["body_id"],
            _evaluator_id=row["evaluator_id"],
            _certifying_person=row["certifying_person"],
        )

    @classmethod
    async def resolve_reference(cls, info: Info, folio: str) -> Certificate | None:
        if privacy.is_deposit_check(_ctx(info).caller):
            await privacy.record_disclosure(info, folio)
        row = await load_certificate(info, folio)
        if row is None:
            return None
        await privacy.ensure_can_read(info, row)
        return cls.from_row(row)

    @strawberry.field(
        description="The person of the certifying body who certified (for certificates issued with a key "
        "not yet named, the key's id). Shown to that body and the registry's admins; null for others."
    )
    def certifying_person(self, info: Info) -> str | None:
        if privacy.may_see_certifying_person(_ctx(info).caller, self._body_id):
            return self._certifying_person
        return None

    @strawberry.field
    async def standard(self, info: Info) -> Standard:
        return Standard.from_row(await load_standard(info, self.standard_code))

    @strawberry.field
    async def body(self, info: Info) -> CertificationBody:
        return CertificationBody.from_row(await load_body(info, self._body_id))

    @strawberry.field
    async def evaluator(self, info: Info) -> Evaluator:
        row = await load_evaluator(info, self._evaluator_id)
        return Evaluator(id=strawberry.ID(row["id"]), display_name=row["display_name"], active=row["active"])

    @strawberry.field
    def holder(self) -> Learner:
        return Learner(holder_ref=self._holder_ref)


@strawberry.federation.type(
    keys=["holderRef"],
    description="A certificate holder, known only by a keyed hash of their CURP. Who sees their "
    "certificates: the registry's admins all of them; a certifier those its body issued; a registrar "
    "all of them once one was deposited at the registrar's institution (depositCertificate, which the "
    "registry records when the credit bank verifies the certificate), and none before.",
)
class Learner:
    holder_ref: str

    @classmethod
    def resolve_reference(cls, info: Info, holderRef: str) -> Learner:  # the key's GraphQL name
        return cls(holder_ref=holderRef)

    @strawberry.field(
        description="The learner's certificates you may see (see Learner), oldest first; empty for a "
        "registrar until one of them is deposited at its institution."
    )
    async def certificates(self, info: Info) -> list[Certificate]:
        rows = await load_holder_certificates(info, self.holder_ref)
        return [Certificate.from_row(r) for r in rows if await privacy.may_read(info, r)]


@strawberry.type(description="What anyone may check about a certificate, and nothing more.")
class CertificateVerification:
    folio: str
    standard: Standard
    issued_on: date
    body: CertificationBody
    status: CertificateStatus
    holder_name: str = strawberry.field(description="Masked.")


@strawberry.type(description="One entry of the registry's change feed.")
class RegistryChange:
    seq: str = strawberry.field(description="Position in the feed (a 64-bit integer, as text).")
    entity: str = strawberry.field(description="standard, accreditation or certificate.")
    key: str
    operation: str = strawberry.field(description="created, updated or deleted.")
    changed_at: str
    data: JSON = strawberry.field(description="The row after the change (public facts only).")
