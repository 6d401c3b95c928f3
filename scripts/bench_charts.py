"""The charts' own cost (part of `make bench`): every chart of one year's reports, drawn by
this tree's evalkit.report.charts and by another revision's, in one process.

The charts are the ones the reports of the shipped data draw (the arguments are recorded
from evalkit.report.Report for every unit of the year), so both revisions draw the same
pictures. Prints the CPU time per report (all its charts) and the bytes a report embeds
for them, best of a few rounds. `--save FOLDER` also writes each revision's charts there,
to look at side by side.

    .venv/bin/python scripts/bench_charts.py [--year 2025] [--against main] [--save FOLDER]
"""

import argparse
import importlib.util
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
MODULE = "src/evalkit/report/charts.py"
ROUNDS = 3


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--year", type=int, default=2025)
    parser.add_argument("--against", default="main", help="the git revision to compare with")
    parser.add_argument("--save", type=Path, help="write every chart of both revisions here")
    args = parser.parse_args()
    import os

    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    calls, reports = recorded(args.year)
    print(f"{len(calls)} charts in {reports} reports for {args.year}")
    revisions = {args.against: from_revision(args.against), "this tree": from_tree()}
    for name, charts in revisions.items():
        seconds, images = timed(charts, calls)
        size = sum(len(image) for image in images)
        print(
            f"{name:>12}: {1000 * seconds / reports:6.1f} ms CPU per report, "
            f"{size / reports / 1024:6.1f} KiB of images per report"
        )
        if args.save:
            save(args.save / name.replace(" ", "-"), images)
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


def recorded(year: int) -> tuple[list[tuple[str, tuple, dict]], int]:
    """The chart calls of every report of `year` on the shipped data: (function, args, kwargs)."""
    from evalkit.domain import report_units
    from evalkit.inputs.agreement import load_agreement
    from evalkit.report import Report, charts

    scratch = Path(tempfile.mkdtemp(prefix="evalkit-bench-charts-"))
    try:
        shutil.copytree(REPO / "data" / "raw", scratch / "data" / "raw")
        subprocess.run([BIN / "evalkit", "build"], cwd=scratch, check=True, capture_output=True)
        calls = []
        for name in ("trend", "against_baseline", "farthest_from_baseline"):
            setattr(charts, name, _recorder(calls, name))
        units = report_units(load_agreement(scratch / "data" / "raw"))
        for unit in units:
            report = Report.load(scratch / "data", year, unit.niveau, unit.enhed)
            for part in report.delaftaler:
                part.trends()
                if unit.niveau != "afdeling":
                    part.afdeling_charts()
        return calls, len(units)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _recorder(calls: list, name: str):
    def record(*args, **kwargs):
        calls.append((name, args, kwargs))

    return record


def from_revision(revision: str):
    source = subprocess.run(
        ["git", "show", f"{revision}:{MODULE}"], cwd=REPO, check=True, capture_output=True
    ).stdout
    path = Path(tempfile.mkdtemp(prefix="evalkit-charts-")) / "charts_then.py"
    path.write_bytes(source)
    return _load(path, "charts_then")


def from_tree():
    return _load(REPO / MODULE, "charts_now")


def _load(path: Path, name: str):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _image(chart) -> bytes:
    return getattr(chart, "svg", None) or chart.png


def timed(charts, calls) -> tuple[float, list[bytes]]:
    """The best of ROUNDS rounds of drawing every call: process CPU seconds, and the images."""
    best = float("inf")
    images: list[bytes] = []
    for _ in range(ROUNDS):
        started = time.process_time()
        drawn = [getattr(charts, name)(*args, **kwargs) for name, args, kwargs in calls]
        best = min(best, time.process_time() - started)
        images = [_image(chart) for chart in drawn]
    return best, images


def save(folder: Path, images: list[bytes]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for i, image in enumerate(images):
        suffix = "svg" if image.lstrip().startswith((b"<?xml", b"<svg")) else "png"
        (folder / f"{i:02d}.{suffix}").write_bytes(image)


if __name__ == "__main__":
    main()
