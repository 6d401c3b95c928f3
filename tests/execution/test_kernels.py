"""Spec: warm kernels kept per thread, started ahead, replaced when broken (execution.kernels)."""

import subprocess
import sys
import threading
import time
from concurrent.futures import wait

import psutil
import pytest
from jupyter_client.kernelspec import KernelSpec

from evalkit.errors import ExitCode
from evalkit.execution import kernels, zygote
from evalkit.files import exclusive
from tests.conftest import kernel_processes, start_run, tiny_notebooks, zygote_processes


@pytest.fixture(autouse=True)
def no_kernel_left():
    yield
    kernels.shutdown()
    assert kernel_processes() == [] and zygote_processes() == []


def test_a_thread_keeps_its_kernel():
    first = kernels.kernel()
    assert kernels.kernel() is first and first.usable()


@pytest.mark.parametrize("forked", [True, False])
def test_a_kernel_started_ahead_is_the_one_a_thread_gets(monkeypatch, forked):
    monkeypatch.setattr(zygote, "supported", lambda: forked)
    launched_in, waited_in = [], []
    launch, ready = kernels.WarmKernel.launch, kernels.WarmKernel.ready

    def launching(self, *args):
        launched_in.append(threading.current_thread().name)
        return launch(self, *args)

    def waiting(self, *args):
        waited_in.append(threading.current_thread().name)
        return ready(self, *args)

    monkeypatch.setattr(kernels.WarmKernel, "launch", launching)
    monkeypatch.setattr(kernels.WarmKernel, "ready", waiting)
    [spare] = kernels.prestart(1)
    k = kernels.kernel()
    assert k.usable() and k is spare.result()
    # It is waited for in a thread of its own. Launched, its process is started at once, by
    # the caller; forked, by that thread, once the zygote has imported the libraries.
    here = threading.current_thread().name
    assert len(waited_in) == 1 and waited_in[0] != here
    assert launched_in == (waited_in if forked else [here])


def test_kernels_started_ahead_and_not_used_are_stopped():
    kernels.prestart(2)
    kernels.shutdown()
    assert kernel_processes() == []


def test_spares_still_starting_are_stopped_at_once():
    # A run whose inputs turn out invalid stops the kernels it started ahead: its error
    # message must not wait for them to boot.
    kernels.prestart(2)
    launched = time.monotonic() + 30
    while len(kernel_processes()) < 2 and time.monotonic() < launched:
        time.sleep(0.01)  # launched, still importing the libraries
    asked = time.monotonic()
    stopped = kernels.stop_spares()
    assert time.monotonic() - asked < 0.5
    assert wait(stopped, timeout=30).not_done == set()
    assert kernel_processes() == []
    assert time.monotonic() - asked < 1  # killed: a kernel's start alone takes longer


SPARES_BOOTING_AT_EXIT = """
import sys, time
from evalkit.execution import kernels
from tests.conftest import kernel_processes
kernels.prestart(2)
end = time.monotonic() + 60
while time.monotonic() < end and len(kernel_processes()) < {kernels}:
    time.sleep(0.01)
time.sleep({wait})  # the kernels (or the zygote) still start; their threads have waited a while
sys.exit(3)  # as `evalkit run` ends on an invalid input
"""


@pytest.mark.parametrize("kernels_launched, wait", [(2, 0.8), (0, 0.3)])
def test_a_run_that_ends_while_its_spares_start_ends_at_once(kernels_launched, wait):
    # At exit jupyter_core stops the event loop that KernelManager.is_alive() runs on: a
    # thread asking it whether its stopped spare still lived waited for ever (120 s). And
    # with no kernel launched yet, the zygote they wait for is still importing.
    script = SPARES_BOOTING_AT_EXIT.format(kernels=kernels_launched, wait=wait)
    started = time.monotonic()
    ended = subprocess.run([sys.executable, "-c", script], timeout=100, capture_output=True)
    assert ended.returncode == 3, ended.stderr
    assert time.monotonic() - started < 15
    assert b"Traceback" not in ended.stderr


def test_stopping_the_spares_leaves_the_kernels_in_use():
    working = kernels.kernel()
    kernels.prestart(2)
    stopped = kernels.stop_spares()  # before they are launched, even
    assert wait(stopped, timeout=30).not_done == set()
    assert working.usable() and kernels.kernel() is working
    assert len(kernel_processes()) == 1


