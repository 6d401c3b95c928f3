"""Spec: `evalkit run` makes only the reports whose inputs changed (evalkit.publish.incremental).

One project goes through the runs an analyst makes: the first, one with nothing changed,
one after an afdeling's figures changed, one after a note was added, a forced one, one after
a page was deleted, one after an afdeling got its own notebook. Six units stand for all: two
afdelinger of each boligselskab, both boligselskaber, the plan. What is made again follows
from the inputs and the notebooks' files, not from what a page says, so tiny notebooks stand
in for the real ones.
"""

import json
import subprocess
import sys
from concurrent.futures import wait
from pathlib import Path

import pytest

from evalkit.compute.build import build_years
from evalkit.domain import ReportUnit
from evalkit.errors import ExitCode
from evalkit.execution import executors, kernels, render, zygote
from evalkit.inputs.agreement import load_agreement
from evalkit.paths import Paths
from evalkit.publish import incremental, records, tal
from evalkit.publish.progress import Progress
from tests.conftest import YEAR, YEARS, evalkit, kernel_processes, project, tiny_notebooks

UNITS = [
    ReportUnit("samlet", "Helhedsplanen"),
    ReportUnit("boligselskab", "BoligViborg"),
    ReportUnit("boligselskab", "Boligselskabet Sct. Jørgen"),
    ReportUnit("afdeling", "Lindon"),  # BoligViborg
    ReportUnit("afdeling", "Karup"),  # Sct. Jørgen
    ReportUnit("afdeling", "Stoholm"),  # Sct. Jørgen
]


def pages(paths: Paths) -> dict[str, int]:
    """Each file in the year's report folder, by its modification time."""
    return {p.name: p.stat().st_mtime_ns for p in paths.reports_year(YEAR).iterdir()}


def made_again(before: dict[str, int], after: dict[str, int]) -> set[str]:
    """The units whose page is new or was written again."""
    return {
        name.removesuffix(".html")
        for name, written in after.items()
        if name.endswith(".html") and before.get(name) != written
    }


def tiny(root) -> Path:
    return tiny_notebooks(root / "notebooks", "print(enhed)")


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    root = tmp_path_factory.mktemp("incremental")
    paths = Paths(data=project(root), reports=root / "reports", notebooks=tiny(root))
    steps = {}

    def run(name: str, change=None, force=False, units=UNITS) -> None:
        if change:
            change()
        agreement = load_agreement(paths.raw)
        build_years(paths, YEARS, agreement)
        tal.publish_years(paths, agreement, YEARS)
        before = pages(paths) if paths.reports_year(YEAR).exists() else {}
        outcomes = incremental.make_reports(
            paths, agreement, [YEAR], units, 2, force, executor=executor
        )
        manifest = json.loads((paths.reports_year(YEAR) / records.MANIFEST).read_text("utf-8"))
        steps[name] = {
            "ok": all(o.ok for o in outcomes[YEAR]),
            "made": made_again(before, pages(paths)),
            "files": {e["enhed"]: {f["fil"] for f in e["filer"]} for e in manifest},
        }

    def lindon_moves_out() -> None:
        path = paths.raw_year(YEAR) / "fraflytninger.csv"
        path.write_text(path.read_text("utf-8").replace("Lindon,11,6", "Lindon,11,7"), "utf-8")

    def karup_note() -> None:
        (paths.raw_year(YEAR) / "noter" / "Karup.md").write_text("Ny beboerforening.\n", "utf-8")

    def karups_own_notebook() -> None:
        # docs/notebooks.md: a copy of afdeling.ipynb with a section of its own.
        notebook = json.loads((paths.notebooks / "afdeling.ipynb").read_text("utf-8"))
        notebook["cells"].append(
            {"cell_type": "markdown", "id": "karup", "metadata": {},
             "source": ["## Karups eget afsnit\n", "Kun i Karups rapport."]}
        )  # fmt: skip
        own = paths.notebooks / "afdelinger" / "karup.ipynb"
        own.parent.mkdir()
        own.write_text(json.dumps(notebook), encoding="utf-8")

    with executors.pool(2) as executor:  # one pool for all runs: its kernels start once
        run("first")
        run("nothing changed")
        run("Lindon's figures changed", change=lindon_moves_out)
        run("a note for Karup", change=karup_note)
        run("forced", force=True, units=[ReportUnit("afdeling", "Karup")])
        run("a page deleted", change=lambda: (paths.reports_year(YEAR) / "stoholm.html").unlink())
        run("Karup has its own notebook", change=karups_own_notebook)
    steps["pages"] = {p.stem: p.read_text("utf-8") for p in paths.reports_year(YEAR).glob("*.html")}
    return steps


