"""Spec: a report made on a warm kernel is the report a fresh kernel makes (execution.engine).

The warm kernel makes other reports first, so anything one report left behind would show in
the next. Two things differ between any two runs, whatever the engine, and only those are
normalised: the id papermill draws at random for the injected-parameters cell, and the
timestamps and durations papermill and nbclient record in the notebook's metadata.
"""

import json

import pytest

from evalkit.compute.build import build_years
from evalkit.domain import ReportUnit
from evalkit.execution import engine
from evalkit.execution.render import render
from evalkit.paths import Paths
from tests.conftest import NOTEBOOKS, YEAR, YEARS, project, warm_kernel

UNITS = [
    ReportUnit("afdeling", "Lindon"),
    ReportUnit("afdeling", "Ringparken"),  # with the analyst's note
    ReportUnit("samlet", "Helhedsplanen"),
]


@pytest.fixture(scope="module")
def built(tmp_path_factory, helhedsplan) -> Paths:
    root = tmp_path_factory.mktemp("engine")
    paths = Paths(data=project(root), reports=root / "reports", notebooks=NOTEBOOKS)
    build_years(paths, YEARS, helhedsplan)
    return paths


def made(paths: Paths, unit: ReportUnit) -> dict[str, str]:
    folder = paths.reports_year(YEAR)
    return {ext: (folder / f"{unit.slug}.{ext}").read_text("utf-8") for ext in ("html", "ipynb")}


@pytest.fixture(scope="module", params=["launched", "forked"])
def reports(built, request) -> dict[str, dict[ReportUnit, dict[str, str]]]:
    """Each unit's report made the plain way, then on one warm kernel, one after another: a
    kernel launched as jupyter_client launches it, or forked from a zygote."""
    fresh, warm = {}, {}
    for unit in UNITS:
        assert render(built, YEAR, unit).ok
        fresh[unit] = made(built, unit)
    with warm_kernel(request.param) as kernel:
        before = engine.reports_run()
        for unit in UNITS:
            assert render(built, YEAR, unit, kernel).ok
            warm[unit] = made(built, unit)
        assert engine.reports_run() - before == len(UNITS)
        assert kernel.usable()
    return {"fresh": fresh, "warm": warm}


@pytest.mark.parametrize("unit", UNITS, ids=lambda u: u.slug)
def test_a_warm_kernels_page_is_the_fresh_kernels_page(reports, unit):
    # Byte for byte: the published notebook and page carry no clock reading and no random id.
    assert reports["warm"][unit]["html"] == reports["fresh"][unit]["html"]


@pytest.mark.parametrize("unit", UNITS, ids=lambda u: u.slug)
def test_a_warm_kernels_notebook_is_the_fresh_kernels_notebook(reports, unit):
    fresh, warm = reports["fresh"][unit]["ipynb"], reports["warm"][unit]["ipynb"]
    assert warm == fresh
    warm_notebook = json.loads(warm)
    counts = [c["execution_count"] for c in warm_notebook["cells"] if c["cell_type"] == "code"]
    assert counts == list(range(1, len(counts) + 1))  # as in a kernel of its own
