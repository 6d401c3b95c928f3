"""Nothing changed since the last run: known from the files alone, before pandas is imported.
And, when something did, which years need building again (build_key).

A run that ends without a fault records, in data/processed/.evalkit-run.json, a fingerprint
of every file it depends on and every file it leaves: data/raw/ (the agreement, each year's
tables and notes), the notebooks, evalkit's own code and templates, the installed packages
and, as they were left, data/processed/ and reports/. The next run with the same options
compares the files with it first: when all are the same, nothing would be made again, and
the run says so and ends. Any difference (a table, a note, a notebook, a template, a report
deleted or edited, evalkit updated) and the run does the full work, which decides per
report what to make again (evalkit.publish.cache).

A file counts as unchanged when its size and mtime_ns are those recorded and it was not
written in the last RACY_NS before the record (a file written within the file system's
timestamp resolution of the record could change again with the same mtime: git's "racily
clean" case); otherwise its SHA-256 is compared. The record holds hashes of files with
hidden figures, so it lives under data/processed/ (the analyst's side), never under reports/.

A year's build is recorded too, in data/processed/<year>/.evalkit-build.json: the key of what
it was computed from (build_key) and the SHA-256 of the files it wrote. While both hold, the
year is neither read nor built again: a change to one year's tables rebuilds that year (and
the years it is a baseline of), not every year.
"""

import hashlib
import json
import os
import sys
import sysconfig
import time
from dataclasses import asdict, dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from evalkit.errors import Problem
from evalkit.files import LOCK_NAME, write_atomic
from evalkit.paths import PACKAGE_DIR, Paths

if TYPE_CHECKING:
    from evalkit.compute.build import Built
    from evalkit.inputs.agreement import Agreement

RECORD = ".evalkit-run.json"
BUILD_RECORD = ".evalkit-build.json"
RACY_NS = 2_000_000_000  # the coarsest mtime resolution of a common file system (FAT: 2 s)

Files = dict[str, tuple[int, int, str]]  # path -> (size, mtime_ns, sha256)


@dataclass(frozen=True)
class Scope:
    """What a run was asked for: a record answers only a run asked for the same."""

    year: int | None
    unit: str | None

    def key(self, paths: Paths) -> str:
        folders = [str(p.resolve()) for p in (paths.data, paths.reports, paths.notebooks)]
        return json.dumps([self.year, self.unit, *folders])


def inputs(paths: Paths) -> Files:
    """The files a run reads, as they are now."""
    return _files(_input_folders(paths))


def outputs(paths: Paths) -> Files:
    """The files a run leaves in data/processed/ and reports/, as they are now."""
    return _files([paths.processed, paths.reports])


def record(paths: Paths, scope: Scope, before: Files, said: str, years: dict[int, int]) -> bool:
    """Record the run that just ended without a fault, if its inputs stayed as they were
    when it started (`before`). Call it holding the locks on data/processed/ and reports/.

    `said`: the warnings it printed (shown again by a run that ends early); `years`: the
    number of reports of each year.
    """
    recorded_ns = time.time_ns()
    now = inputs(paths)
    if now != before:  # changed while the run read them: the next run must look again
        return False
    entry = {
        "environment": _environment(),
        "files": {**now, **outputs(paths)},
        "recorded_ns": recorded_ns,
        "said": said,
        "years": {str(y): n for y, n in years.items()},
    }
    path = paths.processed / RECORD
    runs = _read(path)
    runs[scope.key(paths)] = entry
    write_atomic(path, json.dumps(runs, indent=1, sort_keys=True) + "\n")
    return True


def unchanged(paths: Paths, scope: Scope) -> dict | None:
    """The record of the last run like this one if no file has changed since, else None.
    Call it holding the locks on data/processed/ and reports/."""
    entry = _read(paths.processed / RECORD).get(scope.key(paths))
    if entry is None or entry["environment"] != _environment():
        return None
    known = {path: tuple(value) for path, value in entry["files"].items()}
    found = _stats([*_input_folders(paths), paths.processed, paths.reports])
    if found.keys() != known.keys():
        return None
    racy = entry["recorded_ns"] - RACY_NS
    for path, (size, mtime_ns) in found.items():
        was_size, was_mtime, was_hash = known[path]
        if size != was_size:
            return None
        if (mtime_ns != was_mtime or mtime_ns >= racy) and _sha256(path) != was_hash:
            return None
    return entry


