"""Warm kernels: started once, with the report libraries imported, reset between reports.

A fresh kernel per report spends about 90 % of the report's time starting Python, importing
pandas and matplotlib, and shutting down. A WarmKernel does that once; before every report
evalkit.execution.isolation, inside the kernel, puts it back as a fresh kernel has it. Each thread
that makes reports keeps one (`kernel()`); kernels can be started ahead (`prestart`), so
they boot while the data is still being built. evalkit.execution.engine runs notebooks on them.

A kernel that dies or hangs fails only its report: every wait on a kernel asks, between
short slices, whether the kernel still lives and whether the report's time is up
(WatchedClient), and a kernel that failed a report is replaced before the next one.

Only jupyter_client is imported here: a kernel can start before papermill is loaded.
"""

import atexit
import os
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, wait
from contextlib import contextmanager, suppress
from queue import Empty

from jupyter_client import KernelManager
from jupyter_client.blocking import BlockingKernelClient
from jupyter_client.channels import ZMQSocketChannel
from jupyter_client.provisioning import LocalProvisioner
from traitlets import Type

from evalkit.errors import EvalkitError
from evalkit.execution import zygote

KERNEL_NAME = "python3"
START_TIMEOUT = 120  # seconds for a kernel to start and import the libraries
RESET_TIMEOUT = 60
STOP_TIMEOUT = 10  # seconds for killed spares to be cleaned up by their threads
POLL = 0.5  # seconds between two looks at a kernel that sends nothing


class KernelError(EvalkitError, RuntimeError):
    """The warm kernel could not be started or reset, or it failed a report.

    `ename` and `evalue` tell the failure in Danish, as a cell error tells its own.
    """

    ename = "Kernefejl"

    @property
    def evalue(self) -> str:
        return str(self)


class KernelDied(KernelError):
    ename = "Kernen stoppede"

    def __init__(self) -> None:
        super().__init__(
            "Python-kernen, der lavede rapporten, stoppede undervejs (fx fordi hukommelsen "
            "slap op), så rapporten blev ikke lavet"
        )


class ReportTimeout(KernelError):
    ename = "Tiden løb ud"

    def __init__(self, seconds: float) -> None:
        super().__init__(
            f"rapporten var ikke færdig efter {seconds:g} sekunder og blev stoppet "
            "(grænsen sættes med --timeout)"
        )


class WatchedChannel(ZMQSocketChannel):
    """A channel whose waits end when its kernel dies or the report's time is up.

    nbclient checks a kernel's life only when a wait ends, and with a blocking client a wait
    for the next message of a cell has no end: a kernel that dies mid-cell held the run
    forever. This channel waits in slices of POLL seconds and asks `watch` between them.
    """

    watch: Callable[[bool], None] | None = None  # raises; the flag: nothing came for a while

    def get_msg(self, timeout: float | None = None) -> dict:
        end = None if timeout is None else time.monotonic() + timeout
        quiet = False
        while True:
            if self.watch is not None:
                self.watch(quiet)
            left = POLL if end is None else max(0.0, min(POLL, end - time.monotonic()))
            try:
                return super().get_msg(timeout=left)
            except Empty:
                if end is not None and time.monotonic() >= end:
                    raise
                quiet = True


class WatchedClient(BlockingKernelClient):
    """A blocking kernel client whose shell and IOPub waits end when the kernel dies, or when
    `deadline` (time.monotonic()) passes: nbclient then fails the report, not the run."""

    shell_channel_class = Type(WatchedChannel)
    iopub_channel_class = Type(WatchedChannel)
    deadline: float | None = None
    seconds: float | None = None  # the time limit `deadline` was set from

    @property
    def shell_channel(self):
        return self._watched(super().shell_channel)

    @property
    def iopub_channel(self):
        return self._watched(super().iopub_channel)

    def _watched(self, channel):
        channel.watch = self._check
        return channel

    def wait_for_ready(self, timeout: float | None = None) -> None:
        """Return once the kernel answers: as jupyter_client's, without its last step.

        Ready is: the kernel has replied to kernel_info on shell, and IOPub delivers (its
        welcome or a status message), so no output of the first report is lost. jupyter_client
        then read IOPub until nothing had come for 0.2 s, a wait every kernel's start paid;
        what is left there belongs to no request of a report's, and nbclient skips it.
        """
        end = None if timeout is None else time.monotonic() + timeout
        while end is None or time.monotonic() < end:
            self.kernel_info()
            try:
                reply = self.get_shell_msg(timeout=1)  # the kernel may still be starting
                if reply["msg_type"] != "kernel_info_reply":
                    continue
                self.get_iopub_msg(timeout=0.2)  # nothing: IOPub not yet connected, ask again
            except Empty:
                continue
            self._handle_kernel_info_reply(reply)
            return
        raise KernelError(f"kernen svarede ikke inden for {timeout:g} sekunder")

    def _check(self, quiet: bool) -> None:
        if self.deadline is not None and time.monotonic() > self.deadline:
            raise ReportTimeout(self.seconds or 0)
        # Asking costs a little: only when the kernel has been quiet.
        if quiet and isinstance(self.parent, KernelManager) and not _alive(self.parent):
            raise KernelDied()


