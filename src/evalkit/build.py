"""From raw to processed: validate a year's inputs and write its indicator tables.

data/processed/<year>/ gets indikatorer.csv and aktiviteter.csv (exact values, for the
analyst) and metadata.json (example-data flag, period, notes, the input files with hashes).
"""

import json
from dataclasses import dataclass

import pandas as pd

from evalkit.agreement import Agreement
from evalkit.config import Paths
from evalkit.errors import Problem
from evalkit.files import sha256, write_atomic
from evalkit.indicators import activity_table, indicator_table
from evalkit.inputs import YearInputs, read_year
from evalkit.sheets import csv_text, read_csv


@dataclass
class Built:
    year: int
    warnings: list[Problem]


def build_year(paths: Paths, year: int, agreement: Agreement) -> Built:
    """Validate data/raw/<year>/ and write data/processed/<year>/; raises InputError."""
    inputs = read_year(paths.raw, year, agreement)
    baseline_tables = {
        y: read_year(paths.raw, y, agreement).tables
        for y in agreement.data_baseline_years(year)
        if paths.raw_year(y).is_dir()
    }
    weeks = ((inputs.periode_til - inputs.periode_fra).days + 1) / 7
    out = paths.processed_year(year)
    indicators = indicator_table(
        year, inputs.tables, agreement, baseline_tables, agreement.settings["lille_naevner"]
    )
    write_atomic(out / "indikatorer.csv", csv_text(indicators))
    activities = activity_table(
        year, inputs.tables.get("aktiviteter"), agreement, weeks, inputs.tables.get("fraflytninger")
    )
    write_atomic(out / "aktiviteter.csv", csv_text(activities))
    write_atomic(
        out / "metadata.json", json.dumps(_metadata(paths, inputs), indent=2, ensure_ascii=False)
    )
    return Built(year, inputs.warnings)


def _metadata(paths: Paths, inputs: YearInputs) -> dict:
    agreement_files = [
        paths.raw / n
        for n in ("delaftale.yaml", "afdelinger.csv", "baseline.csv", "sammenligning.csv")
    ]
    return {
        "aar": inputs.year,
        "eksempeldata": inputs.eksempeldata,
        "beskrivelse": inputs.beskrivelse,
        "periode_fra": inputs.periode_fra.isoformat(),
        "periode_til": inputs.periode_til.isoformat(),
        "tabeller": sorted(inputs.tables),
        "noter": inputs.notes,
        "kommunale_maal": _goals(inputs),
        # Paths relative to the raw folder: no path of the analyst's machine leaves it.
        "filer": [
            {"fil": p.relative_to(paths.raw).as_posix(), "sha256": sha256(p)}
            for p in agreement_files + inputs.files
        ],
    }


def _goals(inputs: YearInputs) -> dict[str, dict[str, str]]:
    """Results for the municipal goals, by goal number, where an input gives them."""
    table = inputs.tables.get("kommunale_maal")
    if table is None:
        return {}
    return {
        str(int(r["maal_nr"])): {"resultat": r["resultat"], "kilde": r["kilde"]}
        for _, r in table.iterrows()
        if r["resultat"]  # a template row not filled in is no result
    }


@dataclass
class Processed:
    """What the reports read: every processed year up to the report's year."""

    indikatorer: pd.DataFrame
    aktiviteter: pd.DataFrame
    metadata: dict[int, dict]


def load_processed(paths: Paths, upto: int) -> Processed:
    years = sorted(
        int(p.name)
        for p in paths.processed.iterdir()
        if p.name.isdigit() and int(p.name) <= upto and (p / "indikatorer.csv").exists()
    )
    indikatorer = pd.concat(
        [read_csv(paths.processed_year(y) / "indikatorer.csv") for y in years], ignore_index=True
    )
    text = ["baseline_kilde", "love"]  # an empty text is read back as missing
    indikatorer[text] = indikatorer[text].astype(object).fillna("").astype(str)
    aktiviteter = pd.concat(
        [read_csv(paths.processed_year(y) / "aktiviteter.csv") for y in years], ignore_index=True
    )
    metadata = {
        y: json.loads((paths.processed_year(y) / "metadata.json").read_text(encoding="utf-8"))
        for y in years
    }
    return Processed(indikatorer, aktiviteter, metadata)
