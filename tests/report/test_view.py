"""Spec: report sections (evalkit.report.view) on small hand-made processed data."""

import ast
import re
from dataclasses import replace
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

import evalkit.report
from evalkit.compute.build import Processed
from evalkit.compute.indicators import activity_table, indicator_table, plan_period
from evalkit.compute.privacy import PRIMARY, SECONDARY, publish
from evalkit.domain import (
    BASELINEAAR,
    FALDET,
    FORBEDRET,
    FORVAERRET,
    INGEN_BASELINE,
    INGEN_DATA,
    STEGET,
    UAENDRET,
)
from evalkit.report.charts import Chart
from evalkit.report.view import Report, status_sentence


@pytest.fixture
def report(agreement):
    tables = {"foranstaltninger": pd.DataFrame({
        "afdeling": ["Ringparken"],
        "beboere": pd.array([300], dtype="Int64"),
        "med_foranstaltning": pd.array([30], dtype="Int64"),
        "serviceloven": pd.array([20], dtype="Int64"),
        "barnets_lov": pd.array([10], dtype="Int64"),
    })}  # fmt: skip
    meta = {
        "eksempeldata": False,
        "beskrivelse": "",
        "periode_fra": "2026-01-01",
        "periode_til": "2026-12-31",
        "noter": {"Ringparken": "<script>alert(1)</script>\n\n- punkt"},
        "kommunale_maal": {
            agreement.delaftaler[0].navn: {
                "3": {"resultat": "82 % høj trivsel", "kilde": "Trivselsmåling"}
            }
        },
        "filer": [],
    }
    exact = indicator_table(2026, tables, agreement).fillna({"opdeling": "", "baseline_kilde": ""})
    data = Processed(
        publish(exact, agreement).table,
        pd.DataFrame(columns=["aar", "niveau", "enhed"]),
        {2026: meta},
    )
    return lambda niveau, enhed: Report(2026, niveau, enhed, agreement, data)


def test_municipal_goals_show_a_result_where_an_input_gives_one(report):
    html = report("samlet", "Helhedsplanen").delaftaler[0].municipal_goals()
    assert "82 % høj trivsel" in html and "Trivselsmåling" in html
    assert html.count("(ingen data)") == 2  # goals 1 and 2


def test_the_laws_behind_a_measures_figure_are_named(report):
    html = report("afdeling", "Ringparken").delaftaler[0].status_table()
    assert "Lovgrundlag: serviceloven og barnets lov" in html
    assert "aftalens indikator nævner kun serviceloven" in html


def test_notes_are_shown_as_text_never_as_html(report):
    html = report("afdeling", "Ringparken").notes()
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<li>punkt</li>" in html


NOTE = """# Året i Ringparken
Første linje
anden linje

**Fed** og [kommunen](https://viborg.dk), ikke [dette](javascript:alert(1)).

| Møde | Deltagere |
|---|---|
| Maj | 12 |

![et billede](https://example.org/x.png) <img src=x onerror=alert(1)>
"""


def test_notes_render_markdown_safely(agreement):
    meta = {"noter": {"Ringparken": NOTE}, "filer": []}
    data = Processed(pd.DataFrame(), pd.DataFrame(), {2026: meta})
    html = Report(2026, "afdeling", "Ringparken", agreement, data).notes()
    assert "<h4>Året i Ringparken</h4>" in html  # below the report's own headings
    assert "Første linje<br />\nanden linje" in html
    assert "<strong>Fed</strong>" in html and '<a href="https://viborg.dk">kommunen</a>' in html
    assert "javascript:" not in html
    assert "<th>Møde</th>" in html and "<td>12</td>" in html
    assert "<img" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "et billede" in html  # an image is its text: an offline report loads nothing


