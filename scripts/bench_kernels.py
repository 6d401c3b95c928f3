"""What starting warm kernels costs (part of `make bench`): `count` kernels started together
(evalkit.execution.kernels.prestart), launched each on its own and forked from a zygote
(evalkit.execution.zygote), in turns. Prints, for each way, the median over the rounds of
the seconds until all are ready and of the CPU seconds of the processes that started them
(the zygote's included).

    .venv/bin/python scripts/bench_kernels.py [--count 2] [--rounds 5]
"""

import argparse
import statistics
import time

import psutil

from evalkit.execution import kernels, zygote


def start(count: int, forked: bool) -> tuple[float, float]:
    """Seconds until `count` kernels are ready and the CPU seconds their processes used."""
    supported = zygote.supported
    zygote.supported = lambda: forked and supported()
    try:
        started = time.perf_counter()
        for future in kernels.prestart(count):
            future.result(timeout=kernels.START_TIMEOUT)
        wall = time.perf_counter() - started
        processes = psutil.Process().children(recursive=True)
        cpu = sum(sum(p.cpu_times()[:2]) for p in processes)
    finally:
        zygote.supported = supported
        kernels.shutdown()
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    if not zygote.supported():
        print("Kernels are forked only on Linux: nothing to compare here.")
        return
    rounds: dict[bool, list[tuple[float, float]]] = {False: [], True: []}
    for _ in range(args.rounds):
        for forked in (False, True):
            rounds[forked].append(start(args.count, forked))
    for forked, way in ((False, "launched, each on its own"), (True, "forked from a zygote")):
        wall = statistics.median(w for w, _ in rounds[forked])
        cpu = statistics.median(c for _, c in rounds[forked])
        print(f"{args.count} kernels {way:26} ready in {wall:5.2f} s, {cpu:5.2f} s of CPU")


if __name__ == "__main__":
    main()
