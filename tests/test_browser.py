"""The reports in a real browser: headless Chromium with the network cut off.

Needs Chromium (Debian: `apt-get install chromium`) and the playwright package (in the test
extra); without them these tests are skipped with a message saying how to get them.
"""

import io
import shutil

import pytest

from conftest import YEAR

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
    assert page.locator("h2", has_text="Delmål og status").is_visible()
    assert page.locator("th", has_text="Delmål og indikator").is_visible()
    images = page.locator("figure.chart img")
    assert images.count() >= 2
    for i in range(images.count()):
        image = images.nth(i)
        image.scroll_into_view_if_needed()
        assert image.is_visible()
        assert image.evaluate("img => img.complete && img.naturalWidth > 0")
        assert image.get_attribute("alt")
    page.close()


@pytest.mark.parametrize(("name", "low", "high"), [(f"{YEAR}/lindon.html", 2, 6),
                                                   (f"{YEAR}/helhedsplan.html", 3, 9)])  # fmt: skip
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
