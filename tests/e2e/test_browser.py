"""The reports in a real browser: headless Chromium with the network cut off.

Needs Chromium (Debian: `apt-get install chromium`) and the playwright package (in the test
extra); without them these tests are skipped with a message saying how to get them.
"""

import io
import json
import re
import shutil

import pytest
from pypdf import PdfReader

from evalkit.inputs.readers import decode
from tests.conftest import NOTEBOOKS, YEAR, evalkit, project

playwright = pytest.importorskip("playwright.sync_api", reason="pip install playwright")
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="Chromium mangler: installér det med `apt-get install chromium`"
)

PAGES = ["index.html", f"{YEAR}/helhedsplan.html", f"{YEAR}/boligviborg.html",
         f"{YEAR}/lindon.html", f"{YEAR}/ringparken.html"]  # fmt: skip


@pytest.fixture(scope="module")
def browser():
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"],
        )  # fmt: skip
        yield browser
        browser.close()


def open_offline(browser, url: str):
    """Open a page with every request to another host refused; record what went wrong."""
    page = browser.new_page()
    seen = {"external": [], "failed": [], "console": []}

    def route(route, request):
        if request.url.startswith(("file:", "data:")):
            return route.continue_()
        seen["external"].append(request.url)
        return route.abort()

    page.context.route("**/*", route)
    page.on("requestfailed", lambda r: seen["failed"].append(r.url))
    page.on("console", lambda m: m.type == "error" and seen["console"].append(m.text))
    page.on("pageerror", lambda e: seen["console"].append(str(e)))
    page.goto(url, wait_until="load")
    return page, seen


@pytest.mark.parametrize("name", PAGES)
def test_a_report_loads_offline_without_errors(browser, batch, name):
    page, seen = open_offline(browser, (batch["root"] / "reports" / name).as_uri())
    assert seen == {"external": [], "failed": [], "console": []}
    assert page.locator("html").get_attribute("lang") == "da"
    assert page.locator("table").first.is_visible()
    page.close()


@pytest.mark.parametrize("name", PAGES[1:])
def test_the_status_table_and_every_chart_are_visible(browser, batch, name):
    page, _ = open_offline(browser, (batch["root"] / "reports" / name).as_uri())
    for part in ("h3", "Delmål og status"), ("th", "Delmål og indikator"):  # one per delaftale
        found = page.locator(part[0], has_text=part[1])
        assert found.count() >= 1
        assert all(found.nth(i).is_visible() for i in range(found.count()))
    images = page.locator("figure.chart img")
    assert images.count() >= 2
    for i in range(images.count()):
        image = images.nth(i)
        image.scroll_into_view_if_needed()
        assert image.is_visible()
        assert image.evaluate("img => img.complete && img.naturalWidth > 0")
        assert image.get_attribute("alt")
    page.close()


PRINTED = [(f"{YEAR}/lindon.html", 2, 9), (f"{YEAR}/helhedsplan.html", 3, 15)]


@pytest.mark.parametrize(("name", "low", "high"), PRINTED)
def test_printing_gives_a4_pages_that_name_the_report(browser, batch, name, low, high):
    from pypdf import PdfReader

    page, _ = open_offline(browser, (batch["root"] / "reports" / name).as_uri())
    title = page.title()
    pdf = PdfReader(io.BytesIO(page.pdf(format="A4", print_background=True)))
    assert low <= len(pdf.pages) <= high
    width, height = (float(x) for x in pdf.pages[0].mediabox[2:])
    assert (width, height) == (pytest.approx(595.3, abs=1), pytest.approx(841.9, abs=1))  # A4
    for sheet in pdf.pages:
        text = sheet.extract_text()
        assert title in text  # the page header names the unit and the year
        assert "Side " in text
    page.close()


# --- hostile names: shown as text, never run ----------------------------------------------------

