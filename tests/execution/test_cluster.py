"""Spec: beyond one machine, a dask.distributed cluster makes the reports (execution.cluster).

A local cluster of two worker processes stands in for a real one; `evalkit run --dask`
takes the work through its concurrent.futures executor, from the batch and from
`evalkit run --dask`.
"""

import sys
from pathlib import Path

import pytest

from evalkit.compute.build import build_years
from evalkit.domain import report_units
from evalkit.errors import ExitCode
from evalkit.execution import cluster, engine
from evalkit.paths import Paths
from evalkit.publish.incremental import make_reports
from tests.conftest import YEAR, YEARS, evalkit, project, tiny_notebooks

distributed = pytest.importorskip("dask.distributed")


@pytest.fixture(scope="module")
def client():
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        yield client


def tiny(tmp_path: Path) -> Path:
    """Where a report is made and whether it is reused, not what it says: tiny notebooks."""
    return tiny_notebooks(tmp_path / "notebooks", "print(enhed)")


def run(tmp_path: Path, *extra: str) -> int:
    if not (tmp_path / "data").exists():
        project(tmp_path)
        tiny(tmp_path)
    notebooks = tmp_path / "notebooks"
    return evalkit(tmp_path / "data", "run", "--year", str(YEAR), *extra, notebooks=notebooks)


@pytest.mark.slow  # starts a cluster of worker processes
def test_the_clusters_workers_make_the_reports(client, tmp_path, helhedsplan):
    agreement = helhedsplan  # the fixture's years hold every delaftale's tables
    paths = Paths(data=project(tmp_path), reports=tmp_path / "reports", notebooks=tiny(tmp_path))
    build_years(paths, YEARS, agreement)
    chosen = report_units(agreement)[:4]
    here = engine.reports_run()
    made = make_reports(paths, agreement, [YEAR], chosen, 1, executor=client.get_executor())
    assert all(o.ok for o in made[YEAR])
    for unit in chosen:
        assert (paths.reports_year(YEAR) / f"{unit.slug}.html").is_file(), unit
    by_worker = client.run(engine.reports_run)
    assert len(by_worker) == 2
    assert sum(by_worker.values()) == len(chosen)
    assert engine.reports_run() == here  # none was made in this process


@pytest.mark.slow  # starts a cluster of worker processes
def test_the_clusters_reports_are_reused_like_local_ones(client, tmp_path, capsys):
    assert run(tmp_path, "--unit", "Lindon", "--jobs", "1") == ExitCode.OK
    capsys.readouterr()
    assert run(tmp_path, "--unit", "Lindon", "--dask", client.scheduler.address) == ExitCode.OK
    assert "0 lavet, 1 genbrugt" in capsys.readouterr().out


def test_without_dask_installed_the_option_is_explained(tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "dask.distributed", None)
    assert run(tmp_path, "--dask", "tcp://127.0.0.1:1") == ExitCode.USAGE
    assert "--dask kræver dask. Installér den låste version med: make .venv/.test" in (
        capsys.readouterr().err
    )


def test_a_cluster_that_does_not_answer_is_explained(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(cluster, "CONNECT_TIMEOUT", "1s")
    # Nothing listens on port 9.
    assert run(tmp_path, "--dask", "tcp://127.0.0.1:9") == ExitCode.USAGE
    assert "dask-klyngen på tcp://127.0.0.1:9 svarer ikke" in capsys.readouterr().err
