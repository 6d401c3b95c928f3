"""The national build (part of `make bench`): `evalkit build` of the synthetic national input.

The input of `python scripts/synth.py OUT --afdelinger 7000 --years 10`; each run removes
processed/ and times `evalkit build --data-dir OUT` from nothing as a whole process (its
start-up included), with the peak memory of all its processes. Prints every run and the
median; the load average before and after says how busy the machine was.
"""

import argparse
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
sys.path.insert(0, str(REPO / "scripts"))

import synth  # noqa: E402
from bench import load, machine, measured  # noqa: E402

TARGETS = {"national_s": 5, "national_gib": 2}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--afdelinger", type=int, default=7000)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print(machine())
    print(f"load average before: {load()}")
    with tempfile.TemporaryDirectory() as tmp:
        data = synth.make(Path(tmp) / "data", args.afdelinger, args.years)
        walls, peaks = [], []
        for run in range(1, args.runs + 1):
            shutil.rmtree(data / "processed", ignore_errors=True)
            wall, gib, _ = measured([BIN / "evalkit", "build", "--data-dir", data], Path(tmp))
            walls.append(wall)
            peaks.append(gib)
            print(f"  run {run}: {wall:.2f} s, peak memory of its processes {gib:.2f} GiB")
    print(
        f"national build ({args.afdelinger:,} afdelinger × {args.years} years, evalkit build "
        f"from nothing): median {statistics.median(walls):.2f} s of {args.runs}, peak memory "
        f"{max(peaks):.2f} GiB (targets < {TARGETS['national_s']} s, "
        f"< {TARGETS['national_gib']} GiB)"
    )
    print(f"load average after: {load()}")


if __name__ == "__main__":
    main()
