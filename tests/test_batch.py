"""End to end: the shipped data through `evalkit run` to HTML reports (one batch, 2025)."""

import hashlib
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

from evalkit.batch import units
from evalkit.cli import main

REPO = Path(__file__).parents[1]
YEAR = 2025


def tree_hash(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    root = tmp_path_factory.mktemp("batch")
    shutil.copytree(REPO / "data" / "raw", root / "data" / "raw")
    before = tree_hash(root / "data" / "raw")
    code = main(
        [
            "run",
            "--year", str(YEAR),
            "--data-dir", str(root / "data"),
            "--reports-dir", str(root / "reports"),
            "--notebooks-dir", str(REPO / "notebooks"),
        ]
    )  # fmt: skip
    return {"root": root, "code": code, "raw_before": before}


def test_the_batch_succeeds(batch):
    assert batch["code"] == 0


def test_raw_data_is_not_written(batch):
    assert tree_hash(batch["root"] / "data" / "raw") == batch["raw_before"]


def test_every_unit_has_a_report_and_its_executed_notebook(batch, agreement):
    folder = batch["root"] / "reports" / str(YEAR)
    expected = units(agreement)
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


def test_reports_are_danish_with_the_unit_and_year_in_the_title(batch, agreement):
    for unit in units(agreement):
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
    assert all('src="data:image/png;base64,' in img for img in images)
    alts = [re.search(r"""alt=(?:"([^"]+)"|'([^']+)')""", img).group(1, 2) for img in images]
    alts = [double or single for double, single in alts]
    assert any("Baseline 2023: 21,5 %" in alt for alt in alts)


def test_the_index_links_every_report(batch, agreement):
    index = (batch["root"] / "reports" / "index.html").read_text("utf-8")
    for unit in units(agreement):
        assert f'href="{YEAR}/{unit.slug}.html"' in index


def test_processed_indicators_have_one_row_per_level_unit_and_indicator(batch):
    table = pd.read_csv(batch["root"] / "data" / "processed" / str(YEAR) / "indikatorer.csv")
    required = ["aar", "niveau", "enhed", "indikator", "taeller", "naevner", "vaerdi",
                "baseline_aar", "baseline", "status"]  # fmt: skip
    assert set(required) <= set(table.columns)
    assert len(table) == 19 * 4
    assert not table.duplicated(["niveau", "enhed", "indikator"]).any()
    ringparken = table.set_index(["enhed", "indikator"]).loc[("Ringparken", "fraflytning")]
    assert ringparken["baseline"] == 21.5
    assert ringparken["vaerdi"] == pytest.approx(100 * 52 / 312)


def test_a_missing_value_is_empty_in_the_csv_never_zero(batch):
    text = (batch["root"] / "data" / "processed" / str(YEAR) / "indikatorer.csv").read_text()
    karup = next(line for line in text.splitlines() if "Karup" in line and "tilfredshed" in line)
    assert ",,," in karup  # taeller, naevner, vaerdi are empty: Karup has no survey in 2025


def test_render_all_makes_the_chosen_units_of_a_year(batch, tmp_path):
    from evalkit.batch import Unit, render_all
    from evalkit.config import Paths

    paths = Paths(data=batch["root"] / "data", reports=tmp_path, notebooks=REPO / "notebooks")
    chosen = [Unit("afdeling", "Karup"), Unit("afdeling", "Lindon")]
    heard = []
    outcomes = render_all(paths, YEAR, chosen, 2, heard.append)
    assert [o.unit for o in outcomes] == chosen  # in the order asked, whatever came first
    assert all(o.ok for o in outcomes)
    assert sorted(heard, key=lambda o: chosen.index(o.unit)) == outcomes  # each heard once
    assert {p.name for p in (tmp_path / str(YEAR)).iterdir()} == {
        "karup.html",
        "karup.ipynb",
        "lindon.html",
        "lindon.ipynb",
    }
