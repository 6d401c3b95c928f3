"""Spec: reading one year's input tables, data/raw/<year>/ (evalkit.inputs.tables).

Each test writes small hand-made files into tmp_path/2025/ and reads them with `read_year`
(or `read_table` for one file). Problems carry the file, the row as Excel shows it (the header
is row 1) and the column header as it is written in the file; messages are Danish.
"""

from pathlib import Path

import pandas as pd
import pytest

from evalkit.errors import InputError, Problem
from evalkit.inputs.tables import YearInputs, read_table, read_year, specs
from evalkit.inputs.year_folder import in_report
from tests.conftest import RAW, YEAR, xlsx

# --- helpers -------------------------------------------------------------------------------


def csv_text(rows: list[list]) -> str:
    """Comma-separated UTF-8 text of rows; None is an empty cell."""
    return "".join(",".join("" if v is None else str(v) for v in row) + "\n" for row in rows)


def write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    """Write tmp_path/2025/<name>; text is written as UTF-8."""
    path = tmp_path / str(YEAR) / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return path


def read(tmp_path: Path, agreement) -> YearInputs:
    return read_year(tmp_path, YEAR, agreement)


def problems_of(tmp_path: Path, agreement) -> list[Problem]:
    """The problems of a year that must not be read."""
    with pytest.raises(InputError) as caught:
        read(tmp_path, agreement)
    assert caught.value.problems, "InputError without problems"
    return caught.value.problems


def the_error(tmp_path: Path, agreement) -> Problem:
    """The one error (not warning) of a year that must not be read."""
    errors = [p for p in problems_of(tmp_path, agreement) if not p.warning]
    assert len(errors) == 1, errors
    return errors[0]


def records(frame: pd.DataFrame) -> list[dict]:
    """Rows as dicts with NA as None, for comparing with hand-made expectations."""
    return [
        {k: (None if pd.isna(v) else v) for k, v in row.items()} for row in frame.to_dict("records")
    ]


# --- 1. every table, from .csv or .xlsx ------------------------------------------------------

TABLE_CASES = {
    "fraflytninger": (
        [
            ["afdeling", "lejemaal", "fraflytninger"],
            ["Ringparken", 312, 52],
            ["Vestervang", 246, 0],
        ],
        [
            {"afdeling": "Ringparken", "lejemaal": 312, "fraflytninger": 52},
            {"afdeling": "Vestervang", "lejemaal": 246, "fraflytninger": 0},
        ],
    ),
    "udsaettelser": (
        [["afdeling", "effektive_udsaettelser"], ["Ringparken", 0], ["Karup", 2]],
        [
            {"afdeling": "Ringparken", "effektive_udsaettelser": 0},
            {"afdeling": "Karup", "effektive_udsaettelser": 2},
        ],
    ),
    "tilfredshed": (
        [["afdeling", "besvarelser", "tilfredse"], ["Solgården", 120, 120]],
        [{"afdeling": "Solgården", "besvarelser": 120, "tilfredse": 120}],
    ),
    "foranstaltninger": (
        [["afdeling", "beboere", "med_foranstaltning"], ["Houlkærvænget", 1058, 119]],
        [{"afdeling": "Houlkærvænget", "beboere": 1058, "med_foranstaltning": 119}],
    ),
    "aktiviteter": (
        [
            ["aktivitet", "afdeling", "timer", "deltagere"],
            ["Hverdagsrådgivning", "Ringparken", 118.5, 56],
            ["Civilsamfund som samarbejdspartner", "Karup", 7, 0],
        ],
        [
            {
                "aktivitet": "Hverdagsrådgivning",
                "afdeling": "Ringparken",
                "timer": 118.5,
                "deltagere": 56,
            },
            {
                "aktivitet": "Civilsamfund som samarbejdspartner",
                "afdeling": "Karup",
                "timer": 7.0,
                "deltagere": 0,
            },
        ],
    ),
}


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
@pytest.mark.parametrize("name", list(TABLE_CASES))
def test_each_table_is_read_from_csv_or_xlsx_into_canonical_columns(
    tmp_path, agreement, name, suffix
):
    rows, expected = TABLE_CASES[name]
    content = csv_text(rows) if suffix == ".csv" else xlsx(("Ark1", rows))
    write(tmp_path, name + suffix, content)

    inputs = read(tmp_path, agreement)

    table = inputs.tables[name]
    assert list(table.columns) == list(specs(agreement)[name].columns)
    assert records(table) == expected
    for column, kind in specs(agreement)[name].columns.items():
        if kind == "count":
            assert pd.api.types.is_integer_dtype(table[column]), column
        elif kind == "number":
            assert pd.api.types.is_float_dtype(table[column]), column
    assert inputs.warnings == []


