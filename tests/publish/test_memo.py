"""Spec: the disclosure audit is remembered per sensitive indicator and gives exactly what it
would compute; it is asked again whenever anything it depends on differs
(evalkit.publish.memo)."""

import json

import pandas as pd
import pytest

from evalkit.compute import privacy
from evalkit.compute.build import build_years, load_processed
from evalkit.inputs.agreement import load_agreement
from evalkit.paths import Paths
from evalkit.publish import memo
from tests.conftest import YEARS, project


@pytest.fixture
def built(tmp_path):
    paths = Paths(data=project(tmp_path), reports=tmp_path / "reports")
    agreement = load_agreement(paths.raw)
    build_years(paths, YEARS, agreement)
    return paths, agreement, load_processed(paths, max(YEARS)).indikatorer


def counting(monkeypatch) -> list:
    """The indicators privacy.suppress is asked about from now on."""
    asked = []
    real = privacy.suppress

    def suppress(rows, afdelinger, threshold):
        asked.append(rows["indikator"].iloc[0])
        return real(rows, afdelinger, threshold)

    monkeypatch.setattr(privacy, "suppress", suppress)
    return asked


def remembered(paths, agreement, indikatorer) -> privacy.Published:
    kept = memo.Remembered(paths)
    published = privacy.publish(indikatorer, agreement, kept.suppress)
    kept.save()
    return published


def same(a: privacy.Published, b: privacy.Published) -> None:
    pd.testing.assert_frame_equal(a.table, b.table)
    pd.testing.assert_frame_equal(a.audit, b.audit)


def test_a_remembered_answer_is_the_computed_one(built, monkeypatch):
    paths, agreement, indikatorer = built
    computed = privacy.publish(indikatorer, agreement)
    asked = counting(monkeypatch)
    same(remembered(paths, agreement, indikatorer), computed)
    assert sorted(asked) == sorted(agreement.sensitive)  # the first time: computed
    asked.clear()
    same(remembered(paths, agreement, indikatorer), computed)
    assert asked == []  # the second: remembered


def test_only_the_indicator_whose_rows_changed_is_audited_again(built, monkeypatch):
    paths, agreement, indikatorer = built
    remembered(paths, agreement, indikatorer)
    changed = indikatorer.copy()
    first = sorted(agreement.sensitive)[0]
    row = changed.index[(changed["indikator"] == first) & (changed["niveau"] == "afdeling")][0]
    changed.loc[row, "taeller"] = changed.loc[row, "taeller"] + 1
    computed = privacy.publish(changed, agreement)
    asked = counting(monkeypatch)
    same(remembered(paths, agreement, changed), computed)
    assert asked == [first]


def test_other_code_or_threshold_means_asking_again(built, monkeypatch):
    paths, agreement, indikatorer = built
    remembered(paths, agreement, indikatorer)
    monkeypatch.setattr(memo.fingerprint, "source_digest", lambda: "other code")
    asked = counting(monkeypatch)
    remembered(paths, agreement, indikatorer)
    assert sorted(asked) == sorted(agreement.sensitive)


@pytest.mark.parametrize(
    "damage",
    ["not json", json.dumps({"x": 1}), "DAMAGED ENTRIES"],
    ids=["not JSON", "unknown keys", "damaged entries"],
)
def test_a_damaged_memo_is_computed_again_and_replaced(built, damage):
    paths, agreement, indikatorer = built
    remembered(paths, agreement, indikatorer)
    path = paths.processed / memo.MEMO
    if damage == "DAMAGED ENTRIES":
        damage = json.dumps({key: {"labels": 1} for key in json.loads(path.read_text())})
    path.write_text(damage, encoding="utf-8")
    same(remembered(paths, agreement, indikatorer), privacy.publish(indikatorer, agreement))
    assert len(json.loads(path.read_text())) == len(agreement.sensitive)  # only what was used


def test_afresh_works_every_answer_out_again(built, monkeypatch):
    paths, agreement, indikatorer = built
    remembered(paths, agreement, indikatorer)
    asked = counting(monkeypatch)
    kept = memo.Remembered(paths, afresh=True)
    privacy.publish(indikatorer, agreement, kept.suppress)
    assert sorted(asked) == sorted(agreement.sensitive)
