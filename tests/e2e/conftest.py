"""The end-to-end tests share one full `evalkit run` of the fixture wherever they only read it."""

import pytest

from tests.conftest import YEAR, evalkit, project, tree_hash


@pytest.fixture(scope="session")
def batch(tmp_path_factory, writes_under):
    """One full `evalkit run` of the fixture for 2025, shared by the end-to-end tests."""
    root = tmp_path_factory.mktemp("batch")
    data = project(root)
    before = tree_hash(data / "raw")
    with writes_under(data / "raw") as raw_writes:
        code = evalkit(data, "run", "--year", str(YEAR))
    return {"root": root, "code": code, "raw_before": before, "raw_writes": raw_writes}
