"""Spec: any delaftale is evaluated from its YAML alone (inputs.agreement, compute).

The project here is built by the test: a helhedsplan of two boligselskaber and five
afdelinger with one delaftale that no code knows (new indicator ids, tables and columns):
one share, one sensitive count per 1,000. Every figure below is computed by hand.
"""

import re
import textwrap
from pathlib import Path

import pandas as pd
import pytest

from evalkit.cli import main
from evalkit.compute.build import build_years, load_processed
from evalkit.compute.privacy import PRIMARY, publish
from evalkit.errors import ExitCode, InputError
from evalkit.inputs.agreement import load_agreement
from evalkit.inputs.tables import read_year, specs
from evalkit.paths import Paths
from tests.conftest import NOTEBOOKS, REPO

PLAN = """\
navn: Testplanen
lejemaal: {tabel: boliger, kolonne: lejemaal}
evalkit: {diskretion: 5}
"""
DELAFTALE = """\
navn: Tryghed i opgangen
periode: {fra: 2025-01-01, til: 2026-12-31}
evaluering: Evalueres årligt.
delmaal:
  - nr: 1
    navn: At flere føler sig trygge
    indikator:
      id: tryg_andel
      navn: Andelen, der føler sig trygge
      kort_navn: Tryghed
      type: andel
      tabel: tryghedsmaaling
      taeller: trygge
      naevner: svar
      naevner_navn: svar
      taeller_enhed: svar
      retning: op
      retning_kilde: "Delmålets ordlyd: At flere føler sig trygge"
      foelsom: false
      baseline_aar: 2025
      datakilde: Testens egen måling
  - nr: 2
    navn: At færre anmelder hærværk
    indikator:
      id: haervaerk_antal
      navn: Antallet af husstande, der har anmeldt hærværk
      kort_navn: Hærværk
      type: antal
      tabel: anmeldelser
      taeller: husstande_med_anmeldelse
      pr_1000: {tabel: boliger, kolonne: lejemaal, navn: lejemål}
      taeller_enhed: husstande
      retning: ned
      retning_kilde: "Delmålets ordlyd: At færre anmelder hærværk"
      foelsom: true
      baseline_aar: 2025
      datakilde: Testens egne tal
aktiviteter:
  - {navn: Opgangsmøder, kort_navn: Møder, timer_pr_uge: 2, formaal: Møder i opgangene.}
kommunale_maal: []
"""
AFDELINGER = """\
afdeling,boligselskab,afdelingsnummer,boligtype,kilde
Nord,Selskab A,1,ukendt,test
Syd,Selskab A,2,ukendt,test
Øst,Selskab A,3,ukendt,test
Vest,Selskab B,4,ukendt,test
Midt,Selskab B,5,ukendt,test
"""
YEARS = {
    2025: {
        "boliger.csv": "afdeling,lejemaal\nNord,100\nSyd,200\nØst,50\nVest,150\nMidt,80\n",
        "tryghedsmaaling.csv": "afdeling,svar,trygge\nNord,40,30\nSyd,50,20\nVest,60,45\n",
        "anmeldelser.csv": "afdeling,husstande_med_anmeldelse\nNord,0\nSyd,12\nØst,3\nVest,9\n"
        "Midt,7\n",
        "aktiviteter.csv": "aktivitet,afdeling,timer,deltagere\nOpgangsmøder,Nord,10,4\n",
    },
    2026: {
        "boliger.csv": "afdeling,lejemaal\nNord,100\nSyd,200\nØst,50\nVest,150\nMidt,80\n",
        "tryghedsmaaling.csv": "afdeling,svar,trygge\nNord,40,36\nSyd,50,21\nVest,60,40\n",
        "anmeldelser.csv": "afdeling,husstande_med_anmeldelse\nNord,0\nSyd,6\nØst,2\nVest,9\n"
        "Midt,8\n",
    },
}


