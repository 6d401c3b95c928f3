"""The command line: evalkit validate | build | run. Messages are Danish."""

import argparse
import os
import sys
import time
from pathlib import Path

from evalkit.agreement import Agreement, load_agreement
from evalkit.config import Paths
from evalkit.errors import InputError, Problem

OK, BAD_INPUT, USAGE, UNITS_FAILED = 0, 1, 2, 3


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    paths = Paths(
        data=Path(args.data_dir), reports=Path(args.reports_dir), notebooks=Path(args.notebooks_dir)
    )
    try:
        agreement = load_agreement(paths.raw)
        years = _years(paths, args.year)
        if args.command == "run" and not args.dask:
            from evalkit.incremental import start_early

            start_early(paths, years, 1 if args.unit else args.jobs, args.force)
        if args.command == "validate":
            return _validate(paths, agreement, years)
        built = _build(
            paths, agreement, years if args.command == "build" else _history(paths, years)
        )
        if args.command == "build":
            return built
        return _run(paths, agreement, years, args.unit, args.jobs, args.force, args.dask)
    except InputError as exc:
        _print_problems(exc.problems)
        print("Ingen rapport er skrevet. Ret fejlene og kør igen.", file=sys.stderr)
        return BAD_INPUT


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="evalkit",
        description="Årlig evaluering af delaftalen: tjek inddata, beregn, lav rapporter.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="kommando")
    helps = {
        "validate": "tjek årets inddata og vis alle fejl",
        "build": "beregn indikatorerne og skriv data/processed/<år>/",
        "run": "beregn og lav HTML-rapporter for alle enheder",
    }
    for name, text in helps.items():
        sub = commands.add_parser(name, help=text, description=text)
        sub.add_argument("--year", type=int, help="året (standard: alle år med data i raw/)")
        sub.add_argument(
            "--data-dir", default="data", help="mappe med raw/ og processed/ (standard: data)"
        )
        sub.add_argument(
            "--reports-dir", default="reports", help="mappe til rapporterne (standard: reports)"
        )
        sub.add_argument("--notebooks-dir", default="notebooks", help=argparse.SUPPRESS)
        if name == "run":
            sub.add_argument("--unit", metavar="NAVN", help="lav kun rapporten for denne enhed")
            sub.add_argument(
                "--jobs",
                type=int,
                default=os.cpu_count() or 1,
                help="antal rapporter, der laves samtidig (standard: antal kerner)",
            )
            sub.add_argument(
                "--force", action="store_true", help="lav alle rapporter igen, også de uændrede"
            )
            sub.add_argument(
                "--dask",
                metavar="ADRESSE",
                help="lad en dask-klynge lave rapporterne (fx tcp://server:8786)",
            )
    return parser


def _years(paths: Paths, year: int | None) -> list[int]:
    if year is not None:
        if not paths.raw_year(year).is_dir():
            raise InputError(
                [Problem(str(paths.raw_year(year)), f"mappen for året {year} findes ikke.")]
            )
        return [year]
    years = paths.raw_years()
    if not years:
        raise InputError(
            [Problem(str(paths.raw), "der er ingen årsmapper (fx raw/2025/) med inddata.")]
        )
    return years


def _history(paths: Paths, years: list[int]) -> list[int]:
    """Reports show the years up to their own, so those are built too."""
    return [y for y in paths.raw_years() if y <= max(years)]


def _validate(paths: Paths, agreement: Agreement, years: list[int]) -> int:
    from evalkit.inputs import read_year

    problems: list[Problem] = []
    for year in years:
        try:
            problems += read_year(paths.raw, year, agreement).warnings
        except InputError as exc:
            problems += exc.problems
    _print_problems(problems)
    if any(not p.warning for p in problems):
        return BAD_INPUT
    print(f"Inddata er i orden for {', '.join(map(str, years))}.")
    return OK


def _build(paths: Paths, agreement: Agreement, years: list[int]) -> int:
    from evalkit.build import build_years

    for built in build_years(paths, years, agreement):
        _print_problems(built.warnings)
        year = built.year
        print(f"Indikatorer for {year}: {paths.processed_year(year) / 'indikatorer.csv'}")
    return OK


def _run(
    paths: Paths,
    agreement: Agreement,
    years: list[int],
    unit_name: str | None,
    jobs: int,
    force: bool = False,
    dask: str | None = None,
) -> int:
    from evalkit import batch, cluster, incremental
    from evalkit.names import normalize
    from evalkit.progress import Progress, summary

    chosen = batch.units(agreement)
    if unit_name:
        chosen = [
            u for u in chosen if normalize(u.enhed) == normalize(unit_name) or u.slug == unit_name
        ]
        if not chosen:
            names = ", ".join(u.enhed for u in batch.units(agreement))
            print(
                f'Fejl: enheden "{unit_name}" kendes ikke. Kendte enheder: {names}.',
                file=sys.stderr,
            )
            return USAGE
    started = time.perf_counter()
    progress = Progress(len(years) * len(chosen))
    try:
        with cluster.executor(dask) as executor:
            by_year = incremental.make_reports(
                paths, agreement, years, chosen, jobs, force, executor, progress
            )
    except cluster.ClusterError as exc:
        print(f"Fejl: {exc}", file=sys.stderr)
        return USAGE
    progress.close()
    print("\n".join(summary(by_year, time.perf_counter() - started)))
    failed = [(year, o) for year, outcomes in by_year.items() for o in outcomes if not o.ok]
    for year, o in failed:
        print(
            f"  {year} {o.unit.enhed}: {o.error} (se {paths.reports_year(year) / o.notebook})",
            file=sys.stderr,
        )
    index = batch.write_index(paths, agreement)
    print(f"Oversigt: {index}")
    return UNITS_FAILED if failed else OK


def _print_problems(problems: list[Problem]) -> None:
    for problem in problems:
        print(problem, file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
