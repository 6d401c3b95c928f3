"""Reports an auditor can trust years later: byte-identical reruns, provenance, print, PDF."""

import json
import re
import shutil
from pathlib import Path

import pytest

from evalkit.cli import main
from evalkit.errors import ExitCode
from evalkit.files import sha256
from evalkit.publish import pdf
from evalkit.report.markup import TEMPLATES_DIR
from tests.conftest import NOTEBOOKS, REPO, VIBORG_FILE, YEAR, tree_hash


@pytest.fixture(scope="module")
def rerun(batch):
    """The same batch once more, from the same inputs, into a second reports folder."""
    reports = batch["root"] / "reports-again"
    code = main(["run", "--year", str(YEAR), "--data-dir", str(batch["root"] / "data"),
                 "--reports-dir", str(reports), "--notebooks-dir", str(NOTEBOOKS)])  # fmt: skip
    assert code == ExitCode.OK
    return reports


def test_a_rerun_gives_byte_identical_reports_and_notebooks(batch, rerun):
    first = tree_hash(batch["root"] / "reports")
    second = tree_hash(rerun)
    assert first.keys() == second.keys()
    differing = [name for name in first if first[name] != second[name]]
    assert differing == []
    assert sum(name.endswith(".ipynb") for name in first) == 19


def test_every_page_is_nbconverts_own_page_without_its_second_parse(batch):
    """render's exporter leaves out HTMLExporter's last pass (a BeautifulSoup parse of the
    whole page, written out anew): read as HTML, each page is the document nbconvert makes."""
    import nbformat
    from bs4 import BeautifulSoup
    from nbconvert import HTMLExporter

    from evalkit.execution.render import exporter

    html = exporter()
    notebooks = sorted((batch["root"] / "reports" / str(YEAR)).glob("*.ipynb"))
    for path in notebooks:
        notebook = nbformat.read(path, as_version=4)
        resources = {"aar": YEAR, "provenance": {}, "page_title_css": "'x'"}
        page, _ = html.from_notebook_node(notebook, resources=dict(resources))
        nbconverts, _ = HTMLExporter.from_notebook_node(html, notebook, resources=resources)
        assert page != nbconverts  # the pass is left out
        assert str(BeautifulSoup(page, features="html.parser")) == nbconverts, path.name
    assert len(notebooks) == 19


def test_every_report_names_its_code_notebook_and_input_files(batch, helhedsplan):
    sensitive = {i.tabel for i in helhedsplan.indicators if i.foelsom}
    folder = batch["root"] / "reports" / str(YEAR)
    manifest = {e["enhed"]: e for e in json.loads((folder / "manifest.json").read_text("utf-8"))}
    assert len(manifest) == 19
    raw = batch["root"] / "data" / "raw"
    expected = {
        VIBORG_FILE,
        "helhedsplan.yaml",
        "baseline.csv",
        "2024/fraflytninger.csv",
        "2025/tilfredshed.xlsx",
    }
    for entry in manifest.values():
        html = (folder / entry["html"]).read_text("utf-8")
        footer = html[html.index('<footer class="report-footer">') :]
        assert f"evalkit {entry['version']}" in footer
        notebook = REPO / entry["notebook"]
        assert entry["notebook_sha256"] == sha256(notebook)
        assert entry["notebook_sha256"][:12] in footer
        files = {f["fil"]: f["sha256"] for f in entry["filer"]}
        assert expected <= files.keys()
        for name, digest in files.items():
            if Path(name).stem in sensitive:
                # Hidden counts: a hash of the file would let a reader try every value.
                assert digest is None and sha256(raw / name)[:12] not in footer
                assert f"<code>{name}</code> (følsomme tal: SHA-256 offentliggøres ikke)" in footer
            else:
                assert digest == sha256(raw / name)
                assert f"<code>{name}</code> {digest[:12]}" in footer
        assert entry["html_sha256"] == sha256(folder / entry["html"])


def test_no_report_carries_a_clock_reading(batch):
    today = re.compile(r"20\d\d-\d\d-\d\dT\d\d:\d\d")  # an ISO timestamp of the run
    for path in (batch["root"] / "reports").rglob("*"):
        if path.suffix in (".html", ".ipynb", ".json"):
            assert not today.search(path.read_text("utf-8")), path.name


def test_pdf_says_how_to_get_chromium_where_it_is_missing(batch, monkeypatch, capsys):
    monkeypatch.setattr(pdf, "browser", lambda: None)
    code = main(["pdf", "--year", str(YEAR), "--reports-dir", str(batch["root"] / "reports")])
    assert code == ExitCode.NO_BROWSER
    assert "apt-get install chromium" in capsys.readouterr().err


@pytest.mark.skipif(pdf.browser() is None, reason="Chromium mangler: `apt-get install chromium`")
def test_pdf_prints_each_report_to_a4(batch, tmp_path):
    from pypdf import PdfReader

    folder = tmp_path / str(YEAR)
    folder.mkdir()
    for name in ("lindon.html", "helhedsplan.html"):
        shutil.copy(batch["root"] / "reports" / str(YEAR) / name, folder)
    assert main(["pdf", "--year", str(YEAR), "--reports-dir", str(tmp_path)]) == ExitCode.OK
    for name in ("lindon.pdf", "helhedsplan.pdf"):
        pages = PdfReader(folder / name).pages
        assert len(pages) >= 2
        assert "evaluering 2025" in pages[0].extract_text()


def contrast(foreground: str, background: str = "#ffffff") -> float:
    """WCAG 2.1 contrast ratio of two sRGB colours."""

    def luminance(colour: str) -> float:
        if len(colour) == 4:  # #abc = #aabbcc
            colour = "#" + "".join(c * 2 for c in colour[1:])
        channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    light, dark = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_every_text_colour_of_the_reports_meets_wcag_aa():
    css = (TEMPLATES_DIR / "evalkit" / "report.css").read_text()
    variables = dict(re.findall(r"--([\w-]+):\s*(#[0-9a-fA-F]{3,6})\b", css))
    colours = re.findall(r"(?<![-\w])color:\s*(#[0-9a-fA-F]{3,6}\b|var\(--[\w-]+\))", css)
    colours = [variables[c[6:-1]] if c.startswith("var(") else c for c in colours]
    assert len(colours) >= 6
    for colour in colours:
        assert contrast(colour) >= 4.5, colour
    assert contrast("#3d3000", "#fff3cd") >= 4.5  # the example-data banner
