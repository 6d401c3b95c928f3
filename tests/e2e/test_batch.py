"""End to end: the fixture's data through `evalkit run` to HTML reports (one batch, 2025).

The figures expected here are the frozen fixture's (tests/fixtures/raw/), never data/raw/'s.
"""

import json
import re
from pathlib import Path

import pandas as pd
import pytest

from evalkit.domain import report_units, slug
from evalkit.paths import Paths
from evalkit.publish.index import write_index
from evalkit.report.markup import css_string
from tests.conftest import REPO, YEAR, tiny_notebooks, tree_hash


def test_the_batch_succeeds(batch):
    assert batch["code"] == 0


def test_raw_data_is_not_written(batch):
    assert tree_hash(batch["root"] / "data" / "raw") == batch["raw_before"]
    assert batch["raw_writes"] == []  # not even a file opened for writing and put back


def test_every_unit_has_a_report_and_its_executed_notebook(batch, agreement):
    folder = batch["root"] / "reports" / str(YEAR)
    expected = report_units(agreement)
    assert len(expected) == 16 + 2 + 1
    for unit in expected:
        assert (folder / f"{unit.slug}.html").is_file(), unit
        assert (folder / f"{unit.slug}.ipynb").is_file(), unit
    assert not list(folder.glob(".*")), "no temporary files are left behind"


def reports(batch) -> list[Path]:
    return sorted((batch["root"] / "reports" / str(YEAR)).glob("*.html"))


def test_reports_show_no_code_and_load_nothing_from_other_hosts(batch):
    for page in reports(batch):
        html = page.read_text(encoding="utf-8")
        assert not re.search(r"https?://", html), page.name
        assert "<script src" not in html, page.name
        assert 'class="jp-CodeMirrorEditor' not in html, page.name
        assert "Report.load" not in html and "import " not in html, page.name
        assert "Traceback" not in html, page.name


def test_reports_show_no_python_value_as_text(batch):
    # A template variable named like a Jinja literal (`none`) printed "None" on the page.
    for page in reports(batch):
        text = re.sub(r"<[^>]+>", " ", page.read_text(encoding="utf-8"))
        assert not re.search(r"\b(None|nan|NaN|True|False)\b|&lt;NA&gt;", text), page.name


def test_reports_are_danish_with_the_unit_and_year_in_the_title(batch, agreement):
    for unit in report_units(agreement):
        html = (batch["root"] / "reports" / str(YEAR) / f"{unit.slug}.html").read_text("utf-8")
        assert '<html lang="da">' in html
        title = re.search(r"<title>(.*?)</title>", html).group(1)
        assert unit.enhed in title.replace("&#39;", "'") and str(YEAR) in title


def test_reports_show_the_agreements_baselines(batch):
    folder = batch["root"] / "reports" / str(YEAR)
    assert "21,5 %" in (folder / "ringparken.html").read_text("utf-8")
    assert "60,0 %" in (folder / "lindon.html").read_text("utf-8")
    houlkaer = (folder / "houlkaervaenget.html").read_text("utf-8")
    assert "12,7 %" in houlkaer and "91,0 %" in houlkaer
    overview = (folder / "helhedsplan.html").read_text("utf-8")
    assert "10,3 %" in overview and "37,8 %" in overview  # national move-out averages
    assert "80,0 %" in overview and "84,0 %" in overview  # satisfaction comparisons


def test_example_data_carries_the_banner_in_every_report(batch):
    for page in reports(batch):
        assert "Eksempeldata – ikke faktiske tal" in page.read_text("utf-8"), page.name


def test_charts_are_embedded_images_with_alt_text(batch):
    html = (batch["root"] / "reports" / str(YEAR) / "ringparken.html").read_text("utf-8")
    images = re.findall(r"<img [^>]*>", html)
    assert len(images) >= 2
    assert all('src="data:image/svg+xml;base64,' in img for img in images)
    alts = [re.search(r"""alt=(?:"([^"]+)"|'([^']+)')""", img).group(1, 2) for img in images]
    alts = [double or single for double, single in alts]
    assert any("Baseline 2023: 21,5 %" in alt for alt in alts)


def test_the_index_links_every_report(batch, agreement):
    index = (batch["root"] / "reports" / "index.html").read_text("utf-8")
    for unit in report_units(agreement):
        assert f'href="{YEAR}/{unit.slug}.html"' in index


