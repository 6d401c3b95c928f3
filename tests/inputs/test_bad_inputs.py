"""The catalogue of bad inputs: each case a small year folder and the message it must give.

Every case runs `evalkit validate` on a copy of the fixture's agreement files plus the case's
files in data/raw/<year>/. The message must name the file, the row as Excel shows it (the header is
row 1) and the column, in Danish, and say what was expected. An error exits with 1; a case
that is only a warning (the input is usable) exits with 0 and still says what was noticed.
"""

import builtins
import io
import time
import zipfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest

from evalkit.errors import ExitCode, InputError
from evalkit.inputs.readers import (
    MAX_COLUMNS,
    MAX_FILE_BYTES,
    MAX_ROWS,
    MAX_TEXT_BYTES,
    MAX_UNPACKED_BYTES,
)
from evalkit.inputs.tables import read_year
from tests.conftest import evalkit, project, xlsx

FEJL, ADVARSEL = "Fejl", "Advarsel"

DIRECTORY = object()  # the path is a folder, not a file
SPARSE = object()  # a file one byte larger than a table may be
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
    never: tuple[str, ...] = ()  # what no message may show (a CPR number, a control character)


def patched(workbook: bytes, replace: dict[bytes, bytes]) -> bytes:
    """The workbook with its first sheet's XML changed, as another program may have saved it."""
    source, target = zipfile.ZipFile(io.BytesIO(workbook)), io.BytesIO()
    with zipfile.ZipFile(target, "w") as out:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename in ("xl/worksheets/sheet1.xml", "xl/workbook.xml"):
                for old, new in replace.items():
                    data = data.replace(old, new)
            out.writestr(item, data)
    return target.getvalue()


def with_member(workbook: bytes, size: int) -> bytes:
    """The workbook with one more file in it that unpacks to `size` bytes (zeros pack tightly)."""
    target = io.BytesIO(workbook)
    with zipfile.ZipFile(target, "a", zipfile.ZIP_DEFLATED) as out:
        out.writestr("xl/media/padding.bin", bytes(size))
    return target.getvalue()


def shared_text_missing() -> bytes:
    """A cell pointing at text number 99 of the workbook's shared texts, which it has not."""
    workbook = xlsx(("A", [["afdeling", "effektive_udsaettelser"], ["Karup", 1]]))
    cell = b'<c r="A2" t="inlineStr"><is><t>Karup</t></is></c>'
    return patched(workbook, {cell: b'<c r="A2" t="s"><v>99</v></c>'})


