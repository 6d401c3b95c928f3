"""Spec: kernels forked from a zygote are the kernels jupyter_client launches, started for less
(execution.zygote); the zygote and its kernels end with the run."""

import json
import os
import signal
import subprocess
import sys
import threading
import time

import psutil
import pytest

from evalkit.execution import kernels, zygote
from tests.conftest import kernel_processes, warm_kernel, zygote_processes

pytestmark = pytest.mark.skipif(not zygote.supported(), reason="kernels are forked on Linux only")


@pytest.fixture(autouse=True)
def nothing_left():
    yield
    kernels.shutdown()
    assert kernel_processes() == [] and zygote_processes() == []


# What a report's code could see of the process it runs in, noted after the kernel's start.
STATE = """
import json, os, sys, warnings
import matplotlib, numpy
print(json.dumps({
    "path": sys.path, "argv": [sys.argv[0], *sys.argv[3:]], "cwd": os.getcwd(),
    "environ": {k: v for k, v in os.environ.items() if k != "JPY_PARENT_PID"},
    "rcParams": repr(sorted(matplotlib.rcParams.items())),
    # In another order: ipykernel's start adds one for Trio's message after the zygote has
    # imported numpy, which adds three for its own. Filters for different messages: either
    # order lets the same warnings through.
    "warnings": sorted(map(repr, warnings.filters)),
    "numpy": repr(numpy.get_printoptions()),
    "evalkit": sorted(m for m in sys.modules if m.startswith("evalkit")),
}))
"""


def state(k: kernels.WarmKernel) -> dict:
    k.reset(os.getcwd())  # as before a report
    came = []
    reply = k.kc.execute_interactive(STATE, timeout=60, output_hook=came.append)
    assert reply["content"]["status"] == "ok", reply["content"]
    return json.loads("".join(m["content"]["text"] for m in came if m["msg_type"] == "stream"))


def test_kernels_started_together_are_forked_from_one_zygote():
    started = [f.result(timeout=120) for f in kernels.prestart(2)]

    [parent] = zygote_processes()
    for k in started:
        process = k.km.provisioner.process
        assert isinstance(process, zygote.ForkedProcess)
        assert psutil.Process(process.pid).ppid() == parent.pid
        # A group of its own, as a launched kernel has: a signal to it reaches no one else.
        assert os.getpgid(process.pid) == process.pid != os.getpgid(0)
    assert len(kernel_processes()) == 2


def test_a_single_kernel_is_forked_too_and_one_started_later_from_the_same_zygote():
    # One afdeling's new figures: one kernel ahead, a second once the plan shows 3 reports.
    kernels.prestart(1)
    [parent] = zygote_processes()
    got: list[kernels.WarmKernel] = []
    threads = [threading.Thread(target=lambda: got.append(kernels.kernel())) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert len(got) == 2 and got[0] is not got[1]
    for k in got:
        process = k.km.provisioner.process
        assert isinstance(process, zygote.ForkedProcess)
        assert psutil.Process(process.pid).ppid() == parent.pid
    assert zygote_processes() == [parent]


def test_a_forked_kernel_starts_as_a_launched_one():
    with warm_kernel("launched") as launched, warm_kernel("forked") as forked:
        assert state(forked) == state(launched)


# The zygote's imports, as it ends when no kernel is asked for.
ZYGOTE_IMPORTS = """
import json, sys
from evalkit.execution import zygote
zygote.serve()
print(json.dumps(sorted(sys.modules)))
"""


def test_the_debugger_every_kernel_makes_is_imported_once_in_the_zygote():
    # ipykernel makes a Debugger as each kernel starts: debugpy and its pydevd, about 0.06 s
    # of CPU that each forked kernel would spend again.
    done = subprocess.run([sys.executable, "-c", ZYGOTE_IMPORTS], stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, check=True, timeout=120)  # fmt: skip
    imported = json.loads(done.stdout.splitlines()[-1])
    assert {"ipykernel.debugger", "debugpy"} <= set(imported)


def test_a_killed_forked_kernel_is_seen_dead_and_the_others_go_on():
    first, second = [f.result(timeout=120) for f in kernels.prestart(2)]
    first.kill()
    first.km.provisioner.process.wait(timeout=10)

    assert not first.usable()
    assert second.usable() and zygote_processes()
    replaced = kernels.kernel()  # this thread's: forked from the same zygote
    assert isinstance(replaced.km.provisioner.process, zygote.ForkedProcess)
    came = []
    replaced.kc.execute_interactive("print(6 * 7)", timeout=60, output_hook=came.append)
    assert [m["content"]["text"] for m in came if m["msg_type"] == "stream"] == ["42\n"]


def test_a_kernel_waiting_for_a_stopped_zygote_is_not_started():
    forked_from = zygote.Zygote()
    failed = []

    def start() -> None:
        try:
            kernels.WarmKernel(forked_from=forked_from).shutdown()
        except Exception as exc:
            failed.append(exc)

    waiting = threading.Thread(target=start)
    waiting.start()
    time.sleep(0.3)  # the zygote still imports; the kernel waits for it
    stopped = time.monotonic()
    forked_from.stop()
    waiting.join(timeout=30)

    assert time.monotonic() - stopped < 1
    assert [type(exc) for exc in failed] == [zygote.Stopped]
    assert kernel_processes() == []


def test_a_zygote_that_ended_by_itself_leaves_the_kernel_to_be_launched():
    forked_from = zygote.Zygote()
    forked_from.process.kill()
    forked_from.process.wait()
    k = kernels.WarmKernel(forked_from=forked_from)
    try:
        assert isinstance(k.km.provisioner.process, subprocess.Popen) and k.usable()
    finally:
        k.shutdown()


def test_only_this_pythons_ipykernel_is_forked():
    assert zygote.forks([sys.executable, "-m", "ipykernel_launcher", "-f", "c.json"])
    assert not zygote.forks([sys.executable, "-m", "other_kernel", "-f", "c.json"])
    assert not zygote.forks(["/no/such/python", "-m", "ipykernel_launcher", "-f", "c.json"])


RUN_THAT_DIES = """
import os, signal
from evalkit.execution import kernels
for future in kernels.prestart(2):
    future.result(timeout=120)
print(os.getpid(), flush=True)
signal.pause()
"""


def test_the_zygote_and_its_kernels_end_when_the_run_is_killed():
    run = subprocess.Popen([sys.executable, "-c", RUN_THAT_DIES], stdout=subprocess.PIPE, text=True)
    try:
        run.stdout.readline()  # its kernels are ready
        left = psutil.Process(run.pid).children(recursive=True)
        assert len(left) == 3  # the zygote and two kernels
    finally:
        run.send_signal(signal.SIGKILL)  # no atexit, no cleanup of its own
        run.wait()
    gone, alive = psutil.wait_procs(left, timeout=15)
    assert alive == []