# --- 2. a missing table is "no data" -------------------------------------------------------


def test_a_missing_table_is_no_data_not_an_error(tmp_path, agreement):
    path = write(tmp_path, "fraflytninger.csv", "afdeling,lejemaal,fraflytninger\nKarup,40,3\n")

    inputs = read(tmp_path, agreement)

    assert set(inputs.tables) == {"fraflytninger"}
    assert inputs.files == [path]
    assert inputs.year == YEAR


def test_an_empty_year_folder_reads_as_no_data(tmp_path, agreement):
    (tmp_path / str(YEAR)).mkdir()

    inputs = read(tmp_path, agreement)

    assert inputs.tables == {} and inputs.notes == {} and inputs.warnings == []


# --- 3. headers match loosely ----------------------------------------------------------------


@pytest.mark.parametrize(
    "name, header, column",
    [
        ("udsaettelser", "afdeling,Effektive udsættelser", "effektive_udsaettelser"),
        ("udsaettelser", "afdeling,EFFEKTIVE_UDSAETTELSER", "effektive_udsaettelser"),
        ("udsaettelser", "AFDELING,effektive-udsættelser", "effektive_udsaettelser"),
        ("fraflytninger", "Afdeling,Lejemål,Fraflytninger", "lejemaal"),
        ("fraflytninger", "afdeling, lejemaal ,fraflytninger", "lejemaal"),
        ("foranstaltninger", "Afdeling,Beboere,Med foranstaltning", "med_foranstaltning"),
    ],
)
def test_headers_match_ignoring_case_spaces_underscores_and_danish_letters(
    tmp_path, agreement, name, header, column
):
    values = {
        "udsaettelser": "Karup,4",
        "fraflytninger": "Karup,4,1",
        "foranstaltninger": "Karup,9,4",
    }
    path = write(tmp_path, f"{name}.csv", f"{header}\n{values[name]}\n")
    problems: list[Problem] = []

    table = read_table(path, specs(agreement)[name], agreement, problems)

    assert problems == []
    assert list(table.columns) == list(specs(agreement)[name].columns)
    assert table.loc[0, column] == 4


def test_header_order_does_not_matter(tmp_path, agreement):
    write(tmp_path, "fraflytninger.csv", "fraflytninger,afdeling,lejemaal\n3,Karup,40\n")

    table = read(tmp_path, agreement).tables["fraflytninger"]

    assert records(table) == [{"afdeling": "Karup", "lejemaal": 40, "fraflytninger": 3}]


# --- 4. afdeling names match loosely ---------------------------------------------------------


@pytest.mark.parametrize(
    "written, canonical",
    [
        ("HOULKAERVAENGET", "Houlkærvænget"),
        ("kølvrå afd 8", "Kølvrå afd. 8"),
        ("KOELVRAA AFD. 8", "Kølvrå afd. 8"),
        ("  Ringparken  ", "Ringparken"),
        ("RØNNEALLÉ", "Rønneallé"),
        ("Rønnealle", "Rønneallé"),
    ],
)
def test_afdeling_names_match_loosely(tmp_path, agreement, written, canonical):
    write(tmp_path, "udsaettelser.csv", f"afdeling,effektive_udsaettelser\n{written},1\n")

    table = read(tmp_path, agreement).tables["udsaettelser"]

    assert list(table["afdeling"]) == [canonical]


# --- 5. CSV dialects ---------------------------------------------------------------------------

