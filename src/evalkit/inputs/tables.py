"""Reading and validating a year's input tables (data/raw/<year>/).

The input contract is documented in docs/inddata.md. Every problem is collected with its
file, row (as in Excel: the header is row 1) and column, so the analyst sees them all at once.
"""

import math
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time
from itertools import chain, repeat
from operator import itemgetter
from pathlib import Path

import numpy as np
import pandas as pd

from evalkit import fmt
from evalkit.errors import InputError, Problem, shown
from evalkit.inputs import cpr, year_folder
from evalkit.inputs.agreement import Agreement
from evalkit.inputs.checks import small_counts_in_notes
from evalkit.inputs.names import NameIndex, normalize
from evalkit.inputs.readers import Formula, Sheet, read_cells
from evalkit.inputs.sheets import FORMULA_START

AFDELING, AKTIVITET, DELAFTALE = "afdeling", "aktivitet", "delaftale"
COUNT, NUMBER, TEXT = "count", "number", "text"


@dataclass(frozen=True)
class TableSpec:
    name: str
    columns: dict[str, str]  # canonical column -> kind
    key: tuple[str, ...] = ("afdeling",)
    at_most: tuple[tuple[str, str], ...] = ()  # (part, whole): part may not exceed whole
    # (part, table, whole): part may not exceed the same afdeling's whole in another table
    at_most_in: tuple[tuple[str, str, str], ...] = ()
    optional_afdeling: bool = False  # aktiviteter may hold hours shared by all afdelinger
    optional: dict[str, str] = field(default_factory=dict)  # columns read when present


# The two tables of every delaftale's format; the indicators' tables are declared in YAML.
AKTIVITETER, KOMMUNALE_MAAL = "aktiviteter", "kommunale_maal"
STRUCTURE = (
    TableSpec(
        AKTIVITETER,
        {"aktivitet": AKTIVITET, "afdeling": AFDELING, "timer": NUMBER, "deltagere": COUNT},
        key=("aktivitet", "afdeling"),
        optional_afdeling=True,
    ),
    TableSpec(
        KOMMUNALE_MAAL,
        {"maal_nr": COUNT, "resultat": TEXT, "kilde": TEXT},
        # A helhedsplan with several delaftaler numbers each one's goals from 1.
        key=("delaftale", "maal_nr"),
        optional={"delaftale": DELAFTALE},
    ),
)


def specs(agreement: Agreement) -> dict[str, TableSpec]:
    """Every yearly input table: those the indicators declare, then aktiviteter and
    kommunale_maal. A table that another checks against comes before it."""
    columns: dict[str, dict[str, str]] = {}
    optional: dict[str, dict[str, str]] = {}
    at_most: dict[str, list] = {}
    at_most_in: dict[str, list] = {}

    def column(tabel: str, kolonne: str) -> None:
        columns.setdefault(tabel, {"afdeling": AFDELING})[kolonne] = COUNT

    if agreement.lejemaal:
        column(agreement.lejemaal.tabel, agreement.lejemaal.kolonne)
    for ind in agreement.indicators:  # the whole before its part, as people write tables
        if ind.naevner:
            column(ind.tabel, ind.naevner)
            at_most.setdefault(ind.tabel, []).append((ind.taeller, ind.naevner))
        if ind.pr_1000:
            column(ind.pr_1000.tabel, ind.pr_1000.kolonne)
        column(ind.tabel, ind.taeller)
        if ind.pr_1000:
            # A sensitive count counts persons or households of its exposure: at most one
            # each (and the disclosure audit takes the exposure as its upper bound).
            if ind.foelsom and ind.pr_1000.tabel == ind.tabel:
                at_most.setdefault(ind.tabel, []).append((ind.taeller, ind.pr_1000.kolonne))
            elif ind.foelsom:
                limit = (ind.taeller, ind.pr_1000.tabel, ind.pr_1000.kolonne)
                at_most_in.setdefault(ind.tabel, []).append(limit)
        for part in ind.opdeling.dele if ind.opdeling else ():
            optional.setdefault(ind.tabel, {})[part.kolonne] = COUNT
            at_most.setdefault(ind.tabel, []).append((part.kolonne, ind.taeller))
    declared = [
        TableSpec(name, cols, at_most=tuple(dict.fromkeys(at_most.get(name, []))),
                  at_most_in=tuple(dict.fromkeys(at_most_in.get(name, []))),
                  optional=optional.get(name, {}))
        for name, cols in columns.items()
    ]  # fmt: skip
    declared.sort(key=lambda spec: bool(spec.at_most_in))
    return {spec.name: spec for spec in [*declared, *STRUCTURE]}


