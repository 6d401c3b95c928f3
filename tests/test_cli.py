"""The command line: Danish messages, exit codes, no report from bad input, nothing lost."""

import argparse
import errno
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil
import pytest

from evalkit import files
from evalkit.cli import main
from evalkit.errors import ExitCode
from evalkit.files import exclusive
from tests.conftest import evalkit, project, start_run, tiny_notebooks, tree_hash


@pytest.fixture
def data(tmp_path) -> Path:
    """A copy of the fixture to break."""
    return project(tmp_path)


def test_validate_accepts_the_fixture(data, capsys):
    assert evalkit(data, "validate") == ExitCode.OK
    assert "Inddata er i orden for 2024, 2025" in capsys.readouterr().out


def test_the_command_ends_as_python_ends_only_sooner():
    """`evalkit` (cli.console) skips Python's teardown, not what an exit must do: it waits for
    the other threads, runs the atexit handlers, flushes what is printed, keeps the code."""
    code = (
        "import atexit, threading, time\n"
        "from evalkit import cli\n"
        "atexit.register(lambda: print('atexit ran'))\n"
        "threading.Thread(target=lambda: (time.sleep(0.3), print('thread done'))).start()\n"
        "cli.main = lambda argv=None: (print('work', end=''), 7)[1]\n"
        "cli.console()\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert (done.returncode, done.stdout, done.stderr) == (7, "workthread done\natexit ran\n", "")


def test_build_writes_the_processed_tables(data):
    assert evalkit(data, "build", "--year", "2025") == ExitCode.OK
    for name in ("indikatorer.csv", "aktiviteter.csv", "metadata.json"):
        assert (data / "processed" / "2025" / name).is_file()


def test_bad_input_names_file_row_and_column_and_writes_no_report(data, capsys):
    (data / "raw" / "2025" / "fraflytninger.csv").write_text(
        "afdeling,lejemaal,fraflytninger\nRingparken,312,52\nKarup,ca. 25,2\n", encoding="utf-8"
    )
    assert evalkit(data, "run", "--year", "2025") == ExitCode.BAD_INPUT
    err = capsys.readouterr().err
    assert 'fraflytninger.csv, række 3, kolonne "lejemaal": "ca. 25" er ikke et tal' in err
    assert "Ingen rapport er skrevet" in err
    assert not (data.parent / "reports").exists()
    assert not (data / "processed").exists()


def test_an_unknown_unit_is_a_usage_error(data, capsys):
    assert evalkit(data, "run", "--year", "2025", "--unit", "Atlantis") == ExitCode.USAGE
    err = capsys.readouterr().err
    assert 'enheden "Atlantis" kendes ikke. Kendte enheder: ' in err and "Mente du" not in err


@pytest.mark.parametrize(
    ("typo", "meant"),
    [("Lindn", "Lindon"), ("ringparkn", "Ringparken"), ("Bolig Viborgg", "BoligViborg")],
)
def test_a_unit_with_a_typo_gets_a_suggestion(data, capsys, typo, meant):
    assert evalkit(data, "run", "--year", "2025", "--unit", typo) == ExitCode.USAGE
    assert f'enheden "{typo}" kendes ikke. Mente du "{meant}"? ' in capsys.readouterr().err


# --- argparse's own words in Danish ----------------------------------------------------------


@pytest.mark.parametrize("args", [["--help"], ["run", "--help"], ["new-year", "--help"]])
def test_the_help_is_danish(capsys, args):
    with pytest.raises(SystemExit) as stopped:
        main(args)
    assert stopped.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith(f"brug: evalkit {args[0] if len(args) > 1 else ''}".rstrip())
    assert "\nvalg:\n  -h, --help " in out and "vis denne hjælp og stop" in out
    english = ("usage", "options", "positional arguments", "show this help", "YEAR", "DATA_DIR")
    assert [word for word in english if word in out] == []


def test_the_commands_are_listed_under_a_danish_heading(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    assert "\nargumenter:\n  kommando\n    validate " in capsys.readouterr().out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["valdate"], "evalkit: fejl: argumentet kommando: ugyldigt valg: 'valdate' "
                      "(vælg mellem 'validate', 'build', 'audit', 'run', 'new-year', 'pdf')"),
        (["new-year"], "evalkit new-year: fejl: følgende skal angives: --year"),
        (["new-year", "--year", "2026", "--format", "ods"],
         "evalkit new-year: fejl: argumentet --format: ugyldigt valg: 'ods' (vælg mellem 'csv', "
         "'xlsx')"),
        (["run", "--year"], "evalkit run: fejl: argumentet --year: forventede en værdi"),
        (["run", "--force=ja"], "evalkit run: fejl: argumentet --force: tager ingen værdi, men "
                                "fik 'ja'"),
        (["validate", "--bogus"], "evalkit: fejl: ukendte argumenter: --bogus"),
    ],
)  # fmt: skip
def test_argparse_errors_are_danish(capsys, args, message):
    with pytest.raises(SystemExit) as stopped:
        main(args)
    assert stopped.value.code == ExitCode.USAGE
    usage, error = capsys.readouterr().err.rstrip("\n").rsplit("\n", 1)
    assert usage.startswith("brug: evalkit") and error == message