def hidden_first_sheet() -> bytes:
    workbook = openpyxl.Workbook()
    old = workbook.active
    old.title, old.sheet_state = "Gammelt", "hidden"
    old.append(["afdeling", "effektive_udsaettelser"])
    old.append(["Karup", 9])
    new = workbook.create_sheet("Udsættelser 2025")
    new.append(["afdeling", "effektive_udsaettelser"])
    new.append(["Karup", 1])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def merged_title() -> bytes:
    """Evictions with a title merged across the columns above the headings, as in a report."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Effektive udsættelser 2025"])
    sheet.merge_cells("A1:B1")
    sheet.append(["afdeling", "effektive_udsaettelser"])
    sheet.append(["Karup", 1])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


ALIAS_BOMB = "eksempeldata: true\na: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"{b}: &{b} [{', '.join([f'*{a}'] * 9)}]\n" for a, b in zip("abcdefgh", "bcdefghi", strict=True)
)  # 9^9 strings from a few hundred bytes

FRAFLYT = "afdeling,lejemaal,fraflytninger\n"
CPR = ("311299", "4321")  # 31.12.99-4321, written below in the ways people write it

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
    # -- a title above the headings ------------------------------------------------------------
    "title-row-above-the-headings-in-a-csv": Case(
        {"fraflytninger.csv": "Fraflytninger 2025;;\nafdeling;lejemaal;fraflytninger\nKarup;4;3\n"},
        FEJL, "fraflytninger.csv", 1, None,
        ('"Fraflytninger 2025"', "står først i række 2", "slet titelrækken (række 1)"),
    ),
    "merged-title-row-in-excel": Case(
        {"udsaettelser.xlsx": merged_title()}, FEJL, "udsaettelser.xlsx", 1, None,
        ('"Effektive udsættelser 2025"', "række 2", "slet titelrækken (række 1)", "Excel"),
    ),
    "two-title-rows": Case(
        {"udsaettelser.csv": "Udsættelser\n\nKilde: BoligViborg\n" + UDS + "Karup,1\n"},
        FEJL, "udsaettelser.csv", 1, None,
        ("rækkerne 1–3 ligner en titel", "står først i række 4", "slet titelrækkerne (1–3)"),
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
        ('"Fraflytninger 2025 (LBF)"', "står først i række 3", "slet titelrækken (række 1)"),
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
        None, FEJL, "", None, None, ("mappen for året 2026 findes ikke", "new-year --year 2026"),
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
        # -- person data: a CPR number, however written, is refused and never shown ----------------
    "cpr-with-a-space-in-a-count-column": Case(
        {"udsaettelser.csv": UDS + "Karup,311299 4321\n"},
        FEJL, "udsaettelser.csv", 2, "effektive_udsaettelser", ("CPR-nummer",), never=CPR,
    ),
    "cpr-with-a-no-break-space-in-a-note": Case(
        {"noter/Karup.md": "Fint år.\nFamilien i nr. 3 (311299\u00a04321) er flyttet.\n"},
        FEJL, "noter/Karup.md", 2, None, ("CPR-nummer",), never=CPR,
    ),
    "cpr-with-a-thin-space-and-dashes-in-a-note": Case(
        {"noter/Karup.md": "Sag: 311299\u2009–\u20094321\n"},
        FEJL, "noter/Karup.md", 1, None, ("CPR-nummer",), never=CPR,
    ),
    "cpr-with-an-en-dash-as-an-afdeling": Case(
        {"udsaettelser.csv": UDS + "311299–4321,1\n"},
        FEJL, "udsaettelser.csv", 2, "afdeling", ("CPR-nummer",), never=CPR,
    ),
    "cpr-with-dots-in-a-text-column": Case(
        {"kommunale_maal.csv": "maal_nr,resultat,kilde\n1,Borger 311299.4321 svarede ja,x\n"},
        FEJL, "kommunale_maal.csv", 2, "resultat", ("CPR-nummer",), never=CPR,
    ),
    "cpr-with-a-minus-sign-in-an-aktivitet": Case(
        {"aktiviteter.csv": AKT + "Bo Godt 311299\u22124321,Karup,1,1\n"},
        FEJL, "aktiviteter.csv", 2, "aktivitet", ("CPR-nummer",), never=CPR,
    ),
    "cpr-as-a-column-header": Case(
        {"udsaettelser.csv": "afdeling,effektive_udsaettelser,311299-4321\nKarup,1,\n"},
        FEJL, "udsaettelser.csv", 1, "C", ("CPR-nummer",), never=CPR,
    ),
    "cpr-in-a-file-without-a-header": Case(
        {"udsaettelser.csv": "Karup,311299 4321\nStoholm,1\n"},
        FEJL, "udsaettelser.csv", 1, "B", ("CPR-nummer",), never=CPR,
    ),
    "cpr-that-excel-made-a-number-xlsx": Case(
        {"udsaettelser.xlsx": xlsx(("A", [["afdeling", "effektive_udsaettelser"],
                                          ["Karup", 102031234]]))},  # 010203-1234, 0 dropped
        FEJL, "udsaettelser.xlsx", 2, "effektive_udsaettelser", ("CPR-nummer",),
        never=("102031234", "02031234"),
    ),
    "cpr-that-excel-made-a-number-csv": Case(
        {"udsaettelser.csv": UDS + "Karup,102031234\n"},
        FEJL, "udsaettelser.csv", 2, "effektive_udsaettelser", ("CPR-nummer",),
        never=("102031234", "02031234"),
    ),
    "cpr-as-a-sheet-name": Case(
        {"udsaettelser.xlsx": xlsx(("311299-4321", [["afdeling", "effektive_udsaettelser"],
                                                    ["Karup", 1]]))},  # fmt: skip
        FEJL, "udsaettelser.xlsx", None, None, ("navnet på et ark", "CPR-nummer"), never=CPR,
    ),
    "cpr-as-a-note-file-name": Case(
        {"noter/311299-4321.md": "Fint år."},
        FEJL, "noter", None, None, ("navnet på en fil", "CPR-nummer"), never=CPR,
    ),
    "cpr-as-a-file-name-in-the-year-folder": Case(
        {"311299 4321.csv": UDS + "Karup,1\n"},
        FEJL, "", None, None, ("navnet på en fil", "CPR-nummer"), never=CPR,
    ),
    "cpr-in-metadata-beskrivelse": Case(
        {"metadata.yaml": "eksempeldata: false\nbeskrivelse: Klage fra 311299 - 4321\n"},
        FEJL, "metadata.yaml", 2, None, ("CPR-nummer",), never=CPR,
    ),
    "cpr-as-a-metadata-key": Case(
        {"metadata.yaml": "eksempeldata: false\n3112994321: ja\n"},
        FEJL, "metadata.yaml", 2, None, ("CPR-nummer",), never=CPR,
    ),
    "cpr-in-a-note-saved-as-utf16": Case(
        {"noter/Karup.md": "Sag 311299-4321\n".encode("utf-16")},
        FEJL, "noter/Karup.md", 1, None, ("CPR-nummer",), never=CPR,
    ),
    # -- inputs that would never end: every size is bounded --------------------------------
    "count-above-the-plausible-maximum": Case(
        {"udsaettelser.csv": UDS + "Karup,100000000\n"},
        FEJL, "udsaettelser.csv", 2, "effektive_udsaettelser", ("over grænsen på 1.000.000",),
    ),
    "count-of-1e30-xlsx": Case(
        {"udsaettelser.xlsx": xlsx(("A", [["afdeling", "effektive_udsaettelser"],
                                          ["Karup", 1e30]]))},  # fmt: skip
        FEJL, "udsaettelser.xlsx", 2, "effektive_udsaettelser", ("over grænsen",),
    ),
    "count-of-1E+400-xlsx": Case(
        {"udsaettelser.xlsx": patched(xlsx(("A", [["afdeling", "effektive_udsaettelser"],
                                                  ["Karup", 7]])),
                                      {b"<v>7</v>": b"<v>1E+400</v>"})},
        FEJL, "udsaettelser.xlsx", 2, "effektive_udsaettelser", ("ikke et endeligt tal",),
    ),
    "count-of-1E+400-csv": Case(
        {"udsaettelser.csv": UDS + "Karup,1E+400\n"},
        FEJL, "udsaettelser.csv", 2, "effektive_udsaettelser", ('"1E+400" er ikke et tal',),
    ),
    "more-rows-than-the-limit": Case(
        {"udsaettelser.csv": UDS + "Karup,1\n" * (MAX_ROWS + 1)},
        FEJL, "udsaettelser.csv", MAX_ROWS + 1, None, ("mere end 100.000 rækker",),
    ),
    "content-beyond-the-column-limit-xlsx": Case(
        {"udsaettelser.xlsx": xlsx(("A", [["afdeling", "effektive_udsaettelser"],
                                          ["Karup", 1] + [None] * (MAX_COLUMNS - 2) + ["x"]]))},
        FEJL, "udsaettelser.xlsx", 2, None, ("højst 100 kolonner",),
    ),
    "table-file-too-large": Case(
        {"udsaettelser.csv": SPARSE}, FEJL, "udsaettelser.csv", None, None,
        ("filen fylder 20,0 MB", "højst 20 MB"),
    ),
    "xlsx-that-unpacks-to-too-much": Case(
        {"udsaettelser.xlsx": with_member(xlsx(("A", [["afdeling", "effektive_udsaettelser"],
                                                      ["Karup", 1]])), MAX_UNPACKED_BYTES)},
        FEJL, "udsaettelser.xlsx", None, None, ("fylder udpakket", "højst 200 MB"),
    ),
    "a-cell-longer-than-csv-allows": Case(
        {"udsaettelser.csv": UDS + 'Karup,"' + "9" * 200_000 + '"\n'},
        FEJL, "udsaettelser.csv", None, None, ("en celle er for lang",),
    ),
    "yaml-alias-bomb": Case(
        {"metadata.yaml": ALIAS_BOMB}, FEJL, "metadata.yaml", 2, None,
        ("ankre og henvisninger (& og *) tages ikke imod",),
    ),
    "yaml-nested-too-deep": Case(
        {"metadata.yaml": "beskrivelse: " + "[" * 5000 + "]" * 5000 + "\n"},
        FEJL, "metadata.yaml", 1, None, ("indlejret for dybt",),
    ),
    "note-too-large": Case(
        {"noter/Karup.md": "x" * (MAX_TEXT_BYTES + 1)}, FEJL, "noter/Karup.md", None, None,
        ("højst 1 MB",),
    ),
    # -- impossible values ----------------------------------------------------------------------
    "evictions-in-an-afdeling-of-0-dwellings": Case(
        {"fraflytninger.csv": FRAFLYT + "Karup,0,0\n", "udsaettelser.csv": UDS + "Karup,3\n"},
        FEJL, "udsaettelser.csv", 2, "effektive_udsaettelser",
        ("effektive_udsaettelser (3) er større end afdelingens lejemaal (0) i fraflytninger.csv",),
    ),
    "more-evictions-than-dwellings": Case(
        {"fraflytninger.csv": FRAFLYT + "Karup,10,1\n",
         "udsaettelser.csv": "Afdeling,Effektive udsættelser\nKarup,11\n"},
        FEJL, "udsaettelser.csv", 2, "Effektive udsættelser", ("(11) er større end", "(10)"),
    ),
    # -- Excel files that are not what they say ----------------------------------------------
    "xlsx-with-broken-sheet-xml": Case(
        {"udsaettelser.xlsx": patched(xlsx(("A", [["afdeling", "effektive_udsaettelser"],
                                                  ["Karup", 7]])), {b"</sheetData>": b""})},
        FEJL, "udsaettelser.xlsx", None, None, ("beskadiget", "gem den igen"),
    ),
    "xlsx-with-a-missing-shared-text": Case(
        {"udsaettelser.xlsx": shared_text_missing()},
        FEJL, "udsaettelser.xlsx", None, None, ("beskadiget",),
    ),
    "xlsx-whose-first-sheet-is-hidden": Case(
        {"udsaettelser.xlsx": hidden_first_sheet()},
        FEJL, "udsaettelser.xlsx", None, None, ('det første ark, "Gammelt", er skjult',),
    ),
    # -- what a message shows of a value --------------------------------------------------------
    "a-name-of-100000-characters": Case(
        {"udsaettelser.csv": UDS + "K" * 100_000 + ",1\n"},
        FEJL, "udsaettelser.csv", 2, "afdeling", ("KKKK…", "kendes ikke"), never=("K" * 100,),
    ),
    "a-right-to-left-override-in-a-name": Case(
        {"udsaettelser.csv": UDS + "Karup\u202e1,1\n"},
        FEJL, "udsaettelser.csv", 2, "afdeling", ('"Karup<U+202E>1"',), never=("\u202e",),
    ),
    "metadata-date-that-does-not-exist": Case(
        {"metadata.yaml": "eksempeldata: false\nperiode:\n  fra: 2025-02-30\n  til: 2025-12-31\n"},
        FEJL, "metadata.yaml", 3, None, ("datoen 2025-02-30 findes ikke",),
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
        ("endelsen .md",), never=("Filtypenavne",),
    ),
    # Notepad adds .txt, and Windows hides it: the file looks like "Ringparken.md".
    "note-with-a-hidden-txt-extension": Case(
        {"noter/Ringparken.md.txt": "Fint år."}, FEJL, "noter/Ringparken.md.txt", None, None,
        ('hedder "Ringparken.md.txt"', 'viser den som "Ringparken.md"', "skjuler endelsen .txt",
         'Omdøb den til "Ringparken.md"', "Filtypenavne"),
    ),
    "table-with-a-hidden-txt-extension": Case(
        {"udsaettelser.csv.txt": UDS + "Karup,1\n"}, FEJL, "udsaettelser.csv.txt", None, None,
        ('viser den som "udsaettelser.csv"', 'Omdøb den til "udsaettelser.csv"'),
    ),
    "two-notes-for-one-afdeling": Case(
        {"noter/Houlkærvænget.md": "a", "noter/houlkaervaenget.md": "b"},
        FEJL, "noter/houlkaervaenget.md", None, None, ("Houlkærvænget.md", "behold kun én"),
    ),
}  # fmt: skip


def make_data(tmp_path: Path, case: Case, monkeypatch) -> Path:
    data = project(tmp_path, years=False, viborg_only=True)
    if case.files is None:
        return data
    year_dir = data / "raw" / str(case.year)
    year_dir.mkdir()
    for name, content in case.files.items():
        path = year_dir / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if content is DIRECTORY:
            path.mkdir()
            continue
        if content is SPARSE:  # as large as a file may not be, without writing it
            with path.open("wb") as handle:
                handle.truncate(MAX_FILE_BYTES + 1)
            continue
        path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
        if content is LOCKED:
            lock(monkeypatch, path)
    return data


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
    return evalkit(data, "validate", "--year", str(year))


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
    for secret in case.never:
        assert secret not in err
    start = expected_start(data, case)
    matching = [line for line in err.splitlines() if line.startswith(start)]
    assert len(matching) == 1, f"expected a line starting with {start!r} in:\n{err}"
    for phrase in case.phrases:
        assert phrase in matching[0], phrase
    errors = [line for line in err.splitlines() if line.startswith(f"{FEJL}:")]
    if case.kind == FEJL:
        assert code == ExitCode.BAD_INPUT
        assert errors == matching, "one error per case"
    else:
        assert code == ExitCode.OK
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

    assert validate(data, 2025) == ExitCode.BAD_INPUT

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


@pytest.mark.parametrize(
    "content",
    ["afdeling\nKarup,1\n", "afdeling\n\nKarup\n", "Udsættelser\n2025,1\n"],
    ids=["one-heading-over-figures", "one-column", "title-over-figures"],
)
def test_only_a_row_of_words_under_a_single_cell_makes_it_a_title(tmp_path, agreement, content):
    with pytest.raises(InputError) as caught:
        read_2025(tmp_path, {"udsaettelser.csv": content}, agreement)

    assert all("titel" not in p.message for p in caught.value.problems)


def test_the_rows_under_a_title_are_still_checked(tmp_path, agreement):
    rows = "Udsættelser 2025\n" + UDS + "Karup,1\nAtlantis,2\n"
    with pytest.raises(InputError) as caught:
        read_2025(tmp_path, {"udsaettelser.csv": rows}, agreement)

    title, unknown = caught.value.problems
    assert title.row == 1 and "slet titelrækken" in title.message
    assert unknown.row == 4 and '"Atlantis" kendes ikke' in unknown.message


def test_a_file_open_in_excel_is_still_read_from_its_saved_version(tmp_path, agreement):
    files = {"udsaettelser.csv": UDS + "Karup,2\n", "~$udsaettelser.csv": b"\x00"}

    inputs = read_2025(tmp_path, files, agreement)

    assert inputs.tables["udsaettelser"]["effektive_udsaettelser"].tolist() == [2]
    [warning] = inputs.warnings
    assert "åben i Excel" in warning.message


def test_an_xlsx_that_claims_a_sheet_of_a_million_rows_is_read_as_the_rows_it_has(
    tmp_path, agreement
):
    # The stored size claims A1:XFD1048576, and an empty formatted cell sits in the far
    # corner: reading the claimed size took minutes (issue #11).
    workbook = xlsx(("A", [["afdeling", "effektive_udsaettelser"], ["Karup", 1], ["Lindon", 2]]))
    content = patched(workbook, {b'<dimension ref="A1:B3" />': b'<dimension ref="A1:XFD1048576"/>',
                                 b"</sheetData>": b'<row r="1048576"><c r="XFD1048576" s="0"/>'
                                                  b"</row></sheetData>"})  # fmt: skip
    assert content != workbook and len(content) < 6000

    started = time.perf_counter()
    inputs = read_2025(tmp_path, {"udsaettelser.xlsx": content}, agreement)

    assert time.perf_counter() - started < 10
    assert inputs.tables["udsaettelser"]["effektive_udsaettelser"].tolist() == [1, 2]


def test_an_xlsx_that_claims_too_small_a_sheet_loses_no_row(tmp_path, agreement):
    rows = [["afdeling", "effektive_udsaettelser"]] + [[a, i] for i, a in enumerate(AFDELINGER)]
    workbook = xlsx(("A", rows))
    content = patched(workbook, {b'<dimension ref="A1:B13" />': b'<dimension ref="A1:B5"/>'})
    assert content != workbook

    inputs = read_2025(tmp_path, {"udsaettelser.xlsx": content}, agreement)

    assert inputs.tables["udsaettelser"]["effektive_udsaettelser"].tolist() == list(range(12))


AFDELINGER = ["Ringparken", "Kølvrå afd. 8", "Vestervang", "Houlkærvænget", "Solgården",
              "Kildegården", "Rønneallé", "Engholmvej", "Vestergade", "Elmely", "Lindon",
              "Karup"]  # fmt: skip


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-8-sig", "cp1252"])
def test_a_note_is_read_in_the_encodings_editors_save(tmp_path, agreement, encoding):
    note = "Beboerrådgiveren er på barsel; Bo Godt kører videre.\n"
    data = note.encode(encoding)
    if encoding == "utf-16-be":
        data = b"\xfe\xff" + data  # with its byte order mark, as Windows saves it

    inputs = read_2025(tmp_path, {"noter/Karup.md": data}, agreement)

    assert inputs.notes == {"Karup": note}
