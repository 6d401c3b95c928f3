"""One function per command: the yearly run as the layers make it, told in Danish.

data/raw → inputs (read, validate) → compute (build data/processed, hide and audit) →
execution (one notebook per report) → publish (records, tal.csv, index). The command line
(evalkit.cli) parses the words and calls one of these; an EvalkitError raised here carries
its exit code. Lines for the analyst go to stdout, problems to stderr.
"""

import io
import sys
import time
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager, redirect_stderr
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from evalkit import files
from evalkit.domain import report_units
from evalkit.errors import ExitCode, InputError, Problem, UsageError, shown
from evalkit.paths import Paths

if TYPE_CHECKING:  # pandas comes with it: imported where a command needs it, so a run
    # with nothing to do (evalkit.publish.fingerprint) ends before pandas is loaded
    from evalkit.inputs.agreement import Agreement

SHOWN_PROBLEMS = 50  # problems printed; the rest are counted
REPORT_TIMEOUT = 600  # seconds for one report (--timeout): generous, a report takes seconds


@dataclass(frozen=True)
class RunOptions:
    """How `evalkit run` makes the reports (the command line's options)."""

    unit: str | None = None  # only this unit's report
    jobs: int = 1  # reports made at once
    force: bool = False  # make every report again, also the current ones
    dask: str | None = None  # a dask scheduler's address: its workers make the reports
    timeout: float | None = REPORT_TIMEOUT  # seconds a report may take
    pdf: bool = False  # print a PDF of each report whose PDF is not current


# -- the commands ----------------------------------------------------------------------------
def validate(paths: Paths, year: int | None) -> ExitCode:
    """Check the inputs of `year` (or every year) and show every problem at once."""
    from evalkit.inputs.checks import implausible_changes
    from evalkit.inputs.tables import read_year

    agreement = _agreement(paths)
    years = _years(paths, year)
    problems: list[Problem] = []
    for y in years:
        try:
            inputs = read_year(paths.raw, y, agreement)
        except InputError as exc:
            problems += exc.problems
            continue
        problems += inputs.warnings
        if paths.raw_year(y - 1).is_dir():
            try:
                previous = read_year(paths.raw, y - 1, agreement).tables
            except InputError:
                continue  # last year's own problems are reported when it is validated
            names = {p.stem: str(p) for p in inputs.files}
            problems += implausible_changes(y, inputs.tables, previous, agreement, names)
    print_problems(problems)
    if any(not p.warning for p in problems):
        return ExitCode.BAD_INPUT
    print(f"Inddata er i orden for {', '.join(map(str, years))}.")
    return ExitCode.OK


def build(paths: Paths, year: int | None) -> ExitCode:
    """Compute data/processed/<year>/ for `year` (or every year)."""
    from evalkit.compute import workers  # without pandas: the workers' server starts first

    years = _years(paths, year)
    workers.start(paths, years)  # it gets ready while pandas is imported and the agreement read
    agreement = _agreement(paths)
    _outputs_apart(paths)
    files.check_free(paths.processed)  # another run is told at once, before reading anything
    with files.exclusive(paths.processed):  # build_years checks every year before it writes
        _build(paths, agreement, years, _current(paths, agreement, years))
    return ExitCode.OK


