"""Spec: the agreement as data (data/raw/delaftaler/sammenhaengskraft-og-medborgerskab.yaml and
the shared files) is a faithful
transcription of the delaftale "Sammenhængskraft og medborgerskab".

The transcription tests read the project's own agreement files in data/raw/, not the fixture's
copy: the real files are what must be checked (never a year folder). The tests of files that
cannot be used break a copy of the fixture's.

The expected figures below were transcribed by hand from the agreement itself (the delaftale
"Sammenhængskraft og medborgerskab", 01.08.2025–31.07.2029), not copied from the CSV files,
so a typo in the data fails a test. Each figure is its own test case.
"""

from datetime import date
from pathlib import Path

import pytest

from evalkit.errors import InputError
from evalkit.inputs.agreement import UNKNOWN, Agreement, Delaftale, load_agreement
from tests.conftest import RAW, REPO, VIBORG, VIBORG_FILE, copy_agreement

REAL = REPO / "data" / "raw"  # the real agreement files; the year folders are not read

BOLIGVIBORG = "BoligViborg"
SCT_JOERGEN = "Boligselskabet Sct. Jørgen"

# --- the agreement, transcribed independently ----------------------------------------------

# Baseline "Andelen af årlige fraflytninger", 2023, in the agreement's order:
# (afdeling, boligselskab, percent)
FRAFLYTNING_2023 = [
    ("Ringparken", BOLIGVIBORG, 21.5),
    ("Kølvrå afd. 8", BOLIGVIBORG, 9.3),
    ("Vestervang", BOLIGVIBORG, 16.3),
    ("Houlkærvænget", BOLIGVIBORG, 12.7),
    ("Solgården", BOLIGVIBORG, 20.5),
    ("Kildegården", BOLIGVIBORG, 13.2),
    ("Rønneallé", BOLIGVIBORG, 6.7),
    ("Engholmvej", BOLIGVIBORG, 27.3),
    ("Vestergade", BOLIGVIBORG, 8.3),
    ("Elmely", BOLIGVIBORG, 35.0),
    ("Lindon", BOLIGVIBORG, 60.0),
    ("Ellekonebakken", SCT_JOERGEN, 17.1),
    ("Klostervænget", SCT_JOERGEN, 17.9),
    ("Kærsangerparken", SCT_JOERGEN, 11.5),
    ("Stoholm", SCT_JOERGEN, 22.8),
    ("Karup", SCT_JOERGEN, 8.0),
]
AFDELINGER = [(name, selskab) for name, selskab, _ in FRAFLYTNING_2023]

# Baseline "meget tilfreds" + "tilfreds", 2023: (afdeling, percent)
TILFREDSHED_2023 = [
    ("Ellekonebakken", 81.0),
    ("Houlkærvænget", 91.0),
]

# Comparison values: (indikator, gruppe, year, value)
SAMMENLIGNING = [
    ("fraflytning", "familiebolig", 2023, 10.3),
    ("fraflytning", "ungdomsbolig", 2023, 37.8),
    ("tilfredshed", "198 udvalgte områder", 2023, 80.0),
    ("tilfredshed", "almen sektor", 2023, 84.0),
]

# Hours per week: (name or short name in the yaml, hours)
TIMER_PR_UGE = [
    ("Hverdagsrådgivning", 17.0),
    ("Civilsamfund som samarbejdspartner", 7.0),
    ("Bo Godt", 25.0),
]

PERIODE_FRA = date(2025, 8, 1)
PERIODE_TIL = date(2029, 7, 31)

# The four delmål in order: (nr, indicator id, desired direction, baseline year, unit).
# Delmål 1, 3 and 4 measure "Andelen"/"Andel" (a percentage), delmål 2 "Antallet" (a count).
# The direction is the delmål's own verb ("reducere", "øge"); delmål 4, "styrke muligheden
# for mestring af eget liv", does not say whether more or fewer residents with a measure is
# better, so it has none.
DELMAAL = [
    (1, "fraflytning", "ned", 2023, "procent"),
    (2, "udsaettelser", "ned", 2024, "antal"),
    (3, "tilfredshed", "op", 2023, "procent"),
    (4, "foranstaltning", "ingen", None, "procent"),
]
# The agreement's words for each direction given (delmålets ordlyd).
RETNING_KILDE = {
    "fraflytning": "At reducere antallet af fraflytninger",
    "udsaettelser": "At reducere antallet af effektive udsættelser",
    "tilfredshed": "At øge tilfredsheden i boligområdet",
}
INDICATOR_IDS = [d[1] for d in DELMAAL]

