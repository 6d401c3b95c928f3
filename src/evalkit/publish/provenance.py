"""Which data and code produced a report: shown in its footer and in manifest.json.

Nothing here reads the clock: a report is dated by its data, so that two runs on the same
inputs give the same bytes.
"""

import functools
import json
import subprocess
from pathlib import Path

from evalkit import __version__
from evalkit.domain import ReportUnit
from evalkit.files import sha256
from evalkit.inputs.agreement import Agreement
from evalkit.inputs.year_folder import in_report
from evalkit.paths import PACKAGE_DIR, Paths


@functools.cache
def code_version() -> dict[str, str | None]:
    """evalkit's version and, in a git checkout, its commit (marked when changed locally)."""
    commit = None
    try:
        run = functools.partial(
            subprocess.run, cwd=PACKAGE_DIR, capture_output=True, text=True, timeout=5
        )
        head = run(["git", "rev-parse", "--short=12", "HEAD"])
        if head.returncode == 0:
            commit = head.stdout.strip()
            dirty = run(["git", "status", "--porcelain", "--", str(PACKAGE_DIR)]).stdout.strip()
            commit += " med lokale ændringer" if dirty else ""
    except (OSError, subprocess.SubprocessError):
        commit = None
    return {"version": __version__, "commit": commit}


def inputs(paths: Paths, year: int, unit: ReportUnit, agreement: Agreement) -> list[dict]:
    """Every input file behind `unit`'s report of `year` (its years of history), with SHA-256:
    an afdeling's note only in that afdeling's report (year_folder.in_report).

    A file with counts that may be hidden (a sensitive indicator's table: `foelsom` in
    processed metadata.json) gets no hash: its values are few and small, so a reader could
    try every possible file and match the hash, and learn the hidden counts. Its hash stays
    in data/processed/<year>/metadata.json for the analyst.
    """
    afdelinger = agreement.afdeling_index()
    files: dict[str, str | None] = {}
    for y in paths.processed_years(year):
        meta = paths.processed_year(y) / "metadata.json"
        if meta.exists():
            for entry in json.loads(meta.read_text(encoding="utf-8"))["filer"]:
                if in_report(entry["fil"], unit.niveau, unit.enhed, afdelinger):
                    files[entry["fil"]] = None if entry.get("foelsom") else entry["sha256"]
    return [{"fil": name, "sha256": files[name]} for name in sorted(files)]


def for_report(
    paths: Paths, year: int, notebook: Path, unit: ReportUnit, agreement: Agreement
) -> dict:
    """Everything the footer of `unit`'s report names."""
    return {
        **code_version(),
        "notebook": f"notebooks/{notebook.name}",
        "notebook_sha256": sha256(notebook),
        "filer": inputs(paths, year, unit, agreement),
    }
