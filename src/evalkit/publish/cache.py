"""Which reports are still current: a key per report from everything that shapes it.

A report is made again only when its key changes. The key of a unit's report for a year
covers

- the unit's rows in data/processed/<y>/offentliggjort.csv (the published figures, small
  cells hidden) and aktiviteter.csv for every year y up to the report's, and for a
  boligselskab or the whole plan the rows of all its afdelinger: one afdeling's new figures
  make that afdeling and the aggregates that include it again, nothing else. The published
  rows, not the exact ones: the key is kept in reports/<year>/enheder.json, and a key over
  hidden counts would publish a fingerprint of them;
- those years' metadata.json as the report shows it: example flag, description, period,
  tables, the names of the input files it lists (an afdeling's note file only in that
  afdeling's report, year_folder.in_report) and the note it shows (an afdeling's own; a
  boligselskab's or the plan's report shows none), not the files' hashes, which change with
  any afdeling's figures. A new or changed note makes its afdeling's report again, nothing
  else;
- the agreement files in data/raw/, which every report reads;
- the notebook, the notebook parameters, evalkit's version and its source (a change to the
  code or the template makes every report again), and the installed packages' versions.

The processed tables are read as text, without pandas: a run with nothing to make stays
quick.
"""

import csv
import hashlib
import json
from collections import defaultdict
from pathlib import Path

from evalkit import __version__
from evalkit.compute.build import PUBLISHED
from evalkit.domain import AFDELING, ReportUnit
from evalkit.execution.render import Outcome, notebook_for, parameters
from evalkit.inputs.agreement import Agreement
from evalkit.inputs.names import NameIndex
from evalkit.inputs.year_folder import in_report
from evalkit.paths import Paths
from evalkit.publish import fingerprint

TABLES = (PUBLISHED, "aktiviteter.csv")

Rows = dict[tuple[str, str], str]  # (niveau, enhed) -> digest of its rows in one year


def keys(
    paths: Paths, agreement: Agreement, year: int, units: list[ReportUnit]
) -> dict[ReportUnit, str]:
    """The key of each unit's report for `year`."""
    years = paths.processed_years(year)  # the years the report reads
    rows = {y: _row_digests(paths.processed_year(y)) for y in years}
    meta = {y: _metadata(paths.processed_year(y)) for y in years}
    common = {
        "evalkit": [__version__, fingerprint.source_digest()],
        "packages": fingerprint.packages(),
        "agreement": {
            p.relative_to(paths.raw).as_posix(): _file_digest(p) for p in agreement.files(paths.raw)
        },
    }
    afdeling_index = agreement.afdeling_index()
    result = {}
    for unit in units:
        afdelinger = agreement.members(unit.niveau, unit.enhed)
        shown = [(unit.niveau, unit.enhed)] + [("afdeling", a) for a in afdelinger]
        content = {
            "common": common,
            "notebook": _file_digest(notebook_for(paths.notebooks, unit)),
            "parameters": parameters(paths, year, unit),
            "years": [
                {
                    "metadata": _shown_metadata(meta[y], unit, afdeling_index),
                    "rows": [rows[y].get(key) for key in dict.fromkeys(shown)],
                }
                for y in years
            ],
        }
        text = json.dumps(content, sort_keys=True, ensure_ascii=False, default=str)
        result[unit] = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return result


def current(outcome: Outcome | None, key: str, folder: Path) -> bool:
    """Whether the recorded report was made from `key` and is still there."""
    return (
        outcome is not None
        and outcome.ok
        and outcome.key == key
        and outcome.html is not None
        and (folder / outcome.html).is_file()
        and (folder / outcome.notebook).is_file()
    )


def _row_digests(folder: Path) -> Rows:
    hashers = defaultdict(hashlib.sha256)
    for table in TABLES:
        path = folder / table
        if not path.exists():
            continue
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.reader(handle)
            header = next(reader, [])
            niveau, enhed = header.index("niveau"), header.index("enhed")
            for row in reader:
                line = "\x1f".join([table, *header, *row, "\x1e"]).encode("utf-8")
                hashers[row[niveau], row[enhed]].update(line)
    return {key: h.hexdigest() for key, h in hashers.items()}


def _metadata(folder: Path) -> dict:
    return json.loads((folder / "metadata.json").read_text(encoding="utf-8"))


def _shown_metadata(meta: dict, unit: ReportUnit, afdelinger: NameIndex) -> dict:
    shown = dict(meta)
    shown["filer"] = [
        f["fil"]
        for f in meta.get("filer", [])
        if in_report(f["fil"], unit.niveau, unit.enhed, afdelinger)
    ]
    notes = meta.get("noter", {})
    own = unit.niveau == AFDELING and unit.enhed in notes
    shown["noter"] = {unit.enhed: notes[unit.enhed]} if own else {}
    return shown


def _file_digest(path: Path) -> str | None:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else None