def audit(paths: Paths, year: int | None) -> ExitCode:
    """Each hidden figure of the reports of `year` and the range a reader can deduce."""
    from evalkit.publish import tal

    agreement = _agreement(paths)
    years = _years(paths, year)
    _outputs_apart(paths)
    files.check_free(paths.processed)
    wanted = _history(paths, years)
    current = _current(paths, agreement, wanted)
    _check(paths, agreement, wanted, current)
    with files.exclusive(paths.processed):
        _build(paths, agreement, wanted, current)
        published = tal.publish_years(paths, agreement, wanted)
    limit = published.threshold
    code = ExitCode.OK
    for y in years:
        hidden = published.audit[published.audit["aar"] <= y]
        print(
            f"Diskretionskontrol for rapporterne {y}: {len(hidden)} skjulte tal "
            f"(små tal 1–{limit - 1} vises som »<{limit}«, tal de kan regnes ud fra som "
            "»skjult«). For hvert: det mindste og største tal, en læser kan regne sig frem "
            "til ud fra alt, der er offentliggjort."
        )
        for r in hidden.sort_values(["indikator", "aar", "niveau", "enhed"]).itertuples():
            verdict = "i orden" if r.beskyttet else "FEJL: for snævert"
            print(
                f"  {r.indikator:<15} {r.aar}  {r.niveau:<12} {r.enhed:<30} "
                f"{_label(r.label, limit):<7} {_range(r.min, r.max):<14} {verdict}"
            )
        if published.failures(y).empty:
            print(f"{y}: i orden. Hvert »<{limit}« kan stadig være alt fra 1 til {limit - 1}; "
                  f"hvert »skjult« er hverken ét bestemt tal eller kun 1–{limit - 1}.")  # fmt: skip
        else:
            _print_refusal(published, y)
            code = ExitCode.DISCLOSURE
    return code


def run(paths: Paths, year: int | None, options: RunOptions) -> ExitCode:
    """Build, hide and audit, then make every report of `year` (or every year) that is not
    current, write tal.csv, tal.xlsx and the index; remove the PDFs that are no longer
    current, or, with `options.pdf`, print them again. When no file has changed since the
    same run last ended without a fault, say so and end (evalkit.publish.fingerprint)."""
    from evalkit.publish import fingerprint

    chromium = None
    if options.pdf:
        from evalkit.publish import pdf as printing

        chromium = printing.browser()
        if chromium is None:  # said before any work: the analyst asked for PDFs
            print(f"Fejl: {printing.INSTALL}", file=sys.stderr)
            return ExitCode.NO_BROWSER
    _outputs_apart(paths)
    files.check_free(paths.processed)
    files.check_free(paths.reports)
    scope = fingerprint.Scope(year, options.unit)
    if not (options.force or options.pdf) and _nothing_changed(paths, scope):
        return ExitCode.OK
    before = fingerprint.inputs(paths)
    years = _years(paths, year)
    if not options.dask:  # the kernels boot while the inputs are read, checked and built
        from evalkit.publish.incremental import start_early

        changed = fingerprint.inputs_changed(paths, scope, before)
        start_early(paths, years, 1 if options.unit else options.jobs, options.force, changed)
    agreement = _agreement(paths)
    chosen = _chosen(agreement, options.unit)
    wanted = _history(paths, years)
    current = _current(paths, agreement, wanted, options.force)
    _check(paths, agreement, wanted, current)
    with files.exclusive(paths.reports), files.exclusive(paths.processed):
        try:
            with _told() as said:
                _build(paths, agreement, wanted, current)
                code = _make_reports(paths, agreement, years, chosen, options, chromium)
            if code == ExitCode.OK:
                counts = {y: len(chosen) for y in years}
                fingerprint.record(paths, scope, before, said.getvalue(), counts)
            return code
        except KeyboardInterrupt:
            # Still holding the locks: nothing half-written stays behind.
            for folder in [paths.reports, *map(paths.reports_year, years)]:
                files.remove_leftovers(folder)
            for folder in map(paths.processed_year, wanted):
                files.remove_leftovers(folder)
            raise