def project(root: Path, delaftaler: dict[str, str] | None = None) -> Paths:
    """A data folder with the test's helhedsplan, its delaftaler and two years."""
    paths = Paths(data=root / "data", reports=root / "reports")
    raw = paths.raw
    (raw / "delaftaler").mkdir(parents=True)
    (raw / "helhedsplan.yaml").write_text(PLAN, encoding="utf-8")
    for name, text in (delaftaler or {"tryghed.yaml": DELAFTALE}).items():
        (raw / "delaftaler" / name).write_text(text, encoding="utf-8")
    (raw / "afdelinger.csv").write_text(AFDELINGER, encoding="utf-8")
    (raw / "baseline.csv").write_text("afdeling,indikator,aar,vaerdi,kilde\n", encoding="utf-8")
    (raw / "sammenligning.csv").write_text("indikator,gruppe,aar,vaerdi,kilde\n", "utf-8")
    for year, files in YEARS.items():
        (raw / str(year)).mkdir()
        for name, text in files.items():
            (raw / str(year) / name).write_text(text, encoding="utf-8")
    return paths


@pytest.fixture
def built(tmp_path):
    paths = project(tmp_path)
    agreement = load_agreement(paths.raw)
    build_years(paths, [2025, 2026], agreement)
    table = load_processed(paths, 2026).indikatorer
    return paths, agreement, table


def row(table: pd.DataFrame, aar: int, indikator: str, enhed: str) -> pd.Series:
    found = table[(table["aar"] == aar) & (table["indikator"] == indikator)
                  & (table["enhed"] == enhed)]  # fmt: skip
    assert len(found) == 1, (aar, indikator, enhed)
    return found.iloc[0]


# --- the declarations are the whole contract ---------------------------------------------------


def test_the_tables_and_columns_come_from_the_declarations(tmp_path):
    agreement = load_agreement(project(tmp_path).raw)
    tables = specs(agreement)
    assert list(tables["tryghedsmaaling"].columns) == ["afdeling", "svar", "trygge"]
    assert list(tables["anmeldelser"].columns) == ["afdeling", "husstande_med_anmeldelse"]
    assert "lejemaal" in tables["boliger"].columns
    # A sensitive count is at most its exposure, checked against the other table.
    assert tables["anmeldelser"].at_most_in == (("husstande_med_anmeldelse", "boliger",
                                                 "lejemaal"),)  # fmt: skip
    assert {"aktiviteter", "kommunale_maal"} <= set(tables)


def test_a_share_is_the_ratio_of_sums_with_its_wilson_interval(built):
    _, _, table = built
    nord = row(table, 2025, "tryg_andel", "Nord")
    assert (nord["taeller"], nord["naevner"], nord["vaerdi"]) == (30, 40, 75.0)
    assert nord["ki_nedre"] == pytest.approx(59.81, abs=0.01)  # Wilson 30/40
    a = row(table, 2025, "tryg_andel", "Selskab A")  # Nord and Syd: (30 + 20) / (40 + 50)
    assert a["vaerdi"] == pytest.approx(100 * 50 / 90)
    assert (a["afdelinger_med_data"], a["afdelinger_i_alt"]) == (2, 3)
    assert row(table, 2025, "tryg_andel", "Testplanen")["vaerdi"] == pytest.approx(100 * 95 / 150)


def test_a_count_per_1000_of_its_declared_exposure(built):
    _, _, table = built
    syd = row(table, 2025, "haervaerk_antal", "Syd")
    assert (syd["taeller"], syd["naevner"], syd["pr_1000"]) == (12, 200, 60.0)
    plan = row(table, 2025, "haervaerk_antal", "Testplanen")
    assert (plan["taeller"], plan["naevner"]) == (31, 580)


def test_the_baseline_year_is_the_baseline_of_the_next(built):
    _, _, table = built
    assert row(table, 2025, "tryg_andel", "Nord")["status"] == "baselineår"
    nord = row(table, 2026, "tryg_andel", "Nord")  # 36/40 against 30/40
    assert (nord["baseline"], nord["baseline_kilde"]) == (75.0, "data 2025")
    assert nord["delaftale"] == "Tryghed i opgangen"


