"""Kernels forked from one process that has imported their libraries once.

A kernel's start is mostly imports: ipykernel, numpy, pandas, matplotlib and what the
reports' code pulls in, about 1.2 s of CPU of the 1.3 s it takes. When a run starts two or
more kernels at once (evalkit.execution.kernels.prestart), a zygote process does those
imports once and forks a kernel for each: each then only sets up its sockets and its shell,
and notes the state its reports start from (evalkit.execution.isolation.prepare), as a
launched kernel does.

A forked kernel is the kernel jupyter_client would have launched, from the same command
line: the same ipykernel, connection file, environment (but its parent's pid) and working
folder, its own process group, its stdin, stdout and (quiet) stderr on /dev/null (what the
reports' code prints goes to the notebook through ipykernel either way). The manager sees it
through ForkedProcess, which does what jupyter_client asks of a subprocess.Popen. Only on
Linux (os.pidfd_open: a process that is not our child is watched without races); elsewhere,
or for another kernel command, kernels are launched as usual.

The zygote ends when this process closes its pipe (it ends, or stop()); a kernel ends when
the zygote does (ipykernel watches its parent: JPY_PARENT_PID).
"""

import json
import os
import select
import signal
import subprocess
import sys
import threading

LAUNCHER = ["-m", "ipykernel_launcher"]  # the kernel command a zygote can fork
START_TIMEOUT = 120  # seconds for the zygote to import the libraries


def supported() -> bool:
    return sys.platform == "linux" and hasattr(os, "pidfd_open") and hasattr(os, "fork")


def forks(cmd: list[str]) -> bool:
    """Whether a kernel launched with `cmd` is the one a zygote forks: this Python's
    ipykernel_launcher."""
    return len(cmd) >= 3 and cmd[1:3] == LAUNCHER and _same_python(cmd[0])


def _same_python(executable: str) -> bool:
    try:
        return os.path.samefile(executable, sys.executable)
    except OSError:
        return False


class Stopped(Exception):
    """The zygote was stopped (stop()) while a kernel waited to be forked from it."""


class Zygote:
    """A zygote process, started at once; fork() waits until it has imported everything."""

    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", __name__],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            # Its own process group: Ctrl-C in the terminal reaches the run, which stops it.
            start_new_session=True,
        )
        self._lock = threading.Lock()
        self._stopped = False

    def usable(self) -> bool:
        return not self._stopped and self.process.poll() is None

    def fork(self, cmd: list[str], env: dict[str, str], quiet: bool) -> "ForkedProcess":
        """A kernel running `cmd` (see forks()) with `env`, in this process's working folder;
        `quiet`: its stderr on /dev/null. Raises OSError when the zygote cannot fork one,
        Stopped when it was stopped meanwhile."""
        request = {
            "argv": cmd[3:],
            "env": {**env, "JPY_PARENT_PID": str(self.process.pid)},
            "cwd": os.getcwd(),
            "quiet": quiet,
        }
        with self._lock:
            if not self.usable():
                raise OSError("the zygote has ended")
            try:
                self.process.stdin.write(json.dumps(request) + "\n")
                self.process.stdin.flush()
                reply = _read_line(self.process.stdout, START_TIMEOUT)
            except (OSError, ValueError) as exc:  # a closed pipe: it ended
                if self._stopped:
                    raise Stopped() from exc
                raise OSError("the zygote has ended") from exc
        if not reply.strip().isdigit():
            raise OSError(f"the zygote could not fork a kernel: {reply.strip()}")
        return ForkedProcess(int(reply))

    def stop(self) -> None:
        """End the zygote now, also while it still imports: a kernel waiting to be forked is
        then not started (Stopped). The kernels it forked end with it."""
        self._stopped = True
        try:
            self.process.kill()
            self.process.wait(timeout=5)
        except (OSError, subprocess.TimeoutExpired):
            pass
        with self._lock:  # no fork() is waiting now: it read the end of the pipe
            for stream in (self.process.stdin, self.process.stdout):
                try:
                    stream.close()
                except OSError:
                    pass


def _read_line(stream, timeout: float) -> str:
    ready, _, _ = select.select([stream], [], [], timeout)
    if not ready:
        raise OSError("the zygote did not answer")
    line = stream.readline()
    if not line:
        raise OSError("the zygote has ended")
    return line


