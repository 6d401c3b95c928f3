"""evalkit's errors, one root for all, the exit codes, and problems in the input told to
people in Danish.
"""

import errno
import re
from dataclasses import dataclass
from enum import IntEnum
from pathlib import Path


class ExitCode(IntEnum):
    """What `evalkit` tells the shell (README and docs/inddata.md list them in Danish)."""

    OK = 0
    BAD_INPUT = 1  # the inputs cannot be used; no report written
    USAGE = 2  # the command cannot be carried out as given
    UNITS_FAILED = 3  # at least one report failed; the others were made
    BUSY = 4  # another run holds the folder; nothing changed
    NO_BROWSER = 5  # `pdf` without Chromium
    CANNOT_WRITE = 6  # an output could not be written (read-only folder, full disk)
    DISCLOSURE = 7  # the disclosure audit fails for a year: nothing published for it
    INTERRUPTED = 130  # as a shell reports a program stopped by Ctrl-C (128 + SIGINT)


class EvalkitError(Exception):
    """The root of every error evalkit raises: a caller catches evalkit and nothing else.

    `exit_code` is what the command line returns for it.
    """

    exit_code = ExitCode.USAGE


class UsageError(EvalkitError):
    """The command cannot be carried out as given; the message is Danish."""


SHOWN_CHARACTERS = 80  # of a value from the inputs, in a message


@dataclass(frozen=True)
class Problem:
    """One problem in one place. `row` is the row as the analyst sees it in Excel (header = 1)."""

    file: str
    message: str
    row: int | None = None
    column: str | None = None
    warning: bool = False
    personal: bool = False  # person data (a CPR number): refused before anything is parsed

    def __str__(self) -> str:
        where = [self.file]
        if self.row is not None:
            where.append(f"række {self.row}")
        if self.column is not None:
            where.append(f'kolonne "{shown(self.column)}"')
        kind = "Advarsel" if self.warning else "Fejl"
        return _visible(f"{kind}: {', '.join(where)}: {self.message}")


def shown(value, limit: int = SHOWN_CHARACTERS) -> str:
    """A value from the inputs as a message shows it: at most `limit` characters, one line,
    and no control or direction characters that could hide or reorder the rest of the line."""
    text = _visible(str(value))
    return text if len(text) <= limit else text[: limit - 1] + "…"


# Control characters (C0, C1) and the direction marks, embeddings, overrides and isolates
# of Unicode's bidirectional algorithm (U+200E, U+200F, U+202A–U+202E, U+2066–U+2069).
_HIDDEN = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def _visible(text: str) -> str:
    def mark(match: re.Match) -> str:
        char = match.group()
        if char in "\n\t":
            return " "
        return f"<U+{ord(char):04X}>"

    return _HIDDEN.sub(mark, text)


class InputError(EvalkitError):
    """Raised when the inputs cannot be used; carries every problem found."""

    exit_code = ExitCode.BAD_INPUT

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class Contradiction(EvalkitError):
    """The published figures allow no value at all (e.g. a count above its denominator);
    `figures`: the evalkit.compute.audit.Figure objects of the sums that contradict each other."""

    exit_code = ExitCode.BAD_INPUT

    def __init__(self, figures: list):
        self.figures = figures
        super().__init__(", ".join(f"{f.aar} {f.enhed}" for f in figures))


class Busy(EvalkitError):
    """Another evalkit run holds the lock on `folder`."""

    exit_code = ExitCode.BUSY

    def __init__(self, folder: Path):
        self.folder = folder
        super().__init__(str(folder))


def unreadable(path: Path, exc: OSError) -> Problem:
    """A file the operating system will not let us read, with what the analyst can do."""
    if isinstance(exc, IsADirectoryError):
        reason = "det er en mappe, ikke en fil."
    elif isinstance(exc, PermissionError):
        reason = (
            "adgang nægtet. Er filen åben i et andet program, eller mangler du rettighed "
            "til at læse den?"
        )
    elif isinstance(exc, FileNotFoundError):
        reason = "filen findes ikke."
    else:
        reason = f"styresystemet svarer: {exc.strerror or exc}."
    return Problem(str(path), f"filen kan ikke læses: {reason}")


def cannot_write(exc: OSError) -> str:
    """Why an output could not be written, and what to do, in one Danish line."""
    where = exc.filename or "en af mappens filer"
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        reason = "disken er fuld. Frigør plads, og kør igen."
    elif exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        reason = "mappen er skrivebeskyttet, eller du mangler rettighed til at skrive i den."
    elif exc.errno in (errno.EEXIST, errno.ENOTDIR):
        reason = "der ligger en fil, hvor evalkit skal bruge en mappe. Flyt eller omdøb filen."
    elif exc.errno == errno.EISDIR:
        reason = "der ligger en mappe, hvor evalkit skal skrive en fil. Flyt eller omdøb mappen."
    else:
        reason = f"styresystemet svarer: {exc.strerror or exc}."
    return f"kan ikke skrive {where}: {reason} Rapporter, der allerede var lavet, er urørte."
