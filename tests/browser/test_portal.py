"""The reference portal in a real browser, a test per page, used as a person would: typing, clicking,
paging, switching to English, downloading the CSV. Every request to another origin is aborted (and the
test fails if one was tried), the console must stay free of errors (a CSP violation or a failed asset
shows there), axe-core finds no serious or critical accessibility violation, and a screenshot of each
page is left in tests/browser/artifacts/.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import urlsplit

from playwright.async_api import Browser, Page, Route, expect

from tests.browser.portal_stack import PortalStack

HERE = Path(__file__).resolve().parent
AXE = (HERE / "vendor" / "axe.min.js").read_text()
ARTIFACTS = HERE / "artifacts"
API_SCHEMA = (HERE.parents[1] / "schema" / "api.graphql").read_text()
TIMEOUT = 10_000


class Visit:
    """One browser context on the portal: what it tried to fetch elsewhere and what went wrong."""

    def __init__(self, page: Page, base: str) -> None:
        self.page = page
        self.base = base
        self.elsewhere: list[str] = []
        self.problems: list[str] = []

    async def accessibility(self) -> list[str]:
        """axe-core's serious and critical violations on the page as it stands."""
        # Evaluated through the DevTools protocol, so the page's own CSP (scripts from 'self') is untouched.
        await self.page.evaluate(AXE)
        results = await self.page.evaluate("axe.run(document, {resultTypes: ['violations']})")
        return [
            f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
            for v in results["violations"]
            if v["impact"] in ("serious", "critical")
        ]

    async def check(self, name: str) -> None:
        """The screenshot, and the checks every page must pass."""
        ARTIFACTS.mkdir(exist_ok=True)
        await self.page.screenshot(path=ARTIFACTS / f"{name}.png", full_page=True)
        assert await self.accessibility() == []


@contextlib.asynccontextmanager
async def visit(browser: Browser, portal: PortalStack, **options: object) -> AsyncIterator[Visit]:
    context = await browser.new_context(viewport={"width": 1280, "height": 900}, **options)
    page = await context.new_page()
    page.set_default_timeout(TIMEOUT)
    seen = Visit(page, portal.base)

    async def only_the_gateway(route: Route) -> None:
        parts = urlsplit(route.request.url)
        if f"{parts.scheme}://{parts.netloc}" != portal.base and parts.scheme != "blob":
            seen.elsewhere.append(route.request.url)
            await route.abort("blockedbyclient")
            return
        await route.continue_()

    await context.route("**/*", only_the_gateway)
    page.on("console", lambda message: message.type == "error" and seen.problems.append(message.text))
    page.on("pageerror", lambda error: seen.problems.append(str(error)))
    try:
        yield seen
    finally:
        await context.close()
    assert seen.elsewhere == [], f"the portal asked other hosts: {seen.elsewhere}"
    assert seen.problems == [], seen.problems


async def switch_language(page: Page, to: str) -> None:
    await page.get_by_role("button", name=to).click()


