"""Spec: a CSV file's rows read in batches are the rows read one by one (inputs.readers)."""

import pytest

from evalkit.inputs import readers
from evalkit.inputs.readers import MAX_COLUMNS, read_cells

ROWS = "afdeling;lejemaal\r\nKarup;12\r\n"
TEXTS = {
    "blank rows and rows of spaces": "\n\nafdeling,lejemaal\n , \nKarup,12\n\n \t\n,Lindon\n",
    "a quoted cell over two lines": 'afdeling,note\nKarup,"første\nanden"\nLindon,x\n',
    "a blank first cell": "afdeling,lejemaal\n,12\n  ,\n",
    "rows across batches": "afdeling,lejemaal\n" + "Karup,1\n\n" * (readers._BATCH + 7),
    "more columns than read, all empty": "a,b\n" + "x" + "," * (MAX_COLUMNS + 5) + "\n",
    "semicolons and CRLF": ROWS * 3,
    "no line break at the end": "afdeling,lejemaal\nKarup,1",
}


@pytest.mark.parametrize("text", TEXTS.values(), ids=TEXTS)
def test_rows_read_in_batches_are_the_rows_read_one_by_one(monkeypatch, tmp_path, text):
    path = tmp_path / "fraflytninger.csv"
    path.write_text(text, encoding="utf-8")
    fast_problems, careful_problems = [], []
    fast = read_cells(path, fast_problems)
    batched = readers._rows_in_bounds(text, ";" if text.startswith("afdeling;") else ",")
    assert (batched is None) == text.startswith("a,b\n")  # too wide: read one by one anyway
    monkeypatch.setattr(readers, "_rows_in_bounds", lambda text, separator: None)
    careful = read_cells(path, careful_problems)
    assert (fast.header, fast.header_row, fast.rows) == (
        careful.header,
        careful.header_row,
        careful.rows,
    )
    assert fast_problems == careful_problems


LONG_BLANK = " \n" * 5000


@pytest.mark.parametrize(
    "text",
    ["", "\n\n", "a;b\nc", LONG_BLANK + "a,b\n", LONG_BLANK + "\r\na;b\r\n", "x" * 9000 + "\n",
     "\r" * 4095 + "\n" + "a,b", " \u2028a\tb\x0cc\n"],
)  # fmt: skip
def test_the_first_line_is_the_first_line_splitlines_gives(text):
    expected = next((line for line in text.splitlines() if line.strip()), "")
    assert readers._first_line(text) == expected
