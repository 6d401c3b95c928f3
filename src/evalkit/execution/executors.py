"""Many reports at once: a pool of threads, each driving a warm kernel, or any other
concurrent.futures executor (a dask.distributed cluster's: evalkit.execution.cluster).
"""

from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future, ThreadPoolExecutor, as_completed
from contextlib import contextmanager
from functools import partial

from evalkit.domain import ReportUnit
from evalkit.execution.render import (
    Executed,
    Outcome,
    _export_lock,
    _reason,
    _warm_exporter,
    execute,
    publish,
    render,
)
from evalkit.paths import Paths

Work = tuple[int, ReportUnit]  # a report to make: the year and the unit


def render_warm(
    paths: Paths,
    year: int,
    unit: ReportUnit,
    timeout: float | None = None,
    footer: dict | None = None,
) -> Outcome:
    """render() on this thread's warm kernel: the task an executor runs."""
    from evalkit.execution import kernels

    return render(paths, year, unit, kernels.kernel(), timeout, footer)


class KernelPool(ThreadPoolExecutor):
    """Threads that each drive a warm kernel, and one thread that writes the pages: a
    kernel goes on to its next report while the page of its last one is exported."""

    def __init__(self, jobs: int) -> None:
        self.pages = ThreadPoolExecutor(1, thread_name_prefix="evalkit-page")
        # The exporter is made ready beside the first reports (no page is due before one
        # ends), once a thread has loaded papermill: before, the two shared the interpreter
        # while the first report waited for papermill. The exporter is made once; a second
        # thread's call finds it ready.
        loaded = partial(self.pages.submit, _warm_exporter_now)
        super().__init__(jobs, thread_name_prefix="evalkit", initializer=_get_ready,
                         initargs=(loaded,))  # fmt: skip

    def report(
        self,
        paths: Paths,
        year: int,
        unit: ReportUnit,
        timeout: float | None = None,
        footer: dict | None = None,
    ) -> Future:
        """The report's Outcome, once its page is written (render, in two steps)."""
        outcome: Future = Future()

        def executed(run: Future) -> None:
            try:
                result = run.result()
                if isinstance(result, Outcome):  # it failed: no page
                    outcome.set_result(result)
                else:
                    page = self.pages.submit(publish, result, footer)
                    page.add_done_callback(lambda page: _settle(outcome, page))
            except BaseException as exc:  # also a report dropped at an interruption
                outcome.set_exception(exc)

        self.submit(execute_warm, paths, year, unit, timeout).add_done_callback(executed)
        return outcome

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        super().shutdown(wait, cancel_futures=cancel_futures)  # the last pages are asked for
        self.pages.shutdown(wait, cancel_futures=cancel_futures)


def execute_warm(
    paths: Paths, year: int, unit: ReportUnit, timeout: float | None = None
) -> "Executed | Outcome":
    """execute() on this thread's warm kernel."""
    from evalkit.execution import kernels

    return execute(paths, year, unit, kernels.kernel(), timeout)


def _settle(outcome: Future, page: Future) -> None:
    try:
        outcome.set_result(page.result())
    except BaseException as exc:
        outcome.set_exception(exc)


@contextmanager
def pool(jobs: int) -> Iterator[KernelPool]:
    """`jobs` threads, each driving its own warm kernel, started as soon as the thread is up.

    The kernels are the processes that do the work, on every core; a thread only hands a
    notebook to its kernel. Threads rather than worker processes: no process has to import
    papermill and nbconvert again, and all reports share one folder.
    """
    from evalkit.execution import kernels

    executor = KernelPool(jobs)
    try:
        yield executor
    except BaseException:
        # Interrupted (Ctrl-C): the reports running now end with their kernels, not when done.
        kernels.kill()
        raise
    finally:
        # After an interruption the reports not yet begun are dropped; those running finish.
        executor.shutdown(wait=True, cancel_futures=True)
        kernels.shutdown()


def _get_ready(loaded: Callable[[], None]) -> None:
    """A pool thread loads papermill, says so (`loaded`), then gets its kernel."""
    from evalkit.execution import engine, kernels  # noqa: F401 (engine: papermill, loaded now)

    loaded()
    kernels.start()


def _warm_exporter_now() -> None:
    try:
        with _export_lock:
            _warm_exporter()
    except Exception:  # the first page's export fails with the reason
        pass


def render_many(
    paths: Paths,
    work: list[Work],
    executor: Executor,
    done: Callable[[int, Outcome], None],
    timeout: float | None = None,
    footer: Callable[[int, ReportUnit], dict] | None = None,
) -> dict[Work, Outcome]:
    """Make each report of `work` through `executor`; `done` hears each outcome as it comes.

    A report that takes more than `timeout` seconds fails. `footer(year, unit)`: what a
    page's footer names.
    """
    # Absolute paths: a worker may not share this process's working folder.
    paths = Paths(
        data=paths.data.absolute(),
        reports=paths.reports.absolute(),
        notebooks=paths.notebooks.absolute(),
    )
    outcomes: dict[Work, Outcome] = {}
    report = executor.report if isinstance(executor, KernelPool) else _whole(executor)
    futures = {
        report(paths, year, unit, timeout, footer(year, unit) if footer else None): (year, unit)
        for year, unit in work
    }
    for future in as_completed(futures):
        year, unit = futures[future]
        try:
            outcome = future.result()
        except Exception as exc:  # a worker that died takes only its unit with it
            outcome = Outcome(unit, False, None, f"{unit.slug}.ipynb", _reason(exc))
        outcomes[year, unit] = outcome
        done(year, outcome)
    return outcomes


def _whole(executor: Executor) -> Callable[..., Future]:
    """A report made by one task, on any executor (a worker elsewhere renders it whole)."""
    return lambda *args: executor.submit(render_warm, *args)


def render_all(
    paths: Paths, year: int, chosen: list[ReportUnit], jobs: int, done: Callable[[Outcome], None]
) -> list[Outcome]:
    """Render the units of one year, `jobs` at a time; `done` hears each outcome."""
    with pool(min(jobs, len(chosen))) as executor:
        made = render_many(paths, [(year, u) for u in chosen], executor, lambda _year, o: done(o))
    return [made[year, unit] for unit in chosen]
