"""The disclosure audit's benchmark (part of `make bench`).

1. National size: the synthetic input of 7,000 afdelinger (scripts/synth.py), two years,
   every sensitive indicator: `evalkit build`, then suppression and audit
   (evalkit.compute.privacy.publish) in a process of its own; wall time and peak memory.
2. The shipped Viborg data: the same for the reports of 2025 (2024 and 2025).
3. Random tables with the Viborg hierarchy (16 afdelinger, 2 boligselskaber) and random small
   counts: how often the old rule (hide 1–4, then a complement wherever a sum has exactly one
   hidden cell) leaves a hidden cell narrower than its guarantee, or a "<5" cell exact, and
   how much more the audited suppression hides.
"""

import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
sys.path.insert(0, str(REPO / "scripts"))

from bench import machine, measured, synthetic  # noqa: E402

TARGETS = {"national_s": 60, "national_gib": 2, "viborg_s": 1}
RANDOM_TABLES = 200

# Run in a process of its own, so that its peak memory is the audit's.
AUDIT = """
import sys, time
from pathlib import Path
from evalkit.inputs.agreement import load_agreement
from evalkit.compute.build import load_processed
from evalkit.paths import Paths
from evalkit.compute.privacy import publish
paths = Paths(data=Path("data"))
agreement = load_agreement(paths.raw)
table = load_processed(paths, int(sys.argv[1])).indikatorer
started = time.perf_counter()
published = publish(table, agreement)
print(time.perf_counter() - started, len(published.audit), published.holds)
"""


def audit_run(project: Path, year: int) -> tuple[float, float, int, bool]:
    _, gib, out = measured([BIN / "python", "-c", AUDIT, str(year)], project)
    wall, hidden, holds = out.split()
    return float(wall), gib, int(hidden), holds == "True"


def build(project: Path) -> None:
    subprocess.run([BIN / "evalkit", "build"], cwd=project, check=True, capture_output=True)


def national(root: Path) -> str:
    project = synthetic(root, 7000, 2)
    build(project)
    wall, gib, hidden, holds = audit_run(project, 2025)
    shutil.rmtree(project)
    return (
        f"national audit (7,000 afdelinger x 2 years, udsaettelser and foranstaltning): "
        f"{wall:.1f} s, peak memory {gib:.2f} GiB, {hidden} hidden figures, guarantee holds: "
        f"{holds} (targets < {TARGETS['national_s']} s, < {TARGETS['national_gib']} GiB)"
    )


def viborg(root: Path) -> str:
    shutil.copytree(REPO / "data" / "raw", root / "data" / "raw")
    build(root)
    wall, gib, hidden, holds = audit_run(root, 2025)
    return (
        f"Viborg audit (the reports of 2025: 2024 and 2025): {wall:.2f} s, {hidden} hidden "
        f"figures, guarantee holds: {holds} (target < {TARGETS['viborg_s']} s)"
    )


def old_rule(rows: pd.DataFrame, afdelinger: pd.DataFrame) -> pd.Series:
    """The suppression before the audit (evalkit 0.1.0): small cells, then in every sum with
    exactly one hidden cell the smallest shown non-zero cell, until no sum has one."""
    counts = rows["taeller"]
    hidden = ((counts >= 1) & (counts < 5)).fillna(False).astype(bool)
    index = {(n, e): i for i, n, e in zip(rows.index, rows["niveau"], rows["enhed"], strict=True)}
    ties = []
    for name, members in afdelinger.groupby("boligselskab", sort=False)["afdeling"]:
        parts = [index[("afdeling", a)] for a in members if ("afdeling", a) in index]
        ties.append((index[("boligselskab", name)], parts))
    total = rows.index[rows["niveau"] == "samlet"][0]
    ties.append((total, list(rows.index[rows["niveau"] == "boligselskab"])))
    ties.append((total, list(rows.index[rows["niveau"] == "afdeling"])))
    changed = True
    while changed:
        changed = False
        for total, parts in ties:
            known = [c for c in [total, *parts] if not pd.isna(counts[c])]
            if sum(hidden[c] for c in known) != 1:
                continue
            shown = [c for c in parts if c in known and not hidden[c]]
            shown = shown or ([total] if not hidden[total] else [])
            if shown:
                hidden[min(shown, key=lambda c: (counts[c] == 0, counts[c], c))] = True
                changed = True
    return hidden


def random_tables(count: int) -> str:
    from evalkit.compute.audit import PRIMARY, SECONDARY, audit, figures
    from evalkit.compute.indicators import indicator_table
    from evalkit.compute.privacy import publish
    from evalkit.inputs.agreement import load_agreement

    agreement = load_agreement(REPO / "data" / "raw")
    names = agreement.afdeling_names
    rng = random.Random(10)
    old_fails = old_exact = extra = 0
    hidden_old = hidden_new = 0
    for _ in range(count):
        counts = {a: rng.choice([0, 0, 1, 1, 2, 3, 4, 5, 6, 8]) for a in names}
        tables = {
            "udsaettelser": pd.DataFrame(
                {"afdeling": names, "effektive_udsaettelser": pd.array(list(counts.values()))}
            ),
            "fraflytninger": pd.DataFrame(
                {
                    "afdeling": names,
                    "lejemaal": [rng.randint(20, 500) for _ in names],
                    "fraflytninger": [0] * len(names),
                }  # fmt: skip
            ),
        }
        table = indicator_table(2025, tables, agreement)
        rows = table[table["indikator"] == "udsaettelser"]
        hidden = old_rule(rows, agreement.afdelinger)
        small = rows["taeller"].between(1, 4)
        labels = pd.Series(
            [PRIMARY if s else SECONDARY if h else "" for h, s in zip(hidden, small, strict=True)],
            rows.index,
        )
        result = audit(figures(rows, labels, agreement.afdelinger), 5)
        old_fails += not result["beskyttet"].all()
        small_result = result[result["label"] == PRIMARY]
        old_exact += (small_result["min"] == small_result["max"]).any()
        published = publish(table, agreement)
        assert published.holds
        new = published.table.loc[rows.index, "skjult"] != ""
        extra += bool((new & ~hidden).any())
        hidden_old += int(hidden.sum())
        hidden_new += int(new.sum())
    share = 100 / count
    return (
        f"random tables with the Viborg hierarchy ({count}, udsaettelser 0–8 per afdeling):\n"
        f"  old rule: a hidden figure narrower than its guarantee in {old_fails * share:.1f} %, "
        f'a "<5" exact in {old_exact * share:.1f} %\n'
        f"  audited suppression hid more than the old rule in {extra * share:.1f} %; "
        f"hidden figures per table {hidden_old / count:.1f} (old) and "
        f"{hidden_new / count:.1f} (audited); the guarantee holds in all"
    )


def main() -> None:
    scratch = Path(tempfile.mkdtemp(prefix="evalkit-bench-audit-"))
    try:
        print(machine())
        started = time.perf_counter()
        print(viborg(scratch / "viborg"))
        print(national(scratch / "national"))
        print(random_tables(RANDOM_TABLES))
        print(f"(benchmark of the audit: {time.perf_counter() - started:.0f} s)")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
