"""Shared fixtures for the evalkit tests."""

import hashlib
import shutil
from pathlib import Path

import pytest

from evalkit.agreement import Agreement, load_agreement
from evalkit.cli import main

REPO = Path(__file__).parents[1]
YEAR = 2025


@pytest.fixture(scope="session")
def agreement() -> Agreement:
    """The delaftale as data, read once from data/raw/."""
    return load_agreement(Path(__file__).parents[1] / "data" / "raw")


def tree_hash(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="session")
def batch(tmp_path_factory):
    """One full `evalkit run` of the shipped data for 2025, shared by the end-to-end tests."""
    root = tmp_path_factory.mktemp("batch")
    shutil.copytree(REPO / "data" / "raw", root / "data" / "raw")
    before = tree_hash(root / "data" / "raw")
    code = main(
        [
            "run",
            "--year", str(YEAR),
            "--data-dir", str(root / "data"),
            "--reports-dir", str(root / "reports"),
            "--notebooks-dir", str(REPO / "notebooks"),
        ]
    )  # fmt: skip
    return {"root": root, "code": code, "raw_before": before}
