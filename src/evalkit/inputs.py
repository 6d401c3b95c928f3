"""Reading and validating a year's input tables (data/raw/<year>/).

The input contract is documented in docs/inddata.md. Every problem is collected with its
file, row (as in Excel: the header is row 1) and column, so the analyst sees them all at once.
"""

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from evalkit.agreement import Agreement
from evalkit.errors import InputError, Problem
from evalkit.names import NameIndex, normalize

AFDELING, AKTIVITET, COUNT, NUMBER = "afdeling", "aktivitet", "count", "number"


@dataclass(frozen=True)
class TableSpec:
    name: str
    columns: dict[str, str]  # canonical column -> kind
    key: tuple[str, ...] = ("afdeling",)
    at_most: tuple[tuple[str, str], ...] = ()  # (part, whole): part may not exceed whole
    optional_afdeling: bool = False  # aktiviteter may hold hours shared by all afdelinger


TABLES: dict[str, TableSpec] = {
    spec.name: spec
    for spec in (
        TableSpec(
            "fraflytninger",
            {"afdeling": AFDELING, "lejemaal": COUNT, "fraflytninger": COUNT},
            at_most=(("fraflytninger", "lejemaal"),),
        ),
        TableSpec("udsaettelser", {"afdeling": AFDELING, "effektive_udsaettelser": COUNT}),
        TableSpec(
            "tilfredshed",
            {"afdeling": AFDELING, "besvarelser": COUNT, "tilfredse": COUNT},
            at_most=(("tilfredse", "besvarelser"),),
        ),
        TableSpec(
            "foranstaltninger",
            {"afdeling": AFDELING, "beboere": COUNT, "med_foranstaltning": COUNT},
            at_most=(("med_foranstaltning", "beboere"),),
        ),
        TableSpec(
            "aktiviteter",
            {"aktivitet": AKTIVITET, "afdeling": AFDELING, "timer": NUMBER, "deltagere": COUNT},
            key=("aktivitet", "afdeling"),
            optional_afdeling=True,
        ),
    )
}

EXPECTED = {COUNT: "et helt tal, 0 eller større", NUMBER: "et tal, 0 eller større"}


@dataclass
class YearInputs:
    """One year's validated inputs: a tidy table per source that was delivered."""

    year: int
    tables: dict[str, pd.DataFrame]
    notes: dict[str, str]
    eksempeldata: bool
    beskrivelse: str
    periode_fra: date
    periode_til: date
    files: list[Path]
    warnings: list[Problem] = field(default_factory=list)


def read_year(raw_dir: Path, year: int, agreement: Agreement) -> YearInputs:
    """Read and validate data/raw/<year>/; raise InputError with every problem found."""
    year_dir = raw_dir / str(year)
    if not year_dir.is_dir():
        raise InputError([Problem(str(year_dir), f"mappen for året {year} findes ikke.")])
    problems: list[Problem] = []
    tables: dict[str, pd.DataFrame] = {}
    files: list[Path] = []
    for spec in TABLES.values():
        path = _table_file(year_dir, spec.name, problems)
        if path is None:
            continue
        files.append(path)
        table = read_table(path, spec, agreement, problems)
        if table is not None:
            tables[spec.name] = table
    meta, meta_file = _read_metadata(year_dir, year, problems)
    if meta_file:
        files.append(meta_file)
    notes, note_files = _read_notes(year_dir / "noter", agreement.afdeling_index(), problems)
    files += note_files
    errors = [p for p in problems if not p.warning]
    if errors:
        raise InputError(problems)
    return YearInputs(
        year=year,
        tables=tables,
        notes=notes,
        files=files,
        warnings=[p for p in problems if p.warning],
        **meta,
    )


def _table_file(year_dir: Path, name: str, problems: list[Problem]) -> Path | None:
    found = [year_dir / f"{name}{ext}" for ext in (".csv", ".xlsx")]
    found = [p for p in found if p.exists()]
    if len(found) > 1:
        problems.append(
            Problem(str(year_dir), f"både {name}.csv og {name}.xlsx findes; behold kun én af dem.")
        )
        return None
    return found[0] if found else None