def test_any_dataframe_is_a_danish_table_that_keeps_hidden_cells_hidden(report):
    r = report("afdeling", "Ringparken")
    frame = pd.DataFrame({
        "Afdeling": ["A", "B", "C"],
        "taeller": [1234.0, float("nan"), 7.0],
        "vaerdi": [12.345, float("nan"), 50.0],
        "naevner": [10000, 400, 14],
        "skjult": ["", PRIMARY, ""],
    })  # fmt: skip
    html = r.table(frame, caption="Eksempel")
    cells = re.findall(r"<td>(.*?)</td>", html)
    assert cells == ["A", "1.234", "12,3", "10.000",
                     "B", "under 5", "under 5", "400",
                     "C", "7", "50", "14"]  # fmt: skip
    assert "skjult" not in re.findall(r"<th[^>]*>(.*?)</th>", html)
    assert "<caption>Eksempel</caption>" in html


def test_no_data_is_said_in_words(report):
    html = report("afdeling", "Karup").delaftaler[0].status_table()
    assert "– ingen data" in html and "ingen baseline" in html


# --- issue 12: honest comparisons and plain words ----------------------------------------------

BV = "BoligViborg"


def evictions(counts: dict[str, int]) -> pd.DataFrame:
    return pd.DataFrame({
        "afdeling": list(counts),
        "effektive_udsaettelser": pd.array(list(counts.values()), dtype="Int64"),
    })  # fmt: skip


def moveouts(rows: dict[str, tuple[int, int]]) -> pd.DataFrame:
    """afdeling -> (fraflytninger, lejemaal)."""
    return pd.DataFrame({
        "afdeling": list(rows),
        "lejemaal": pd.array([n for _, n in rows.values()], dtype="Int64"),
        "fraflytninger": pd.array([k for k, _ in rows.values()], dtype="Int64"),
    })  # fmt: skip


def measures(rows: dict[str, tuple[int, int]], **split: list[int | None]) -> pd.DataFrame:
    """afdeling -> (med_foranstaltning, beboere), with optional law columns."""
    return pd.DataFrame({
        "afdeling": list(rows),
        "beboere": pd.array([n for _, n in rows.values()], dtype="Int64"),
        "med_foranstaltning": pd.array([k for k, _ in rows.values()], dtype="Int64"),
        **{law: pd.array(v, dtype="Int64") for law, v in split.items()},
    })  # fmt: skip


def build(agreement, years: dict[int, dict], examples=(), aktiviteter=None, notes=None):
    """Processed data for hand-made years: {year: tables}; `examples`: example years."""
    exact, acts, meta = [], [], {}
    for year, tables in sorted(years.items()):
        exact.append(indicator_table(year, tables, agreement, years))
        period = (date(year, 1, 1), date(year, 12, 31))
        plan = plan_period(*period, agreement.delaftaler[0])
        acts.append(activity_table(year, aktiviteter, agreement, period))
        names = [f"{year}/{t}.csv" for t in tables] + [
            f"{year}/noter/{a}.md" for a in (notes or {}).get(year, {})
        ]
        meta[year] = {
            "eksempeldata": year in examples,
            "beskrivelse": "Opdigtede tal." if year in examples else "",
            "periode_fra": f"{year}-01-01",
            "periode_til": f"{year}-12-31",
            "planer": {
                agreement.delaftaler[0].navn: plan
                and {"fra": plan[0].isoformat(), "til": plan[1].isoformat()}
            },
            "noter": (notes or {}).get(year, {}),
            "kommunale_maal": {},
            "filer": [{"fil": n, "sha256": "0" * 64} for n in ["delaftale.yaml", *names]],
        }
    table = pd.concat(exact, ignore_index=True).fillna({"opdeling": "", "baseline_kilde": ""})
    data = Processed(publish(table, agreement).table,
                     pd.concat(acts, ignore_index=True), meta)  # fmt: skip
    return lambda aar, niveau, enhed: Report(aar, niveau, enhed, agreement, data)


