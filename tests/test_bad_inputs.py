"""The catalogue of bad inputs: each case a small year folder and the message it must give.

Every case runs `evalkit validate` on a copy of the agreement files plus the case's files in
data/raw/<year>/. The message must name the file, the row as Excel shows it (the header is
row 1) and the column, in Danish, and say what was expected. An error exits with 1; a case
that is only a warning (the input is usable) exits with 0 and still says what was noticed.
"""

import builtins
import io
import shutil
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import pytest

from conftest import xlsx
from evalkit.cli import BAD_INPUT, OK, main
from evalkit.errors import InputError
from evalkit.inputs import read_year

REPO = Path(__file__).parents[1]
AGREEMENT_FILES = ("delaftale.yaml", "afdelinger.csv", "baseline.csv", "sammenligning.csv")
FEJL, ADVARSEL = "Fejl", "Advarsel"

DIRECTORY = object()  # the path is a folder, not a file
LOCKED = b"afdeling,effektive_udsaettelser\nKarup,1\n"  # the system refuses to open it


@dataclass
class Case:
    files: dict[str, str | bytes | object] | None  # None: the year folder does not exist
    kind: str  # FEJL or ADVARSEL
    file: str  # relative to data/raw/<year>/; "" is the year folder itself
    row: int | None
    column: str | None
    phrases: tuple[str, ...]
    year: int = 2025
    also: list[str] = field(default_factory=list)  # further messages the case gives


FRAFLYT = "afdeling,lejemaal,fraflytninger\n"
UDS = "afdeling,effektive_udsaettelser\n"
AKT = "aktivitet,afdeling,timer,deltagere\n"

