"""Empty input templates for a new year: the exact headers, every afdeling listed.

`evalkit new-year` is the one place evalkit writes under data/raw/, and only on request:
it creates files that do not exist yet and never overwrites one. The templates are what
evalkit reads back without a single warning, so the analyst fills in a known shape.
"""

from pathlib import Path

import pandas as pd

from evalkit.errors import Problem
from evalkit.inputs.agreement import Agreement
from evalkit.inputs.sheets import excel_csv, xlsx_bytes
from evalkit.inputs.tables import AKTIVITET, KOMMUNALE_MAAL, TableSpec, specs
from evalkit.inputs.year_folder import METADATA, scan

FORMATS = ("csv", "xlsx")

METADATA_TEMPLATE = """\
# Om årets tal (se docs/inddata.md). Skriv kort, hvor tallene kommer fra.
# Dækker tallene ikke kalenderåret, så fjern # foran de tre periode-linjer og ret datoerne.
eksempeldata: false
beskrivelse: ""
# periode:
#   fra: {year}-01-01
#   til: {year}-12-31
"""


def template(spec: TableSpec, agreement: Agreement) -> pd.DataFrame:
    """A table's exact columns, one row per afdeling (per aktivitet and afdeling), no numbers."""
    afdelinger = agreement.afdeling_names
    if AKTIVITET in spec.columns.values():
        keys = [
            {"aktivitet": a.navn, "afdeling": name}
            for a in agreement.activities
            for name in afdelinger
        ]
    elif spec.name == KOMMUNALE_MAAL:  # one row per municipal goal of each delaftale
        with_goals = [d for d in agreement.delaftaler if d.kommunale_maal]
        keys = [
            {"delaftale": d.navn, "maal_nr": nr}
            for d in with_goals
            for nr in range(1, len(d.kommunale_maal) + 1)
        ]
        if len(with_goals) > 1:  # the goals are numbered within their delaftale
            return pd.DataFrame(keys, columns=["delaftale", *spec.columns], dtype=object)
        return pd.DataFrame(keys, columns=list(spec.columns), dtype=object)
    else:
        keys = [{"afdeling": name} for name in afdelinger]
    return pd.DataFrame(keys, columns=list(spec.columns), dtype=object)


def templates(year: int, agreement: Agreement, fmt: str) -> dict[str, bytes]:
    """File name -> content of every template for the year, in the format asked for."""
    files = {}
    for name, spec in specs(agreement).items():
        frame = template(spec, agreement)
        files[f"{name}.{fmt}"] = excel_csv(frame) if fmt == "csv" else xlsx_bytes(frame, name)
    files[METADATA] = METADATA_TEMPLATE.format(year=year).encode("utf-8")
    return files


def conflicts(year_dir: Path, agreement: Agreement) -> list[Path]:
    """Files a template would clash with: a table in either format, or metadata.yaml."""
    if not year_dir.is_dir():
        return []
    contents = scan(year_dir, list(specs(agreement)), problems=[])
    found = list(contents.tables.values()) + ([contents.metadata] if contents.metadata else [])
    return sorted(found)


def present(year_dir: Path, agreement: Agreement) -> set[str]:
    """The tables (by name) and metadata.yaml the year's folder has already, in any format."""
    if not year_dir.is_dir():
        return set()
    contents = scan(year_dir, list(specs(agreement)), problems=[])
    return set(contents.tables) | ({METADATA} if contents.metadata else set())


def exists(path: Path) -> Problem:
    return Problem(
        str(path), "findes allerede; evalkit overskriver aldrig inddata. Flyt eller slet filen."
    )
