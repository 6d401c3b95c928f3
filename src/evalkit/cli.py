"""The command line: evalkit validate | build | audit | run | pdf | new-year.

Messages are Danish.
"""

import argparse
import logging
import os
import re
import sys
import time
from datetime import date
from pathlib import Path

from evalkit import files
from evalkit.agreement import Agreement, load_agreement
from evalkit.config import Paths
from evalkit.errors import Busy, Contradiction, InputError, Problem, cannot_write, shown

OK, BAD_INPUT, USAGE, UNITS_FAILED, BUSY, NO_BROWSER, CANNOT_WRITE = 0, 1, 2, 3, 4, 5, 6
DISCLOSURE = 7  # the disclosure audit fails for a year: nothing is published for it
INTERRUPTED = 130  # as a shell reports a program stopped by Ctrl-C (128 + SIGINT)
SHOWN_PROBLEMS = 50  # problems printed; the rest are counted
REPORT_TIMEOUT = 600  # seconds for one report (--timeout): generous, a report takes seconds


class UsageError(Exception):
    """The command cannot be carried out as given (exit USAGE); the message is Danish."""


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    # papermill's and nbclient's log lines are English and for developers; what a failed
    # report means is told in the summary.
    logging.getLogger("papermill").addHandler(logging.NullHandler())
    paths = Paths(
        data=Path(args.data_dir), reports=Path(args.reports_dir), notebooks=Path(args.notebooks_dir)
    )
    try:
        return _command(args, paths)
    except InputError as exc:
        _print_problems(exc.problems)
        print("Ingen rapport er skrevet. Ret fejlene og kør igen.", file=sys.stderr)
        return BAD_INPUT
    except Contradiction as exc:
        where = "; ".join(f"{f.aar} {f.enhed}" for f in exc.figures)
        print(
            f"Fejl: tallene for {where} passer ikke sammen (fx flere udsættelser end lejemål "
            "eller flere med foranstaltning end beboere). Ret inddata og kør igen. Ingen "
            "rapport er skrevet.",
            file=sys.stderr,
        )
        return BAD_INPUT
    except Busy as exc:
        print(
            f"Fejl: En anden kørsel af evalkit er i gang i {exc.folder}. Vent, til den er "
            "færdig, og kør så igen. Intet er ændret.",
            file=sys.stderr,
        )
        return BUSY
    except UsageError as exc:
        print(f"Fejl: {exc}", file=sys.stderr)
        return USAGE
    except KeyboardInterrupt:
        print(
            "\nAfbrudt. De rapporter, der blev færdige, er gemt; ingen halve filer er efterladt. "
            "Kør igen for at lave resten.",
            file=sys.stderr,
        )
        return INTERRUPTED
    except OSError as exc:  # writing the outputs: a read-only folder, a full disk, a file
        print(f"Fejl: {cannot_write(exc)}", file=sys.stderr)
        return CANNOT_WRITE


def _command(args: argparse.Namespace, paths: Paths) -> int:
    agreement = load_agreement(paths.raw)
    if args.command == "new-year":
        return _new_year(paths, agreement, args.aar, args.format)
    if args.command == "pdf":
        return _pdf(paths, args.year)
    years = _years(paths, args.year)
    if args.command == "validate":
        return _validate(paths, agreement, years)
    _check_folders(paths)
    # Another run is told at once, before the inputs are read; the lock is taken below.
    files.check_free(paths.processed)
    if args.command == "build":  # build_years checks every year before it writes one
        with files.exclusive(paths.processed):
            return _build(paths, agreement, years)
    if args.command == "audit":
        wanted = _history(paths, years)
        _check(paths, agreement, wanted)
        with files.exclusive(paths.processed):
            _build(paths, agreement, wanted)
            return _audit(paths, agreement, years)
    files.check_free(paths.reports)
    wanted = _history(paths, years)
    _check(paths, agreement, wanted)  # every year is valid before a kernel is started
    if not args.dask:
        from evalkit.incremental import start_early

        start_early(paths, years, 1 if args.unit else args.jobs, args.force)
    with files.exclusive(paths.reports), files.exclusive(paths.processed):
        try:
            _build(paths, agreement, wanted)
            return _run(
                paths, agreement, years, args.unit, args.jobs, args.force, args.dask, args.timeout
            )
        except KeyboardInterrupt:
            # Still holding the locks: nothing half-written stays behind.
            for folder in [paths.reports, *map(paths.reports_year, years)]:
                files.remove_leftovers(folder)
            for folder in map(paths.processed_year, wanted):
                files.remove_leftovers(folder)
            raise