HOSTILE = {  # afdeling in the fixture -> the name it gets here
    "Elmely": "<img src=x onerror=\"document.title='XSS1'\">",
    "Lindon": "\"</style><script>document.title='XSS2'</script>",
    "Stoholm": "</title><b id=xss3>fed</b>",
    "Karup": 'a\\"); } @page { } body { background: red } i { x: ("',
}
FAILING = "Stoholm"  # its report fails, so its name also stands in an error in the index


def csv_field(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    """A run of 2025 where four afdelinger have names written to break out of HTML and CSS."""
    root = tmp_path_factory.mktemp("hostile")
    raw = project(root) / "raw"
    for path in raw.rglob("*.csv"):
        data = path.read_bytes()
        encoding = "utf-8" if decode(data) == data.decode("utf-8", "replace") else "cp1252"
        text = data.decode(encoding)
        for plain, name in HOSTILE.items():
            text = re.sub(rf"^{plain}(?=[,;])", lambda _, n=name: csv_field(n), text, flags=re.M)
        path.write_bytes(text.encode(encoding))
    notebooks = root / "notebooks"
    shutil.copytree(NOTEBOOKS, notebooks)
    page = notebooks / "afdeling.ipynb"
    failing = json.dumps("assert 'xss3' not in enhed, enhed; r.header()")
    page.write_text(page.read_text("utf-8").replace('"r.header()"', failing), "utf-8")
    code = evalkit(root / "data", "run", "--year", str(YEAR), notebooks=notebooks)
    return {"root": root, "code": code}


def page_header(sheet) -> str:
    """The text printed in the top margin (15 mm) of a PDF page: the @page header."""
    top = float(sheet.mediabox.top) - 15 / 25.4 * 72
    parts = []
    sheet.extract_text(
        visitor_text=lambda text, cm, tm, *_: parts.append(text) if tm[5] * cm[3] + cm[5] > top
        else None
    )  # fmt: skip
    return "".join(parts)


def assert_nothing_injected(page, seen) -> None:
    assert seen["console"] == [] and seen["external"] == []
    assert page.locator("img[src='x'], img[onerror], #xss3, b#xss3").count() == 0
    scripts = page.locator("script").evaluate_all("nodes => nodes.map(n => n.textContent)")
    assert not any("XSS" in s for s in scripts)
    assert page.evaluate("document.title") not in ("XSS1", "XSS2")  # what a script would set
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") != "rgb(255, 0, 0)"


@pytest.mark.parametrize("afdeling", [a for a in HOSTILE if a != FAILING])
def test_a_hostile_name_reads_as_text_in_its_report(browser, hostile, afdeling):
    from evalkit.domain import slug

    name = HOSTILE[afdeling]
    assert hostile["code"] == 3  # the one failing report
    html = hostile["root"] / "reports" / str(YEAR) / f"{slug(name)}.html"
    page, seen = open_offline(browser, html.as_uri())

    assert_nothing_injected(page, seen)
    assert page.evaluate("document.title") == f"{name} – evaluering {YEAR}"
    assert name in page.locator("h1").inner_text()
    assert name in page.locator("main").inner_text()
    for alt in page.locator("figure.chart img").evaluate_all("ns => ns.map(n => n.alt)"):
        assert "<" not in alt or name in alt  # the alt text holds the name whole, as text
    pdf = PdfReader(io.BytesIO(page.pdf(format="A4", print_background=True)))
    assert f"{name} – evaluering {YEAR}" in page_header(pdf.pages[-1])  # the @page title
    page.close()


def test_hostile_names_and_errors_read_as_text_in_the_index(browser, hostile):
    page, seen = open_offline(browser, (hostile["root"] / "reports" / "index.html").as_uri())

    assert_nothing_injected(page, seen)
    text = page.locator("main").inner_text()
    for name in HOSTILE.values():
        assert name in text
    assert f"Fejlet: AssertionError: {HOSTILE[FAILING]}" in text
    page.close()


# --- long tables: search and sort in the page (templates/table_tools.js) ----------------------

SCT_JOERGEN = ["Boligselskabet Sct. Jørgen", "Ellekonebakken", "Karup", "Klostervænget",
               "Kærsangerparken", "Stoholm"]  # fmt: skip  # in Danish order: æ after z


def shown_rows(page) -> list[str]:
    """The first cell of every row the search left visible, in the page's order."""
    return page.locator("tbody tr:not([hidden])").evaluate_all(
        "rows => rows.map(r => r.cells[0].firstChild.textContent.trim())"
    )


def test_the_index_finds_a_boligselskab_and_sorts_in_danish_order(browser, batch):
    page, seen = open_offline(browser, (batch["root"] / "reports" / "index.html").as_uri())
    page.get_by_label("Søg efter rapport eller boligselskab:").fill("sct jørgen")

    assert sorted(shown_rows(page)) == sorted(SCT_JOERGEN)  # its report and its afdelinger'
    assert page.locator(".table-count").inner_text() == "Viser 6 af 19 rækker."
    header = page.get_by_role("button", name="Rapport")
    header.click()
    assert shown_rows(page) == SCT_JOERGEN
    header.click()
    assert shown_rows(page) == SCT_JOERGEN[::-1]
    assert page.locator("th[aria-sort]").inner_text() == "Rapport"
    assert seen == {"external": [], "failed": [], "console": []}
    page.close()


def test_without_javascript_the_index_is_the_whole_table_and_no_search_box(browser, batch):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto((batch["root"] / "reports" / "index.html").as_uri())

    assert not page.locator(".table-search").is_visible()
    assert page.locator("tbody tr").count() == 19
    assert page.locator("tbody tr:visible").count() == 19
    assert page.locator("th button").count() == 0
    context.close()


def test_a_printed_index_has_every_row_whatever_the_search_shows(browser, batch, agreement):
    from evalkit.domain import report_units

    page, _ = open_offline(browser, (batch["root"] / "reports" / "index.html").as_uri())
    page.get_by_label("Søg efter rapport eller boligselskab:").fill("Karup")
    assert shown_rows(page) == ["Karup"]

    pdf = PdfReader(io.BytesIO(page.pdf(format="A4")))
    text = " ".join(" ".join(sheet.extract_text().split()) for sheet in pdf.pages)
    for unit in report_units(agreement):
        assert unit.enhed in text
    assert "Søg efter" not in text and "Viser 1 af" not in text
    page.close()


NUMBERS = [("A", "12,5 %"), ("B", "under 5 husstande"), ("C", "3"), ("D", "skjult"),
           ("E", "1.234"), ("F", "–"), ("G", "-2,0 %")]  # fmt: skip


@pytest.fixture
def numbers_page(tmp_path):
    """A page with a table of figures, some hidden, and the search box and script."""
    from evalkit.report.markup import environment

    template = environment().from_string(
        '{% from "table_tools.html.j2" import search, script %}'
        '<html lang="da"><head><meta charset="utf-8"></head><body>'
        '{{ search("t", "Søg:") }}<table id="t"><thead><tr>'
        '<th data-sort="text" data-search>Afdeling</th><th data-sort="number">Tal</th></tr>'
        "</thead><tbody>{% for name, value in rows %}"
        '<tr><th scope="row">{{ name }}</th><td>{{ value }}<br><span>● uændret</span></td></tr>'
        "{% endfor %}</tbody></table>{{ script() }}</body></html>"
    )
    page = template.render(rows=NUMBERS)
    path = tmp_path / "tal.html"
    path.write_text(page, encoding="utf-8")
    return path


def test_a_hidden_figure_is_never_ranked_it_stays_last_in_the_tables_order(browser, numbers_page):
    page, seen = open_offline(browser, numbers_page.as_uri())
    header = page.get_by_role("button", name="Tal")

    header.click()
    assert shown_rows(page) == ["G", "C", "A", "E", "B", "D", "F"]
    header.click()
    assert shown_rows(page) == ["E", "A", "C", "G", "B", "D", "F"]
    assert "sorteret efter Tal (højeste først)" in page.locator(".table-count").inner_text()
    assert seen["console"] == []
    page.close()