EXPECTED = {COUNT: "et helt tal, 0 eller større", NUMBER: "et tal, 0 eller større"}
# No afdeling has a million dwellings, residents, answers or hours in a year: a larger number
# is a typing or export error (or a CPR number that lost its dash), and is refused before any
# statistics are computed from it.
MAX_NUMBER = 1_000_000


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
        raise InputError([missing_year(year_dir, year)])
    problems: list[Problem] = []
    tables_of = specs(agreement)
    contents = year_folder.scan(year_dir, list(tables_of), problems)
    tables: dict[str, pd.DataFrame] = {}
    files: list[Path] = []
    sheets = {}
    for name in tables_of:
        path = contents.tables.get(name)
        if path is not None:
            files.append(path)
            sheets[name] = (path, read_cells(path, problems))
    indexes = _name_indexes(agreement)  # one for the year: the agreement's names do not change
    notes, note_files = year_folder.read_notes(contents.notes, indexes[AFDELING], problems)
    meta = year_folder.read_metadata(contents.metadata, year, problems)
    # Person data is refused before anything in the tables is parsed or shown.
    personal = [p for p in problems if p.personal]
    personal += [p for path, sheet in sheets.values() if sheet for p in _personal_data(path, sheet)]
    if personal:
        raise InputError(personal)
    for name, (path, sheet) in sheets.items():
        read = {n: (sheets[n][0], t) for n, t in tables.items()}
        if sheet is None:
            continue
        table = _parse_table(path, sheet, tables_of[name], indexes, problems, read)
        if table is not None:
            tables[name] = table
    if KOMMUNALE_MAAL in tables:
        tables[KOMMUNALE_MAAL] = _goals_of(tables[KOMMUNALE_MAAL], sheets[KOMMUNALE_MAAL][0],
                                           agreement, problems)  # fmt: skip
    if contents.metadata:
        files.append(contents.metadata)
    outside = year_folder.period_warning(
        year_dir, year, meta["periode_fra"], meta["periode_til"], agreement
    )
    problems += [outside] if outside else []
    files += note_files
    problems += small_counts_in_notes(
        notes,
        {indexes[AFDELING].find(p.stem): str(p) for p in note_files},
        agreement.settings.get("foelsomme_ord", []),
    )
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


def _goals_of(goals: pd.DataFrame, path: Path, agreement: Agreement, problems) -> pd.DataFrame:
    """kommunale_maal with the delaftale of each row: the only one with goals may be left out."""
    if "delaftale" in goals:
        return goals
    with_goals = [d.navn for d in agreement.delaftaler if d.kommunale_maal]
    if len(with_goals) > 1:
        problems.append(Problem(str(path), "kolonnen delaftale mangler: helhedsplanen har flere "
                                "delaftaler med kommunale mål, og de nummereres hver for sig. "
                                f"Skriv delaftalens navn ({', '.join(with_goals)}) i hver række.",
                                row=1))  # fmt: skip
    return goals.assign(delaftale=with_goals[0] if with_goals else None)


def missing_year(year_dir: Path, year: int) -> Problem:
    return Problem(
        str(year_dir),
        f"mappen for året {year} findes ikke. Lav den med skabeloner til årets tabeller: "
        f"evalkit new-year --year {year}",
    )


