"""Inside a warm kernel: put the process back as a fresh kernel has it, between two reports.

evalkit.execution.kernels runs this module in each warm kernel. `prepare` imports the libraries the
reports use once and notes the state a fresh kernel starts from; `reset` returns to it before
every report. What is put back:

- IPython: the user namespace, the output history and the execution counter;
- evalkit itself: every evalkit module is forgotten, so each report imports a new copy and no
  module-level value of one report reaches the next (the compiled code is kept, as a .pyc
  file would keep it; the modules are run anew);
- the process: working folder, environment variables, sys.path, umask, warning filters;
- the libraries: matplotlib's rcParams and open pyplot figures, pandas' options, numpy's
  print and error settings, and the global random generators (reseeded, as in a new process).

Not put back: what a notebook registers with IPython itself (magics, extensions, display
formatters) or changes inside a third-party module by hand. The report notebooks only call
evalkit and show the result (see tests/test_isolation.py for each case above).
"""

import dataclasses
import gc
import importlib
import importlib.abc
import importlib.machinery
import os
import random
import sys
import warnings

# Imported before the state is noted, so their import-time settings are part of it.
LIBRARIES = ("numpy", "pandas", "matplotlib", "IPython.display")
# Imported after, then forgotten: the third-party modules it pulls in stay warm.
WARM_UP = "evalkit.report.view"


@dataclasses.dataclass
class _State:
    cwd: str
    environ: dict[str, str]
    path: list[str]
    umask: int
    warnings: list
    rc: dict | None
    numpy_print: dict | None
    numpy_err: dict | None


_fresh: _State | None = None
_preloaded = False  # this kernel was forked from a zygote that ran preload()


def prepare() -> None:
    """Import the report libraries and note the state every report starts from."""
    global _fresh
    _compile_once()
    _no_idle_waits()
    for name in LIBRARIES:
        importlib.import_module(name)
    _fresh = _take()
    if not _preloaded:  # a forked kernel has it all from its zygote, evalkit compiled too
        importlib.import_module(WARM_UP)
        _draw_once()
    reset(_fresh.cwd)
    # What is here now lives as long as the kernel: keep the collector from walking it again
    # after every report.
    gc.freeze()


def preload() -> None:
    """In the process kernels are forked from (evalkit.execution.zygote): import what
    prepare() imports, and leave the libraries' settings as importing them left them, so
    that prepare() in the forked kernel notes what it would note in a launched one. The
    kernels inherit evalkit's compiled code and the warm libraries: they neither compile
    evalkit nor warm up again."""
    global _preloaded
    _compile_once()
    for name in LIBRARIES:
        importlib.import_module(name)
    imported = _take()
    importlib.import_module(WARM_UP)
    _draw_once()
    _forget_evalkit()
    _restore(imported)
    _preloaded = True


def reset(cwd: str) -> None:
    """Return to the noted state, with `cwd` as the working folder."""
    assert _fresh is not None, "prepare() first"
    shell = _ipython()
    if shell is not None:
        shell.reset(new_session=True)  # namespace, Out history, execution count back to 1
    _forget_evalkit()
    _restore(_fresh)
    os.chdir(cwd)
    gc.collect()


def _forget_evalkit() -> None:
    """Every evalkit module but this one out of sys.modules: the next import runs it anew."""
    for name in [m for m in sys.modules if m == "evalkit" or m.startswith("evalkit.")]:
        if name != __name__:
            del sys.modules[name]


def _compile_once() -> None:
    """From now on evalkit's modules are compiled once (_CompiledOnce); those imported before
    (the packages above this module) are forgotten, so that they are too. So are the methods
    dataclasses writes for their classes (_exec_compiled_once)."""
    if not any(isinstance(finder, _CompiledOnce) for finder in sys.meta_path):
        sys.meta_path.insert(0, _CompiledOnce())
        _forget_evalkit()
    dataclasses.exec = _exec_compiled_once  # found before the builtin: only dataclasses uses it


_compiled: dict[str, object] = {}


def _exec_compiled_once(source, globals=None, locals=None) -> None:  # noqa: A002 (exec's own)
    """exec, with each source text compiled once per kernel.

    dataclasses writes the source of each class's methods (__init__, __repr__, __eq__ ...) and
    compiles it every time a class is made: the 135 of evalkit's classes that a report imports
    took a seventh of an afdeling's report in the kernel. The same text compiles to the same
    code, and running it still makes new functions for each class.
    """
    if isinstance(source, str):
        code = _compiled.get(source)
        if code is None:
            code = _compiled[source] = compile(source, "<string>", "exec")
        source = code
    exec(source, globals, locals)  # noqa: S102 (dataclasses' own code, as it runs it)