@pytest.mark.parametrize("args", [["--help"], ["valdate"]])
def test_argparse_is_english_again_after_evalkit_parsed(capsys, args):
    # Danish only for evalkit's own parser: another program in the process keeps its words.
    with pytest.raises(SystemExit):
        main(args)
    assert argparse.ArgumentParser(prog="andet").format_usage() == "usage: andet [-h]\n"


def test_one_failing_unit_does_not_stop_the_others(data, tmp_path, capsys, writes_under):
    # An afdeling notebook that fails for Lindon only: what the run does with a failure, not
    # what a report says, so tiny notebooks stand in for the real ones.
    notebooks = tiny_notebooks(tmp_path / "notebooks", 'assert enhed != "Lindon"')
    reports = tmp_path / "reports"
    # Lindon's report from an earlier run must not pass for this year's.
    (reports / "2025").mkdir(parents=True)
    (reports / "2025" / "lindon.html").write_text("<html>forrige kørsel</html>")
    raw_before = tree_hash(data / "raw")

    with writes_under(data / "raw") as raw_writes:
        code = evalkit(data, "run", "--year", "2025", notebooks=notebooks)

    assert code == ExitCode.UNITS_FAILED
    out, err = capsys.readouterr()
    assert "2025: 18 lavet, 0 genbrugt, 1 fejlet." in out
    assert "2025 Lindon: AssertionError" in err and "lindon.ipynb" in err
    assert not (reports / "2025" / "lindon.html").exists()
    kept = (reports / "2025" / "lindon.ipynb").read_text(encoding="utf-8")
    assert "papermill-error-cell" in kept  # kept, with the failing cell marked
    assert (reports / "2025" / "karup.html").exists()
    index = (reports / "index.html").read_text(encoding="utf-8")
    assert "Fejlet: AssertionError" in index
    assert 'href="2025/lindon.html"' not in index and 'href="2025/karup.html"' in index
    assert tree_hash(data / "raw") == raw_before and raw_writes == []


# --- raw data is never written ------------------------------------------------------------


@pytest.mark.parametrize(
    "args, broken, code",
    [
        (["validate"], False, ExitCode.OK),
        (["validate"], True, ExitCode.BAD_INPUT),
        (["build"], False, ExitCode.OK),
        (["build", "--year", "2025"], True, ExitCode.BAD_INPUT),
        (["run", "--year", "2025"], True, ExitCode.BAD_INPUT),
        (["run", "--year", "2025", "--unit", "Atlantis"], False, ExitCode.USAGE),
    ],
)
def test_no_command_writes_under_raw(data, writes_under, args, broken, code):
    if broken:
        (data / "raw" / "2025" / "udsaettelser.csv").write_text("afdeling,x\nKarup,1\n")
    before = tree_hash(data / "raw")

    with writes_under(data / "raw") as raw_writes:
        assert evalkit(data, *args) == code

    assert raw_writes == []
    assert tree_hash(data / "raw") == before


def test_the_raw_guard_sees_writes(data, writes_under):
    # The guard above can fail: new-year is the one command that writes under raw/.
    with writes_under(data / "raw") as raw_writes:
        assert run_new_year(data, "2026") == ExitCode.OK
    assert raw_writes and all(str(data / "raw" / "2026") in w for w in raw_writes)


def run_new_year(data: Path, year: str, *args: str) -> int:
    return main(["new-year", "--year", year, *args, "--data-dir", str(data)])


# --- one run at a time ----------------------------------------------------------------------


