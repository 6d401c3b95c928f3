"""Tables that people open in Excel: every CSV and XLSX evalkit writes goes through here.

A text cell that starts with =, +, -, @, tab or carriage return is a formula to Excel
(OWASP: "CSV injection"). evalkit writes such text so it stays text: in CSV with a leading
apostrophe, which Excel shows and never runs; in XLSX as a string cell marked quotePrefix,
as Excel itself stores text typed after an apostrophe. Reading our own CSV back removes
the apostrophe again.
"""

import io
import os
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _needs_quote(text: str) -> bool:
    # Text that already starts with apostrophes before a formula character gets one more,
    # so that `restore` gives back exactly what was written.
    return text.startswith(FORMULA_START) or (text.startswith("'") and _needs_quote(text[1:]))


def neutralise(value):
    """Text that Excel would run as a formula gets a leading apostrophe; all else is kept."""
    if isinstance(value, str) and _needs_quote(value):
        return "'" + value
    return value


def restore(value):
    """The inverse of `neutralise`, for reading evalkit's own CSV files back."""
    if isinstance(value, str) and value.startswith("'") and _needs_quote(value[1:]):
        return value[1:]
    return value


def _text_columns(frame: pd.DataFrame) -> list[str]:
    return [
        c
        for c in frame.columns
        if pd.api.types.is_object_dtype(frame[c]) or pd.api.types.is_string_dtype(frame[c])
    ]


def _neutralised(frame: pd.DataFrame) -> pd.DataFrame:
    safe = frame.copy()
    for column in _text_columns(safe):
        texts = safe[column].astype(object)
        # One look at each distinct value: most columns hold no text that could start a
        # formula, and a national table repeats its names tens of thousands of times.
        changed = {v for v in pd.unique(texts) if isinstance(v, str) and neutralise(v) != v}
        if changed:
            risky = texts.isin(changed)
            safe[column] = texts.where(~risky, texts[risky].map(neutralise))
    return safe


def csv_text(frame: pd.DataFrame) -> str:
    """Plain CSV (comma, decimal point) with every text cell neutralised.

    The bytes of pandas' `to_csv(index=False)`, joined column by column: pandas turns each
    number column that can hold a missing value into a column of text objects first, a second
    a year for a national indikatorer.csv. A table with a cell the csv module would quote, or a
    column of another kind, is written by pandas itself (tests/inputs/test_sheets.py compares
    the two).
    """
    safe = _neutralised(frame)
    header = list(safe.columns)
    cells = [_csv_cells(safe.iloc[:, i]) for i in range(safe.shape[1])]
    plain = all(isinstance(h, str) for h in header) and not _quoted(header)
    if safe.empty or len(cells) < 2 or not plain or any(c is None for c in cells):
        return safe.to_csv(index=False)
    rows = map(",".join, zip(*cells, strict=True))
    return os.linesep.join([",".join(header), *rows]) + os.linesep


_QUOTED = (",", '"', "\r", "\n")  # what makes the csv module quote a cell (QUOTE_MINIMAL)


def _quoted(texts: list[str]) -> bool:
    joined = "".join(texts)
    return any(c in joined for c in _QUOTED)


def _csv_cells(column: pd.Series) -> list[str] | None:
    """The column's cells as pandas writes them to CSV: a missing value empty, a float as its
    repr, other numbers and text as str; None for a column left to pandas."""
    if column.dtype in (np.float64, pd.Float64Dtype()):
        values = column.to_numpy(dtype=float, na_value=np.nan)
        # Each distinct value formatted once (bit for bit: -0.0 is not 0.0): counts repeat.
        distinct, where = np.unique(values.view(np.int64), return_inverse=True)
        numbers = distinct.view(np.float64)
        texts = list(map(repr, numbers.tolist()))
        for missing in np.flatnonzero(np.isnan(numbers)).tolist():
            texts[missing] = ""
        return np.array(texts, dtype=object)[where].tolist()
    if column.dtype.kind in "iub":  # int64, Int64, bool, boolean
        codes, distinct = pd.factorize(column)  # a missing value: code -1
        if len(distinct) <= len(column) // 2:
            # Each distinct value formatted once: years, flags and counts of afdelinger repeat.
            texts = np.array([*map(str, distinct.tolist()), ""], dtype=object)
            return texts[codes].tolist()
        values = column.astype(object).tolist()
        if column.hasnans:
            return ["" if v is pd.NA else str(v) for v in values]
        return list(map(str, values))
    if not _text_columns(column.to_frame()):
        return None
    texts = column.astype(object).tolist()
    kinds = set(map(type, texts))
    if kinds != {str} and column.hasnans:  # a column of text alone has no missing value
        texts = ["" if m else v for v, m in zip(texts, column.isna().tolist(), strict=True)]
        kinds = set(map(type, texts))
    if kinds - {str} or _quoted(texts):
        return None
    return texts