class _CompiledOnce(importlib.abc.MetaPathFinder):
    """evalkit's modules compiled once per kernel; every report still runs them anew.

    What a .pyc file does, kept in memory: where bytecode is not written to disk
    (PYTHONDONTWRITEBYTECODE), each report would otherwise compile evalkit again.
    """

    def __init__(self) -> None:
        self.code: dict[tuple[str, int], object] = {}

    def find_spec(self, name, path=None, target=None):
        if name != "evalkit" and not name.startswith("evalkit."):
            return None
        for finder in sys.meta_path:
            spec = None if finder is self else finder.find_spec(name, path, target)
            if spec is not None:
                break
        else:
            return None
        if type(spec.loader) is importlib.machinery.SourceFileLoader:
            spec.loader = _CachedLoader(spec.loader.name, spec.loader.path, self.code)
        return spec


class _CachedLoader(importlib.machinery.SourceFileLoader):
    def __init__(self, fullname: str, path: str, cache: dict) -> None:
        super().__init__(fullname, path)
        self._cache = cache

    def get_code(self, fullname):
        key = (self.path, os.stat(self.path).st_mtime_ns)  # an edited file is compiled again
        if key not in self._cache:
            self._cache[key] = super().get_code(fullname)
        return self._cache[key]


def _no_idle_waits() -> None:
    """Take out two waits of ipykernel's that a report's output does not need.

    Before every output it shows, ipykernel flushes stdout and stderr and waits until its
    output thread has sent them, even when nothing was written: twice per chart and table,
    two thread switches each. A stream is flushed here only when something was written to
    it since it was last sent (ipykernel marks that in `_flush_pending`), so the order of
    printed text and shown output stays as it was. And every cell's reply waited 0.5 ms
    (`_execute_sleep`), a stopgap of ipykernel's for clients that lost output, which
    nbclient does not: it waits for the kernel's idle message, sent after all output.
    Together about 8 % of a report's time in the kernel (three reports, one after another,
    medians of three runs: 0.98 s before, 0.89 s after). Where ipykernel is not as expected
    (another version), it is left as it is.
    """
    try:
        from ipykernel.iostream import OutStream
    except ImportError:
        return
    shell = _ipython()
    kernel = getattr(shell, "kernel", None)
    if hasattr(kernel, "_execute_sleep"):
        kernel._execute_sleep = 0
    if not hasattr(OutStream, "_schedule_flush"):  # not the ipykernel this was written for
        return
    flush = OutStream.flush

    def pending_only(self) -> None:
        if (
            getattr(self, "_flush_pending", True)
            or getattr(self, "_subprocess_flush_pending", True)
            or self.echo is not None
        ):
            flush(self)

    OutStream.flush = pending_only


def _ipython():
    try:
        from IPython import get_ipython
    except ImportError:
        return None
    return get_ipython()


def _take() -> _State:
    mask = os.umask(0)
    os.umask(mask)
    rc = numpy_print = numpy_err = None
    if "matplotlib" in sys.modules:
        rc = dict(sys.modules["matplotlib"].rcParams)
    if "numpy" in sys.modules:
        numpy = sys.modules["numpy"]
        numpy_print, numpy_err = numpy.get_printoptions(), numpy.geterr()
    return _State(
        cwd=os.getcwd(),
        environ=dict(os.environ),
        path=list(sys.path),
        umask=mask,
        warnings=list(warnings.filters),
        rc=rc,
        numpy_print=numpy_print,
        numpy_err=numpy_err,
    )


def _restore(state: _State) -> None:
    if os.environ != state.environ:
        os.environ.clear()
        os.environ.update(state.environ)
        if hasattr(os, "tzset"):
            import time

            time.tzset()
    sys.path[:] = state.path
    os.umask(state.umask)
    warnings.resetwarnings()  # also forgets which warnings were already shown
    warnings.filters[:] = state.warnings
    random.seed()
    if "matplotlib.pyplot" in sys.modules:
        sys.modules["matplotlib.pyplot"].close("all")
    if state.rc is not None:
        # Unvalidated, as matplotlib.rc_context restores: the values were valid when noted.
        dict.update(sys.modules["matplotlib"].rcParams, state.rc)
    if "pandas" in sys.modules:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            sys.modules["pandas"].reset_option("all")
    if state.numpy_print is not None:
        numpy = sys.modules["numpy"]
        numpy.set_printoptions(**state.numpy_print)
        numpy.seterr(**state.numpy_err)
        numpy.random.seed()


def _draw_once() -> None:
    """Load the charts' fonts and run their code once now rather than in the first report."""
    import pandas as pd

    from evalkit.report import charts

    rows = pd.DataFrame({"aar": [2000, 2001], "vaerdi": [None, 1.0], "skjult": ["0", ""]})
    charts.trend("0", rows, "antal", 1.0, 2000)
