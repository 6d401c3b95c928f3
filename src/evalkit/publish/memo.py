"""The disclosure audit, remembered: an indicator's hiding is worked out again only when
its figures change.

Hiding one sensitive indicator (evalkit.compute.privacy.suppress) solves a linear program per
year and per hidden cell, the slowest step of a run. Its answer depends on nothing but the
indicator's rows of every year, the afdelinger, the threshold and evalkit's code, so it is kept
in data/processed/.evalkit-skjul.json under a key made of all of them: a new year's move-outs
leave the evictions' answer as it was. The file holds the answers the last run used, no more;
it lies on the analyst's side (it holds the ranges of hidden counts), never under reports/.
"""

import hashlib
import json

import pandas as pd

from evalkit.compute import privacy
from evalkit.files import write_atomic
from evalkit.paths import Paths
from evalkit.publish import fingerprint

MEMO = ".evalkit-skjul.json"


class Remembered:
    """privacy.suppress, answered from the memo where the same question was asked before."""

    def __init__(self, paths: Paths, afresh: bool = False) -> None:
        """`afresh`: answer nothing from the memo (work every answer out again)."""
        self.path = paths.processed / MEMO
        try:
            self.known = {} if afresh else json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):  # none yet, or unreadable: nothing is known
            self.known = {}
        self.used: dict[str, dict] = {}

    def suppress(
        self, rows: pd.DataFrame, afdelinger: pd.DataFrame, threshold: int
    ) -> tuple[pd.Series, pd.Series, pd.DataFrame]:
        key = _key(rows, afdelinger, threshold)
        entry = self.known.get(key)
        if entry is not None:
            try:
                answer = _restore(entry, rows.index)
            except (KeyError, TypeError, ValueError):  # a damaged entry is asked again
                answer = None
            if answer is not None:
                self.used[key] = entry
                return answer
        labels, baseline_labels, result = privacy.suppress(rows, afdelinger, threshold)
        self.used[key] = {
            "labels": list(labels),
            "baseline_labels": list(baseline_labels),
            "result": result.to_dict(orient="list"),
            "dtypes": {c: str(t) for c, t in result.dtypes.items()},
        }
        return labels, baseline_labels, result

    def save(self) -> None:
        """Keep the answers this run used. Hold the lock on data/processed/."""
        if self.used != self.known:
            write_atomic(self.path, json.dumps(self.used, sort_keys=True) + "\n")


def _key(rows: pd.DataFrame, afdelinger: pd.DataFrame, threshold: int) -> str:
    content = [
        _digest(rows),
        _digest(afdelinger),
        threshold,
        fingerprint.source_digest(),
        fingerprint.packages(),
    ]
    return hashlib.sha256(json.dumps(content).encode("utf-8")).hexdigest()


def _digest(frame: pd.DataFrame) -> str:
    """The table's columns, types and values in order; not its index labels, since the answer
    is given back on the rows' own index."""
    digest = hashlib.sha256(
        json.dumps([[str(c), str(t)] for c, t in frame.dtypes.items()]).encode()
    )
    digest.update(pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes())
    return digest.hexdigest()


def _restore(entry: dict, index: pd.Index) -> tuple[pd.Series, pd.Series, pd.DataFrame]:
    labels = pd.Series(entry["labels"], index=index, dtype=object)
    baseline_labels = pd.Series(entry["baseline_labels"], index=index, dtype=object)
    result = pd.DataFrame(entry["result"]).astype(entry["dtypes"])
    return labels, baseline_labels, result