async def test_search_facets_paging_and_language(browser: Browser, portal: PortalStack) -> None:
    async with visit(browser, portal) as seen:
        page = seen.page
        response = await page.goto(f"{portal.base}/")
        assert response is not None and response.status == 200
        assert "connect-src 'self'" in response.headers["content-security-policy"]
        await expect(page.get_by_role("heading", level=1)).to_have_text("Estándares de competencia")
        count = page.locator("#result-count")
        await expect(count).to_contain_text("página 1")
        # Paging through everything: the second page holds other standards, and back again.
        first_page = await page.locator(".results li a").all_inner_texts()
        await page.get_by_role("button", name="Siguiente").click()
        await expect(count).to_contain_text("página 2")
        second_page = await page.locator(".results li a").all_inner_texts()
        assert second_page and not set(first_page) & set(second_page)
        await page.get_by_role("button", name="Anterior").click()
        await expect(count).to_contain_text("página 1")
        assert await page.locator(".results li a").all_inner_texts() == first_page

        await page.get_by_label("Texto a buscar").fill("pintura automotriz")
        await page.get_by_label("Texto a buscar").press("Enter")
        await expect(page.locator(".results")).to_contain_text("EC0630")
        total = int((await count.inner_text()).split()[0])
        # A facet narrows the same search: level 2 keeps EC0630 and never adds anything.
        await page.get_by_label("Nivel", exact=True).select_option("2")
        await expect(page.locator(".results")).to_contain_text("EC0630")
        assert int((await count.inner_text()).split()[0]) <= total
        assert await page.get_by_label("Nivel", exact=True).input_value() == "2"
        await seen.check("search")

        search = page.get_by_label("Texto a buscar")
        if "didYouMean" in API_SCHEMA:
            # A letter off still finds it; a search that finds nothing offers the spelling that would.
            await search.fill("pintura automotrix")
            await search.press("Enter")
            await expect(page.locator(".results")).to_contain_text("EC0630")
            await search.fill("zintura automotriz")
            await search.press("Enter")
            await expect(count).to_contain_text("0 estándares")
            await page.locator(".didyoumean button", has_text="pintura").first.click()
            await expect(page.locator(".results")).to_contain_text("EC0630")
            assert "pintura" in await search.input_value()
        else:  # a server without the field: the page says so plainly instead of failing
            await search.fill("pintura automotrix")
            await search.press("Enter")
            await expect(count).to_contain_text("0 estándares")
            await expect(page.get_by_text("Ningún estándar coincide.")).to_be_visible()

        await switch_language(page, "English")
        await expect(page.get_by_role("heading", level=1)).to_have_text("Competency standards")
        await expect(count).to_contain_text(" standards · page 1")
        assert await page.evaluate("document.documentElement.lang") == "en"
        await switch_language(page, "Español")
        await expect(page.get_by_role("heading", level=1)).to_have_text("Estándares de competencia")


async def test_standard_page_shows_counterparts_and_the_crosswalk(
    browser: Browser, portal: PortalStack
) -> None:
    async with visit(browser, portal) as seen:
        page = seen.page
        await page.goto(f"{portal.base}/portal")
        await page.get_by_label("Texto a buscar").fill("pintura automotriz")
        await page.get_by_role("button", name="Buscar", exact=True).click()
        await page.get_by_role("link", name="EC0630 Aplicación de pintura automotriz").click()
        await expect(page.get_by_role("heading", level=1)).to_have_text(
            "EC0630 Aplicación de pintura automotriz"
        )
        assert page.url.endswith("#/standard/EC0630")

        facts = page.locator("dl.facts")
        await expect(facts).to_contain_text("2: Competencia")  # the level with its descriptor
        await expect(facts).to_contain_text("81 Otros servicios")
        bodies = page.locator("section", has=page.get_by_role("heading", name="Entidades de certificación"))
        await expect(bodies.locator("tbody tr")).not_to_have_count(0)

        counterparts = page.locator("table.counterparts")
        soc = counterparts.locator("tr", has_text="49-3021 Automotive Body and Related Repairers").first
        await expect(soc).to_contain_text("0.80")
        await expect(soc).to_contain_text("propuesta de una persona")  # the evidence: how it was found
        await expect(counterparts).to_contain_text("SOC_2018 49-3021 → ONET_SOC 49-3021.00")
        await expect(counterparts).to_contain_text("CIP_2020 47.0603")

        picture = page.locator("figure.crosswalk svg")
        await expect(picture).to_be_visible()
        nodes = await picture.locator("g.node").evaluate_all("els => els.map(e => e.dataset.node)")
        assert {"CONOCER_EC:EC0630", "SOC_2018:49-3021", "ONET_SOC:49-3021.00", "CIP_2020:47.0603"} <= set(
            nodes
        )
        assert any(node.startswith("EQF:") for node in nodes)  # the level, through NVQ/RQF
        labels = await picture.locator("g.edge text").evaluate_all("els => els.map(e => e.textContent)")
        assert "0.80" in labels and "1.00" in labels  # confidences on the edges
        await seen.check("standard")

        await switch_language(page, "English")
        await expect(
            page.get_by_role("heading", name="Counterparts (occupations and programmes)")
        ).to_be_visible()
        await expect(page.locator("figure.crosswalk figcaption")).to_contain_text("destinations")

        await page.goto(f"{portal.base}/#/standard/EC9999")
        await expect(page.get_by_role("alert")).to_contain_text("NOT_FOUND")


