"""Shared fixtures for the evalkit tests."""

import hashlib
import io
import os
import re
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import openpyxl
import pytest

from evalkit.cli import main
from evalkit.inputs.agreement import Agreement, Delaftale, agreement_files, load_agreement

REPO = Path(__file__).parents[1]
YEAR = 2025
VIBORG = "Sammenhængskraft og medborgerskab"  # the real delaftale the project ships
VIBORG_FILE = "delaftaler/sammenhaengskraft-og-medborgerskab.yaml"


@pytest.fixture(scope="session")
def helhedsplan() -> Agreement:
    """The helhedsplan with every delaftale data/raw/ holds, read once."""
    return load_agreement(Path(__file__).parents[1] / "data" / "raw")


@pytest.fixture(scope="session")
def viborg(helhedsplan) -> Delaftale:
    """The real delaftale, "Sammenhængskraft og medborgerskab"."""
    return helhedsplan.delaftale(VIBORG)


@pytest.fixture(scope="session")
def agreement(helhedsplan, viborg) -> Agreement:
    """The helhedsplan with the real delaftale only: what the unit tests compute on (the
    example delaftale beside it is the shipped demonstration; tests/test_delaftaler.py
    covers plans of several)."""
    return replace(helhedsplan, delaftaler=[viborg])


def copy_agreement(raw: Path, dest: Path, *, viborg_only: bool = False) -> Path:
    """The agreement files of `raw` (helhedsplan.yaml, delaftaler/, the shared CSV files)
    copied to `dest`, as they lie; with `viborg_only`, of the delaftaler only the real one.
    Returns `dest`."""
    for path in agreement_files(raw):
        if viborg_only and path.parent.name == "delaftaler" and path != raw / VIBORG_FILE:
            continue
        target = dest / path.relative_to(raw)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, target)
    return dest


def tree_hash(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="session")
def batch(tmp_path_factory):
    """One full `evalkit run` of the shipped data for 2025, shared by the end-to-end tests."""
    root = tmp_path_factory.mktemp("batch")
    shutil.copytree(REPO / "data" / "raw", root / "data" / "raw")
    before = tree_hash(root / "data" / "raw")
    with _watching(root / "data" / "raw") as raw_writes:
        code = main(
            [
                "run",
                "--year", str(YEAR),
                "--data-dir", str(root / "data"),
                "--reports-dir", str(root / "reports"),
                "--notebooks-dir", str(REPO / "notebooks"),
            ]
        )  # fmt: skip
    return {"root": root, "code": code, "raw_before": before, "raw_writes": raw_writes}


# --- nothing may write under data/raw ---------------------------------------------------------

_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_TRUNC
_CHANGES = {
    "os.rename", "os.remove", "os.rmdir", "os.mkdir", "os.chmod", "os.chown", "os.link",
    "os.symlink", "os.truncate", "os.utime", "shutil.rmtree", "shutil.move",
}  # fmt: skip
_watched: list[tuple[str, list[str]]] = []  # (folder, what was done in it)


def _path(arg) -> str | None:
    if isinstance(arg, str | bytes | os.PathLike):
        return os.path.realpath(os.fsdecode(arg))
    return None


def _audit(event: str, args: tuple) -> None:
    # Python's audit hooks see every open, rename and removal this process makes, whatever
    # library makes it. A hook cannot be removed, so it only records while a test watches.
    if not _watched:
        return
    if event == "open":
        path, mode, flags = (list(args) + [None, None])[:3]
        writes = (isinstance(mode, str) and any(c in mode for c in "wax+")) or (
            isinstance(flags, int) and flags & _WRITE_FLAGS
        )
        paths = [_path(path)] if writes else []
    elif event in _CHANGES:
        paths = [_path(a) for a in args]
    else:
        return
    for folder, seen in _watched:
        seen += [f"{event} {p}" for p in paths if p and (p + os.sep).startswith(folder + os.sep)]


sys.addaudithook(_audit)


@contextmanager
def _watching(folder: Path) -> Iterator[list[str]]:
    seen: list[str] = []
    entry = (os.path.realpath(folder), seen)
    _watched.append(entry)
    try:
        yield seen
    finally:
        _watched.remove(entry)


@pytest.fixture(scope="session")
def writes_under():
    """`with writes_under(folder) as seen:` lists every write this process makes in folder."""
    return _watching


# --- small fixture files --------------------------------------------------------------------


def xlsx(*sheets: tuple[str, list[list]], cached: dict[str, str] | None = None) -> bytes:
    """A workbook of (title, rows) sheets. `cached` gives formula cells of the first sheet the
    value Excel would have saved, as the XML of the value: {"C2": "<v>3</v>"}."""
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets:
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    if not cached:
        return buffer.getvalue()
    source, target = zipfile.ZipFile(buffer), io.BytesIO()
    with zipfile.ZipFile(target, "w") as out:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                text = data.decode()
                for ref, value in cached.items():
                    cell = re.compile(rf'<c r="{ref}"([^>]*)><f>(.*?)</f><v ?/>')
                    kind = ' t="e"' if value.startswith("<v>#") else ""
                    text, found = cell.subn(rf'<c r="{ref}"\1{kind}><f>\2</f>{value}', text)
                    assert found == 1, ref
                data = text.encode()
            out.writestr(item, data)
    return target.getvalue()


# --- `evalkit run` as a process, on notebooks that do what a test needs ---------------------

PARAMETERS = 'aar = 2025\nniveau = "samlet"\nenhed = "Helhedsplanen"\ndata_dir = "data"'


def tiny_notebooks(folder: Path, afdeling_code: str) -> Path:
    """notebooks/ whose afdeling report runs `afdeling_code` and whose overview only prints:
    a run of all units in seconds."""
    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook

    folder.mkdir(parents=True, exist_ok=True)
    for name, code in (("afdeling.ipynb", afdeling_code), ("oversigt.ipynb", "print(enhed)")):
        notebook = new_notebook(cells=[new_code_cell(PARAMETERS), new_code_cell(code)])
        notebook.cells[0].metadata["tags"] = ["parameters"]
        notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                           "language": "python"}  # fmt: skip
        nbformat.write(notebook, folder / name)
    return folder


def start_run(root: Path, notebooks: Path, *args: str) -> subprocess.Popen:
    """`evalkit run` in a process of its own, on a copy of the shipped data under `root`."""
    if not (root / "data" / "raw").exists():
        shutil.copytree(REPO / "data" / "raw", root / "data" / "raw")
    # Ctrl-C raises KeyboardInterrupt, even where the test runner was started ignoring it.
    code = ("import signal, sys; signal.signal(signal.SIGINT, signal.default_int_handler); "
            "from evalkit.cli import main; sys.exit(main(sys.argv[1:]))")  # fmt: skip
    return subprocess.Popen(
        [sys.executable, "-c", code, "run", "--year", str(YEAR), *args,
         "--data-dir", str(root / "data"), "--reports-dir", str(root / "reports"),
         "--notebooks-dir", str(notebooks)],
        cwd=root, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
