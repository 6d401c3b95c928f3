"""Spec: plausibility warnings across years (evalkit.inputs.checks)."""

from dataclasses import replace

import pandas as pd
import pytest

from evalkit.inputs.agreement import load_agreement
from evalkit.inputs.checks import implausible_changes, small_counts_in_notes
from tests.conftest import RAW

SETTINGS = {"spring_procentpoint": 15, "lejemaal_aendring_procent": 10}
# The fixture's agreement files declare the share fraflytninger / lejemaal and where the
# lejemål are delivered; the thresholds are this test's.
_SHIPPED = load_agreement(RAW)
# The words a sensitive topic begins with (helhedsplan.yaml: evalkit.foelsomme_ord).
WORDS = ["udsæt", "udsat", "foranstaltning", "anbring", "anbragt", "underretning"]
AGREEMENT = replace(_SHIPPED, settings=_SHIPPED.settings | SETTINGS)
FILES = {"fraflytninger": "2025/fraflytninger.csv", "tilfredshed": "2025/tilfredshed.csv"}


def fraflytninger(rows: dict[str, tuple[int, int]]) -> pd.DataFrame:
    """afdeling -> (fraflytninger, lejemaal)."""
    return pd.DataFrame(
        {
            "afdeling": list(rows),
            "fraflytninger": pd.array([f for f, _ in rows.values()], dtype="Int64"),
            "lejemaal": pd.array([n for _, n in rows.values()], dtype="Int64"),
        }
    )


def warnings(now: dict, before: dict) -> list[str]:
    found = implausible_changes(
        2025,
        {"fraflytninger": fraflytninger(now)},
        {"fraflytninger": fraflytninger(before)},
        AGREEMENT,
        FILES,
    )
    assert all(p.warning and p.file == FILES["fraflytninger"] for p in found)
    return [p.message for p in found]


def test_a_jump_of_more_than_the_threshold_is_flagged():
    # Lindon: 2/10 = 20 % -> 6/10 = 60 %: 40 points
    (message,) = warnings({"Lindon": (6, 10)}, {"Lindon": (2, 10)})
    assert "Lindon" in message and "20,0 %" in message and "60,0 %" in message


def test_a_jump_at_the_threshold_is_not_flagged():
    # 10/100 -> 25/100: exactly 15 points
    assert warnings({"Karup": (25, 100)}, {"Karup": (10, 100)}) == []


def test_units_changing_by_more_than_ten_percent_are_flagged():
    # 100 -> 111 units: +11 %; the rate stays 10 % -> 10.8 %
    (message,) = warnings({"Karup": (12, 111)}, {"Karup": (10, 100)})
    assert "lejemål" in message and "100" in message and "111" in message


def test_units_changing_by_ten_percent_are_not_flagged():
    assert warnings({"Karup": (11, 110)}, {"Karup": (10, 100)}) == []


def test_afdelinger_in_one_year_only_are_not_compared():
    assert warnings({"Karup": (50, 100)}, {"Stoholm": (1, 100)}) == []


@pytest.mark.parametrize(
    ("note", "warned"),
    [
        ("Der var 2 udsættelser i opgang 3.", True),
        ("Tre familier fik en foranstaltning.", True),
        ("tre nye foranstaltninger", True),
        ("Udsættelser: 1", True),
        ("4 børn er anbragt uden for hjemmet.", True),
        ("Der kom 3 underretninger.", True),
        ("12 udsættelser i alt", False),  # not small: shown anyway
        ("1.000 kr. til udsatte familier", False),
        ("Bo Godt har i 2025 haft fokus på naboklager i opgang 3.", False),
        ("Ingen udsættelser i år; 2 nye frivillige.", False),
    ],
)
def test_a_note_naming_a_small_count_of_evictions_or_measures_is_warned_of(note, warned):
    found = small_counts_in_notes(
        {"Lindon": f"Indledning.\n{note}"}, {"Lindon": "noter/Lindon.md"}, WORDS
    )
    assert bool(found) is warned
    assert all(p.warning and p.row == 2 and p.file == "noter/Lindon.md" for p in found)
