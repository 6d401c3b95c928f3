"""From raw to processed: validate a year's inputs and write its indicator tables.

data/processed/<year>/ gets indikatorer.csv and aktiviteter.csv (exact values, for the
analyst) and metadata.json (example-data flag, period, notes, the input files with hashes).
`evalkit run` adds offentliggjort.csv: the figures as the reports publish them, small cells
hidden and audited (evalkit.compute.privacy); a new build removes it until the next run.
"""

import gc
import json
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass

import pandas as pd

from evalkit.compute import workers
from evalkit.compute.indicators import activity_table, indicator_table, plan_period
from evalkit.errors import InputError, Problem
from evalkit.files import sha256, write_atomic
from evalkit.inputs.agreement import Agreement
from evalkit.inputs.sheets import csv_text, read_csv
from evalkit.inputs.tables import AKTIVITETER, KOMMUNALE_MAAL, YearInputs, read_year
from evalkit.paths import Paths


@dataclass
class Built:
    year: int
    warnings: list[Problem]
    files: list[str]  # what the build wrote in data/processed/<year>/


@dataclass
class Prepared:
    """A year's processed files, computed and not yet written."""

    year: int
    warnings: list[Problem]
    # name in data/processed/<year>/ -> content, encoded where it is made: a worker process
    # hands bytes back as they are, and the process that writes them has less to do.
    files: dict[str, bytes]


def build_year(paths: Paths, year: int, agreement: Agreement) -> Built:
    """Validate data/raw/<year>/ and write data/processed/<year>/; raises InputError."""
    prepared = prepare_year(paths, year, agreement)
    _write(paths, prepared)
    return Built(year, prepared.warnings, list(prepared.files))


def build_years(paths: Paths, years: list[int], agreement: Agreement) -> list[Built]:
    """Validate every year, then write them all; raises InputError with every problem found.

    Nothing is written when any year has errors. Large inputs (a national run) are prepared
    a year per process, on every core.
    """
    prepared: list[Prepared] = []
    problems: list[Problem] = []
    for result in _prepare_all(paths, years, agreement):
        if isinstance(result, Prepared):
            prepared.append(result)
        else:
            problems += result
    if any(not p.warning for p in problems):
        # A baseline year is read again for the years after it: each problem once.
        raise InputError(list(dict.fromkeys(problems)))
    for year in prepared:
        _write(paths, year)
    return [Built(p.year, p.warnings, list(p.files)) for p in prepared]


def prepare_year(paths: Paths, year: int, agreement: Agreement) -> Prepared:
    """Read and validate data/raw/<year>/ and compute its processed files; raises InputError."""
    inputs = read_inputs(paths, year, agreement)
    baseline_tables = {
        y: read_inputs(paths, y, agreement).tables
        for y in agreement.data_baseline_years(year)
        if paths.raw_year(y).is_dir()
    }
    period = (inputs.periode_fra, inputs.periode_til)
    units = agreement.lejemaal
    files = {
        "indikatorer.csv": csv_text(
            indicator_table(
                year,
                inputs.tables,
                agreement,
                baseline_tables,
                agreement.settings["lille_naevner"],
            )
        ),
        "aktiviteter.csv": csv_text(
            activity_table(
                year,
                inputs.tables.get(AKTIVITETER),
                agreement,
                period,
                inputs.tables.get(units.tabel) if units else None,
            )
        ),
        "metadata.json": json.dumps(
            _metadata(paths, inputs, agreement), indent=2, ensure_ascii=False
        ),
    }
    encoded = {name: text.encode("utf-8") for name, text in files.items()}
    return Prepared(year, inputs.warnings, encoded)


_read: dict[tuple, YearInputs] = {}


def read_inputs(paths: Paths, year: int, agreement: Agreement) -> YearInputs:
    """read_year, once per process while the year's files stay the same: a year is checked
    before anything is written and built after, and read again as a later year's baseline."""
    folder = paths.raw_year(year)
    stamp = tuple(
        (str(f), f.stat().st_size, f.stat().st_mtime_ns) for f in sorted(folder.rglob("*"))
    )
    key = (str(folder.resolve()), id(agreement), stamp)
    if key not in _read:
        _read[key] = read_year(paths.raw, year, agreement)
    return _read[key]


def _prepare_or_problems(paths: Paths, year: int, agreement: Agreement):
    # Problems travel back from a worker as a list: InputError does not survive pickling.
    try:
        with _no_cycle_collection():
            return prepare_year(paths, year, agreement)
    except InputError as exc:
        return exc.problems


@contextmanager
def _no_cycle_collection():
    """Python's cycle collector paused while a year is prepared.

    A national year is tens of thousands of row lists that live until the year is built, and
    the collector walked them again and again (5-7 % of the time), finding nearly nothing:
    they are freed by reference counts. Whatever cycles the year leaves are collected after.
    """
    paused = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.enable()