class ForkedProcess:
    """A forked kernel's process, as jupyter_client uses a subprocess.Popen: poll, wait,
    send_signal, kill, terminate. Watched through a pidfd, so a signal never reaches another
    process that got the same pid later; its exit status belongs to the zygote (its parent),
    so a kernel that ended has returncode -SIGKILL if it was killed from here, 1 otherwise."""

    stdin = stdout = stderr = None

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.returncode: int | None = None
        self._killed = False
        try:
            self._fd: int | None = os.pidfd_open(pid)
        except ProcessLookupError:  # ended already
            self._fd = None
            self.returncode = 1

    def poll(self) -> int | None:
        if self.returncode is None and select.select([self._fd], [], [], 0)[0]:
            self._ended()
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        if self.returncode is None:
            if not select.select([self._fd], [], [], timeout)[0]:
                raise subprocess.TimeoutExpired(f"kernel {self.pid}", timeout)
            self._ended()
        return self.returncode

    def send_signal(self, signum: int) -> None:
        if self.returncode is None:
            try:
                signal.pidfd_send_signal(self._fd, signum)
            except ProcessLookupError:
                return
            if signum == signal.SIGKILL:
                self._killed = True

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)

    def _ended(self) -> None:
        self.returncode = -signal.SIGKILL if self._killed else 1
        os.close(self._fd)
        self._fd = None

    def __del__(self) -> None:
        if getattr(self, "_fd", None) is not None:
            os.close(self._fd)


# -- in the zygote ------------------------------------------------------------------------


def serve() -> None:
    """Import the kernel's libraries, then fork a kernel for each request on stdin (a line of
    JSON: argv, env, cwd, quiet), answering each with the kernel's pid; end at EOF."""
    import gc
    from pathlib import Path

    # As ipykernel_launcher starts: without the working folder (`-m` put it first) on
    # sys.path, where a folder of the analyst's could hide a library.
    if sys.path[0] == "" or Path(sys.path[0]) == Path.cwd():
        del sys.path[0]
    from evalkit.execution import isolation

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the run stops it
    import ipykernel.kernelapp  # noqa: F401 (imported once, for every kernel)

    # Each kernel makes a Debugger as it starts: debugpy and its pydevd, about 0.06 s of CPU,
    # imported here once. The import sets defaults in the environment, which each kernel then
    # sets in its own, as its import would have.
    before = set(os.environ)
    import ipykernel.debugger  # noqa: F401

    defaults = {name: value for name, value in os.environ.items() if name not in before}

    # matplotlib reads its backend on import: the one ipykernel's start names (for a
    # report's pyplot figures) before anything imports it (IPKernelApp.init_gui_pylab).
    if not os.environ.get("MPLBACKEND"):
        os.environ["MPLBACKEND"] = "module://matplotlib_inline.backend_inline"

    isolation.preload()
    gc.freeze()  # what the kernels share stays shared: the collector does not touch it
    # Ended kernels are reaped by the system: the run watches them through pidfds.
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)
    for line in sys.stdin:
        request = json.loads(line)
        try:
            pid = os.fork()
        except OSError as exc:
            print(f"fork: {exc}", flush=True)
            continue
        if pid == 0:
            _kernel(request, defaults)  # never returns
        try:
            os.setpgid(pid, pid)  # also here, so that it holds before the pid is told
        except OSError:
            pass  # it did it itself, or it has ended: both are fine
        print(pid, flush=True)


def _kernel(request: dict, defaults: dict[str, str]) -> None:
    """In the forked child: become the kernel launched with request's argv, env and cwd;
    `defaults`: what the zygote's imports set in the environment where it was unset."""
    code = 1
    try:
        os.setpgid(0, 0)
        for signum in (signal.SIGINT, signal.SIGCHLD):
            signal.signal(signum, signal.SIG_DFL)
        null = os.open(os.devnull, os.O_RDWR)
        os.dup2(null, 0)
        os.dup2(null, 1)  # the zygote's stdout is the pipe its answers go through
        if request["quiet"]:
            os.dup2(null, 2)
        os.close(null)
        sys.stdin = open(0, closefd=False)  # noqa: SIM115 (the kernel's, as launched)
        os.environ.clear()
        os.environ.update(request["env"])
        for name, value in defaults.items():
            os.environ.setdefault(name, value)
        os.chdir(request["cwd"])
        import ipykernel_launcher
        from ipykernel import kernelapp

        sys.argv = [ipykernel_launcher.__file__, *request["argv"]]  # as `python -m` sets it
        # ipykernel read these from the environment when it was imported, in the zygote: the
        # kernel ends when its parent (the zygote) does.
        kernelapp.IPKernelApp.launch_instance(
            parent_handle=int(os.environ.get("JPY_PARENT_PID") or 0),
            interrupt=int(os.environ.get("JPY_INTERRUPT_EVENT") or 0),
        )
        code = 0
    finally:
        os._exit(code)


if __name__ == "__main__":
    serve()