# Facts known beside the agreement (afdelingsnummer, one dwelling type); everything else
# is "ukendt".
AFDELINGSNUMMER = {
    "Ringparken": "6",
    "Kølvrå afd. 8": "8",
    "Houlkærvænget": "12",
    "Solgården": "23",
    "Kildegården": "70",
    "Rønneallé": "71",
    "Engholmvej": "72",
    "Vestergade": "73",
    "Elmely": "74",
    "Lindon": "75",
}
BOLIGTYPE = {"Houlkærvænget": "familiebolig"}

AFDELINGER_COLUMNS = ["afdeling", "boligselskab", "afdelingsnummer", "boligtype", "kilde"]
UNIT_COLUMNS = {"lejemaal", "lejemål", "boliger", "units"}

# --- helpers -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def agreement() -> Agreement:
    """The project's agreement files, in place of the fixture's copy that other tests read."""
    return load_agreement(REAL)


@pytest.fixture(scope="module")
def viborg(agreement) -> Delaftale:
    """The project's real delaftale."""
    return agreement.delaftale(VIBORG)


def one(frame, **where):
    """The single row of `frame` whose columns equal `where`; fail if there is not exactly one."""
    mask = True
    for column, value in where.items():
        mask = mask & (frame[column] == value)
    rows = frame[mask]
    assert len(rows) == 1, f"expected one row with {where}, found {len(rows)}"
    return rows.iloc[0]


def danish(value: float) -> str:
    """A percentage as the agreement writes it: 21.5 -> '21,5', 35.0 -> '35'."""
    return f"{value:g}".replace(".", ",")


# --- 1. every figure against the literal table ---------------------------------------------


@pytest.mark.parametrize(
    ("afdeling", "boligselskab", "percent"),
    FRAFLYTNING_2023,
    ids=[a for a, *_ in FRAFLYTNING_2023],
)
def test_fraflytning_baseline_2023(agreement, afdeling, boligselskab, percent):
    row = one(agreement.baseline, afdeling=afdeling, indikator="fraflytning")
    assert row["aar"] == 2023
    assert row["vaerdi"] == percent, f"{afdeling}: {row['vaerdi']} != {percent} (delaftalen)"
    assert agreement.boligselskab_of(afdeling) == boligselskab


@pytest.mark.parametrize(
    ("afdeling", "percent"),
    TILFREDSHED_2023,
    ids=[a for a, *_ in TILFREDSHED_2023],
)
def test_tilfredshed_baseline_2023(agreement, afdeling, percent):
    row = one(agreement.baseline, afdeling=afdeling, indikator="tilfredshed")
    assert row["aar"] == 2023
    assert row["vaerdi"] == percent, f"{afdeling}: {row['vaerdi']} != {percent} (delaftalen)"


def test_baseline_has_no_other_rows(agreement):
    """Only the 16 + 2 baselines the agreement gives; none for udsættelser/foranstaltning."""
    expected = {(a, "fraflytning") for a, *_ in FRAFLYTNING_2023} | {
        (a, "tilfredshed") for a, *_ in TILFREDSHED_2023
    }
    actual = list(zip(agreement.baseline["afdeling"], agreement.baseline["indikator"], strict=True))
    assert len(actual) == len(expected), "duplicate or extra baseline rows"
    assert set(actual) == expected


@pytest.mark.parametrize(
    ("indikator", "gruppe", "aar", "value"),
    SAMMENLIGNING,
    ids=[f"{s[0]}-{s[1]}" for s in SAMMENLIGNING],
)
def test_sammenligning(agreement, indikator, gruppe, aar, value):
    row = one(agreement.sammenligning, indikator=indikator, gruppe=gruppe)
    assert row["aar"] == aar
    assert row["vaerdi"] == value, f"{indikator}/{gruppe}: {row['vaerdi']} != {value}"


def test_sammenligning_has_no_other_rows(agreement):
    assert len(agreement.sammenligning) == len(SAMMENLIGNING)


@pytest.mark.parametrize(("name", "hours"), TIMER_PR_UGE, ids=[t[0] for t in TIMER_PR_UGE])
def test_activity_hours_per_week(viborg, name, hours):
    matches = [a for a in viborg.activities if name in (a.navn, a.kort_navn)]
    assert len(matches) == 1, f"expected one activity called {name!r}, found {len(matches)}"
    assert matches[0].timer_pr_uge == hours


