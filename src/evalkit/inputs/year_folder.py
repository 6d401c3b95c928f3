"""What a year's folder holds besides the tables' cells: which files, metadata, notes, period.

File names match like headers (case, spaces, æ/ø/å as ae/oe/aa), so "Børn i skole.xlsx" is
boern_i_skole.xlsx. A file evalkit does not know is never silently taken for "no data": if it
looks like one of the tables that is missing, that is an error.
"""

from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path, PurePosixPath

import yaml

from evalkit import fmt
from evalkit.domain import AFDELING
from evalkit.errors import Problem, shown
from evalkit.inputs import cpr
from evalkit.inputs.agreement import Agreement
from evalkit.inputs.names import NameIndex, normalize
from evalkit.inputs.readers import YamlRefused, load_yaml, read_text
from evalkit.paths import NOTES

TABLE_SUFFIXES = (".csv", ".xlsx")
METADATA = "metadata.yaml"
METADATA_KEYS = ("eksempeldata", "beskrivelse", "periode")
_SYSTEM_FILES = ("thumbs.db", "desktop.ini")  # left by Windows in every folder


@dataclass
class Contents:
    tables: dict[str, Path] = field(default_factory=dict)
    metadata: Path | None = None
    notes: Path | None = None


def scan(year_dir: Path, table_names: list[str], problems: list[Problem]) -> Contents:
    """The year's table files, metadata.yaml and noter/; a problem for anything else."""
    tables = NameIndex(table_names)
    found: dict[str, list[Path]] = {}
    contents, strays = Contents(), []
    for entry in sorted(year_dir.iterdir()):
        name = entry.name
        if _ignored(name):
            continue
        if cpr.looks_like_cpr(name):
            problems.append(cpr_in_name(year_dir))
            continue
        if name.startswith("~$"):
            problems.append(_open_in_excel(year_dir, name))
            continue
        stem, suffix = _split(name)
        table = tables.find(stem) if suffix in TABLE_SUFFIXES else None
        if table:
            found.setdefault(table, []).append(entry)
        elif entry.is_dir() and normalize(name) == NOTES:
            contents.notes = entry
        elif not entry.is_dir() and name.casefold() == METADATA:
            contents.metadata = entry
        else:
            strays.append(entry)
    for table, paths in found.items():
        if len(paths) > 1:
            listed = " og ".join(shown(p.name) for p in paths)
            problems.append(Problem(str(year_dir), f"både {listed} findes; behold kun én af dem."))
        else:
            contents.tables[table] = paths[0]
    for stray in strays:
        problems.append(_stray(stray, table_names, found, contents))
    return contents


def cpr_in_name(folder: Path) -> Problem:
    """A file whose name looks like a CPR number, told without the name."""
    return Problem(
        str(folder),
        "navnet på en fil eller mappe her ligner et CPR-nummer. Personoplysninger hører ikke "
        "hjemme i inddata; omdøb eller fjern den.",
        personal=True,
    )


def cpr_in_text(path: Path, lines: list[int]) -> list[Problem]:
    """The lines of a text file that hold something like a CPR number, without the value."""
    return [
        Problem(str(path), "linjen ligner et CPR-nummer. Personoplysninger hører ikke hjemme i "
                "inddata; fjern det.", row=line, personal=True)
        for line in lines
    ]  # fmt: skip


def _ignored(name: str) -> bool:
    return name.startswith(".") or name.casefold() in _SYSTEM_FILES


def _split(name: str) -> tuple[str, str]:
    stem, dot, suffix = name.rpartition(".")
    return (stem, f".{suffix.casefold()}") if dot else (name, "")


def _open_in_excel(year_dir: Path, lock_name: str) -> Problem:
    return Problem(
        str(year_dir / lock_name[2:]),
        f"filen er åben i Excel (låsefilen {shown(lock_name)} findes). evalkit læser den senest "
        "gemte udgave; gem og luk filen, hvis du har rettet i den.",
        warning=True,
    )


