"""Spec: the local pool runs a kernel's next report while the last one's page is written
(execution.executors.KernelPool); a page that cannot be written fails its report alone."""

import threading
import time

import pytest

from evalkit.domain import ReportUnit
from evalkit.execution import executors
from evalkit.execution.render import Outcome
from evalkit.paths import Paths

A, B = ReportUnit("afdeling", "Lindon"), ReportUnit("afdeling", "Karup")


@pytest.fixture
def steps(monkeypatch) -> list[tuple[str, str]]:
    """What the pool did, in order, with a notebook run and a page export standing in for
    the real ones (no kernel is started)."""
    done: list[tuple[str, str]] = []
    lock = threading.Lock()

    def note(step: str, unit: ReportUnit) -> None:
        with lock:
            done.append((step, unit.enhed))

    def execute_warm(paths, year, unit, timeout=None):
        note("run", unit)
        time.sleep(0.1)
        return unit  # the executed notebook

    def publish(unit, footer=None):
        if unit.enhed == "Karup" and footer == "fail":
            raise OSError("disken er fuld")
        time.sleep(0.5)
        note("page written", unit)
        return Outcome(unit, True, f"{unit.slug}.html", f"{unit.slug}.ipynb")

    monkeypatch.setattr(executors, "_get_ready", lambda loaded: loaded())
    monkeypatch.setattr(executors, "_warm_exporter_now", lambda: None)
    monkeypatch.setattr(executors, "execute_warm", execute_warm)
    monkeypatch.setattr(executors, "publish", publish)
    return done


def make(units, footer=None) -> dict:
    with executors.pool(1) as pool:
        return executors.render_many(
            Paths(), [(2025, u) for u in units], pool, lambda year, o: None,
            footer=lambda year, unit: footer,
        )  # fmt: skip


def test_a_kernel_runs_its_next_report_while_the_last_page_is_written(steps):
    made = make([A, B])
    assert steps.index(("run", "Karup")) < steps.index(("page written", "Lindon"))
    assert [made[2025, u].ok for u in (A, B)] == [True, True]


def test_a_page_that_cannot_be_written_fails_its_report_alone(steps):
    made = make([A, B], footer="fail")
    assert made[2025, A].ok
    assert not made[2025, B].ok and "disken er fuld" in made[2025, B].error