CASES = {
    # -- encoding and file format ----------------------------------------------------------
    "utf16-unicode-text": Case(
        {"fraflytninger.csv": "afdeling\tlejemaal\tfraflytninger\r\nKarup\t40\t3\r\n".encode(
            "utf-16")},
        FEJL, "fraflytninger.csv", None, None, ("UTF-16", '"CSV UTF-8"'),
    ),
    "undecodable-bytes": Case(
        {"udsaettelser.csv": UDS.encode() + b"K\x81rup,1\n"},
        FEJL, "udsaettelser.csv", None, None, ("tegnsættet kendes ikke", "CSV UTF-8"),
    ),
    "xlsx-saved-as-csv": Case(
        {"udsaettelser.csv": xlsx(("A", [["afdeling", "effektive_udsaettelser"]]))},
        FEJL, "udsaettelser.csv", None, None, ("Excel-fil (.xlsx) med endelsen .csv",),
    ),
    "csv-saved-as-xlsx": Case(
        {"udsaettelser.xlsx": UDS + "Karup,1\n"},
        FEJL, "udsaettelser.xlsx", None, None, ("kan ikke læses som Excel-fil",),
    ),
    "old-xls-format": Case(
        {"udsaettelser.xls": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100)},
        FEJL, "udsaettelser.xls", None, None, ('"Excel-projektmappe (.xlsx)"', "udsaettelser.xlsx"),
    ),
    "tab-separated": Case(
        {"fraflytninger.csv": "afdeling\tlejemaal\tfraflytninger\nKarup\t40\t3\n"},
        FEJL, "fraflytninger.csv", 1, None, ("tabulator", "semikolon eller komma"),
    ),
    "decimal-comma-splits-a-comma-file": Case(
        {"aktiviteter.csv": AKT + "Bo Godt,Karup,4,2\nBo Godt,Stoholm,12,5,3\n"},
        FEJL, "aktiviteter.csv", 3, "E", ('"3"', "uden overskrift", "komma i et tal"),
    ),
    "quoted-decimal-comma-in-a-comma-file": Case(
        {"aktiviteter.csv": AKT + 'Bo Godt,Karup,"12,5",3\n'},
        FEJL, "aktiviteter.csv", 2, "timer", ('"12,5"', "decimaler med punktum"),
    ),
    # -- empty files ------------------------------------------------------------------------
    "empty-file": Case({"udsaettelser.csv": b""}, FEJL, "udsaettelser.csv", None, None, ("tom",)),
    "empty-blank-lines": Case(
        {"udsaettelser.csv": b"\n\n  \n"}, FEJL, "udsaettelser.csv", None, None, ("tom",)
    ),
    "empty-bom-only": Case(
        {"udsaettelser.csv": "\ufeff".encode()}, FEJL, "udsaettelser.csv", None, None, ("tom",)
    ),
    "empty-separators-only": Case(
        {"udsaettelser.csv": b";\n;\n"}, FEJL, "udsaettelser.csv", None, None, ("tom",)
    ),
    "empty-sheet": Case(
        {"udsaettelser.xlsx": xlsx(("A", []))}, FEJL, "udsaettelser.xlsx", None, None, ("tom",)
    ),
    "header-only": Case(
        {"udsaettelser.csv": UDS}, FEJL, "udsaettelser.csv", None, None, ("ingen rækker",)
    ),
    "header-and-empty-rows": Case(
        {"udsaettelser.csv": UDS + ",\n\n"}, FEJL, "udsaettelser.csv", None, None,
        ("ingen rækker",),
    ),
    "no-numbers-yet": Case(
        {"udsaettelser.csv": UDS + "Karup,\nStoholm,\n"}, ADVARSEL, "udsaettelser.csv", None, None,
        ("ingen af rækkerne har tal endnu", '"ingen data"'),
    ),
    "header-only-xlsx": Case(
        {"udsaettelser.xlsx": xlsx(("A", [["afdeling", "effektive_udsaettelser"]]))},
        FEJL, "udsaettelser.xlsx", None, None, ("ingen rækker",),
    ),
    # -- headers ------------------------------------------------------------------------------
    "missing-required-column": Case(
        {"udsaettelser.csv": "Afdelingsnavn,effektive_udsaettelser\nKarup,1\n"},
        FEJL, "udsaettelser.csv", 1, None,
        ("mangler kolonnen afdeling", 'Fandt: "Afdelingsnavn"', "Forventede: afdeling"),
    ),
    "title-row-above-the-header": Case(
        {"fraflytninger.xlsx": xlsx(("A", [["Fraflytninger 2025 (LBF)"], [],
                                            ["afdeling", "lejemaal", "fraflytninger"],
                                            ["Karup", 40, 3]]))},  # fmt: skip
        FEJL, "fraflytninger.xlsx", 1, None,
        ("mangler kolonnen afdeling, lejemaal, fraflytninger", '"Fraflytninger 2025 (LBF)"'),
    ),
    "same-column-twice": Case(
        {"fraflytninger.csv": "afdeling,lejemaal,Lejemål,fraflytninger\nKarup,40,41,3\n"},
        FEJL, "fraflytninger.csv", 1, "Lejemål", ("står der 2 gange", "kolonne B og C"),
    ),
    "extra-unknown-column": Case(
        {"fraflytninger.csv": "afdeling,Kommentar,lejemaal,fraflytninger\nKarup,ny,40,3\n"},
        ADVARSEL, "fraflytninger.csv", 1, None, ("Kommentar", "springes over"),
    ),
    "value-in-a-column-without-header-xlsx": Case(
        {"udsaettelser.xlsx": xlsx(("A", [["afdeling", "effektive_udsaettelser"],
                                          ["Karup", 1, None, "tjekket af KB"]]))},  # fmt: skip
        ADVARSEL, "udsaettelser.xlsx", 2, "D", ('"tjekket af KB"', "ingen overskrift"),
    ),
    # -- names ----------------------------------------------------------------------------------
    "unknown-afdeling": Case(
        {"udsaettelser.csv": "Afdeling,effektive_udsaettelser\nKarup,1\nRingparkn,2\n"},
        FEJL, "udsaettelser.csv", 3, "Afdeling",
        ('"Ringparkn"', "kendes ikke", 'Mente du "Ringparken"?'),
    ),
    "same-afdeling-twice": Case(
        {"udsaettelser.csv": "Afdeling,effektive_udsaettelser\nRingparken,1\nKarup,0\n"
                             "RINGPARKEN,2\n"},  # fmt: skip
        FEJL, "udsaettelser.csv", 4, "Afdeling", ('"Ringparken"', "række 2", "kun stå én gang"),
    ),
    "totals-row": Case(
        {"udsaettelser.csv": UDS + "Karup,1\nStoholm,2\nI alt,3\n"},
        FEJL, "udsaettelser.csv", 4, "afdeling", ('"I alt"', "Fjern sumrækken"),
    ),
    "empty-afdeling": Case(
        {"fraflytninger.csv": FRAFLYT + "Karup,40,3\n,10,1\n"},
        FEJL, "fraflytninger.csv", 3, "afdeling", ("afdeling mangler",),
    ),
    "unknown-aktivitet": Case(
        {"aktiviteter.csv": "Aktivitet,afdeling,timer,deltagere\nBo Godt,Karup,1,1\n"
                            "Lektiecafé,Karup,2,3\n"},  # fmt: skip
        FEJL, "aktiviteter.csv", 3, "Aktivitet", ('"Lektiecafé"', "kendes ikke"),
    ),
    "same-aktivitet-and-afdeling-twice": Case(
        {"aktiviteter.csv": AKT + "Bo Godt,Karup,1,1\nbo godt,KARUP,2,2\n"},
        FEJL, "aktiviteter.csv", 3, "afdeling", ("række 2",),
    ),
    # -- formula injection: text that Excel would run stays text and matches no name ------------
    "formula-injection-equals": Case(
        {"udsaettelser.csv": UDS + "\"=cmd|' /C calc'!A0\",1\n"},
        FEJL, "udsaettelser.csv", 2, "afdeling", ('begynder med "="', "ligner en formel"),
    ),
    "formula-injection-plus": Case(
        {"udsaettelser.csv": UDS + "+Karup,1\n"},
        FEJL, "udsaettelser.csv", 2, "afdeling", ('begynder med "+"', 'Mente du "Karup"?'),
    ),
    "formula-injection-minus": Case(
        {"udsaettelser.csv": UDS + "-Ringparken,1\n"},
        FEJL, "udsaettelser.csv", 2, "afdeling", ('begynder med "-"', 'Mente du "Ringparken"?'),
    ),
    "formula-injection-at": Case(
        {"aktiviteter.csv": AKT + "@SUM(1+1),Karup,1,1\n"},
        FEJL, "aktiviteter.csv", 2, "aktivitet", ('"@SUM(1+1)"', 'begynder med "@"'),
    ),
    "formula-in-a-number-column": Case(
        {"udsaettelser.csv": UDS + "Karup,=SUM(B2:B3)\n"},
        FEJL, "udsaettelser.csv", 2, "effektive_udsaettelser", ('"=SUM(B2:B3)"', "ikke et tal"),
    ),
    # -- numbers -----------------------------------------------------------------------------
    "text-in-a-number-column": Case(
        {"fraflytninger.csv": "afdeling,Lejemaal,fraflytninger\nKarup,40,3\nRingparken,ca. 80,3\n"},
        FEJL, "fraflytninger.csv", 3, "Lejemaal",
        ('"ca. 80"', "ikke et tal", "forventede et helt tal, 0 eller større"),
    ),
    "negative-count": Case(
        {"udsaettelser.csv": UDS + "Karup,-3\n"},
        FEJL, "udsaettelser.csv", 2, "effektive_udsaettelser", ("-3", "negativ"),
    ),
    "negative-hours": Case(
        {"aktiviteter.csv": "aktivitet;afdeling;Timer;deltagere\nBo Godt;Karup;-1,5;2\n"},
        FEJL, "aktiviteter.csv", 2, "Timer", ("-1,5", "negativ", "et tal, 0 eller større"),
    ),
    "decimal-in-a-count-column": Case(
        {"fraflytninger.csv": "afdeling;lejemaal;Fraflytninger\nKarup;40;2,5\n"},
        FEJL, "fraflytninger.csv", 2, "Fraflytninger", ("2,5", "ikke et helt tal"),
    ),
    "decimal-in-a-count-column-xlsx": Case(
        {"fraflytninger.xlsx": xlsx(("A", [["afdeling", "lejemaal", "fraflytninger"],
                                           ["Karup", 40, 2.5]]))},  # fmt: skip
        FEJL, "fraflytninger.xlsx", 2, "fraflytninger", ("2,5", "ikke et helt tal"),
    ),
    "date-in-a-number-column-xlsx": Case(
        {"udsaettelser.xlsx": xlsx(("A", [["afdeling", "effektive_udsaettelser"],
                                          ["Karup", datetime(2025, 2, 1)]]))},  # fmt: skip
        FEJL, "udsaettelser.xlsx", 2, "effektive_udsaettelser",
        ("01.02.2025 er en dato, ikke et tal",),
    ),
    "fraflytninger-above-lejemaal": Case(
        {"fraflytninger.csv": "afdeling,lejemaal,FRAFLYTNINGER\nKarup,40,3\nRingparken,10,20\n"},
        FEJL, "fraflytninger.csv", 3, "FRAFLYTNINGER",
        ("fraflytninger (20) er større end lejemaal (10)",),
    ),
    "tilfredse-above-besvarelser": Case(
        {"tilfredshed.csv": "afdeling,besvarelser,Tilfredse\nKarup,50,60\n"},
        FEJL, "tilfredshed.csv", 2, "Tilfredse", ("tilfredse (60) er større end besvarelser (50)",),
    ),
    "med-foranstaltning-above-beboere": Case(
        {"foranstaltninger.xlsx": xlsx(("A", [["afdeling", "beboere", "med foranstaltning"],
                                              ["Karup", 9, 10]]))},  # fmt: skip
        FEJL, "foranstaltninger.xlsx", 2, "med foranstaltning",
        ("med_foranstaltning (10) er større end beboere (9)",),
    ),
    # -- Excel workbooks ------------------------------------------------------------------------
    "several-sheets": Case(
        {"udsaettelser.xlsx": xlsx(("Udsættelser 2025", [["afdeling", "effektive_udsaettelser"],
                                                         ["Karup", 1]]),
                                   ("Gammelt", [["x"], [99]]))},  # fmt: skip
        ADVARSEL, "udsaettelser.xlsx", None, None, ("2 ark", 'kun det første, "Udsættelser 2025"'),
    ),
    "formula-without-a-saved-value": Case(
        {"fraflytninger.xlsx": xlsx(("A", [["afdeling", "lejemaal", "fraflytninger"],
                                           ["Karup", 40, "=B2/10"]]))},  # fmt: skip
        FEJL, "fraflytninger.xlsx", 2, "fraflytninger",
        ('formlen "=B2/10"', "ikke gemt en værdi", "regner aldrig formler ud"),
    ),
    "formula-that-saved-an-error": Case(
        {"fraflytninger.xlsx": xlsx(("A", [["afdeling", "lejemaal", "fraflytninger"],
                                           ["Karup", 0, "=3/B2"]]),
                                    cached={"C2": "<v>#DIV/0!</v>"})},  # fmt: skip
        FEJL, "fraflytninger.xlsx", 2, "fraflytninger", ('"#DIV/0!" er ikke et tal',),
    ),
    # -- the year's folder ----------------------------------------------------------------------
    "csv-and-xlsx-of-one-table": Case(
        {"udsaettelser.csv": UDS + "Karup,1\n",
         "udsaettelser.xlsx": xlsx(("A", [["afdeling", "effektive_udsaettelser"], ["Karup", 1]]))},
        FEJL, "", None, None, ("både udsaettelser.csv og udsaettelser.xlsx", "behold kun én"),
    ),
    "misnamed-table": Case(
        {"Fraflytninger 2025.xlsx": xlsx(("A", [["afdeling", "lejemaal", "fraflytninger"]]))},
        FEJL, "Fraflytninger 2025.xlsx", None, None,
        ("bruges ikke", 'kun "fraflytninger.csv" eller "fraflytninger.xlsx"'),
    ),
    "unknown-file": Case(
        {"mail fra LBF.txt": "Hej"}, ADVARSEL, "mail fra LBF.txt", None, None,
        ("kendes ikke og springes over",),
    ),
    "table-open-in-excel": Case(
        {"udsaettelser.xlsx": xlsx(("A", [["afdeling", "effektive_udsaettelser"], ["Karup", 1]])),
         "~$udsaettelser.xlsx": b"\x00" * 165},
        ADVARSEL, "udsaettelser.xlsx", None, None, ("åben i Excel", "senest gemte udgave"),
    ),
    "locked-file": Case(
        {"udsaettelser.csv": LOCKED}, FEJL, "udsaettelser.csv", None, None,
        ("kan ikke læses", "adgang nægtet", "åben i et andet program"),
    ),
    "a-folder-where-a-file-should-be": Case(
        {"udsaettelser.csv": DIRECTORY}, FEJL, "udsaettelser.csv", None, None,
        ("kan ikke læses", "det er en mappe"),
    ),
    "year-folder-missing": Case(
        None, FEJL, "", None, None, ("mappen for året 2026 findes ikke", "new-year 2026"),
        year=2026,
    ),
    "year-after-the-agreement": Case(
        {"udsaettelser.csv": UDS + "Karup,1\n"}, ADVARSEL, "", None, None,
        ("tallene for 2030 (01.01.2030–31.12.2030) ligger efter delaftalens periode "
         "(01.08.2025–31.07.2029)", "forlænget"),
        year=2030,
    ),
    "year-before-the-agreement-that-is-a-baseline-year": Case(
        {"udsaettelser.csv": UDS + "Karup,1\n"}, ADVARSEL, "", None, None,
        ("ligger før delaftalens periode", "baselineår for delmål 2", "udgangspunktet"),
        year=2024,
    ),
    "year-before-the-agreement": Case(
        {"udsaettelser.csv": UDS + "Karup,1\n"}, ADVARSEL, "", None, None,
        ("ligger før delaftalens periode", "tjek, at årstallet er rigtigt"),
        year=2022,
    ),
    # -- metadata.yaml and noter/ -------------------------------------------------------------
    "metadata-not-yaml": Case(
        {"metadata.yaml": "eksempeldata: [\n"}, FEJL, "metadata.yaml", None, None, ("YAML",)
    ),
    "metadata-eksempeldata-not-true-or-false": Case(
        {"metadata.yaml": "eksempeldata: ja tak\n"}, FEJL, "metadata.yaml", None, None,
        ("true eller false",),
    ),
    "metadata-period-not-dates": Case(
        {"metadata.yaml": "eksempeldata: false\nperiode:\n  fra: 1. august\n  til: 2026-07-31\n"},
        FEJL, "metadata.yaml", None, None, ("fra og til som datoer",),
    ),
    "metadata-period-backwards": Case(
        {"metadata.yaml": "periode:\n  fra: 2026-07-31\n  til: 2025-08-01\n"},
        FEJL, "metadata.yaml", None, None, ("fra (31.07.2026) er efter til (01.08.2025)",),
    ),
    "metadata-unknown-key": Case(
        {"metadata.yaml": "eksempeldata: false\neksempel_data: true\n"},
        ADVARSEL, "metadata.yaml", None, None, ('"eksempel_data" kendes ikke',),
    ),
    "metadata-misnamed": Case(
        {"metadata.yml": "eksempeldata: false\n"}, FEJL, "metadata.yml", None, None,
        ("bruges ikke", "metadata.yaml"),
    ),
    "note-for-an-unknown-afdeling": Case(
        {"noter/Ringparken.md": "ok", "noter/Ringparkn.md": "tastefejl"},
        FEJL, "noter/Ringparkn.md", None, None, ('"Ringparkn" kendes ikke', '"Ringparken.md"'),
    ),
    "note-that-is-not-text": Case(
        {"noter/Karup.docx": b"PK\x03\x04"}, FEJL, "noter/Karup.docx", None, None,
        ("endelsen .md",),
    ),
    "two-notes-for-one-afdeling": Case(
        {"noter/Houlkærvænget.md": "a", "noter/houlkaervaenget.md": "b"},
        FEJL, "noter/houlkaervaenget.md", None, None, ("Houlkærvænget.md", "behold kun én"),
    ),
}  # fmt: skip