@pytest.mark.parametrize(
    ("step", "made"),
    [
        ("first", {u.slug for u in UNITS}),
        ("nothing changed", set()),
        ("Lindon's figures changed", {"lindon", "boligviborg", "helhedsplan"}),
        ("a note for Karup", {"karup"}),  # the one report that shows it
        ("forced", {"karup"}),
        ("a page deleted", {"stoholm"}),
        ("Karup has its own notebook", {"karup"}),
    ],
)
def test_a_run_makes_only_what_changed(runs, step, made):
    assert runs[step]["ok"]
    assert runs[step]["made"] == made


def test_a_note_is_named_by_its_own_afdelings_report_only(runs):
    files = runs["a note for Karup"]["files"]
    assert "2025/noter/Karup.md" in files["Karup"]
    assert [u for u, names in files.items() if "2025/noter/Karup.md" in names] == ["Karup"]
    assert "2025/fraflytninger.csv" in files["Helhedsplanen"]


def test_an_afdelings_own_notebook_adds_its_section_to_its_report_only(runs):
    assert "Karups eget afsnit" in runs["pages"]["karup"]
    assert not any("Karups eget afsnit" in page for name, page in runs["pages"].items()
                   if name != "karup")  # fmt: skip


def test_the_summary_says_what_was_made_and_what_reused(tmp_path, capsys):
    data, notebooks = project(tmp_path), tiny(tmp_path)
    args = ["run", "--year", str(YEAR), "--unit", "Lindon", "--jobs", "1"]
    assert evalkit(data, *args, notebooks=notebooks) == ExitCode.OK
    assert "2025: 1 lavet, 0 genbrugt, 0 fejlet." in capsys.readouterr().out
    assert evalkit(data, *args, notebooks=notebooks) == ExitCode.OK
    out = capsys.readouterr().out
    assert "2025: 0 lavet, 1 genbrugt, 0 fejlet." in out
    assert "I alt 1 rapport: 0 lavet, 1 genbrugt, 0 fejlet på " in out


def test_the_workbooks_wait_for_the_first_report_made_not_for_one_reused(tmp_path, monkeypatch):
    """tal.xlsx is written beside the kernels' work, not before it: reused reports are done
    at once, while the first report to make still waits for its kernel."""
    data, notebooks = project(tmp_path), tiny(tmp_path)
    assert evalkit(data, "run", "--year", str(YEAR), notebooks=notebooks) == ExitCode.OK
    fraflytninger = data / "raw" / str(YEAR) / "fraflytninger.csv"
    fraflytninger.write_text(fraflytninger.read_text("utf-8").replace("Lindon,11,6", "Lindon,11,7"))
    events = []
    counted, write_tal = Progress.__call__, tal.write_tal

    def count(self, year, outcome) -> None:
        events.append("reused" if outcome.reused else "made")
        counted(self, year, outcome)

    def write(*args) -> None:
        events.append("workbooks")
        write_tal(*args)

    monkeypatch.setattr(Progress, "__call__", count)
    monkeypatch.setattr(tal, "write_tal", write)
    assert evalkit(data, "run", "--year", str(YEAR), notebooks=notebooks) == ExitCode.OK
    assert "reused" in events[: events.index("made")]  # some were done before any was made
    assert events.index("made") < events.index("workbooks")


def test_a_run_cut_short_leaves_no_report_passing_for_current(tmp_path, monkeypatch):
    paths = Paths(data=project(tmp_path), reports=tmp_path / "reports", notebooks=tiny(tmp_path))
    agreement = load_agreement(paths.raw)
    build_years(paths, YEARS, agreement)
    tal.publish_years(paths, agreement, YEARS)
    chosen = [ReportUnit("afdeling", "Lindon"), ReportUnit("afdeling", "Karup")]
    incremental.make_reports(paths, agreement, [YEAR], chosen, jobs=1)
    assert all(o.key for o in records.recorded(paths, YEAR).values())

    fraflytninger = paths.raw_year(YEAR) / "fraflytninger.csv"
    fraflytninger.write_text(fraflytninger.read_text("utf-8").replace("Lindon,11,6", "Lindon,11,7"))
    build_years(paths, YEARS, agreement)
    tal.publish_years(paths, agreement, YEARS)

    def interrupted(*args):
        raise KeyboardInterrupt

    monkeypatch.setattr(executors, "render_many", interrupted)
    with pytest.raises(KeyboardInterrupt):
        incremental.make_reports(paths, agreement, [YEAR], chosen, jobs=1)
    recorded = records.recorded(paths, YEAR)
    assert recorded[ReportUnit("afdeling", "Lindon")].key is None  # the old page is not current
    assert recorded[ReportUnit("afdeling", "Karup")].key is not None


