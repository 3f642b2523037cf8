"""The registry's GraphQL types and federation entities.

Nested fields and `_entities` load through the request's DataLoaders (`loaders.py`), so N standards
(or N certificates) cost one SQL query, however they were asked for.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from enum import Enum
from typing import ClassVar

import strawberry
from strawberry.scalars import JSON

from services.common.batching import batched
from services.common.context import load_all, load_each
from services.common.pagination import Connection, Page
from services.common.renec.reference import LEVEL_DESCRIPTORS, LEVEL_DESCRIPTORS_SOURCE, SECTORS_BY_CODE
from services.common.rows import EnumColumn, FromRow, Source
from services.registry import privacy
from services.registry.loaders import Info

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


def sectors_of(info: Info, standards: Sequence[Standard]) -> list[Sector]:
    """Each standard's sector; one Sector per distinct code (a page of standards shares a few dozen)."""
    sectors: dict[str, Sector] = {}
    for code in {s._sector_code for s in standards}:
        sectors[code] = Sector.of(code)
    return [sectors[s._sector_code] for s in standards]


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
class Element(FromRow):
    columns: ClassVar[Mapping[str, Source]] = {
        "title": "title_es",
        "criteria": lambda row: [
            Criterion(kind=CriterionKind(c["kind"]), text=c["text_es"], text_en=c["text_en"])
            for c in row["criteria"]
        ],
    }
    code: str
    position: int
    title: str
    title_en: str | None
    criteria: list[Criterion]



# --- entities --------------------------------------------------------------------------------


@strawberry.federation.type(keys=["id"], description="A competence management committee.")
class Committee(FromRow):
    id: strawberry.ID
    conocer_key: str | None = strawberry.field(description="CONOCER's committee key, e.g. 1.5.1.")
    name: str
    sector_label: str | None = strawberry.field(description="CONOCER's own sector label (not SCIAN).")
    state: str | None
    formed_on: date | None

    @strawberry.field(metadata=batched(lambda info, committees: standard_counts_of(info, committees)))
    async def standard_count(self, info: Info) -> int:
        return (await standard_counts_of(info, [self]))[0]

    @classmethod
    async def resolve_reference(cls, info: Info, id: strawberry.ID) -> Committee | None:
        return cls.from_optional_row(await info.context.loaders.committee.load(id))


async def standard_counts_of(info: Info, committees: Sequence[Committee]) -> list[int]:
    """How many standards each committee has, counted only when asked (one query for all of them)."""
    return list(await info.context.loaders.committee_standard_count.load_many([c.id for c in committees]))


async def committees_of(info: Info, standards: Sequence[Standard]) -> list[Committee | None]:
    """Each standard's committee (None without one), through the loader: other lists of standards
    completed in the same tick (one per certificate, say) share its one query."""
    ids = list({s._committee_id: None for s in standards if s._committee_id is not None})
    rows = await load_each(info.context.loaders.committee, ids)
    committees = {i: Committee.from_optional_row(row) for i, row in zip(ids, rows, strict=True)}
    return [None if s._committee_id is None else committees[s._committee_id] for s in standards]


@strawberry.enum
class BodyKind(Enum):
    ECE = "ECE"
    OC = "OC"
    UNKNOWN = "unknown"


@strawberry.federation.type(
    keys=["id"],
    description="A certification entity (ECE) or certifying body (OC) accredited by CONOCER.",
)
class CertificationBody(FromRow):
    columns: ClassVar[Mapping[str, Source]] = {"kind": lambda row: BodyKind(row["kind"])}
    id: strawberry.ID
    name: str
    kind: BodyKind
    state: str | None
    active: bool

    @classmethod
    async def resolve_reference(cls, info: Info, id: strawberry.ID) -> CertificationBody | None:
        return cls.from_optional_row(await info.context.loaders.body.load(id))


@strawberry.type(description="A body's accreditation for a standard; open ends mean no recorded limit.")
class Accreditation(FromRow):
    columns: ClassVar[Mapping[str, Source]] = {"body": CertificationBody.from_row}
    body: CertificationBody
    valid_from: date | None
    valid_to: date | None



