"""The cells of one spreadsheet file, CSV or Excel, numbered as the analyst sees them.

Rows are numbered as in Excel: the first row is 1 and blank rows count. Nothing here knows
what the columns mean; evalkit.inputs checks them. Every problem is told in Danish with what
to do about it, and the file is never opened for writing.
"""

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from evalkit.errors import Problem, unreadable


@dataclass(frozen=True)
class Formula:
    """An Excel formula without a saved value. evalkit never computes a formula itself."""

    text: str

    def __str__(self) -> str:
        return self.text


@dataclass
class Sheet:
    header: list[str]
    header_row: int
    rows: list[tuple[int, list]]  # (row as in Excel, cells)
    danish: bool  # numbers are written the Danish way: decimal comma, thousands point
    csv: bool


# Signatures of files that are not text, whatever their name says.
_NOT_TEXT = {
    b"PK\x03\x04": "en Excel-fil (.xlsx) med endelsen .csv; omdøb den til .xlsx",
    b"\xd0\xcf\x11\xe0": (
        'en fil i det gamle Excel-format (.xls); gem den i Excel som "Excel-projektmappe '
        '(.xlsx)" eller som "CSV (semikolonsepareret)"'
    ),
    b"\xff\xfe": (
        'gemt som UTF-16 (i Excel: "Unicode-tekst"); gem den som "CSV UTF-8" eller '
        '"CSV (semikolonsepareret)"'
    ),
    b"\xfe\xff": 'gemt som UTF-16; gem den som "CSV UTF-8" eller "CSV (semikolonsepareret)"',
}


def read_cells(path: Path, problems: list[Problem]) -> Sheet | None:
    """The header and data rows of a .csv or .xlsx file; None (and a problem) if unusable."""
    if path.suffix.lower() == ".xlsx":
        return _read_xlsx(path, problems)
    try:
        data = path.read_bytes()
    except OSError as exc:
        problems.append(unreadable(path, exc))
        return None
    for signature, what in _NOT_TEXT.items():
        if data.startswith(signature):
            problems.append(Problem(str(path), f"filen er ikke en CSV-fil, men {what}."))
            return None
    text = decode(data)
    if text is None or "\x00" in text:
        problems.append(
            Problem(
                str(path),
                'tegnsættet kendes ikke; gem filen i Excel som "CSV UTF-8" eller '
                '"CSV (semikolonsepareret)".',
            )
        )
        return None
    lines = [line for line in text.splitlines() if line.strip()]
    first = lines[0] if lines else ""
    if first.count("\t") > max(first.count(";"), first.count(","), 0):
        problems.append(
            Problem(
                str(path),
                "kolonnerne er adskilt med tabulator; forventede semikolon eller komma. "
                'Gem filen i Excel som "CSV (semikolonsepareret)".',
                row=1,
            )
        )
        return None
    separator = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator)
    numbered = [(i, row) for i, row in enumerate(reader, start=1) if any(c.strip() for c in row)]
    return _sheet(path, numbered, danish=separator == ";", is_csv=True, problems=problems)


def decode(data: bytes) -> str | None:
    """Text as Danish Excel and Windows save it: UTF-8 (with or without BOM) or Windows-1252."""
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


def _sheet(path: Path, numbered, danish: bool, is_csv: bool, problems) -> Sheet | None:
    if not numbered:
        problems.append(Problem(str(path), "filen er tom."))
        return None
    header_row, header = numbered[0]
    return Sheet(
        header=["" if c is None else str(c).strip() for c in header],
        header_row=header_row,
        rows=numbered[1:],
        danish=danish,
        csv=is_csv,
    )


def _read_xlsx(path: Path, problems: list[Problem]) -> Sheet | None:
    import openpyxl  # imported here: only needed for Excel files

    try:
        # data_only: the values Excel saved for formulas; the second load tells which cells
        # hold formulas, so a formula without a saved value is never mistaken for no data.
        values = openpyxl.load_workbook(path, read_only=True, data_only=True)
        formulas = openpyxl.load_workbook(path, read_only=True, data_only=False)
    except OSError as exc:
        problems.append(unreadable(path, exc))
        return None
    except Exception:  # openpyxl raises many kinds for a file that is not a workbook
        problems.append(
            Problem(
                str(path),
                "filen kan ikke læses som Excel-fil (.xlsx). Er den beskyttet med adgangskode, "
                'eller er det en anden filtype med endelsen .xlsx? Gem den i Excel som "Excel-'
                'projektmappe (.xlsx)".',
            )
        )
        return None
    try:
        sheet = values.worksheets[0]
        if len(values.worksheets) > 1:
            problems.append(
                Problem(
                    str(path),
                    f'filen har {len(values.worksheets)} ark; kun det første, "{sheet.title}", '
                    "læses.",
                    warning=True,
                )
            )
        cells = formulas.worksheets[0].iter_rows()
        numbered = []
        for i, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            kinds = next(cells, ())
            row = [_value(v, kinds, j) for j, v in enumerate(row)]
            if any(v is not None and str(v).strip() for v in row):
                numbered.append((i, ["" if v is None else v for v in row]))
    finally:
        values.close()
        formulas.close()
    return _sheet(path, numbered, danish=True, is_csv=False, problems=problems)


def _value(value, cells, index: int):
    """The saved value, or the formula itself when Excel saved no value for it."""
    if value is None and index < len(cells) and cells[index].data_type == "f":
        return Formula(str(cells[index].value))
    return value
