"""The command line: evalkit validate | build | audit | run | new-year | pdf.

It parses the words, calls one function of evalkit.workflow per command and turns an
evalkit error into a Danish message and its exit code. Messages are Danish.
"""

import argparse
import atexit
import logging
import os
import re
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import NoReturn

from evalkit import workflow
from evalkit.errors import (
    Busy,
    Contradiction,
    EvalkitError,
    ExitCode,
    InputError,
    cannot_write,
)
from evalkit.paths import Paths
from evalkit.workflow import REPORT_TIMEOUT, RunOptions, print_errors


def main(argv: list[str] | None = None) -> int:
    with _danish_argparse():
        args = _parser().parse_args(argv)
    # papermill's and nbclient's log lines are English and for developers; what a failed
    # report means is told in the summary.
    logging.getLogger("papermill").addHandler(logging.NullHandler())
    paths = Paths(
        data=Path(args.data_dir), reports=Path(args.reports_dir), notebooks=Path(args.notebooks_dir)
    )
    try:
        return _command(args, paths)
    except EvalkitError as exc:
        _tell(exc)
        return exc.exit_code
    except KeyboardInterrupt:
        print(
            "\nAfbrudt. De rapporter, der blev færdige, er gemt; ingen halve filer er efterladt. "
            "Kør igen for at lave resten.",
            file=sys.stderr,
        )
        return ExitCode.INTERRUPTED
    except OSError as exc:  # writing the outputs: a read-only folder, a full disk, a file
        print(f"Fejl: {cannot_write(exc)}", file=sys.stderr)
        return ExitCode.CANNOT_WRITE


def console(argv: list[str] | None = None) -> NoReturn:
    """The `evalkit` command: main(), then the process ends at once with its exit code.

    Python's own exit takes every module and object apart, pandas, matplotlib and nbconvert
    with them: about 0.25 s after the work is done, paid by every command. What an exit must
    still do is done first, as Python does it: the threads are joined, the atexit handlers run
    (kernels stopped, temporary folders and worker processes cleaned up), the output flushed.
    """
    code = main(argv)
    threading._shutdown()  # what Python's own exit does first: wait for the other threads
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe: nothing more can be told
            pass
    os._exit(int(code))


def _command(args: argparse.Namespace, paths: Paths) -> int:
    if args.command == "validate":
        return workflow.validate(paths, args.year)
    if args.command == "build":
        return workflow.build(paths, args.year)
    if args.command == "audit":
        return workflow.audit(paths, args.year)
    if args.command == "run":
        options = RunOptions(args.unit, args.jobs, args.force, args.dask, args.timeout, args.pdf)
        return workflow.run(paths, args.year, options)
    if args.command == "new-year":
        return workflow.new_year(paths, args.year, args.format, args.manglende)
    return workflow.pdf(paths, args.year)


def _tell(exc: EvalkitError) -> None:
    """An evalkit error as the analyst reads it, in Danish."""
    if isinstance(exc, InputError):
        print_errors(exc.problems)
        print("Ingen rapport er skrevet. Ret fejlene og kør igen.", file=sys.stderr)
    elif isinstance(exc, Contradiction):
        where = "; ".join(f"{f.aar} {f.enhed}" for f in exc.figures)
        print(
            f"Fejl: tallene for {where} passer ikke sammen (fx et antal, der er større end "
            "sin nævner, som flere udsættelser end lejemål). Ret inddata og kør igen. Ingen "
            "rapport er skrevet.",
            file=sys.stderr,
        )
    elif isinstance(exc, Busy):
        print(
            f"Fejl: En anden kørsel af evalkit er i gang i {exc.folder}. Vent, til den er "
            "færdig, og kør så igen. Intet er ændret.",
            file=sys.stderr,
        )
    else:
        print(f"Fejl: {exc}", file=sys.stderr)


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


