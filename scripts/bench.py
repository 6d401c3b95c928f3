"""The batch benchmark (`make bench`): evalkit against the plain ways, on the shipped data.

Runs, one after another in one go, in a scratch folder:

1. the naive loop: the `papermill` and `jupyter nbconvert --to html --no-input` commands for
   a few units, one process pair per report, run from notebooks/;
2. a plain pool: two worker processes calling papermill (a fresh kernel per report, run from
   notebooks/) and nbconvert's HTMLExporter, over every unit of every year;
3. `evalkit run` over every unit of every year: cold, then again with nothing changed
   (the median of three);
4. scale: `evalkit run` cold for 20 and 200 units (the national build is timed by
   scripts/bench_build.py).

and prints the wall time per report and the ratios against the targets. Timing is wall
time on a machine that may be shared: the load average is printed before and after.
"""

import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
NAIVE_UNITS = [("afdeling", "Lindon"), ("afdeling", "Ringparken"), ("samlet", "Helhedsplanen")]
NOTEBOOKS = {
    "afdeling": "afdeling.ipynb",
    "boligselskab": "oversigt.ipynb",
    "samlet": "oversigt.ipynb",
}
SCALE_UNITS = (20, 200)
TARGETS = {"naive": 20, "pool": 4, "rerun_s": 2}


def main() -> None:
    scratch = Path(tempfile.mkdtemp(prefix="evalkit-bench-"))
    try:
        print(machine())
        print(f"load average before: {load()}\n")
        project = copy_project(scratch / "shipped")
        units = all_units(project)
        rows = [
            ("naive CLI loop (papermill + jupyter nbconvert)",) + naive(project, scratch / "naive"),
            ("plain papermill pool, 2 processes",) + plain_pool(project, units, scratch / "pool"),
        ]
        cold, rerun = evalkit_run(project, scratch / "evalkit", len(units))
        rows += [("evalkit run, cold",) + cold, ("evalkit run, nothing changed (median)",) + rerun]
        print(table(rows))
        per = {name: wall / n for name, n, wall in rows}
        naive_ratio = per[rows[0][0]] / per[rows[2][0]]
        pool_ratio = per[rows[1][0]] / per[rows[2][0]]
        print(
            f"\nper report, evalkit cold vs naive loop: {naive_ratio:.1f}x faster "
            f"(target >= {TARGETS['naive']}x)\n"
            f"per report, evalkit cold vs plain pool: {pool_ratio:.1f}x faster "
            f"(target >= {TARGETS['pool']}x)\n"
            f"no-change rerun: {rerun[1]:.2f} s (target < {TARGETS['rerun_s']} s)\n"
        )
        print(growth(scratch / "growth"))
        print(f"\nload average after: {load()}")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


# -- the setups ---------------------------------------------------------------------------


def machine() -> str:
    model = ""
    if Path("/proc/cpuinfo").exists():
        found = re.search(r"model name\s*:\s*(.+)", Path("/proc/cpuinfo").read_text())
        model = found.group(1) if found else ""
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (
        f"machine: {os.cpu_count()} cores ({model or platform.processor()}), "
        f"{memory:.0f} GiB, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}"
    )


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def copy_project(root: Path) -> Path:
    shutil.copytree(REPO / "data" / "raw", root / "data" / "raw")
    shutil.copytree(REPO / "notebooks", root / "notebooks")
    run([BIN / "evalkit", "build"], root)
    return root


def all_units(project: Path) -> list[tuple[int, str, str]]:
    from evalkit.domain import report_units as units
    from evalkit.inputs.agreement import load_agreement

    agreement = load_agreement(project / "data" / "raw")
    years = sorted(int(p.name) for p in (project / "data" / "raw").iterdir() if p.name.isdigit())
    return [(y, u.niveau, u.enhed) for y in years for u in units(agreement)]


def run(command: list, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(c) for c in command], cwd=cwd, check=True, capture_output=True, text=True
    )


# -- 1. the naive loop ----------------------------------------------------------------------


def naive(project: Path, out: Path, units: list | None = None) -> tuple[int, float]:
    """`units` ((year, niveau, enhed); NAIVE_UNITS of 2025 by default), run from notebooks/."""
    out.mkdir()
    units = units or [(2025, niveau, enhed) for niveau, enhed in NAIVE_UNITS]
    started = time.perf_counter()
    for year, niveau, enhed in units:
        executed = out / f"{enhed}.ipynb"
        run([BIN / "papermill", NOTEBOOKS[niveau], executed,
             "-p", "aar", str(year), "-p", "niveau", niveau, "-p", "enhed", enhed,
             "-k", "python3", "--no-progress-bar"], project / "notebooks")  # fmt: skip
        run([BIN / "jupyter", "nbconvert", "--to", "html", "--no-input", executed],
            project / "notebooks")  # fmt: skip
    return len(units), time.perf_counter() - started


