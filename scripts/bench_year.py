"""The yearly batch as the analyst runs it (part of `make bench`): one year, every unit.

On a copy of the shipped data, one after another:

1. the naive loop: `papermill` and `jupyter nbconvert --to html --no-input` for a few units,
   one process pair per report, run from notebooks/;
2. a plain pool: two worker processes calling papermill (a fresh kernel per report, run
   from notebooks/) and nbconvert's HTMLExporter, for every unit of the year;
3. `evalkit run --year <year>`, cold (no processed data, no reports);
   then the floor: every unit's notebook code run in one warm Python process, no kernel, no
   papermill, no nbconvert: each cell executed and what it shows turned into HTML, as the
   kernel does (the second of two passes, so the libraries are imported and warm);
   and the bound: the cold run's time outside its reports (starting, reading, checking,
   building, hiding and auditing before them, the index after: the whole run less the time
   evalkit says its reports took), plus every report at the floor on two cores with nothing
   else to do. No run that checks, builds and audits before its first report is faster, so
   the bound caps the ratios;
4. the same again with nothing changed (the median of three);
5. one afdeling's figures changed: the run, and how many reports it made.

Each line carries the load average when it started: the machine may be shared.
"""

import argparse
import csv
import io
import os
import re
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench  # noqa: E402  (the shared setups of scripts/bench.py)

CHANGED = "Lindon"  # its figures change in step 5; BoligViborg's and the plan's reports show it


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--year", type=int, default=2025)
    parser.add_argument("--naive", type=int, default=3, help="units for the naive loop")
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="evalkit-bench-year-"))
    try:
        print(bench.machine())
        project = copy(scratch / "project")
        units = [u for u in bench.all_units(project) if u[0] == args.year]
        rows = []

        def measure(name: str, step) -> tuple:
            """step() returns (count, wall, ...): printed and noted, and returned whole."""
            load = bench.load()
            result = step()
            count, wall = result[:2]
            rows.append((name, count, wall, load))
            print(f"{name:44} {count:4d} {wall:7.2f} s {wall / count:6.2f} s/report  "
                  f"(load {load})", flush=True)  # fmt: skip
            return result

        naive_units = [u for u in units if u[1] == "afdeling"][: args.naive - 1] + units[-1:]
        measure("naive CLI loop, from notebooks/",
                lambda: bench.naive(project, scratch / "naive", naive_units))  # fmt: skip
        measure("plain papermill pool, 2 processes",
                lambda: bench.plain_pool(project, units, scratch / "pool"))  # fmt: skip
        shutil.rmtree(project / "data" / "processed")
        cold = measure("evalkit run --year, cold", lambda: evalkit(project, args.year, len(units)))
        outside = cold[1] - cold[2]
        print(f"{'  of which outside the reports':44} {outside:12.2f} s", flush=True)
        # On the data as the cold run left it, as its kernels read it (the published figures).
        floor = bench.run([sys.executable, __file__, "--floor", str(project), str(args.year)],
                          project)  # fmt: skip
        floor_s = float(floor.stdout.split()[-1])
        print(f"{'floor: notebook code in one warm process':44} {len(units):4d} "
              f"{floor_s * len(units):7.2f} s {floor_s:6.2f} s/report", flush=True)  # fmt: skip
        bound = (outside + floor_s * len(units) / 2) / len(units)
        print(f"{'bound: outside the reports + floor on 2 cores':44} {len(units):4d} "
              f"{bound * len(units):7.2f} s {bound:6.2f} s/report", flush=True)  # fmt: skip
        reruns = []
        for _ in range(3):
            load = bench.load()
            reruns.append((evalkit(project, args.year, 0)[1], load))
        again, load = sorted(reruns)[1]
        print(f"{'evalkit run --year, nothing changed (median)':44} {again:12.2f} s in all  "
              f"(load {load}; all three: {', '.join(f'{s:.2f}' for s, _ in reruns)})")  # fmt: skip
        change_one(project, args.year)
        load = bench.load()
        made, wall, _ = evalkit(project, args.year, None)
        print(f"{f'evalkit run --year, {CHANGED} changed':44} {wall:12.2f} s in all  "
              f"({made} reports made; load {load})")  # fmt: skip
        per = {name: wall / count for name, count, wall, _ in rows}
        naive_s, pool_s = per[rows[0][0]], per[rows[1][0]]
        print(
            f"\nper report, evalkit cold vs naive loop: {naive_s / (cold[1] / cold[0]):.1f}x, "
            f"vs plain pool: {pool_s / (cold[1] / cold[0]):.1f}x (targets >= 30x, >= 6x); "
            f"nothing changed {again:.2f} s (target < 0.5 s); one afdeling changed "
            f"{wall:.2f} s (target < 3 s); the floor {floor_s:.2f} s/report, evalkit cold "
            f"{cold[1] / cold[0]:.2f} s/report; the bound allows at most "
            f"{naive_s / bound:.1f}x and {pool_s / bound:.1f}x"
        )
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def floor(project: Path, year: int) -> float:
    """Seconds per report of the notebooks' own work, in this process (the second pass)."""
    import ast
    import json
    import time

    from IPython import display as ipython_display

    from evalkit.domain import report_units
    from evalkit.execution.render import notebook_for, parameters
    from evalkit.inputs.agreement import load_agreement
    from evalkit.paths import Paths

    paths = Paths(data=project / "data", notebooks=project / "notebooks")
    units = report_units(load_agreement(paths.raw))
    shown: list[str] = []

    def show(*objects) -> None:
        shown.extend(o._repr_html_() if hasattr(o, "_repr_html_") else repr(o) for o in objects)

    ipython_display.display = show  # the notebooks' `from IPython.display import display`
    os.chdir(project)
    cells = {}
    for unit in units:
        path = notebook_for(paths.notebooks, unit)
        if path not in cells:
            notebook = json.loads(path.read_text(encoding="utf-8"))
            cells[path] = [
                "".join(c["source"])
                for c in notebook["cells"]
                if c["cell_type"] == "code" and "parameters" not in c["metadata"].get("tags", [])
            ]

    def one(unit) -> None:
        space = dict(parameters(paths, year, unit))
        for source in cells[notebook_for(paths.notebooks, unit)]:
            tree = ast.parse(source)
            last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
            exec(compile(tree, "<cell>", "exec"), space)
            if last is not None:
                show(eval(compile(ast.Expression(last.value), "<cell>", "eval"), space))

    for unit in units:  # the first pass: imports, compiled code, warm caches
        one(unit)
    started = time.perf_counter()
    for unit in units:
        one(unit)
    return (time.perf_counter() - started) / len(units)