# argparse's own words, in Danish. argparse looks each of them up through gettext when it
# uses it (argparse._ and argparse.ngettext; the argparse howto, "How to translate the argparse
# output"). Python ships no Danish catalogue and a compiled .mo file would be one more binary to
# keep, so while evalkit's parser is built and parses, the lookup is this table. A word not in
# it stays English.
ARGPARSE_DANISH = {
    "usage: ": "brug: ",
    "positional arguments": "argumenter",
    "options": "valg",
    "show this help message and exit": "vis denne hjælp og stop",
    "%(prog)s: error: %(message)s\n": "%(prog)s: fejl: %(message)s\n",
    "argument %(argument_name)s: %(message)s": "argumentet %(argument_name)s: %(message)s",
    "invalid choice: %(value)r (choose from %(choices)s)": (
        "ugyldigt valg: %(value)r (vælg mellem %(choices)s)"
    ),
    "invalid %(type)s value: %(value)r": "ugyldig værdi: %(value)r",
    "the following arguments are required: %s": "følgende skal angives: %s",
    "one of the arguments %s is required": "et af argumenterne %s skal angives",
    "unrecognized arguments: %s": "ukendte argumenter: %s",
    "ambiguous option: %(option)s could match %(matches)s": (
        "tvetydigt valg: %(option)s kan være %(matches)s"
    ),
    "not allowed with argument %s": "kan ikke bruges sammen med %s",
    "ignored explicit argument %r": "tager ingen værdi, men fik %r",
    "expected one argument": "forventede en værdi",
    "expected at most one argument": "forventede højst en værdi",
    "expected at least one argument": "forventede mindst en værdi",
    "expected %s argument": "forventede %s værdi",
    "expected %s arguments": "forventede %s værdier",
}


@contextmanager
def _danish_argparse() -> Iterator[None]:
    english = argparse._, argparse.ngettext
    argparse._ = lambda text: ARGPARSE_DANISH.get(text, text)
    argparse.ngettext = lambda one, many, n: argparse._(one if n == 1 else many)
    try:
        yield
    finally:
        argparse._, argparse.ngettext = english


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
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
        sub.add_argument(
            "--year", type=_year, metavar="ÅR", help="året (standard: alle år med data i raw/)"
        )
        _data_dir(sub)
        sub.add_argument(
            "--reports-dir",
            default="reports",
            metavar="MAPPE",
            help="mappe til rapporterne (standard: reports)",
        )
        sub.add_argument("--notebooks-dir", default="notebooks", help=argparse.SUPPRESS)
        if name == "run":
            sub.add_argument("--unit", metavar="NAVN", help="lav kun rapporten for denne enhed")
            sub.add_argument(
                "--jobs",
                type=_jobs,
                metavar="ANTAL",
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
                "--force",
                action="store_true",
                help="beregn alle år og lav alle rapporter igen, også de uændrede",
            )
            sub.add_argument(
                "--pdf",
                action="store_true",
                help="lav også PDF (A4) af rapporterne med Chromium: dem, der mangler eller er "
                "forældede",
            )
            sub.add_argument(
                "--dask",
                metavar="ADRESSE",
                help="lad en dask-klynge lave rapporterne (fx tcp://server:8786)",
            )
    text = "skriv tomme skabeloner til et nyt års inddata i data/raw/<år>/ (overskriver intet)"
    sub = commands.add_parser("new-year", help=text, description=text)
    sub.add_argument("--year", type=_year, required=True, metavar="ÅR", help="året, fx 2026")
    sub.add_argument(
        "--format",
        choices=("csv", "xlsx"),
        default="csv",
        help="csv (standard: semikolon og UTF-8, som dansk Excel åbner direkte) eller xlsx",
    )
    sub.add_argument(
        "--manglende",
        action="store_true",
        help="skriv kun skabeloner til de tabeller, året mangler (fx efter en ny delaftale)",
    )
    _data_dir(sub)
    sub.set_defaults(reports_dir="reports", notebooks_dir="notebooks")
    text = "lav PDF (A4) af årets rapporter med Chromium"
    sub = commands.add_parser("pdf", help=text, description=text)
    sub.add_argument("--year", type=_year, required=True, metavar="ÅR", help="året, fx 2025")
    sub.add_argument(
        "--reports-dir",
        default="reports",
        metavar="MAPPE",
        help="mappe med rapporterne (standard: reports)",
    )
    _data_dir(sub)  # for the index, which links the new PDFs
    sub.set_defaults(notebooks_dir="notebooks")
    return parser


def _data_dir(sub: argparse.ArgumentParser) -> None:
    sub.add_argument(
        "--data-dir",
        default="data",
        metavar="MAPPE",
        help="mappe med raw/ og processed/ (standard: data)",
    )


if __name__ == "__main__":
    console()
