"""Spec: what the analyst sees while the reports are made (evalkit.publish.progress), in Danish."""

import io

import pytest

from evalkit.domain import ReportUnit
from evalkit.execution.render import Outcome
from evalkit.publish.progress import Progress, summary


def outcome(ok: bool = True, reused: bool = False, enhed: str = "Lindon") -> Outcome:
    unit = ReportUnit("afdeling", enhed)
    return Outcome(unit, ok, "x.html" if ok else None, "x.ipynb", reused=reused)


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_on_a_terminal_one_bar_is_redrawn_in_place():
    screen = Terminal()
    progress = Progress(4, screen)
    for name in ["Lindon", "Karup", "Stoholm", "Elmely"]:
        progress(2025, outcome(enhed=name))
    progress.close()
    text = screen.getvalue()
    assert text.count("\r") == 4 and text.endswith("\n") and text.count("\n") == 1
    assert "Rapporter [" + "█" * 30 + "] 4/4  2025 Elmely" in text
    assert "] 2/4  2025 Karup" in text


@pytest.mark.parametrize(("total", "lines"), [(1, 1), (4, 4), (38, 10), (7000, 10)])
def test_in_a_log_a_line_is_written_at_each_tenth(total, lines):
    log = io.StringIO()
    progress = Progress(total, log)
    for _ in range(total):
        progress(2025, outcome())
    progress.close()
    written = log.getvalue().splitlines()
    assert len(written) == lines
    assert "\r" not in log.getvalue()
    assert written[-1].endswith(f"] {total}/{total}")


def test_the_summary_counts_made_reused_and_failed_per_year_and_gives_the_time():
    by_year = {
        2024: [outcome(reused=True), outcome(reused=True)],
        2025: [outcome(), outcome(reused=True), outcome(ok=False)],
    }
    assert summary(by_year, 12.34) == [
        "2024: 0 lavet, 2 genbrugt, 0 fejlet.",
        "2025: 1 lavet, 1 genbrugt, 1 fejlet.",
        "I alt 5 rapporter: 1 lavet, 3 genbrugt, 1 fejlet på 12,3 s.",
    ]


def test_one_report_is_one_rapport():
    assert summary({2025: [outcome()]}, 2.0)[-1] == (
        "I alt 1 rapport: 1 lavet, 0 genbrugt, 0 fejlet på 2,0 s."
    )
