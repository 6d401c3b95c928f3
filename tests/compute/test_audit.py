"""Spec: the range a reader can deduce for each hidden figure (evalkit.compute.audit).

Figures are written by hand: a boligselskab A with afdelinger a1, a2, a3 and B with b1, b2.
"""

import math
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import Bounds, LinearConstraint, milp

from evalkit.compute.audit import PRIMARY, SECONDARY, Contradiction, Figure, audit, protected

A, B = ("a1", "a2", "a3"), ("b1", "b2")


def fig(niveau, enhed, cells, label="", value=None, naevner=100.0, aar=2025) -> Figure:
    return Figure(aar, niveau, enhed, frozenset(cells), label, value, naevner)


def plan(values: dict[str, int], labels: dict[str, str]) -> list[Figure]:
    """Every figure of the plan: a value where shown, its label where hidden."""
    groups = {"A": A, "B": B, "Alle": A + B}
    result = []
    for name in A + B:
        label = labels.get(name, "")
        result.append(fig("afdeling", name, [name], label, None if label else values[name]))
    for name, cells in groups.items():
        label = labels.get(name, "")
        total = sum(values[c] for c in cells)
        niveau = "samlet" if name == "Alle" else "boligselskab"
        result.append(fig(niveau, name, cells, label, None if label else total, None))
    return result


def found(figures, threshold=5) -> dict[str, tuple[float, float]]:
    result = audit(figures, threshold)
    ends = zip(result["enhed"], result["min"], result["max"], strict=True)
    return {e: (lo, hi) for e, lo, hi in ends}


def test_two_small_cells_in_a_shown_sum_each_keep_1_to_4():
    values = {"a1": 2, "a2": 3, "a3": 9, "b1": 7, "b2": 6}
    ranges = found(plan(values, {"a1": PRIMARY, "a2": PRIMARY}))
    # a1 + a2 = 5 with each 1–4: each is 1–4.
    assert ranges == {"a1": (1, 4), "a2": (1, 4)}


def test_five_ones_under_their_shown_total_are_pinned():
    figures = [fig("afdeling", c, [c], PRIMARY) for c in "vwxyz"]
    figures.append(fig("boligselskab", "V", "vwxyz", "", 5))
    assert set(found(figures).values()) == {(1, 1)}


def test_a_complement_is_at_least_the_threshold_and_at_most_its_lejemaal():
    values = {"a1": 2, "a2": 30, "a3": 9, "b1": 7, "b2": 6}
    figures = plan(values, {"a1": PRIMARY, "a2": SECONDARY})
    figures[1] = fig("afdeling", "a2", ["a2"], SECONDARY, naevner=31)
    # a1 + a2 = 32; a2 at most 31 lejemål: a1 at least 1; a1 at most 4: a2 at least 28.
    assert found(figures) == {"a1": (1, 4), "a2": (28, 31)}


def test_a_hidden_total_without_an_upper_bound_is_unbounded():
    figures = [
        fig("afdeling", "a1", ["a1"], PRIMARY),
        fig("afdeling", "a2", ["a2"], SECONDARY, naevner=None),
        fig("boligselskab", "A", ["a1", "a2"], SECONDARY, naevner=None),
    ]
    assert found(figures) == {"a1": (1, 4), "a2": (5, math.inf), "A": (6, math.inf)}


@pytest.mark.parametrize(
    ("label", "niveau", "low", "high", "ok"),
    [
        (PRIMARY, "afdeling", 1, 4, True),
        (PRIMARY, "afdeling", 1, 3, False),  # the reader knows it is not 4
        (PRIMARY, "afdeling", 2, 4, False),
        (SECONDARY, "afdeling", 5, 6, True),
        (SECONDARY, "afdeling", 7, 7, False),  # pinned
        (SECONDARY, "boligselskab", 2, 4, False),  # shown to be small
        (SECONDARY, "boligselskab", 2, 5, True),
        (SECONDARY, "boligselskab", 0, 4, True),
    ],
)
def test_the_guarantee(label, niveau, low, high, ok):
    assert protected(label, niveau, low, high, 5) is ok


def test_sums_that_are_no_tree_are_solved_as_an_integer_programme():
    # A baseline over a subset of A's afdelinger that overlaps another subset: no tree.
    figures = [fig("afdeling", c, [c], PRIMARY) for c in ("a1", "a2", "a3")]
    figures += [fig("x", "a1+a2", ["a1", "a2"], "", 5), fig("y", "a2+a3", ["a2", "a3"], "", 3)]
    # a2 + a3 = 3 with both ≥ 1: a2 ≤ 2, a3 ≤ 2; a1 = 5 − a2 ≥ 3.
    assert found(figures) == {"a1": (3, 4), "a2": (1, 2), "a3": (1, 2)}


