"""Spec: `evalkit new-year --year Y` writes empty templates the analyst fills in (inputs.new_year).

The templates have the exact headers and every afdeling listed; evalkit reads them back
without a problem; nothing that exists is ever overwritten.
"""

import itertools
import re
from pathlib import Path

import openpyxl
import pytest

from evalkit.cli import main
from evalkit.errors import ExitCode
from evalkit.inputs import new_year
from evalkit.inputs.readers import read_cells
from evalkit.inputs.tables import read_year, specs
from tests.conftest import project


@pytest.fixture
def data(tmp_path) -> Path:
    """The agreement files and no year yet."""
    return project(tmp_path, years=False)


def new(data: Path, year: str, *args: str) -> int:
    return main(["new-year", "--year", year, *args, "--data-dir", str(data)])


def listing(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*")
            if p.is_file()}  # fmt: skip


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_template_per_table_with_the_exact_headers_and_every_afdeling(data, helhedsplan, fmt):
    agreement = helhedsplan
    assert new(data, "2026", "--format", fmt) == ExitCode.OK

    folder = data / "raw" / "2026"
    tables = specs(agreement)
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        [f"{name}.{fmt}" for name in tables] + ["metadata.yaml"]
    )
    for name, spec in tables.items():
        sheet = read_cells(folder / f"{name}.{fmt}", [])
        assert sheet.header_row == 1
        if name == "kommunale_maal":  # one row per municipal goal of each delaftale
            assert sheet.header == ["delaftale", *spec.columns]
            goals = [[str(c) for c in cells[:2]] for _, cells in sheet.rows]
            assert goals == [[d.navn, str(n)] for d in agreement.delaftaler
                             for n in range(1, len(d.kommunale_maal) + 1)]  # fmt: skip
            continue
        assert sheet.header == list(spec.columns), name
        keys = [cells[: list(spec.columns).index("afdeling") + 1] for _, cells in sheet.rows]
        if name == "aktiviteter":
            expected = [
                [a.navn, afdeling]
                for a, afdeling in itertools.product(agreement.activities, agreement.afdeling_names)
            ]
        else:
            expected = [[afdeling] for afdeling in agreement.afdeling_names]
        assert keys == expected, name
        numbers = [c for _, cells in sheet.rows for c in cells[len(keys[0]) :]]
        assert all(c in ("", None) for c in numbers), name


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_evalkit_reads_its_own_templates_back(data, helhedsplan, fmt, capsys):
    agreement = helhedsplan
    assert new(data, "2026", "--format", fmt) == ExitCode.OK

    assert main(["validate", "--year", "2026", "--data-dir", str(data)]) == ExitCode.OK
    inputs = read_year(data / "raw", 2026, agreement)
    tables = specs(agreement)
    assert list(inputs.tables) == list(tables)
    for name, table in inputs.tables.items():
        spec = tables[name]
        numbers = [c for c, k in spec.columns.items() if k in ("count", "number")]
        numbers = [c for c in numbers if c not in spec.key]  # maal_nr names a goal
        assert table[numbers].isna().all().all(), name  # empty means no data, never 0
    assert inputs.eksempeldata is False
    # Every table of numbers says it has none yet; kommunale_maal has only texts to fill in.
    assert [w.message for w in inputs.warnings] == [
        'ingen af rækkerne har tal endnu; tabellen tæller som "ingen data".'
    ] * (len(tables) - 1)


def test_the_csv_template_opens_directly_in_danish_excel(data):
    assert new(data, "2026") == ExitCode.OK

    raw = (data / "raw" / "2026" / "fraflytninger.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM: Excel shows æ, ø, å
    lines = raw[3:].decode("utf-8").split("\r\n")
    assert lines[:3] == ["afdeling;lejemaal;fraflytninger", "Ringparken;;", "Kølvrå afd. 8;;"]


def test_the_metadata_template_says_the_numbers_are_real(data):
    assert new(data, "2026") == ExitCode.OK

    text = (data / "raw" / "2026" / "metadata.yaml").read_text(encoding="utf-8")
    assert "eksempeldata: false" in text.splitlines()
    assert "#   fra: 2026-01-01" in text


@pytest.mark.parametrize(
    "existing",
    ["fraflytninger.csv", "Fraflytninger.xlsx", "metadata.yaml"],
    ids=["same-file", "other-format", "metadata"],
)
def test_new_year_never_overwrites_and_then_writes_nothing(data, capsys, existing):
    folder = data / "raw" / "2026"
    folder.mkdir()
    (folder / existing).write_bytes(b"analytikerens egne tal")

    assert new(data, "2026") == ExitCode.USAGE

    assert listing(folder) == {existing: b"analytikerens egne tal"}
    err = capsys.readouterr().err
    assert f"Fejl: {folder / existing}: findes allerede; evalkit overskriver aldrig" in err
    assert "Ingen skabeloner er skrevet" in err


def test_new_year_keeps_a_file_made_meanwhile(data, capsys, monkeypatch):
    # Another process creates a file after the check: the link fails, the file is kept.
    folder = data / "raw" / "2026"
    folder.mkdir()
    (folder / "udsaettelser.csv").write_bytes(b"lige kommet")
    monkeypatch.setattr(new_year, "conflicts", lambda year_dir, agreement: [])

    assert new(data, "2026") == ExitCode.USAGE

    assert (folder / "udsaettelser.csv").read_bytes() == b"lige kommet"
    assert "udsaettelser.csv: findes allerede" in capsys.readouterr().err
    assert not list(folder.glob(".*"))


def test_new_year_fills_a_folder_that_holds_only_notes(data):
    notes = data / "raw" / "2026" / "noter"
    notes.mkdir(parents=True)
    (notes / "Karup.md").write_text("Ny note.")

    assert new(data, "2026") == ExitCode.OK

    assert (notes / "Karup.md").read_text() == "Ny note."
    assert (data / "raw" / "2026" / "udsaettelser.csv").exists()


def test_new_year_warns_about_a_year_after_the_agreement(data, capsys):
    assert new(data, "2030") == ExitCode.OK
    assert re.search("ligger efter delaftale(ns|rnes) periode", capsys.readouterr().err)


@pytest.mark.parametrize("year", ["26", "tyve", "20266"])
def test_the_year_has_four_digits(data, capsys, year):
    with pytest.raises(SystemExit) as exit_:
        new(data, year)
    assert exit_.value.code == ExitCode.USAGE
    assert f'"{year}" er ikke et årstal' in capsys.readouterr().err
    assert not (data / "raw" / year).exists()


def test_templates_keep_a_name_that_looks_like_a_formula_as_text(data):
    text = (data / "raw" / "afdelinger.csv").read_text(encoding="utf-8")
    (data / "raw" / "afdelinger.csv").write_text(text.replace("\nKarup,", "\n@Karup,"), "utf-8")

    assert new(data, "2026") == ExitCode.OK
    assert new(data, "2027", "--format", "xlsx") == ExitCode.OK

    csv_text = (data / "raw" / "2026" / "udsaettelser.csv").read_bytes().decode("utf-8-sig")
    assert "\r\n'@Karup;" in csv_text
    sheet = openpyxl.load_workbook(data / "raw" / "2027" / "udsaettelser.xlsx").active
    cell = next(row[0] for row in sheet.iter_rows() if row[0].value == "@Karup")
    assert cell.data_type == "s" and cell.quotePrefix
