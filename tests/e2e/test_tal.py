"""Spec: the figures people open in Excel (evalkit.publish.tal): reports/<year>/tal.xlsx holds
exactly what tal.csv holds, hidden cells marked the same way, and
data/processed/<year>/indikatorer.xlsx exactly what indikatorer.csv holds; Danish headings,
a frozen header row, numbers exact in the cell and shown rounded.

Whatever the data: every figure is compared with the CSV beside it, none is asserted."""

import io
import zipfile

import openpyxl
import pandas as pd
import pytest

from evalkit.inputs.sheets import UNDATED, Sheet, workbook_bytes
from evalkit.publish.tal import ABOUT, HEADINGS, PERCENT, WHOLE, _title
from tests.conftest import YEAR

MARKS = {"<5": "under 5", "skjult": "skjult"}  # tal.csv's mark -> the workbook's


def sheets(path) -> pd.DataFrame:
    """Every indicator's sheet of a workbook as one table, with tal.csv's column names."""
    read = pd.read_excel(path, sheet_name=None)
    assert next(iter(read)) == ABOUT
    rows = pd.concat([frame for name, frame in read.items() if name != ABOUT])
    assert list(rows.columns) == list(HEADINGS.values())  # every heading Danish
    return rows.rename(columns={v: k for k, v in HEADINGS.items()}).reset_index(drop=True)


def same_cells(workbook: pd.DataFrame, csv: pd.DataFrame, marks: dict[str, str]) -> None:
    """Each cell of the workbook holds the CSV's: a number to the 16 significant digits
    openpyxl writes (Excel shows 15), a text as it is, a mark as its words."""
    assert len(workbook) == len(csv)
    key = ["niveau", "enhed", "indikator"]
    workbook = workbook.set_index(key).sort_index()
    csv = csv.set_index(key).sort_index()
    assert list(workbook.index) == list(csv.index)
    for column in csv.columns:
        for (index, theirs), ours in zip(csv[column].items(), workbook[column], strict=True):
            if pd.isna(theirs):
                assert pd.isna(ours), (index, column)
            elif isinstance(theirs, str) and theirs in marks:
                assert ours == marks[theirs], (index, column)
            elif isinstance(theirs, str):
                assert str(ours) == theirs, (index, column)
            else:
                assert float(ours) == pytest.approx(float(theirs), rel=1e-15), (index, column)


@pytest.fixture(scope="module")
def published(batch):
    folder = batch["root"] / "reports" / str(YEAR)
    csv = pd.read_csv(folder / "tal.csv", dtype=object)
    numeric = csv.apply(lambda c: pd.to_numeric(c, errors="coerce"))
    # The CSV's numbers as numbers, its marks and texts as text.
    csv = numeric.where(numeric.notna() | csv.isna(), csv)
    return folder / "tal.xlsx", csv


def test_tal_xlsx_holds_what_tal_csv_holds_hidden_cells_as_under_5(published):
    path, csv = published
    same_cells(sheets(path), csv, MARKS)
    assert (csv == "<5").any().any()  # the data do have hidden cells: the test is not empty


def test_a_hidden_cell_is_text_in_the_workbook_never_its_value(published):
    path, csv = published
    book = openpyxl.load_workbook(path)
    hidden = [c for s in book.worksheets[1:] for row in s.iter_rows(min_row=2) for c in row
              if c.value in ("under 5", "skjult")]  # fmt: skip
    assert len(hidden) == int(csv.isin(list(MARKS)).sum().sum())
    assert all(c.data_type == "s" for c in hidden)


def test_the_exact_figures_workbook_holds_what_indikatorer_csv_holds(batch):
    folder = batch["root"] / "data" / "processed" / str(YEAR)
    csv = pd.read_csv(folder / "indikatorer.csv")
    workbook = sheets(folder / "indikatorer.xlsx")
    same_cells(workbook, csv, {})
    assert not workbook.isin(["under 5", "skjult"]).any().any()


def test_each_sheet_has_a_frozen_header_filters_and_rounded_number_formats(published, helhedsplan):
    book = openpyxl.load_workbook(published[0])
    for sheet in book.worksheets[1:]:
        assert sheet.freeze_panes == "A2"
        assert sheet.auto_filter.ref == sheet.dimensions
        assert all(c.font.bold for c in sheet[1])
        column = {c.value: c.column for c in sheet[1]}
        indicator = helhedsplan.indicator(sheet.cell(2, column["Indikator"]).value)
        wanted = PERCENT if indicator.type == "andel" else WHOLE
        values = [row[column["Værdi"] - 1] for row in sheet.iter_rows(min_row=2)]
        numbers = [c for c in values if isinstance(c.value, float | int)]
        assert numbers and {c.number_format for c in numbers} == {wanted}, sheet.title
        years = [row[column["År"] - 1] for row in sheet.iter_rows(min_row=2)]
        assert {c.number_format for c in years} == {"0"}  # 2025, not 2.025


@pytest.mark.parametrize(
    ("name", "taken", "title"),
    [
        ("Fraflytning", set(), "Fraflytning"),
        ("Andel/antal: [ny]?", set(), "Andel antal ny"),
        ("Borgere med foranstaltning jf. serviceloven", set(), "Borgere med foranstaltning jf."),
        ("Fraflytning", {"Fraflytning"}, "Fraflytning 2"),
        ("Om tallene", set(), "Om tallene 2"),
        ("fraflytning", {"Fraflytning"}, "fraflytning 2"),  # Excel: the same name
        ("OM TALLENE", set(), "OM TALLENE 2"),
    ],
)
def test_a_sheets_tab_is_a_name_excel_takes(name, taken, title):
    assert _title(name, taken) == title
    assert len(title) <= 31


def test_the_filter_covers_the_cells_written_also_when_the_last_row_is_empty():
    frame = pd.DataFrame({"Enhed": ["Karup", None], "Værdi": [1.5, None]})

    sheet = openpyxl.load_workbook(io.BytesIO(workbook_bytes([Sheet("Tal", frame)])))["Tal"]

    assert sheet.auto_filter.ref == sheet.dimensions == "A1:B2"


def test_the_same_sheets_give_the_same_bytes():
    frame = pd.DataFrame({"Værdi": [16.666666666666668, None], "Tekst": ["=1+1", "a"]})
    first = workbook_bytes([Sheet("Tal", frame)])
    assert workbook_bytes([Sheet("Tal", frame)]) == first
    # No clock reading: each file of the zip and the document carry one fixed date.
    with zipfile.ZipFile(io.BytesIO(first)) as archive:
        assert {entry.date_time for entry in archive.infolist()} == {UNDATED}
        assert "1980-01-01T00:00:00Z" in archive.read("docProps/core.xml").decode()
    cells = openpyxl.load_workbook(io.BytesIO(first))["Tal"]
    assert cells["B2"].value == "=1+1" and cells["B2"].data_type == "s"  # never a formula
    assert cells["A3"].value is None  # missing is an empty cell, not 0
