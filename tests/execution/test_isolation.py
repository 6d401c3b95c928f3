"""Spec: between two reports a warm kernel is put back as a fresh one has it (execution.isolation).

Each case plants one kind of state as a report could, checks that it is there (so the case
can fail), resets the kernel as the engine does before every report, and checks it is gone.
"""

import dataclasses
import json
import os
import subprocess
import sys

import pytest

from evalkit.execution import isolation
from evalkit.execution.kernels import WarmKernel
from tests.conftest import warm_kernel


@pytest.fixture(scope="module", params=["launched", "forked"])
def kernel(request):
    """A warm kernel as jupyter_client launches it, or forked from a zygote."""
    with warm_kernel(request.param) as k:
        yield k


def run(kernel: WarmKernel, code: str) -> None:
    reply = kernel.kc.execute_interactive(code, timeout=60, output_hook=lambda msg: None)
    assert reply["content"]["status"] == "ok", reply["content"]


def holds(kernel: WarmKernel, expression: str, setup: str = "") -> bool:
    reply = kernel.kc.execute_interactive(
        setup,
        store_history=False,
        user_expressions={"result": expression},
        timeout=60,
        output_hook=lambda msg: None,
    )
    result = reply["content"]["user_expressions"]["result"]
    assert result["status"] == "ok", result
    return result["data"]["text/plain"] == "True"


CWD = os.getcwd()
UMASK = os.umask(0)
os.umask(UMASK)

# name: (what a report does, what holds in a fresh kernel[, statements run before checking])
LEAKS = {
    "a variable": ("leaked = 1", "'leaked' not in globals()"),
    "an imported name": ("import json", "'json' not in globals()"),
    "the output history": ("42", "get_ipython().user_ns['Out'] == {}"),
    "the execution counter": ("1 + 1", "get_ipython().execution_count == 1"),
    "an evalkit module value": (
        "import evalkit.fmt; evalkit.fmt.MISSING = 'x'",
        "__import__('evalkit.fmt').fmt.MISSING == '–'",
    ),
    "an evalkit table changed in place": (
        "import evalkit.domain; evalkit.domain.STATUS_SYMBOLS['forbedret'] = 'x'",
        "__import__('evalkit.domain').domain.STATUS_SYMBOLS['forbedret'] == '▲'",
    ),
    "matplotlib's rcParams": (
        "import matplotlib; matplotlib.rcParams['lines.linewidth'] = 9",
        "__import__('matplotlib').rcParams['lines.linewidth'] == 1.5",
    ),
    "an open pyplot figure": (
        # Agg: the inline backend would close the figure itself at the end of the cell.
        "import matplotlib; matplotlib.use('Agg'); import matplotlib.pyplot as plt; plt.figure()",
        "__import__('matplotlib.pyplot').pyplot.get_fignums() == []",
    ),
    "the working folder": ("import os; os.chdir('/')", f"__import__('os').getcwd() == {CWD!r}"),
    "an environment variable": (
        "import os; os.environ['EVALKIT_LEAK'] = '1'",
        "'EVALKIT_LEAK' not in __import__('os').environ",
    ),
    "sys.path": (
        "import sys; sys.path.insert(0, '/leak')",
        "'/leak' not in __import__('sys').path",
    ),
    "the umask": (
        "import os; os.umask(0o077)",
        f"m == {UMASK}",
        "import os; m = os.umask(0); os.umask(m)",
    ),
    "a warning filter": (
        "import warnings; warnings.simplefilter('error')",
        "not any(f[0] == 'error' and f[2] is Warning for f in __import__('warnings').filters)",
    ),
    "a pandas option": (
        "import pandas; pandas.set_option('display.max_rows', 3)",
        "__import__('pandas').get_option('display.max_rows') == 60",
    ),
    "numpy's print options": (
        "import numpy; numpy.set_printoptions(precision=2)",
        "__import__('numpy').get_printoptions()['precision'] == 8",
    ),
    "numpy's error handling": (
        "import numpy; numpy.seterr(all='raise')",
        "__import__('numpy').geterr()['divide'] == 'warn'",
    ),
    "the random seed": (
        "import random; random.seed(1)",
        "__import__('random').random() != 0.13436424411240122",  # the first draw after seed(1)
    ),
    "numpy's random seed": (
        "import numpy; numpy.random.seed(1)",
        "__import__('numpy').random.random() != 0.417022004702574",
    ),
}  # fmt: skip