def new_year(paths: Paths, year: int, fmt: str, missing_only: bool = False) -> ExitCode:
    """Write the year's empty templates; refuse, writing nothing, if any would clash.

    `missing_only`: write the templates of the tables the year lacks (after a new delaftale)
    and leave the others alone.
    """
    from evalkit.inputs import new_year as templates
    from evalkit.inputs.year_folder import period_warning

    agreement = _agreement(paths)
    year_dir = paths.raw_year(year)
    clashes = templates.conflicts(year_dir, agreement)
    if clashes and not missing_only:
        print_problems([templates.exists(p) for p in clashes])
        print(f"Ingen skabeloner er skrevet i {year_dir}.", file=sys.stderr)
        return ExitCode.USAGE
    there = templates.present(year_dir, agreement) if missing_only else set()
    written = []
    for name, data in templates.templates(year, agreement, fmt).items():
        if name.removesuffix(f".{fmt}") in there:
            continue
        try:
            files.write_new(year_dir / name, data)
        except FileExistsError:  # made by someone else meanwhile: theirs is kept
            print_problems([templates.exists(year_dir / name)])
            return ExitCode.USAGE
        written.append(name)
    outside = period_warning(year_dir, year, date(year, 1, 1), date(year, 12, 31), agreement)
    print_problems([outside] if outside else [])
    if not written:
        print(f"{year_dir} har allerede alle tabeller; ingen skabeloner er skrevet.")
        return ExitCode.OK
    print(f"Skabeloner til {year} i {year_dir}: {', '.join(written)}.")
    print(f"Udfyld dem, og tjek dem med: evalkit validate --year {year}")
    return ExitCode.OK


def pdf(paths: Paths, year: int) -> ExitCode:
    """reports/<year>/<unit>.pdf beside each report that was built."""
    from evalkit.publish import pdf as printing

    chromium = printing.browser()
    if chromium is None:
        print(f"Fejl: {printing.INSTALL}", file=sys.stderr)
        return ExitCode.NO_BROWSER
    folder = paths.reports_year(year)
    pages = sorted(folder.glob("*.html"))
    if not pages:
        raise UsageError(
            f"der er ingen rapporter i {folder}. Lav dem først: evalkit run --year {year}"
        )
    files.check_free(paths.reports)
    with files.exclusive(paths.reports):
        failed = _print_pdfs(chromium, pages)
        print(f"{year}: {len(pages) - failed} PDF'er lavet, {failed} fejlet.")
        if paths.raw.is_dir():  # the index links the PDFs from now on
            from evalkit.publish import index

            print(f"Oversigt: {index.write_index(paths, _agreement(paths))}")
    return ExitCode.UNITS_FAILED if failed else ExitCode.OK


def _print_pdfs(chromium: str, pages: list[Path]) -> int:
    """Print each page to the PDF beside it, telling each; the number that failed."""
    from evalkit.publish import pdf as printing

    failed = 0
    for i, html in enumerate(pages, start=1):
        try:
            printing.print_pdf(chromium, html, html.with_suffix(".pdf"))
            print(f"[{i}/{len(pages)}] {html.with_suffix('.pdf')}", flush=True)
        except (RuntimeError, OSError, TimeoutError) as exc:
            failed += 1
            print(f"[{i}/{len(pages)}] {html.name}: FEJLET ({exc})", file=sys.stderr)
    return failed


# -- what the commands share ------------------------------------------------------------------
def _agreement(paths: Paths) -> "Agreement":
    from evalkit.inputs.agreement import load_agreement

    return load_agreement(paths.raw)


def _nothing_changed(paths: Paths, scope) -> bool:
    """Whether the last run like this one left every file as it is now; then say what it
    said (its warnings) and what a full run would: every report reused."""
    from evalkit.publish import fingerprint

    started = time.perf_counter()
    if not (paths.processed / fingerprint.RECORD).is_file():
        return False  # no run has ended here yet: nothing to compare, no folder to create
    with files.exclusive(paths.reports), files.exclusive(paths.processed):
        last = fingerprint.unchanged(paths, scope)
    if last is None:
        return False
    print(last["said"], end="", file=sys.stderr)
    print("Intet er ændret siden sidste kørsel: inddata, noter, notebooks, evalkit og "
          "rapporterne er de samme, så intet er beregnet eller lavet igen.")  # fmt: skip
    total = sum(last["years"].values())
    for year, count in last["years"].items():
        print(f"{year}: 0 lavet, {count} genbrugt, 0 fejlet.")
    seconds = f"{time.perf_counter() - started:.1f}".replace(".", ",")
    noun = "rapport" if total == 1 else "rapporter"
    print(f"I alt {total} {noun}: 0 lavet, {total} genbrugt, 0 fejlet på {seconds} s.")
    print(f"Oversigt: {paths.reports / 'index.html'}")
    return True