def test_three_activities_in_order(viborg):
    assert [a.kort_navn for a in viborg.activities] == [
        "Hverdagsrådgivning",
        "Civilsamfund",
        "Bo Godt",
    ]
    assert viborg.activities[1].navn == "Civilsamfund som samarbejdspartner"
    assert viborg.activities[2].navn.startswith("Bo Godt")


def test_periode_fra(viborg):
    assert viborg.periode_fra == PERIODE_FRA


def test_periode_til(viborg):
    assert viborg.periode_til == PERIODE_TIL


def test_delmaal_in_order(viborg):
    assert [i.id for i in viborg.indicators] == INDICATOR_IDS


@pytest.mark.parametrize(
    ("nr", "indicator_id", "retning", "aar", "enhed"), DELMAAL, ids=INDICATOR_IDS
)
def test_delmaal_number(agreement, nr, indicator_id, retning, aar, enhed):
    assert agreement.indicator(indicator_id).delmaal_nr == nr


@pytest.mark.parametrize(
    ("nr", "indicator_id", "retning", "aar", "enhed"), DELMAAL, ids=INDICATOR_IDS
)
def test_desired_direction(agreement, nr, indicator_id, retning, aar, enhed):
    assert agreement.indicator(indicator_id).retning == retning


@pytest.mark.parametrize("indicator_id", INDICATOR_IDS)
def test_a_direction_cites_the_agreements_words(agreement, indicator_id):
    indicator = agreement.indicator(indicator_id)
    if indicator_id in RETNING_KILDE:
        assert RETNING_KILDE[indicator_id] in indicator.retning_kilde
    else:
        assert indicator.retning == "ingen"


@pytest.mark.parametrize(
    ("indicator_id", "noun"),
    [("fraflytning", "husstande"), ("udsaettelser", "husstande"),
     ("tilfredshed", "besvarelser"), ("foranstaltning", "borgere")],
)  # fmt: skip
def test_each_indicator_says_what_its_numerator_counts(agreement, indicator_id, noun):
    assert agreement.indicator(indicator_id).taeller_enhed == noun


def test_the_satisfaction_survey_has_the_agreements_name(agreement):
    # The agreement: "trygheds- og trivselsmåling".
    assert "trygheds- og trivselsmåling" in agreement.indicator("tilfredshed").datakilde


@pytest.mark.parametrize(
    ("nr", "indicator_id", "retning", "aar", "enhed"), DELMAAL, ids=INDICATOR_IDS
)
def test_baseline_year(agreement, nr, indicator_id, retning, aar, enhed):
    assert agreement.indicator(indicator_id).baseline_aar == aar


@pytest.mark.parametrize(
    ("nr", "indicator_id", "retning", "aar", "enhed"), DELMAAL, ids=INDICATOR_IDS
)
def test_unit(agreement, nr, indicator_id, retning, aar, enhed):
    assert agreement.indicator(indicator_id).enhed == enhed


# --- 2. spelling and order of the afdelinger -----------------------------------------------


def test_afdelinger_in_agreement_order(agreement):
    frame = agreement.afdelinger
    actual = list(zip(frame["afdeling"], frame["boligselskab"], strict=True))
    assert actual == AFDELINGER


@pytest.mark.parametrize(("afdeling", "boligselskab"), AFDELINGER, ids=[a for a, _ in AFDELINGER])
def test_afdeling_spelling(agreement, afdeling, boligselskab):
    assert afdeling in agreement.afdeling_names, f"{afdeling!r} missing or misspelt"
    assert agreement.boligselskab_of(afdeling) == boligselskab


def test_boligselskaber(agreement):
    assert agreement.boligselskaber == [BOLIGVIBORG, SCT_JOERGEN]
    counts = agreement.afdelinger["boligselskab"].value_counts().to_dict()
    assert counts == {BOLIGVIBORG: 11, SCT_JOERGEN: 5}


def test_baseline_afdelinger_are_known(agreement):
    assert set(agreement.baseline["afdeling"]) <= set(agreement.afdeling_names)


# --- 3. no invented facts ------------------------------------------------------------------


def test_afdelinger_columns(agreement):
    """No unit count (or any other column) that the agreement does not give."""
    assert list(agreement.afdelinger.columns) == AFDELINGER_COLUMNS


@pytest.mark.parametrize("afdeling", [a for a, _ in AFDELINGER])
def test_afdelingsnummer_only_where_known(agreement, afdeling):
    row = one(agreement.afdelinger, afdeling=afdeling)
    assert row["afdelingsnummer"] == AFDELINGSNUMMER.get(afdeling, UNKNOWN)