def read_table(
    path: Path, spec: TableSpec, agreement: Agreement, problems: list[Problem]
) -> pd.DataFrame | None:
    """Read one table into its canonical columns; append problems; None if unusable."""
    sheet = read_cells(path, problems)
    if sheet is None:
        return None
    return _parse_table(path, sheet, spec, _name_indexes(agreement), problems)


def _personal_data(path: Path, sheet: Sheet) -> list[Problem]:
    """Columns named like person data, and cells, headers or sheet names that look like CPR
    numbers; never the value."""
    found = [
        Problem(str(path), "navnet på et ark i filen ligner et CPR-nummer. Personoplysninger "
                "hører ikke hjemme i inddata; omdøb arket.", personal=True)
        for title in sheet.titles
        if cpr.looks_like_cpr(title)
    ]  # fmt: skip
    for index, header in enumerate(sheet.header):
        if cpr.looks_like_cpr(header):
            found.append(
                Problem(
                    str(path), _CPR_CELL, row=sheet.header_row, column=_letter(index), personal=True
                )
            )
        elif header and cpr.is_person_column(str(header)):
            found.append(
                Problem(str(path), "kolonnen ligner personoplysninger (navn/CPR). Inddata skal "
                        "være optalte tal pr. afdeling; fjern kolonnen.", row=sheet.header_row,
                        column=str(header), personal=True)
            )  # fmt: skip
    # Most tables hold no run of nine digits at all: one search over the table says so.
    if not cpr.may_hold_cpr(list(chain.from_iterable(cells for _, cells in sheet.rows))):
        return found
    for row_no, cells in sheet.rows:
        for index, cell in enumerate(cells):
            if cpr.looks_like_cpr(cell):
                found.append(
                    Problem(
                        str(path),
                        _CPR_CELL,
                        row=row_no,
                        column=_column_name(sheet, index),
                        personal=True,
                    )
                )
    return found


_CPR_CELL = (
    "cellen ligner et CPR-nummer. Personoplysninger hører ikke hjemme i inddata; fjern værdien."
)


def _letter(index: int) -> str:
    """The column's letter as Excel shows it (0: A)."""
    # Imported here: openpyxl takes 0.1 s to import, in every process that reads a year.
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)


def _column_name(sheet: Sheet, index: int) -> str:
    """The column's header as the analyst wrote it, or its letter (never a CPR-like header)."""
    header = sheet.header[index] if index < len(sheet.header) else ""
    if not header or cpr.looks_like_cpr(header):
        return _letter(index)
    return str(header)


def _name_indexes(agreement: Agreement) -> dict[str, NameIndex]:
    """The names a table's cells are matched to, by the kind of column."""
    return {
        AFDELING: agreement.afdeling_index(),
        AKTIVITET: agreement.activity_index(),
        DELAFTALE: NameIndex([d.navn for d in agreement.delaftaler]),
    }


