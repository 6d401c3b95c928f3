"""Synthetic inputs of any size, for the benchmark: made on the fly, never committed.

    python scripts/synth.py OUT --afdelinger 7000 --years 10

writes OUT/raw/ in the shape of data/raw/: the shipped agreement text (helhedsplan.yaml, the
real delaftale, sammenligning.csv) with `afdelinger` made-up afdelinger in boligselskaber of
about ten, their baselines, and one folder of made-up figures per year. The figures are random
but valid, and the same for the same arguments.
"""

import argparse
import csv
import random
import shutil
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHIPPED = REPO / "data" / "raw"
ACTIVITIES = (
    "Hverdagsrådgivning",
    "Civilsamfund som samarbejdspartner",
    "Bo Godt – koordineret samarbejde",
)
LAST_YEAR = 2025
DELAFTALE = "delaftaler/sammenhaengskraft-og-medborgerskab.yaml"  # the real one, not the example


def make(out: Path, afdelinger: int, years: int, per_company: int = 10, seed: int = 1) -> Path:
    """Write the inputs under `out`/raw and return `out`/data-dir for evalkit's --data-dir."""
    rng = random.Random(seed)
    raw = out / "raw"
    raw.mkdir(parents=True, exist_ok=True)
    for name in ("helhedsplan.yaml", DELAFTALE, "sammenligning.csv"):
        (raw / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(SHIPPED / name, raw / name)
    names = [f"Afdeling {i:05d}" for i in range(1, afdelinger + 1)]
    companies = max(1, -(-afdelinger // per_company))
    _write(
        raw / "afdelinger.csv",
        ["afdeling", "boligselskab", "afdelingsnummer", "boligtype", "kilde"],
        [
            [n, f"Boligselskab {i % companies + 1:04d}", str(i + 1),
             rng.choice(["familiebolig", "ungdomsbolig", "ukendt"]), "syntetisk"]
            for i, n in enumerate(names)
        ],
    )  # fmt: skip
    _write(
        raw / "baseline.csv",
        ["afdeling", "indikator", "aar", "vaerdi", "kilde"],
        [[n, "fraflytning", 2023, round(rng.uniform(5, 25), 1), "syntetisk"] for n in names]
        + [
            [n, "tilfredshed", 2023, round(rng.uniform(60, 95), 1), "syntetisk"]
            for n in names
            if rng.random() < 0.9  # some afdelinger have no baseline
        ],
    )
    for year in range(LAST_YEAR - years + 1, LAST_YEAR + 1):
        folder = raw / str(year)
        folder.mkdir(exist_ok=True)
        (folder / "metadata.yaml").write_text(
            f"eksempeldata: true\nbeskrivelse: Syntetiske tal for {year} (benchmark).\n",
            encoding="utf-8",
        )
        lejemaal = {n: rng.randint(40, 600) for n in names}
        beboere = {n: 2 * lejemaal[n] for n in names}
        _write(
            folder / "fraflytninger.csv",
            ["afdeling", "lejemaal", "fraflytninger"],
            [[n, lejemaal[n], rng.randint(0, lejemaal[n] // 4)] for n in names],
        )
        _write(
            folder / "udsaettelser.csv",
            ["afdeling", "effektive_udsaettelser"],
            [[n, rng.randint(0, 3)] for n in names],
        )
        _write(
            folder / "tilfredshed.csv",
            ["afdeling", "besvarelser", "tilfredse"],
            [
                [n, (b := rng.randint(10, 200)), rng.randint(b // 2, b)]
                for n in names
                if rng.random() < 0.7  # not every afdeling is surveyed every year
            ],
        )
        _write(
            folder / "foranstaltninger.csv",
            ["afdeling", "beboere", "med_foranstaltning"],
            [[n, beboere[n], rng.randint(0, beboere[n] // 8)] for n in names],
        )
        _write(
            folder / "aktiviteter.csv",
            ["aktivitet", "afdeling", "timer", "deltagere"],
            [
                [a, n, round(rng.uniform(10, 300), 1), rng.randint(0, 60)]
                for n in names
                for a in ACTIVITIES
            ],
        )
    return out


def _write(path: Path, header: list[str], rows: list[list]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--afdelinger", type=int, default=7000)
    parser.add_argument("--years", type=int, default=10)
    args = parser.parse_args()
    make(args.out, args.afdelinger, args.years)
    print(f"{args.out / 'raw'}: {args.afdelinger} afdelinger × {args.years} år")


if __name__ == "__main__":
    main()
