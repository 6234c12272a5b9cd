"""A real browser (Debian's Chromium, driven by Playwright) uses the site like a person.

Screenshots are saved under build/screenshots/ to be looked at.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, sync_playwright

from kg.build import load
from kg.server import App

from .conftest import ROOT
from .test_server import lineage_corpus, start

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SHOTS = ROOT / "build" / "screenshots"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    # scripts/system-deps.sh installs Debian's chromium: a missing browser is a failure, not a skip.
    assert Path(CHROMIUM).exists(), "chromium is missing: run scripts/system-deps.sh"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, App]]:
    app = App(load(lineage_corpus(tmp_path_factory.mktemp("corpus"))))
    url, stop = start(app)
    yield url, app
    stop()


@pytest.fixture(scope="module")
def site(served: tuple[str, App]) -> str:
    return served[0]


def test_index_filter_lineage_link_and_named_query(browser: Browser, site: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(site + "/")
    assert page.locator("#count").inner_text() == "3 of 3 policies"
    page.select_option("#f-status", "Active")
    assert page.locator("#count").inner_text() == "1 of 3 policies"
    page.screenshot(path=str(SHOTS / "index.png"), full_page=True)
    page.select_option("#f-status", "")
    page.click("text=Storage regulations 2014")
    assert page.url.endswith("/doc/policy/no-storage-2014.html")
    assert page.locator("h1").first.inner_text() == "Storage regulations 2014"
    page.screenshot(path=str(SHOTS / "policy.png"), full_page=True)
    page.locator("svg.lineage a.lineage-link").filter(has_text="no-storage-2020").click()
    page.wait_for_url("**/doc/policy/no-storage-2020.html")
    assert "封存条例 2020" in page.content()
    page.goto(site + "/query")
    page.locator("#q-policies-by-jurisdiction summary").click()
    page.fill("#q-policies-by-jurisdiction input[name='p.jurisdiction']", "NO")
    page.fill("#q-policies-by-jurisdiction input[name='p.status']", "Superseded")
    page.click("#q-policies-by-jurisdiction button")
    page.wait_for_selector("#result-count")
    assert page.locator("#result-count").inner_text() == "2 results"
    assert page.locator("#results tbody tr").count() == 2
    page.screenshot(path=str(SHOTS / "query.png"), full_page=True)
    # Everything the pages loaded came from this server: no CDN, nothing outbound.
    assert requests and all(r.startswith(site) for r in requests)


def test_cross_origin_fetch_with_a_preflight(browser: Browser, served: tuple[str, App]) -> None:
    """A page from another origin POSTs application/sparql-query: Chromium preflights, then reads the answer."""
    url, app = served
    seen: list[tuple[str, str, str]] = []
    handle = app.handle

    def spy(method: str, target: str, headers: dict[str, str], body: bytes = b"") -> object:
        seen.append((method, target, headers.get("origin", "")))
        return handle(method, target, headers, body)

    app.handle = spy  # type: ignore[method-assign]
    try:
        other = url.replace("127.0.0.1", "localhost")  # same server, another origin
        page = browser.new_page()
        page.goto(other + "/")
        rows = page.evaluate("""async (endpoint) => {
            const response = await fetch(endpoint, {method: "POST",
                body: "SELECT ?id WHERE { ?p <http://purl.org/dc/terms/identifier> ?id } ORDER BY ?id",
                headers: {"Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json"}});
            const data = await response.json();
            return [response.status, response.headers.get("x-result-truncated"),
                    data.results.bindings.map(b => b.id.value)];
        }""", url + "/sparql")
    finally:
        app.handle = handle  # type: ignore[method-assign]
    assert rows == [200, None, ["no-storage-2010", "no-storage-2014", "no-storage-2020"]]
    methods = [(m, t, o) for m, t, o in seen if t == "/sparql"]
    assert methods == [("OPTIONS", "/sparql", other), ("POST", "/sparql", other)]