@pytest.mark.parametrize("case", list(LEAKS))
def test_a_report_leaves_nothing_for_the_next(kernel, case):
    plant, fresh, *setup = LEAKS[case]
    kernel.reset(CWD)
    assert holds(kernel, fresh, *setup), "not so in a fresh kernel"
    run(kernel, plant)
    assert not holds(kernel, fresh, *setup), "the case plants nothing"
    kernel.reset(CWD)
    assert holds(kernel, fresh, *setup)


def test_the_report_libraries_stay_imported_and_evalkit_is_imported_anew(kernel):
    run(kernel, "import evalkit.report.view")
    kernel.reset(CWD)
    modules = "__import__('sys').modules"
    assert holds(kernel, f"all(m in {modules} for m in ('pandas', 'matplotlib.font_manager'))")
    assert holds(
        kernel,
        f"not any(m.startswith('evalkit.') for m in {modules} "
        "if m != 'evalkit.execution.isolation')",
    )


def test_the_reset_works_in_the_folder_it_is_given(kernel, tmp_path):
    kernel.reset(str(tmp_path))
    assert holds(kernel, f"__import__('os').getcwd() == {str(tmp_path)!r}")


def test_printed_text_and_shown_output_keep_their_order(kernel):
    """A warm kernel skips ipykernel's flush where nothing was printed: what was printed
    still comes before what is shown after it, and nothing printed is lost."""
    kernel.reset(CWD)
    came = []
    kernel.kc.execute_interactive(
        "from IPython.display import HTML, display\n"
        "display(HTML('<i>0</i>'))\n"
        "print('one')\n"
        "display(HTML('<b>two</b>'))\n"
        "display(HTML('<b>three</b>'))\n"
        "print('four', end='')\n",
        timeout=60,
        output_hook=came.append,
    )
    shown = [
        m["content"]["text"] if m["msg_type"] == "stream" else m["content"]["data"]["text/html"]
        for m in came
        if m["msg_type"] in ("stream", "display_data")
    ]
    assert shown == ["<i>0</i>", "one\n", "<b>two</b>", "<b>three</b>", "four"]


# In a new process: how many of evalkit's modules prepare() loads code for (compiled, or read
# from a .pyc file), and how many a report's import does after it, with or without a zygote's
# preload() before (a forked kernel's start).
COMPILES = """
import importlib.machinery, json, sys
from evalkit.execution import isolation
compiled = []
get_code = importlib.machinery.SourceFileLoader.get_code
def counting(self, fullname):
    if fullname.split(".")[0] == "evalkit":
        compiled.append(fullname)
    return get_code(self, fullname)
importlib.machinery.SourceFileLoader.get_code = counting
if sys.argv[1] == "forked":
    isolation.preload()  # in the zygote
compiled.clear()  # from here on: the kernel
isolation.prepare()
in_prepare = len(compiled)
import evalkit.report.view
print(json.dumps([in_prepare, len(compiled) - in_prepare]))
"""


@pytest.mark.parametrize(("start", "in_prepare"), [("launched", True), ("forked", False)])
def test_evalkit_is_compiled_once_per_kernel_and_a_forked_one_inherits_it(start, in_prepare):
    out = subprocess.run([sys.executable, "-c", COMPILES, start], capture_output=True,
                         text=True, check=True).stdout  # fmt: skip
    during_prepare, for_the_report = json.loads(out)
    assert (during_prepare > 0) == in_prepare
    assert for_the_report == 0  # a report runs evalkit anew from the code compiled before


def test_a_dataclass_made_again_gets_new_methods_from_code_compiled_once(monkeypatch):
    # dataclasses compiles each class's methods from their source text (isolation makes
    # evalkit's 135 classes anew for every report): the same text is compiled once.
    monkeypatch.setattr(dataclasses, "exec", isolation._exec_compiled_once, raising=False)

    def make():
        @dataclasses.dataclass(frozen=True)
        class Point:
            x: int
            y: int = 0

        return Point

    first, second = make(), make()
    assert first(1) == first(1, 0) and repr(second(2)).endswith("Point(x=2, y=0)")
    assert first(1) != second(1)  # two classes, each with its own methods
    assert first.__init__ is not second.__init__
    assert first.__init__.__code__ is second.__init__.__code__