def status_cell(html: str, delmaal: int) -> str:
    """The cells of the status table's row for one delmål, as text with the tags removed."""
    row = re.search(rf"<tr><th[^>]*>{delmaal}\. .*?</tr>", html, re.S).group(0)
    return re.sub(r"<[^>]+>", " ", row)


# 6. The sentence beside each status says why it reads so.
@pytest.mark.parametrize(
    ("status", "pair", "expected"),
    [
        # shares, down and up; within and beyond the uncertainty
        (UAENDRET, (16.7, 21.5, "procent"),
         "16,7 % mod 21,5 % i 2023 – faldet er mindre end den statistiske usikkerhed."),
        (FORBEDRET, (10.0, 20.0, "procent"),
         "10,0 % mod 20,0 % i 2023 – faldet er større end usikkerheden."),
        (UAENDRET, (32.0, 20.0, "procent"),
         "32,0 % mod 20,0 % i 2023 – stigningen er mindre end den statistiske usikkerhed."),
        (FORVAERRET, (33.0, 20.0, "procent"),
         "33,0 % mod 20,0 % i 2023 – stigningen er større end usikkerheden."),
        # counts, without and with units
        (UAENDRET, (0, 5, "antal"),
         "0 mod 5 i 2023 – faldet er mindre end den statistiske usikkerhed."),
        (FORBEDRET, (0, 6, "antal"), "0 mod 6 i 2023 – faldet er større end usikkerheden."),
        (FORVAERRET, (6, 0, "antal"), "6 mod 0 i 2023 – stigningen er større end usikkerheden."),
        (UAENDRET, (4.25, 8.0, "pr_1000"),
         "4,3 mod 8,0 pr. 1.000 lejemål i 2023 – faldet er mindre end den statistiske usikkerhed."),
        # no direction in the agreement: the same words, no verdict
        (STEGET, (30.0, 20.0, "procent"),
         "30,0 % mod 20,0 % i 2023 – stigningen er større end usikkerheden."),
        (FALDET, (10.0, 20.0, "procent"),
         "10,0 % mod 20,0 % i 2023 – faldet er større end usikkerheden."),
        (UAENDRET, (20.0, 20.0, "procent"), "20,0 % mod 20,0 % i 2023 – ingen ændring."),
        # nothing to compare
        (INGEN_DATA, None, "Ingen tal for 2025."),
        (INGEN_BASELINE, None, "Der er ingen baseline at sammenligne med."),
        (BASELINEAAR, None, "2025 er baselineåret: tallene her bliver baseline for årene efter."),
    ],
)  # fmt: skip
def test_status_sentence(status, pair, expected):
    assert status_sentence(status, pair, 2025, 2023, "lejemål") == expected


def test_a_hidden_figure_gets_no_sentence_about_its_change():
    why = "Tallet for 2025 er skjult af hensyn til diskretion; ændringen vises ikke."
    assert status_sentence(UAENDRET, None, 2025, 2024, "lejemål", why) == why


def test_a_lower_share_marked_unchanged_says_why_in_the_report(agreement):
    # Ringparken 50 of 300 = 16,7 % against the agreement's 21,5 % (n0 = n1 = 300):
    # p̄ = 0.1908, se = sqrt(0.1908·0.8092·2/300) = 0.0321, z = −0.0483/0.0321 = −1.51: unchanged.
    report = build(agreement, {2025: {"fraflytninger": moveouts({"Ringparken": (50, 300)})}})
    cell = status_cell(report(2025, "afdeling", "Ringparken").delaftaler[0].status_table(), 1)
    assert "uændret (inden for usikkerheden)" in cell
    assert "16,7 % mod 21,5 % i 2023 – faldet er mindre end den statistiske usikkerhed." in cell


