"""Spec: from raw to processed (evalkit.compute.build): every year validated before any is written.

Large inputs are prepared a year per worker process; the files are the same either way.
"""

import gc
import os

import pytest

from evalkit.compute import build, workers
from evalkit.compute.build import build_years
from evalkit.errors import InputError
from evalkit.paths import Paths
from tests.conftest import YEARS, project


@pytest.fixture
def paths(tmp_path) -> Paths:
    return Paths(data=project(tmp_path))


def written(paths: Paths) -> dict[str, bytes]:
    return {
        p.relative_to(paths.processed).as_posix(): p.read_bytes()
        for p in sorted(paths.processed.rglob("*"))
        if p.is_file()
    }


def break_2024(paths: Paths) -> None:
    (paths.raw_year(2024) / "udsaettelser.csv").write_text(
        "afdeling,effektive_udsaettelser\nRingparken,-1\n", encoding="utf-8"
    )


@pytest.fixture(params=["here", "in worker processes"])
def where(request, monkeypatch) -> str:
    if request.param != "here":
        monkeypatch.setattr(workers, "PARALLEL_FROM_BYTES", 0)
        monkeypatch.setattr(os, "cpu_count", lambda: 2)
    return request.param


def test_every_year_gets_its_three_files(paths, helhedsplan, where):
    built = build_years(paths, YEARS, helhedsplan)
    assert [b.year for b in built] == YEARS
    assert sorted(written(paths)) == [
        f"{y}/{name}"
        for y in YEARS
        for name in ("aktiviteter.csv", "indikatorer.csv", "metadata.json")
    ]


def test_worker_processes_write_the_same_files(tmp_path, helhedsplan, monkeypatch):
    here = Paths(data=project(tmp_path / "here"))
    there = Paths(data=project(tmp_path / "there"))
    build_years(here, YEARS, helhedsplan)
    monkeypatch.setattr(workers, "PARALLEL_FROM_BYTES", 0)
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    build_years(there, YEARS, helhedsplan)
    assert written(there) == written(here)


def test_an_error_in_one_year_writes_no_year(paths, helhedsplan, where):
    break_2024(paths)
    with pytest.raises(InputError) as caught:
        build_years(paths, YEARS, helhedsplan)
    [problem] = [p for p in caught.value.problems if not p.warning]
    assert problem.file.endswith("udsaettelser.csv") and problem.row == 2
    assert "negativ" in problem.message
    assert not paths.processed.exists()


@pytest.fixture
def collector():
    """The cycle collector's state, put back after the test."""
    was = gc.isenabled()
    yield
    (gc.enable if was else gc.disable)()


@pytest.mark.parametrize("enabled", [True, False])
def test_a_year_is_prepared_with_the_cycle_collector_paused_and_then_as_before(
    paths, helhedsplan, monkeypatch, collector, enabled
):
    (gc.enable if enabled else gc.disable)()
    real, seen = build.prepare_year, []
    monkeypatch.setattr(build, "prepare_year", lambda *a: seen.append(gc.isenabled()) or real(*a))

    result = build._prepare_or_problems(paths, max(YEARS), helhedsplan)

    assert isinstance(result, build.Prepared)
    assert seen == [False]
    assert gc.isenabled() is enabled


class Baselines:
    """An agreement whose indicators take their baseline from the data of these years."""

    def __init__(self, *baseline_years: int):
        self.baseline_years = set(baseline_years)

    def data_baseline_years(self, year: int) -> set[int]:
        return {y for y in self.baseline_years if y < year}


@pytest.mark.parametrize(
    ("years", "baseline_years", "groups"),
    [
        ([2016, 2017, 2018], (), [[2018], [2017], [2016]]),
        ([2023, 2024, 2025], (2024,), [[2024, 2025], [2023]]),
        ([2023, 2024, 2025], (2023, 2024), [[2023, 2024, 2025]]),
        ([2024, 2025], (2023,), [[2025], [2024]]),  # a baseline year without data: none read
    ],
)
def test_workers_take_the_latest_years_first_each_with_the_baseline_years_it_reads(
    years, baseline_years, groups
):
    assert build._groups(years, Baselines(*baseline_years)) == groups
