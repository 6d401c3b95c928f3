"""Report: what a report shows, from processed data to display values, charts and markup.

May import the base modules, inputs and compute; never execution or publish. The notebooks
use `Report` and nothing else.

`Report` is loaded when it is first asked for: the process that makes the reports only
needs the page template (evalkit.report.markup), and importing the view would load
matplotlib there too, about a second and a half of a run for nothing.
"""

__all__ = ["Report"]


def __getattr__(name: str):
    if name == "Report":
        from evalkit.report.view import Report

        return Report
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