def _alive(km: KernelManager) -> bool:
    """Whether the kernel's process runs, asked of the process itself.

    KernelManager.is_alive(), called here from inside the client's event loop, goes through
    a helper loop of jupyter_core's that stops when Python begins to exit: a thread still
    waiting on a kernel then (a spare stopped as a run fails) waited forever.
    """
    process = getattr(km.provisioner, "process", None)
    if process is None:
        return km.has_kernel and km.is_alive()  # not a local process: as jupyter_client says
    return process.poll() is None


class QuietKernelManager(KernelManager):
    """A kernel whose own log lines stay out of the analyst's terminal, forked from `zygote`
    where one is given and can fork it (evalkit.execution.zygote), else launched.

    Cell errors still reach us through the kernel protocol and papermill.
    """

    zygote: "zygote.Zygote | None" = None

    async def _async_launch_kernel(self, kernel_cmd, **kw):
        kw.setdefault("stderr", subprocess.DEVNULL)
        provisioner = self.provisioner
        if (
            self.zygote is not None
            and type(provisioner) is LocalProvisioner
            and zygote.forks(kernel_cmd)
            and set(kw) <= {"env", "stderr"}  # nothing else asked of the launch
        ):
            env = kw.get("env") or dict(os.environ)
            try:
                process = self.zygote.fork(kernel_cmd, env, kw["stderr"] == subprocess.DEVNULL)
            except OSError:
                pass  # launched, as without a zygote
            else:
                # What LocalProvisioner.launch_kernel notes of a process it launched.
                provisioner.process = process
                provisioner.pid = provisioner.pgid = process.pid
                provisioner.cwd = os.getcwd()
                self._reconcile_connection_info(provisioner.connection_info)
                return
        return await super()._async_launch_kernel(kernel_cmd, **kw)