def _stray(entry: Path, table_names: list[str], found: dict, contents: Contents) -> Problem:
    """A file or folder evalkit does not read: an error if it looks like something missing."""
    what = "mappen" if entry.is_dir() else "filen"
    stem, suffix = _split(entry.name)
    guess = NameIndex([*table_names, "metadata", NOTES]).closest(stem)
    if guess in table_names:
        missing = guess not in found
        expected = f'"{guess}.csv" eller "{guess}.xlsx"'
        if suffix == ".xls":
            hint = f'gem den i Excel som "Excel-projektmappe (.xlsx)" med navnet {guess}.xlsx'
        else:
            hint = f"evalkit læser kun {expected}"
    elif guess == "metadata":
        missing, hint = contents.metadata is None, f"evalkit læser kun {METADATA}"
    elif guess == NOTES and entry.is_dir():
        missing, hint = contents.notes is None, f"noter skal ligge i mappen {NOTES}/"
    else:
        return Problem(str(entry), f"{what} kendes ikke og springes over.", warning=True)
    if missing:
        also = _hidden_extension(entry.name)
        return Problem(str(entry), f"{what} bruges ikke: {hint}. Omdøb den, hvis det er den.{also}")
    return Problem(str(entry), f"{what} springes over ({hint}).", warning=True)


def _hidden_extension(name: str) -> str:
    """A hint for "Ringparken.md.txt": Windows hides the extension .txt (Notepad adds it), so
    the file looks as if it had the right name."""
    stem, suffix = _split(name)
    if suffix != ".txt" or _split(stem)[1] not in (".md", ".yaml", *TABLE_SUFFIXES):
        return ""
    return (
        f' Filen hedder "{shown(name)}", men Windows viser den som "{shown(stem)}", fordi den '
        f'skjuler endelsen .txt. Omdøb den til "{shown(stem)}"; i Stifinder ser du hele navnet, '
        "når du sætter flueben ved Vis > Filtypenavne."
    )


def read_metadata(path: Path | None, year: int, problems: list[Problem]) -> dict:
    """eksempeldata, beskrivelse and the period the year's numbers cover (default: the year)."""
    meta = {}
    if path is not None:
        meta = _load_yaml(path, problems)
    periode = _period(path, meta.get("periode"), problems) or (
        date(year, 1, 1),
        date(year, 12, 31),
    )
    return {
        "eksempeldata": meta.get("eksempeldata") is True,
        "beskrivelse": str(meta.get("beskrivelse") or ""),
        "periode_fra": periode[0],
        "periode_til": periode[1],
    }


