"""Beyond one machine: a dask.distributed cluster's executor takes the reports.

`evalkit run --dask tcp://server:8786` sends every report to the cluster's workers instead
of the local threads and their warm kernels; the batch hands the work to any
concurrent.futures executor, and dask's Client.get_executor() is one. Each dask worker keeps
a warm kernel per worker thread.
The workers need evalkit installed and the project folder (data, notebooks, reports) at the
same absolute path as here, for example on a shared disk. dask is optional: `make .venv/.test`
installs the locked version (with the test tools, whose dask test needs it).
"""

from collections.abc import Iterator
from concurrent.futures import Executor
from contextlib import contextmanager

from evalkit.errors import EvalkitError

CONNECT_TIMEOUT = "20s"


class ClusterError(EvalkitError):
    """The cluster cannot be used; the message is for the analyst (Danish)."""


@contextmanager
def executor(address: str | None) -> Iterator[Executor | None]:
    """The executor of the dask scheduler at `address`; None (the local pool) without one."""
    if address is None:
        yield None
        return
    try:
        from dask.distributed import Client
    except ImportError:
        raise ClusterError(
            "--dask kræver dask. Installér den låste version med: make .venv/.test"
        ) from None
    try:
        client = Client(address, timeout=CONNECT_TIMEOUT)
    except (OSError, ValueError) as exc:
        raise ClusterError(f"dask-klyngen på {address} svarer ikke ({exc}).") from None
    with client:
        yield client.get_executor()
