"""Problems in the input, told to people in Danish."""

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    """One problem in one place. `row` is the row as the analyst sees it in Excel (header = 1)."""

    file: str
    message: str
    row: int | None = None
    column: str | None = None
    warning: bool = False

    def __str__(self) -> str:
        where = [self.file]
        if self.row is not None:
            where.append(f"række {self.row}")
        if self.column is not None:
            where.append(f'kolonne "{self.column}"')
        kind = "Advarsel" if self.warning else "Fejl"
        return f"{kind}: {', '.join(where)}: {self.message}"


class InputError(Exception):
    """Raised when the inputs cannot be used; carries every problem found."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class Busy(Exception):
    """Another evalkit run holds the lock on `folder`."""

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