@contextmanager
def _told():
    """What the block prints to stderr, printed and kept: a run that ends early repeats it."""
    kept = io.StringIO()
    real = sys.stderr

    class Both(io.TextIOBase):
        def write(self, text: str) -> int:
            kept.write(text)
            return real.write(text)

        def flush(self) -> None:
            real.flush()

    with redirect_stderr(Both()):
        yield kept


def print_problems(problems: list[Problem]) -> None:
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


def print_errors(problems: list[Problem]) -> None:
    """The errors in full and the warnings only counted, pointing to `evalkit validate`, which
    shows them: a warning stays the same on every run until its input changes, and shown each
    time it would bury what is new."""
    print_problems([p for p in problems if not p.warning])
    count = len(set(p for p in problems if p.warning))
    if count:
        what = "1 advarsel" if count == 1 else f"{count} advarsler"
        print(
            f"{what} om inddata; se {'den' if count == 1 else 'dem'} med: evalkit validate",
            file=sys.stderr,
        )


def _years(paths: Paths, year: int | None) -> list[int]:
    if year is not None:
        if not paths.raw_year(year).is_dir():
            from evalkit.inputs.tables import missing_year

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


def _outputs_apart(paths: Paths) -> None:
    """The outputs go to folders of their own: never into raw/, never reports into processed/."""
    raw, processed = paths.raw.resolve(), paths.processed.resolve()
    reports = paths.reports.resolve()
    if reports == processed or reports == raw or raw in reports.parents:
        raise UsageError(
            f"--reports-dir ({paths.reports}) må ikke være {paths.raw}, en mappe i den eller "
            f"{paths.processed}; vælg en mappe til rapporterne alene, fx reports."
        )


def _chosen(agreement: "Agreement", unit_name: str | None):
    from evalkit.inputs.names import NameIndex

    chosen = report_units(agreement)
    if not unit_name:
        return chosen
    units = NameIndex([u.enhed for u in chosen], {u.slug: u.enhed for u in chosen})
    name = units.find(unit_name)
    if name is None:
        names = ", ".join(u.enhed for u in chosen)
        raise UsageError(
            f'enheden "{shown(unit_name)}" kendes ikke.{units.suggestion(unit_name)} '
            f"Kendte enheder: {names}."
        )
    return [u for u in chosen if u.enhed == name]


def _current(
    paths: Paths, agreement: "Agreement", years: list[int], force: bool = False
) -> dict[int, tuple]:
    """Each year's build key, and the warnings of its last build where data/processed/<year>/
    is still that build (evalkit.publish.fingerprint.built): such a year is not read again.
    With `force` (`evalkit run --force`: "make it all again") none is."""
    from evalkit.publish import fingerprint

    keys = {year: fingerprint.build_key(paths, year, agreement) for year in years}
    return {
        year: (key, None if force else fingerprint.built(paths, year, key))
        for year, key in keys.items()
    }


def _check(paths: Paths, agreement: "Agreement", years: list[int], current: dict) -> None:
    """Every year is valid before anything is written or any lock is taken (`current`: a
    year built from the same files was valid then)."""
    from evalkit.compute.build import read_inputs

    problems: list[Problem] = []
    for year in years:
        if current[year][1] is not None:
            continue
        try:
            read_inputs(paths, year, agreement)
        except InputError as exc:
            problems += exc.problems
    if any(not p.warning for p in problems):
        raise InputError(problems)


