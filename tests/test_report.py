"""Spec: report sections (evalkit.report) on small hand-made processed data."""

import pandas as pd
import pytest

from evalkit.build import Processed
from evalkit.indicators import indicator_table
from evalkit.privacy import publish
from evalkit.report import Report


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
        "kommunale_maal": {"3": {"resultat": "82 % høj trivsel", "kilde": "Trivselsmåling"}},
        "filer": [],
    }
    exact = indicator_table(2026, tables, agreement).fillna({"love": "", "baseline_kilde": ""})
    data = Processed(
        publish(exact, agreement).table,
        pd.DataFrame(columns=["aar", "niveau", "enhed"]),
        {2026: meta},
    )
    return lambda niveau, enhed: Report(2026, niveau, enhed, agreement, data)


def test_municipal_goals_show_a_result_where_an_input_gives_one(report):
    html = report("samlet", "Helhedsplanen").municipal_goals()
    assert "82 % høj trivsel" in html and "Trivselsmåling" in html
    assert html.count("(ingen data)") == 2  # goals 1 and 2


def test_the_laws_behind_a_measures_figure_are_named(report):
    html = report("afdeling", "Ringparken").status_table()
    assert "Tæller foranstaltninger efter serviceloven og barnets lov" in html
    assert "aftalens indikator nævner kun serviceloven" in html


def test_notes_are_shown_as_text_never_as_html(report):
    html = report("afdeling", "Ringparken").notes()
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<li>punkt</li>" in html


def test_no_data_is_said_in_words(report):
    html = report("afdeling", "Karup").status_table()
    assert "– ingen data" in html and "ingen baseline" in html