def test_processed_indicators_have_one_row_per_level_unit_and_indicator(batch, helhedsplan):
    table = pd.read_csv(batch["root"] / "data" / "processed" / str(YEAR) / "indikatorer.csv")
    required = ["aar", "niveau", "enhed", "indikator", "taeller", "naevner", "vaerdi",
                "baseline_aar", "baseline", "status"]  # fmt: skip
    assert set(required) <= set(table.columns)
    assert len(table) == 19 * len(helhedsplan.indicators)
    assert not table.duplicated(["niveau", "enhed", "indikator"]).any()
    assert set(table["delaftale"]) == {d.navn for d in helhedsplan.delaftaler}
    ringparken = table.set_index(["enhed", "indikator"]).loc[("Ringparken", "fraflytning")]
    assert ringparken["baseline"] == 21.5
    assert ringparken["vaerdi"] == pytest.approx(100 * 52 / 312)  # the fixture's 52 of 312


def test_a_missing_value_is_empty_in_the_csv_never_zero(batch):
    text = (batch["root"] / "data" / "processed" / str(YEAR) / "indikatorer.csv").read_text()
    karup = next(line for line in text.splitlines() if "Karup" in line and "tilfredshed" in line)
    # taeller, naevner, vaerdi are empty: the fixture has no survey of Karup in 2025
    assert ",,," in karup


def test_reports_show_uncertainty_and_caution_for_small_afdelinger(batch):
    folder = batch["root"] / "reports" / str(YEAR)
    lindon = (folder / "lindon.html").read_text("utf-8")  # 6 of 11 lejemål in the fixture
    assert "95 %-interval: 28,0 %–78,7 %" in lindon
    assert "⚠ Under 20 lejemål" in lindon
    assert "uændret (inden for usikkerheden)" in lindon
    assert "⚠ Under 20" not in (folder / "ringparken.html").read_text("utf-8")


def test_the_helhedsplan_report_shows_the_municipal_goals(batch):
    html = (batch["root"] / "reports" / str(YEAR) / "helhedsplan.html").read_text("utf-8")
    assert "Færre i Viborg Kommune føler sig ensomme." in html
    assert html.count("(ingen data)") >= 3  # the fixture's metadata.yaml gives none


def test_evictions_are_shown_per_1000_units_against_the_2024_baseline(batch):
    folder = batch["root"] / "reports" / str(YEAR)
    published = pd.read_csv(folder / "tal.csv", dtype=str, keep_default_na=False)
    shown = published[(published["indikator"] == "udsaettelser")
                      & (published["niveau"] == "afdeling")
                      & ~published["taeller"].isin(["", "<5", "skjult"])
                      & ~published["baseline"].isin(["", "<5", "skjult"])]  # fmt: skip
    if shown.empty:
        pytest.skip("every afdeling's evictions or their baseline are hidden this year")
    row = shown.iloc[0]
    html = (folder / f"{slug(row['enhed'])}.html").read_text("utf-8")
    assert "pr. 1.000 lejemål" in html
    assert f"{float(row['baseline']):.0f} (2024)" in html  # 2024's count is the baseline


def test_the_helhedsplans_baseline_sums_the_same_afdelinger(batch):
    # Whatever the data: the helhedsplan's baseline is the 2024 sum over the afdelinger that
    # have data this year (the same afdelinger on both sides), read from the processed tables.
    processed = batch["root"] / "data" / "processed"
    rows = {y: pd.read_csv(processed / str(y) / "indikatorer.csv") for y in (2024, YEAR)}
    ev = {y: r[(r["indikator"] == "udsaettelser") & (r["niveau"] == "afdeling")]
          for y, r in rows.items()}  # fmt: skip
    now = set(ev[YEAR].loc[ev[YEAR]["afdelinger_med_data"] == 1, "enhed"])
    before = ev[2024][ev[2024]["enhed"].isin(now)]
    expected = int(before["taeller"].sum())
    tal = pd.read_csv(batch["root"] / "reports" / str(YEAR) / "tal.csv", dtype=str)
    whole = tal[(tal["indikator"] == "udsaettelser") & (tal["niveau"] == "samlet")].iloc[0]
    if whole["baseline"] in ("<5", "skjult"):
        pytest.skip("the helhedsplan's baseline is hidden this year")
    html = (batch["root"] / "reports" / str(YEAR) / "helhedsplan.html").read_text("utf-8")
    assert f"{expected} (2024)" in html and "fra data for 2024" in html
    assert f"{len(now)} af 16 afdelinger" in html


def test_every_report_ends_with_the_method_and_a_compact_list_of_inputs(batch):
    for page in reports(batch):
        html = page.read_text("utf-8")
        assert "Bilag: sådan læses rapporten" in html and 'class="method"' in html, page.name
        assert html.index('class="method"') < html.index('<footer class="report-footer">')
        assert "docs/metode.md" not in html and "årets data" not in html, page.name
        footer = html[html.index('<footer class="report-footer">') :]
        assert footer.count('<p class="files">') == 1 and "<li>" not in footer, page.name


