"""Shared constants, builders and fixtures for the evalkit tests.

The tests read their own inputs, tests/fixtures/raw/ (the agreement files and two years of
invented figures), never the project's data/raw/<year>/, which the analyst replaces.
"""

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
import psutil
import pytest

from evalkit.cli import main
from evalkit.execution import kernels, zygote
from evalkit.inputs.agreement import AGREEMENT_FILES, Agreement, Delaftale, load_agreement

REPO = Path(__file__).parents[1]
NOTEBOOKS = REPO / "notebooks"
FIXTURES = Path(__file__).parent / "fixtures"
RAW = FIXTURES / "raw"  # the tests' data/raw: never written, copied by `project`
YEAR = 2025  # the fixture's later year
YEARS = [2024, YEAR]  # the fixture's years; 2024 is the evictions' baseline year
VIBORG = "Sammenhængskraft og medborgerskab"  # the real delaftale the project ships
VIBORG_FILE = "delaftaler/sammenhaengskraft-og-medborgerskab.yaml"


def copy_agreement(source: Path, target: Path, *, viborg_only: bool = False) -> Path:
    """The agreement's files (or folders) of the raw folder `source` copied into `target`;
    with `viborg_only`, of the delaftaler only the real one.

    Which entries of data/raw/ make the agreement (the rest are year folders) is evalkit's to
    say (AGREEMENT_FILES): the tests know it from there only."""
    target.mkdir(parents=True, exist_ok=True)
    for name in AGREEMENT_FILES:
        if (source / name).is_dir():
            shutil.copytree(source / name, target / name)
        else:
            shutil.copy(source / name, target / name)
    if viborg_only:
        for path in (target / VIBORG_FILE).parent.iterdir():
            if path.name != Path(VIBORG_FILE).name:
                path.unlink()
    return target


def project(root: Path, *, years: bool = True, viborg_only: bool = False) -> Path:
    """root/data/raw/ as a copy of the fixture: the agreement files and, with `years`, its two
    years (with `viborg_only`, no years and the real delaftale only). Returns root/data, the
    folder `--data-dir` takes; reports go in root/reports."""
    if years and not viborg_only:
        shutil.copytree(RAW, root / "data" / "raw")
    else:
        copy_agreement(RAW, root / "data" / "raw", viborg_only=viborg_only)
    return root / "data"


def evalkit(data: Path, *args: str, notebooks: Path = NOTEBOOKS) -> int:
    """`evalkit ARGS` in this process on the project whose data folder is `data`, its reports
    in data/../reports."""
    return main([*args, "--data-dir", str(data), "--reports-dir", str(data.parent / "reports"),
                 "--notebooks-dir", str(notebooks)])  # fmt: skip


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--slow", action="store_true", help="also run the tests marked slow")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # The few tests that take minutes run with --slow (`make test`, CI); a plain `pytest`
    # lists them as skipped, so they are never forgotten.
    if config.getoption("--slow"):
        return
    later = pytest.mark.skip(reason="slow: run with --slow (make test does)")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(later)


@pytest.fixture(scope="session")
def helhedsplan() -> Agreement:
    """The fixture's helhedsplan with every delaftale it holds, read once."""
    return load_agreement(RAW)


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


def tree_hash(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


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


# The project's data/raw/ beside the agreement is the analyst's: no test reads it.
_ANALYSTS_RAW = os.path.realpath(REPO / "data" / "raw")
_AGREEMENT_PATHS = tuple(os.path.join(_ANALYSTS_RAW, name) for name in AGREEMENT_FILES)
_analysts_years_read: list[str] = []


def _analysts(path: str) -> bool:
    """Whether `path` is in the project's data/raw/ (or is it) and not part of the agreement."""
    inside = (path + os.sep).startswith(_ANALYSTS_RAW + os.sep)
    return inside and not any((path + os.sep).startswith(a + os.sep) for a in _AGREEMENT_PATHS)


def _audit(event: str, args: tuple) -> None:
    # Python's audit hooks see every open, listing, rename and removal this process makes,
    # whatever library makes it. A hook cannot be removed, so it records writes only while a
    # test watches, and reads of the analyst's year folders always.
    if event in ("open", "os.listdir", "os.scandir") and args:
        read = args[0]
        if isinstance(read, str | bytes | os.PathLike) and "raw" in os.fsdecode(read):
            path = _path(read)
            if _analysts(path):
                _analysts_years_read.append(f"{event} {path}")
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


@pytest.fixture(autouse=True)
def _never_the_analysts_years():
    """Fails a test that read the project's data/raw/<year>/ (or listed data/raw/) in this
    process, itself or through a fixture it uses: those figures are the analyst's to replace;
    tests read tests/fixtures/raw/."""
    yield
    read, _analysts_years_read[:] = list(_analysts_years_read), []
    assert read == [], "read the project's data/raw/ instead of tests/fixtures/raw/"


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


@contextmanager
def warm_kernel(how: str) -> Iterator[kernels.WarmKernel]:
    """A warm kernel, "launched" as jupyter_client launches it or "forked" from a zygote of
    its own (checked: it is what was asked for); stopped after, with its zygote."""
    forked_from = zygote.Zygote() if how == "forked" else None
    try:
        k = kernels.WarmKernel(forked_from=forked_from)
        try:
            forked = isinstance(k.km.provisioner.process, zygote.ForkedProcess)
            assert forked == (how == "forked")
            yield k
        finally:
            k.shutdown()
    finally:
        if forked_from is not None:
            forked_from.stop()


def kernel_processes() -> list[psutil.Process]:
    """The kernels running under this process, launched or forked from a zygote (a killed
    one not yet reaped is not); zygote_processes() lists the zygotes."""
    return [p for p, kind in _evalkit_processes() if kind in ("kernel", "forked kernel")]


def zygote_processes() -> list[psutil.Process]:
    return [p for p, kind in _evalkit_processes() if kind == "zygote"]


def _evalkit_processes() -> list[tuple[psutil.Process, str]]:
    found = []
    for p in psutil.Process().children(recursive=True):
        try:
            command = " ".join(p.cmdline())
            if "ipykernel" in command:
                found.append((p, "kernel"))
            elif zygote.__name__ in command:  # a forked kernel has its zygote's command line
                forked = zygote.__name__ in " ".join(p.parent().cmdline())
                found.append((p, "forked kernel" if forked else "zygote"))
        except (psutil.ZombieProcess, psutil.NoSuchProcess, AttributeError):
            pass
    return found


def start_run(root: Path, notebooks: Path, *args: str) -> subprocess.Popen:
    """`evalkit run` in a process of its own, on a copy of the fixture under `root`."""
    if not (root / "data" / "raw").exists():
        project(root)
    # Ctrl-C raises KeyboardInterrupt, even where the test runner was started ignoring it.
    code = ("import signal, sys; signal.signal(signal.SIGINT, signal.default_int_handler); "
            "from evalkit.cli import main; sys.exit(main(sys.argv[1:]))")  # fmt: skip
    return subprocess.Popen(
        [sys.executable, "-c", code, "run", "--year", str(YEAR), *args,
         "--data-dir", str(root / "data"), "--reports-dir", str(root / "reports"),
         "--notebooks-dir", str(notebooks)],
        cwd=root, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