def _check_folders(paths: Paths) -> None:
    """The outputs go to folders of their own: never into raw/, never reports into processed/."""
    raw, processed = paths.raw.resolve(), paths.processed.resolve()
    reports = paths.reports.resolve()
    if reports == processed or reports == raw or raw in reports.parents:
        raise UsageError(
            f"--reports-dir ({paths.reports}) må ikke være {paths.raw}, en mappe i den eller "
            f"{paths.processed}; vælg en mappe til rapporterne alene, fx reports."
        )


def _year(text: str) -> int:
    if not re.fullmatch(r"[0-9]{4}", text):
        raise argparse.ArgumentTypeError(f'"{text}" er ikke et årstal; skriv fx 2026.')
    return int(text)


def _jobs(text: str) -> int:
    if not re.fullmatch(r"[0-9]{1,4}", text.strip()) or int(text) < 1:
        raise argparse.ArgumentTypeError(f'"{text}" er ikke et antal; skriv et helt tal over 0.')
    return int(text)


def _seconds(text: str) -> float:
    try:
        seconds = float(text.replace(",", "."))
    except ValueError:
        seconds = -1.0
    if not 0 < seconds < 10**6:
        raise argparse.ArgumentTypeError(f'"{text}" er ikke et antal sekunder; skriv fx 600.')
    return seconds


class _Parser(argparse.ArgumentParser):
    """argparse with its one English line, "error:", in Danish."""

    def error(self, message: str):
        self.print_usage(sys.stderr)
        self.exit(USAGE, f"{self.prog}: fejl: {message}\n")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="evalkit",
        description="Årlig evaluering af delaftalen: tjek inddata, beregn, lav rapporter.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="kommando")
    helps = {
        "validate": "tjek årets inddata og vis alle fejl",
        "build": "beregn indikatorerne og skriv data/processed/<år>/",
        "audit": "vis hvert skjult tal og hvad en læser kan regne ud om det (diskretion)",
        "run": "beregn og lav HTML-rapporter for alle enheder",
    }
    for name, text in helps.items():
        sub = commands.add_parser(name, help=text, description=text)
        sub.add_argument("--year", type=_year, help="året (standard: alle år med data i raw/)")
        _data_dir(sub)
        sub.add_argument(
            "--reports-dir", default="reports", help="mappe til rapporterne (standard: reports)"
        )
        sub.add_argument("--notebooks-dir", default="notebooks", help=argparse.SUPPRESS)
        if name == "run":
            sub.add_argument("--unit", metavar="NAVN", help="lav kun rapporten for denne enhed")
            sub.add_argument(
                "--jobs",
                type=_jobs,
                default=os.cpu_count() or 1,
                help="antal rapporter, der laves samtidig (standard: antal kerner)",
            )
            sub.add_argument(
                "--timeout",
                type=_seconds,
                default=REPORT_TIMEOUT,
                metavar="SEKUNDER",
                help="en rapport, der ikke er færdig efter så mange sekunder, stoppes og står "
                f"som fejlet; de andre laves (standard: {REPORT_TIMEOUT})",
            )
            sub.add_argument(
                "--force", action="store_true", help="lav alle rapporter igen, også de uændrede"
            )
            sub.add_argument(
                "--dask",
                metavar="ADRESSE",
                help="lad en dask-klynge lave rapporterne (fx tcp://server:8786)",
            )
    text = "skriv tomme skabeloner til et nyt års inddata i data/raw/<år>/ (overskriver intet)"
    sub = commands.add_parser("new-year", help=text, description=text)
    sub.add_argument("aar", metavar="ÅR", type=_year, help="året, fx 2026")
    sub.add_argument(
        "--format",
        choices=("csv", "xlsx"),
        default="csv",
        help="csv (standard: semikolon og UTF-8, som dansk Excel åbner direkte) eller xlsx",
    )
    _data_dir(sub)
    sub.set_defaults(reports_dir="reports", notebooks_dir="notebooks")
    text = "lav PDF (A4) af årets rapporter med Chromium"
    sub = commands.add_parser("pdf", help=text, description=text)
    sub.add_argument("--year", type=_year, required=True, help="året, fx 2025")
    sub.add_argument(
        "--reports-dir", default="reports", help="mappe med rapporterne (standard: reports)"
    )
    sub.set_defaults(data_dir="data", notebooks_dir="notebooks")
    return parser


def _data_dir(sub: argparse.ArgumentParser) -> None:
    sub.add_argument(
        "--data-dir", default="data", help="mappe med raw/ og processed/ (standard: data)"
    )