def test_a_second_run_on_the_same_reports_folder_is_refused(data, capsys):
    reports = data.parent / "reports"
    with exclusive(reports):  # the first run
        assert evalkit(data, "run", "--year", "2025") == ExitCode.BUSY
    err = capsys.readouterr().err
    assert f"En anden kørsel af evalkit er i gang i {reports}" in err
    assert "Intet er ændret" in err
    assert [p.name for p in reports.iterdir()] == [".evalkit.lock"]
    assert not (data / "processed").exists()


def test_a_build_while_a_run_writes_the_processed_tables_is_refused(data, capsys):
    with exclusive(data / "processed"):
        assert evalkit(data, "build") == ExitCode.BUSY
    assert f"i gang i {data / 'processed'}" in capsys.readouterr().err
    assert [p.name for p in (data / "processed").iterdir()] == [".evalkit.lock"]


def test_validate_needs_no_lock(data):
    with exclusive(data.parent / "reports"), exclusive(data / "processed"):
        assert evalkit(data, "validate") == ExitCode.OK


# --- a rerun after a crash; notes are text ------------------------------------------------------


@pytest.fixture(scope="module")
def rerun(tmp_path_factory, writes_under):
    """A run that was killed midway, then Lindon's report made again."""
    root = tmp_path_factory.mktemp("rerun")
    data = project(root)
    (data / "raw" / "2025" / "noter" / "Lindon.md").write_text(NOTE, encoding="utf-8")
    meta = data / "raw" / "2025" / "metadata.yaml"
    meta.write_text("eksempeldata: true\nbeskrivelse: <i>opdigtet</i>\n", encoding="utf-8")
    folder = root / "reports" / "2025"
    folder.mkdir(parents=True)
    crashed = {  # what the killed run left: a stale report and half-written files
        "lindon.html": "<html>forrige kørsel</html>",
        ".lindon.html.k2j4x9.tmp": "<html><body><h1>Lind",
        ".lindon.tmp.ipynb": '{"cells": [',
        "../.index.html.p0q1r2.tmp": "<html>",
    }
    for name, text in crashed.items():
        (folder / name).write_text(text, encoding="utf-8")
    before = tree_hash(data / "raw")
    with writes_under(data / "raw") as raw_writes:
        code = evalkit(data, "run", "--year", "2025", "--unit", "Lindon", "--jobs", "1")
    return {
        "code": code,
        "folder": folder,
        "html": (folder / "lindon.html").read_text(encoding="utf-8"),
        "raw": tree_hash(data / "raw") == before and raw_writes == [],
    }


NOTE = """<script>alert("note")</script>
<img src=x onerror=alert(1)>

- <b>fed</b> & "citat"
- =HYPERLINK("http://x")
"""


def test_a_rerun_after_a_crash_removes_the_half_written_files(rerun):
    assert rerun["code"] == ExitCode.OK
    assert not list(rerun["folder"].glob(".*")), "no temporary files are left behind"
    assert not list(rerun["folder"].parent.glob(".*.tmp"))


def test_a_rerun_after_a_crash_replaces_the_stale_report(rerun):
    assert "forrige kørsel" not in rerun["html"]
    assert "Lindon – evaluering 2025" in rerun["html"]
    listing = json.loads((rerun["folder"] / "enheder.json").read_text(encoding="utf-8"))
    assert [(e["enhed"], e["ok"]) for e in listing] == [("Lindon", True)]


def test_html_in_notes_and_metadata_is_shown_as_text_never_run(rerun):
    html = rerun["html"]
    # nbconvert serialises the page again, so quotes in text may stay unescaped: harmless.
    assert re.search(r"&lt;script&gt;alert\((&quot;|\")note", html)
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "<li>&lt;b&gt;fed&lt;/b&gt; &amp; " in html
    assert '<script>alert("note")' not in html and "<img src=x" not in html
    assert "&lt;i&gt;opdigtet&lt;/i&gt;" in html and "<i>opdigtet" not in html


def test_a_run_does_not_write_under_raw(rerun):
    assert rerun["raw"]


# --- Ctrl-C -------------------------------------------------------------------------------------

PID_THEN_WAIT = """import os, pathlib, time
pathlib.Path("kerner").mkdir(exist_ok=True)
pathlib.Path("kerner", enhed + ".pid").write_text(str(os.getpid()))
time.sleep(600)
"""


