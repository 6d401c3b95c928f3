"""PDF copies of the reports, printed by headless Chromium (the reports' own print CSS: A4,
page headers with unit and year). Chromium is not a Python package: where it is missing,
evalkit says how to get it.

A PDF is current while it is newer than its report's HTML page: a report made again makes
its old PDF stale, and `evalkit run` removes a stale PDF (or prints it again with --pdf), so
no PDF shows what its report no longer says.
"""

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from evalkit.files import write_atomic

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
INSTALL = (
    "Chromium findes ikke på maskinen. Installér det og kør igen: på Debian/Ubuntu med "
    "`sudo apt-get install chromium`, på macOS med `brew install --cask chromium`."
)


def browser() -> str | None:
    return next((path for name in BROWSERS if (path := shutil.which(name))), None)


def current(html: Path) -> bool:
    """Whether the PDF beside `html` was printed from the page as it is now."""
    pdf = html.with_suffix(".pdf")
    return html.is_file() and pdf.is_file() and pdf.stat().st_mtime_ns >= html.stat().st_mtime_ns


def remove_stale(folder: Path) -> list[Path]:
    """Remove the PDFs in a year's report folder whose page was made again or is gone."""
    stale = [p for p in sorted(folder.glob("*.pdf")) if not current(p.with_suffix(".html"))]
    for path in stale:
        path.unlink(missing_ok=True)
    return stale


def print_pdf(chromium: str, html: Path, pdf: Path, timeout: float = 120) -> None:
    """Print one report to PDF, offline (no host is looked up), written whole or not at all."""
    with tempfile.TemporaryDirectory(prefix="evalkit-pdf-") as scratch:
        out = Path(scratch) / "report.pdf"
        command = [
            chromium, "--headless", "--disable-gpu", "--no-first-run", "--disable-sync",
            "--disable-background-networking", "--disable-component-update",
            "--host-resolver-rules=MAP * ~NOTFOUND", f"--user-data-dir={scratch}/profile",
            "--no-pdf-header-footer", f"--print-to-pdf={out}", html.resolve().as_uri(),
        ]  # fmt: skip
        if os.geteuid() == 0:
            command.insert(1, "--no-sandbox")  # Chromium refuses to run its sandbox as root
        subprocess.run(command, capture_output=True, timeout=timeout, check=False)
        if not out.exists() or out.stat().st_size == 0:
            raise RuntimeError(f"Chromium lavede ingen PDF af {html.name}")
        write_atomic(pdf, out.read_bytes())
