"""Spec: reports/index.html (evalkit.publish.index) lists every unit of every year, and each
year's table can be searched and sorted in the page, for a plan of thousands of afdelinger."""

import json
import re
from collections import Counter
from dataclasses import replace

import pandas as pd
import pytest

from evalkit.compute.build import PUBLISHED
from evalkit.domain import report_units
from evalkit.paths import Paths
from evalkit.publish.index import _status_counts, _summary, write_index
from evalkit.report.markup import TEMPLATES_DIR

FORBEDRET, UAENDRET, FORVAERRET = "forbedret", "uændret (inden for usikkerheden)", "forværret"


def plan(agreement, afdelinger: int, per_company: int = 10):
    """The agreement with `afdelinger` made-up afdelinger, `per_company` to a boligselskab."""
    rows = [(f"Afd {i:03d}", f"Selskab {i // per_company}") for i in range(afdelinger)]
    return replace(agreement, afdelinger=pd.DataFrame(rows, columns=["afdeling", "boligselskab"]))


def write(tmp_path, agreement, years=(2025,), failed=(), statuses=None) -> str:
    """The index of `agreement`'s units, every report made (but `failed`), for `years`;
    `statuses`: rows (delaftale, niveau, enhed, status) of the published table."""
    paths = Paths(data=tmp_path / "data", reports=tmp_path / "reports")
    for year in years:
        listing = [
            {"niveau": u.niveau, "enhed": u.enhed, "ok": u.enhed not in failed,
             "html": None if u.enhed in failed else f"{u.slug}.html",
             "notebook": f"{u.slug}.ipynb", "error": "Fejl" if u.enhed in failed else None}
            for u in report_units(agreement)
        ]  # fmt: skip
        (paths.reports / str(year)).mkdir(parents=True)
        (paths.reports / str(year) / "enheder.json").write_text(json.dumps(listing), "utf-8")
        if statuses is not None:
            paths.processed_year(year).mkdir(parents=True)
            table = pd.DataFrame(statuses, columns=["delaftale", "niveau", "enhed", "status"])
            table.to_csv(paths.processed_year(year) / PUBLISHED, index=False)
    return write_index(paths, agreement).read_text(encoding="utf-8")


def markup(page: str) -> list[str]:
    """Each body row's markup, in the page's order."""
    return re.findall(r'<tr><th scope="row">(.*?)</tr>', page, flags=re.S)


def cells(row: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", c).strip() for c in re.split(r"</t[hd]>", row)[:-1]]


def rows(page: str) -> list[list[str]]:
    """Each body row's cells as text, in the page's order."""
    return [cells(row) for row in markup(page)]


def test_every_unit_is_a_row_with_its_boligselskab(tmp_path, agreement):
    many = plan(agreement, 40)

    found = rows(write(tmp_path, many))

    assert [r[:3] for r in found] == (
        [["Helhedsplanen", "Helhedsplan", ""]]
        + [[f"Selskab {b}", "Boligselskab", f"Selskab {b}"] for b in range(4)]
        + [[f"Afd {i:03d}", "Afdeling", f"Selskab {i // 10}"] for i in range(40)]
    )


def test_each_year_has_a_search_box_over_its_table_and_sortable_headers(tmp_path, agreement):
    page = write(tmp_path, agreement, years=(2024, 2025))

    tables = re.findall(r'<table id="([^"]+)">\s*<thead>(.*?)</thead>', page, flags=re.S)
    assert [t for t, _ in tables] == ["rapporter-2025", "rapporter-2024"]
    boxes = re.findall(r'<p class="table-search" hidden>.*?aria-controls="([^"]+)"', page)
    assert boxes == ["rapporter-2025", "rapporter-2024"]  # hidden: without JavaScript, no box
    for _, head in tables:
        headers = re.findall(r"<th ([^>]*)>([^<]+)</th>", head)
        assert headers == [
            ('scope="col" data-sort="text" data-search', "Rapport"),
            ('scope="col" data-sort="text"', "Niveau"),
            ('scope="col" data-sort="text" data-search', "Boligselskab"),
            ('scope="col" data-sort="number"', "Status"),
        ]
    # The script once, after the last table it works on.
    assert page.count("<script>") == 1
    assert page.index("<script>") > page.rindex("</table>")


def test_the_status_column_sorts_by_the_number_of_worsened_goals_in_all_delaftaler(
    tmp_path, helhedsplan
):
    first, second = (d.navn for d in helhedsplan.delaftaler)
    statuses = [
        (first, "afdeling", "Lindon", FORVAERRET),
        (first, "afdeling", "Lindon", FORVAERRET),
        (first, "afdeling", "Lindon", FORBEDRET),
        (second, "afdeling", "Lindon", FORVAERRET),
        (second, "afdeling", "Karup", UAENDRET),
    ]

    page = write(tmp_path, helhedsplan, failed={"Elmely"}, statuses=statuses)

    key = {cells(row)[0]: re.findall(r'data-key="(\d+)"', row) for row in markup(page)}
    assert key["Lindon"] == ["3"]
    assert key["Karup"] == ["0"]
    assert key["Elmely"] == []  # a failed report has no status: sorted after the others


def test_the_statuses_are_counted_once_for_the_whole_year():
    table = pd.DataFrame({
        "delaftale": ["D"] * 4, "niveau": ["afdeling"] * 4, "enhed": ["A", "A", "A", "B"],
        "status": [FORBEDRET, "steget", UAENDRET, FORBEDRET],
    })  # fmt: skip
    counts = _status_counts(table)
    assert counts[("D", "afdeling", "A")] == Counter({FORBEDRET: 1, "steget": 1, UAENDRET: 1})
    assert _status_counts(None) is None


@pytest.mark.parametrize(
    ("counts", "summary"),
    [
        (Counter({FORBEDRET: 1, "steget": 1, UAENDRET: 1}),
         f"▲ 1 forbedret · ● 1 {UAENDRET} · ▼ 0 forværret · ↑ 1 steget"),
        (Counter({FORBEDRET: 1}), f"▲ 1 forbedret · ● 0 {UAENDRET} · ▼ 0 forværret"),
        (Counter(), f"▲ 0 forbedret · ● 0 {UAENDRET} · ▼ 0 forværret"),  # no row: all 0
        (None, ""),  # the year has no published table
    ],
)  # fmt: skip
def test_a_summary_counts_the_verdicts_and_a_change_without_one_where_it_has_one(counts, summary):
    assert _summary(counts) == summary


def test_the_script_moves_rows_and_never_writes_markup():
    script = (TEMPLATES_DIR / "table_tools.js").read_text(encoding="utf-8")
    for writer in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
        assert writer not in script
    assert not re.search(r"https?:|import|fetch\(", script)  # nothing loaded: works offline