def test_ctrl_c_stops_the_run_with_a_danish_message_and_leaves_nothing_behind(tmp_path):
    notebooks = tiny_notebooks(tmp_path / "notebooks", PID_THEN_WAIT)
    run = start_run(tmp_path, notebooks, "--jobs", "2")
    kernel_pids = tmp_path / "kerner"
    deadline = time.monotonic() + 180
    while not list(kernel_pids.glob("*.pid")) and time.monotonic() < deadline:
        time.sleep(0.2)  # until the reports of the afdelinger are under way
    try:
        assert list(kernel_pids.glob("*.pid")), "no report started"
        started = psutil.Process(run.pid).children(recursive=True)  # kernels, their zygote
        run.send_signal(signal.SIGINT)
        out, err = run.communicate(timeout=60)
    finally:
        run.kill()

    assert run.returncode == ExitCode.INTERRUPTED
    assert "Afbrudt. De rapporter, der blev færdige, er gemt" in err
    assert "Traceback" not in err
    reports = tmp_path / "reports"
    assert [p.name for p in reports.rglob(".*") if p.name != ".evalkit.lock"] == []  # no half file
    with exclusive(reports), exclusive(tmp_path / "data" / "processed"):
        pass  # the locks were let go
    for pid_file in kernel_pids.glob("*.pid"):  # and no kernel lives on
        pid = int(pid_file.read_text())
        assert not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    assert psutil.wait_procs(started, timeout=10)[1] == []  # nor any process the run started


# --- what the run cannot do: a Danish line and a documented exit code ---------------------------


@pytest.mark.parametrize("jobs", ["0", "-2", "to"])
def test_jobs_must_be_a_count_above_zero(data, capsys, jobs):
    with pytest.raises(SystemExit) as stopped:
        evalkit(data, "run", "--jobs", jobs)
    assert stopped.value.code == ExitCode.USAGE
    assert f'fejl: argumentet --jobs: "{jobs}" er ikke et antal' in capsys.readouterr().err


@pytest.mark.parametrize("seconds", ["0", "-5", "lang"])
def test_the_time_limit_must_be_seconds_above_zero(data, capsys, seconds):
    with pytest.raises(SystemExit) as stopped:
        evalkit(data, "run", "--timeout", seconds)
    assert stopped.value.code == ExitCode.USAGE
    assert "er ikke et antal sekunder" in capsys.readouterr().err


@pytest.mark.parametrize("reports", ["processed", "raw", "raw/2025"])
def test_the_reports_folder_is_not_the_data_folders(data, capsys, reports):
    code = main(["run", "--data-dir", str(data), "--reports-dir", str(data / reports)])
    assert code == ExitCode.USAGE
    assert "--reports-dir" in capsys.readouterr().err
    assert not (data / "processed").exists()


def test_a_second_run_is_refused_before_it_reads_the_inputs(data, capsys, monkeypatch):
    reports = data.parent / "reports"
    read = []
    monkeypatch.setattr("evalkit.inputs.tables.read_year", lambda *a: read.append(a))
    with exclusive(reports):
        assert evalkit(data, "run", "--year", "2025") == ExitCode.BUSY
    assert read == []


def test_a_year_folder_with_a_name_that_is_not_a_year_is_not_a_year(data, capsys):
    (data / "raw" / "2025²").mkdir()
    (data / "raw" / "2025 kopi").mkdir()
    assert evalkit(data, "validate") == ExitCode.OK
    assert "Inddata er i orden for 2024, 2025." in capsys.readouterr().out


@pytest.fixture
def tiny(tmp_path) -> Path:
    return tiny_notebooks(tmp_path / "tiny", "print(enhed)")


def run_tiny(data: Path, tiny: Path, *args: str) -> int:
    return evalkit(data, "run", "--year", "2025", "--unit", "Lindon", *args, notebooks=tiny)


def test_a_copy_of_a_year_folder_among_the_reports_is_left_alone(data, tiny, capsys):
    copy = data.parent / "reports" / "2025 kopi"
    copy.mkdir(parents=True)
    (copy / "enheder.json").write_text("[]")
    assert run_tiny(data, tiny) == ExitCode.OK
    assert (data.parent / "reports" / "index.html").is_file()