# -- 2. the plain pool ----------------------------------------------------------------------


def plain_report(project: str, out: str, year: int, niveau: str, enhed: str) -> None:
    """One report the plain way: papermill with a fresh kernel, run from notebooks/ (the
    notebooks' own data_dir), then nbconvert's exporter."""
    import papermill
    from nbconvert import HTMLExporter

    executed = Path(out) / f"{year}-{niveau}-{enhed}.ipynb"
    notebook = papermill.execute_notebook(
        f"{project}/notebooks/{NOTEBOOKS[niveau]}",
        str(executed),
        parameters={"aar": year, "niveau": niveau, "enhed": enhed},
        kernel_name="python3",
        progress_bar=False,
        cwd=f"{project}/notebooks",
    )
    body, _ = HTMLExporter(exclude_input=True).from_notebook_node(notebook)
    executed.with_suffix(".html").write_text(body, encoding="utf-8")


def _quiet() -> None:
    # The kernels' log lines (TCP warnings) would bury the figures; errors still raise.
    os.dup2(os.open(os.devnull, os.O_WRONLY), 2)


def plain_pool(project: Path, units: list, out: Path) -> tuple[int, float]:
    out.mkdir()
    started = time.perf_counter()
    with ProcessPoolExecutor(2, mp_context=get_context("spawn"), initializer=_quiet) as pool:
        for future in [pool.submit(plain_report, str(project), str(out), *u) for u in units]:
            future.result()
    return len(units), time.perf_counter() - started


# -- 3. evalkit ---------------------------------------------------------------------------


def evalkit(project: Path, reports: Path, *extra: str) -> tuple[float, str]:
    started = time.perf_counter()
    done = run([BIN / "evalkit", "run", "--reports-dir", reports, *extra], project)
    return time.perf_counter() - started, done.stdout


def evalkit_run(project: Path, reports: Path, count: int):
    cold, out = evalkit(project, reports)
    assert f"{count} lavet, 0 genbrugt, 0 fejlet" in out, out
    reruns = []
    for _ in range(3):  # the median of three: a second is easily lost on a shared machine
        again, out = evalkit(project, reports)
        assert f"0 lavet, {count} genbrugt, 0 fejlet" in out, out
        reruns.append(again)
    return (count, cold), (count, sorted(reruns)[1])


# -- 4. scale -----------------------------------------------------------------------------


def synthetic(root: Path, afdelinger: int, years: int, per_company: int = 10) -> Path:
    sys.path.insert(0, str(REPO / "scripts"))
    import synth

    synth.make(root / "data", afdelinger, years, per_company)
    shutil.copytree(REPO / "notebooks", root / "notebooks")
    return root


def measured(command: list, cwd: Path) -> tuple[float, float, str]:
    """Run `command`: its wall time, the peak memory of its processes (GiB), its output."""
    peak = PeakMemory()
    started = time.perf_counter()
    with peak:
        process = subprocess.Popen(
            [str(c) for c in command],
            cwd=cwd,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        peak.watch(process.pid)
        out, err = process.communicate()
    assert process.returncode == 0, err
    return time.perf_counter() - started, peak.gib, out


def growth(root: Path) -> str:
    lines = ["batch growth, evalkit run cold, one year (synthetic afdelinger):"]
    for wanted in SCALE_UNITS:
        # afdelinger + boligselskaber of nine + the whole plan = the units wanted
        afdelinger = next(a for a in range(wanted) if a + -(-a // 9) + 1 >= wanted)
        project = synthetic(root / str(wanted), afdelinger, 1, per_company=9)
        wall, out = evalkit(project, project / "reports")
        made = int(re.search(r"I alt (\d+) rapport", out).group(1))
        lines.append(f"  {made:4d} units: {wall:6.1f} s, {wall / made:.2f} s per unit")
        shutil.rmtree(project)
    return "\n".join(lines)


class PeakMemory:
    """The largest total resident memory of a process and its descendants, sampled."""

    def __init__(self) -> None:
        self.bytes = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def gib(self) -> float:
        return self.bytes / 2**30

    def watch(self, pid: int) -> None:
        self._thread = threading.Thread(target=self._sample, args=(pid,), daemon=True)
        self._thread.start()

    def _sample(self, pid: int) -> None:
        import psutil  # installed with ipykernel

        root = psutil.Process(pid)
        while not self._stop.is_set():
            try:
                tree = [root, *root.children(recursive=True)]
                self.bytes = max(self.bytes, sum(p.memory_info().rss for p in tree))
            except psutil.Error:
                pass
            time.sleep(0.05)

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join()


def table(rows: list[tuple[str, int, float]]) -> str:
    lines = [f"{'':48} {'reports':>8} {'wall s':>8} {'s/report':>9}"]
    for name, count, wall in rows:
        lines.append(f"{name:48} {count:8d} {wall:8.1f} {wall / count:9.2f}")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