@pytest.mark.parametrize("afdeling", [a for a, _ in AFDELINGER])
def test_boligtype_only_where_known(agreement, afdeling):
    row = one(agreement.afdelinger, afdeling=afdeling)
    assert row["boligtype"] == BOLIGTYPE.get(afdeling, UNKNOWN)


def test_unknown_is_spelt_ukendt():
    assert UNKNOWN == "ukendt"


# --- 6. the yearly example data does not leak into the agreement ---------------------------


def test_no_unit_count_column_in_afdelinger(agreement):
    columns = {str(c).strip().lower() for c in agreement.afdelinger.columns}
    assert not columns & UNIT_COLUMNS, (
        f"unit-count column in afdelinger.csv: {columns & UNIT_COLUMNS}"
    )


# --- agreement files that cannot be used ------------------------------------------------------


@pytest.fixture
def raw(tmp_path) -> Path:
    return copy_agreement(RAW, tmp_path)


def refused(raw: Path) -> list[str]:
    with pytest.raises(InputError) as caught:
        load_agreement(raw)
    return [str(p) for p in caught.value.problems]


@pytest.mark.parametrize(
    ("first", "second", "shared"),
    [
        ("Ny/Vest", "Ny+Vest", "ny-vest.html"),
        ("BoligViborg", None, "boligviborg.html"),  # an afdeling named like its boligselskab
        ("Helhedsplan", None, "helhedsplan.html"),  # like the whole plan's report
    ],
)
def test_names_that_give_one_file_name_are_refused(raw, first, second, shared):
    path = raw / "afdelinger.csv"
    text = path.read_text(encoding="utf-8").replace("Vestervang,", f"{first},")
    if second:
        text = text.replace("Lindon,", f"{second},")
    path.write_text(text, encoding="utf-8")

    [message] = refused(raw)

    assert f"({shared})" in message and "samme filnavn" in message and first in message


@pytest.mark.parametrize(("name", "reason"), [("..", "intet bogstav eller tal"),
                                              ("–", "intet bogstav eller tal"),
                                              ("A" * 101, "længere end 100 tegn")])  # fmt: skip
def test_names_that_give_no_file_name_are_refused(raw, name, reason):
    path = raw / "afdelinger.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("Lindon,", f"{name},"), "utf-8")

    [message] = refused(raw)

    assert "afdelinger.csv, række 12" in message and reason in message


@pytest.mark.parametrize("name", [VIBORG_FILE, "helhedsplan.yaml", "afdelinger.csv",
                                  "sammenligning.csv"])  # fmt: skip
def test_a_cpr_number_in_an_agreement_file_is_refused_and_not_shown(raw, name):
    path = raw / name
    path.write_text(path.read_text(encoding="utf-8") + "# 311299 4321\n", encoding="utf-8")

    [message] = refused(raw)

    assert "CPR-nummer" in message and "311299" not in message and name in message


def test_aliases_in_a_delaftale_are_refused(raw):
    path = raw / VIBORG_FILE
    path.write_text("navn: &n x\nhelhedsplan: *n\n" + path.read_text(encoding="utf-8"), "utf-8")

    [message] = refused(raw)

    assert "række 1" in message and "ankre og henvisninger" in message


# --- 7. a wrong agreement file is told in Danish, naming the file and the key ----------------


@pytest.mark.parametrize(
    ("change", "phrases"),
    [
        # a direction without the agreement's words for it
        (
            ('retning_kilde: "Delmålets ordlyd: At øge tilfredsheden i boligområdet"', ""),
            ("delmaal[3].indikator.retning_kilde", "mangler", "retning: ingen"),
        ),
        (
            ("retning: ingen", "retning: sideværts"),
            ("delmaal[4].indikator.retning", "sideværts", "ned, op eller ingen"),
        ),
        (
            ("taeller_enhed: borgere", ""),
            ("delmaal[4].indikator.taeller_enhed", "mangler", "under 5 husstande"),
        ),
    ],
    ids=["retning-without-source", "unknown-retning", "no-taeller-enhed"],
)
def test_a_wrong_indicator_in_a_delaftale_is_named(raw, change, phrases):
    yaml_file = raw / VIBORG_FILE
    text = yaml_file.read_text(encoding="utf-8")
    assert change[0] in text
    yaml_file.write_text(text.replace(change[0], change[1]), encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_agreement(raw)
    message = str(caught.value)
    assert str(yaml_file) in message
    for phrase in phrases:
        assert phrase in message, (phrase, message)
