"""Spec: files are written whole or not at all, never over the analyst's, one run at a time."""

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from evalkit.errors import Busy
from evalkit.files import exclusive, remove_leftovers, write_atomic, write_new


def test_write_atomic_replaces_the_file_whole_and_leaves_nothing_beside_it(tmp_path):
    path = tmp_path / "r" / "lindon.html"
    write_atomic(path, "gammel")

    write_atomic(path, "ny")

    assert path.read_text() == "ny"
    assert sorted(p.name for p in path.parent.iterdir()) == ["lindon.html"]


def test_write_atomic_keeps_the_old_file_when_writing_fails(tmp_path, monkeypatch):
    path = tmp_path / "lindon.html"
    path.write_text("gammel")

    def crash(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError):
        write_atomic(path, "ny")

    assert path.read_text() == "gammel"
    assert [p.name for p in tmp_path.iterdir()] == ["lindon.html"]


def test_write_new_writes_a_file_that_does_not_exist(tmp_path):
    path = tmp_path / "2026" / "fraflytninger.csv"

    write_new(path, b"afdeling;lejemaal;fraflytninger\r\n")

    assert path.read_bytes() == b"afdeling;lejemaal;fraflytninger\r\n"
    assert [p.name for p in path.parent.iterdir()] == ["fraflytninger.csv"]


def test_write_new_never_overwrites(tmp_path):
    path = tmp_path / "fraflytninger.csv"
    path.write_text("analytikerens tal")

    with pytest.raises(FileExistsError):
        write_new(path, "skabelon")

    assert path.read_text() == "analytikerens tal"
    assert [p.name for p in tmp_path.iterdir()] == ["fraflytninger.csv"]


def test_remove_leftovers_removes_only_what_a_crashed_run_left(tmp_path):
    names = {
        ".lindon.html.k2j4x9.tmp": True,  # write_atomic, killed before the rename
        ".lindon.tmp.ipynb": True,  # papermill's notebook, killed before the rename
        "lindon.html": False,
        "lindon.ipynb": False,
        "enheder.json": False,
        ".evalkit.lock": False,
        "tmp.html": False,
    }
    for name in names:
        (tmp_path / name).write_text("x")

    removed = remove_leftovers(tmp_path)

    assert sorted(p.name for p in removed) == sorted(n for n, gone in names.items() if gone)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        n for n, gone in names.items() if not gone
    )


def test_remove_leftovers_in_a_missing_folder_is_nothing(tmp_path):
    assert remove_leftovers(tmp_path / "2031") == []


HOLDER = """
import sys
from pathlib import Path
from evalkit.files import exclusive
with exclusive(Path(sys.argv[1])):
    print("holder", flush=True)
    sys.stdin.read()
"""


def hold(folder: Path) -> subprocess.Popen:
    """Another process that holds the lock on `folder` until its stdin closes."""
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(folder)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout.readline().strip() == "holder"
    return holder


def test_a_second_process_cannot_take_the_lock_until_the_first_lets_go(tmp_path):
    holder = hold(tmp_path)
    try:
        with pytest.raises(Busy) as busy, exclusive(tmp_path):
            pass
        assert busy.value.folder == tmp_path
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)

    with exclusive(tmp_path):
        pass


def test_a_lock_dies_with_its_process(tmp_path):
    holder = hold(tmp_path)
    holder.send_signal(signal.SIGKILL)  # a crash: no cleanup runs
    holder.wait(timeout=30)

    with exclusive(tmp_path):
        pass
