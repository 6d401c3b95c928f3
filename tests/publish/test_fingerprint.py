"""Spec: a run with nothing changed ends early (evalkit.publish.fingerprint), and never when
anything it reads or leaves has changed."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from evalkit.errors import ExitCode
from evalkit.paths import Paths
from evalkit.publish import fingerprint
from evalkit.publish.fingerprint import Scope
from tests.conftest import YEARS, evalkit, tiny_notebooks
from tests.conftest import project as fixture_project

SCOPE = Scope(2025, None)
FILES = {
    "data/raw/helhedsplan.yaml": "navn: Helhedsplanen\n",
    "data/raw/2025/fraflytninger.csv": "afdeling,fraflytninger\nLindon,12\n",
    "data/raw/2025/noter/Lindon.md": "Ny inspektør.\n",
    "notebooks/afdeling.ipynb": '{"cells": []}\n',
    "package/report/templates/chart.html.j2": "<figure>{{ svg }}</figure>\n",
    "package/report/charts.py": "BLUE = '#1f5f8b'\n",
    "data/processed/2025/indikatorer.csv": "aar,enhed,vaerdi\n2025,Lindon,0.545\n",
    "reports/2025/lindon.html": "<html>Lindon</html>\n",
    "reports/index.html": "<html>Oversigt</html>\n",
}


@pytest.fixture
def project(tmp_path, monkeypatch) -> Paths:
    """A project whose last run recorded its files."""
    for name, text in FILES.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    monkeypatch.setattr(fingerprint, "PACKAGE_DIR", tmp_path / "package")
    paths = Paths(tmp_path / "data", tmp_path / "reports", tmp_path / "notebooks")
    assert fingerprint.record(paths, SCOPE, fingerprint.inputs(paths), "Advarsel: …\n", {2025: 1})
    return paths


def edit(name: str, text: str):
    def change(root: Path) -> None:
        (root / name).write_text(text, encoding="utf-8")

    return change


def same_size_same_mtime(name: str):
    """One figure changed for another of the same width, the mtime put back."""

    def change(root: Path) -> None:
        path = root / name
        stat = path.stat()
        path.write_text(path.read_text("utf-8").replace("12", "13").replace("0.5", "0.6"))
        os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))

    return change


def delete(name: str):
    return lambda root: (root / name).unlink()


CHANGES = {
    "a table": edit("data/raw/2025/fraflytninger.csv", "afdeling,fraflytninger\nLindon,9\n"),
    "a figure, same size and mtime": same_size_same_mtime("data/raw/2025/fraflytninger.csv"),
    "a table deleted": delete("data/raw/2025/fraflytninger.csv"),
    "a new table": edit("data/raw/2025/udsaettelser.csv", "afdeling,udsaettelser\n"),
    "a note": edit("data/raw/2025/noter/Lindon.md", "Ny inspektør fra 1. marts.\n"),
    "a new note": edit("data/raw/2025/noter/Karup.md", "Renovering.\n"),
    "the agreement": edit("data/raw/helhedsplan.yaml", "navn: Helhedsplan\n"),
    "a notebook": edit("notebooks/afdeling.ipynb", '{"cells": [1]}\n'),
    "a template": edit("package/report/templates/chart.html.j2", "<figure></figure>\n"),
    "evalkit's code": edit("package/report/charts.py", "BLUE = '#000000'\n"),
    "a processed table": same_size_same_mtime("data/processed/2025/indikatorer.csv"),
    "a report deleted": delete("reports/2025/lindon.html"),
    "a report edited": edit("reports/2025/lindon.html", "<html>Lindon!</html>\n"),
    "the index deleted": delete("reports/index.html"),
    "a folder of reports deleted": lambda root: [
        p.unlink() for p in (root / "reports" / "2025").iterdir()
    ],
}


def test_nothing_changed_is_known_with_what_the_run_said(project):
    last = fingerprint.unchanged(project, SCOPE)
    assert last is not None
    assert last["said"] == "Advarsel: …\n" and last["years"] == {"2025": 1}


def test_a_file_written_again_with_the_same_bytes_is_unchanged(project):
    path = project.raw / "2025" / "fraflytninger.csv"
    path.write_bytes(path.read_bytes())
    os.utime(path, ns=(0, path.stat().st_mtime_ns + 10**9))
    assert fingerprint.unchanged(project, SCOPE) is not None


@pytest.mark.parametrize("change", CHANGES.values(), ids=CHANGES.keys())
def test_any_change_means_the_work_is_done(project, change):
    change(project.data.parent)
    assert fingerprint.unchanged(project, SCOPE) is None


OUTPUT_CHANGES = {"a processed table", "a report deleted", "a report edited",
                  "the index deleted", "a folder of reports deleted"}  # fmt: skip


@pytest.mark.parametrize("name", CHANGES.keys())
def test_a_changed_input_is_told_from_a_changed_output(project, name):
    """An input changed: reports are likely to be made, so the kernels start at once."""
    CHANGES[name](project.data.parent)
    changed = fingerprint.inputs_changed(project, SCOPE, fingerprint.inputs(project))
    assert bool(changed) == (name not in OUTPUT_CHANGES)


def test_inputs_count_as_changed_when_no_run_like_this_is_recorded(project):
    now = fingerprint.inputs(project)
    assert not fingerprint.inputs_changed(project, SCOPE, now)
    assert fingerprint.inputs_changed(project, Scope(None, None), now)


def test_a_run_asked_for_something_else_is_not_answered(project):
    assert fingerprint.unchanged(project, Scope(None, None)) is None
    assert fingerprint.unchanged(project, Scope(2025, "Lindon")) is None


def test_other_installed_packages_mean_the_work_is_done(project, monkeypatch):
    monkeypatch.setattr(fingerprint, "packages", lambda: ["pandas-9.0.dist-info"])
    assert fingerprint.unchanged(project, SCOPE) is None


def test_inputs_changed_while_the_run_read_them_are_not_recorded(project):
    (project.processed / fingerprint.RECORD).unlink()
    before = fingerprint.inputs(project)
    edit("data/raw/2025/noter/Lindon.md", "Skrevet under kørslen.\n")(project.data.parent)
    assert not fingerprint.record(project, SCOPE, before, "", {2025: 1})
    assert fingerprint.unchanged(project, SCOPE) is None


# --- the whole command, in a process of its own -----------------------------------------------

HEAVY = ("pandas", "numpy", "papermill", "nbconvert", "nbclient", "matplotlib")
RUN = """
import sys
from evalkit.cli import main
code = main(sys.argv[1:])
print("HEAVY:", sorted(m for m in {heavy} if m in sys.modules))
sys.exit(code)
"""


def evalkit_run(root: Path, notebooks: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", RUN.format(heavy=HEAVY), "run", "--year", "2025", *args,
         "--data-dir", str(root / "data"), "--reports-dir", str(root / "reports"),
         "--notebooks-dir", str(notebooks)],
        cwd=root, capture_output=True, text=True, check=True,
    )  # fmt: skip


@pytest.fixture(scope="module")
def shipped(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("fingerprint")
    fixture_project(root)
    tiny_notebooks(root / "notebooks", "print(enhed)")
    first = evalkit_run(root, root / "notebooks", "--unit", "Lindon")
    assert "1 lavet" in first.stdout
    assert "advarsel om inddata; se den med: evalkit validate" in first.stderr
    return root


def test_a_rerun_with_nothing_changed_ends_before_pandas_and_papermill(shipped):
    again = evalkit_run(shipped, shipped / "notebooks", "--unit", "Lindon")
    assert "Intet er ændret siden sidste kørsel" in again.stdout
    assert "2025: 0 lavet, 1 genbrugt, 0 fejlet." in again.stdout
    assert "HEAVY: []" in again.stdout
    assert "advarsel om inddata; se den med: evalkit validate" in again.stderr  # as the first run


@pytest.mark.parametrize(
    "change",
    [
        edit("data/raw/2025/noter/Lindon.md", "Ny note.\n"),
        lambda root: (root / "reports" / "2025" / "lindon.html").unlink(),
        lambda root: (root / "notebooks" / "afdeling.ipynb").write_text(
            (root / "notebooks" / "afdeling.ipynb").read_text() + " "
        ),
    ],
    ids=["a note", "the report deleted", "the notebook"],
)
def test_a_rerun_after_a_change_does_the_work(shipped, change):
    change(shipped)
    again = evalkit_run(shipped, shipped / "notebooks", "--unit", "Lindon")
    assert "Intet er ændret" not in again.stdout
    assert "Indikatorer for 2025" in again.stdout
    assert (shipped / "reports" / "2025" / "lindon.html").is_file()
    assert (
        "Intet er ændret" in evalkit_run(shipped, shipped / "notebooks", "--unit", "Lindon").stdout
    )


# --- a year is built again only when what it is built from changed ----------------------------
def replace(name: str, old: bytes, new: bytes):
    def change(data: Path) -> None:
        path = data / name
        assert old in path.read_bytes()
        path.write_bytes(path.read_bytes().replace(old, new))

    return change


def append(name: str, text: str):
    return lambda data: (data / name).open("a", encoding="utf-8").write(text)


REBUILDS = {
    "nothing": (lambda data: None, set()),
    "a figure of 2025": (replace("raw/2025/fraflytninger.csv", b"312,52", b"312,53"), {2025}),
    "a note of 2025": (edit("raw/2025/noter/Karup.md", "Ny beboerforening.\n"), {2025}),
    # 2024 is the evictions' baseline year: 2025 is built from it too.
    "a figure of 2024": (replace("raw/2024/fraflytninger.csv", b"312;59", b"312;58"), set(YEARS)),
    "the agreement": (append("raw/helhedsplan.yaml", "# En kommentar.\n"), set(YEARS)),
    "a processed table edited": (append("processed/2024/aktiviteter.csv", "\n"), {2024}),
    "a processed table deleted": (delete("processed/2025/metadata.json"), {2025}),
}


@pytest.mark.parametrize("name", REBUILDS.keys())
def test_only_the_years_whose_inputs_changed_are_built_again(tmp_path, capsys, name):
    change, rebuilt = REBUILDS[name]
    data = fixture_project(tmp_path)
    assert evalkit(data, "build") == ExitCode.OK
    first = capsys.readouterr()
    change(data)
    before = {y: (data / "processed" / str(y) / "indikatorer.csv").stat().st_mtime_ns
              for y in YEARS}  # fmt: skip
    assert evalkit(data, "build") == ExitCode.OK
    again = capsys.readouterr()
    after = {y: (data / "processed" / str(y) / "indikatorer.csv").stat().st_mtime_ns
             for y in YEARS}  # fmt: skip
    assert {y for y in YEARS if after[y] != before[y]} == rebuilt
    assert again.err == first.err  # a year not built again still counts its warnings
    assert again.out == first.out


def test_a_forced_run_builds_every_year_again(tmp_path):
    data = fixture_project(tmp_path)
    notebooks = tiny_notebooks(tmp_path / "notebooks", "print(enhed)")
    assert evalkit(data, "build") == ExitCode.OK
    stamps = {y: (data / "processed" / str(y) / "indikatorer.csv").stat().st_mtime_ns
              for y in YEARS}  # fmt: skip
    args = ["run", "--year", "2025", "--unit", "Lindon", "--force"]
    assert evalkit(data, *args, notebooks=notebooks) == ExitCode.OK
    assert all((data / "processed" / str(y) / "indikatorer.csv").stat().st_mtime_ns != stamps[y]
               for y in YEARS)  # fmt: skip
