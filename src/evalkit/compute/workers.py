"""The worker processes that prepare a large input's years side by side.

Workers fork from a server that imports evalkit.compute.build (pandas with it) once, about
0.4 s. This module imports neither pandas nor the build, so `evalkit build` can start that
server first thing: it gets ready while the command itself imports them and reads the
agreement, instead of after.
"""

import os
from multiprocessing import forkserver, get_all_start_methods, get_context
from multiprocessing.context import BaseContext

from evalkit.paths import Paths

# Worker processes cost about 0.5 s to start (their server imports pandas and evalkit); below
# this much input the years are built faster one after another in this process.
PARALLEL_FROM_BYTES = 1_000_000
PRELOADED = "evalkit.compute.build"  # what the server imports once for every worker


def jobs(paths: Paths, years: list[int]) -> int:
    """How many processes prepare `years`: one (the caller) unless the input is large."""
    count = min(os.cpu_count() or 1, len(years))
    size = sum(f.stat().st_size for y in years for f in paths.raw_year(y).rglob("*") if f.is_file())
    return count if size >= PARALLEL_FROM_BYTES else 1


def start(paths: Paths, years: list[int]) -> None:
    """Start the server that worker processes fork from, if `years` will be prepared in
    workers: it imports evalkit while the caller imports it too and checks the years."""
    if jobs(paths, years) > 1 and context().get_start_method() == "forkserver":
        forkserver.ensure_running()


def context() -> BaseContext:
    """How worker processes start: forked from a server that has imported the build once.

    Spawning imports pandas and evalkit again in every worker, 0.5 s or more each before it
    can begin; forking the calling process is unsafe once `evalkit run` has started kernels
    (threads). Where there is no fork server (Windows), workers are spawned.
    """
    if "forkserver" not in get_all_start_methods():
        return get_context("spawn")
    server = get_context("forkserver")
    server.set_forkserver_preload([PRELOADED])
    return server
