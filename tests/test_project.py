"""The project's own promises: the locks and the conda environment agree with pyproject,
notebooks are thin."""

import contextlib
import json
import os
import re
import tomllib
from itertools import combinations

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.conftest import NOTEBOOKS, REPO, _analysts_years_read

PROJECT = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))


def requirement(spec: str) -> tuple[str, str]:
    name, version = re.match(r"([A-Za-z0-9_.\-]+)\s*(.*)", spec).groups()
    return name.lower().replace("_", "-"), version.replace(" ", "")


def test_environment_yml_agrees_with_pyproject():
    project = PROJECT["project"]
    extras = project["optional-dependencies"]
    wanted = project["dependencies"] + extras["test"] + extras["lab"]
    env = yaml.safe_load((REPO / "environment.yml").read_text(encoding="utf-8"))
    conda = [
        d for d in env["dependencies"] if isinstance(d, str) and not d.startswith(("python", "pip"))
    ]
    assert sorted(map(requirement, conda)) == sorted(map(requirement, wanted))
    python = next(d for d in env["dependencies"] if isinstance(d, str) and d.startswith("python"))
    assert python.replace("python", "") == project["requires-python"]


def locked(lock: str) -> dict[str, str]:
    """The exact versions requirements/<lock>.txt pins, by normalised name."""
    text = (REPO / "requirements" / f"{lock}.txt").read_text(encoding="utf-8")
    pins = re.findall(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)", text, re.M)
    return {canonicalize_name(name): version for name, version in pins}


# What each lock in requirements/ must hold, from pyproject.toml.
WANTED = {
    "tools": PROJECT["build-system"]["requires"],
    "report": PROJECT["project"]["dependencies"],
    "test": PROJECT["project"]["optional-dependencies"]["test"],
    "lab": PROJECT["project"]["optional-dependencies"]["lab"],
}


@pytest.mark.parametrize("lock", WANTED)
def test_each_lock_pins_what_pyproject_asks_for(lock):
    pins = locked(lock)
    for requirement in map(Requirement, WANTED[lock]):
        version = pins.get(canonicalize_name(requirement.name))
        assert version is not None, f"{lock}.txt lacks {requirement.name}: run make lock"
        assert requirement.specifier.contains(version, prereleases=True), (
            f"{lock}.txt pins {requirement.name}=={version}, pyproject asks {requirement}"
        )


@pytest.mark.parametrize("one, other", list(combinations(WANTED, 2)))
def test_locks_installed_together_agree_on_every_version(one, other):
    # make test and make lab add their lock to the report environment: a package both pin
    # at different versions would change what the reports are made with.
    a, b = locked(one), locked(other)
    assert a and b
    assert {name: a[name] for name in a.keys() & b.keys()} == {
        name: b[name] for name in a.keys() & b.keys()
    }


NOTEBOOK_FILES = sorted(NOTEBOOKS.glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOK_FILES, ids=lambda p: p.name)
def test_notebooks_are_committed_without_outputs(path):
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    code = [c for c in cells if c["cell_type"] == "code"]
    assert all(not c["outputs"] and c["execution_count"] is None for c in code)


@pytest.mark.parametrize("path", NOTEBOOK_FILES, ids=lambda p: p.name)
def test_notebooks_have_parameters_and_stay_thin(path):
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    params = [c for c in cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(params) == 1
    source = "".join(params[0]["source"])
    for name in ("aar", "niveau", "enhed", "data_dir"):
        assert re.search(rf"^{name} = ", source, re.M), name
    for cell in cells:
        text = "".join(cell["source"])
        if cell["cell_type"] == "code":
            assert len(text.splitlines()) <= 6, text  # a cell calls evalkit and shows the result
            assert "import pandas" not in text and "matplotlib" not in text


def test_a_read_of_the_analysts_year_folder_is_caught():
    # The guard in conftest can fail: opening (even trying to open) a file of a year folder
    # in the project's data/raw/ is recorded; the agreement files beside them are not.
    for name in ("helhedsplan.yaml", "delaftaler/x.yaml", "1999/udsaettelser.csv"):
        with contextlib.suppress(OSError), open(REPO / "data" / "raw" / name, "rb"):
            pass
    read, _analysts_years_read[:] = list(_analysts_years_read), []
    assert [r.split(os.sep)[-2:] for r in read] == [["1999", "udsaettelser.csv"]]
