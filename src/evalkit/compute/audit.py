"""The audit: for every hidden figure, the smallest and largest value a reader can deduce.

This is the check statistical offices run after secondary suppression (τ-ARGUS, sdcTable's
`protectTable` with an audit): every published figure of a sensitive indicator is a sum of
afdeling counts, and the reader knows

- each afdeling count is a whole number from 0 to its published denominator (a share's
  naevner, a count's pr_1000 exposure; no upper bound where none is published);
- a shown figure equals its value;
- "<t" (PRIMARY) means 1 to t − 1;
- "skjult" (SECONDARY) on an afdeling means at least t: a complement is never a 0 or a small
  count (evalkit.compute.privacy). On a total it means at least 1: a complement, or a small total
  hidden so that its small parts keep their range.

The bounds on each hidden figure come from a linear programme, solved by HiGHS through its
own Python interface, highspy (scipy.optimize wraps the same solver, but takes 0.3 s to load on
every run that audits; highspy 0.01 s). The figures of one year form a tree of sums
(afdeling → boligselskab → helhedsplan); written as "each total minus its parts is 0", the
constraint matrix is a network matrix, which is totally unimodular, so the LP optima are whole
numbers and equal the bounds of the integer problem a reader who knows that counts are whole
numbers would solve.
Where the sums do not form a tree (a figure that sums a subset of another figure's cells and
overlaps a third), the bounds come from the integer programme itself (HiGHS's MIP solver).

The guarantee (`protected`): a "<t" figure can still be anything from 1 to t − 1; a "skjult"
figure is neither pinned to one value nor shown to lie within 1 to t − 1.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass

import numpy as np
import pandas as pd

from evalkit.errors import Contradiction

PRIMARY, SECONDARY = "primær", "sekundær"
UNBOUNDED = 10**9  # stands for "no upper bound" in the programme; reported as math.inf
BATCH_VARIABLES = 50_000  # variables per programme: many questions at a time
LARGE = 5_000  # a component whose copies for all its questions would hold more variables


@dataclass(frozen=True)
class Figure:
    """One published figure: the sum of the counts of `cells` (afdelinger) in year `aar`."""

    aar: int
    niveau: str
    enhed: str
    cells: frozenset[str]
    label: str  # "" shown, PRIMARY ("<t") or SECONDARY ("skjult")
    value: float | None  # the published count, where shown
    naevner: float | None  # the published denominator, an upper bound on an afdeling's count
    publiceret: int | None = None  # the year whose reports publish it first: aar, or later

    def __post_init__(self):
        if self.publiceret is None:
            object.__setattr__(self, "publiceret", self.aar)

    @property
    def key(self) -> tuple[int, str, str]:
        return (self.aar, self.niveau, self.enhed)


def figures(rows: pd.DataFrame, labels: pd.Series, afdelinger: pd.DataFrame) -> list[Figure]:
    """Every figure published for one sensitive indicator, as the sum of the cells it covers.

    `rows`: the indicator's rows of indikatorer.csv (aar, niveau, enhed, taeller, naevner) for
    every year a report shows; `labels`: each row's label ("" where shown). An afdeling has a
    cell in a year when its count is known; a total covers its afdelinger that have one
    (compute.indicators.by_level). A baseline column repeats the baseline year's figure of the
    same unit, so it is that figure; a baseline over other cells would be one more figure here.
    Only shown values are read: the audit sees what a reader sees.
    """
    company = dict(zip(afdelinger["afdeling"], afdelinger["boligselskab"], strict=True))
    has_data = rows["taeller"].notna() | (labels != "")
    own = rows[(rows["niveau"] == "afdeling") & has_data]
    covered: dict[int, dict[tuple[str, str], set[str]]] = defaultdict(lambda: defaultdict(set))
    for aar, enhed in zip(own["aar"], own["enhed"], strict=True):
        covered[aar][("afdeling", enhed)].add(enhed)
        covered[aar][("boligselskab", company[enhed])].add(enhed)
        covered[aar][("samlet", "")].add(enhed)
    result = []
    numbers = {c: rows[c].to_numpy(dtype=float, na_value=np.nan) for c in ("taeller", "naevner")}
    for aar, niveau, enhed, taeller, naevner, label, data in zip(
        rows["aar"].to_numpy(), rows["niveau"].to_numpy(), rows["enhed"].to_numpy(),
        numbers["taeller"], numbers["naevner"], labels.to_numpy(), has_data.to_numpy(),
        strict=True,
    ):  # fmt: skip
        if not data:
            continue
        cells = covered[aar][(niveau, "" if niveau == "samlet" else enhed)]
        result.append(
            Figure(
                int(aar), niveau, enhed, frozenset(cells), label,
                None if label else float(taeller),
                None if pd.isna(naevner) else float(naevner),
            )
        )  # fmt: skip
    return result


def baseline_figures(rows: pd.DataFrame, labels: pd.Series, cells: pd.Series) -> list[Figure]:
    """The baselines `rows` show, as figures of their baseline year (`cells`: the afdelinger
    each sums, indicators.members). A baseline of the same afdelinger as a figure the
    baseline year published is that figure: the audit counts it once."""
    result = []
    for aar, niveau, enhed, base_aar, taeller, label, members in zip(
        rows["aar"], rows["niveau"], rows["enhed"], rows["baseline_aar"],
        rows["baseline_taeller"], labels, cells, strict=True,
    ):  # fmt: skip
        # Only a baseline from data sums counts (the agreement's are percentages).
        if members and not pd.isna(base_aar) and base_aar < aar and not pd.isna(taeller):
            value = None if label else float(taeller)
            name = f"{enhed} (baseline i {aar})"
            result.append(Figure(int(base_aar), niveau, name, frozenset(members), label, value,
                                 None, int(aar)))  # fmt: skip
    return result


def bounds(figure: Figure, threshold: int) -> tuple[float, float]:
    """What a reader knows about one figure from its own label and denominator alone."""
    high = UNBOUNDED if figure.naevner is None or figure.niveau != "afdeling" else figure.naevner
    if figure.label == "":
        return figure.value, figure.value
    if figure.label == PRIMARY:
        return 1, min(threshold - 1, high)
    return (threshold if figure.niveau == "afdeling" else 1), high


def protected(label: str, niveau: str, low: float, high: float, threshold: int) -> bool:
    """The guarantee for one hidden figure with deduced range low–high."""
    if label == PRIMARY:
        return low <= 1 and high >= threshold - 1
    return low < high and not (low >= 1 and high <= threshold - 1)


def audit(figures: list[Figure], threshold: int, focus=None) -> pd.DataFrame:
    """The range a reader can deduce for every hidden figure, and whether it is protected.

    Returns one row per hidden figure: publiceret (the year whose reports first show it), aar,
    niveau, enhed, label, min, max, beskyttet, and
    `del`: figures with the same number are tied by sums; different numbers are independent.
    `focus` (a predicate on figures): only the sums that hold a figure it accepts are solved.
    """
    system = _System(figures, threshold)
    low, high = system.ranges(focus)
    rows = [
        (
            f.publiceret,
            f.aar,
            f.niveau,
            f.enhed,
            f.label,
            low[n],
            _unbounded(high[n]),
            system.part(n),
        )  # fmt: skip
        for f in figures
        if f.label and (n := system.node[f]) in low
    ]
    columns = ["publiceret", "aar", "niveau", "enhed", "label", "min", "max", "del"]
    result = pd.DataFrame(rows, columns=columns)
    result["beskyttet"] = pd.Series(
        [
            protected(lab, niv, lo, hi, threshold)
            for lab, niv, lo, hi in zip(
                result["label"], result["niveau"], result["min"], result["max"], strict=True
            )
        ],
        dtype=bool,
    )
    return result


def _unbounded(high: float) -> float:
    # No upper bound stands in the programme as a large number; a bound derived from it
    # (a part of an unbounded total) is no bound either.
    return math.inf if high >= UNBOUNDED / 2 else high


class _System:
    """The reader's equations: one variable per distinct sum (year and cells), its bounds,
    and one row per total: the total minus its parts is 0."""

    def __init__(self, figures: list[Figure], threshold: int):
        self.node: dict[Figure, int] = {}
        sums: dict[tuple[int, frozenset], int] = {}
        low: list[float] = []
        high: list[float] = []
        for f in figures:
            at = sums.setdefault((f.aar, f.cells), len(sums))
            if at == len(low):
                low.append(0.0)
                high.append(float(UNBOUNDED))
            lo, hi = bounds(f, threshold)
            low[at], high[at] = max(low[at], lo), min(high[at], hi)
            self.node[f] = at
        self.low, self.high = np.array(low), np.array(high)
        self.hidden = sorted({self.node[f] for f in figures if f.label})
        self.figures = figures
        self.rows, self.tree = _rows(list(sums))

    def part(self, node: int) -> int:
        """The independent system a variable belongs to (its own, where it is fixed)."""
        return int(self._parts.component[node]) if not self._fixed[node] else -1 - node

    def ranges(self, focus) -> tuple[dict[int, float], dict[int, float]]:
        fixed = self._fixed = self.low == self.high
        matrix = self.rows
        free_rows = self._parts = _components(matrix, fixed)
        wanted = set(self.hidden)
        if focus is not None:
            wanted &= {self.node[f] for f in self.figures if focus(f)}
        low: dict[int, float] = {}
        high: dict[int, float] = {}
        groups: dict[int, list[int]] = defaultdict(list)
        for node in sorted(wanted):
            if fixed[node]:
                low[node] = high[node] = self.low[node]
            else:
                groups[free_rows.component[node]].append(node)
        # Every question (a hidden sum, smallest or largest) gets its own copy of its
        # component's equations, and many copies go into one programme: the copies share no
        # variable, so each one's optimum is its own, and the solver is called a few times
        # rather than twice per hidden figure.
        # A large component with many hidden sums (thousands of copies) is asked one
        # question at a time instead, all large components side by side.
        self._blocks: dict[int, tuple] = {}
        large = {c: nodes for c, nodes in groups.items()
                 if len(nodes) * len(free_rows.columns[c]) > LARGE}  # fmt: skip
        for r in range(max((len(nodes) for nodes in large.values()), default=0)):
            for sense in (1, -1):
                batch = [(c, nodes[r], sense) for c, nodes in large.items() if len(nodes) > r]
                self._answer(matrix, fixed, batch, low, high)
        batch: list[tuple[int, int, int]] = []
        size = 0
        for c, nodes in groups.items():
            if c in large:
                continue
            for node in nodes:
                for sense in (1, -1):
                    batch.append((c, node, sense))
                    size += len(free_rows.columns[c])
                    if size >= BATCH_VARIABLES:
                        self._answer(matrix, fixed, batch, low, high)
                        batch, size = [], 0
        if batch:
            self._answer(matrix, fixed, batch, low, high)
        return low, high

    def _block(self, matrix, fixed, c: int) -> tuple:
        """Component c's equations over its free variables, the fixed ones moved right:
        (rows, columns, values) of its matrix, its size, right-hand side, bounds, index."""
        if not self._blocks:
            self._split(matrix, fixed)
        return self._blocks[c]

    def _split(self, matrix, fixed) -> None:
        # All components at once from the matrix's entries: slicing the matrix for each of
        # thousands of components would cost more than solving them.
        parts = self._parts
        keep = ~fixed[matrix.col]
        rows, cols, values = matrix.row[keep], matrix.col[keep], matrix.value[keep]
        rhs = -matrix.times(np.where(fixed, self.low, 0.0))
        local_col = np.zeros(matrix.shape[1], dtype=int)
        local_row = np.zeros(matrix.shape[0], dtype=int)
        for c, columns in parts.columns.items():
            local_col[columns] = np.arange(len(columns))
            local_row[parts.rows[c]] = np.arange(len(parts.rows[c]))
        component = parts.component[cols]
        order = np.argsort(component, kind="stable")
        component, rows, cols, values = component[order], rows[order], cols[order], values[order]
        for c, columns in parts.columns.items():
            lo, hi = np.searchsorted(component, [c, c + 1])
            self._blocks[c] = (
                local_row[rows[lo:hi]], local_col[cols[lo:hi]], values[lo:hi],
                (len(parts.rows[c]), len(columns)), rhs[parts.rows[c]],
                self.low[columns], self.high[columns],
                {int(col): i for i, col in enumerate(columns)},
            )  # fmt: skip

    def _answer(self, matrix, fixed, batch: list[tuple[int, int, int]], low, high) -> None:
        entries, rhs, lows, highs, at = [], [], [], [], []
        n_rows = n_cols = 0
        for c, node, sense in batch:
            r, k, v, (height, width), b, lo, hi, index = self._block(matrix, fixed, c)
            entries.append((r + n_rows, k + n_cols, v))
            rhs.append(b), lows.append(lo), highs.append(hi)
            at.append((n_cols + index[node], sense))
            n_rows, n_cols = n_rows + height, n_cols + width
        r, k, v = (np.concatenate(x) for x in zip(*entries, strict=True))
        a = _Matrix(r, k, v, (n_rows, n_cols))
        b, lo, hi = (np.concatenate(x) for x in (rhs, lows, highs))
        cost = np.zeros(n_cols)
        for position, sense in at:
            cost[position] = sense
        x = _minimum(cost, a, b, lo, hi, integer=not self.tree)
        if x is None:
            if len(batch) > 1:  # find the component whose published figures contradict
                for task in batch:
                    self._answer(matrix, fixed, [task], low, high)
                return
            c = batch[0][0]
            raise Contradiction(self._names(self._parts.columns[c]))
        for (_, node, sense), (position, _) in zip(batch, at, strict=True):
            (low if sense == 1 else high)[node] = float(round(x[position], 6))

    def _names(self, nodes) -> list[Figure]:
        nodes = set(nodes)
        return [f for f in self.figures if self.node[f] in nodes]


@dataclass(frozen=True)
class _Matrix:
    """A sparse matrix as its entries: the row, column and value of each."""

    row: np.ndarray
    col: np.ndarray
    value: np.ndarray
    shape: tuple[int, int]

    def times(self, x: np.ndarray) -> np.ndarray:
        """The matrix times the vector `x`."""
        return np.bincount(self.row, self.value * x[self.col], minlength=self.shape[0])


def _minimum(
    cost: np.ndarray, a: _Matrix, b: np.ndarray, low: np.ndarray, high: np.ndarray, integer: bool
) -> np.ndarray | None:
    """The x with low ≤ x ≤ high and a·x = b (whole numbers if `integer`) that makes cost·x
    smallest, by HiGHS; None when there is no such x."""
    import highspy

    lp = highspy.HighsLp()
    lp.num_row_, lp.num_col_ = a.shape
    lp.col_cost_, lp.col_lower_, lp.col_upper_ = cost, low, high
    lp.row_lower_ = lp.row_upper_ = b
    by_column = np.lexsort((a.row, a.col))
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    per_column = np.bincount(a.col, minlength=a.shape[1])
    lp.a_matrix_.start_ = np.concatenate([[0], np.cumsum(per_column)])
    lp.a_matrix_.index_ = a.row[by_column]
    lp.a_matrix_.value_ = a.value[by_column]
    if integer:
        lp.integrality_ = [highspy.HighsVarType.kInteger] * a.shape[1]
    # The solver itself, not highspy.Highs: that class, which adds Python callbacks, prints
    # HiGHS's banner to stdout as it is made, before its output can be turned off.
    solver = highspy._Highs()
    solver.setOptionValue("output_flag", False)
    solver.passModel(lp)
    solver.run()
    if solver.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return None
    return np.array(solver.getSolution().col_value)


def _rows(sums: list[tuple[int, frozenset]]) -> tuple[_Matrix, bool]:
    """Rows "total − parts = 0" for every sum with more than one cell.

    Where the sums of each year form a tree (any two are disjoint or one holds the other), a
    total's parts are its largest sub-sums: a network matrix. Otherwise each total is written
    against its cells, and the caller solves the integer programme.
    """
    single = {(aar, next(iter(c))): i for i, (aar, c) in enumerate(sums) if len(c) == 1}
    # The sums holding each cell, smallest first. In a tree they form a chain, and the parent
    # of a sum is the next sum in the chain of each of its cells.
    chains: dict[tuple[int, str], list[int]] = defaultdict(list)
    for i in sorted(range(len(sums)), key=lambda i: len(sums[i][1])):
        for cell in sums[i][1]:
            chains[(sums[i][0], cell)].append(i)
    parents: dict[int, set[int | None]] = defaultdict(set)
    for chain in chains.values():
        for pos, i in enumerate(chain):
            parents[i].add(chain[pos + 1] if pos + 1 < len(chain) else None)
    # A tree: every sum has one parent, strictly larger (so it holds the whole sum).
    tree = all(
        len(p) == 1 and (None in p or len(sums[min(p)][1]) > len(sums[i][1]))
        for i, p in parents.items()
    )
    children: dict[int, list[int]] = defaultdict(list)
    for i, p in parents.items():
        if tree and next(iter(p)) is not None:
            children[next(iter(p))].append(i)
    entries: list[tuple[int, int, float]] = []
    row = 0
    for total, (aar, cells) in enumerate(sums):
        if len(cells) == 1:
            continue
        parts = children[total] if tree else [single[(aar, c)] for c in sorted(cells)]
        entries.append((row, total, 1.0))
        entries += [(row, p, -1.0) for p in parts]
        row += 1
    if not entries:
        return _Matrix(np.zeros(0, int), np.zeros(0, int), np.zeros(0), (0, len(sums))), tree
    r, c, v = map(np.array, zip(*entries, strict=True))
    return _Matrix(r, c, v, (row, len(sums))), tree


@dataclass
class _Parts:
    component: np.ndarray  # per variable: its component (free variables only)
    columns: dict[int, np.ndarray]  # component -> its free variables
    rows: dict[int, np.ndarray]  # component -> its rows


def _components(matrix: _Matrix, fixed: np.ndarray) -> _Parts:
    """Free variables tied by a row with another free variable belong to one component."""
    n = matrix.shape[1]
    free = ~fixed
    keep = free[matrix.col]
    rows, cols = matrix.row[keep], matrix.col[keep]
    # Bipartite graph of rows and free variables; its components are the independent systems.
    label = _connected(matrix.shape[0] + n, rows, matrix.shape[0] + cols)
    variable = label[matrix.shape[0] :]
    columns: dict[int, list[int]] = defaultdict(list)
    for col in np.flatnonzero(free):
        columns[variable[col]].append(col)
    row_groups: dict[int, list[int]] = defaultdict(list)
    for r in range(matrix.shape[0]):
        row_groups[label[r]].append(r)
    return _Parts(
        variable,
        {c: np.array(v) for c, v in columns.items()},
        {c: np.array(row_groups.get(c, []), dtype=int) for c in columns},
    )


def _connected(count: int, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The connected components of the graph of `count` nodes and the edges a[i]–b[i]: each
    node's component, numbered in the order of the components' first nodes."""
    parent = list(range(count))

    def root(node: int) -> int:
        while parent[node] != node:
            parent[node] = node = parent[parent[node]]
        return node

    for i, j in zip(a.tolist(), b.tolist(), strict=True):
        i, j = root(i), root(j)
        if i != j:  # the smaller node stays the root: each root is its component's first node
            parent[max(i, j)] = min(i, j)
    return np.unique([root(node) for node in range(count)], return_inverse=True)[1]
