"""The analyst's files as evalkit reads them: spreadsheet cells, text (notes) and YAML.

Cells come numbered as the analyst sees them: rows as in Excel, the first row is 1 and blank
rows count. Nothing here knows what the columns mean; evalkit.inputs.tables checks them. Every
problem is told in Danish with what to do about it, and a file is never opened for writing.

Every input is bounded before it is read (docs/inddata.md, "Grænser"): a file's size, an
Excel file's unpacked size, and the rows and columns that really hold something, whatever
size the file says it has. YAML is read without anchors and aliases, so a few hundred bytes
cannot unfold into billions of values.
"""

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

import yaml

from evalkit import fmt
from evalkit.errors import EvalkitError, Problem, shown, unreadable
from evalkit.inputs import cpr

MAX_FILE_BYTES = 20_000_000  # a table file (.csv or .xlsx)
MAX_UNPACKED_BYTES = 200_000_000  # an .xlsx file unpacked (it is a zip of XML files)
MAX_TEXT_BYTES = 1_000_000  # a note or metadata.yaml
MAX_ROWS = 100_000  # rows with content in a table
MAX_COLUMNS = 100  # columns, counted to the last one with content


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
    titles: list[str] = field(default_factory=list)  # an Excel file's sheet names


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
        return _read_xlsx(path, problems) if _within(path, MAX_FILE_BYTES, problems) else None
    data = _bytes(path, MAX_FILE_BYTES, problems)
    if data is None:
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
    first = _first_line(text)
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
    numbered = _rows_in_bounds(text, separator)
    if numbered is not None:
        return _sheet(path, numbered, danish=separator == ";", is_csv=True, problems=problems)
    # Too many rows or columns, or not CSV: read row by row to say where.
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator)
    numbered = []
    try:
        for i, row in enumerate(reader, start=1):
            if "".join(row).strip():  # some cell holds more than spaces
                numbered.append((i, row))
                big = len(numbered) > MAX_ROWS or len(row) > MAX_COLUMNS
                if big and _too_big(path, i, row, len(numbered), problems):
                    return None
    except csv.Error:
        problems.append(
            Problem(
                str(path),
                "filen kan ikke læses som CSV: en celle er for lang, eller et anførselstegn "
                f"slutter aldrig (omkring række {reader.line_num}). Gem filen i Excel igen.",
            )
        )
        return None
    return _sheet(path, numbered, danish=separator == ";", is_csv=True, problems=problems)


def _first_line(text: str) -> str:
    """The first line that holds more than spaces ("" if none), as text.splitlines() would
    give it, without splitting a national table into all its lines."""
    size = 4096
    while size < len(text):
        lines = text[:size].splitlines()
        # The last line may go on beyond `size`; the lines before it are whole.
        found = next((line for line in lines[:-1] if line.strip()), None)
        if found is not None:
            return found
        size *= 8
    return next((line for line in text.splitlines() if line.strip()), "")


_BATCH = 10_000  # CSV rows parsed at a time: the blank ones are dropped before the next


def _rows_in_bounds(text: str, separator: str) -> list[tuple[int, list]] | None:
    """The rows with content, numbered from 1 as read, when the text is CSV within MAX_ROWS
    and MAX_COLUMNS; None otherwise (read_cells then reads row by row to say what is wrong).

    The same rows as that reading, a batch at a time: a national table has tens of thousands.
    """
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator)
    numbered: list[tuple[int, list]] = []
    start = 1
    try:
        while batch := list(islice(reader, _BATCH)):
            if max(map(len, batch)) > MAX_COLUMNS:
                return None
            # Some cell holds more than spaces: in most rows the first one does.
            numbered += [
                (i, row)
                for i, row in enumerate(batch, start)
                if (row and row[0].strip()) or "".join(row).strip()
            ]
            if len(numbered) > MAX_ROWS:
                return None
            start += len(batch)
    except csv.Error:
        return None
    return numbered


def _too_big(path: Path, row_no: int, cells, rows: int, problems: list[Problem]) -> bool:
    """A problem, and True, when the table passes MAX_ROWS or MAX_COLUMNS."""
    if rows > MAX_ROWS:
        problems.append(
            Problem(str(path), f"filen har mere end {fmt.number(MAX_ROWS)} rækker med indhold; "
                    "evalkit læser højst så mange. Del tabellen, eller fjern rækker uden tal.",
                    row=row_no)
        )  # fmt: skip
        return True
    if len(cells) > MAX_COLUMNS and any(str(c).strip() for c in cells[MAX_COLUMNS:]):
        problems.append(
            Problem(str(path), f"rækken har indhold efter kolonne {MAX_COLUMNS}; evalkit læser "
                    f"højst {MAX_COLUMNS} kolonner. Fjern de overskydende celler.", row=row_no)
        )  # fmt: skip
        return True
    return False