def inputs_changed(paths: Paths, scope: Scope, now: Files) -> list[str]:
    """The files the run reads (`now`: inputs()) that differ from the last run like this one,
    new and gone ones too: then reports are likely to be made again. All of them when no
    such run is recorded."""
    entry = _read(paths.processed / RECORD).get(scope.key(paths))
    if entry is None or entry["environment"] != _environment():
        return sorted(now)
    folders = tuple(os.path.join(p, "") for p in map(str, _input_folders(paths)))
    recorded = {p: v[2] for p, v in entry["files"].items() if p.startswith(folders)}
    current = {p: v[2] for p, v in now.items()}
    return sorted(p for p in recorded.keys() | current.keys() if recorded.get(p) != current.get(p))


def build_key(paths: Paths, year: int, agreement: "Agreement") -> str:
    """What data/processed/<year>/ is computed from: the agreement files, the year's folder
    in data/raw/, the folders of the years it takes a baseline from, evalkit's code and the
    installed packages."""
    years = sorted({year, *agreement.data_baseline_years(year)})
    found = [*agreement.files(paths.raw)]
    for y in years:
        found += sorted(p for p in paths.raw_year(y).rglob("*") if p.is_file())
    content = {
        "environment": _environment(),
        "evalkit": source_digest(),
        "files": {p.relative_to(paths.raw).as_posix(): _sha256(p) for p in found if p.exists()},
    }
    return hashlib.sha256(json.dumps(content, sort_keys=True).encode("utf-8")).hexdigest()


def built(paths: Paths, year: int, key: str) -> list[Problem] | None:
    """The warnings of the year's last build if it was made from `key` and left its files
    as they are now; else None (build the year)."""
    folder = paths.processed_year(year)
    entry = _read(folder / BUILD_RECORD)
    if entry.get("key") != key:
        return None
    for name, digest in entry["files"].items():
        if not (folder / name).is_file() or _sha256(str(folder / name)) != digest:
            return None
    return [Problem(**p) for p in entry["warnings"]]


def record_build(paths: Paths, built: "Built", key: str) -> None:
    """Record the build of a year that was just made from `key`. Hold the lock on processed/."""
    folder = paths.processed_year(built.year)
    entry = {
        "files": {name: _sha256(str(folder / name)) for name in built.files},
        "key": key,
        "warnings": [asdict(p) for p in built.warnings],
    }
    write_atomic(folder / BUILD_RECORD, json.dumps(entry, indent=1, sort_keys=True) + "\n")


@cache
def source_digest() -> str:
    """evalkit's own code and templates, so a change to them is a change to everything."""
    digest = hashlib.sha256()
    for path in sorted(PACKAGE_DIR.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(path.relative_to(PACKAGE_DIR).as_posix().encode("utf-8") + b"\0")
            digest.update(path.read_bytes())
    return digest.hexdigest()


def packages() -> list[str]:
    """The installed distributions with their versions, from the folder listing alone."""
    folders = {sysconfig.get_paths()[k] for k in ("purelib", "platlib")}
    return sorted(
        name
        for folder in folders
        if os.path.isdir(folder)
        for name in os.listdir(folder)
        if name.endswith(".dist-info")
    )


def _environment() -> list:
    # evalkit's version is among the packages (evalkit-<version>.dist-info).
    return [sys.version, sys.executable, packages()]


def _input_folders(paths: Paths) -> list[Path]:
    return [paths.raw, paths.notebooks, PACKAGE_DIR]


def _stats(folders: list[Path]) -> dict[str, tuple[int, int]]:
    """Every file under `folders` (but the locks and this record): (size, mtime_ns)."""
    found = {}
    for folder in folders:
        for root, dirs, names in os.walk(folder):
            dirs[:] = sorted(d for d in dirs if d != "__pycache__")
            for name in names:
                if name in (LOCK_NAME, RECORD):
                    continue
                path = os.path.join(root, name)
                stat = os.stat(path)
                found[path] = (stat.st_size, stat.st_mtime_ns)
    return found


def _files(folders: list[Path]) -> Files:
    return {path: (*stat, _sha256(path)) for path, stat in _stats(folders).items()}


def _sha256(path: str) -> str:
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def _read(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):  # none yet, or unreadable: nothing is known
        return {}