def test_hidden_figures_tied_by_sums_share_a_part_and_independent_ones_do_not():
    values = {"a1": 2, "a2": 3, "a3": 9, "b1": 7, "b2": 6}
    figures = plan(values, {"a1": PRIMARY, "a2": PRIMARY, "b1": SECONDARY, "b2": SECONDARY})
    figures.append(fig("afdeling", "c1", ["c1"], PRIMARY))  # in no sum: on its own
    result = audit(figures, 5)
    part = dict(zip(result["enhed"], result["del"], strict=True))
    assert part["a1"] == part["a2"]
    assert len({part["a1"], part["b1"], part["c1"]}) == 3
    assert part["b1"] == part["b2"]
    assert found(figures)["c1"] == (1, 4)


def test_the_audit_runs_silently_without_loading_scipy():
    # scipy.optimize takes 0.3 s to load, on every run that audits; HiGHS's own interface
    # 0.01 s. The solver prints nothing of its own beside evalkit's lines.
    code = """
import sys
from evalkit.compute.audit import PRIMARY, Figure, audit
cells = [Figure(2025, "afdeling", c, frozenset([c]), PRIMARY, None, 9.0) for c in "ab"]
total = Figure(2025, "boligselskab", "A", frozenset("ab"), "", 5, None)
print(audit([*cells, total], 5)[["min", "max"]].values.tolist(), "scipy" in sys.modules)
"""
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert run.stdout.split() == ["[[1.0,", "4.0],", "[1.0,", "4.0]]", "False"]  # and no more
    assert run.stderr == ""


def test_figures_that_contradict_each_other_are_named():
    figures = [fig("afdeling", "a1", ["a1"], PRIMARY), fig("afdeling", "a2", ["a2"], "", 3),
               fig("boligselskab", "A", ["a1", "a2"], "", 20)]  # fmt: skip
    with pytest.raises(Contradiction):
        audit(figures, 5)


# -- LP bounds are integer bounds ---------------------------------------------------------

label_of = st.sampled_from(["", "", PRIMARY, SECONDARY])


@st.composite
def published_plans(draw):
    """Random counts with random labels that are true of them, on the plan's hierarchy."""
    values = {c: draw(st.integers(0, 15)) for c in A + B}
    labels = {}
    for name in A + B + ("A", "B", "Alle"):
        cells = {"A": A, "B": B, "Alle": A + B}.get(name, (name,))
        total = sum(values[c] for c in cells)
        label = draw(label_of)
        if 1 <= total <= 4:
            label = draw(st.sampled_from([PRIMARY, SECONDARY] if len(cells) > 1 else [PRIMARY]))
        elif label == PRIMARY or (label == SECONDARY and total == 0):
            label = ""
        elif label == SECONDARY and len(cells) == 1 and total < 5:
            label = ""
        labels[name] = label
    return values, labels


def integer_bounds(figures: list[Figure], threshold: int) -> dict[str, tuple[float, float]]:
    """The reader's bounds from the integer programme, written directly against the cells."""
    cells = sorted({c for f in figures for c in f.cells})
    matrix, lows, highs = [], [], []
    for f in figures:
        matrix.append([1.0 if c in f.cells else 0.0 for c in cells])
        if f.label == "":
            lows.append(f.value), highs.append(f.value)
        elif f.label == PRIMARY:
            lows.append(1), highs.append(threshold - 1)
        else:
            lows.append(threshold if f.niveau == "afdeling" else 1), highs.append(np.inf)
    upper = [next(f.naevner for f in figures if f.cells == {c}) for c in cells]
    result = {}
    for f in figures:
        if not f.label:
            continue
        cost = np.array([1.0 if c in f.cells else 0.0 for c in cells])
        ends = []
        for sign in (1, -1):
            res = milp(sign * cost, constraints=LinearConstraint(np.array(matrix), lows, highs),
                       bounds=Bounds(0, upper), integrality=np.ones(len(cells)))  # fmt: skip
            ends.append(sign * res.fun)
        result[f.enhed] = tuple(ends)
    return result


@settings(max_examples=80, deadline=None, derandomize=True)
@given(published_plans())
def test_lp_bounds_equal_integer_bounds(case):
    # The sums form a tree: a totally unimodular system, so the LP optimum is a whole number.
    values, labels = case
    figures = plan(values, labels)
    lp, ip = found(figures), integer_bounds(figures, 5)
    assert lp.keys() == ip.keys()
    for name, ends in lp.items():
        assert ends == pytest.approx(ip[name], abs=1e-6), name