TABLE = f"raw/{YEAR}/fraflytninger.csv"


@pytest.mark.parametrize(
    ("made_before", "force", "changed", "forked", "started"),
    [(False, False, [], True, [2]), (True, False, [], True, []), (True, True, [], True, [2]),
     (True, False, [TABLE], True, [2]), (True, False, [TABLE], False, [1]),
     (True, False, [f"raw/{YEAR}/noter/Lindon.md"], True, [1]),
     (True, False, [TABLE, "notebooks/afdeling.ipynb"], True, [2]),
     (True, False, ["raw/delaftaler/viborg.yaml"], True, [2])],
    ids=["first run: all", "later run, only an output changed: none", "forced run: all",
         "a year's table changed: as many as three reports use, forked: two",
         "a year's table changed: as many as three reports use, launched: one",
         "a note changed: one", "a notebook changed too: all", "the agreement changed: all"],
)  # fmt: skip
def test_kernels_start_early_only_when_reports_are_to_be_made(
    tmp_path, monkeypatch, made_before, force, changed, forked, started
):
    paths = Paths(data=tmp_path, reports=tmp_path / "reports")
    paths.raw_year(YEAR).mkdir(parents=True)
    if made_before:
        lindon = ReportUnit("afdeling", "Lindon")
        records.record(paths, YEAR, [render.Outcome(lindon, True, "lindon.html", "lindon.ipynb")])
    calls = []
    monkeypatch.setattr(kernels, "prestart", lambda count, spawned: calls.append(count))
    monkeypatch.setattr(zygote, "supported", lambda: forked)
    monkeypatch.setattr(zygote, "Zygote", lambda: None)  # none started here
    incremental.start_early(paths, [YEAR], 2, force, [str(tmp_path / p) for p in changed])
    assert calls == started


@pytest.mark.skipif(not zygote.supported(), reason="kernels are forked only on Linux")
def test_the_zygote_starts_before_the_kernels_client_library_is_imported(tmp_path):
    # Its imports are what one afdeling's new figures wait for: it does not wait for
    # jupyter_client's import too (0.13 s).
    code = f"""
import sys
from pathlib import Path

from evalkit.execution import zygote
from evalkit.paths import Paths
from evalkit.publish import incremental

class Seen(zygote.Zygote):
    def __init__(self):
        sys.exit(3 if "jupyter_client" in sys.modules else 0)

zygote.Zygote = Seen
incremental.start_early(Paths(data=Path({str(tmp_path)!r})), [2025], 2, True, [])
sys.exit(4)  # no zygote was started
"""
    assert subprocess.run([sys.executable, "-c", code], timeout=60).returncode == 0


@pytest.mark.parametrize(
    ("forked", "reports", "jobs", "kernels_used"),
    [
        # A launched kernel's start costs about the CPU of 4 reports (REPORTS_PER_LAUNCH),
        (False, 1, 2, 1), (False, 3, 2, 1), (False, 7, 2, 1), (False, 8, 2, 2),
        (False, 19, 2, 2), (False, 19, 1, 1), (False, 40, 8, 8), (False, 20, 8, 5),
        # a forked one's that of 1 (REPORTS_PER_FORK): one afdeling's three reports on two.
        (True, 1, 2, 1), (True, 3, 2, 2), (True, 19, 1, 1), (True, 5, 8, 5),
    ],
)  # fmt: skip
def test_another_kernel_is_started_only_for_enough_reports_to_pay_its_start(
    monkeypatch, forked, reports, jobs, kernels_used
):
    monkeypatch.setattr(zygote, "supported", lambda: forked)
    assert incremental.kernels_for(reports, jobs) == kernels_used


def test_kernels_started_early_for_reports_that_are_all_current_are_stopped(tmp_path):
    paths = Paths(data=project(tmp_path), reports=tmp_path / "reports", notebooks=tiny(tmp_path))
    agreement = load_agreement(paths.raw)
    build_years(paths, YEARS, agreement)
    tal.publish_years(paths, agreement, YEARS)
    chosen = [ReportUnit("afdeling", "Lindon")]
    incremental.make_reports(paths, agreement, [YEAR], chosen, jobs=1)
    spare = kernels.prestart(1)  # as a run does when an input changed
    outcomes = incremental.make_reports(paths, agreement, [YEAR], chosen, jobs=1)
    assert [o.reused for o in outcomes[YEAR]] == [True]
    assert wait(spare, timeout=30).not_done == set()
    assert kernel_processes() == []  # stopped, not left to idle until the run ends
