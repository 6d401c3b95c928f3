"""Spec: the notebooks find the project's data from wherever they run (evalkit.paths.find_data),
so papermill works as the README's "Kør papermill selv" says: from the project's root, from
notebooks/, and as JupyterLab opens them."""

import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from evalkit.cli import main
from evalkit.errors import ExitCode
from evalkit.paths import find_data
from tests.conftest import NOTEBOOKS
from tests.conftest import project as fixture_project

PAPERMILL = Path(sys.executable).parent / "papermill"


@pytest.fixture
def project(tmp_path) -> Path:
    """A project like the analyst's clone: data/raw/, notebooks/ and the built data/processed/."""
    (tmp_path / "data" / "raw").mkdir(parents=True)
    (tmp_path / "data" / "raw" / "helhedsplan.yaml").write_text("navn: X\n", encoding="utf-8")
    (tmp_path / "notebooks").mkdir()
    return tmp_path


@pytest.mark.parametrize(
    ("start", "given", "found"),
    [
        (".", "data", "data"),  # papermill from the root; evalkit run, beside the data
        ("notebooks", "data", "data"),  # from notebooks/, as JupyterLab runs a notebook
        ("notebooks", "../data", "data"),  # the path as it is from there
        ("notebooks/udkast/gammelt", "data", "data"),  # any depth below the root
    ],
)
def test_a_relative_data_dir_is_found_here_or_above(project, start, given, found):
    (project / start).mkdir(parents=True, exist_ok=True)
    assert find_data(given, project / start).resolve() == (project / found).resolve()


def test_an_absolute_data_dir_is_taken_as_given(project, tmp_path):
    elsewhere = tmp_path / "andre" / "data"
    assert find_data(elsewhere, project / "notebooks") == elsewhere


def test_a_data_dir_found_nowhere_is_left_for_reading_to_name(project):
    # No folder above has raw/ in it: Report.load's reading says what is missing.
    assert find_data("mine-data", project / "notebooks") == Path("mine-data")


def test_the_nearest_data_folder_wins(project):
    inner = project / "notebooks" / "data" / "raw"
    inner.mkdir(parents=True)
    assert find_data("data", project / "notebooks") == (project / "notebooks" / "data").resolve()


@pytest.fixture(scope="module")
def clone(tmp_path_factory) -> Path:
    """A copy of the project's notebooks and data with data/processed/ built, as after
    `evalkit build`."""
    root = tmp_path_factory.mktemp("clone")
    fixture_project(root)
    shutil.copytree(NOTEBOOKS, root / "notebooks")
    assert main(["build", "--data-dir", str(root / "data")]) == ExitCode.OK
    return root


def shown_text(path: Path) -> str:
    notebook = nbformat.read(path, as_version=4)
    return "\n".join(
        str(output.get("data", {}).get("text/html", ""))
        for cell in notebook.cells
        if cell.cell_type == "code"
        for output in cell.outputs
    )


@pytest.mark.parametrize(
    ("cwd", "command", "title"),
    [
        (".", ["notebooks/afdeling.ipynb", "out.ipynb", "-p", "aar", "2025", "-p", "enhed",
               "Lindon"], "Lindon – evaluering 2025"),
        ("notebooks", ["oversigt.ipynb", "out.ipynb", "-p", "aar", "2025", "-p", "niveau",
                       "boligselskab", "-p", "enhed", "BoligViborg"],
         "BoligViborg – evaluering 2025"),
    ],
    ids=["from the root", "from notebooks/"],
)  # fmt: skip
def test_papermill_runs_a_notebook_of_the_project(clone, cwd, command, title):
    run = subprocess.run(
        [str(PAPERMILL), *command], cwd=clone / cwd, capture_output=True, text=True, timeout=600
    )
    assert run.returncode == 0, run.stderr[-2000:]
    assert title in shown_text(clone / cwd / "out.ipynb")