def excel_csv(frame: pd.DataFrame) -> bytes:
    """CSV as Danish Excel opens it directly: semicolon, decimal comma, UTF-8 with BOM."""
    text = _neutralised(frame).to_csv(index=False, sep=";", decimal=",", lineterminator="\r\n")
    return text.encode("utf-8-sig")


def read_csv(path: Path) -> pd.DataFrame:
    """A CSV file written by `csv_text`, with its text exactly as before."""
    frame = pd.read_csv(path)
    for column in _text_columns(frame):
        texts = frame[column]
        # One look at each distinct text first: hardly any has the mark `neutralise` adds.
        if any(restore(v) is not v for v in pd.unique(texts)):
            frame[column] = texts.map(restore, na_action="ignore")
    return frame


@dataclass
class Sheet:
    """One sheet of a workbook: its tab's name, its table (the headings as columns) and an
    Excel number format for some of its columns, by heading."""

    title: str
    frame: pd.DataFrame
    formats: dict[str, str] = field(default_factory=dict)


WIDEST = 40  # characters: a column of long texts is not wider than this
UNDATED = (1980, 1, 1, 0, 0, 0)  # the earliest date a zip can hold: in place of the clock


def xlsx_bytes(frame: pd.DataFrame, title: str) -> bytes:
    """The table as a workbook with one sheet (workbook_bytes); no text cell can become a
    formula."""
    return workbook_bytes([Sheet(title, frame)])


def workbook_bytes(sheets: list[Sheet]) -> bytes:
    """A workbook as people read it in Excel: bold headings in a frozen first row with filters,
    each number exact in its cell and shown rounded by its column's number format, text
    never a formula, an empty cell for a missing value.

    The same sheets give the same bytes: no clock reading is stored (the document is dated
    UNDATED, as XlsxWriter dates each file of the zip), so a rerun changes no published file.
    """
    import xlsxwriter  # imported here: only needed for Excel files

    written = io.BytesIO()
    # Text is written as text (write_string), and no string is ever read as a formula, a
    # link or a number.
    options = {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
               "strings_to_numbers": False}  # fmt: skip
    workbook = xlsxwriter.Workbook(written, options)
    workbook.set_properties({"created": datetime(*UNDATED)})
    formats = _Formats(workbook)
    for spec in sheets:
        sheet = workbook.add_worksheet(spec.title)
        last_row = 0
        for col, name in enumerate(spec.frame.columns):
            _text(sheet, 0, col, str(name), formats, bold=True)
            shown = [len(str(name))] + [len(str(v)) for v in spec.frame[name].dropna()]
            sheet.set_column(col, col, min(max(shown), WIDEST) + 2)
        number_formats = [spec.formats.get(name) for name in spec.frame.columns]
        for row, values in enumerate(spec.frame.itertuples(index=False), start=1):
            for col, value in enumerate(values):
                if isinstance(value, str):
                    _text(sheet, row, col, value, formats)
                elif pd.isna(value):
                    continue  # an empty cell
                else:
                    value = value.item() if hasattr(value, "item") else value
                    sheet.write(row, col, value, formats.get(number_formats[col]))
                last_row = row
        sheet.freeze_panes(1, 0)
        # Over the cells written, as Excel's own filter button would take them.
        sheet.autofilter(0, 0, last_row, max(len(spec.frame.columns) - 1, 0))
    workbook.close()
    return written.getvalue()


class _Formats:
    """The cell formats of one workbook, each made once: XlsxWriter stores each format it is
    given, however many cells share it."""

    def __init__(self, workbook) -> None:
        self._workbook = workbook
        self._made: dict[tuple, object] = {}

    def get(self, number_format: str | None = None, bold: bool = False, quoted: bool = False):
        key = (number_format, bold, quoted)
        if key == (None, False, False):
            return None
        if key not in self._made:
            properties = {"num_format": number_format, "bold": bold, "quote_prefix": quoted}
            self._made[key] = self._workbook.add_format(
                {name: value for name, value in properties.items() if value}
            )
        return self._made[key]


def _text(sheet, row: int, col: int, value: str, formats: _Formats, bold: bool = False) -> None:
    # A string cell is never a formula; one that Excel would run when edited is marked
    # quotePrefix, as Excel marks text typed after an apostrophe.
    sheet.write_string(
        row, col, value, formats.get(bold=bold, quoted=value.startswith(FORMULA_START))
    )