AKTIVITETER_EXPECTED = [
    {"aktivitet": "Hverdagsrådgivning", "afdeling": "Kølvrå afd. 8", "timer": 12.5, "deltagere": 3},
    {
        "aktivitet": "Bo Godt – koordineret samarbejde",
        "afdeling": "Rønneallé",
        "timer": 1234.5,
        "deltagere": 1234,
    },
]
COMMA_TEXT = (
    "aktivitet,afdeling,timer,deltagere\n"
    "Hverdagsrådgivning,Kølvrå afd. 8,12.5,3\n"
    "Bo Godt,Rønneallé,1234.5,1234\n"
)
SEMICOLON_TEXT = (
    "aktivitet;afdeling;timer;deltagere\r\n"
    "Hverdagsrådgivning;Kølvrå afd. 8;12,5;3\r\n"
    "Bo Godt;Rønneallé;1.234,5;1.234\r\n"
)


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(COMMA_TEXT.encode("utf-8"), id="comma-utf8"),
        pytest.param(COMMA_TEXT.encode("utf-8-sig"), id="comma-utf8-bom"),
        pytest.param(COMMA_TEXT.replace("\n", "\r\n").encode("utf-8"), id="comma-utf8-crlf"),
        pytest.param(SEMICOLON_TEXT.encode("cp1252"), id="semicolon-cp1252-danish-numbers"),
        pytest.param(SEMICOLON_TEXT.encode("utf-8"), id="semicolon-utf8-danish-numbers"),
    ],
)
def test_csv_dialects_are_recognised(tmp_path, agreement, content):
    write(tmp_path, "aktiviteter.csv", content)

    table = read(tmp_path, agreement).tables["aktiviteter"]

    assert records(table) == AKTIVITETER_EXPECTED


def test_bom_does_not_hide_the_first_header(tmp_path, agreement):
    write(
        tmp_path,
        "fraflytninger.csv",
        "afdeling,lejemaal,fraflytninger\nKarup,40,3\n".encode("utf-8-sig"),
    )

    inputs = read(tmp_path, agreement)

    assert records(inputs.tables["fraflytninger"])[0]["afdeling"] == "Karup"
    assert inputs.warnings == []


def test_danish_thousands_point_in_a_count_column(tmp_path, agreement):
    content = "Afdeling;Lejemål;Fraflytninger\r\nRingparken;1.234;52\r\n".encode("cp1252")
    write(tmp_path, "fraflytninger.csv", content)

    table = read(tmp_path, agreement).tables["fraflytninger"]

    assert records(table) == [{"afdeling": "Ringparken", "lejemaal": 1234, "fraflytninger": 52}]


# --- 6. row numbers survive blank lines ------------------------------------------------------


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_row_numbers_count_blank_lines(tmp_path, agreement, suffix):
    rows = [
        ["afdeling", "lejemaal", "fraflytninger"],
        [None, None, None],  # row 2
        ["Ringparken", 10, 2],  # row 3
        [None, None, None],  # row 4
        ["Karup", 10, 20],  # row 5: fraflytninger > lejemaal
        [None, None, None],  # row 6
        ["Ringparken", 10, 1],  # row 7: the same afdeling as row 3
    ]
    write(
        tmp_path,
        "fraflytninger" + suffix,
        csv_text(rows) if suffix == ".csv" else xlsx(("A", rows)),
    )

    problems = problems_of(tmp_path, agreement)

    assert sorted((p.row, p.column) for p in problems) == [
        (5, "fraflytninger"),
        (7, "afdeling"),
    ]
    duplicate = next(p for p in problems if p.row == 7)
    assert "række 3" in duplicate.message


# --- 7. errors (the full catalogue of bad inputs is tests/test_bad_inputs.py) -----------------


@pytest.mark.parametrize(
    "header, missing",
    [
        ("afdeling,fraflytninger", ["lejemaal"]),
        ("afdeling,lejemål", ["fraflytninger"]),
        ("Afdelinger,lejemaal,fraflytninger", ["afdeling"]),
        ("afdeling", ["lejemaal", "fraflytninger"]),
    ],
)
def test_missing_required_column_is_an_error_naming_it(tmp_path, agreement, header, missing):
    write(tmp_path, "fraflytninger.csv", f"{header}\nKarup,40,3\n")

    error = the_error(tmp_path, agreement)

    assert Path(error.file).name == "fraflytninger.csv"
    assert error.row == 1
    assert "mangler kolonnen" in error.message
    listed = error.message.split("mangler kolonnen", 1)[1].split(". Fandt:")[0]
    assert {name.strip() for name in listed.split(",")} == set(missing)