def test_small_counts_of_a_sensitive_indicator_are_hidden_and_audited(built):
    _, agreement, table = built
    published = publish(table, agreement)
    assert published.holds
    shown = published.table
    oest = shown[(shown["aar"] == 2025) & (shown["enhed"] == "Øst")
                 & (shown["indikator"] == "haervaerk_antal")].iloc[0]  # fmt: skip
    assert oest["skjult"] == PRIMARY and pd.isna(oest["taeller"])
    # The share is not sensitive: nothing of it is hidden.
    assert (shown.loc[shown["indikator"] == "tryg_andel", "skjult"] == "").all()


def test_the_activity_plan_follows_the_delaftales_own_period(built):
    paths, _, _ = built
    plan = load_processed(paths, 2025).aktiviteter
    total = plan[(plan["niveau"] == "samlet") & (plan["aktivitet"] == "Opgangsmøder")].iloc[0]
    assert total["planlagte_timer"] == pytest.approx(2 * 365 / 7)
    assert total["delaftale"] == "Tryghed i opgangen"


def test_a_missing_declared_column_is_told_with_file_and_row(tmp_path):
    paths = project(tmp_path)
    (paths.raw_year(2025) / "tryghedsmaaling.csv").write_text("afdeling,svar\nNord,40\n")
    with pytest.raises(InputError) as caught:
        read_year(paths.raw, 2025, load_agreement(paths.raw))
    text = "\n".join(map(str, caught.value.problems))
    assert "tryghedsmaaling.csv" in text and "række 1" in text and "trygge" in text


# --- a bad delaftale file --------------------------------------------------------------------

BAD = [
    ("type: andel", "type: andell", "delmaal[1].indikator.type", "andel"),
    ("      taeller: trygge\n", "", "delmaal[1].indikator.taeller", "mangler"),
    ("retning: op\n", "retning: opad\n", "delmaal[1].indikator.retning", "ned, op eller ingen"),
    ("      naevner: svar\n", "", "delmaal[1].indikator.naevner", "mangler"),
    ("foelsom: true", "foelsom: ja", "delmaal[2].indikator.foelsom", "true eller false"),
    ("baseline_aar: 2025\n      datakilde: Testens egne",
     "baseline_aar: tyve\n      datakilde: Testens egne", "delmaal[2].indikator.baseline_aar",
     "årstal"),
    ("      retning_kilde: \"Delmålets ordlyd: At færre anmelder hærværk\"\n", "",
     "delmaal[2].indikator.retning_kilde", "mangler"),
    ("      datakilde: Testens egne tal\n", "      datakilde: Testens egne tal\n"
     "      afdelingsdiagram: true\n", "delmaal[2].indikator.afdelingsdiagram", "andel"),
    ("      datakilde: Testens egen måling\n", "      datakilde: Testens egen måling\n"
     "      sammenlign_efter: bolig_type\n", "delmaal[1].indikator.sammenlign_efter",
     "ikke en kolonne i afdelinger.csv"),
    # YAML reads an unquoted "Eksempel: tekst" as a mapping, not a text
    ("kommunale_maal: []", "kommunale_maal:\n  - Eksempel: flere trygge", "kommunale_maal[1]",
     "sæt hele teksten i anførselstegn"),
]  # fmt: skip


@pytest.mark.parametrize(("old", "new", "key", "told"), BAD, ids=[b[2] for b in BAD])
def test_a_bad_declaration_names_the_file_the_key_and_what_is_allowed(
    tmp_path, old, new, key, told
):
    assert old in DELAFTALE
    paths = project(tmp_path, {"tryghed.yaml": DELAFTALE.replace(old, new, 1)})
    with pytest.raises(InputError) as caught:
        load_agreement(paths.raw)
    text = "\n".join(map(str, caught.value.problems))
    assert "tryghed.yaml" in text
    assert key in text, text
    assert told in text, text


