"""Spec: every CSV and XLSX evalkit writes keeps text as text (evalkit.inputs.sheets).

Excel runs a cell that starts with =, +, -, @, tab or carriage return as a formula. No value
that came from the inputs may reach a table we write without being neutralised.
"""

import csv
import io

import openpyxl
import pandas as pd
import pytest

from evalkit.compute.build import build_year, load_processed
from evalkit.inputs.agreement import load_agreement
from evalkit.inputs.readers import read_cells
from evalkit.inputs.sheets import (
    FORMULA_START,
    csv_text,
    excel_csv,
    neutralise,
    read_csv,
    restore,
    xlsx_bytes,
)
from evalkit.paths import Paths
from tests.conftest import REPO, project

SRC = REPO / "src" / "evalkit"

CELLS = [
    # value, as written to CSV
    ("=1+1", "'=1+1"),
    ("=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"),
    ("+45 12 34 56 78", "'+45 12 34 56 78"),
    ("-Ringparken", "'-Ringparken"),
    ("@SUM(A1)", "'@SUM(A1)"),
    ("\t=1+1", "'\t=1+1"),
    ("\r=1+1", "'\r=1+1"),
    ("'=1+1", "''=1+1"),  # already quoted once: quoted again, so it reads back the same
    ("Ringparken", "Ringparken"),
    ("Bo Godt – koordineret samarbejde", "Bo Godt – koordineret samarbejde"),
    ("1+1=2", "1+1=2"),
    ("'citat'", "'citat'"),
    ("", ""),
]


@pytest.mark.parametrize("value, written", CELLS)
def test_text_excel_would_run_gets_an_apostrophe_and_reads_back_unchanged(value, written):
    assert neutralise(value) == written
    assert restore(written) == value


@pytest.mark.parametrize(
    "texts",
    [
        # An empty text is read back as missing; a carriage return in a text is not read back
        # (pandas writes it unquoted): a limitation of its own, not this test's.
        [v for v, _ in CELLS if v and "\r" not in v],
        ["Karup", float("nan"), "Lindon", "Karup"],  # none to restore
    ],
)
def test_a_csv_evalkit_wrote_reads_back_with_its_text_as_it_was(tmp_path, texts):
    frame = pd.DataFrame({"enhed": texts, "vaerdi": [1.5] * len(texts)})
    path = tmp_path / "t.csv"
    path.write_text(csv_text(frame), encoding="utf-8")

    pd.testing.assert_frame_equal(read_csv(path), frame)


@pytest.mark.parametrize("value", [-5, -0.5, 3, None])
def test_numbers_and_missing_values_are_not_text(value):
    assert neutralise(value) == value


def test_csv_keeps_negative_numbers_as_numbers_and_text_as_text():
    frame = pd.DataFrame({"enhed": ["=Karup", "Karup"], "vaerdi": [-5.0, 2.5]})

    rows = list(csv.reader(io.StringIO(csv_text(frame))))

    assert rows == [["enhed", "vaerdi"], ["'=Karup", "-5.0"], ["Karup", "2.5"]]


NA = pd.NA
AS_PANDAS_WRITES = {
    "floats": {"a": [1.0, float("nan"), -0.0, 0.1 + 0.2], "b": [1e16, 1e-05, float("inf"), 2.5]},
    "missing-aware numbers": {
        "a": pd.array([1.5, NA, 100 / 3, 0.0], dtype="Float64"),
        "b": pd.array([1, NA, 3, -4], dtype="Int64"),
        "c": pd.array([True, NA, False, True], dtype="boolean"),
    },
    "integers and flags": {"a": [1, 20, -300, 0], "b": [True, False, True, True]},
    "repeated floats and missing values": {
        "a": [float("nan"), -float("nan"), 0.0, -0.0, 0.1, 0.1, float("nan"), -1e300],
        "b": pd.array([NA, 2.5, NA, 2.5, 1 / 3, 1 / 3, 0.0, NA], dtype="Float64"),
    },
    "repeated integers and flags": {
        "a": [2025, 2025, -3, 2025, -3, 2025],
        "b": pd.array([1, NA, 1, NA, 0, 1], dtype="Int64"),
        "c": [True, True, False, True, True, True],
        "d": pd.array([NA, True, NA, NA, False, True], dtype="boolean"),
        "e": pd.array([7, 7, 255, 7, 7, 0], dtype="uint8"),
        "f": [2**62, 2**62, -(2**62), 2**62, 5, 5],
    },
    "text with missing values": {
        "a": pd.Series(["Lindon", None, "", "Kølvrå"]),
        "b": pd.Series(["x", None, NA, "=1+1"], dtype=object),
    },
    "text the csv module quotes": {
        "a": ["Ny, Vest", 'sagt "nej"', "to\nlinjer", "x"],
        "b": [1, 2, 3, 4],
    },  # fmt: skip
    "numbers in a text column": {"a": pd.Series(["x", 1.5, 2, None], dtype=object), "b": [1] * 4},
    "single floats": {"a": pd.array([0.1, 0.5, 1.0, 2.0], dtype="float32"), "b": [1] * 4},
    "one column": {"a": ["", "x", None, "y"]},
    "no rows": {"a": pd.Series([], dtype=float), "b": pd.Series([], dtype=object)},
}