@pytest.mark.parametrize(
    "name, content, column",
    [
        pytest.param(
            "udsaettelser.csv",
            "afdeling,effektive_udsaettelser\nKarup,\n",
            "effektive_udsaettelser",
            id="udsaettelser",
        ),
        pytest.param(
            "fraflytninger.csv",
            "afdeling,lejemaal,fraflytninger\nKarup,40,\n",
            "fraflytninger",
            id="part-column",
        ),
        pytest.param(
            "fraflytninger.csv",
            "afdeling,lejemaal,fraflytninger\nRingparken,40,1\nKarup,,3\n",
            "lejemaal",
            id="whole-column-one-of-two-rows",
        ),
        pytest.param(
            "fraflytninger.csv",
            "afdeling,lejemaal,fraflytninger\nKarup,,3\n",
            "lejemaal",
            id="whole-column-every-row",
        ),
        pytest.param(
            "tilfredshed.csv",
            "afdeling,besvarelser,tilfredse\nKarup,,3\n",
            "besvarelser",
            id="besvarelser-every-row",
        ),
        pytest.param(
            "aktiviteter.xlsx",
            xlsx(
                (
                    "A",
                    [
                        ["aktivitet", "afdeling", "timer", "deltagere"],
                        ["Bo Godt", "Karup", None, 4],
                    ],
                )
            ),
            "timer",
            id="xlsx-hours",
        ),
    ],
)
def test_an_empty_number_cell_is_missing_not_zero(tmp_path, agreement, name, content, column):
    write(tmp_path, name, content)

    table = read(tmp_path, agreement).tables[name.split(".")[0]]

    karup = records(table[table["afdeling"] == "Karup"])
    assert len(karup) == 1
    assert karup[0][column] is None
    others = {k: v for k, v in karup[0].items() if k not in (column, "aktivitet", "afdeling")}
    assert None not in others.values() and 0 not in others.values()


# --- 8. every problem of a year at once ------------------------------------------------------


def test_all_problems_of_a_year_are_reported_together(tmp_path, agreement):
    write(
        tmp_path, "fraflytninger.csv", "afdeling,lejemaal,fraflytninger\nKarup,5,6\nStoholm,1,2\n"
    )
    write(tmp_path, "tilfredshed.xlsx", xlsx(("A", [["afdeling", "tilfredse"], ["Karup", 3]])))
    write(tmp_path, "noter/Ringparkn.md", "En note.")

    problems = problems_of(tmp_path, agreement)

    found = sorted((Path(p.file).name, p.row) for p in problems)
    assert found == [
        ("Ringparkn.md", None),
        ("fraflytninger.csv", 2),
        ("fraflytninger.csv", 3),
        ("tilfredshed.xlsx", 1),
    ]


def test_the_input_error_text_lists_every_problem_with_its_place(tmp_path, agreement):
    write(tmp_path, "fraflytninger.csv", "afdeling,lejemaal,fraflytninger\nKarup,5,6\n")
    write(tmp_path, "udsaettelser.csv", "")

    with pytest.raises(InputError) as caught:
        read(tmp_path, agreement)

    text = str(caught.value)
    assert 'række 2, kolonne "fraflytninger"' in text
    assert "fraflytninger.csv" in text and "udsaettelser.csv" in text
    assert text.count("Fejl:") == 2


# --- 9. extra columns are a warning ------------------------------------------------------------


def test_extra_columns_are_a_warning_and_the_table_is_read(tmp_path, agreement):
    write(
        tmp_path,
        "fraflytninger.csv",
        "afdeling,Kommentar,lejemaal,fraflytninger\nKarup,ny opgørelse,40,3\n",
    )

    inputs = read(tmp_path, agreement)

    assert records(inputs.tables["fraflytninger"]) == [
        {"afdeling": "Karup", "lejemaal": 40, "fraflytninger": 3}
    ]
    [warning] = inputs.warnings
    assert warning.warning is True
    assert Path(warning.file).name == "fraflytninger.csv"
    assert warning.row == 1
    assert "Kommentar" in warning.message


def test_warnings_do_not_stop_the_errors_from_being_reported(tmp_path, agreement):
    write(tmp_path, "fraflytninger.csv", "afdeling,x,lejemaal,fraflytninger\nKarup,1,5,6\n")

    problems = problems_of(tmp_path, agreement)

    assert sorted(p.warning for p in problems) == [False, True]


# --- 10. a workbook with several sheets ------------------------------------------------------


