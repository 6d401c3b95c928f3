"""A papermill engine that runs a notebook on a warm kernel (evalkit.execution.kernels).

papermill runs the notebook through its documented seam: the engine registered as "evalkit",
given the kernel as `warm_kernel`. The reports come out the same as with papermill's own
engine on a fresh kernel (tests/test_engine.py compares them).
"""

import os
import time

from papermill.clientwrap import PapermillNotebookClient
from papermill.engines import NBClientEngine, papermill_engines
from papermill.log import logger
from papermill.utils import merge_kwargs, remove_args

from evalkit.execution.kernels import ReportTimeout, WarmKernel

ENGINE_NAME = "evalkit"
_reports = 0


class WarmEngine(NBClientEngine):
    """papermill's nbclient engine, on the warm kernel passed as `warm_kernel`."""

    @classmethod
    def execute_managed_notebook(
        cls,
        nb_man,
        kernel_name,
        warm_kernel: WarmKernel,
        kernel_cwd: str | None = None,
        report_timeout: float | None = None,
        log_output=False,
        stdout_file=None,
        stderr_file=None,
        start_timeout=60,
        execution_timeout=None,
        **kwargs,
    ):
        # The report's working folder: given, or the one papermill has moved into.
        warm_kernel.reset(kernel_cwd or os.getcwd())
        kwargs = remove_args(["input_path", "timeout", "startup_timeout"], **kwargs)
        client = PapermillNotebookClient(
            nb_man,
            km=warm_kernel.km,
            **merge_kwargs(
                kwargs,
                timeout=execution_timeout,
                startup_timeout=start_timeout,
                kernel_name=kernel_name,
                log=logger,
                log_output=log_output,
                stdout_file=stdout_file,
                stderr_file=stderr_file,
            ),
        )
        client.kc = warm_kernel.kc  # the client is ours: nbclient neither opens nor closes one
        global _reports
        _reports += 1
        # The report's time limit: the kernel's client ends its waits when it has passed.
        warm_kernel.kc.seconds = report_timeout
        warm_kernel.kc.deadline = time.monotonic() + report_timeout if report_timeout else None
        try:
            return client.execute()
        except ReportTimeout:
            warm_kernel.broken = True  # still busy with the cell: a fresh one takes over
            raise
        finally:
            warm_kernel.kc.deadline = None


papermill_engines.register(ENGINE_NAME, WarmEngine)


def reports_run() -> int:
    """How many reports this process has run on warm kernels (for tests and the benchmark)."""
    return _reports