def _build(paths: Paths, agreement: "Agreement", years: list[int], current: dict) -> None:
    """Write data/processed/<year>/ for each year not `current`. Call it holding the lock on
    processed/."""
    from evalkit.compute.build import build_years
    from evalkit.publish import fingerprint

    for year in years:
        _clean(paths.processed_year(year))
    print_problems(
        [
            Problem(str(paths.processed_year(year)), f"{paths.raw_year(year)} findes ikke "
                    f"længere, så de beregnede tal for {year} bruges ikke. Slet mappen, hvis "
                    "året er taget ud med vilje.", warning=True)
            for year in paths.orphaned_years()
        ]
    )  # fmt: skip
    todo = [year for year in years if current[year][1] is None]
    warnings = {year: current[year][1] for year in years if year not in todo}
    for built in build_years(paths, todo, agreement) if todo else []:
        fingerprint.record_build(paths, built, current[built.year][0])
        warnings[built.year] = built.warnings
    print_errors([warning for year in years for warning in warnings[year]])
    for year in years:
        print(f"Indikatorer for {year}: {paths.processed_year(year) / 'indikatorer.csv'}")


def _clean(folder: Path) -> None:
    removed = files.remove_leftovers(folder)
    if removed:
        print(f"Fjernede {len(removed)} halve filer fra en afbrudt kørsel i {folder}.")


def _make_reports(
    paths, agreement, years, chosen, options: RunOptions, chromium: str | None
) -> ExitCode:
    from evalkit.execution import cluster
    from evalkit.publish import incremental, index, tal
    from evalkit.publish import pdf as printing
    from evalkit.publish.progress import Progress, summary

    # Every year's figures are hidden and audited before anything is published.
    published = tal.publish_years(paths, agreement, _history(paths, years), options.force)
    refused = [year for year in years if not published.failures(year).empty]
    for year in refused:
        _print_refusal(published, year)
    years = [year for year in years if year not in refused]
    if not years:
        return ExitCode.DISCLOSURE
    _clean(paths.reports)
    for year in years:
        _clean(paths.reports_year(year))

    def workbooks() -> None:
        for year in years:
            tal.write_tal(paths, agreement, published, year)
            tal.write_figures(paths, agreement, year)

    started = time.perf_counter()
    progress = Progress(len(years) * len(chosen))
    # The workbooks are written while the kernels make the reports, which do not read them:
    # once the first report is made, not while the run waits for the first to begin (a
    # reused report is done at once, before any kernel has a report).
    with cluster.executor(options.dask) as executor, ThreadPoolExecutor(1) as side:
        written: list[Future] = []

        def write_workbooks() -> None:
            if not written:
                written.append(side.submit(workbooks))

        def done(year: int, outcome) -> None:
            progress(year, outcome)
            if not outcome.reused:
                write_workbooks()

        by_year = incremental.make_reports(
            paths, agreement, years, chosen, options.jobs, options.force, executor, done,
            options.timeout,
        )  # fmt: skip
        write_workbooks()  # also when no report was made
        written[0].result()  # a workbook that could not be written ends the run here
    progress.close()
    print("\n".join(summary(by_year, time.perf_counter() - started)))
    failed = [(year, o) for year, outcomes in by_year.items() for o in outcomes if not o.ok]
    for year, o in failed:
        print(
            f"  {year} {o.unit.enhed}: {o.error} (se {paths.reports_year(year) / o.notebook})",
            file=sys.stderr,
        )
    pdf_failed = 0
    for year in years:
        folder = paths.reports_year(year)
        stale = printing.remove_stale(folder)
        if chromium:
            pages = [folder / f"{unit.slug}.html" for unit in chosen]
            pdf_failed += _print_pdfs(
                chromium, [p for p in pages if p.is_file() and not printing.current(p)]
            )
        elif stale:
            what = "1 PDF, som" if len(stale) == 1 else f"{len(stale)} PDF'er, som"
            them = "den" if len(stale) == 1 else "dem"
            print(f"{year}: fjernede {what} ikke længere passede til rapporten; lav {them} igen "
                  f"med: evalkit run --pdf --year {year}")  # fmt: skip
    print(f"Oversigt: {index.write_index(paths, agreement)}")
    if refused:
        return ExitCode.DISCLOSURE
    return ExitCode.UNITS_FAILED if failed or pdf_failed else ExitCode.OK


def _label(reason: str, limit: int) -> str:
    from evalkit.compute.privacy import label

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
