"""Shared fixtures for the evalkit tests."""

from pathlib import Path

import pytest

from evalkit.agreement import Agreement, load_agreement


@pytest.fixture(scope="session")
def agreement() -> Agreement:
    """The delaftale as data, read once from data/raw/."""
    return load_agreement(Path(__file__).parents[1] / "data" / "raw")