def test_a_file_where_the_years_reports_folder_should_be(data, tiny, capsys):
    (data.parent / "reports").mkdir()
    (data.parent / "reports" / "2025").write_text("ikke en mappe")
    assert run_tiny(data, tiny) == ExitCode.CANNOT_WRITE
    err = capsys.readouterr().err
    assert f"Fejl: kan ikke skrive {data.parent / 'reports' / '2025'}" in err
    assert "der ligger en fil, hvor evalkit skal bruge en mappe" in err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("folder", "number", "reason"),
    [
        ("reports", errno.EROFS, "skrivebeskyttet"),
        ("reports", errno.EACCES, "skrivebeskyttet"),
        ("processed", errno.EACCES, "skrivebeskyttet"),
        ("processed", errno.ENOSPC, "disken er fuld"),  # the first file of a fresh run
        ("reports", errno.ENOSPC, "disken er fuld"),
    ],
)
def test_a_folder_that_cannot_be_written(data, tiny, capsys, monkeypatch, folder, number, reason):
    target = data / "processed" if folder == "processed" else data.parent / "reports"
    real_open, real_mkstemp = open, tempfile.mkstemp

    def refuse(path) -> None:
        if Path(path).resolve().is_relative_to(target.resolve()):
            raise OSError(number, os.strerror(number), str(path))

    def guarded_open(file, *args, **kwargs):
        refuse(file)
        return real_open(file, *args, **kwargs)

    def guarded_mkstemp(*args, dir=None, **kwargs):
        refuse(dir)
        return real_mkstemp(*args, dir=dir, **kwargs)

    # Root writes anywhere: the system's refusal is played by the two calls files.py writes with.
    monkeypatch.setattr(files, "open", guarded_open, raising=False)
    monkeypatch.setattr(files.tempfile, "mkstemp", guarded_mkstemp)

    assert run_tiny(data, tiny) == ExitCode.CANNOT_WRITE
    err = capsys.readouterr().err
    assert err.count("Fejl: kan ikke skrive") == 1 and reason in err and "Traceback" not in err


def test_processed_data_whose_raw_data_is_gone_is_not_used(data, tiny, capsys):
    assert evalkit(data, "build") == ExitCode.OK
    shutil.rmtree(data / "raw" / "2024")
    capsys.readouterr()

    assert evalkit(data, "build", "--year", "2025") == ExitCode.OK

    err = capsys.readouterr().err
    assert (
        f"Advarsel: {data / 'processed' / '2024'}: {data / 'raw' / '2024'} findes ikke længere"
        in err
    )
    from evalkit.compute.build import load_processed
    from evalkit.paths import Paths

    assert set(load_processed(Paths(data=data), 2025).indikatorer["aar"]) == {2025}


def test_validate_shows_the_input_warnings_and_the_other_commands_count_them(data, capsys):
    # Two warnings that stay the same on every run: a column and a metadata key evalkit
    # does not know. 2026 lies inside the agreement's period and has no year before it.
    for year in ("2024", "2025"):
        shutil.rmtree(data / "raw" / year)
    folder = data / "raw" / "2026"
    folder.mkdir()
    (folder / "udsaettelser.csv").write_text(
        "afdeling,effektive_udsaettelser,kommentar\nKarup,1,tjekket\n", encoding="utf-8"
    )
    (folder / "metadata.yaml").write_text("eksempeldata: true\nansvarlig: NN\n", "utf-8")

    assert evalkit(data, "validate") == ExitCode.OK
    warnings = capsys.readouterr().err.splitlines()
    assert len(warnings) == 2 and all(line.startswith("Advarsel: ") for line in warnings)
    assert "kolonnen kommentar" in "".join(warnings) and '"ansvarlig"' in "".join(warnings)

    for _ in range(2):
        assert evalkit(data, "build") == ExitCode.OK
        err = capsys.readouterr().err
        assert err == "2 advarsler om inddata; se dem med: evalkit validate\n"

    (folder / "fraflytninger.csv").write_text("afdeling,lejemaal,fraflytninger\nKarup,ca. 25,2\n")
    assert evalkit(data, "run") == ExitCode.BAD_INPUT
    kinds = [line.split(":")[0] for line in capsys.readouterr().err.splitlines()]
    assert kinds == ["Fejl", "2 advarsler om inddata; se dem med", "Ingen rapport er skrevet. Ret "
                     "fejlene og kør igen."]  # fmt: skip


def test_many_problems_show_the_first_50_and_a_count(data, capsys):
    rows = "".join(f"Karup{i},1\n" for i in range(200))
    (data / "raw" / "2025" / "udsaettelser.csv").write_text(
        "afdeling,effektive_udsaettelser\n" + rows
    )
    assert evalkit(data, "validate", "--year", "2025") == ExitCode.BAD_INPUT
    lines = capsys.readouterr().err.splitlines()
    assert len([line for line in lines if line.startswith("Fejl:")]) == 50
    assert lines[-1].startswith("… og 150 mere (150 fejl og ")
