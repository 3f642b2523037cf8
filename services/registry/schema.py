"""The registry subgraph: root queries and mutations over the types in `types.py`."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import date
from enum import Enum
from typing import Any, TypeVar

import strawberry

from services.common.errors import BadUserInput, NotFound, found
from services.common.pagination import Connection, Page
from services.common.permissions import (
    IsAdmin,
    IsCertifier,
    IsCommittee,
    IsRegistrarOrCertifier,
    require_role,
)
from services.common.renec.reference import LEVEL_DESCRIPTORS, SCIAN_2023_SECTORS, SECTORS_BY_CODE, fold
from services.common.schema import SubgraphSchema
from services.registry import privacy, rules, spelling, store
from services.registry.loaders import Info, RegistryContext
from services.registry.types import (
    BodyKind,
    Certificate,
    CertificateVerification,
    CertificationBody,
    Committee,
    CriterionKind,
    Evaluator,
    Learner,
    LevelDescriptor,
    RegistryChange,
    Sector,
    Standard,
    StandardStatus,
)

T = TypeVar("T")


def _search_text(info: Info, search: str | None) -> str | None:
    if search is None or not search.strip():
        return None
    limit = info.context.settings.max_search_length
    if len(search) > limit:
        raise BadUserInput(
            f"The search text has {len(search)} characters; the limit is {limit}.", argument="search"
        )
    return search.strip()


# --- standards search --------------------------------------------------------------------------


@strawberry.input(description="Every given condition must hold.")
class StandardFilter:
    search: str | None = strawberry.field(
        default=None,
        description="Spanish full-text search over code, title, purpose, committee and sector; "
        "accents and case are ignored. Quoted phrases, OR and -word work as in web search.",
    )
    level: int | None = None
    levels: list[int] | None = None
    sector_code: str | None = strawberry.field(default=None, description="SCIAN 2023 sector, e.g. 31-33.")
    committee_id: strawberry.ID | None = None
    status: StandardStatus | None = strawberry.field(
        default=None, description="Default: published standards only."
    )


@strawberry.enum
class StandardOrderField(Enum):
    CODE = "CODE"
    TITLE = "TITLE"
    LEVEL = "LEVEL"
    PUBLISHED = "PUBLISHED"
    RELEVANCE = "RELEVANCE"


@strawberry.enum
class OrderDirection(Enum):
    ASC = "ASC"
    DESC = "DESC"


@strawberry.input
class StandardOrder:
    field: StandardOrderField = StandardOrderField.CODE
    direction: OrderDirection | None = strawberry.field(
        default=None,
        description="ASC: smallest first (codes, titles, levels, oldest publication); for RELEVANCE, "
        "least relevant first. DESC: the reverse; for RELEVANCE, most relevant first. Omitted: ASC, "
        "except RELEVANCE, which lists the most relevant first.",
    )


@strawberry.type
class LevelCount:
    level: int
    count: int


@strawberry.type
class SectorCount:
    sector: Sector
    count: int


@strawberry.type
class CommitteeCount:
    committee_id: strawberry.ID | None
    committee_name: str | None
    count: int


@strawberry.type(description="How the matching standards spread over levels, sectors and committees.")
class StandardFacets:
    levels: list[LevelCount]
    sectors: list[SectorCount]
    committees: list[CommitteeCount]


@strawberry.type
class StandardConnection(Connection[Standard]):
    _facets: strawberry.Private[Callable[[], Awaitable[StandardFacets]]]
    _did_you_mean: strawberry.Private[Callable[[], Awaitable[list[str]]]]

    @strawberry.field(description="Counts over every match, not just this page.")
    async def facets(self) -> StandardFacets:
        return await self._facets()

    @strawberry.field(
        description="When the search found nothing: the search with its unknown words spelled as in "
        "standards' titles, each of which would find something under the same filter, best first "
        "(at most 5). Empty when the search matched, or when no spelling would."
    )
    async def did_you_mean(self) -> list[str]:
        return await self._did_you_mean()


def _once(make: Callable[[], Awaitable[T]]) -> Callable[[], Awaitable[T]]:
    """`make()` run at most once, however many fields await it (totalCount and didYouMean)."""
    started: list[asyncio.Future[T]] = []

    def call() -> Awaitable[T]:
        if not started:
            started.append(asyncio.ensure_future(make()))
        return started[0]

    return call


async def _standard_query(f: StandardFilter | None, info: Info) -> store.StandardQuery:
    f = f or StandardFilter()
    levels = set(f.levels or [])
    if f.level is not None:
        levels.add(f.level)
    bad = sorted(x for x in levels if not 1 <= x <= 5)
    if bad:
        raise BadUserInput(f"Level {bad[0]} does not exist; levels run from 1 to 5.", argument="level")
    if f.sector_code is not None and f.sector_code not in SECTORS_BY_CODE:
        raise BadUserInput(
            f"{f.sector_code!r} is not a SCIAN 2023 sector code; see frameworkGrid for the 20 sectors.",
            argument="sectorCode",
        )
    status = (f.status or StandardStatus.PUBLISHED).value
    text = _search_text(info, f.search)
    return store.StandardQuery(
        search=await spelling.terms(info.context.db, text) if text else None,
        levels=tuple(sorted(levels)),
        sector_code=f.sector_code,
        committee_id=f.committee_id,
        statuses=(status,),
    )


async def _facets(db: Any, query: store.StandardQuery) -> StandardFacets:
    rows = await store.standard_facets(db, query)
    return StandardFacets(
        levels=sorted(
            (LevelCount(level=r["level"], count=r["count"]) for r in rows if r["by_level"]),
            key=lambda c: c.level,
        ),
        sectors=[
            SectorCount(sector=Sector.of(r["sector_code"]), count=r["count"]) for r in rows if r["by_sector"]
        ],
        committees=[
            CommitteeCount(
                committee_id=r["committee_id"], committee_name=r["committee_name"], count=r["count"]
            )
            for r in rows
            if not r["by_level"] and not r["by_sector"]
        ],
    )


# --- comparison and grid ---------------------------------------------------------------------


@strawberry.type
class ComparedElement:
    title: str
    present_in: list[str] = strawberry.field(description="Codes of the compared standards that have it.")


@strawberry.type(description="What competing standards share and where they differ.")
class StandardComparison:
    standards: list[Standard]
    same_level: bool
    same_sector: bool
    same_committee: bool
    elements_known: bool = strawberry.field(
        description="False when the registry does not record the elements of every compared standard."
    )
    standards_without_elements: list[str]
    shared_elements: list[ComparedElement]
    differing_elements: list[ComparedElement]
    note: str | None = strawberry.field(description="Spanish.")
    note_en: str | None


@strawberry.type
class FrameworkGridCell:
    level: int
    standard_count: int


@strawberry.type
class FrameworkGridRow:
    sector: Sector
    cells: list[FrameworkGridCell]
    total: int


@strawberry.type(description="Published standards by SCIAN sector and level: the ILO study's grid.")
class FrameworkGrid:
    rows: list[FrameworkGridRow]
    level_totals: list[FrameworkGridCell]
    total: int


# --- mutations' inputs -----------------------------------------------------------------------


@strawberry.input
class CriterionInput:
    kind: CriterionKind
    text: str


@strawberry.input
class ElementInput:
    code: str
    title: str
    title_en: str | None = None
    criteria: list[CriterionInput] = strawberry.field(default_factory=list)


@strawberry.input
class SubmitStandardInput:
    code: str
    title: str
    level: int
    sector_code: str
    committee_id: strawberry.ID
    title_en: str | None = None
    purpose: str | None = None
    purpose_en: str | None = None
    certificate_validity_years: int | None = None
    equivalent_to_previous: bool | None = None
    elements: list[ElementInput] = strawberry.field(default_factory=list)


@strawberry.input
class IssueCertificateInput:
    standard_code: str
    body_id: strawberry.ID
    evaluator_id: strawberry.ID
    holder_curp: str = strawberry.field(description="Hashed on arrival; never stored or returned.")
    holder_name: str = strawberry.field(description="Stored masked only.")
    issued_on: date
    idempotency_key: str = strawberry.field(
        description="Repeat a request with the same key and you get the same certificate, never a second."
    )
    element_codes: list[str] = strawberry.field(
        default_factory=list, description="Empty: the whole standard; otherwise the certified elements."
    )


@strawberry.input
class CertificationBodyFilter:
    search: str | None = None
    standard_code: str | None = strawberry.field(default=None, description="Accredited for this standard.")
    state: str | None = None
    kind: BodyKind | None = None
    active_on: date | None = strawberry.field(
        default=None, description="With an accreditation in force on this date (with standardCode)."
    )


@strawberry.type
class Query:
    @strawberry.field(description="One standard by code, e.g. EC0217.01.")
    async def standard(self, info: Info, code: str) -> Standard:
        normalised = store.normalise_code(code)
        row = await info.context.loaders.standard.load(normalised)
        row = found(row, f"There is no standard {normalised} in the registry.", argument="code")
        return Standard.from_row(row)

    @strawberry.field(description="Search and page through standards.")
    async def standards(
        self,
        info: Info,
        filter: StandardFilter | None = None,
        first: int | None = 20,
        after: str | None = None,
        order_by: StandardOrder | None = None,
    ) -> StandardConnection:
        ctx = info.context
        query = await _standard_query(filter, info)
        if order_by is None:
            order_by = StandardOrder(
                field=StandardOrderField.RELEVANCE if query.search else StandardOrderField.CODE
            )
        order = order_by.field.value
        direction = order_by.direction or (
            OrderDirection.DESC if order_by.field is StandardOrderField.RELEVANCE else OrderDirection.ASC
        )
        descending = direction is OrderDirection.DESC
        # A cursor names its ordering: one taken from another ordering would point nowhere sensible.
        ordering = f"{order}:{'DESC' if descending else 'ASC'}"
        page = Page.of(first, after, ctx.settings.max_page_size, arity=len(store.ORDERINGS[order]) + 1)
        key = None
        if page.after is not None:
            tag, *key = page.after
            if tag != ordering:
                raise BadUserInput(
                    "This cursor belongs to another orderBy; start again without `after`.", argument="after"
                )
        rows = await store.search_standards(
            ctx.db, query, order=order, descending=descending, after=key, limit=page.limit
        )
        count = _once(lambda: store.count_standards(ctx.db, query))

        async def did_you_mean() -> list[str]:
            if query.search is None or await count():
                return []
            spellings = await spelling.spellings(ctx.db, query.search.text)
            return (await store.matching_searches(ctx.db, query, spellings))[: spelling.MAX_SUGGESTIONS]

        return page.connection(
            rows,
            key=lambda r: [ordering, *store.sort_key(r, order)],
            node=Standard.from_row,
            count=count,
            kind=StandardConnection,
            _facets=lambda: _facets(ctx.db, query),
            _did_you_mean=did_you_mean,
        )

    @strawberry.field(description="Shared and differing elements of two or more standards.")
    async def compare_standards(self, info: Info, codes: list[str]) -> StandardComparison:
        wanted = list(dict.fromkeys(store.normalise_code(c) for c in codes))
        if not 2 <= len(wanted) <= 10:
            raise BadUserInput("Compare between 2 and 10 different standards.", argument="codes")
        db = info.context.db
        rows = {r["code"]: r for r in await store.standards_by_code(db, wanted)}
        missing = [c for c in wanted if c not in rows]
        if missing:
            raise NotFound(f"There is no standard {', '.join(missing)}.", argument="codes")
        elements: dict[str, list[Any]] = {c: [] for c in wanted}
        for e in await store.elements_of(db, wanted):
            elements[e["standard_code"]].append(e)
        without = [c for c in wanted if not elements[c]]
        by_title: dict[str, tuple[str, set[str]]] = {}
        for code, items in elements.items():
            for e in items:
                by_title.setdefault(fold(e["title_es"]), (e["title_es"], set()))[1].add(code)
        compared = [
            ComparedElement(title=title, present_in=[c for c in wanted if c in holders])
            for title, holders in by_title.values()
        ]
        known = not without
        note = note_en = None
        if not known:
            listed = ", ".join(without)
            note = f"El registro no tiene los elementos de {listed}; no se pueden comparar sus elementos."
            note_en = (
                f"The registry does not record the elements of {listed}; their elements cannot be compared."
            )
        return StandardComparison(
            standards=[Standard.from_row(rows[c]) for c in wanted],
            same_level=len({rows[c]["level"] for c in wanted}) == 1,
            same_sector=len({rows[c]["sector_code"] for c in wanted}) == 1,
            same_committee=len({rows[c]["committee_id"] for c in wanted}) == 1,
            elements_known=known,
            standards_without_elements=without,
            shared_elements=[e for e in compared if known and len(e.present_in) == len(wanted)],
            differing_elements=[e for e in compared if known and len(e.present_in) < len(wanted)],
            note=note,
            note_en=note_en,
        )

    @strawberry.field(description="Published standards by SCIAN sector (20 rows) and level (5 columns).")
    async def framework_grid(self, info: Info) -> FrameworkGrid:
        counts = await store.published_by_sector_and_level(info.context.db)
        grid_rows = []
        for sector in SCIAN_2023_SECTORS:
            cells = [
                FrameworkGridCell(level=lv, standard_count=counts.get((sector.code, lv), 0))
                for lv in range(1, 6)
            ]
            grid_rows.append(
                FrameworkGridRow(
                    sector=Sector.of(sector.code), cells=cells, total=sum(c.standard_count for c in cells)
                )
            )
        totals = [
            FrameworkGridCell(level=lv, standard_count=sum(n for (_, lvl), n in counts.items() if lvl == lv))
            for lv in range(1, 6)
        ]
        return FrameworkGrid(rows=grid_rows, level_totals=totals, total=sum(counts.values()))

    @strawberry.field(description="CONOCER's five level descriptors, Spanish and English.")
    def level_descriptors(self) -> list[LevelDescriptor]:
        return [LevelDescriptor.of(d.level) for d in LEVEL_DESCRIPTORS]

    @strawberry.field
    async def committee(self, info: Info, id: strawberry.ID) -> Committee:
        committee = await Committee.resolve_reference(info, id)
        return found(committee, f"There is no committee {id!r}.", argument="id")

    @strawberry.field(description="Committees by name; `search` ignores accents and case.")
    async def committees(
        self, info: Info, search: str | None = None, first: int | None = 20, after: str | None = None
    ) -> Connection[Committee]:
        db = info.context.db
        page = Page.of(first, after, info.context.settings.max_page_size, kinds=(str, str))
        text = _search_text(info, search)
        rows = await store.committees_page(db, text, page.after_or(None, None), page.limit)
        return page.connection(
            rows,
            key=lambda r: [r["name"], r["id"]],
            node=Committee.from_row,
            count=lambda: store.count_committees(db, text),
        )

    @strawberry.field
    async def certification_body(self, info: Info, id: strawberry.ID) -> CertificationBody:
        row = await info.context.loaders.body.load(id)
        row = found(row, f"There is no certification body {id!r}.", argument="id")
        return CertificationBody.from_row(row)

    @strawberry.field(description="Certification bodies by name, filtered by standard, state, kind or date.")
    async def certification_bodies(
        self,
        info: Info,
        filter: CertificationBodyFilter | None = None,
        first: int | None = 20,
        after: str | None = None,
    ) -> Connection[CertificationBody]:
        db = info.context.db
        f = filter or CertificationBodyFilter()
        page = Page.of(first, after, info.context.settings.max_page_size, kinds=(str, str))
        query = store.BodyQuery(
            search=_search_text(info, f.search),
            standard_code=store.normalise_code(f.standard_code) if f.standard_code else None,
            state=f.state,
            kind=f.kind.value if f.kind else None,
            active_on=f.active_on,
        )
        rows = await store.bodies_page(db, query, page.after_or(None, None), page.limit)
        return page.connection(
            rows,
            key=lambda r: [r["name"], r["id"]],
            node=CertificationBody.from_row,
            count=lambda: store.count_bodies(db, query),
        )

    @strawberry.field(description="Public check of a certificate: standard, date, body, status, masked name.")
    async def verify_certificate(self, info: Info, folio: str) -> CertificateVerification:
        row = await info.context.loaders.certificate.load(folio.strip())
        row = found(row, f"There is no certificate with folio {folio!r}.", argument="folio")
        return CertificateVerification(
            folio=row["folio"],
            standard=Standard.from_row(await info.context.loaders.standard.load(row["standard_code"])),
            issued_on=row["issued_on"],
            body=CertificationBody.from_row(await info.context.loaders.body.load(row["body_id"])),
            status=Certificate.from_row(row).status,
            holder_name=row["holder_name_masked"],
        )

    @strawberry.field(
        description="A certificate in full: for the issuing body, admins, and registrars of an institution "
        "where one of the holder's certificates was deposited (see Learner)."
    )
    async def certificate(self, info: Info, folio: str) -> Certificate:
        row = await info.context.loaders.certificate.load(folio.strip())
        row = found(row, f"There is no certificate with folio {folio!r}.", argument="folio")
        await privacy.ensure_can_read(info, row)
        return Certificate.from_row(row)

    @strawberry.field(
        description="A certificate holder, by holderRef or by CURP (registrars, certifiers, admins).",
        permission_classes=[IsRegistrarOrCertifier],
    )
    async def learner(self, info: Info, holder_ref: str | None = None, curp: str | None = None) -> Learner:
        ctx = info.context
        if (holder_ref is None) == (curp is None):
            raise BadUserInput("Give exactly one of holderRef and curp.")
        if curp is not None:
            holder_ref = rules.holder_ref(ctx.settings.require_curp_salt(), curp)
        return Learner(holder_ref=holder_ref)

    @strawberry.field(
        description="Changes to standards and accreditations, oldest first, for everyone; a certificate's "
        "changes only for those who may see the certificate (its body, admins, registrars it was "
        "disclosed to: see Learner). `totalCount` is the length of the whole feed this caller may see, "
        "the same on every page."
    )
    async def registry_changes(
        self, info: Info, after: str | None = None, first: int | None = 100
    ) -> Connection[RegistryChange]:
        ctx = info.context
        page = Page.of(first, after, max(ctx.settings.max_page_size, 500), kinds=(int,), default=100)
        (since,) = page.after_or(0)
        rows = await store.changes_page(ctx.db, ctx.caller, since, page.limit)
        return page.connection(
            rows,
            key=lambda r: [r["seq"]],
            node=lambda r: RegistryChange(
                seq=str(r["seq"]),
                entity=r["entity"],
                key=r["key"],
                operation=r["op"],
                changed_at=r["changed_at"].isoformat(),
                data=r["data"],
            ),
            # The whole feed this caller may see, whatever the page: a count that shrank as a client
            # paged on would not be a total, and a client could not tell how far it has read.
            count=lambda: store.count_changes(ctx.db, ctx.caller),
        )


async def _written_standard(ctx: RegistryContext, code: str) -> Standard:
    """The standard as a mutation left it (read afresh: the request's loader may hold the old row)."""
    (row,) = await store.standards_by_code(ctx.db, [store.normalise_code(code)])
    return Standard.from_row(row)


@strawberry.type
class Mutation:
    @strawberry.mutation(
        description="A committee submits a new standard or a new version (committee, admin).",
        permission_classes=[IsCommittee],
    )
    async def submit_standard(self, info: Info, input: SubmitStandardInput) -> Standard:
        ctx = info.context
        require_role(ctx.caller, "committee", scope=input.committee_id)
        code = await rules.submit_standard(
            ctx.db,
            rules.StandardSubmission(
                code=input.code,
                title=input.title,
                level=input.level,
                sector_code=input.sector_code,
                committee_id=input.committee_id,
                title_en=input.title_en,
                purpose=input.purpose,
                purpose_en=input.purpose_en,
                certificate_validity_years=input.certificate_validity_years,
                equivalent_to_previous=input.equivalent_to_previous,
                elements=tuple(
                    rules.ElementInput(
                        code=e.code,
                        title=e.title,
                        title_en=e.title_en,
                        criteria=tuple((c.kind.value, c.text) for c in e.criteria),
                    )
                    for e in input.elements
                ),
            ),
        )
        return await _written_standard(ctx, code)

    @strawberry.mutation(
        description="The standard's committee nominates a certification body (committee, admin).",
        permission_classes=[IsCommittee],
    )
    async def nominate_certification_body(
        self, info: Info, standard_code: str, body_id: strawberry.ID
    ) -> Standard:
        ctx = info.context
        code = store.normalise_code(standard_code)
        row = await ctx.loaders.standard.load(code)
        row = found(row, f"There is no standard {code}.", argument="standardCode")
        require_role(ctx.caller, "committee", scope=row["committee_id"])
        await rules.nominate(ctx.db, code, body_id, ctx.caller)
        return await _written_standard(ctx, code)

    @strawberry.mutation(
        description="CONOCER publishes a submitted standard; needs 3 nominated bodies (admin).",
        permission_classes=[IsAdmin],
    )
    async def publish_standard(
        self, info: Info, code: str, published_on: date, review_on: date | None = None
    ) -> Standard:
        ctx = info.context
        await rules.publish(ctx.db, code, published_on, review_on)
        return await _written_standard(ctx, code)

    @strawberry.mutation(
        description="CONOCER withdraws a standard; it can no longer be certified (admin).",
        permission_classes=[IsAdmin],
    )
    async def withdraw_standard(self, info: Info, code: str, withdrawn_on: date) -> Standard:
        ctx = info.context
        await rules.withdraw(ctx.db, code, withdrawn_on)
        return await _written_standard(ctx, code)

    @strawberry.mutation(
        description="Accredit a body for a standard over a validity window (admin).",
        permission_classes=[IsAdmin],
    )
    async def accredit_certification_body(
        self,
        info: Info,
        body_id: strawberry.ID,
        standard_code: str,
        valid_from: date | None = None,
        valid_to: date | None = None,
    ) -> CertificationBody:
        ctx = info.context
        await rules.accredit(ctx.db, body_id, standard_code, valid_from, valid_to)
        return CertificationBody.from_row((await store.bodies_by_id(ctx.db, [body_id]))[0])

    @strawberry.mutation(
        description="Register an evaluator with a body (that body's certifier, admin).",
        permission_classes=[IsCertifier],
    )
    async def register_evaluator(
        self, info: Info, id: strawberry.ID, body_id: strawberry.ID, person_ref: str, display_name: str
    ) -> Evaluator:
        ctx = info.context
        require_role(ctx.caller, "certifier", scope=body_id)
        await rules.register_evaluator(ctx.db, id, body_id, person_ref, display_name)
        return Evaluator(id=id, display_name=display_name, active=True)

    @strawberry.mutation(
        description="Issue a certificate (that body's certifier, admin); idempotent by key.",
        permission_classes=[IsCertifier],
    )
    async def issue_certificate(self, info: Info, input: IssueCertificateInput) -> Certificate:
        ctx = info.context
        require_role(ctx.caller, "certifier", scope=input.body_id)
        folio = await rules.issue_certificate(
            ctx.db,
            rules.Issue(
                standard_code=input.standard_code,
                body_id=input.body_id,
                evaluator_id=input.evaluator_id,
                holder_curp=input.holder_curp,
                holder_name=input.holder_name,
                issued_on=input.issued_on,
                idempotency_key=input.idempotency_key,
                element_codes=tuple(input.element_codes),
            ),
            ctx.caller,
            ctx.settings.require_curp_salt(),
        )
        return Certificate.from_row((await store.certificates_by_folio(ctx.db, [folio]))[0])

    @strawberry.mutation(
        description="Revoke a certificate; the record and its history stay (issuing body, admin).",
        permission_classes=[IsCertifier],
    )
    async def revoke_certificate(
        self, info: Info, folio: str, reason: str, revoked_on: date | None = None
    ) -> Certificate:
        ctx = info.context
        await rules.revoke_certificate(ctx.db, folio, reason, revoked_on or date.today(), ctx.caller)
        return Certificate.from_row((await store.certificates_by_folio(ctx.db, [folio]))[0])


schema = SubgraphSchema(Query, Mutation, types=[Learner, Certificate, Committee])
