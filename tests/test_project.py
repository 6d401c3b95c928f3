"""The project's own promises: the conda environment agrees with pyproject, notebooks are thin."""

import json
import re
import tomllib
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).parents[1]


def requirement(spec: str) -> tuple[str, str]:
    name, version = re.match(r"([A-Za-z0-9_.\-]+)\s*(.*)", spec).groups()
    return name.lower().replace("_", "-"), version.replace(" ", "")


def test_environment_yml_agrees_with_pyproject():
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted = project["dependencies"] + project["optional-dependencies"]["test"]
    env = yaml.safe_load((REPO / "environment.yml").read_text(encoding="utf-8"))
    conda = [
        d for d in env["dependencies"] if isinstance(d, str) and not d.startswith(("python", "pip"))
    ]
    assert sorted(map(requirement, conda)) == sorted(map(requirement, wanted))
    python = next(d for d in env["dependencies"] if isinstance(d, str) and d.startswith("python"))
    assert python.replace("python", "") == project["requires-python"]


NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebooks_are_committed_without_outputs(path):
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    code = [c for c in cells if c["cell_type"] == "code"]
    assert all(not c["outputs"] and c["execution_count"] is None for c in code)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
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