def test_an_id_used_twice_in_the_helhedsplan_is_an_error(tmp_path):
    other = DELAFTALE.replace("navn: Tryghed i opgangen", "navn: En anden").replace(
        "Opgangsmøder", "Andre møder"
    )
    paths = project(tmp_path, {"tryghed.yaml": DELAFTALE, "anden.yaml": other})
    with pytest.raises(InputError) as caught:
        load_agreement(paths.raw)
    text = "\n".join(map(str, caught.value.problems))
    assert 'indikatoren "tryg_andel" findes også i' in text


def test_the_command_line_tells_a_bad_declaration_in_danish(tmp_path, capsys):
    paths = project(tmp_path, {"tryghed.yaml": DELAFTALE.replace("type: antal", "type: tal")})
    assert main(["validate", "--data-dir", str(paths.data)]) == ExitCode.BAD_INPUT
    err = capsys.readouterr().err
    assert "delmaal[2].indikator.type" in err and "Traceback" not in err


def test_new_year_writes_templates_for_the_declared_tables(tmp_path):
    paths = project(tmp_path)
    assert main(["new-year", "--year", "2027", "--data-dir", str(paths.data)]) == ExitCode.OK
    made = {p.name for p in paths.raw_year(2027).iterdir()}
    assert {"tryghedsmaaling.csv", "anmeldelser.csv", "boliger.csv"} <= made
    (paths.raw_year(2027) / "anmeldelser.csv").unlink()
    again = ["new-year", "--year", "2027", "--manglende", "--data-dir", str(paths.data)]
    assert main(again) == ExitCode.OK
    assert (paths.raw_year(2027) / "anmeldelser.csv").exists()


# --- no code knows an indicator ------------------------------------------------------------

SRC = REPO / "src" / "evalkit"


def declared_names(raw: Path) -> set[str]:
    """Every indicator id and indicator table that the agreement files in `raw` declare."""
    agreement = load_agreement(raw)
    names = {i.id for i in agreement.indicators} | {i.tabel for i in agreement.indicators}
    return names | {i.pr_1000.tabel for i in agreement.indicators if i.pr_1000}


@pytest.mark.parametrize("source", ["shipped", "this test's"])
def test_no_indicator_id_or_table_name_appears_in_the_code(tmp_path, source):
    raw = REPO / "data" / "raw" if source == "shipped" else None  # the agreement files only
    names = declared_names(raw or project(tmp_path).raw)
    code = {p: p.read_text(encoding="utf-8") for p in SRC.rglob("*") if p.is_file()
            and p.suffix in (".py", ".j2", ".css", ".json")}  # fmt: skip
    found = {
        (name, p.relative_to(SRC).as_posix())
        for name in names
        for p, text in code.items()
        if re.search(rf"(?<![\w]){re.escape(name)}(?![\w])", text)
    }
    assert not found


def test_the_shipped_example_delaftale_says_it_is_one():
    raw = REPO / "data" / "raw"  # the agreement files only
    agreement = load_agreement(raw)
    for d in agreement.delaftaler:
        text = (raw / "delaftaler" / d.fil).read_text(encoding="utf-8")
        assert d.eksempel == ("eksempel: true" in text)
        if d.eksempel:
            assert "EKSEMPEL" in textwrap.dedent(text).splitlines()[0]


# --- the report: one per unit, a part per delaftale ----------------------------------------------

EXAMPLE = """\
navn: Et eksempel
eksempel: true
periode: {fra: 2025-01-01, til: 2026-12-31}
evaluering: Eksempel.
delmaal:
  - nr: 1
    navn: At flere bor godt
    indikator:
      id: bor_godt
      navn: Andelen, der bor godt
      kort_navn: Bor godt
      type: andel
      tabel: boliger
      taeller: gode
      naevner: lejemaal
      naevner_navn: lejemål
      taeller_enhed: lejemål
      retning: ingen
      foelsom: false
      sammenlign_efter: boligselskab
      afdelingsdiagram: true
      baseline_aar: 2025
      datakilde: Opdigtet
"""