def test_only_the_first_sheet_is_read_and_a_warning_names_it(tmp_path, agreement):
    first = [["afdeling", "effektive_udsaettelser"], ["Karup", 1]]
    second = [["afdeling", "effektive_udsaettelser"], ["Karup", 99], ["Stoholm", 5]]
    write(tmp_path, "udsaettelser.xlsx", xlsx(("Udsættelser 2025", first), ("Gammelt", second)))

    inputs = read(tmp_path, agreement)

    assert records(inputs.tables["udsaettelser"]) == [
        {"afdeling": "Karup", "effektive_udsaettelser": 1}
    ]
    [warning] = inputs.warnings
    assert warning.warning is True
    assert Path(warning.file).name == "udsaettelser.xlsx"
    assert '"Udsættelser 2025"' in warning.message
    assert "Gammelt" not in warning.message


# --- 11. aktiviteter -----------------------------------------------------------------------------


def test_aktiviteter_may_leave_afdeling_empty_for_hours_shared_by_all(tmp_path, agreement):
    write(
        tmp_path,
        "aktiviteter.csv",
        "aktivitet,afdeling,timer,deltagere\nBo Godt,,25,\nBo Godt,Karup,3,4\n",
    )

    table = read(tmp_path, agreement).tables["aktiviteter"]

    assert records(table) == [
        {
            "aktivitet": "Bo Godt – koordineret samarbejde",
            "afdeling": None,
            "timer": 25.0,
            "deltagere": None,
        },
        {
            "aktivitet": "Bo Godt – koordineret samarbejde",
            "afdeling": "Karup",
            "timer": 3.0,
            "deltagere": 4,
        },
    ]


@pytest.mark.parametrize(
    "written, canonical",
    [
        ("Bo Godt", "Bo Godt – koordineret samarbejde"),
        ("BO GODT", "Bo Godt – koordineret samarbejde"),
        ("Bo Godt – koordineret samarbejde", "Bo Godt – koordineret samarbejde"),
        ("Bo Godt - koordineret samarbejde", "Bo Godt – koordineret samarbejde"),
        ("Civilsamfund", "Civilsamfund som samarbejdspartner"),
        ("hverdagsraadgivning", "Hverdagsrådgivning"),
    ],
)
def test_aktivitet_names_match_full_or_short(tmp_path, agreement, written, canonical):
    write(tmp_path, "aktiviteter.csv", f"aktivitet,afdeling,timer,deltagere\n{written},Karup,1,1\n")

    table = read(tmp_path, agreement).tables["aktiviteter"]

    assert list(table["aktivitet"]) == [canonical]


def test_shared_hours_for_one_aktivitet_twice_is_an_error(tmp_path, agreement):
    write(
        tmp_path,
        "aktiviteter.csv",
        "aktivitet,afdeling,timer,deltagere\nBo Godt,,10,\nCivilsamfund,,5,\nBo Godt,,3,\n",
    )

    error = the_error(tmp_path, agreement)

    assert Path(error.file).name == "aktiviteter.csv"
    assert error.row == 4
    assert "række 2" in error.message


# --- 12. the year folder must exist -----------------------------------------------------------


def test_a_missing_year_folder_is_an_error(tmp_path, agreement):
    (tmp_path / "2024").mkdir()

    with pytest.raises(InputError) as caught:
        read(tmp_path, agreement)

    [problem] = caught.value.problems
    assert problem.file == str(tmp_path / "2025")
    assert "2025" in problem.message and "findes ikke" in problem.message


# --- 13. metadata.yaml and noter/ ----------------------------------------------------------------


@pytest.mark.parametrize(
    "metadata, eksempeldata",
    [
        (None, False),
        ("eksempeldata: true\n", True),
        ("eksempeldata: false\n", False),
        ("beskrivelse: Rigtige tal.\n", False),
    ],
)
def test_metadata_marks_example_data(tmp_path, agreement, metadata, eksempeldata):
    (tmp_path / str(YEAR)).mkdir()
    if metadata is not None:
        write(tmp_path, "metadata.yaml", metadata)

    assert read(tmp_path, agreement).eksempeldata is eksempeldata


@pytest.mark.parametrize(
    "stem, afdeling",
    [
        ("Houlkærvænget", "Houlkærvænget"),
        ("houlkaervaenget", "Houlkærvænget"),
        ("Kølvrå afd. 8", "Kølvrå afd. 8"),
        ("koelvraa-afd-8", "Kølvrå afd. 8"),
    ],
)
def test_notes_are_keyed_by_the_canonical_afdeling(tmp_path, agreement, stem, afdeling):
    write(tmp_path, f"noter/{stem}.md", "# Året\nNy beboerrådgiver fra marts.\n")

    inputs = read(tmp_path, agreement)

    assert inputs.notes == {afdeling: "# Året\nNy beboerrådgiver fra marts.\n"}