def test_a_kernel_that_never_answers_fails_to_start_with_the_reason(tmp_path):
    km = kernels.kernel_manager(str(tmp_path))
    km._kernel_spec = KernelSpec(argv=[sys.executable, "-c", "import time; time.sleep(60)"])
    km.start_kernel()
    kc = km.client()
    kc.start_channels()
    try:
        with pytest.raises(kernels.KernelError, match="svarede ikke inden for 2 sekunder"):
            kc.wait_for_ready(timeout=2)
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


def test_a_kernel_is_ready_once_it_answers_on_shell_and_iopub():
    k = kernels.kernel()
    came = []
    k.kc.execute_interactive("print('first')", timeout=30, output_hook=came.append)
    assert [m["content"]["text"] for m in came if m["msg_type"] == "stream"] == ["first\n"]


def test_a_kernel_that_died_is_replaced():
    first = kernels.kernel()
    first.km.shutdown_kernel(now=True)
    second = kernels.kernel()
    assert second is not first and second.usable()
    assert kernels.kernel() is second  # and then kept


def test_a_kernel_that_could_not_be_reset_is_replaced():
    first = kernels.kernel()
    with pytest.raises(kernels.KernelError):
        first.reset("/no/such/folder")
    assert not first.usable()
    assert kernels.kernel() is not first


def test_a_kernel_killed_while_it_is_reset_fails_the_reset_at_once(tmp_path):
    # Ctrl-C kills the kernels; a thread resetting one for its next report must see that
    # within seconds, not after RESET_TIMEOUT, or the interrupted run hangs that long.
    k = kernels.kernel()
    k.kc.execute("import time; time.sleep(60)")  # busy: the reset waits behind this
    failed: list[BaseException] = []

    def reset() -> None:
        try:
            k.reset(str(tmp_path))
        except BaseException as exc:
            failed.append(exc)

    resetting = threading.Thread(target=reset)
    resetting.start()
    time.sleep(1)
    k.kill()
    killed = time.monotonic()
    resetting.join(timeout=kernels.RESET_TIMEOUT)

    assert time.monotonic() - killed < 10
    assert [type(exc) for exc in failed] == [kernels.KernelDied]
    assert not k.usable()


# --- a kernel that dies or hangs fails its report, not the run (process tests) ------------------


def finished(run, seconds: float = 300) -> tuple[int, str, str]:
    try:
        out, err = run.communicate(timeout=seconds)  # a hang fails here, not forever
    except subprocess.TimeoutExpired:
        for process in psutil.Process(run.pid).children(recursive=True) + [run]:
            process.kill()
        raise
    return run.returncode, out, err


def test_a_kernel_that_dies_fails_its_report_and_the_others_are_made(tmp_path):
    notebooks = tiny_notebooks(
        tmp_path / "notebooks", 'import os\nif enhed == "Lindon":\n    os._exit(1)\nprint(enhed)'
    )
    started = time.monotonic()

    code, out, err = finished(start_run(tmp_path, notebooks, "--jobs", "2"))

    assert code == ExitCode.UNITS_FAILED, err
    assert time.monotonic() - started < 240
    assert "2025: 18 lavet, 0 genbrugt, 1 fejlet." in out
    assert "2025 Lindon: Kernen stoppede: Python-kernen, der lavede rapporten, stoppede" in err
    assert "Traceback" not in err and "Kernel died" not in err  # Danish only
    reports = tmp_path / "reports"
    assert not (reports / "2025" / "lindon.html").exists()
    assert (reports / "2025" / "karup.html").exists() and (
        reports / "2025" / "elmely.html"
    ).exists()
    index = (reports / "index.html").read_text(encoding="utf-8")
    assert "Fejlet: Kernen stoppede" in index
    with exclusive(reports), exclusive(tmp_path / "data" / "processed"):
        pass  # the locks were let go


def test_a_report_past_its_time_limit_fails_and_the_next_gets_a_fresh_kernel(tmp_path):
    notebooks = tiny_notebooks(
        tmp_path / "notebooks",
        'import time\nif enhed == "Lindon":\n    time.sleep(600)\nprint(enhed)',
    )

    # One worker: the reports after Lindon's run on the kernel that replaced its kernel.
    code, out, err = finished(start_run(tmp_path, notebooks, "--jobs", "1", "--timeout", "4"))

    assert code == ExitCode.UNITS_FAILED, err
    assert "2025 Lindon: Tiden løb ud: rapporten var ikke færdig efter 4 sekunder" in err
    assert "2025: 18 lavet, 0 genbrugt, 1 fejlet." in out
    assert (tmp_path / "reports" / "2025" / "karup.html").exists()  # Karup comes after Lindon
