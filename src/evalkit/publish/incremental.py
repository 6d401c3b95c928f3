"""The yearly batch, incremental: current reports are kept, only the others are made.

A report whose key (evalkit.publish.cache) is the one recorded in reports/<year>/enheder.json, and
whose files are still there, is reused. The others are made through one executor for all
years together, so no worker idles at the end of a year. Before a report is made again its
recorded key is dropped: a run cut short leaves no report that passes for current.
"""

import os
from collections.abc import Callable
from concurrent.futures import Executor
from contextlib import nullcontext
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from evalkit.domain import ReportUnit
from evalkit.execution import executors, zygote
from evalkit.execution.executors import Work
from evalkit.execution.render import Outcome, notebook_for
from evalkit.paths import NOTES, Paths
from evalkit.publish import records

if TYPE_CHECKING:  # start_early runs before pandas is loaded, so the kernels boot meanwhile
    from evalkit.inputs.agreement import Agreement

# A report costs about 0.3 s of CPU; a kernel's start 1.3 s, or 0.2 s when it is forked from
# a zygote that has imported its libraries (evalkit.execution.zygote).
REPORTS_PER_LAUNCH, REPORTS_PER_FORK = 4, 1
# The fewest reports a changed table of a year makes again: an afdeling's, its boligselskab's
# and the plan's.
TABLE_CHANGED = 3


def start_early(
    paths: Paths, years: list[int], kernels_wanted: int, force: bool, inputs_changed: list[str]
) -> None:
    """Start kernels now, so they boot while the data is read and built, when reports are to
    be made: `kernels_wanted` on a first or forced run, or when the agreement, a notebook or
    evalkit changed (`inputs_changed`: evalkit.publish.fingerprint.inputs_changed), after
    which most reports are made again. When only a year's files changed, as many as its
    fewest reports use (kernels_for): a note, its unit's report (one kernel); a table,
    at least an afdeling's report, its boligselskab's and the plan's (TABLE_CHANGED).
    make_reports starts more if there are enough reports for them.

    Otherwise (only an output changed: a report deleted or edited) they start once the plan
    knows that some report is to be made, so a run with nothing to make starts none.
    """
    count = _early(paths, years, kernels_wanted, force, inputs_changed)
    if count:
        # The zygote first: it begins to import the kernels' libraries before this process
        # imports jupyter_client (kernels), 0.13 s sooner.
        spawned = zygote.Zygote() if zygote.supported() else None
        from evalkit.execution import kernels

        kernels.prestart(count, spawned)


def _early(
    paths: Paths, years: list[int], kernels_wanted: int, force: bool, inputs_changed: list[str]
) -> int:
    """How many kernels start_early starts (see there)."""
    year_folders = tuple(os.path.join(paths.raw_year(y), "") for y in paths.raw_years())
    if force or any(not records.recorded(paths, year) for year in years):
        return kernels_wanted
    if not inputs_changed:
        return 0
    if not all(p.startswith(year_folders) for p in inputs_changed):
        return kernels_wanted
    if all(NOTES in Path(p.lower()).parts for p in inputs_changed):
        return 1
    return kernels_for(TABLE_CHANGED, kernels_wanted)


def kernels_for(reports: int, jobs: int) -> int:
    """How many kernels make `reports` reports soonest, at most `jobs`: another kernel pays
    only with at least as many reports for it as its start costs: REPORTS_PER_FORK where
    kernels fork from a zygote (one afdeling's new figures: its report, its boligselskab's
    and the plan's on two kernels), REPORTS_PER_LAUNCH where each is launched."""
    per_start = REPORTS_PER_FORK if zygote.supported() else REPORTS_PER_LAUNCH
    return max(1, min(jobs, reports // per_start))


def make_reports(
    paths: Paths,
    agreement: "Agreement",
    years: list[int],
    chosen: list[ReportUnit],
    jobs: int,
    force: bool = False,
    executor: Executor | None = None,
    done: Callable[[int, Outcome], None] = lambda year, outcome: None,
    timeout: float | None = None,
) -> dict[int, list[Outcome]]:
    """Each chosen unit's report for each year, made or reused; `done` hears each outcome.

    `force` makes every report again. Without an `executor`, `jobs` threads, each with a
    warm kernel, make them. A report that takes more than `timeout` seconds fails.
    """
    from evalkit.publish import cache, provenance

    keys: dict[int, dict[ReportUnit, str]] = {}
    outcomes: dict[Work, Outcome] = {}
    todo: list[Work] = []
    for year in years:
        keys[year] = cache.keys(paths, agreement, year, chosen)
        before = records.recorded(paths, year)
        stale = []
        for unit in chosen:
            old = before.get(unit)
            if not force and cache.current(old, keys[year][unit], paths.reports_year(year)):
                outcomes[year, unit] = replace(old, reused=True)
                done(year, outcomes[year, unit])
                continue
            todo.append((year, unit))
            if old is not None and old.key is not None:
                stale.append(replace(old, key=None))
        if stale:
            records.record(paths, year, stale)
    if todo:
        workers = (
            nullcontext(executor) if executor else executors.pool(kernels_for(len(todo), jobs))
        )
        with workers as running:
            made = executors.render_many(
                paths,
                todo,
                running,
                done,
                timeout,
                lambda year, unit: provenance.for_report(
                    paths, year, notebook_for(paths.notebooks, unit), unit, agreement
                ),
            )
        for (year, unit), outcome in made.items():
            if outcome.ok:
                outcome.key = keys[year][unit]
        outcomes.update(made)
    elif executor is None:  # kernels started early (start_early) for reports that were current
        from evalkit.execution import kernels

        kernels.stop_spares()
    result = {year: [outcomes[year, unit] for unit in chosen] for year in years}
    for year, year_outcomes in result.items():
        records.record(paths, year, year_outcomes)
        # A reused report keeps the manifest entry of the files it was made from.
        records.write_manifest(paths, year, [o for o in year_outcomes if not o.reused], agreement)
    return result