def copy(root: Path) -> Path:
    shutil.copytree(bench.REPO / "data" / "raw", root / "data" / "raw")
    shutil.copytree(bench.REPO / "notebooks", root / "notebooks")
    bench.run([bench.BIN / "evalkit", "build"], root)  # the plain ways read data/processed
    return root


def evalkit(project: Path, year: int, expected: int | None) -> tuple[int, float, float]:
    """`evalkit run --year`: the reports it made, its wall time and the seconds it says its
    reports took (from the end of the audit to the last page)."""
    wall, out = bench.evalkit(project, project / "reports", "--year", str(year))
    total = re.search(r"I alt \d+ rapport\w*: (\d+) lavet.* på ([\d,]+) s\.", out)
    made = int(total.group(1))
    assert expected is None or made == expected, out
    return made, wall, float(total.group(2).replace(",", "."))


def change_one(project: Path, year: int) -> None:
    """One more move-out in CHANGED's table for `year`."""
    path = project / "data" / "raw" / str(year) / "fraflytninger.csv"
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    column = rows[0].index("fraflytninger")
    for row in rows[1:]:
        if row[0] == CHANGED:
            row[column] = str(int(row[column]) + 1)
    text = io.StringIO()
    csv.writer(text, lineterminator="\n").writerows(rows)
    path.write_text(text.getvalue(), encoding="utf-8")
    os.utime(path)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--floor"]:
        print(f"{floor(Path(sys.argv[2]), int(sys.argv[3])):.4f}")
    else:
        main()