# 1. Same afdelinger on both sides, and the baseline says which.
def test_an_aggregate_baseline_says_how_many_afdelinger_it_covers(agreement):
    names = agreement.afdeling_names
    years = {2024: {"udsaettelser": evictions(dict.fromkeys(names, 6))},
             2025: {"udsaettelser": evictions(dict.fromkeys(names[:6], 6))}}  # fmt: skip
    report = build(agreement, years)
    cell = status_cell(report(2025, "samlet", "Helhedsplanen").delaftaler[0].status_table(), 2)
    # value 36 on 6 of 16, baseline the same 6 afdelinger's 2024 counts: 36, also 6 of 16
    assert re.search(r"36 .*6 af 16 afdelinger .*36 \(2024\) .*6 af 16 afdelinger", cell), cell
    assert "36 mod 36 i 2024 – ingen ændring." in cell
    assert "96" not in cell


def test_an_aggregate_without_a_baseline_for_all_its_afdelinger_says_so(agreement):
    # Satisfaction: the agreement has baselines for Ellekonebakken and Houlkærvænget only.
    tilfredshed = pd.DataFrame({
        "afdeling": ["Houlkærvænget", "Ringparken", "Ellekonebakken"],
        "besvarelser": pd.array([100, 100, 100], dtype="Int64"),
        "tilfredse": pd.array([90, 80, 85], dtype="Int64"),
    })  # fmt: skip
    report = build(agreement, {2025: {"tilfredshed": tilfredshed}})
    cell = status_cell(report(2025, "samlet", "Helhedsplanen").delaftaler[0].status_table(), 3)
    assert "ingen baseline" in cell
    assert "Kun 2 af de 3 afdelinger med tal for 2025 har en baseline" in cell


# 2. Trend points that sum other afdelinger than the latest year's are marked.
def test_a_trend_point_over_other_afdelinger_is_marked(agreement):
    report = build(agreement, {
        2024: {"fraflytninger": moveouts({"Ringparken": (10, 100), "Lindon": (5, 10)})},
        2025: {"fraflytninger": moveouts({"Ringparken": (12, 100)})},
    })  # fmt: skip
    chart = report(2025, "boligselskab", BV).delaftaler[0].trends()[0]
    assert "2024 (bygger på 2 af 11 afdelinger, ikke de samme som 2025): 13,6 %" in chart.alt
    assert "; 2025: 12,0 %" in chart.alt  # the latest year itself is not marked
    assert "»andre afdelinger« bygger på andre afdelinger end 2025 (1 af 11)" in chart.alt
    # the same afdelinger in every year: nothing marked
    same = build(agreement, {
        2024: {"fraflytninger": moveouts({"Ringparken": (10, 100)})},
        2025: {"fraflytninger": moveouts({"Ringparken": (12, 100)})},
    })  # fmt: skip
    assert "andre afdelinger" not in same(2025, "boligselskab", BV).delaftaler[0].trends()[0].alt


# 3. The baseline year has no baseline.
def test_the_baseline_year_shows_baselinear(agreement):
    report = build(agreement, {2024: {"udsaettelser": evictions({"Ringparken": 2, "Karup": 7})}})
    for niveau, enhed, delmaal in [("afdeling", "Ringparken", 2), ("samlet", "Helhedsplanen", 2)]:
        cell = status_cell(report(2024, niveau, enhed).delaftaler[0].status_table(), delmaal)
        assert "baselineår" in cell
        assert "(2024)" not in cell  # no baseline of itself
        assert "ingen baseline" not in cell


# 4. The plan follows the agreement's period.
AKTIVITETER = pd.DataFrame({
    "aktivitet": ["Hverdagsrådgivning"],
    "afdeling": pd.Series([None], dtype="object"),
    "timer": pd.array([100.0], dtype="Float64"),
    "deltagere": pd.array([10], dtype="Int64"),
})  # fmt: skip


def test_a_year_before_the_agreement_has_no_plan(agreement):
    report = build(agreement, {2024: {}}, aktiviteter=AKTIVITETER)
    html = report(2024, "samlet", "Helhedsplanen").delaftaler[0].activities()
    assert "ingen plan" in html and "uden for delaftalens periode" in html