def kernel_manager(sockets: str, forked_from: "zygote.Zygote | None" = None) -> KernelManager:
    """A kernel manager on IPC sockets under the folder `sockets`: local files, not TCP ports;
    its kernel forked from `forked_from` where it can be.

    Its clients are WatchedClients, also the one nbclient makes for a fresh kernel.
    """
    km = QuietKernelManager(
        kernel_name=KERNEL_NAME,
        transport="ipc",
        ip=f"{sockets}/kernel",
        client_factory=WatchedClient,
    )
    km.zygote = forked_from
    return km


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

    def __init__(
        self, wanted: Callable[[], bool] = lambda: True, forked_from: "zygote.Zygote | None" = None
    ) -> None:
        """Start the kernel (forked from `forked_from` where it can be) and wait until it is
        ready: launch(), then ready(wanted)."""
        self.launch(forked_from)
        self.ready(wanted)

    @classmethod
    def launched(cls) -> "WarmKernel":
        """A kernel whose process runs, not yet ready: call ready() (in another thread)."""
        k = cls.__new__(cls)
        k.launch()
        return k

    def launch(self, forked_from: "zygote.Zygote | None" = None) -> None:
        """Start the kernel's process (forked from `forked_from` where it can be)."""
        self._sockets = tempfile.TemporaryDirectory(prefix="evalkit-")
        self.km = kernel_manager(self._sockets.name, forked_from)
        # As nbclient starts its kernels: the input history in memory, not in a shared file.
        self.km.start_kernel(extra_arguments=["--HistoryManager.hist_file=:memory:"])
        self.kc: WatchedClient | None = None
        self.broken = False
        with _lock:
            _booting.append(self)  # from now on kill() and stop_spares() reach it

    def ready(self, wanted: Callable[[], bool] = lambda: True) -> None:
        """Wait until the launched kernel answers, and prepare it for the reports. `wanted` is
        asked first: a spare no longer wanted (stop_spares) is killed, not left to boot."""
        try:
            self.kc = self.km.client()
            self.kc.start_channels()
            with _lock:
                unwanted = not wanted()
            if unwanted:
                self.kill()
            self.kc.wait_for_ready(timeout=START_TIMEOUT)
            self.kc.allow_stdin = False
            self._run(f"{_ISOLATION}.prepare()", START_TIMEOUT)
        except BaseException:
            self.shutdown()
            raise
        finally:
            with _lock:
                _booting.remove(self)

    def usable(self) -> bool:
        return not self.broken and self.km.is_alive()

    def kill(self) -> None:
        """Stop the kernel's process at once, from any thread; the thread driving the kernel
        sees it die within POLL seconds. shutdown() cleans up after."""
        try:
            self.km.signal_kernel(signal.SIGKILL)
        except Exception:  # already gone
            pass

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
            if self.kc is not None:
                self.kc.stop_channels()
            if self.km.has_kernel:
                self.kill()
                # Reaped here as soon as it is gone: jupyter_client looks again only every
                # 0.1 s, which every run paid at its end.
                process = getattr(self.km.provisioner, "process", None)
                if process is not None:
                    with suppress(subprocess.TimeoutExpired):  # then jupyter_client waits
                        process.wait(timeout=5)
                self.km.shutdown_kernel(now=True)
            self.km.cleanup_resources()
        finally:
            self._sockets.cleanup()

    def _run(self, code: str, timeout: float) -> None:
        """Run evalkit's own `code` and wait for its reply, on the watched shell channel: a
        kernel killed meanwhile (Ctrl-C) ends the wait within POLL seconds, not at `timeout`.
        Its IOPub messages are left to nbclient, which skips those of other requests."""
        msg_id = self.kc.execute(code, silent=True, store_history=False, allow_stdin=False)
        end = time.monotonic() + timeout
        while True:
            try:
                reply = self.kc.get_shell_msg(timeout=max(0.0, end - time.monotonic()))
            except Empty:
                raise KernelError(f"kernen svarede ikke inden for {timeout:g} sekunder") from None
            if reply["parent_header"].get("msg_id") == msg_id:
                break
        content = reply["content"]
        if content["status"] != "ok":
            raise KernelError(f"{content.get('ename')}: {content.get('evalue')}")


# Reached through sys.modules: the reset must not leave a name in the user namespace.
_ISOLATION = "__import__('importlib').import_module('evalkit.execution.isolation')"


# -- one kernel per thread ----------------------------------------------------------------
_local = threading.local()
_all: list[WarmKernel] = []
_booting: list[WarmKernel] = []  # launched, not yet ready
_spares: list[Future] = []
_abandoned: set[Future] = set()  # spares still starting when they were stopped
_lock = threading.Lock()
_zygote: zygote.Zygote | None = None  # started with two or more spares; kernels fork from it


def kernel() -> WarmKernel:
    """This thread's warm kernel: a spare one, or a new one; again if it died or broke."""
    current = getattr(_local, "kernel", None)
    if current is not None and current.usable():
        return current
    if current is not None:
        _stop(current)
    _local.kernel = _spare() or _started(forked_from=_forking())
    return _local.kernel


def start() -> None:
    """Get this thread's kernel ready now, before its first report.

    A kernel that fails to start here is tried again by the first report, which then
    fails with the reason.
    """
    try:
        kernel()
    except Exception:
        pass


