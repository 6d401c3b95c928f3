"""reports/index.html: every year and unit, its status at a glance, failed units marked, and
links to each year's figures (tal.csv, tal.xlsx) and to the PDFs that are current.

A national plan has thousands of afdelinger: each year's table can be searched (by unit and
boligselskab) and sorted in the page (templates/table_tools.js), and the statuses are counted
once per year, not looked up in the whole table for each unit.
"""

import json
from collections import Counter
from pathlib import Path

import pandas as pd

from evalkit import fmt
from evalkit.domain import (
    AFDELING,
    BOLIGSELSKAB,
    FALDET,
    FORBEDRET,
    FORVAERRET,
    LEVEL_NAMES,
    STATUS_SYMBOLS,
    STEGET,
    UAENDRET,
    report_units,
)
from evalkit.execution.render import Outcome
from evalkit.files import write_atomic
from evalkit.inputs.agreement import Agreement
from evalkit.inputs.sheets import read_csv
from evalkit.paths import Paths, is_year
from evalkit.publish import pdf, records, tal
from evalkit.report import markup


def write_index(paths: Paths, agreement: Agreement) -> Path:
    """reports/index.html: every year and unit, its status at a glance, failed units marked."""
    order = {u: i for i, u in enumerate(report_units(agreement))}
    companies = dict(zip(agreement.afdelinger["afdeling"], agreement.afdelinger["boligselskab"],
                         strict=True))  # fmt: skip
    years = []
    for year_dir in sorted(paths.reports.glob("[0-9]*"), reverse=True):
        if not is_year(year_dir.name):  # "2025 kopi" is the analyst's
            continue
        year = int(year_dir.name)
        outcomes = records.recorded(paths, year)
        if not outcomes:
            continue
        counts = _status_counts(_indicators(paths, year))
        meta = paths.processed_year(year) / "metadata.json"
        example = meta.exists() and json.loads(meta.read_text(encoding="utf-8"))["eksempeldata"]
        years.append(
            {
                "aar": year,
                "eksempeldata": example,
                "files": [
                    {"name": name, "href": f"{year}/{name}"}
                    for name in (tal.TAL, tal.TAL_XLSX)
                    if (year_dir / name).is_file()
                ],
                "units": [
                    _unit(paths, year, o, agreement, counts, companies)
                    for o in sorted(outcomes.values(), key=lambda o: order.get(o.unit, len(order)))
                ],
            }
        )
    page = markup.render(
        "index.html.j2",
        navn=agreement.helhedsplan,
        delaftaler=[
            {
                "navn": d.navn,
                "eksempel": d.eksempel,
                "periode": f"{fmt.day(d.periode_fra)}–{fmt.day(d.periode_til)}",
            }
            for d in agreement.delaftaler
        ],
        years=years,
    )
    path = paths.reports / "index.html"
    write_atomic(path, page)
    return path


def _pdf(paths: Paths, year: int, html: str) -> str | None:
    """The report's PDF, if it is current: a stale one is never linked."""
    page = paths.reports_year(year) / html
    return f"{year}/{page.with_suffix('.pdf').name}" if pdf.current(page) else None


def _indicators(paths: Paths, year: int) -> pd.DataFrame | None:
    from evalkit.compute.build import PUBLISHED

    # The published statuses: an exact one could tell where a hidden count lies.
    path = paths.processed_year(year) / PUBLISHED
    return read_csv(path) if path.exists() else None


def _unit(
    paths: Paths,
    year: int,
    o: Outcome,
    agreement: Agreement,
    counts: dict[tuple[str, str, str], Counter] | None,
    companies: dict[str, str],
) -> dict:
    """One row of the year's table."""
    unit = o.unit
    company = {AFDELING: companies.get(unit.enhed, ""), BOLIGSELSKAB: unit.enhed}
    own = [
        None if counts is None else counts.get((d.navn, unit.niveau, unit.enhed), Counter())
        for d in agreement.delaftaler
    ]
    return {
        "enhed": unit.enhed,
        "niveau": LEVEL_NAMES[unit.niveau],
        "boligselskab": company.get(unit.niveau, ""),
        "ok": o.ok,
        "href": f"{year}/{o.html}" if o.ok else None,
        "pdf": _pdf(paths, year, o.html) if o.ok else None,
        "error": o.error,
        "summaries": [
            (d.navn, _summary(c)) for d, c in zip(agreement.delaftaler, own, strict=True)
        ],
        # What the status column sorts by in the page.
        "forvaerret": sum(c[FORVAERRET] for c in own if c),
    }


def _status_counts(table: pd.DataFrame | None) -> dict[tuple[str, str, str], Counter] | None:
    """How many of each status every (delaftale, niveau, enhed) has: the whole year at once
    (None without the year's published table)."""
    if table is None:
        return None
    counts: dict[tuple[str, str, str], Counter] = {}
    keys = zip(table["delaftale"], table["niveau"], table["enhed"], table["status"], strict=True)
    for delaftale, niveau, enhed, status in keys:
        counts.setdefault((delaftale, niveau, enhed), Counter())[status] += 1
    return counts


def _summary(counts: Counter | None) -> str:
    """A unit's statuses in one delaftale, counted ("" where the year has no statuses)."""
    if counts is None:
        return ""
    # The verdicts always; a change without a verdict (no direction in the agreement) where
    # there is one.
    shown = [FORBEDRET, UAENDRET, FORVAERRET] + [s for s in (STEGET, FALDET) if counts.get(s)]
    return " · ".join(
        f"{STATUS_SYMBOLS[status]} {counts.get(status, 0)} {status}" for status in shown
    )
