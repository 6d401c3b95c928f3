"""Nothing changed since the last run: known from the files alone, before pandas is imported.

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
"""

import hashlib
import json
import os
import sys
import sysconfig
import time
from dataclasses import dataclass
from pathlib import Path

from evalkit.files import LOCK_NAME, write_atomic
from evalkit.paths import PACKAGE_DIR, Paths

RECORD = ".evalkit-run.json"
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
    return _files([paths.raw, paths.notebooks, PACKAGE_DIR])


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
    found = _stats([paths.raw, paths.notebooks, PACKAGE_DIR, paths.processed, paths.reports])
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