@pytest.mark.parametrize(
    "name, niveau, enhed, listed",
    [
        ("2025/noter/koelvraa-afd-8.md", "afdeling", "Kølvrå afd. 8", True),
        ("2025/noter/Kølvrå afd. 8.md", "afdeling", "Houlkærvænget", False),
        ("2025/noter/Kølvrå afd. 8.md", "boligselskab", "BoligViborg", False),
        ("2025/noter/Kølvrå afd. 8.md", "samlet", "Helhedsplanen", False),
        ("2025/fraflytninger.csv", "samlet", "Helhedsplanen", True),
        ("2025/udsaettelser.xlsx", "afdeling", "Houlkærvænget", True),
        ("delaftaler/noter.yaml", "afdeling", "Houlkærvænget", True),
    ],
)
def test_a_note_is_listed_only_in_its_own_afdelings_report(agreement, name, niveau, enhed, listed):
    assert in_report(name, niveau, enhed, agreement.afdeling_index()) is listed


def test_a_table_whose_every_afdeling_is_unknown_reports_each_row(tmp_path, agreement):
    folder = tmp_path / str(YEAR)
    folder.mkdir()
    (folder / "udsaettelser.csv").write_text(
        "afdeling,effektive_udsaettelser\nRingparkn,1\nXyz,2\n"
    )
    with pytest.raises(InputError) as caught:
        read_year(tmp_path, YEAR, agreement)
    assert [p.row for p in caught.value.problems] == [2, 3]


# --- 11. a clean table is read column by column -------------------------------------------

CLEAN_CASES = {
    **{f"fixture {p.parent.name}/{p.name}": p for p in sorted(RAW.glob("20*/*.*sv"))},
    **{f"fixture {p.parent.name}/{p.name}": p for p in sorted(RAW.glob("20*/*.xlsx"))},
}


def read_both_ways(monkeypatch, path, spec, agreement):
    """(table read column by column, table read cell by cell), each with its problems."""
    from evalkit.inputs import tables as inputs

    clean = inputs._read_clean
    made = []
    monkeypatch.setattr(inputs, "_read_clean", lambda *args: made.append(clean(*args)) or made[-1])
    fast_problems, careful_problems = [], []
    fast = read_table(path, spec, agreement, fast_problems)
    assert made and made[0] is not None, "the clean table was read cell by cell"
    monkeypatch.setattr(inputs, "_read_clean", lambda *args: None)
    careful = read_table(path, spec, agreement, careful_problems)
    monkeypatch.undo()
    return (fast, fast_problems), (careful, careful_problems)


@pytest.mark.parametrize("path", list(CLEAN_CASES.values()), ids=list(CLEAN_CASES))
def test_a_clean_table_reads_the_same_column_by_column_as_cell_by_cell(
    monkeypatch, helhedsplan, path
):
    agreement = helhedsplan  # the shipped year files hold every delaftale's tables
    fast, careful = read_both_ways(monkeypatch, path, specs(agreement)[path.stem], agreement)
    pd.testing.assert_frame_equal(fast[0], careful[0])
    assert fast[1] == careful[1]


@pytest.mark.parametrize(
    ("name", "rows"),
    [
        # Danish numbers with thousands points and commas, an empty cell, odd spacing.
        ("fraflytninger", [["afdeling", "lejemaal", "fraflytninger"],
                           ["ringparken ", "1.312", " 52"], ["Karup", "", "3"]]),
        ("aktiviteter", [["aktivitet", "afdeling", "timer", "deltagere"],
                         ["Bo Godt", "", "12,5", "4"],
                         ["Hverdagsrådgivning", "Lindon", "1.000,25", ""]]),
    ],
)  # fmt: skip
def test_danish_and_empty_cells_read_the_same_both_ways(
    monkeypatch, tmp_path, agreement, name, rows
):
    path = write(tmp_path, f"{name}.csv", "".join(";".join(r) + "\n" for r in rows))
    fast, careful = read_both_ways(monkeypatch, path, specs(agreement)[name], agreement)
    pd.testing.assert_frame_equal(fast[0], careful[0])
