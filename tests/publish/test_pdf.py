"""Spec: a PDF never shows what its report no longer says (evalkit.publish.pdf): `evalkit run`
removes a PDF older than its page, `evalkit run --pdf` prints it again in the same run, and
the index links only the current ones."""

import os

import pytest

from evalkit.cli import main
from evalkit.errors import ExitCode
from evalkit.publish import pdf
from tests.conftest import NOTEBOOKS, YEAR
from tests.conftest import project as fixture_project


def touch(path, seconds: int) -> None:
    """`path` exists, dated `seconds` after an arbitrary moment."""
    if not path.exists():
        path.write_bytes(b"%PDF-1.4\n" if path.suffix == ".pdf" else b"<html></html>")
    os.utime(path, ns=(0, (1_700_000_000 + seconds) * 10**9))


@pytest.mark.parametrize(
    ("html", "printed", "kept"),
    [
        (10, 20, True),  # printed after the page was made
        (20, 10, False),  # the page was made again since
        (None, 10, False),  # the page is gone (its unit failed or left the plan)
    ],
    ids=["current", "older than its page", "no page"],
)
def test_a_pdf_older_than_its_page_is_removed(tmp_path, html, printed, kept):
    if html is not None:
        touch(tmp_path / "lindon.html", html)
    touch(tmp_path / "lindon.pdf", printed)
    assert pdf.current(tmp_path / "lindon.html") is kept
    assert pdf.remove_stale(tmp_path) == ([] if kept else [tmp_path / "lindon.pdf"])
    assert (tmp_path / "lindon.pdf").exists() is kept


def run(root, *extra: str) -> int:
    return main(["run", "--year", str(YEAR), "--unit", "Lindon", "--jobs", "1",
                 "--data-dir", str(root / "data"), "--reports-dir", str(root / "reports"),
                 "--notebooks-dir", str(NOTEBOOKS), *extra])  # fmt: skip


@pytest.fixture
def project(tmp_path):
    fixture_project(tmp_path)
    return tmp_path


def test_run_removes_a_stale_pdf_and_the_index_links_only_a_current_one(project, capsys):
    folder = project / "reports" / str(YEAR)
    assert run(project) == ExitCode.OK
    page = folder / "lindon.html"
    touch(folder / "lindon.pdf", 0)
    os.utime(folder / "lindon.pdf", ns=(0, page.stat().st_mtime_ns + 10**9))  # printed after
    capsys.readouterr()

    assert run(project) == ExitCode.OK  # nothing changed: the report and its PDF stay
    assert (folder / "lindon.pdf").exists()
    assert f'href="{YEAR}/lindon.pdf"' in (project / "reports" / "index.html").read_text("utf-8")

    assert run(project, "--force") == ExitCode.OK  # the page is made again: the PDF is stale
    assert not (folder / "lindon.pdf").exists()
    assert "lindon.pdf" not in (project / "reports" / "index.html").read_text("utf-8")
    assert "fjernede 1 PDF, som ikke længere passede" in capsys.readouterr().out


def test_run_with_pdf_says_how_to_get_chromium_before_any_work(project, monkeypatch, capsys):
    monkeypatch.setattr(pdf, "browser", lambda: None)
    assert run(project, "--pdf") == ExitCode.NO_BROWSER
    assert "apt-get install chromium" in capsys.readouterr().err
    assert not (project / "reports").exists() and not (project / "data" / "processed").exists()


@pytest.mark.skipif(pdf.browser() is None, reason="Chromium mangler: `apt-get install chromium`")
def test_run_with_pdf_prints_the_reports_pdf_in_the_same_run(project):
    from pypdf import PdfReader

    assert run(project, "--pdf") == ExitCode.OK
    folder = project / "reports" / str(YEAR)
    assert pdf.current(folder / "lindon.html")
    assert "evaluering 2025" in PdfReader(folder / "lindon.pdf").pages[0].extract_text()
    assert f'href="{YEAR}/lindon.pdf"' in (project / "reports" / "index.html").read_text("utf-8")
    printed = (folder / "lindon.pdf").stat().st_mtime_ns
    assert run(project, "--pdf") == ExitCode.OK  # current: not printed again
    assert (folder / "lindon.pdf").stat().st_mtime_ns == printed
