"""A real browser (Debian's Chromium, driven by Playwright) uses the site like a person.

Screenshots are saved under build/screenshots/ to be looked at.
"""

from __future__ import annotations

import itertools
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from playwright.sync_api import Browser, sync_playwright

from kg.build import load
from kg.cli import main
from kg.server import App

from .conftest import ROOT, SEEDS, need_system
from .test_server import lineage_corpus, start

pytestmark = pytest.mark.slow  # Chromium drives the served pages at two widths

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SHOTS = ROOT / "build" / "screenshots"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    need_system(Path(CHROMIUM).exists(), "chromium", "chromium")
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


# --- layout at a desktop and a phone width -----------------------------------------------------

# Computed in the page: what sticks out of the viewport (outside a box that scrolls sideways), what text
# overflows its own box, and which dates break over two lines.
LAYOUT = """() => {
  const vw = document.documentElement.clientWidth, bad = [];
  const name = el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
      (typeof el.className === 'string' && el.className ? '.' + el.className.split(' ').join('.') : '') +
      ' "' + (el.textContent || '').trim().slice(0, 40) + '"';
  const scrolled = el => {
    for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
      if (['auto', 'scroll'].includes(getComputedStyle(a).overflowX)) return true;
    }
    return false;
  };
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || scrolled(el)) continue;
    if (r.right > vw + 0.5 || r.left < -0.5) bad.push('outside the viewport: ' + name(el));
    const style = getComputedStyle(el);
    if (!(el instanceof SVGElement) && el.clientWidth > 0 && style.overflowX === 'visible'
        && el.scrollWidth > el.clientWidth + 1) bad.push('text overflows its box: ' + name(el));
  }
  for (const el of document.querySelectorAll('time, .date')) {
    const range = document.createRange(); range.selectNodeContents(el);
    const lines = new Set(Array.from(range.getClientRects()).map(r => Math.round(r.top)));
    if (lines.size > 1) bad.push('date on two lines: ' + name(el));
  }
  const page = document.documentElement.scrollWidth;
  if (page > vw) bad.push('page is ' + page + ' px wide');
  return bad;
}"""

WIDTHS = {"desktop": 1280, "phone": 390}


@pytest.fixture(scope="module")
def seeds_site() -> Iterator[str]:
    url, stop = start(App(load(SEEDS)))
    yield url
    stop()


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize(("name", "path"), [
    ("index", "/"),
    ("policy-long-url", "/doc/policy/no-longship-white-paper-2020.html"),
    ("policy-45q", "/doc/policy/us-45q-eiea-2008.html"),
    ("query", "/query?name=policies-by-jurisdiction&p.jurisdiction=US"),
])
def test_pages_fit_the_viewport(browser: Browser, seeds_site: str, name: str, path: str, width: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport={"width": WIDTHS[width], "height": 900})
    failed: list[str] = []
    page.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    page.goto(seeds_site + path)
    page.wait_for_load_state("networkidle")
    page.screenshot(path=str(SHOTS / f"{name}-{WIDTHS[width]}.png"), full_page=True)
    assert page.evaluate(LAYOUT) == []
    assert failed == []  # the favicon too
    nav = page.locator("header a")
    assert nav.count() == 6 and all(nav.nth(i).is_visible() for i in range(6))
    page.close()


def test_a_wide_lineage_scrolls_in_its_own_box_and_the_url_stays_in_its_card(browser: Browser,
                                                                             seeds_site: str) -> None:
    page = browser.new_page(viewport={"width": 390, "height": 900})
    page.goto(seeds_site + "/doc/policy/us-45q-eiea-2008.html")
    box = page.evaluate("""() => { const b = document.querySelector('svg.lineage').parentElement;
        const page = document.documentElement.clientWidth;
        return [b.className, b.clientWidth <= page, b.scrollWidth > b.clientWidth]; }""")
    assert box == ["scroll", True, True]  # the picture keeps its size; its box scrolls
    page.goto(seeds_site + "/doc/policy/no-longship-white-paper-2020.html")
    inside = page.evaluate("""() => { const a = document.querySelector('dl.fields dd a[rel=noopener]');
        const card = a.closest('.card').getBoundingClientRect(), link = a.getBoundingClientRect();
        return [a.textContent.length > 200, link.left >= card.left, link.right <= card.right]; }""")
    assert inside == [True, True, True]
    page.close()


def test_favicon(seeds_site: str, browser: Browser) -> None:
    page = browser.new_page()
    response = page.request.get(seeds_site + "/favicon.ico")
    assert response.status == 200
    assert response.headers["content-type"] == "image/svg+xml"
    assert response.body().startswith(b"<svg xmlns=\"http://www.w3.org/2000/svg\"")
    page.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_timeline_year_labels_do_not_touch(browser: Browser, tmp_path: Path, width: str) -> None:
    """The in-force timeline (`ccus-kg analyze --svg`) of the shipped seeds: year labels keep apart."""
    svg = tmp_path / "timeline.svg"
    assert CliRunner().invoke(main, ["analyze", "--seeds", str(SEEDS), "--svg", str(svg)]).exit_code == 0
    page = browser.new_page(viewport={"width": WIDTHS[width], "height": 900})
    page.set_content("<!doctype html><body style='margin:0'><div style='overflow-x:auto'>"
                     + svg.read_text(encoding="utf-8").split("?>", 1)[1] + "</div></body>")
    page.screenshot(path=str(SHOTS / f"timeline-{WIDTHS[width]}.png"), full_page=True)
    boxes = page.evaluate("""() => Array.from(document.querySelectorAll('svg > text'))
        .filter(t => /^[0-9]{4}$/.test(t.textContent))
        .map(t => { const b = t.getBBox(); return [b.x, b.x + b.width]; })""")
    assert len(boxes) >= 3
    gaps = [later[0] - earlier[1] for earlier, later in itertools.pairwise(boxes)]
    assert min(gaps) >= 4, gaps
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTHS[width]
    page.close()
