"""The command line: Danish messages, exit codes, and no report from bad input."""

import shutil
from pathlib import Path

import pytest

from evalkit.cli import BAD_INPUT, OK, UNITS_FAILED, USAGE, main

REPO = Path(__file__).parents[1]


@pytest.fixture
def data(tmp_path) -> Path:
    """A copy of the shipped data to break."""
    shutil.copytree(REPO / "data" / "raw", tmp_path / "data" / "raw")
    return tmp_path / "data"


def run(data: Path, *args: str) -> int:
    return main([*args, "--data-dir", str(data), "--reports-dir", str(data.parent / "reports"),
                 "--notebooks-dir", str(REPO / "notebooks")])  # fmt: skip


def test_validate_accepts_the_shipped_data(data, capsys):
    assert run(data, "validate") == OK
    assert "Inddata er i orden for 2024, 2025" in capsys.readouterr().out


def test_build_writes_the_processed_tables(data):
    assert run(data, "build", "--year", "2025") == OK
    for name in ("indikatorer.csv", "aktiviteter.csv", "metadata.json"):
        assert (data / "processed" / "2025" / name).is_file()


def test_bad_input_names_file_row_and_column_and_writes_no_report(data, capsys):
    (data / "raw" / "2025" / "fraflytninger.csv").write_text(
        "afdeling,lejemaal,fraflytninger\nRingparken,312,52\nKarup,ca. 25,2\n", encoding="utf-8"
    )
    assert run(data, "run", "--year", "2025") == BAD_INPUT
    err = capsys.readouterr().err
    assert 'fraflytninger.csv, række 3, kolonne "lejemaal": "ca. 25" er ikke et tal' in err
    assert "Ingen rapport er skrevet" in err
    assert not (data.parent / "reports").exists()
    assert not (data / "processed").exists()


def test_validate_reports_every_problem_of_a_year_at_once(data, capsys):
    raw = data / "raw" / "2025"
    (raw / "udsaettelser.csv").write_text("afdeling,effektive_udsaettelser\nRingparkn,1\n")
    (raw / "foranstaltninger.csv").write_text("afdeling,beboere,med_foranstaltning\nKarup,5,9\n")
    assert run(data, "validate", "--year", "2025") == BAD_INPUT
    err = capsys.readouterr().err
    assert 'Mente du "Ringparken"?' in err
    assert "med_foranstaltning (9) er større end beboere (5)" in err


def test_a_year_without_a_folder_is_an_error(data, capsys):
    assert run(data, "validate", "--year", "2031") == BAD_INPUT
    assert "mappen for året 2031 findes ikke" in capsys.readouterr().err


def test_an_unknown_unit_is_a_usage_error(data, capsys):
    assert run(data, "run", "--year", "2025", "--unit", "Atlantis") == USAGE
    assert 'enheden "Atlantis" kendes ikke' in capsys.readouterr().err


def test_one_failing_unit_does_not_stop_the_others(data, tmp_path, capsys):
    # A notebook that fails for one afdeling only; the oversigt notebook is the real one.
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    shutil.copy(REPO / "notebooks" / "oversigt.ipynb", notebooks)
    failing = (REPO / "notebooks" / "afdeling.ipynb").read_text(encoding="utf-8")
    failing = failing.replace(
        '"r.status_table()"', '"assert enhed != \\"Lindon\\"; r.status_table()"'
    )
    assert "Lindon" in failing
    (notebooks / "afdeling.ipynb").write_text(failing, encoding="utf-8")
    reports = tmp_path / "reports"
    code = main(["run", "--year", "2025", "--data-dir", str(data), "--reports-dir", str(reports),
                 "--notebooks-dir", str(notebooks)])  # fmt: skip
    assert code == UNITS_FAILED
    out, err = capsys.readouterr()
    assert "2025: 18 lavet, 0 genbrugt, 1 fejlet." in out
    assert "2025 Lindon: AssertionError" in err and "lindon.ipynb" in err
    assert not (reports / "2025" / "lindon.html").exists()
    assert (reports / "2025" / "lindon.ipynb").exists()  # kept, with the failing cell marked
    assert (reports / "2025" / "karup.html").exists()
    index = (reports / "index.html").read_text(encoding="utf-8")
    assert "Fejlet: AssertionError" in index
