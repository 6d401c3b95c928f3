"""Tables that people open in Excel: every CSV and XLSX evalkit writes goes through here.

A text cell that starts with =, +, -, @, tab or carriage return is a formula to Excel
(OWASP: "CSV injection"). evalkit writes such text so it stays text: in CSV with a leading
apostrophe, which Excel shows and never runs; in XLSX as a string cell marked quotePrefix,
as Excel itself stores text typed after an apostrophe. Reading our own CSV back removes
the apostrophe again.
"""

import io
from pathlib import Path

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
        # One vectorised look first: most columns hold no text that could start a formula.
        risky = texts.map(lambda v: isinstance(v, str) and v[:1] in "=+-@\t\r'")
        if risky.any():
            safe[column] = texts.where(~risky, texts[risky].map(neutralise))
    return safe


def csv_text(frame: pd.DataFrame) -> str:
    """Plain CSV (comma, decimal point) with every text cell neutralised."""
    return _neutralised(frame).to_csv(index=False)


def excel_csv(frame: pd.DataFrame) -> bytes:
    """CSV as Danish Excel opens it directly: semicolon, decimal comma, UTF-8 with BOM."""
    text = _neutralised(frame).to_csv(index=False, sep=";", decimal=",", lineterminator="\r\n")
    return text.encode("utf-8-sig")


def read_csv(path: Path) -> pd.DataFrame:
    """A CSV file written by `csv_text`, with its text exactly as before."""
    frame = pd.read_csv(path)
    for column in _text_columns(frame):
        frame[column] = frame[column].map(restore, na_action="ignore")
    return frame


def xlsx_bytes(frame: pd.DataFrame, title: str) -> bytes:
    """The table as a workbook with one sheet; no text cell can become a formula."""
    import openpyxl  # imported here: only needed for Excel files
    from openpyxl.styles import Font

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = title
    for col, name in enumerate(frame.columns, start=1):
        _text(sheet.cell(1, col), str(name)).font = Font(bold=True)
        width = max([len(str(name))] + [len(str(v)) for v in frame[name].dropna()])
        sheet.column_dimensions[openpyxl.utils.get_column_letter(col)].width = width + 2
    for row, values in enumerate(frame.itertuples(index=False), start=2):
        for col, value in enumerate(values, start=1):
            if isinstance(value, str):
                _text(sheet.cell(row, col), value)
            elif not pd.isna(value):
                sheet.cell(row, col).value = value
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _text(cell, value: str):
    cell.value = value
    # openpyxl takes a string starting with "=" for a formula; keep every string a string.
    cell.data_type = "s"
    if value.startswith(FORMULA_START):
        cell.quotePrefix = True
    return cell