def _years(paths: Paths, year: int | None) -> list[int]:
    if year is not None:
        if not paths.raw_year(year).is_dir():
            from evalkit.inputs import missing_year

            raise InputError([missing_year(paths.raw_year(year), year)])
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
    from evalkit.checks import implausible_changes
    from evalkit.inputs import read_year

    problems: list[Problem] = []
    for year in years:
        try:
            inputs = read_year(paths.raw, year, agreement)
        except InputError as exc:
            problems += exc.problems
            continue
        problems += inputs.warnings
        if paths.raw_year(year - 1).is_dir():
            try:
                previous = read_year(paths.raw, year - 1, agreement).tables
            except InputError:
                continue  # last year's own problems are reported when it is validated
            files = {p.stem: str(p) for p in inputs.files}
            problems += implausible_changes(
                year, inputs.tables, previous, agreement.settings, files
            )
    _print_problems(problems)
    if any(not p.warning for p in problems):
        return BAD_INPUT
    print(f"Inddata er i orden for {', '.join(map(str, years))}.")
    return OK


def _check(paths: Paths, agreement: Agreement, years: list[int]) -> None:
    """Every year is valid before anything is written or any lock is taken."""
    from evalkit.inputs import read_year

    problems: list[Problem] = []
    for year in years:
        try:
            read_year(paths.raw, year, agreement)
        except InputError as exc:
            problems += exc.problems
    if any(not p.warning for p in problems):
        raise InputError(problems)


def _build(paths: Paths, agreement: Agreement, years: list[int]) -> int:
    """Write data/processed/<year>/ for each year. Call it holding the lock on processed/."""
    from evalkit.build import build_years

    for year in years:
        _clean(paths.processed_year(year))
    _print_problems(
        [
            Problem(str(paths.processed_year(year)), f"{paths.raw_year(year)} findes ikke "
                    f"længere, så de beregnede tal for {year} bruges ikke. Slet mappen, hvis "
                    "året er taget ud med vilje.", warning=True)
            for year in paths.orphaned_years()
        ]
    )  # fmt: skip
    for built in build_years(paths, years, agreement):
        _print_problems(built.warnings)
        year = built.year
        print(f"Indikatorer for {year}: {paths.processed_year(year) / 'indikatorer.csv'}")
    return OK


def _clean(folder: Path) -> None:
    removed = files.remove_leftovers(folder)
    if removed:
        print(f"Fjernede {len(removed)} halve filer fra en afbrudt kørsel i {folder}.")