def prestart(count: int, spawned: zygote.Zygote | None = None) -> list[Future]:
    """Start `count` kernels in the background for the reports to come; kernel() takes them.
    Their futures are returned: each is done once its kernel is ready, or failed, or stopped
    unused (stop_spares).

    They are forked from a zygote, which imports their libraries once for all
    (evalkit.execution.zygote): two kernels' start takes 1.26 s of CPU instead of 2.43 s
    (scripts/bench_kernels.py), CPU that the run's own work before the first report shares.
    Also a single one: kernels started later (more, once the plan shows more reports, or a
    replacement) fork from the same zygote, for 0.2 s of CPU each. `spawned`: a zygote the
    caller has started already, to be used (or stopped, where one runs).
    """
    global _zygote
    with _lock:
        if count and zygote.supported() and (_zygote is None or not _zygote.usable()):
            _zygote, spawned = spawned if spawned is not None else zygote.Zygote(), None
    if spawned is not None:
        spawned.stop()
    started = []
    for _ in range(count):
        future: Future = Future()
        with _lock:
            _spares.append(future)
        launched = None
        if _forking() is None:
            # Its process starts now, from this thread: from its own, it started only once
            # this thread let go of the interpreter, which importing pandas next does not
            # (0.2 s later). A kernel to be forked waits for the zygote's imports instead.
            try:
                launched = WarmKernel.launched()
            except Exception:  # its thread tries again and fails with the reason
                pass
        threading.Thread(target=_start_into, args=(future, launched), daemon=True).start()
        started.append(future)
    return started


def kill() -> None:
    """Stop every kernel's process now, also those still starting, so the reports on them
    end (an interruption).

    Only the processes: the threads that drive the kernels still use their sockets, and a
    socket may be closed only by its own thread or after it; shutdown() does that.
    """
    with _lock:
        kernels = _all + _booting
    for k in kernels:
        k.kill()


def stop_spares() -> list[Future]:
    """Stop the kernels started ahead (prestart) that no report took, without waiting for
    those still starting: their processes are killed, and their own threads clean up; the
    spares' futures are done when they have. Call it when no thread is starting a kernel of
    its own."""
    with _lock:
        spares, _spares[:] = list(_spares), []
        starting = list(_booting)
        pending = {f for f in spares if not f.done()}
        _abandoned.update(pending)
    for k in starting:
        k.kill()
    for future in spares:
        if future not in pending and future.exception() is None:
            _stop(future.result())
    return spares


def shutdown() -> None:
    """Stop every warm kernel of this process, the spare ones too."""
    stop_spares()
    _stop_zygote()  # a spare waiting for it to be forked is not waited for: it is not started
    with _lock:
        starting = list(_abandoned)
    wait(starting, timeout=STOP_TIMEOUT)
    with _lock:
        kernels = list(_all)
    for k in kernels:  # all at once, then each cleaned up
        k.kill()
    for k in kernels:
        _stop(k)
    _local.kernel = None


def _forking() -> zygote.Zygote | None:
    with _lock:
        return _zygote if _zygote is not None and _zygote.usable() else None


def _stop_zygote() -> None:
    global _zygote
    with _lock:
        ending, _zygote = _zygote, None
    if ending is not None:
        ending.stop()


def _started(
    wanted: Callable[[], bool] = lambda: True,
    forked_from: zygote.Zygote | None = None,
    launched: WarmKernel | None = None,
) -> WarmKernel:
    if launched is None:
        k = WarmKernel(wanted, forked_from)
    else:
        k = launched
        k.ready(wanted)
    with _lock:
        _all.append(k)
    return k


def _start_into(future: Future, launched: WarmKernel | None = None) -> None:
    try:
        k = _started(lambda: future not in _abandoned, _forking(), launched)
    except BaseException as exc:
        with _lock:
            _abandoned.discard(future)
        future.set_exception(exc)
        return
    with _lock:
        abandoned = future in _abandoned
        _abandoned.discard(future)
        if not abandoned:
            future.set_result(k)
    if abandoned:  # stop_spares() came while it started: stopped before the result is told
        _stop(k)
        future.set_result(k)


def _spare() -> WarmKernel | None:
    with _lock:
        future = _spares.pop(0) if _spares else None
    if future is None:
        return None
    try:
        k = future.result(timeout=START_TIMEOUT)
    except Exception:
        return None
    return k if k.usable() else None


def _stop(k: WarmKernel) -> None:
    with _lock:
        if k not in _all:  # stopped already, by another thread
            return
        _all.remove(k)
    try:
        k.shutdown()
    except Exception:  # a kernel that is already gone needs no stopping
        pass


def _at_exit() -> None:
    """As Python exits (a run that ended early: an invalid input, nothing to publish): every
    kernel is killed and the ready ones cleaned up. The threads still starting one are not
    waited for: they end with Python, and what they launched is killed, by stop_spares() or
    by their own check of `wanted` (WarmKernel)."""
    kill()
    stop_spares()
    _stop_zygote()
    with _lock:
        kernels = list(_all)
    for k in kernels:
        _stop(k)


atexit.register(_at_exit)