def test_the_2025_plan_counts_the_agreements_weeks_and_is_not_set_against_a_whole_year(
    agreement,
):
    report = build(agreement, {2025: {}}, aktiviteter=AKTIVITETER)
    html = report(2025, "samlet", "Helhedsplanen").delaftaler[0].activities()
    assert "371,6" in html  # 17 h/uge · 153/7 uger (01.08.–31.12.2025)
    assert "01.08.2025–31.12.2025" in html
    assert "derfor regnes ikke, hvor meget af planen der er brugt" in html


def test_a_whole_year_inside_the_agreement_is_set_against_its_plan(agreement):
    report = build(agreement, {2026: {}}, aktiviteter=AKTIVITETER)
    html = report(2026, "samlet", "Helhedsplanen").delaftaler[0].activities()
    assert "886,4" in html  # 17 · 365/7
    assert "11,3 %" in html  # 100 / 886.4
    assert "regnes ikke" not in html


def test_a_unit_without_activity_hours_says_so_in_words(agreement):
    report = build(agreement, {2026: {}}, aktiviteter=AKTIVITETER)  # hours for the plan only
    html = report(2026, "afdeling", "Ringparken").delaftaler[0].activities()
    assert "Ingen registrerede aktivitetstimer for Ringparken i 2026." in html
    assert "None" not in html


# 5. Direction only where the agreement gives one; the law note always.
def test_measures_show_a_change_without_a_verdict(agreement):
    # The agreement has no baseline for measures yet; give Ringparken one (10 %) to compare.
    # 60 of 300 = 20 % against 10 %: p̄ = 0.15, se = sqrt(0.15·0.85·2/300) = 0.0292, z = 3.43.
    extra = pd.DataFrame({"afdeling": ["Ringparken"], "indikator": ["foranstaltning"],
                          "aar": [2024], "vaerdi": [10.0], "kilde": ["test"]})  # fmt: skip
    indicators = [replace(i, baseline_aar=2024) if i.id == "foranstaltning" else i
                  for i in agreement.indicators]  # fmt: skip
    delaftale = replace(agreement.delaftaler[0], indicators=indicators)
    agreement = replace(
        agreement, delaftaler=[delaftale], baseline=pd.concat([agreement.baseline, extra])
    )
    assert agreement.indicator("foranstaltning").retning == "ingen"
    report = build(agreement, {2025: {"foranstaltninger": measures({"Ringparken": (60, 300)})}})
    r = report(2025, "afdeling", "Ringparken")
    cell = status_cell(r.delaftaler[0].status_table(), 4)
    assert "↑ steget" in cell and "forværret" not in cell and "forbedret" not in cell
    assert "20,0 % mod 10,0 % i 2024 – stigningen er større end usikkerheden." in cell
    legend = re.sub(r"<[^>]+>", "", r.delaftaler[0].legend())
    assert "Delmål 4: aftalen siger ikke, om mere eller mindre er bedst" in legend
    assert "↑ steget ↓ faldet" in legend


@pytest.mark.parametrize(
    ("split", "note"),
    [
        ({}, "Lovgrundlag ikke oplyst"),
        ({"barnets_lov": [2, 1]}, "Lovgrundlag: serviceloven og barnets lov"),
        ({"serviceloven": [2, 2]}, "Lovgrundlag: serviceloven"),
    ],
)
def test_the_law_note_is_shown_also_for_a_hidden_figure(agreement, split, note):
    # Ringparken 2 of 300 is hidden (under 5 borgere); Karup 3 of 50 too.
    tables = {"foranstaltninger": measures({"Ringparken": (2, 300), "Karup": (3, 50)}, **split)}
    cell = status_cell(build(agreement, {2025: tables})(2025, "afdeling", "Ringparken")
                       .delaftaler[0].status_table(), 4)  # fmt: skip
    assert "under 5 borgere" in cell
    assert note in cell


