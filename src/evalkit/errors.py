"""Problems in the input, told to people in Danish."""

from dataclasses import dataclass


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