def _prepare_all(paths: Paths, years: list[int], agreement: Agreement) -> list:
    jobs = workers.jobs(paths, years)
    if jobs <= 1:
        return [_prepare_or_problems(paths, y, agreement) for y in years]
    groups = _groups(years, agreement)
    each = [paths] * len(groups), groups, [agreement] * len(groups)
    with ProcessPoolExecutor(jobs, mp_context=workers.context()) as pool:
        by_year = {
            year: result
            for group, results in zip(groups, pool.map(_prepare_group, *each), strict=True)
            for year, result in zip(group, results, strict=True)
        }
    return [by_year[y] for y in years]


def _groups(years: list[int], agreement: Agreement) -> list[list[int]]:
    """The years as worker processes take them: the latest first, each with the baseline
    years it reads (those first), so that one process reads a baseline year once.

    The longest jobs first: last, they would leave one worker busy while the others wait.
    """
    groups: list[list[int]] = []
    placed: set[int] = set()
    for year in sorted(years, reverse=True):
        if year in placed:
            continue
        baselines = sorted(agreement.data_baseline_years(year) & set(years) - placed)
        groups.append([*baselines, year])
        placed.update(groups[-1])
    return groups


def _prepare_group(paths: Paths, years: list[int], agreement: Agreement) -> list:
    return [_prepare_or_problems(paths, year, agreement) for year in years]


PUBLISHED = "offentliggjort.csv"


def _write(paths: Paths, prepared: Prepared) -> None:
    folder = paths.processed_year(prepared.year)
    (folder / PUBLISHED).unlink(missing_ok=True)  # made from the figures written now
    for name, content in prepared.files.items():
        write_atomic(folder / name, content)


def _metadata(paths: Paths, inputs: YearInputs, agreement: Agreement) -> dict:
    sensitive = {i.tabel for i in agreement.indicators if i.foelsom}
    period = (inputs.periode_fra, inputs.periode_til)
    plans = {d.navn: plan_period(*period, d) for d in agreement.delaftaler}
    return {
        "aar": inputs.year,
        "eksempeldata": inputs.eksempeldata,
        "beskrivelse": inputs.beskrivelse,
        "periode_fra": inputs.periode_fra.isoformat(),
        "periode_til": inputs.periode_til.isoformat(),
        # Each delaftale's plan period: the year's period inside the delaftale's (null: none).
        "planer": {
            navn: {"fra": plan[0].isoformat(), "til": plan[1].isoformat()} if plan else None
            for navn, plan in plans.items()
        },
        "tabeller": sorted(inputs.tables),
        "noter": inputs.notes,
        "kommunale_maal": _goals(inputs),
        # Paths relative to the raw folder: no path of the analyst's machine leaves it.
        # `foelsom`: the file holds counts that may be hidden; its hash is not published
        # (evalkit.publish.provenance).
        "filer": [
            {"fil": p.relative_to(paths.raw).as_posix(), "sha256": sha256(p)}
            | ({"foelsom": True} if p in inputs.files and p.stem in sensitive else {})
            for p in agreement.files(paths.raw) + inputs.files
        ],
    }


def _goals(inputs: YearInputs) -> dict[str, dict[str, dict[str, str]]]:
    """Results for the municipal goals, by delaftale and goal number, where an input gives
    them."""
    table = inputs.tables.get(KOMMUNALE_MAAL)
    if table is None:
        return {}
    goals: dict[str, dict[str, dict[str, str]]] = {}
    for _, r in table.iterrows():
        if r["resultat"] and r["delaftale"]:  # a template row not filled in is no result
            result = {"resultat": r["resultat"], "kilde": r["kilde"]}
            goals.setdefault(r["delaftale"], {})[str(int(r["maal_nr"]))] = result
    return goals


@dataclass
class Processed:
    """What the reports read: every processed year up to the report's year."""

    indikatorer: pd.DataFrame
    aktiviteter: pd.DataFrame
    metadata: dict[int, dict]


def load_processed(paths: Paths, upto: int, table: str = "indikatorer.csv") -> Processed:
    """Every processed year up to `upto`; `table`: PUBLISHED for the published figures."""
    years = paths.processed_years(upto)
    indikatorer = pd.concat(
        [read_csv(paths.processed_year(y) / table) for y in years], ignore_index=True
    )
    text = ["baseline_kilde", "opdeling"]  # an empty text is read back as missing
    text += [c for c in ("skjult", "baseline_skjult") if c in indikatorer]
    indikatorer[text] = indikatorer[text].astype(object).fillna("").astype(str)
    aktiviteter = pd.concat(
        [read_csv(paths.processed_year(y) / "aktiviteter.csv") for y in years], ignore_index=True
    )
    metadata = {
        y: json.loads((paths.processed_year(y) / "metadata.json").read_text(encoding="utf-8"))
        for y in years
    }
    return Processed(indikatorer, aktiviteter, metadata)
