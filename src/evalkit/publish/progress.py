"""What the analyst sees while the reports are made: a progress bar, then a summary (Danish).

On a terminal the bar is redrawn in place; in a log (not a terminal) a line is written at
every tenth of the way, so the log stays short for thousands of units.
"""

import sys
from collections.abc import Iterable
from typing import TextIO

from evalkit import fmt
from evalkit.execution.render import Outcome

WIDTH = 30


class Progress:
    """A bar over `total` reports; call it with each outcome as it comes."""

    def __init__(self, total: int, stream: TextIO | None = None) -> None:
        self.total = total
        self.count = 0
        self.stream = stream or sys.stdout
        self.live = self.stream.isatty()
        self._shown_tenth = 0

    def __call__(self, year: int, outcome: Outcome) -> None:
        self.count += 1
        if self.live:
            self.stream.write("\r" + self.line(f"{year} {outcome.unit.enhed}") + "\x1b[K")
            self.stream.flush()
        elif self.total and (tenth := 10 * self.count // self.total) > self._shown_tenth:
            self._shown_tenth = tenth
            print(self.line(), file=self.stream, flush=True)

    def line(self, latest: str = "") -> str:
        filled = WIDTH * self.count // self.total if self.total else WIDTH
        bar = "█" * filled + "░" * (WIDTH - filled)
        text = f"Rapporter [{bar}] {self.count}/{self.total}"
        return f"{text}  {latest}" if latest else text

    def close(self) -> None:
        if self.live and self.count:
            self.stream.write("\n")
            self.stream.flush()


def counts(outcomes: Iterable[Outcome]) -> str:
    """ "12 lavet, 7 genbrugt, 0 fejlet"."""
    outcomes = list(outcomes)
    failed = sum(not o.ok for o in outcomes)
    reused = sum(o.ok and o.reused for o in outcomes)
    built = len(outcomes) - failed - reused
    return f"{built} lavet, {reused} genbrugt, {failed} fejlet"


def summary(by_year: dict[int, list[Outcome]], seconds: float) -> list[str]:
    """One line per year, then the total with the wall time."""
    lines = [f"{year}: {counts(outcomes)}." for year, outcomes in by_year.items()]
    everything = [o for outcomes in by_year.values() for o in outcomes]
    noun = "rapport" if len(everything) == 1 else "rapporter"
    lines.append(
        f"I alt {len(everything)} {noun}: {counts(everything)} på {fmt.number(seconds, 1)} s."
    )
    return lines