def read_table(
    path: Path, spec: TableSpec, agreement: Agreement, problems: list[Problem]
) -> pd.DataFrame | None:
    """Read one table into its canonical columns; append problems; None if unusable."""
    start = len(problems)
    raw = _read_cells(path, problems)
    if raw is None:
        return None
    header, rows, danish = raw
    columns = _match_header(path, header, spec, problems)
    if columns is None:
        return None
    if not rows:
        problems.append(Problem(str(path), "filen har overskrifter, men ingen rækker med data."))
        return None
    indexes = {AFDELING: agreement.afdeling_index(), AKTIVITET: agreement.activity_index()}
    frame = _read_clean(rows, spec, columns, danish, indexes)
    if frame is None:  # some cell is not as it should be: read cell by cell to say which
        records = []
        for row_no, cells in rows:
            record = {"_row": row_no}
            for name, kind in spec.columns.items():
                index = columns[name]
                cell = cells[index] if index < len(cells) else None
                where = (str(path), row_no, header[index])
                if kind in indexes:
                    optional = kind == AFDELING and spec.optional_afdeling
                    record[name] = _match_name(cell, indexes[kind], kind, where, problems, optional)
                else:
                    record[name] = _parse_number(cell, kind, danish, where, problems)
            records.append(record)
        frame = pd.DataFrame.from_records(records)
    numbers = [name for name, kind in spec.columns.items() if kind in (COUNT, NUMBER)]
    frame[numbers] = frame[numbers].astype("Float64")
    _check_rows(path, frame, header, columns, spec, problems)
    if any(not p.warning for p in problems[start:]):
        return None
    counts = {name: "Int64" for name, kind in spec.columns.items() if kind == COUNT}
    return frame.astype(counts).drop(columns="_row").reset_index(drop=True)


def _read_clean(rows, spec: TableSpec, columns: dict[str, int], danish: bool, indexes):
    """The table column by column, when every cell is as the contract wants; else None.

    The same table as reading cell by cell gives, many times faster: a national table has
    thousands of rows a year (tests/test_inputs.py compares the two).
    """
    data: dict[str, list] = {"_row": [row_no for row_no, _ in rows]}
    for name, kind in spec.columns.items():
        i = columns[name]
        cells = [c[i] if i < len(c) else None for _, c in rows]
        if kind in indexes:
            optional = kind == AFDELING and spec.optional_afdeling
            found = _clean_names(cells, indexes[kind], optional)
        else:
            found = _clean_numbers(cells, kind, danish)
        if found is None:
            return None
        data[name] = found
    return pd.DataFrame(data)


def _clean_names(cells: list, index: NameIndex, optional: bool) -> list | None:
    texts = ["" if c is None else str(c).strip() for c in cells]
    known = {t: index.find(t) for t in set(texts) if t}
    if any(v is None for v in known.values()) or ("" in texts and not optional):
        return None
    return [known[t] if t else None for t in texts]


def _clean_numbers(cells: list, kind: str, danish: bool):
    if all(c is None or (isinstance(c, int | float) and not isinstance(c, bool)) for c in cells):
        values = np.array([np.nan if c is None else c for c in cells], dtype=float)
    elif all(c is None or isinstance(c, str) for c in cells):
        # One pattern over the whole column instead of one per cell.
        texts = "\n".join("" if c is None else c.strip() for c in cells)
        texts = texts.replace("\u00a0", "").replace(" ", "")
        if not (_DANISH_COLUMN if danish else _PLAIN_COLUMN).fullmatch(texts):
            return None
        if danish:
            texts = texts.replace(".", "").replace(",", ".")
        parts = texts.split("\n")
        if len(parts) != len(cells):  # a line break inside a cell
            return None
        # An empty cell is "no data", never 0.
        values = np.array([t or "nan" for t in parts], dtype=object).astype(float)
    else:
        return None
    known = values[~np.isnan(values)]
    if (known < 0).any() or (kind == COUNT and (known != np.floor(known)).any()):
        return None
    return values