# 7. The method inside the report.
def test_every_report_ends_with_the_method_and_points_to_no_file(agreement):
    report = build(agreement, {2025: {"fraflytninger": moveouts({"Ringparken": (50, 300)})}})
    r = report(2025, "afdeling", "Ringparken")
    method = r.method()
    phrases = ("uændret (inden for usikkerheden)", "95 %-interval", "under 5 husstande",
               "under 5 borgere", "»skjult«", "Samlede tal")  # fmt: skip
    for phrase in phrases:
        assert phrase in method, phrase
    assert "01.08.2025–31.07.2029" in r.delaftaler[0].heading()
    everything = [
        r.header(),
        r.delaftaler[0].status_table(),
        r.delaftaler[0].activities(),
        r.sources(),
        method,
    ]
    assert not any("docs/" in part or ".md" in part.replace("/noter/", "") for part in everything)


# 8. Hidden small numbers say what they count; no empty axis.
def test_a_hidden_count_says_what_it_counts(agreement):
    report = build(agreement, {2025: {"udsaettelser": evictions({"Ringparken": 2, "Karup": 3})}})
    r = report(2025, "afdeling", "Ringparken")
    assert "under 5 husstande" in status_cell(r.delaftaler[0].status_table(), 2)
    assert re.search(r"under 5(?! husstande| borgere)", r.delaftaler[0].status_table()) is None
    assert "»under 5 husstande« og »under 5 borgere«" in r.delaftaler[0].privacy_rule()


def test_a_series_that_is_all_hidden_is_a_sentence_not_an_empty_chart(agreement):
    report = build(agreement, {
        2024: {"udsaettelser": evictions({"Ringparken": 2, "Karup": 3})},
        2025: {"udsaettelser": evictions({"Ringparken": 1, "Karup": 4})},
    })  # fmt: skip
    shown = report(2025, "afdeling", "Ringparken").delaftaler[0].trends()
    assert len(shown) == 1 and not isinstance(shown[0], Chart)
    assert "intet diagram" in shown[0]
    assert "2024: under 5 husstande; 2025: under 5 husstande" in shown[0]


# 9. Slips.
def test_a_baseline_from_data_names_its_year(agreement):
    report = build(agreement, {2024: {"udsaettelser": evictions({"Ringparken": 6})},
                               2025: {"udsaettelser": evictions({"Ringparken": 7})}})  # fmt: skip
    cell = status_cell(report(2025, "afdeling", "Ringparken").delaftaler[0].status_table(), 2)
    assert "fra data for 2024" in cell and "årets data" not in cell


def test_an_unknown_dwelling_type_is_said_once_in_the_sources(agreement):
    report = build(agreement, {2025: {}})
    ringparken = report(2025, "afdeling", "Ringparken")  # boligtype ukendt
    assert "Boligtype" not in ringparken.header()
    assert "Boligtype: ukendt" in ringparken.sources()
    known = report(2025, "afdeling", "Houlkærvænget")  # familiebolig
    assert "Boligtype: familiebolig" in known.header()
    assert "Boligtype" not in known.sources()
    assert (
        "Boligtype: ukendt for 15 af 16 afdelinger"
        in report(2025, "samlet", "Helhedsplanen").sources()
    )


def test_a_report_lists_only_its_own_note_files(agreement):
    notes = {2025: {"Ringparken": "Note.", "Karup": "Anden note."}}
    report = build(agreement, {2025: {}}, notes=notes)
    assert "2025/noter/Ringparken.md" in report(2025, "afdeling", "Ringparken").sources()
    assert "Karup.md" not in report(2025, "afdeling", "Ringparken").sources()
    assert "noter/" not in report(2025, "samlet", "Helhedsplanen").sources()


