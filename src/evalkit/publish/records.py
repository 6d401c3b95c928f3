"""What a run records under reports/<year>/: enheder.json (each unit's outcome, read back to
decide what to make again and to list the reports) and manifest.json (what made each report).
"""

import json
from dataclasses import asdict
from pathlib import Path

from evalkit.domain import ReportUnit
from evalkit.execution.render import NOTEBOOKS, Outcome
from evalkit.files import sha256, write_atomic
from evalkit.paths import Paths
from evalkit.publish import provenance


def record(paths: Paths, year: int, outcomes: list[Outcome]) -> None:
    """Keep reports/<year>/enheder.json up to date with the units just rendered."""
    path = paths.reports_year(year) / "enheder.json"
    known = {}
    if path.exists():
        known = {(u["niveau"], u["enhed"]): u for u in json.loads(path.read_text(encoding="utf-8"))}
    for o in outcomes:
        entry = {"niveau": o.unit.niveau, "enhed": o.unit.enhed, **asdict(o)}
        del entry["unit"], entry["reused"]
        known[(o.unit.niveau, o.unit.enhed)] = entry
    write_atomic(path, json.dumps(list(known.values()), indent=2, ensure_ascii=False))


def write_manifest(paths: Paths, year: int, outcomes: list[Outcome]) -> Path:
    """reports/<year>/manifest.json: for every report, the code, notebook and input files."""
    path = paths.reports_year(year) / "manifest.json"
    known = {}
    if path.exists():
        known = {(u["niveau"], u["enhed"]): u for u in json.loads(path.read_text("utf-8"))}
    for o in outcomes:
        notebook = paths.notebooks / NOTEBOOKS[o.unit.niveau]
        html = paths.reports_year(year) / o.html if o.html else None
        known[(o.unit.niveau, o.unit.enhed)] = {
            "niveau": o.unit.niveau,
            "enhed": o.unit.enhed,
            "html": o.html,
            "html_sha256": sha256(html) if html else None,
            **provenance.for_report(paths, year, notebook),
        }
    entries = sorted(known.values(), key=lambda e: (e["niveau"], e["enhed"]))
    write_atomic(path, json.dumps(entries, indent=2, ensure_ascii=False) + "\n")
    return path


def recorded(paths: Paths, year: int) -> dict[ReportUnit, Outcome]:
    """The outcomes kept in reports/<year>/enheder.json, by unit."""
    path = paths.reports_year(year) / "enheder.json"
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
