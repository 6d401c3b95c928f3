"""Report: what a report shows, from processed data to display values, charts and markup.

May import the base modules, inputs and compute; never execution or publish. The notebooks
use `Report` and nothing else.
"""

from evalkit.report.view import Report

__all__ = ["Report"]