# 10. Example data never leaks into a real year.
def test_a_real_year_is_not_called_example_data_but_its_example_baseline_is(agreement):
    years = {2024: {"udsaettelser": evictions({"Ringparken": 6})},
             2025: {"udsaettelser": evictions({"Ringparken": 7})}}  # fmt: skip
    r = build(agreement, years, examples={2024})(2025, "afdeling", "Ringparken")
    assert "Eksempeldata" not in r.header()
    assert "»eksempeldata«" in r.method()  # the appendix explains the mark it uses
    real = build(agreement, years)(2025, "afdeling", "Ringparken")
    assert "eksempeldata" not in real.method().lower()
    assert "fra data for 2024" in status_cell(r.delaftaler[0].status_table(), 2)
    assert "eksempeldata, ikke faktiske tal" in status_cell(r.delaftaler[0].status_table(), 2)
    chart = r.delaftaler[0].trends()[0]
    assert "2024 (eksempeldata): 6" in chart.alt
    assert "Baseline 2024 (eksempeldata): 6" in chart.alt
    assert "2025 (" not in chart.alt


def test_an_example_year_says_so_for_itself_only(agreement):
    years = {2024: {"udsaettelser": evictions({"Ringparken": 6})},
             2025: {"udsaettelser": evictions({"Ringparken": 7})}}  # fmt: skip
    r = build(agreement, years, examples={2025})(2025, "afdeling", "Ringparken")
    assert "Eksempeldata – ikke faktiske tal" in r.header()
    assert "tallene for 2025 er opdigtede" in r.header() and "2024" not in r.header()
    assert (
        "eksempeldata" not in r.delaftaler[0].trends()[0].alt
    )  # 2024 is real; 2025 has the banner


# 11. Markup lives in the templates only.
def test_no_markup_is_written_in_python():
    """Every tag comes from a template under report/templates; Python hands them plain text."""
    for path in Path(evalkit.report.__file__).parent.glob("*.py"):
        tree = ast.parse(path.read_text("utf-8"))
        docstrings = {n.body[0].value for n in ast.walk(tree)
                      if isinstance(n, (ast.Module, ast.ClassDef, ast.FunctionDef))
                      and ast.get_docstring(n) is not None}  # fmt: skip
        texts = [n for n in ast.walk(tree) if isinstance(n, ast.Constant)
                 and isinstance(n.value, str) and n not in docstrings]  # fmt: skip
        tags = [f"{path.name}:{n.lineno}" for n in texts if re.search(r"<[a-zA-Z/!]", n.value)]
        assert tags == []


# --- issue 16: a national plan, thousands of afdelinger ------------------------------------------


def national(agreement, n: int):
    """The agreement with `n` afdelinger, Afd 00 … in two boligselskaber, each with a
    move-out baseline of 20 % for 2023; and a year of move-outs where afdeling i has i of 100
    lejemål moved out (i %): its distance from the baseline is i - 20 percentage points."""
    names = [f"Afd {i:02d}" for i in range(n)]
    plan = replace(
        agreement,
        afdelinger=pd.DataFrame({
            "afdeling": names, "boligselskab": [f"Selskab {i % 2}" for i in range(n)],
            "afdelingsnummer": [str(i) for i in range(n)], "boligtype": "familiebolig",
            "kilde": "test",
        }),
        baseline=pd.DataFrame({"afdeling": names, "indikator": "fraflytning", "aar": 2023,
                               "vaerdi": 20.0, "kilde": "test"}),
    )  # fmt: skip
    moved = moveouts({name: (i, 100) for i, name in enumerate(names)})
    return build(plan, {2025: {"fraflytninger": moved}})(2025, "samlet", plan.helhedsplan)


def listed(alt: str, side: str) -> list[str]:
    """The afdelinger a chart's alt text lists over or under the baseline, in its order."""
    found = re.search(rf"{side} baseline: (.*?)\.(?: [A-ZÆØÅ]|$)", alt)
    return re.findall(r"(Afd \d\d) ", found.group(1)) if found else []