def _load_yaml(path: Path, problems: list[Problem]) -> dict:
    text = read_text(path, problems)
    if text is None:
        return {}
    personal = cpr_in_text(path, cpr.lines_with_cpr(text))
    if personal:  # refused before anything in the file is parsed or shown
        problems += personal
        return {}
    try:
        meta = load_yaml(text) or {}
    except YamlRefused as exc:
        problems.append(Problem(str(path), exc.message, row=exc.line))
        return {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" (fejl i linje {mark.line + 1})" if mark else ""
        problems.append(
            Problem(
                str(path),
                f"kan ikke læses som YAML{at}; tjek kolon, anførselstegn og indrykning, "
                'fx "eksempeldata: false".',
            )
        )
        return {}
    if not isinstance(meta, dict):
        problems.append(Problem(str(path), 'forventede linjer som "eksempeldata: true".'))
        return {}
    if not isinstance(meta.get("eksempeldata", False), bool):
        problems.append(
            Problem(str(path), "eksempeldata skal være true eller false (uden anførselstegn).")
        )
    for key in meta:
        if key not in METADATA_KEYS:
            problems.append(
                Problem(
                    str(path),
                    f'nøglen "{shown(key)}" kendes ikke og springes over. Kendte nøgler: '
                    f"{', '.join(METADATA_KEYS)}.",
                    warning=True,
                )
            )
    return meta


def _period(path: Path | None, periode, problems: list[Problem]) -> tuple[date, date] | None:
    if periode is None:
        return None
    if not isinstance(periode, dict):
        periode = {}
    ends = {k: periode.get(k) for k in ("fra", "til")}
    ends = {k: v.date() if isinstance(v, datetime) else v for k, v in ends.items()}
    wrong = [k for k, v in ends.items() if not isinstance(v, date)]
    if wrong:
        found = "; ".join(
            f'{k} er "{shown(ends[k])}"' if ends[k] is not None else f"{k} mangler" for k in wrong
        )
        problems.append(
            Problem(
                str(path),
                f"periode skal have fra og til som datoer (år-måned-dag), fx fra: 2025-08-01 "
                f"og til: 2026-07-31; {found}.",
            )
        )
        return None
    if ends["fra"] > ends["til"]:
        problems.append(
            Problem(
                str(path),
                f"periode: fra ({fmt.day(ends['fra'])}) er efter til ({fmt.day(ends['til'])}).",
            )
        )
        return None
    return ends["fra"], ends["til"]


def period_warning(
    year_dir: Path, year: int, fra: date, til: date, agreement: Agreement
) -> Problem | None:
    """A warning when the year's numbers lie wholly outside the agreement's period."""
    start, end = agreement.periode_fra, agreement.periode_til
    if til >= start and fra <= end:
        return None
    whose = "delaftalens" if len(agreement.delaftaler) == 1 else "delaftalernes"
    span = f"{whose} periode ({fmt.day(start)}–{fmt.day(end)})"
    when = f"tallene for {year} ({fmt.day(fra)}–{fmt.day(til)})"
    if til > end:
        message = f"{when} ligger efter {span}. Tjek årstallet, eller om aftalen er forlænget."
    else:
        message = f"{when} ligger før {span}."
        goals = {}
        for i in agreement.indicators:
            if i.baseline_aar == year:
                goals.setdefault(i.delaftale, []).append(str(i.delmaal_nr))
        if goals:
            several = len(agreement.delaftaler) > 1
            told = " og ".join(
                f"delmål {' og '.join(nr)}" + (f" i {navn}" if several else "")
                for navn, nr in goals.items()
            )
            message += (
                f" {year} er baselineår for {told}, så tallene viser udgangspunktet, "
                "ikke aftalens virkning."
            )
        else:
            message += " Tallene vises som udvikling før aftalen; tjek, at årstallet er rigtigt."
    return Problem(str(year_dir), message, warning=True)


def in_report(name: str, niveau: str, enhed: str, afdelinger: NameIndex) -> bool:
    """Whether a unit's report names the input file `name` (relative to raw/) among its
    sources: a note (<year>/noter/<afdeling>.md) only in its own afdeling's report, the one
    report that shows it, so that a new note makes no other report again."""
    path = PurePosixPath(name)
    if len(path.parts) != 3 or path.parts[1] != NOTES:
        return True
    return niveau == AFDELING and afdelinger.find(path.stem) == enhed


def read_notes(
    notes_dir: Path | None, afdelinger: NameIndex, problems: list[Problem]
) -> tuple[dict[str, str], list[Path]]:
    """noter/<afdeling>.md: the analyst's notes, keyed by the afdeling's own name."""
    notes, files = {}, []
    if notes_dir is None:
        return notes, files
    for path in sorted(notes_dir.iterdir()):
        if _ignored(path.name) or path.name.startswith("~$"):
            continue
        if cpr.looks_like_cpr(path.name):
            problems.append(cpr_in_name(notes_dir))
            continue
        if path.suffix.casefold() != ".md" or path.is_dir():
            problems.append(
                Problem(
                    str(path),
                    'en note skal være en tekstfil med endelsen .md, fx "Ringparken.md".'
                    + _hidden_extension(path.name),
                )
            )
            continue
        name = afdelinger.find(path.stem)
        if name is None:
            hint = afdelinger.suggestion(path.stem, ".md")
            problems.append(
                Problem(str(path), f'afdelingen "{shown(path.stem)}" kendes ikke.{hint}')
            )
            continue
        if name in notes:
            first = next(f for f in files if afdelinger.find(f.stem) == name)
            problems.append(
                Problem(str(path), f"{first.name} er også en note for {name}; behold kun én.")
            )
            continue
        text = read_text(path, problems)
        if text is None:
            continue
        personal = cpr_in_text(path, cpr.lines_with_cpr(text))
        if personal:
            problems += personal
            continue
        notes[name] = text
        files.append(path)
    return notes, files