def _read_cells(path: Path, problems: list[Problem]):
    """Header, data rows with their Excel row numbers, and whether numbers are Danish."""
    try:
        if path.suffix == ".xlsx":
            return _read_xlsx(path, problems)
        data = path.read_bytes()
    except OSError as exc:
        problems.append(Problem(str(path), f"filen kan ikke læses ({exc.strerror})."))
        return None
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        problems.append(Problem(str(path), "tegnsættet kendes ikke; gem filen som UTF-8."))
        return None
    lines = [line for line in text.splitlines() if line.strip()]
    first = lines[0] if lines else ""
    separator = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator)
    numbered = [(i, row) for i, row in enumerate(reader, start=1) if "".join(row).strip()]
    if not numbered:
        problems.append(Problem(str(path), "filen er tom."))
        return None
    header = [c.strip() for c in numbered[0][1]]
    return header, numbered[1:], separator == ";"


def _read_xlsx(path: Path, problems: list[Problem]):
    import openpyxl  # imported here: only needed for Excel files

    try:
        # data_only: cached values of formulas are read; a formula is never evaluated.
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        problems.append(Problem(str(path), f"kan ikke læses som Excel-fil ({exc})."))
        return None
    sheet = workbook.worksheets[0]
    if len(workbook.worksheets) > 1:
        problems.append(
            Problem(
                str(path),
                f'filen har {len(workbook.worksheets)} ark; kun det første, "{sheet.title}", '
                "læses.",
                warning=True,
            )
        )
    numbered = [
        (i, ["" if v is None else v for v in row])
        for i, row in enumerate(sheet.iter_rows(values_only=True), start=1)
        if any(v is not None and str(v).strip() for v in row)
    ]
    workbook.close()
    if not numbered:
        problems.append(Problem(str(path), "filen er tom."))
        return None
    header = [str(c).strip() for c in numbered[0][1]]
    return header, numbered[1:], True


def _match_header(
    path: Path, header: list[str], spec: TableSpec, problems: list[Problem]
) -> dict[str, int] | None:
    keys = {normalize(h): i for i, h in enumerate(header) if h}
    columns, missing = {}, []
    for name in spec.columns:
        if normalize(name) in keys:
            columns[name] = keys[normalize(name)]
        else:
            missing.append(name)
    if missing:
        found = ", ".join(f'"{h}"' for h in header if h) or "ingen"
        problems.append(
            Problem(
                str(path),
                f"mangler kolonnen {', '.join(missing)} (række 1). Fandt: {found}. "
                f"Forventede: {', '.join(spec.columns)}.",
                row=1,
            )
        )
        return None
    extra = [h for i, h in enumerate(header) if h and i not in columns.values()]
    if extra:
        problems.append(
            Problem(
                str(path),
                f"kolonnen {', '.join(extra)} kendes ikke og springes over.",
                row=1,
                warning=True,
            )
        )
    return columns


def _at(where: tuple[str, int, str], message: str) -> Problem:
    file, row, column = where
    return Problem(file, message, row=row, column=column)


def _match_name(cell, index: NameIndex, what: str, where, problems, optional=False):
    text = "" if cell is None else str(cell).strip()
    if not text:
        if optional:
            return None
        problems.append(_at(where, f"{what} mangler."))
        return None
    found = index.find(text)
    if found is None:
        closest = index.closest(text)
        hint = f' Mente du "{closest}"?' if closest else ""
        problems.append(_at(where, f'{what} "{text}" kendes ikke.{hint}'))
    return found


_DANISH = r"-?(\d{1,3}(\.\d{3})+|\d+)(,\d+)?"
_PLAIN = r"-?\d+(\.\d+)?"
_DANISH_NUMBER = re.compile(f"^{_DANISH}$")
_PLAIN_NUMBER = re.compile(f"^{_PLAIN}$")
# A whole column, one cell a line; a cell may be empty.
_DANISH_COLUMN = re.compile(f"(?:{_DANISH})?(?:\n(?:{_DANISH})?)*")
_PLAIN_COLUMN = re.compile(f"(?:{_PLAIN})?(?:\n(?:{_PLAIN})?)*")


