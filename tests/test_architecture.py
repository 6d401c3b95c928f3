"""Spec: the layers of src/evalkit import only downwards (docs/arkitektur.md).

raw → inputs → compute → report → execution → publish → workflow/cli. The base modules
(domain, errors, paths, files, fmt) are below every layer and import none. Every import is
read from the source, those inside functions too.
"""

import ast
from pathlib import Path

import pytest

from tests.conftest import REPO

PACKAGE = REPO / "src" / "evalkit"
BASE = {"domain", "errors", "paths", "files", "fmt", "__init__", "__version__"}
# What each part may import besides the base modules.
ALLOWED = {
    "base": set(),
    "inputs": {"inputs"},
    "compute": {"inputs", "compute"},
    "report": {"inputs", "compute", "report"},
    "execution": {"report", "execution"},
    "publish": {"inputs", "compute", "report", "execution", "publish"},
    "workflow": {"inputs", "compute", "report", "execution", "publish"},
    "cli": {"workflow"},
}


def part(module: str) -> str:
    """The layer of a module path below evalkit: "compute" for evalkit.compute.indicators."""
    first = module.split(".")[0]
    if first in BASE or first == "":
        return "base"
    return first


def evalkit_imports(path: Path) -> set[str]:
    """The evalkit modules a file imports, as paths below evalkit ("compute.indicators")."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        else:
            continue
        for name in names:
            if name.startswith("evalkit."):
                found.add(name.removeprefix("evalkit."))
    return found


SOURCES = sorted(PACKAGE.rglob("*.py"))


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.relative_to(PACKAGE).as_posix())
def test_a_module_imports_only_the_layers_below_it(path):
    own = part(path.relative_to(PACKAGE).with_suffix("").as_posix().replace("/", "."))
    wrong = set()
    for module in evalkit_imports(path):
        target = part(module)
        # `from evalkit.inputs import cpr` names the package and the module: both count.
        if target != "base" and target not in ALLOWED[own] and target != own:
            wrong.add(module)
    assert not wrong, f"{own} may not import {sorted(wrong)}"


def test_inputs_and_compute_never_reach_the_upper_layers():
    upper = {"report", "execution", "publish", "workflow", "cli"}
    for path in [*(PACKAGE / "inputs").rglob("*.py"), *(PACKAGE / "compute").rglob("*.py")]:
        reached = {m for m in evalkit_imports(path) if part(m) in upper}
        assert not reached, f"{path.relative_to(PACKAGE)} imports {sorted(reached)}"


def test_each_layer_says_what_it_may_import():
    for layer in ("inputs", "compute", "report", "execution", "publish"):
        doc = ast.get_docstring(ast.parse((PACKAGE / layer / "__init__.py").read_text()))
        assert doc and "import" in doc, f"{layer}/__init__.py does not say what it may import"


def test_the_check_sees_a_wrong_import(tmp_path):
    """The rule can fail: a compute module that imports publish is caught."""
    bad = tmp_path / "bad.py"
    bad.write_text("def f():\n    from evalkit.publish import index\n")
    assert {part(m) for m in evalkit_imports(bad)} == {"publish"}
    assert "publish" not in ALLOWED["compute"]
