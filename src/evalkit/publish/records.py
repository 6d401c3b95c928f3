"""What a run records under reports/<year>/: enheder.json (each unit's outcome, read back to
decide what to make again and to list the reports) and manifest.json (what made each report).
"""

import json
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING

from evalkit.domain import ReportUnit
from evalkit.execution.render import Outcome, notebook_for
from evalkit.files import sha256, write_atomic
from evalkit.paths import Paths

if TYPE_CHECKING:  # pandas is not loaded to read the records: a run decides on them early
    from evalkit.inputs.agreement import Agreement

UNITS_FILE, MANIFEST = "enheder.json", "manifest.json"


def record(paths: Paths, year: int, outcomes: list[Outcome]) -> None:
    """Keep reports/<year>/enheder.json up to date with the units just rendered."""
    entries = []
    for o in outcomes:
        entry = {"niveau": o.unit.niveau, "enhed": o.unit.enhed, **asdict(o)}
        del entry["unit"], entry["reused"]
        entries.append(entry)
    _merge(paths.reports_year(year) / UNITS_FILE, entries)


def write_manifest(
    paths: Paths, year: int, outcomes: list[Outcome], agreement: "Agreement"
) -> Path:
    """reports/<year>/manifest.json: for every report, the code, notebook and input files."""
    from evalkit.publish import provenance

    entries = []
    for o in outcomes:
        notebook = notebook_for(paths.notebooks, o.unit)
        html = paths.reports_year(year) / o.html if o.html else None
        entries.append(
            {
                "niveau": o.unit.niveau,
                "enhed": o.unit.enhed,
                "html": o.html,
                "html_sha256": sha256(html) if html else None,
                **provenance.for_report(paths, year, notebook, o.unit, agreement),
            }
        )
    path = paths.reports_year(year) / MANIFEST
    _merge(path, entries)
    return path


def _merge(path: Path, entries: list[dict]) -> None:
    """Rewrite the JSON list at `path` with `entries` in place of those of the same unit."""
    known = {}
    if path.exists():
        known = {(e["niveau"], e["enhed"]): e for e in json.loads(path.read_text("utf-8"))}
    known.update({(e["niveau"], e["enhed"]): e for e in entries})
    ordered = sorted(known.values(), key=lambda e: (e["niveau"], e["enhed"]))
    write_atomic(path, json.dumps(ordered, indent=2, ensure_ascii=False) + "\n")


def recorded(paths: Paths, year: int) -> dict[ReportUnit, Outcome]:
    """The outcomes kept in reports/<year>/enheder.json, by unit."""
    path = paths.reports_year(year) / UNITS_FILE
    if not path.exists():
        return {}
    result = {}
    for entry in json.loads(path.read_text(encoding="utf-8")):
        unit = ReportUnit(entry["niveau"], entry["enhed"])
        result[unit] = Outcome(
            unit,
            entry["ok"],
            entry["html"],
            entry["notebook"],
            entry.get("error"),
            entry.get("key"),
        )
    return result
