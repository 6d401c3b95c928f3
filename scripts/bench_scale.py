"""Reports at national scale (part of `make bench`): one year's reports for 500 afdelinger.

The input of `python scripts/synth.py OUT --afdelinger 500 --years 2` (boligselskaber of ten:
500 afdelinger, 50 boligselskaber and the whole plan, 551 reports); `evalkit run --year 2025`
from nothing, timed as a whole process (reading, building, the disclosure audit and the index
included), on every core the machine has. Prints the wall time per report against the target.
"""

import argparse
import re
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench  # noqa: E402  (the shared setups of scripts/bench.py)
import synth  # noqa: E402

TARGET_S_PER_REPORT = 0.25


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--afdelinger", type=int, default=500)
    parser.add_argument("--years", type=int, default=2, help="years of input, up to 2025")
    args = parser.parse_args()
    print(bench.machine())
    print(f"load average before: {bench.load()}")
    scratch = Path(tempfile.mkdtemp(prefix="evalkit-bench-scale-"))
    try:
        project = bench.synthetic(scratch, args.afdelinger, args.years)
        year = synth.LAST_YEAR
        wall, out = bench.evalkit(
            project, project / "reports", "--year", str(year), "--notebooks-dir", "notebooks"
        )
        made = int(re.search(r"I alt \d+ rapport\w*: (\d+) lavet, 0 genbrugt, 0 fejlet", out)[1])
        print(
            f"{args.afdelinger} afdelinger, {year}: {made} reports in {wall:.1f} s, "
            f"{wall / made:.3f} s per report (target <= {TARGET_S_PER_REPORT} s)"
        )
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    print(f"load average after: {bench.load()}")


if __name__ == "__main__":
    main()
