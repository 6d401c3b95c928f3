"""Spec: which reports are still current (evalkit.publish.cache).

A change makes again exactly the reports that show it: an afdeling's figures its own report
and the aggregates that include it, for that year and the years after; the notebook, the
agreement or evalkit itself every report they shape.
"""

import shutil
from pathlib import Path

import pytest

from evalkit.compute.build import build_years
from evalkit.domain import ReportUnit, report_units
from evalkit.execution.render import Outcome
from evalkit.inputs.agreement import load_agreement
from evalkit.paths import Paths
from evalkit.publish import cache, fingerprint, tal
from tests.conftest import NOTEBOOKS, YEARS, project


def at(root: Path) -> Paths:
    return Paths(data=root / "data", reports=root / "reports", notebooks=root / "notebooks")


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, dict[tuple[int, str], str]]:
    """A copy of the fixture with the notebooks beside it, built once, and its keys."""
    root = tmp_path_factory.mktemp("cache")
    project(root)
    shutil.copytree(NOTEBOOKS, root / "notebooks")
    return root, all_keys(at(root))


@pytest.fixture
def paths(built, tmp_path) -> Paths:
    """A built project of this test's own, to change: a copy of `built`'s."""
    shutil.copytree(built[0], tmp_path / "project")
    return at(tmp_path / "project")


def all_keys(paths: Paths) -> dict[tuple[int, str], str]:
    agreement = load_agreement(paths.raw)
    build_years(paths, YEARS, agreement)
    tal.publish_years(paths, agreement, YEARS)  # as evalkit run does
    return {
        (year, unit.slug): key
        for year in YEARS
        for unit, key in cache.keys(paths, agreement, year, report_units(agreement)).items()
    }


def edit(path: Path, old: str, new: str, encoding: str = "utf-8") -> None:
    text = path.read_text(encoding=encoding)
    assert old in text, (path, old)
    path.write_text(text.replace(old, new), encoding=encoding)


LINDON = {"lindon", "boligviborg", "helhedsplan"}  # Lindon is an afdeling of BoligViborg

CASES = {
    "nothing": (lambda p, m: None, {}),
    "an afdeling's figures this year": (
        lambda p, m: edit(p.raw / "2025" / "fraflytninger.csv", "Lindon,11,6", "Lindon,11,7"),
        {2025: LINDON},
    ),
    "an afdeling's figures of an earlier year": (
        lambda p, m: edit(
            p.raw / "2024" / "fraflytninger.csv", "Lindon;10;5", "Lindon;10;4", "cp1252"
        ),
        {2024: LINDON, 2025: LINDON},  # 2025 shows 2024 in its trends
    ),
    "an afdeling's note": (  # shown in the afdeling's report only
        lambda p, m: edit(p.raw / "2025" / "noter" / "Ringparken.md", "opgang 3", "opgang 4"),
        {2025: {"ringparken"}},
    ),
    "a new note": (  # ... and listed among its sources only
        lambda p, m: (p.raw / "2025" / "noter" / "Lindon.md").write_text("Ny opgang.\n"),
        {2025: {"lindon"}},
    ),
    "a new note of an earlier year": (  # a report lists the notes of its earlier years
        lambda p, m: (p.raw / "2024" / "noter" / "Lindon.md").write_text("Ny opgang.\n"),
        {2024: {"lindon"}, 2025: {"lindon"}},
    ),
    "the afdeling notebook": (
        lambda p, m: edit(p.notebooks / "afdeling.ipynb", "## Noter", "## Noter og bemærkninger"),
        {2024: "afdeling", 2025: "afdeling"},
    ),
    "the agreement": (
        lambda p, m: edit(p.raw / "baseline.csv", "Lindon,fraflytning,2023,60", "Lindon,fraflytning,2023,59"),  # noqa: E501
        {2024: "all", 2025: "all"},
    ),
    "evalkit's version": (
        lambda p, m: m.setattr(cache, "__version__", "99.0"),
        {2024: "all", 2025: "all"},
    ),
    "evalkit's code": (
        lambda p, m: m.setattr(fingerprint, "source_digest", lambda: "changed"),
        {2024: "all", 2025: "all"},
    ),
}  # fmt: skip


def expected_changes(spec: dict, agreement) -> set[tuple[int, str]]:
    result = set()
    for year, which in spec.items():
        if which == "all":
            which = {u.slug for u in report_units(agreement)}
        elif which == "afdeling":
            which = {u.slug for u in report_units(agreement) if u.niveau == "afdeling"}
        result |= {(year, slug) for slug in which}
    return result


@pytest.mark.parametrize("case", list(CASES))
def test_a_change_makes_again_exactly_the_reports_that_show_it(built, paths, monkeypatch, case):
    change, spec = CASES[case]
    _, before = built  # the keys are the same in any copy: the case "nothing" says so
    change(paths, monkeypatch)
    after = all_keys(paths)
    changed = {k for k in before if before[k] != after[k]}
    assert changed == expected_changes(spec, load_agreement(paths.raw))


def test_the_parameters_are_part_of_the_key(paths, agreement, monkeypatch, tmp_path):
    unit = [ReportUnit("afdeling", "Lindon")]
    before = cache.keys(paths, agreement, 2025, unit)
    monkeypatch.chdir(tmp_path)  # the working folder is not a parameter: same key
    assert cache.keys(paths, agreement, 2025, unit) == before
    given = cache.parameters
    monkeypatch.setattr(cache, "parameters", lambda *a: {**given(*a), "data_dir": "andre-data"})
    assert cache.keys(paths, agreement, 2025, unit) != before


def lindon(ok=True, key="k", html="lindon.html") -> Outcome:
    return Outcome(ReportUnit("afdeling", "Lindon"), ok, html, "lindon.ipynb", key=key)


@pytest.mark.parametrize(
    ("outcome", "files", "current"),
    [
        (lindon(), 2, True),
        (lindon(key="old"), 2, False),
        (lindon(key=None), 2, False),  # dropped before the report was made again
        (lindon(ok=False, key=None, html=None), 2, False),
        (lindon(), 1, False),  # the page was deleted
        (None, 2, False),
    ],
    ids=["same key", "other key", "key dropped", "failed", "page deleted", "never made"],
)
def test_a_recorded_report_is_current_when_its_key_matches_and_its_files_are_there(
    tmp_path, outcome, files, current
):
    for name in ["lindon.ipynb", "lindon.html"][:files]:
        (tmp_path / name).write_text("x")
    assert cache.current(outcome, "k", tmp_path) is current
