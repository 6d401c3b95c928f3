"""The charts' own cost (part of `make bench`): every chart of one year's reports, drawn by
this tree's evalkit.report.charts and by another revision's, in one process.

The charts are the ones the reports of the shipped data draw (the arguments are recorded
from evalkit.report.Report for every unit of the year), so both revisions draw the same
pictures. Each report's charts are drawn by a copy of charts.py run anew, as a warm kernel
runs evalkit anew for every report (evalkit.execution.isolation), with matplotlib's settings
as that revision's copy sets them (from matplotlib's defaults; the charts of 823138b and
before drew with matplotlib, those after write their own SVG), so nothing one report or
revision left behind reaches the next. Prints the CPU time per report (all its
charts), best of a few rounds taken in turns, and the bytes a report embeds for them.
`--save FOLDER` also writes each revision's charts there, to look at side by side.

    .venv/bin/python scripts/bench_charts.py [--year 2025] [--against main] [--save FOLDER]
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
import types
from pathlib import Path

import matplotlib
from matplotlib import font_manager
from matplotlib.backends.backend_svg import RendererSVG

RC = dict(matplotlib.rcParams)  # matplotlib's defaults, before any charts.py changes them
SVG_WRITER = dict(vars(RendererSVG))  # the same for matplotlib's SVG renderer
SIZES = "_evalkit_text_sizes"  # where charts.py keeps its text sizes on matplotlib's font_manager
REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
MODULE = "src/evalkit/report/charts.py"
ROUNDS = 5


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--year", type=int, default=2025)
    parser.add_argument("--against", default="main", help="the git revision to compare with")
    parser.add_argument("--save", type=Path, help="write every chart of both revisions here")
    args = parser.parse_args()

    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    reports = recorded(args.year)
    count = sum(map(len, reports))
    print(f"{count} charts in {len(reports)} reports for {args.year}")
    revisions = {args.against: from_revision(args.against), "this tree": from_tree()}
    # Round by round, one revision after the other: what other processes take from the
    # machine falls on both alike.
    best, images = dict.fromkeys(revisions, float("inf")), {}
    # What a revision keeps on matplotlib (a cache of text sizes: on its SVG renderer before
    # the charts wrote their own SVG, on its font_manager since) stays with that revision, as
    # it stays in a kernel from report to report: each finds only its own.
    renderer = dict.fromkeys(revisions, SVG_WRITER)
    sizes = dict.fromkeys(revisions)
    for _ in range(ROUNDS):
        for name, load in revisions.items():
            _set_class(RendererSVG, renderer[name])
            _set_sizes(sizes[name])
            seconds, images[name] = drawn(load, reports)
            best[name] = min(best[name], seconds)
            renderer[name] = dict(vars(RendererSVG))
            sizes[name] = getattr(font_manager, SIZES, None)
    for name, seconds in best.items():
        size = sum(len(image) for image in images[name])
        print(
            f"{name:>12}: {1000 * seconds / len(reports):6.1f} ms CPU per report, "
            f"{size / len(reports) / 1024:6.1f} KiB of images per report"
        )
        if args.save:
            save(args.save / name.replace(" ", "-"), images[name])
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


def recorded(year: int) -> list[list[tuple[str, tuple, dict]]]:
    """The chart calls of each report of `year` on the shipped data: (function, args, kwargs)."""
    from evalkit.domain import report_units
    from evalkit.inputs.agreement import load_agreement
    from evalkit.report import Report, charts

    scratch = Path(tempfile.mkdtemp(prefix="evalkit-bench-charts-"))
    try:
        shutil.copytree(REPO / "data" / "raw", scratch / "data" / "raw")
        subprocess.run([BIN / "evalkit", "build"], cwd=scratch, check=True, capture_output=True)
        reports = []
        for unit in report_units(load_agreement(scratch / "data" / "raw")):
            calls = []
            for name in ("trend", "against_baseline", "farthest_from_baseline"):
                setattr(charts, name, _recorder(calls, name))
            report = Report.load(scratch / "data", year, unit.niveau, unit.enhed)
            for part in report.delaftaler:
                part.trends()
                if unit.niveau != "afdeling":
                    part.afdeling_charts()
            reports.append(calls)
        return reports
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _recorder(calls: list, name: str):
    def record(*args, **kwargs):
        calls.append((name, args, kwargs))

    return record


def from_revision(revision: str):
    """A function that runs `revision`'s charts.py anew, as a fresh module, at each call."""
    source = subprocess.run(
        ["git", "show", f"{revision}:{MODULE}"], cwd=REPO, check=True, capture_output=True
    ).stdout
    return _loader(compile(source, f"{revision}:{MODULE}", "exec"), "charts_then")


def from_tree():
    path = REPO / MODULE
    return _loader(compile(path.read_bytes(), str(path), "exec"), "charts_now")


def _loader(code, name: str):
    def load():
        module = types.ModuleType(name)
        sys.modules[name] = module  # dataclasses look their module up while it runs
        exec(code, module.__dict__)
        return module

    return load


def _set_sizes(kept) -> None:
    """Give matplotlib's font_manager the text sizes `kept` (None: none)."""
    if kept is None:
        vars(font_manager).pop(SIZES, None)
    else:
        setattr(font_manager, SIZES, kept)


def _set_class(cls, attributes: dict) -> None:
    """Give `cls` exactly `attributes` (as vars(cls) had them)."""
    for name in set(vars(cls)) - set(attributes):
        delattr(cls, name)
    for name, value in attributes.items():
        if name not in ("__dict__", "__weakref__") and vars(cls).get(name) is not value:
            setattr(cls, name, value)


def _image(chart) -> bytes:
    return getattr(chart, "svg", None) or chart.png


def drawn(load, reports) -> tuple[float, list[bytes]]:
    """Every report's charts, each report drawn by a fresh copy of the module (`load`),
    running it included: the process CPU seconds it took, and the images."""
    charts = []
    started = time.process_time()
    for calls in reports:
        with matplotlib.rc_context(RC):
            module = load()
            charts += [getattr(module, name)(*args, **kwargs) for name, args, kwargs in calls]
    return time.process_time() - started, [_image(chart) for chart in charts]


def save(folder: Path, images: list[bytes]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for i, image in enumerate(images):
        suffix = "svg" if image.lstrip().startswith((b"<?xml", b"<svg")) else "png"
        (folder / f"{i:02d}.{suffix}").write_bytes(image)


if __name__ == "__main__":
    main()
