"""Spec: person-level data is refused before anything is read (inputs.cpr, inputs.tables)."""

import pytest

from evalkit.errors import InputError
from evalkit.inputs.cpr import is_person_column, looks_like_cpr, may_hold_cpr
from evalkit.inputs.tables import read_year

CASES = [
    ("010203-1234", True),  # 1 February 2003 (or 1903)
    ("3112991234", True),  # ten digits, 31.12.99
    ("290200-4321", True),  # 29.02.2000 exists
    (" 150585-1111 ", True),
    ("Jens, 010203-1234, Lindon", True),  # inside a text
    (101031234, True),  # Excel dropped the leading zero of 0101031234
    ("101031234", True),  # the same, saved as text in a CSV
    (101031234.0, True),
    # every common way of parting the two halves
    ("010203 1234", True),
    ("010203\u00a01234", True),  # no-break space
    ("010203\u202f1234", True),  # narrow no-break space
    ("010203\u20091234", True),  # thin space
    ("010203–1234", True),  # en dash
    ("010203—1234", True),  # em dash
    ("010203\u22121234", True),  # minus sign
    ("010203\u20111234", True),  # no-break hyphen
    ("010203.1234", True),
    ("010203 - 1234", True),
    ("010203 -- 1234", True),
    ("Sag: 010203 – 1234.", True),
    ("010203  \t 1234", True),
    # ten digits and separators that are no CPR number
    ("320203 1234", False),  # day 32
    ("011303-1234", False),  # month 13
    ("010203 12345", False),  # five digits after
    ("1010203 1234", False),  # seven digits before
    ("010203 - - - 1234", False),  # more than five separators: two numbers
    ("010203, 1234", False),  # a comma parts two numbers
    ("86 12 34 56", False),  # a phone number
    ("1.020.312.345", False),  # a number with thousands points
    ("2025-08-01 1234", False),  # a date and a number
    ("102031234,5", False),
    (float("inf"), False),
    (float("nan"), False),
    (1e30, False),
    ("1234567890", False),  # month 34: a ten-digit number, not a date
    ("3213991234", False),  # day 32
    ("290201-4321", False),  # 29.02.01 does not exist (1901 and 2001 are no leap years)
    ("12345678", False),  # a phone number
    ("01020312345", False),  # eleven digits
    ("2.349", False),
    (504, False),
    (1234567890, False),
    (12.5, False),
    (None, False),
    (True, False),
]


@pytest.mark.parametrize(("value", "cpr"), CASES)
def test_looks_like_cpr(value, cpr):
    assert looks_like_cpr(value) is cpr


@pytest.mark.parametrize("value", [value for value, cpr in CASES if cpr])
def test_the_quick_look_over_a_table_never_misses_a_cpr_number(value):
    # may_hold_cpr decides whether a table's cells are looked at one by one.
    assert may_hold_cpr([value])
    assert may_hold_cpr(["Lindon", value, "12,5"])
    assert may_hold_cpr([504, value, None])
    assert not may_hold_cpr(["Lindon", "12,5", "1.020", "86 12 34 56"])


@pytest.mark.parametrize(
    "value",
    ["０１０２０３-１２３４", "٠١٠٢٠٣-١٢٣٤", "Ærø: 010203-1234", "0102０３1234", "Åbo 0101031234"],
)
def test_the_quick_look_sees_digits_of_any_script_and_beside_danish_letters(value):
    # The quick look searches bytes, where a digit beyond ASCII is two or three of them.
    assert looks_like_cpr(value)
    assert may_hold_cpr(["Søhøjlandet", value, "12,5"])
    assert not may_hold_cpr(["Søhøjlandet", "Vænge 12", "Ærø 1.020", "æøå 12345"])


@pytest.mark.parametrize(
    ("header", "person"),
    [("Navn", True), ("CPR-nr.", True), ("cpr_nummer", True), ("Personnummer", True),
     ("Efternavn", True), ("afdeling", False), ("lejemål", False), ("Afdelingsnavn", False)],
)  # fmt: skip
def test_person_columns(header, person):
    assert is_person_column(header) is person


def write(tmp_path, name: str, text: str):
    folder = tmp_path / "2025"
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")


def test_a_cpr_number_is_refused_naming_file_row_and_column_but_never_the_value(
    tmp_path, agreement
):
    write(tmp_path, "udsaettelser.csv", "afdeling,effektive_udsaettelser,note\n"
          "Ringparken,1,\nKarup,1,010203-1234\n")  # fmt: skip
    with pytest.raises(InputError) as caught:
        read_year(tmp_path, 2025, agreement)
    (problem,) = caught.value.problems
    assert (problem.row, problem.column) == (3, "note")
    assert "CPR" in problem.message
    assert "010203" not in str(problem) and "1234" not in str(problem)


def test_person_data_is_refused_before_anything_else_is_read(tmp_path, agreement):
    # The other file has an error of its own; it is not even parsed.
    write(tmp_path, "fraflytninger.csv", "afdeling,lejemaal,fraflytninger\nKarup,abc,1\n")
    write(tmp_path, "tilfredshed.csv", "Navn,afdeling,besvarelser,tilfredse\nJens,Karup,5,4\n")
    with pytest.raises(InputError) as caught:
        read_year(tmp_path, 2025, agreement)
    (problem,) = caught.value.problems
    assert problem.file.endswith("tilfredshed.csv")
    assert (problem.row, problem.column) == (1, "Navn")
    assert "Jens" not in str(problem)


def test_a_cpr_number_in_a_note_is_refused(tmp_path, agreement):
    write(tmp_path, "fraflytninger.csv", "afdeling,lejemaal,fraflytninger\nKarup,25,1\n")
    (tmp_path / "2025" / "noter").mkdir()
    (tmp_path / "2025" / "noter" / "Karup.md").write_text("Fint år.\nFamilien 0102031234.\n")
    with pytest.raises(InputError) as caught:
        read_year(tmp_path, 2025, agreement)
    (problem,) = caught.value.problems
    assert problem.row == 2 and "0102031234" not in str(problem)


def test_a_ten_digit_number_that_is_no_date_is_not_a_cpr_number(tmp_path, agreement):
    write(tmp_path, "kommunale_maal.csv", "maal_nr,resultat,kilde\n1,82 %,Journal 1234567890\n")
    table = read_year(tmp_path, 2025, agreement).tables["kommunale_maal"]
    assert table["kilde"][0] == "Journal 1234567890"


def test_a_ten_digit_count_that_is_no_date_is_refused_as_too_large_not_as_cpr(tmp_path, agreement):
    write(tmp_path, "fraflytninger.csv", "afdeling,lejemaal,fraflytninger\nKarup,1234567890,1\n")
    with pytest.raises(InputError) as caught:
        read_year(tmp_path, 2025, agreement)
    (problem,) = caught.value.problems
    assert "over grænsen på 1.000.000" in problem.message and "CPR" not in problem.message