def _run(
    paths: Paths,
    agreement: Agreement,
    years: list[int],
    unit_name: str | None,
    jobs: int,
    force: bool = False,
    dask: str | None = None,
    timeout: float | None = REPORT_TIMEOUT,
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
                f'Fejl: enheden "{shown(unit_name)}" kendes ikke. Kendte enheder: {names}.',
                file=sys.stderr,
            )
            return USAGE
    # Every year's figures are hidden and audited before anything is published.
    published = batch.publish_years(paths, agreement, _history(paths, years))
    refused = [year for year in years if not published.failures(year).empty]
    for year in refused:
        _print_refusal(published, year)
    years = [year for year in years if year not in refused]
    if not years:
        return DISCLOSURE
    _clean(paths.reports)
    for year in years:
        _clean(paths.reports_year(year))
        batch.write_tal(paths, published, year)
    started = time.perf_counter()
    progress = Progress(len(years) * len(chosen))
    try:
        with cluster.executor(dask) as executor:
            by_year = incremental.make_reports(
                paths, agreement, years, chosen, jobs, force, executor, progress, timeout
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
    return DISCLOSURE if refused else UNITS_FAILED if failed else OK


def _audit(paths: Paths, agreement: Agreement, years: list[int]) -> int:
    """Each hidden figure of the reports of `years` and the range a reader can deduce."""
    from evalkit import batch

    published = batch.publish_years(paths, agreement, _history(paths, years))
    limit = published.threshold
    code = OK
    for year in years:
        shown = published.audit[published.audit["aar"] <= year]
        bad = published.failures(year)
        print(
            f"Diskretionskontrol for rapporterne {year}: {len(shown)} skjulte tal "
            f"(små tal 1–{limit - 1} vises som »<{limit}«, tal de kan regnes ud fra som "
            "»skjult«). For hvert: det mindste og største tal, en læser kan regne sig frem "
            "til ud fra alt, der er offentliggjort."
        )
        for r in shown.sort_values(["indikator", "aar", "niveau", "enhed"]).itertuples():
            verdict = "i orden" if r.beskyttet else "FEJL: for snævert"
            print(
                f"  {r.indikator:<15} {r.aar}  {r.niveau:<12} {r.enhed:<30} "
                f"{_label(r.label, limit):<7} {_range(r.min, r.max):<14} {verdict}"
            )
        if bad.empty:
            print(f"{year}: i orden. Hvert »<{limit}« kan stadig være alt fra 1 til {limit - 1}; "
                  f"hvert »skjult« er hverken ét bestemt tal eller kun 1–{limit - 1}.")  # fmt: skip
        else:
            _print_refusal(published, year)
            code = DISCLOSURE
    return code


def _label(reason: str, limit: int) -> str:
    from evalkit.privacy import label

    return label(reason, limit)


def _range(low: float, high: float) -> str:
    if high == float("inf"):
        return f"mindst {low:.0f}"
    return f"{low:.0f}" if low == high else f"{low:.0f}–{high:.0f}"


def _print_refusal(published, year: int) -> None:
    bad = published.failures(year)
    print(
        f"Fejl: diskretionskontrollen for {year} fejlede: {len(bad)} skjulte tal kan regnes for "
        "præcist ud fra de offentliggjorte tal, og det kan ikke rettes ved at skjule flere. "
        f"Intet er offentliggjort for {year}. Se evalkit audit --year {year}.",
        file=sys.stderr,
    )
    limit = published.threshold
    for r in bad.itertuples():
        print(
            f"  {r.indikator} {r.aar} {r.enhed}: vist som »{_label(r.label, limit)}«, "
            f"men en læser kan regne ud, at det er {_range(r.min, r.max)}.",
            file=sys.stderr,
        )


def _new_year(paths: Paths, agreement: Agreement, year: int, fmt: str) -> int:
    """Write the year's empty templates; refuse, writing nothing, if any would clash."""
    from evalkit import new_year
    from evalkit.year_folder import period_warning

    year_dir = paths.raw_year(year)
    clashes = new_year.conflicts(year_dir)
    if clashes:
        _print_problems([new_year.exists(p) for p in clashes])
        print(f"Ingen skabeloner er skrevet i {year_dir}.", file=sys.stderr)
        return USAGE
    written = []
    for name, data in new_year.templates(year, agreement, fmt).items():
        try:
            files.write_new(year_dir / name, data)
        except FileExistsError:  # made by someone else meanwhile: theirs is kept
            _print_problems([new_year.exists(year_dir / name)])
            return USAGE
        written.append(name)
    outside = period_warning(year_dir, year, date(year, 1, 1), date(year, 12, 31), agreement)
    _print_problems([outside] if outside else [])
    print(f"Skabeloner til {year} i {year_dir}: {', '.join(written)}.")
    print(f"Udfyld dem, og tjek dem med: evalkit validate --year {year}")
    return OK


def _pdf(paths: Paths, year: int) -> int:
    """reports/<year>/<unit>.pdf beside each report that was built."""
    from evalkit import pdf

    chromium = pdf.browser()
    if chromium is None:
        print(f"Fejl: {pdf.INSTALL}", file=sys.stderr)
        return NO_BROWSER
    folder = paths.reports_year(year)
    pages = sorted(folder.glob("*.html"))
    if not pages:
        print(f"Fejl: der er ingen rapporter i {folder}. Lav dem først: evalkit run "
              f"--year {year}", file=sys.stderr)  # fmt: skip
        return USAGE
    failed = 0
    for i, html in enumerate(pages, start=1):
        try:
            pdf.print_pdf(chromium, html, html.with_suffix(".pdf"))
            print(f"[{i}/{len(pages)}] {html.with_suffix('.pdf')}", flush=True)
        except (RuntimeError, OSError, TimeoutError) as exc:
            failed += 1
            print(f"[{i}/{len(pages)}] {html.name}: FEJLET ({exc})", file=sys.stderr)
    print(f"{year}: {len(pages) - failed} PDF'er lavet, {failed} fejlet.")
    return UNITS_FAILED if failed else OK


def _progress(year: int, total: int):
    count = 0

    def done(outcome) -> None:
        nonlocal count
        count += 1
        mark = "ok" if outcome.ok else "FEJLET"
        print(f"[{year} {count}/{total}] {outcome.unit.enhed}: {mark}", flush=True)

    return done


def _print_problems(problems: list[Problem]) -> None:
    """The problems, errors first, at most SHOWN_PROBLEMS of them and a count of the rest."""
    ordered = sorted(problems, key=lambda p: p.warning)  # stable: errors first, in order
    for problem in ordered[:SHOWN_PROBLEMS]:
        print(problem, file=sys.stderr)
    rest = ordered[SHOWN_PROBLEMS:]
    if rest:
        errors = sum(not p.warning for p in rest)
        print(
            f"… og {len(rest)} mere ({errors} fejl og {len(rest) - errors} advarsler), som ikke "
            "vises. Ret dem herover, og kør igen.",
            file=sys.stderr,
        )


if __name__ == "__main__":
    sys.exit(main())