COVERAGE = (
    """query ($id: ID!) { recognitionAgreement(id: $id) { coverage { withEndorsedCounterpart mutual } } }"""
)
AGREEMENT = "MX-US-AUTO-ILLUSTRATIVE"


async def test_task_force_reviews_move_coverage_and_the_csv_downloads(
    browser: Browser, portal: PortalStack
) -> None:
    async with visit(browser, portal, accept_downloads=True) as seen:
        page = seen.page
        await page.goto(f"{portal.base}/#/taskforce")
        await expect(page.get_by_role("heading", level=1)).to_have_text(
            "Grupo de trabajo automotriz México–EUA"
        )
        mutual = page.locator('[data-bar="mutual"]')
        endorsed = page.locator('[data-bar="withEndorsedCounterpart"]')
        await expect(mutual).to_have_attribute("data-value", "0")
        before = int(await endorsed.get_attribute("data-value") or "-1")
        row = page.locator(f'tr[data-proposal="{portal.proposal_id}"]')
        await expect(row).to_contain_text("EC0630")

        # No key: the API refuses, and the page says why with the error's code.
        await row.get_by_role("button", name="Respaldar").click()
        await expect(page.get_by_role("alert")).to_contain_text("FORBIDDEN")

        await page.get_by_label("Clave de API").fill(portal.keys["mx"])
        await row.get_by_role("button", name="Respaldar").click()
        await expect(page.get_by_role("status").filter(has_text="respaldada")).to_be_visible()
        await expect(endorsed).to_have_attribute("data-value", str(before + 1))
        await expect(mutual).to_have_attribute("data-value", "0")

        # The US party sees it among the endorsed ones and endorses too: now mutual.
        await page.get_by_label("Mostrar").select_option("ENDORSED")
        await expect(row).to_contain_text("MX: respaldó · US: —")
        await page.get_by_label("Clave de API").fill(portal.keys["us"])
        await row.get_by_role("button", name="Respaldar").click()
        await expect(mutual).to_have_attribute("data-value", "1")
        await expect(row).to_contain_text("mutuo")
        await seen.check("taskforce")

        async with page.expect_download() as pending:
            await page.get_by_role("button", name="Descargar CSV").click()
        download = await pending.value
        assert download.suggested_filename == f"{AGREEMENT}.csv"
        text = Path(await download.path()).read_text()
        rows = list(csv.reader(io.StringIO(text)))
        assert any("EC0630" in r and "49-3021" in r for r in rows), rows[:5]

        await switch_language(page, "English")
        await expect(page.get_by_role("heading", name="Coverage")).to_be_visible()
    coverage = await portal.graphql(COVERAGE, {"id": AGREEMENT})
    assert coverage["recognitionAgreement"]["coverage"]["mutual"] == 1