def _parse_table(
    path: Path,
    sheet: Sheet,
    spec: TableSpec,
    indexes: dict[str, NameIndex],
    problems: list[Problem],
    read: dict[str, tuple[Path, pd.DataFrame]] | None = None,
) -> pd.DataFrame | None:
    """The table in its canonical columns; `read` holds the tables read before it."""
    start = len(problems)
    columns = _match_header(path, sheet, spec, problems)
    if columns is None:
        return None
    kinds = {name: kind for name, kind in (spec.columns | spec.optional).items() if name in columns}
    if not sheet.rows:
        problems.append(Problem(str(path), "filen har overskrifter, men ingen rækker med data."))
        return None
    header = sheet.header
    _check_unnamed(path, sheet, problems)
    frame = _read_clean(sheet, spec, columns, kinds, indexes)
    if frame is None:  # some cell is not as it should be: read cell by cell to say which
        records = []
        for row_no, cells in sheet.rows:
            record = {"_row": row_no}
            for name, kind in kinds.items():
                index = columns[name]
                cell = cells[index] if index < len(cells) else None
                where = (str(path), row_no, header[index])
                if isinstance(cell, Formula):
                    problems.append(_at(where, _UNSAVED.format(formula=cell.text)))
                    record[name] = None
                elif kind in indexes:
                    optional = kind == AFDELING and spec.optional_afdeling
                    record[name] = _match_name(cell, indexes[kind], kind, where, problems, optional)
                elif kind == TEXT:
                    record[name] = "" if cell is None else str(cell).strip()
                else:
                    record[name] = _parse_number(cell, kind, sheet.danish, where, problems)
            records.append(record)
        frame = pd.DataFrame.from_records(records)
    numbers = [name for name, kind in kinds.items() if kind in (COUNT, NUMBER)]
    frame[numbers] = frame[numbers].astype("Float64")
    if frame[numbers].isna().all().all():
        problems.append(
            Problem(
                str(path),
                'ingen af rækkerne har tal endnu; tabellen tæller som "ingen data".',
                warning=True,
            )
        )
    _check_rows(path, frame, header, columns, spec, problems)
    _check_across(path, frame, header, columns, spec, read or {}, problems)
    if any(not p.warning for p in problems[start:]):
        return None
    counts = {name: "Int64" for name, kind in kinds.items() if kind == COUNT}
    return frame.astype(counts).drop(columns="_row").reset_index(drop=True)


def _read_clean(sheet: Sheet, spec: TableSpec, columns, kinds, indexes) -> pd.DataFrame | None:
    """The table column by column, when every cell is as the contract wants; else None.

    The same table as reading cell by cell gives, many times faster: a national table has
    thousands of rows a year (tests/test_inputs.py compares the two). Anything unusual (a
    formula, a name that starts like one, a bad number) falls back to the cell-by-cell
    reading, which says what is wrong.
    """
    rows = sheet.rows
    data: dict[str, object] = {"_row": list(map(itemgetter(0), rows))}
    cells_of = list(map(itemgetter(1), rows))
    width = min(map(len, cells_of), default=0)
    for name, kind in kinds.items():
        i = columns[name]
        if i < width:  # every row reaches the column, as in a CSV file
            cells = list(map(itemgetter(i), cells_of))
        else:
            cells = [c[i] if i < len(c) else None for c in cells_of]
        types = set(map(type, cells))  # exact types: anything else is read cell by cell
        if Formula in types:
            return None
        if kind in indexes:
            optional = kind == AFDELING and spec.optional_afdeling
            found = _clean_names(cells, types, indexes[kind], optional)
        elif kind == TEXT:
            found = ["" if c is None else str(c).strip() for c in cells]
        else:
            found = _clean_numbers(cells, types, kind, sheet.danish)
        if found is None:
            return None
        data[name] = found
    return pd.DataFrame(data)


def _clean_names(cells: list, types: set, index: NameIndex, optional: bool) -> list | None:
    if types == {str}:
        texts = list(map(str.strip, cells))
    else:
        texts = ["" if c is None else str(c).strip() for c in cells]
    distinct = set(texts)  # a name comes back once for each of its rows
    if any(map(str.startswith, distinct, repeat(FORMULA_START))):
        return None
    if "" in distinct and not optional:
        return None
    distinct.discard("")
    known = index.find_all(list(distinct))
    if None in known.values():
        return None
    return list(map(known.get, texts))  # an empty name (shared hours) stays None


def _clean_numbers(cells: list, types: set, kind: str, danish: bool):
    if types <= {type(None), int, float}:
        values = np.array([np.nan if c is None else c for c in cells], dtype=float)
    elif types <= {type(None), str}:
        # One pattern over the whole column instead of one per cell.
        if types == {str}:
            texts = "\n".join(map(str.strip, cells))
        else:
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
    if (known < 0).any() or (known > MAX_NUMBER).any():
        return None
    if kind == COUNT and (known != np.floor(known)).any():
        return None
    return values