def make_data(tmp_path: Path, case: Case, monkeypatch) -> Path:
    raw = tmp_path / "data" / "raw"
    raw.mkdir(parents=True)
    for name in AGREEMENT_FILES:
        shutil.copy(REPO / "data" / "raw" / name, raw / name)
    if case.files is None:
        return tmp_path / "data"
    year_dir = raw / str(case.year)
    year_dir.mkdir()
    for name, content in case.files.items():
        path = year_dir / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if content is DIRECTORY:
            path.mkdir()
            continue
        path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
        if content is LOCKED:
            lock(monkeypatch, path)
    return tmp_path / "data"


def lock(monkeypatch, locked: Path) -> None:
    """The operating system refuses to open `locked`, as when another program holds it."""
    real_open = io.open

    def guarded_open(file, *args, **kwargs):
        if isinstance(file, str | Path) and Path(file) == locked:
            raise PermissionError(13, "Permission denied", str(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(io, "open", guarded_open)
    monkeypatch.setattr(builtins, "open", guarded_open)


def validate(data: Path, year: int) -> int:
    return main(["validate", "--year", str(year), "--data-dir", str(data),
                 "--reports-dir", str(data.parent / "reports")])  # fmt: skip


def expected_start(data: Path, case: Case) -> str:
    path = data / "raw" / str(case.year) / case.file if case.file else data / "raw" / str(case.year)
    where = [str(path)]
    if case.row is not None:
        where.append(f"række {case.row}")
    if case.column is not None:
        where.append(f'kolonne "{case.column}"')
    return f"{case.kind}: {', '.join(where)}: "


@pytest.mark.parametrize("name", list(CASES))
def test_each_bad_input_gives_one_clear_message(tmp_path, monkeypatch, capsys, name):
    case = CASES[name]
    data = make_data(tmp_path, case, monkeypatch)

    code = validate(data, case.year)

    err = capsys.readouterr().err
    assert "Traceback" not in err
    start = expected_start(data, case)
    matching = [line for line in err.splitlines() if line.startswith(start)]
    assert len(matching) == 1, f"expected a line starting with {start!r} in:\n{err}"
    for phrase in case.phrases:
        assert phrase in matching[0], phrase
    errors = [line for line in err.splitlines() if line.startswith(f"{FEJL}:")]
    if case.kind == FEJL:
        assert code == BAD_INPUT
        assert errors == matching, "one error per case"
    else:
        assert code == OK
        assert errors == []


def test_the_catalogue_holds_at_least_25_cases():
    assert len(CASES) >= 25


ALL_AT_ONCE = (
    "text-in-a-number-column",  # fraflytninger.csv
    "unknown-afdeling",  # udsaettelser.csv
    "tilfredse-above-besvarelser",  # tilfredshed.csv
    "med-foranstaltning-above-beboere",  # foranstaltninger.xlsx
    "unknown-aktivitet",  # aktiviteter.csv
    "metadata-period-not-dates",  # metadata.yaml
    "note-for-an-unknown-afdeling",  # noter/
)


def test_validate_reports_every_problem_of_a_year_at_once(tmp_path, monkeypatch, capsys):
    files = {name: content for case in ALL_AT_ONCE for name, content in CASES[case].files.items()}
    data = make_data(tmp_path, Case(files, FEJL, "", None, None, ()), monkeypatch)

    assert validate(data, 2025) == BAD_INPUT

    lines = capsys.readouterr().err.splitlines()
    for case in ALL_AT_ONCE:
        start = expected_start(data, CASES[case])
        assert any(line.startswith(start) for line in lines), (case, lines)
    assert len([line for line in lines if line.startswith(f"{FEJL}:")]) == len(ALL_AT_ONCE)


# --- odd but usable: read exactly, never guessed ---------------------------------------------


def read_2025(tmp_path: Path, files: dict[str, str | bytes], agreement):
    folder = tmp_path / "2025"
    for name, content in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return read_year(tmp_path, 2025, agreement)


def test_a_formula_is_read_as_the_value_excel_saved_never_computed(tmp_path, agreement):
    # Excel saved 3 for =B2*100; computing the formula would give 4000.
    rows = [["afdeling", "lejemaal", "fraflytninger"], ["Karup", 40, "=B2*100"]]
    content = xlsx(("A", rows), cached={"C2": "<v>3</v>"})

    inputs = read_2025(tmp_path, {"fraflytninger.xlsx": content}, agreement)

    assert inputs.tables["fraflytninger"]["fraflytninger"].tolist() == [3]
    assert inputs.warnings == []


@pytest.mark.parametrize("name", ["Udsættelser.csv", "UDSAETTELSER.CSV", "udsaettelser.csv"])
def test_table_file_names_match_like_headers(tmp_path, agreement, name):
    inputs = read_2025(tmp_path, {name: UDS + "Karup,2\n"}, agreement)

    assert inputs.tables["udsaettelser"]["effektive_udsaettelser"].tolist() == [2]
    assert [p.name for p in inputs.files] == [name]


def test_a_note_saved_as_windows_1252_is_read(tmp_path, agreement):
    note = "Beboerrådgiveren er på barsel; Bo Godt kører videre.\n"

    inputs = read_2025(tmp_path, {"noter/Kølvrå afd. 8.md": note.encode("cp1252")}, agreement)

    assert inputs.notes == {"Kølvrå afd. 8": note}


def test_the_header_row_is_where_the_header_is(tmp_path, agreement):
    # Two blank lines above the header: the header is row 3 in Excel.
    with pytest.raises(InputError) as caught:
        read_2025(tmp_path, {"udsaettelser.csv": "\n\nafdeling,udsaettelser\nKarup,1\n"}, agreement)

    [problem] = caught.value.problems
    assert problem.row == 3 and "mangler kolonnen effektive_udsaettelser" in problem.message


def test_a_file_open_in_excel_is_still_read_from_its_saved_version(tmp_path, agreement):
    files = {"udsaettelser.csv": UDS + "Karup,2\n", "~$udsaettelser.csv": b"\x00"}

    inputs = read_2025(tmp_path, files, agreement)

    assert inputs.tables["udsaettelser"]["effektive_udsaettelser"].tolist() == [2]
    [warning] = inputs.warnings
    assert "åben i Excel" in warning.message