def test_a_report_has_a_part_per_delaftale_and_an_example_says_so(tmp_path):
    from evalkit.report.view import Report

    paths = project(tmp_path, {"a.yaml": DELAFTALE, "b.yaml": EXAMPLE})
    for year in YEARS:  # the example's share: half of each afdeling's lejemål "bor godt"
        path = paths.raw_year(year) / "boliger.csv"
        rows = path.read_text(encoding="utf-8").splitlines()
        gode = [rows[0] + ",gode"] + [f"{r},{int(r.split(',')[1]) // 2}" for r in rows[1:]]
        path.write_text("\n".join(gode) + "\n", encoding="utf-8")
    (paths.raw / "sammenligning.csv").write_text(
        "indikator,gruppe,aar,vaerdi,kilde\nbor_godt,Selskab A,2024,40,test\n"
        "bor_godt,Selskab B,2024,60,test\n", encoding="utf-8")  # fmt: skip
    agreement = load_agreement(paths.raw)
    build_years(paths, [2025, 2026], agreement)

    report = Report.load(paths.data, 2026, "afdeling", "Nord")
    real, example = report.delaftaler
    assert [real.delaftale.navn, example.delaftale.navn] == ["Tryghed i opgangen", "Et eksempel"]
    assert "Eksempelaftale – ikke en rigtig delaftale" in example.heading()
    assert "Eksempelaftale" not in real.heading()
    # Each part shows its own delmål only.
    assert "Tryghed" not in example.status_table() and "At flere bor godt" in example.status_table()
    assert "At flere bor godt" not in real.status_table()
    # The comparison is picked by the declared column of afdelinger.csv: Nord is in Selskab A.
    assert example.comparison(agreement.indicator("bor_godt")).lines == ["Selskab A: 40,0 % (2024)"]
    # An afdeling chart where declared, on the overview of a company.
    company = Report.load(paths.data, 2026, "boligselskab", "Selskab A")
    assert [len(p.afdeling_charts()) for p in company.delaftaler] == [0, 1]
    # The privacy line belongs to the part with a sensitive indicator.
    assert "Diskretion" in real.status_table() and "Diskretion" not in example.status_table()


def test_a_delaftale_nobody_wrote_code_for_is_reported_end_to_end(tmp_path):
    """`evalkit run` on the test's plan: reports, tal.csv and the index follow the YAML."""
    paths = project(tmp_path)
    code = main(["run", "--year", "2026", "--data-dir", str(paths.data),
                 "--reports-dir", str(paths.reports),
                 "--notebooks-dir", str(NOTEBOOKS)])  # fmt: skip
    assert code == ExitCode.OK
    folder = paths.reports / "2026"
    assert len(list(folder.glob("*.html"))) == 5 + 2 + 1
    syd = (folder / "syd.html").read_text(encoding="utf-8")
    assert "Tryghed i opgangen" in syd and "At flere føler sig trygge" in syd
    assert "42,0 %" in syd  # Syd's tryghed: 21 of 50
    total = (folder / "helhedsplan.html").read_text(encoding="utf-8")
    assert "Hærværk" in total and "pr. 1.000 lejemål" in total
    # Øst's 2 households are hidden everywhere; the status does not tell them.
    oest = (folder / "oest.html").read_text(encoding="utf-8")
    assert "under 5 husstande" in oest
    tal = pd.read_csv(folder / "tal.csv", dtype=str)
    assert set(tal["delaftale"]) == {"Tryghed i opgangen"}
    hidden = tal[(tal["enhed"] == "Øst") & (tal["indikator"] == "haervaerk_antal")]
    assert list(hidden["taeller"]) == ["<5"]
    index = (paths.reports / "index.html").read_text(encoding="utf-8")
    assert "Tryghed i opgangen" in index and "syd.html" in index