def test_up_to_30_afdelinger_are_drawn_a_bar_each(agreement):
    r = national(agreement, 30)
    [chart] = r.delaftaler[0].afdeling_charts()
    assert chart.alt.startswith("Fraflytning 2025 mod baseline 2023: Afd 00 0,0 % (baseline 20")
    assert chart.alt.count("(baseline 20,0 %)") == 30


def test_more_than_30_afdelinger_show_the_10_farthest_on_each_side(agreement):
    r = national(agreement, 40)
    [chart] = r.delaftaler[0].afdeling_charts()
    assert chart.alt.startswith("Fraflytning 2025: længst fra baseline 2023 (procentpoint).")
    assert listed(chart.alt, "Over") == [f"Afd {i}" for i in range(39, 29, -1)]  # +19 … +10
    assert listed(chart.alt, "Under") == [f"Afd {i:02d}" for i in range(10)]  # -20 … -11
    assert "Afd 39 39,0 % mod 20,0 % (+19,0)" in chart.alt
    # 10 … 29 are nearer (20 is on its baseline): the caption says how many are left out.
    assert "20 af 40 afdelinger er ikke med i diagrammet: 20 ligger nærmere deres baseline." in (
        chart.alt
    )


def test_a_hidden_figure_or_baseline_is_never_ranked_and_the_caption_says_so(agreement):
    r = national(agreement, 40)
    rows = r.data.indikatorer
    # As compute.privacy hides a figure: the value gone, the reason in its flag. The
    # farthest above (39) and below (00) are hidden, and 38's baseline.
    value = rows["enhed"].isin(["Afd 39", "Afd 00"]) & (rows["indikator"] == "fraflytning")
    rows.loc[value, ["vaerdi", "ki_nedre", "ki_oevre", "taeller"]] = None
    rows.loc[value, "skjult"] = SECONDARY
    baseline = (rows["enhed"] == "Afd 38") & (rows["indikator"] == "fraflytning")
    rows.loc[baseline, ["baseline", "baseline_taeller"]] = None
    rows.loc[baseline, "baseline_skjult"] = SECONDARY

    [chart] = r.delaftaler[0].afdeling_charts()

    assert listed(chart.alt, "Over") == [f"Afd {i}" for i in range(37, 27, -1)]
    assert listed(chart.alt, "Under") == [f"Afd {i:02d}" for i in range(1, 11)]
    assert "Afd 39" not in chart.alt and "Afd 38" not in chart.alt and "Afd 00" not in chart.alt
    assert (
        "20 af 40 afdelinger er ikke med i diagrammet: 17 ligger nærmere deres baseline; 3 har "
        "et tal, der er skjult af hensyn til diskretion (skjulte tal indgår aldrig i "
        "rangeringen)." in chart.alt
    )


def test_with_nothing_to_rank_a_sentence_stands_in_place_of_the_chart(agreement):
    r = national(agreement, 40)
    r.data.indikatorer["baseline"] = None
    [note] = r.delaftaler[0].afdeling_charts()
    assert not isinstance(note, Chart)
    assert "Fraflytning 2025: længst fra baseline 2023 (procentpoint): intet diagram" in note


@pytest.mark.parametrize(("n", "tools"), [(30, False), (40, True)])
def test_a_long_table_of_afdelinger_can_be_searched_and_sorted(agreement, n, tools):
    html = national(agreement, n).delaftaler[0].afdelinger_table()
    assert len(re.findall(r'<tr><th scope="row">Afd \d\d</th>', html)) == n  # every row
    assert ('<p class="table-search" hidden>' in html) == tools
    assert ("<script>" in html) == tools
    sortable = re.findall(r'<th scope="col" data-sort="(\w+)"( data-search)?>', html)
    assert sortable == ([("text", " data-search")] + [("number", "")] * 4 if tools else [])