def test_no_small_count_of_a_sensitive_indicator_is_published(batch):
    folder = batch["root"] / "reports" / str(YEAR)
    exact = pd.read_csv(batch["root"] / "data" / "processed" / str(YEAR) / "indikatorer.csv")
    published = pd.read_csv(folder / "tal.csv", dtype=str, keep_default_na=False)
    sensitive = published["indikator"].isin(["udsaettelser", "foranstaltning"])
    assert not published.loc[sensitive, "taeller"].isin(["1.0", "2.0", "3.0", "4.0"]).any()
    small = exact[exact["indikator"].isin(["udsaettelser", "foranstaltning"])
                  & exact["taeller"].between(1, 4)]  # fmt: skip
    assert len(small) >= 3  # the fixture does have small cells
    merged = small.merge(published, on=["niveau", "enhed", "indikator"], suffixes=("", "_pub"))
    # A small total may be "skjult" instead (its small parts keep their range); never shown.
    assert merged["taeller_pub"].isin(["<5", "skjult"]).all()
    assert (merged["vaerdi_pub"] == merged["taeller_pub"]).all()
    assert (merged.loc[merged["niveau"] == "afdeling", "taeller_pub"] == "<5").all()
    for _, row in small[small["niveau"] == "afdeling"].iterrows():
        page = (folder / f"{slug(row['enhed'])}.html").read_text("utf-8")
        delmaal = 2 if row["indikator"] == "udsaettelser" else 4
        cell = re.search(rf"<th[^>]*>{delmaal}\. .*?</th><td[^>]*>(.*?)</td>", page, re.S)
        assert cell.group(1).startswith("under 5"), (row["enhed"], cell.group(1)[:80])
        assert "Diskretion: små tal (1–4)" in page


def test_published_files_name_no_path_user_or_environment_of_the_machine(batch):
    root = str(batch["root"])
    secrets = {root, str(REPO), str(Path.home()), "pytest-of-"}
    for path in (batch["root"] / "reports").rglob("*"):
        if path.is_file():
            text = path.read_text("utf-8", errors="replace")
            for secret in secrets:
                assert secret not in text, (path.name, secret)


def test_render_all_makes_the_chosen_units_of_a_year(batch, tmp_path):
    from evalkit.domain import ReportUnit
    from evalkit.execution.executors import render_all
    from evalkit.paths import Paths

    # The order and files of a batch, not what the pages say: tiny notebooks.
    notebooks = tiny_notebooks(tmp_path / "notebooks", "print(enhed)")
    paths = Paths(data=batch["root"] / "data", reports=tmp_path / "reports", notebooks=notebooks)
    chosen = [ReportUnit("afdeling", "Karup"), ReportUnit("afdeling", "Lindon")]
    heard = []
    outcomes = render_all(paths, YEAR, chosen, 2, heard.append)
    assert [o.unit for o in outcomes] == chosen  # in the order asked, whatever came first
    assert all(o.ok for o in outcomes)
    assert sorted(heard, key=lambda o: chosen.index(o.unit)) == outcomes  # each heard once
    assert {p.name for p in (tmp_path / "reports" / str(YEAR)).iterdir()} == {
        "karup.html",
        "karup.ipynb",
        "lindon.html",
        "lindon.ipynb",
    }


HOSTILE = '<img src=x onerror="alert(1)">'


@pytest.mark.parametrize(
    ("text", "css"),
    [
        ("Lindon – evaluering 2025", "Lindon – evaluering 2025"),
        ('a"b', "a\\22 b"),
        ("a'b", "a\\27 b"),
        ("a\\b", "a\\5c b"),
        ("a\nb", "a\\a b"),
        ("</style><script>", "\\3c \\2f style\\3e \\3c script\\3e "),
        ("'); } body { color: red }", "\\27 )\\3b  \\7d  body \\7b  color: red \\7d "),
        ("Kølvrå afd. 8", "Kølvrå afd. 8"),
        ("\x00", "\\fffd "),
    ],
)
def test_css_string_keeps_a_value_inside_its_string(text, css):
    assert css_string(text) == css


def test_the_index_escapes_every_name_and_error(tmp_path, agreement):
    paths = Paths(data=tmp_path / "data", reports=tmp_path / "reports")
    listing = [
        {"niveau": "afdeling", "enhed": HOSTILE, "ok": True, "html": "x.html",
         "notebook": "x.ipynb", "error": None},
        {"niveau": "afdeling", "enhed": "Karup", "ok": False, "html": None,
         "notebook": "karup.ipynb", "error": f"AssertionError: {HOSTILE}"},
    ]  # fmt: skip
    (paths.reports / "2025").mkdir(parents=True)
    (paths.reports / "2025" / "enheder.json").write_text(json.dumps(listing), encoding="utf-8")

    page = write_index(paths, agreement).read_text(encoding="utf-8")

    assert "<img" not in page
    assert page.count("&lt;img src=x onerror=&#34;alert(1)&#34;&gt;") == 2