_UNSAVED = (
    'cellen har formlen "{formula}", men Excel har ikke gemt en værdi for den, og evalkit '
    "regner aldrig formler ud. Åbn filen i Excel og gem den igen, eller skriv værdien."
)


def _match_header(
    path: Path, sheet: Sheet, spec: TableSpec, problems: list[Problem]
) -> dict[str, int] | None:
    header, row = sheet.header, sheet.header_row
    positions: dict[str, list[int]] = {}
    for i, h in enumerate(header):
        if h:
            positions.setdefault(normalize(h), []).append(i)
    columns, missing, twice = {}, [], False
    for name in spec.columns:
        found = positions.get(normalize(name), [])
        if len(found) > 1:
            twice = True
            letters = " og ".join(_letter(i) for i in found)
            problems.append(
                Problem(
                    str(path),
                    f"kolonnen {name} står der {len(found)} gange (kolonne {letters}); "
                    "behold kun én.",
                    row=row,
                    column=header[found[1]],
                )
            )
        if found:
            columns[name] = found[0]
        else:
            missing.append(name)
    if missing:
        listed = ", ".join(f'"{shown(h)}"' for h in header[:20] if h) or "ingen"
        problems.append(
            Problem(
                str(path),
                f"mangler kolonnen {', '.join(missing)}. Fandt: {listed}. "
                f"Forventede: {', '.join(spec.columns)}.",
                row=row,
            )
        )
    if missing or twice:
        return None
    for name in spec.optional:
        if positions.get(normalize(name)):
            columns[name] = positions[normalize(name)][0]
    extra = [h for i, h in enumerate(header) if h and i not in columns.values()]
    if extra:
        problems.append(
            Problem(
                str(path),
                f"kolonnen {', '.join(shown(h) for h in extra[:20])} kendes ikke og springes over.",
                row=row,
                warning=True,
            )
        )
    return columns


def _check_unnamed(path: Path, sheet: Sheet, problems: list[Problem]) -> None:
    """Cells under no header: in a CSV a sign of a separator inside a value, so an error."""
    named = {i for i, h in enumerate(sheet.header) if h}
    if named.issuperset(range(max(map(len, map(itemgetter(1), sheet.rows)), default=0))):
        return  # every cell of every row is under a header
    seen_columns = set()
    for row_no, cells in sheet.rows:
        for i, cell in enumerate(cells):
            if i in named or not str(cell).strip():
                continue
            letter = _letter(i)
            if sheet.csv:
                hint = (
                    " Står der et komma i et tal? I en fil adskilt med komma skrives decimaler "
                    'med punktum (12.5); gem ellers filen som "CSV (semikolonsepareret)".'
                    if not sheet.danish
                    else " Ret rækken, eller giv kolonnen en overskrift."
                )
                problems.append(
                    Problem(
                        str(path),
                        f'cellen "{shown(cell)}" står i en kolonne uden overskrift.{hint}',
                        row=row_no,
                        column=letter,
                    )
                )
                break
            if letter not in seen_columns:
                seen_columns.add(letter)
                problems.append(
                    Problem(
                        str(path),
                        f'kolonne {letter} har ingen overskrift; dens celler (fx "{shown(cell)}") '
                        "springes over.",
                        row=row_no,
                        column=letter,
                        warning=True,
                    )
                )


def _at(where: tuple[str, int, str], message: str) -> Problem:
    file, row, column = where
    return Problem(file, message, row=row, column=column)


_TOTALS = {"ialt", "total", "totalt", "sum", "samlet"}