async def test_registrar_reads_a_transcript_line_by_line(browser: Browser, portal: PortalStack) -> None:
    async with visit(browser, portal) as seen:
        page = seen.page
        await page.goto(f"{portal.base}/#/registrar")
        await page.get_by_label("Estudiante (holderRef o CURP)").fill(portal.curp)
        await page.get_by_label("Programa").select_option("mx-ut-ejemplo-tsu-auto")
        await page.get_by_role("button", name="Explicar créditos").click()
        await expect(page.get_by_role("alert")).to_contain_text("FORBIDDEN")

        await page.get_by_label("Clave de API").fill(portal.keys["registrar"])
        await page.get_by_role("button", name="Explicar créditos").click()
        # Nothing banked at the institution yet: the registrar sees none of the learner's certificates.
        await expect(
            page.get_by_text("Ningún certificado de este estudiante está depositado")
        ).to_be_visible()
        for folio in portal.folios:  # the learner hands over the folios; the registrar banks each
            await page.get_by_label("Folio del certificado").fill(folio)
            await page.get_by_role("button", name="Depositar").click()
            await expect(page.get_by_text(f"Depositado: {folio}")).to_be_visible()
        await page.get_by_role("button", name="Explicar créditos").click()
        lines = page.locator("table.lines tbody tr")
        await expect(lines).not_to_have_count(0)
        expected = await portal.graphql(
            """query ($c: String, $p: ID!) { learner(curp: $c) {
                 creditTranscript(programId: $p) { lines { folio reason reasonEn } } } }""",
            {"c": portal.curp, "p": "mx-ut-ejemplo-tsu-auto"},
            portal.keys["registrar"],
        )
        transcript = expected["learner"]["creditTranscript"]
        await expect(lines).to_have_count(len(transcript["lines"]))
        for line in transcript["lines"]:
            await expect(lines.filter(has_text=line["folio"])).to_contain_text(line["reason"])
        await expect(page.locator("dl.totals")).to_contain_text("Créditos reconocidos")
        await seen.check("registrar")

        await switch_language(page, "English")
        await page.get_by_role("button", name="Explain credits").click()
        for line in transcript["lines"]:
            await expect(page.locator("table.lines tbody tr", has_text=line["folio"])).to_contain_text(
                line["reasonEn"]
            )


async def test_anyone_verifies_a_certificate_by_folio(browser: Browser, portal: PortalStack) -> None:
    async with visit(browser, portal) as seen:
        page = seen.page
        await page.goto(f"{portal.base}/#/search")
        await page.get_by_role("link", name="Verificar certificado").click()
        await page.get_by_label("Folio").fill(portal.folios[0])
        await page.get_by_role("button", name="Verificar").click()
        card = page.locator("section.certificate")
        await expect(card.get_by_role("heading")).to_have_text("Certificado válido")
        await expect(card).to_contain_text(portal.folios[0])
        await expect(card).to_contain_text("***")  # the holder's name, masked
        await seen.check("verify")

        await page.get_by_label("Folio").fill("EC0000-1900-0000000")
        await page.get_by_role("button", name="Verificar").click()
        await expect(page.get_by_role("alert")).to_contain_text("NOT_FOUND")
        await switch_language(page, "English")
        await expect(page.get_by_role("heading", level=1)).to_have_text("Verify a certificate")


async def test_the_portal_is_served_safely(portal: PortalStack) -> None:
    """Its files only, from memory: unknown and traversal paths are 404s, and every answer has the CSP."""
    import httpx

    async with httpx.AsyncClient(base_url=portal.base) as client:
        index = await client.get("/")
        assert index.status_code == 200 and "text/html" in index.headers["content-type"]
        assert index.headers["x-content-type-options"] == "nosniff"
        assert "frame-ancestors 'none'" in index.headers["content-security-policy"]
        again = await client.get("/", headers={"if-none-match": index.headers["etag"]})
        assert again.status_code == 304
        script = await client.get("/portal/app.js", headers={"accept-encoding": "gzip"})
        assert script.headers["content-type"].startswith("text/javascript")
        assert script.headers["content-encoding"] == "gzip"
        for path in (
            "/portal/../pyproject.toml",
            "/portal/%2e%2e/pyproject.toml",
            "/portal/README.md",
            "/portal/nope.js",
        ):
            assert (await client.get(path)).status_code == 404, path
        assert (await client.get("/portal/", follow_redirects=False)).headers["location"] == "/portal"
        # The API is unchanged beside it.
        answer = await client.post("/graphql", json={"query": "{ __typename }"})
        assert json.loads(answer.text)["data"] == {"__typename": "Query"}


def test_index_preloads_every_module() -> None:
    """A module missing from index.html's modulepreload list loads only when its importer has: a waterfall."""
    portal = HERE.parents[1] / "portal"
    modules = {path.relative_to(portal).as_posix() for path in portal.rglob("*.js")}
    index = (portal / "index.html").read_text()
    assert {m for m in modules if f'<link rel="modulepreload" href="/portal/{m}" />' not in index} == set()