@strawberry.federation.type(keys=["code"], description="A competency standard (Estándar de Competencia).")
class Standard(FromRow):
    columns: ClassVar[Mapping[str, Source]] = {
        "title": "title_es",
        "purpose": "purpose_es",
        "status": EnumColumn("status", StandardStatus),
    }
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

    @strawberry.field(
        description="Whether the registry records this standard's elements (RENEC's list does not "
        "give them; an element structure file or the standard's committee does).",
        metadata=batched(lambda info, standards: elements_known_of(info, standards)),
    )
    async def elements_known(self, info: Info) -> bool:
        return (await elements_known_of(info, [self]))[0]

    _sector_code: strawberry.Private[str]
    _committee_id: strawberry.Private[str | None]
    _committee_name: strawberry.Private[str | None]
    _supersedes: strawberry.Private[str | None]

    @classmethod
    async def resolve_reference(cls, info: Info, code: str) -> Standard | None:
        return cls.from_optional_row(await info.context.loaders.standard.load(code))

    # `_entities` of many standards, by code alone, in one call (services/common/schema.py).
    batch_key: ClassVar[str] = "code"

    @classmethod
    async def resolve_references(cls, info: Info, codes: list[str]) -> list[Standard | None]:
        # `_entities` hands over every standard of the request at once: the batch is whole already.
        return cls.from_optional_rows(await load_all(info.context.loaders.standard, codes))

    # Batched (services/common/batching.py): a page of standards asks for these once, not per standard.
    @strawberry.field(metadata=batched(sectors_of))
    def sector(self, info: Info) -> Sector:
        return sectors_of(info, [self])[0]

    @strawberry.field
    def level_descriptor(self) -> LevelDescriptor:
        return LevelDescriptor.of(self.level)

    @strawberry.field(description="The committee as RENEC names it, even when it is not on file.")
    def committee_name(self) -> str | None:
        return self._committee_name

    @strawberry.field(metadata=batched(committees_of))
    async def committee(self, info: Info) -> Committee | None:
        return (await committees_of(info, [self]))[0]

    @strawberry.field(description="The earlier version this one replaces.")
    async def supersedes(self, info: Info) -> Standard | None:
        if self._supersedes is None:
            return None
        return Standard.from_optional_row(await info.context.loaders.standard.load(self._supersedes))

    @strawberry.field(
        description="The earlier versions this one is equivalent to, nearest first: `supersedes` followed "
        "for as long as each version is marked equivalent to the one before. A credit rule written for "
        "one of them covers this version too."
    )
    async def equivalent_earlier_versions(self, info: Info) -> list[str]:
        if not self.equivalent_to_previous:
            return []
        return await info.context.loaders.equivalent_earlier_versions.load(self.code)

    @strawberry.field(description="The newest version that replaces this one.")
    async def superseded_by(self, info: Info) -> Standard | None:
        newest = await info.context.loaders.superseded_by.load(self.code)
        if newest is None:
            return None
        return Standard.from_optional_row(await info.context.loaders.standard.load(newest))

    @strawberry.field(
        description="The standard's elements in order; empty when the registry does not record them "
        "(see elementsKnown)."
    )
    async def elements(self, info: Info) -> list[Element]:
        return [Element.from_row(r) for r in await info.context.loaders.elements.load(self.code)]

    @strawberry.field(
        description="Bodies accredited to certify this standard, on `activeOn` if given, all at once.",
        deprecation_reason="Use accreditationsConnection, which pages (EC0217.01 has hundreds).",
    )
    async def accreditations(self, info: Info, active_on: date | None = None) -> list[Accreditation]:
        rows = await info.context.loaders.accreditations(active_on).load(self.code)
        return [Accreditation.from_row(r) for r in rows]

    @strawberry.field(
        description="Bodies accredited to certify this standard, on `activeOn` if given, by body name; "
        "`totalCount` counts them all."
    )
    async def accreditations_connection(
        self, info: Info, active_on: date | None = None, first: int | None = 20, after: str | None = None
    ) -> Connection[Accreditation]:
        loaders = info.context.loaders
        page = Page.of(first, after, info.context.settings.max_page_size, kinds=(str, str, int))
        rows = await loaders.accreditation_page((active_on, page.after, page.limit)).load(self.code)
        count = loaders.accreditation_count(active_on)
        code = self.code
        return page.connection(
            rows,
            key=lambda r: [r["name"], r["id"], r["accreditation_id"]],
            node=Accreditation.from_row,
            count=lambda: count.load(code),
        )


async def elements_known_of(info: Info, standards: Sequence[Standard]) -> list[bool]:
    return list(await info.context.loaders.elements_known.load_many([s.code for s in standards]))


@strawberry.enum
class CertificateScope(Enum):
    WHOLE = "whole"
    ELEMENTS = "elements"


@strawberry.enum
class CertificateStatus(Enum):
    VALID = "valid"
    REVOKED = "revoked"


@strawberry.type(description="An evaluator registered with a certification body.")
class Evaluator(FromRow):
    id: strawberry.ID
    display_name: str
    active: bool


@strawberry.federation.type(keys=["folio"], description="A competence certificate.")
class Certificate(FromRow):
    columns: ClassVar[Mapping[str, Source]] = {
        "scope": lambda row: CertificateScope(row["scope"]),
        "element_codes": lambda row: list(row["element_codes"]),
        "holder_name": "holder_name_masked",
        "status": lambda row: CertificateStatus(row["status"]),
    }
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
    async def resolve_reference(
        cls, info: Info, folio: str, holderCurp: str | None = None  # the representation's own name
    ) -> Certificate | None:
        # `holderCurp` comes only with the credit bank's deposit check (services/registry/privacy.py).
        deposit_check = privacy.is_deposit_check(info.context.caller)
        if deposit_check and not await privacy.presented(info, folio, holderCurp):
            return None
        row = await info.context.loaders.certificate.load(folio)
        if row is None:
            return None
        await privacy.ensure_can_read(info, row)
        return cls.from_row(row)

    @strawberry.field(
        description="The person of the certifying body who certified (for certificates issued with a key "
        "not yet named, the key's id). Shown to that body and the registry's admins; null for others."
    )
    def certifying_person(self, info: Info) -> str | None:
        if privacy.may_see_certifying_person(info.context.caller, self._body_id):
            return self._certifying_person
        return None

    @strawberry.field
    async def standard(self, info: Info) -> Standard:
        return Standard.from_row(await info.context.loaders.standard.load(self.standard_code))

    @strawberry.field
    async def body(self, info: Info) -> CertificationBody:
        return CertificationBody.from_row(await info.context.loaders.body.load(self._body_id))

    @strawberry.field
    async def evaluator(self, info: Info) -> Evaluator:
        return Evaluator.from_row(await info.context.loaders.evaluator.load(self._evaluator_id))

    @strawberry.field
    def holder(self) -> Learner:
        return Learner(holder_ref=self._holder_ref)


@strawberry.federation.type(
    keys=["holderRef"],
    description="A certificate holder, known only by a keyed hash of their CURP. Who sees their "
    "certificates: the registry's admins all of them; a certifier those its body issued; a registrar "
    "all of them once the learner presented one at the registrar's institution (depositCertificate with "
    "the folio and the holder's CURP, which the registry checks and records when the credit bank verifies "
    "the certificate), and none before.",
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
        rows = await info.context.loaders.holder_certificates.load(self.holder_ref)
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