def _match_name(cell, index: NameIndex, what: str, where, problems, optional=False):
    text = "" if cell is None else str(cell).strip()
    if not text:
        if optional:
            return None
        problems.append(_at(where, f"{what} mangler."))
        return None
    if text.startswith(FORMULA_START):
        # Kept as text and never matched: a name does not start like a formula.
        hint = index.suggestion(text.lstrip("".join(FORMULA_START)))
        problems.append(
            _at(
                where,
                f'{what} "{shown(text)}" begynder med "{text[0]}" og ligner en formel; forventede '
                f"et {what}snavn som ren tekst.{hint}",
            )
        )
        return None
    found = index.find(text)
    if found is None:
        if normalize(text) in _TOTALS:
            hint = " Fjern sumrækken; evalkit lægger selv sammen."
        else:
            hint = index.suggestion(text)
        problems.append(_at(where, f'{what} "{shown(text)}" kendes ikke.{hint}'))
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
        problems.append(_at(where, _not_a_number(cell, kind, danish)))
        return None
    if not math.isfinite(value):
        expected = f"forventede {EXPECTED[kind]}"
        problems.append(_at(where, f'"{shown(cell)}" er ikke et endeligt tal; {expected}.'))
        return None
    if value < 0:
        problems.append(_at(where, f"{_show(value)} er negativ; forventede {EXPECTED[kind]}."))
    elif value > MAX_NUMBER:  # told once: no sum or comparison is made with it
        problems.append(
            _at(where, f"{_show(value)} er over grænsen på {fmt.number(MAX_NUMBER)}; så stort kan "
                "tallet for én afdeling ikke være. Tjek cellen.")
        )  # fmt: skip
        return None
    elif kind == COUNT and value != int(value):
        problems.append(_at(where, f"{_show(value)} er ikke et helt tal; forventede et antal."))
    return value


def _not_a_number(cell, kind: str, danish: bool) -> str:
    expected = f"forventede {EXPECTED[kind]}"
    if isinstance(cell, datetime | date | time):
        day = cell.strftime("%d.%m.%Y") if isinstance(cell, date) else str(cell)
        return (
            f"{day} er en dato, ikke et tal (Excel gør fx 1-2 til en dato); {expected}. "
            "Formatér kolonnen som Tal, og skriv værdien igen."
        )
    text = str(cell).strip()
    if not danish and _DANISH_NUMBER.match(text):
        return (
            f'"{shown(cell)}" er ikke et tal i en fil adskilt med komma: skriv decimaler med '
            f'punktum (12.5), eller gem filen som "CSV (semikolonsepareret)"; {expected}.'
        )
    return f'"{shown(cell)}" er ikke et tal; {expected}.'


def _show(value: float) -> str:
    return (f"{value:.12g}").replace(".", ",")


def _check_rows(path, frame, header, columns, spec: TableSpec, problems) -> None:
    for part, whole in spec.at_most:
        if part not in frame or whole not in frame:
            continue
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
    key_columns = [k for k in spec.key if k in frame]  # an optional key column may be absent
    keyed = frame.dropna(
        subset=[k for k in key_columns if not (k == "afdeling" and spec.optional_afdeling)]
    )
    if keyed.empty:
        return
    parts = [keyed[k].fillna("").astype(str) for k in key_columns]
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
                    column=header[columns[key_columns[-1]]],
                )
            )


def _check_across(path, frame, header, columns, spec: TableSpec, read: dict, problems) -> None:
    """A count may not exceed the same afdeling's whole in a table read before (`read`)."""
    for part, table_name, whole in spec.at_most_in:
        if part not in frame or table_name not in read:
            continue
        other_path, other = read[table_name]
        wholes = other.dropna(subset=["afdeling"]).set_index("afdeling")[whole]
        limit = frame["afdeling"].map(wholes)
        bad = frame[frame[part].notna() & limit.notna() & (frame[part] > limit)]
        for row_no, count, units in zip(bad["_row"], bad[part], limit[bad.index], strict=True):
            problems.append(
                Problem(
                    str(path),
                    f"{part} ({_show(count)}) er større end afdelingens {whole} ({_show(units)}) "
                    f"i {other_path.name}; der kan højst være én pr. {whole}.",
                    row=int(row_no),
                    column=header[columns[part]],
                )
            )
