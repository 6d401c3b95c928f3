"""Warm kernels for papermill: started once per worker, reset between reports.

A fresh kernel per report spends about 90 % of the report's time starting Python, importing
pandas and matplotlib, and shutting down. Here each worker (process or thread) keeps one
kernel with those imports done, and before every report evalkit.isolation puts the kernel
back as a fresh one has it. The reports come out the same as with papermill's own engine
(tests/test_engine.py compares them).

papermill runs the notebook through its documented seam: the engine registered as "evalkit",
given the kernel as `warm_kernel`.
"""

import atexit
import os
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from jupyter_client import KernelManager
from papermill.clientwrap import PapermillNotebookClient
from papermill.engines import NBClientEngine, papermill_engines
from papermill.log import logger
from papermill.utils import merge_kwargs, remove_args

ENGINE_NAME = "evalkit"
KERNEL_NAME = "python3"
START_TIMEOUT = 120  # seconds for a kernel to start and import the libraries
RESET_TIMEOUT = 60


class KernelError(RuntimeError):
    """The warm kernel could not be started or reset."""


class QuietKernelManager(KernelManager):
    """A kernel whose own log lines stay out of the analyst's terminal.

    Cell errors still reach us through the kernel protocol and papermill.
    """

    async def _async_launch_kernel(self, kernel_cmd, **kw):
        kw.setdefault("stderr", subprocess.DEVNULL)
        return await super()._async_launch_kernel(kernel_cmd, **kw)


def kernel_manager(sockets: str) -> KernelManager:
    """A kernel manager on IPC sockets under the folder `sockets`: local files, not TCP ports."""
    return QuietKernelManager(kernel_name=KERNEL_NAME, transport="ipc", ip=f"{sockets}/kernel")


@contextmanager
def fresh_kernel() -> Iterator[KernelManager]:
    """A kernel manager for one notebook, as plain papermill uses: nbclient starts the kernel.

    nbclient leaves a kernel it was handed running, so it is stopped here.
    """
    with tempfile.TemporaryDirectory(prefix="evalkit-") as sockets:
        km = kernel_manager(sockets)
        try:
            yield km
        finally:
            if km.has_kernel:
                km.shutdown_kernel(now=True)
            km.cleanup_resources()


class WarmKernel:
    """One kernel with the report libraries imported, reused report after report."""

    def __init__(self) -> None:
        self._sockets = tempfile.TemporaryDirectory(prefix="evalkit-")
        self.km = kernel_manager(self._sockets.name)
        # As nbclient starts its kernels: the input history in memory, not in a shared file.
        self.km.start_kernel(extra_arguments=["--HistoryManager.hist_file=:memory:"])
        self.kc = self.km.client()
        self.kc.start_channels()
        self.broken = False
        try:
            self.kc.wait_for_ready(timeout=START_TIMEOUT)
            self.kc.allow_stdin = False
            self._run(f"{_ISOLATION}.prepare()", START_TIMEOUT)
        except BaseException:
            self.shutdown()
            raise

    def usable(self) -> bool:
        return not self.broken and self.km.is_alive()

    def reset(self, cwd: str) -> None:
        """Make the kernel as a fresh one, working in `cwd`."""
        try:
            self._run(f"{_ISOLATION}.reset({cwd!r})", RESET_TIMEOUT)
        except BaseException:
            self.broken = True  # a kernel that cannot be reset is not used again
            raise

    def shutdown(self) -> None:
        # Nothing in the kernel is worth a graceful goodbye: stop it at once.
        try:
            self.kc.stop_channels()
            if self.km.has_kernel:
                self.km.shutdown_kernel(now=True)
            self.km.cleanup_resources()
        finally:
            self._sockets.cleanup()

    def _run(self, code: str, timeout: float) -> None:
        reply = self.kc.execute_interactive(
            code, silent=True, store_history=False, timeout=timeout, output_hook=_ignore
        )
        content = reply["content"]
        if content["status"] != "ok":
            raise KernelError(f"{content.get('ename')}: {content.get('evalue')}")


# Reached through sys.modules: the reset must not leave a name in the user namespace.
_ISOLATION = "__import__('importlib').import_module('evalkit.isolation')"


def _ignore(_msg) -> None:
    pass


class WarmEngine(NBClientEngine):
    """papermill's nbclient engine, on the warm kernel passed as `warm_kernel`."""

    @classmethod
    def execute_managed_notebook(
        cls,
        nb_man,
        kernel_name,
        warm_kernel: WarmKernel,
        log_output=False,
        stdout_file=None,
        stderr_file=None,
        start_timeout=60,
        execution_timeout=None,
        **kwargs,
    ):
        # papermill has already moved into the report's working folder.
        warm_kernel.reset(os.getcwd())
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
        return client.execute()


papermill_engines.register(ENGINE_NAME, WarmEngine)


# -- one kernel per worker ----------------------------------------------------------------
_local = threading.local()
_all: list[WarmKernel] = []
_lock = threading.Lock()
_reports = 0


def kernel() -> WarmKernel:
    """This thread's warm kernel, started on first use and again if it died or broke."""
    current = getattr(_local, "kernel", None)
    if current is not None and current.usable():
        return current
    if current is not None:
        _stop(current)
    _local.kernel = WarmKernel()
    with _lock:
        _all.append(_local.kernel)
    return _local.kernel


def start() -> None:
    """Start this worker's kernel now, while the work is still being handed out.

    A kernel that fails to start here is tried again by the first report, which then
    fails with the reason; the worker itself stays up.
    """
    try:
        kernel()
    except Exception:
        pass


def reports_run() -> int:
    """How many reports this process has run on warm kernels (for tests and the benchmark)."""
    return _reports


def shutdown() -> None:
    """Stop every warm kernel of this process."""
    with _lock:
        kernels = list(_all)
    for k in kernels:
        _stop(k)
    _local.kernel = None


def _stop(k: WarmKernel) -> None:
    with _lock:
        if k in _all:
            _all.remove(k)
    try:
        k.shutdown()
    except Exception:  # a kernel that is already gone needs no stopping
        pass


atexit.register(shutdown)
