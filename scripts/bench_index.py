"""The index at national size (part of `make bench`).

The synthetic input (scripts/synth.py, 7,000 afdelinger by default), one year, built and
published as `evalkit run` does, every unit recorded as made, without making the reports;
then reports/index.html written: its wall time and its size.
"""

import argparse
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "scripts"))

from bench import load, machine, synthetic  # noqa: E402

YEAR = 2025  # synth.py's last year


def main() -> None:
    from evalkit.compute.build import build_years
    from evalkit.domain import report_units
    from evalkit.execution.render import Outcome
    from evalkit.inputs.agreement import load_agreement
    from evalkit.paths import Paths
    from evalkit.publish import records
    from evalkit.publish.index import write_index
    from evalkit.publish.tal import publish_years

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--afdelinger", type=int, default=7000)
    args = parser.parse_args()
    print(machine())
    print(f"load average at start: {load()}")
    with tempfile.TemporaryDirectory() as tmp:
        root = synthetic(Path(tmp), args.afdelinger, 1)
        paths = Paths(data=root / "data", reports=root / "reports")
        agreement = load_agreement(paths.raw)
        build_years(paths, [YEAR], agreement)
        publish_years(paths, agreement, [YEAR])
        units = report_units(agreement)
        made = [Outcome(u, True, f"{u.slug}.html", f"{u.slug}.ipynb") for u in units]
        paths.reports_year(YEAR).mkdir(parents=True)
        records.record(paths, YEAR, made)
        started = time.perf_counter()
        page = write_index(paths, agreement)
        wall = time.perf_counter() - started
        print(
            f"reports/index.html, {len(units):,} units × 1 year: written in {wall:.2f} s, "
            f"{page.stat().st_size:,} bytes"
        )


if __name__ == "__main__":
    main()