def _parse_number(cell, kind: str, danish: bool, where, problems) -> float | None:
    if cell is None or (isinstance(cell, str) and not cell.strip()):
        return None  # an empty cell is "no data", never 0
    if isinstance(cell, bool):
        value = None
    elif isinstance(cell, int | float):
        value = float(cell)
    else:
        text = str(cell).strip().replace("\u00a0", "").replace(" ", "")
        if danish and _DANISH_NUMBER.match(text):
            value = float(text.replace(".", "").replace(",", "."))
        elif not danish and _PLAIN_NUMBER.match(text):
            value = float(text)
        else:
            value = None
    if value is None:
        problems.append(_at(where, f'"{cell}" er ikke et tal; forventede {EXPECTED[kind]}.'))
        return None
    if value < 0:
        problems.append(_at(where, f"{_show(value)} er negativ; forventede {EXPECTED[kind]}."))
    elif kind == COUNT and value != int(value):
        problems.append(_at(where, f"{_show(value)} er ikke et helt tal; forventede et antal."))
    return value


def _show(value: float) -> str:
    return (f"{value:g}").replace(".", ",")


def _check_rows(path, frame, header, columns, spec: TableSpec, problems) -> None:
    for part, whole in spec.at_most:
        bad = frame[(frame[part].notna()) & (frame[whole].notna()) & (frame[part] > frame[whole])]
        for _, row in bad.iterrows():
            problems.append(
                Problem(
                    str(path),
                    f"{part} ({_show(row[part])}) er større end {whole} ({_show(row[whole])}).",
                    row=int(row["_row"]),
                    column=header[columns[part]],
                )
            )
    # Rows whose key could not be read were reported already; an empty afdeling in
    # aktiviteter is a key of its own (hours shared by all afdelinger).
    keyed = frame.dropna(
        subset=[k for k in spec.key if not (k == "afdeling" and spec.optional_afdeling)]
    )
    if keyed.empty:
        return
    parts = [keyed[k].fillna("").astype(str) for k in spec.key]
    keys = parts[0]
    for part in parts[1:]:
        keys = keys + " / " + part
    repeated = keys.duplicated(keep="first")
    if not repeated.any():
        return
    first_row = keyed["_row"].groupby(keys).transform("first")
    for row_no, key, first in zip(
        keyed["_row"][repeated], keys[repeated], first_row[repeated], strict=True
    ):
        if row_no != first:
            problems.append(
                Problem(
                    str(path),
                    f'"{key.strip(" /") or "(tom)"}" står der allerede i række {int(first)}; '
                    "hver må kun stå én gang.",
                    row=int(row_no),
                    column=header[columns[spec.key[-1]]],
                )
            )


def _read_metadata(year_dir: Path, year: int, problems: list[Problem]):
    path = year_dir / "metadata.yaml"
    meta = {}
    if path.exists():
        try:
            meta = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except (yaml.YAMLError, UnicodeDecodeError) as exc:
            problems.append(Problem(str(path), f"kan ikke læses som YAML ({exc})."))
        if not isinstance(meta, dict):
            problems.append(Problem(str(path), 'forventede linjer som "eksempeldata: true".'))
            meta = {}
        if not isinstance(meta.get("eksempeldata", False), bool):
            problems.append(
                Problem(str(path), "eksempeldata skal være true eller false (uden anførselstegn).")
            )
    periode = meta.get("periode") or {}
    return {
        "eksempeldata": bool(meta.get("eksempeldata", False)),
        "beskrivelse": str(meta.get("beskrivelse", "")),
        "periode_fra": periode.get("fra", date(year, 1, 1)),
        "periode_til": periode.get("til", date(year, 12, 31)),
    }, (path if path.exists() else None)


def _read_notes(notes_dir: Path, afdelinger: NameIndex, problems: list[Problem]):
    notes, files = {}, []
    if not notes_dir.is_dir():
        return notes, files
    for path in sorted(notes_dir.glob("*.md")):
        name = afdelinger.find(path.stem)
        if name is None:
            closest = afdelinger.closest(path.stem)
            hint = f' Mente du "{closest}.md"?' if closest else ""
            problems.append(Problem(str(path), f'afdelingen "{path.stem}" kendes ikke.{hint}'))
            continue
        try:
            notes[name] = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            problems.append(Problem(str(path), f"noten kan ikke læses ({exc})."))
            continue
        files.append(path)
    return notes, files
