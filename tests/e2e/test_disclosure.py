"""End to end: nothing under reports/ depends on a hidden count (evalkit run, evalkit audit).

A made-up plan of five afdelinger (A1–A3 in boligselskab A, B1–B2 in B) with two years of
made-up figures. Twin projects differ only inside hidden cells, 2024's included, which is
2025's baseline: every file under reports/ must be the same, byte for byte.
"""

import csv
import hashlib
from pathlib import Path

import pandas as pd
import pytest

from evalkit.cli import main
from evalkit.errors import ExitCode
from tests.conftest import RAW, copy_agreement, evalkit, tree_hash

AFDELINGER = {"A1": "A", "A2": "A", "A3": "A", "B1": "B", "B2": "B"}


def write(path: Path, header: list[str], rows: list[list]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([header, *rows])


def plan(root: Path, years: dict[int, dict], lejemaal: dict[str, int] | None = None) -> Path:
    """data/raw/ for the plan: the fixture's real delaftale with five afdelinger of its own,
    and per year evictions and measures per afdeling."""
    raw = copy_agreement(RAW, root / "data" / "raw", viborg_only=True)
    header = ["afdeling", "boligselskab", "afdelingsnummer", "boligtype", "kilde"]
    write(raw / "afdelinger.csv", header, [[a, b, "ukendt", "ukendt", "test"]
                                           for a, b in AFDELINGER.items()])  # fmt: skip
    write(raw / "baseline.csv", ["afdeling", "indikator", "aar", "vaerdi", "kilde"],
          [[a, "fraflytning", 2023, 12.5, "test"] for a in AFDELINGER])  # fmt: skip
    lejemaal = lejemaal or {}
    for year, figures in years.items():
        folder = raw / str(year)
        write(folder / "fraflytninger.csv", ["afdeling", "lejemaal", "fraflytninger"],
              [[a, lejemaal.get(a, 100), 1] for a in AFDELINGER])  # fmt: skip
        write(folder / "udsaettelser.csv", ["afdeling", "effektive_udsaettelser"],
              list(figures["udsaettelser"].items()))  # fmt: skip
        write(folder / "foranstaltninger.csv", ["afdeling", "beboere", "med_foranstaltning"],
              [[a, 200, n] for a, n in figures["foranstaltninger"].items()])  # fmt: skip
        (folder / "metadata.yaml").write_text(
            "eksempeldata: true\nbeskrivelse: Opdigtede tal til en test.\n", encoding="utf-8"
        )
    return root


def run(root: Path, *extra: str) -> int:
    return evalkit(root / "data", "run", *extra)


# A1 and A2 are small in both years (each 1–4, their sum told by A's total and A3).
FIGURES = {
    2024: {"udsaettelser": {"A1": 2, "A2": 3, "A3": 9, "B1": 7, "B2": 6},
           "foranstaltninger": {"A1": 3, "A2": 2, "A3": 40, "B1": 30, "B2": 25}},
    2025: {"udsaettelser": {"A1": 1, "A2": 4, "A3": 0, "B1": 8, "B2": 9},
           "foranstaltninger": {"A1": 4, "A2": 1, "A3": 38, "B1": 31, "B2": 22}},
}  # fmt: skip
TWIN = {
    2024: {"udsaettelser": {"A1": 3, "A2": 2, "A3": 9, "B1": 7, "B2": 6},
           "foranstaltninger": {"A1": 2, "A2": 3, "A3": 40, "B1": 30, "B2": 25}},
    2025: {"udsaettelser": {"A1": 2, "A2": 3, "A3": 0, "B1": 8, "B2": 9},
           "foranstaltninger": {"A1": 2, "A2": 3, "A3": 38, "B1": 31, "B2": 22}},
}  # fmt: skip


@pytest.fixture(scope="module")
def twins(tmp_path_factory):
    roots = [plan(tmp_path_factory.mktemp(n), y) for n, y in (("one", FIGURES), ("two", TWIN))]
    codes = [run(root) for root in roots]
    return roots, codes


def test_twins_that_differ_only_inside_hidden_cells_publish_identical_files(twins):
    (one, two), codes = twins
    assert codes == [ExitCode.OK, ExitCode.OK]
    first, second = tree_hash(one / "reports"), tree_hash(two / "reports")
    assert sum(name.endswith(".html") for name in first) == 2 * (5 + 2 + 1) + 1  # and the index
    assert first.keys() == second.keys()
    assert [name for name in first if first[name] != second[name]] == []
    # The inputs did differ, and the hidden cells are there: the test is not empty.
    assert tree_hash(one / "data" / "raw") != tree_hash(two / "data" / "raw")
    tal = (one / "reports" / "2025" / "tal.csv").read_text("utf-8")
    assert "<5" in tal
    # The workbook is among the files compared, its hidden cells marked, not given.
    assert "2025/tal.xlsx" in first
    book = pd.read_excel(one / "reports" / "2025" / "tal.xlsx", sheet_name=None)
    assert any(frame.isin(["under 5"]).any().any() for frame in book.values())


def test_no_input_file_with_hidden_counts_is_fingerprinted_under_reports(twins):
    (one, _), _ = twins
    for page in (one / "reports").rglob("*"):
        if page.suffix in (".html", ".json"):
            text = page.read_text("utf-8")
            for name in ("udsaettelser.csv", "foranstaltninger.csv"):
                data = (one / "data" / "raw" / "2025" / name).read_bytes()
                digest = hashlib.sha256(data).hexdigest()
                assert digest[:12] not in text, (page.name, name)


def test_audit_prints_each_hidden_figure_with_its_range(twins, capsys):
    (one, _), _ = twins
    code = main(["audit", "--year", "2025", "--data-dir", str(one / "data")])
    out = capsys.readouterr().out
    assert code == ExitCode.OK
    lines = [line.split() for line in out.splitlines() if line.startswith("  ")]
    a1 = [line for line in lines if line[:4] == ["udsaettelser", "2025", "afdeling", "A1"]]
    assert a1 == [["udsaettelser", "2025", "afdeling", "A1", "<5", "1–4", "i", "orden"]]
    assert "2025: i orden" in out


def test_a_year_that_cannot_be_protected_is_not_published(tmp_path, capsys):
    # A1 has 2 lejemål and 2 evictions: "<5", and a reader knows it is at most 2.
    root = plan(tmp_path, FIGURES, lejemaal={"A1": 2})
    assert run(root, "--year", "2024") == ExitCode.DISCLOSURE
    err = capsys.readouterr().err
    assert "diskretionskontrollen for 2024 fejlede" in err and "Intet er offentliggjort" in err
    assert not (root / "reports" / "2024").exists()
    code = main(["audit", "--year", "2024", "--data-dir", str(root / "data")])
    assert code == ExitCode.DISCLOSURE
    assert "FEJL" in capsys.readouterr().out