@pytest.mark.parametrize("columns", AS_PANDAS_WRITES.values(), ids=AS_PANDAS_WRITES)
def test_csv_is_what_pandas_writes_with_text_neutralised(columns):
    frame = pd.DataFrame(columns)
    neutralised = frame.map(neutralise).astype(frame.dtypes.to_dict())

    assert csv_text(frame) == neutralised.to_csv(index=False)


def test_excel_csv_is_semicolon_utf8_with_bom_and_neutralised():
    frame = pd.DataFrame({"afdeling": ["@Kølvrå", "Kølvrå afd. 8"], "timer": [1.5, None]})

    data = excel_csv(frame)

    assert data.startswith("\ufeff".encode())
    assert data.decode("utf-8-sig") == "afdeling;timer\r\n'@Kølvrå;1,5\r\nKølvrå afd. 8;\r\n"


def test_xlsx_text_cells_are_strings_never_formulas(tmp_path):
    # XML stores a carriage return as a line feed; that changes no cell into a formula.
    values = [v.replace("\r", "\n") for v, _ in CELLS if v]
    path = tmp_path / "t.xlsx"
    path.write_bytes(xlsx_bytes(pd.DataFrame({"tekst": values, "tal": range(len(values))}), "T"))

    sheet = openpyxl.load_workbook(path).active  # formulas as formulas, not values
    cells = [row[0] for row in sheet.iter_rows(min_row=2)]
    assert [c.value for c in cells] == values
    assert {c.data_type for c in cells} == {"s"}
    assert [c.quotePrefix for c in cells] == [v.startswith(FORMULA_START) for v in values]
    assert [cells[0] for _, cells in read_cells(path, []).rows] == values  # text, not Formula


def test_build_neutralises_names_in_the_processed_tables(tmp_path):
    # An afdeling whose name Excel would run: the name reaches indikatorer.csv and
    # aktiviteter.csv only as text, and evalkit reads it back as it was.
    raw = project(tmp_path, years=False) / "raw"
    for name in ("afdelinger.csv", "baseline.csv"):
        text = (raw / name).read_text(encoding="utf-8")
        (raw / name).write_text(text.replace("Karup,", '"=HYPERLINK(""x"")",'), "utf-8")
    (raw / "2025").mkdir()
    (raw / "2025" / "aktiviteter.csv").write_text("aktivitet,afdeling,timer,deltagere\n"
                                                  "Bo Godt,,4,1\n", encoding="utf-8")  # fmt: skip
    paths = Paths(data=tmp_path / "data")
    agreement = load_agreement(raw)
    assert '=HYPERLINK("x")' in agreement.afdeling_names

    build_year(paths, 2025, agreement)

    for name in ("indikatorer.csv", "aktiviteter.csv"):
        text = (paths.processed_year(2025) / name).read_text(encoding="utf-8")
        cells = [c for row in csv.reader(io.StringIO(text)) for c in row]
        assert not [c for c in cells if c.startswith(("=", "+", "@"))], name
        assert not [c for c in cells if c.startswith("-") and not _number(c)], name
    assert "'=HYPERLINK" in (paths.processed_year(2025) / "indikatorer.csv").read_text("utf-8")
    processed = load_processed(paths, 2025)
    assert '=HYPERLINK("x")' in set(processed.indikatorer["enhed"])


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def test_sheets_is_the_only_module_that_writes_csv_or_xlsx():
    writers = ("to_csv(", "to_excel(", "Workbook(", "csv.writer(", "xlsxwriter")
    found = {
        path.relative_to(SRC).as_posix(): [w for w in writers if w in path.read_text("utf-8")]
        for path in SRC.rglob("*.py")  # every layer's modules, not only the base ones
        if path != SRC / "inputs" / "sheets.py"
    }
    assert len(found) > 30  # the walk does reach the layers
    assert {name: hits for name, hits in found.items() if hits} == {}