def _within(path: Path, limit: int, problems: list[Problem]) -> bool:
    """Whether the file can be read and is at most `limit` bytes; a problem if not."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        problems.append(unreadable(path, exc))
        return False
    if size > limit:
        problems.append(_too_large(path, size, limit))
        return False
    return True


def _bytes(path: Path, limit: int, problems: list[Problem]) -> bytes | None:
    """The file's bytes, if it has at most `limit`; None and a problem if not."""
    if not _within(path, limit, problems):
        return None
    try:
        return path.read_bytes()
    except OSError as exc:
        problems.append(unreadable(path, exc))
        return None


def _too_large(path: Path, size: int, limit: int, how: str = "") -> Problem:
    return Problem(
        str(path),
        f"filen fylder{how} {fmt.number(size / 1e6, 1)} MB; evalkit læser højst "
        f"{fmt.number(limit / 1e6)} MB. Er det den rigtige fil?",
    )


def read_text(path: Path, problems: list[Problem]) -> str | None:
    """A text file (a note, metadata.yaml) as Windows and Danish editors save it; None if not."""
    data = _bytes(path, MAX_TEXT_BYTES, problems)
    if data is None:
        return None
    for bom, encoding in ((b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")):
        if data.startswith(bom):  # "Unicode" in Notepad and Word
            try:
                return data[2:].decode(encoding)
            except UnicodeDecodeError:
                break
    text = decode(data)
    if text is None or "\x00" in text:
        problems.append(
            Problem(str(path), "tegnsættet kendes ikke; gem filen som UTF-8 (eller Windows-1252).")
        )
        return None
    return text


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
    titles = _title_rows(numbered)
    if titles:
        problems.append(_title_problem(path, numbered[:titles], numbered[titles][0]))
        numbered = numbered[titles:]  # read the rest, so its own problems are told too
    header_row, header = numbered[0]
    return Sheet(
        header=["" if c is None else str(c).strip() for c in header],
        header_row=header_row,
        rows=numbered[1:],
        danish=danish,
        csv=is_csv,
    )


_NUMBER_TEXT = re.compile(r"[-+]?[\d.,\s]+%?")


def _title_rows(numbered: list[tuple[int, list]]) -> int:
    """How many rows above the headings hold a title: one filled cell each (a title merged
    across the columns keeps its text in the first cell), then a row of two or more words."""
    count = 0
    while count < len(numbered) and sum(bool(str(c).strip()) for c in numbered[count][1]) == 1:
        count += 1
    if count == 0 or count == len(numbered):
        return 0
    headings = [c for c in numbered[count][1] if str(c).strip()]
    words = all(isinstance(c, str) and not _NUMBER_TEXT.fullmatch(c.strip()) for c in headings)
    return count if len(headings) >= 2 and words else 0


def _title_problem(path: Path, titles: list[tuple[int, list]], header_row: int) -> Problem:
    first, last = titles[0][0], titles[-1][0]
    text = next(str(c).strip() for c in titles[0][1] if str(c).strip())
    shown_text = "" if cpr.looks_like_cpr(text) else f' ("{shown(text)}")'
    if first == last:
        what, delete = f"rækken ligner en titel{shown_text}", f"titelrækken (række {first})"
    else:
        what = f"rækkerne {first}–{last} ligner en titel{shown_text}"
        delete = f"titelrækkerne ({first}–{last})"
    return Problem(
        str(path),
        f"{what}, og kolonneoverskrifterne står først i række {header_row}. evalkit læser "
        f"overskrifterne i den første række med indhold: slet {delete} i Excel (højreklik på "
        "rækkenummeret, Slet), og gem filen.",
        row=first,
    )


def _read_xlsx(path: Path, problems: list[Problem]) -> Sheet | None:
    import openpyxl  # imported here: only needed for Excel files

    not_excel = (
        "filen kan ikke læses som Excel-fil (.xlsx). Er den beskyttet med adgangskode, eller er "
        'det en anden filtype med endelsen .xlsx? Gem den i Excel som "Excel-projektmappe (.xlsx)".'
    )
    try:
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(item.file_size for item in archive.infolist())
        if unpacked > MAX_UNPACKED_BYTES:  # a few kB may unpack to gigabytes
            problems.append(_too_large(path, unpacked, MAX_UNPACKED_BYTES, " udpakket"))
            return None
        # data_only: the values Excel saved for formulas; the second load tells which cells
        # hold formulas, so a formula without a saved value is never mistaken for no data.
        values = openpyxl.load_workbook(path, read_only=True, data_only=True)
        formulas = openpyxl.load_workbook(path, read_only=True, data_only=False)
    except OSError as exc:
        problems.append(unreadable(path, exc))
        return None
    except Exception:  # zipfile and openpyxl raise many kinds for a file that is not a workbook
        problems.append(Problem(str(path), not_excel))
        return None
    try:
        sheet = values.worksheets[0]
        titles = [ws.title for ws in values.worksheets]
        title = "" if cpr.looks_like_cpr(sheet.title) else f', "{shown(sheet.title)}",'
        if sheet.sheet_state != "visible":
            problems.append(
                Problem(
                    str(path),
                    f"det første ark{title} er skjult i Excel, og evalkit læser kun det første "
                    "ark. Vis arket (højreklik på en arkfane, Vis), eller flyt det ark, der skal "
                    "læses, forrest.",
                )
            )
            return None
        if len(values.worksheets) > 1:
            problems.append(
                Problem(
                    str(path),
                    f"filen har {len(values.worksheets)} ark; kun det første{title[:-1]} læses.",
                    warning=True,
                )
            )
        numbered = _xlsx_rows(path, sheet, formulas.worksheets[0], problems)
    except Exception:  # a sheet with broken XML, a missing shared text, a bad number
        problems.append(
            Problem(
                str(path),
                "arket i filen er beskadiget og kan ikke læses. Åbn filen i Excel, og gem den "
                'igen som "Excel-projektmappe (.xlsx)".',
            )
        )
        return None
    finally:
        values.close()
        formulas.close()
    if numbered is None:
        return None
    sheet = _sheet(path, numbered, danish=True, is_csv=False, problems=problems)
    if sheet is not None:
        sheet.titles = titles
    return sheet


def _xlsx_rows(path: Path, values, formulas, problems: list[Problem]) -> list | None:
    """The rows with content, however large the size the file claims for its sheet.

    A file says how large its sheet is (<dimension>), and openpyxl trusts it: a claim of
    A1:XFD1048576 makes millions of empty cells, one too small loses every row after it.
    The claim is dropped, so only the rows in the file are read; no row is read wider than
    MAX_COLUMNS + 1, which tells whether anything lies beyond MAX_COLUMNS.
    """
    values.reset_dimensions()
    formulas.reset_dimensions()
    width = MAX_COLUMNS + 1
    cells = formulas.iter_rows(min_row=1, max_col=width)
    numbered = []
    for i, row in enumerate(values.iter_rows(min_row=1, max_col=width, values_only=True), start=1):
        kinds = next(cells, ())
        if row.count(None) == len(row):  # at C speed: a claimed sheet has a million of them
            continue
        row = [_value(v, kinds, j) for j, v in enumerate(row)]
        while row and (row[-1] is None or not str(row[-1]).strip()):
            row.pop()
        if not row:
            continue
        numbered.append((i, ["" if v is None else v for v in row]))
        if _too_big(path, i, row, len(numbered), problems):
            return None
    return numbered


def _value(value, cells, index: int):
    """The saved value, or the formula itself when Excel saved no value for it."""
    if value is None and index < len(cells) and cells[index].data_type == "f":
        return Formula(str(cells[index].value))
    return value


class YamlRefused(EvalkitError, yaml.YAMLError):
    """YAML that evalkit does not take, told in Danish, with the line (from 1) if known."""

    def __init__(self, message: str, mark=None):
        self.message = message
        self.line = mark.line + 1 if mark is not None else None
        super().__init__(message)


# libyaml's parser where PyYAML was built with it (its wheels and conda's are): the agreement
# is read in every report, and the pure-Python parser took a tenth of a report's own time.
_Base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_Base):
    """PyYAML's safe loader with dates that exist."""


def _timestamp(loader: _Loader, node):
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except ValueError:  # 2025-02-30 has the form of a date but is none
        raise YamlRefused(
            f"datoen {shown(node.value)} findes ikke; skriv en dato, der findes (år-måned-dag).",
            node.start_mark,
        ) from None


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp)


DEEP = "filen er indlejret for dybt; skriv den enklere."


def load_yaml(text: str):
    """A YAML document without anchors and aliases; raises YamlRefused or yaml.YAMLError."""
    try:
        # Anchors and aliases are refused before anything is built from them (a billion laughs).
        for event in yaml.parse(text, Loader=_Loader):
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                raise YamlRefused(
                    "ankre og henvisninger (& og *) tages ikke imod; skriv værdien ud hvert sted.",
                    event.start_mark,
                )
        return yaml.load(text, Loader=_Loader)  # noqa: S506 (a SafeLoader)
    except RecursionError:
        raise YamlRefused(DEEP) from None
    except yaml.YAMLError as exc:  # libyaml stops at its own nesting limit
        if "nesting depth" in str(getattr(exc, "problem", "")):
            raise YamlRefused(DEEP, exc.problem_mark) from None
        raise
