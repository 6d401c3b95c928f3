"""One report: run the unit's notebook with papermill and turn it into HTML with nbconvert.

A unit that fails is recorded as failed with its reason; the failed notebook is kept for
audit. papermill and nbconvert are imported only where a report is made, so a run with
nothing to make stays quick.
"""

import threading
from contextlib import ExitStack
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from evalkit.domain import ReportUnit
from evalkit.files import write_atomic
from evalkit.paths import Paths
from evalkit.report.markup import PAGE_TEMPLATE, TEMPLATES_DIR, css_string, kept_templates

if TYPE_CHECKING:
    from evalkit.execution.kernels import WarmKernel

NOTEBOOKS = {
    "afdeling": "afdeling.ipynb",
    "boligselskab": "oversigt.ipynb",
    "samlet": "oversigt.ipynb",
}
OWN_NOTEBOOKS = "afdelinger"  # notebooks/afdelinger/<slug>.ipynb: one afdeling's own notebook


def notebook_for(notebooks: Path, unit: ReportUnit) -> Path:
    """The notebook a unit's report is made from: an afdeling's own notebook where the
    analyst has made one (notebooks/afdelinger/ringparken.ipynb, a copy of afdeling.ipynb with
    an extra section), otherwise the notebook of its level."""
    if unit.niveau == "afdeling":
        own = notebooks / OWN_NOTEBOOKS / f"{unit.slug}.ipynb"
        if own.is_file():
            return own
    return notebooks / NOTEBOOKS[unit.niveau]


@dataclass
class Outcome:
    unit: ReportUnit
    ok: bool
    html: str | None
    notebook: str
    error: str | None = None
    key: str | None = None  # what the report was made from (evalkit.publish.cache)
    reused: bool = False  # still current: not made again in this run


def exporter():
    from traitlets.config import Config

    # No code is shown, so the stylesheet for highlighted code is left out.
    no_code_css = Config({"CSSHTMLHeaderPreprocessor": {"enabled": False}})
    html = _page_exporter_class()(
        config=no_code_css,
        template_name=PAGE_TEMPLATE,
        template_file="report.html.j2",
        extra_template_basedirs=[str(TEMPLATES_DIR)],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        # The markdown headings without their "¶" links, which the page never showed.
        exclude_anchor_links=True,
        language_code="da",
        # The notebook is validated once, after the last preprocessor, not after each of
        # them: about a tenth of a page's export.
        optimistic_validation=True,
    )
    # The page templates compiled once, not by every run (apart from evalkit's own).
    html.environment.bytecode_cache = kept_templates("page")
    return html


@cache
def _page_exporter_class():
    """nbconvert's HTMLExporter without its last pass, which parsed the whole page again
    with BeautifulSoup and wrote it out anew: three quarters of a page's export.

    That pass gives images without alt text an English one (every chart of evalkit's has
    its Danish text) and makes cells under `.jp-Notebook` focusable (evalkit's page has no
    such element); for evalkit's pages it changed only spacing and attribute order
    (tests/e2e/test_reproducible.py holds each page, parsed, to nbconvert's own). Made in a
    function, so that nbconvert is imported only when a page is made, not with this module.
    """
    from nbconvert import HTMLExporter
    from nbconvert.exporters.templateexporter import TemplateExporter
    from nbconvert.filters.highlight import Highlight2HTML
    from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

    class PageExporter(HTMLExporter):
        def from_notebook_node(self, nb, resources=None, **kw):
            # HTMLExporter.from_notebook_node (nbconvert 7), up to its BeautifulSoup pass.
            langinfo = nb.metadata.get("language_info", {})
            lexer = langinfo.get("pygments_lexer", langinfo.get("name", None))
            highlight_code = self.filters.get(
                "highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self)
            )
            resources = self._init_resources(resources)
            filter_data_type = WidgetsDataTypeFilter(
                notebook_metadata=self._nb_metadata, parent=self, resources=resources
            )
            self.register_filter("highlight_code", highlight_code)
            self.register_filter("filter_data_type", filter_data_type)
            return TemplateExporter.from_notebook_node(self, nb, resources, **kw)

    return PageExporter


def parameters(paths: Paths, year: int, unit: ReportUnit) -> dict:
    """The notebook parameters of a unit's report; the kernel works beside the data folder."""
    return {
        "aar": year,
        "niveau": unit.niveau,
        "enhed": unit.enhed,
        "data_dir": paths.data.resolve().name,
    }


def render(
    paths: Paths,
    year: int,
    unit: ReportUnit,
    kernel: "WarmKernel | None" = None,
    timeout: float | None = None,
    footer: dict | None = None,
) -> Outcome:
    """Execute the unit's notebook and write reports/<year>/<unit>.html and .ipynb.

    Without `kernel` the notebook runs on a fresh kernel of its own, as plain papermill does;
    with a kernels.WarmKernel it runs on that kernel, reset first. A report that takes more
    than `timeout` seconds, or whose kernel dies, fails. `footer`: what the page's footer
    names (evalkit.publish.provenance); none without it.
    """
    executed = execute(paths, year, unit, kernel, timeout)
    return executed if isinstance(executed, Outcome) else publish(executed, footer)


@dataclass
class Executed:
    """A unit's notebook, run, not yet published (execute, then publish)."""

    unit: ReportUnit
    year: int
    notebook: object  # nbformat.NotebookNode
    notebook_in: Path
    out_dir: Path
    tmp: Path  # the executed notebook as papermill wrote it


def execute(
    paths: Paths,
    year: int,
    unit: ReportUnit,
    kernel: "WarmKernel | None" = None,
    timeout: float | None = None,
) -> "Executed | Outcome":
    """Run the unit's notebook with papermill (see render); a failure is its Outcome."""
    import nbformat
    import papermill

    from evalkit.execution import engine, kernels

    out_dir = paths.reports_year(year)
    out_dir.mkdir(parents=True, exist_ok=True)
    html_path, nb_path = _written(out_dir, unit)
    tmp = out_dir / f".{unit.slug}.tmp.ipynb"
    notebook_in = notebook_for(paths.notebooks, unit)
    # The kernel works beside the data folder, so the notebook names no path of the machine.
    beside_data = str(paths.data.resolve().parent)
    with ExitStack() as stack:
        if kernel is None:  # papermill's own engine: its time limit is per cell
            how = {"km": stack.enter_context(kernels.fresh_kernel()), "cwd": beside_data,
                   "execution_timeout": timeout}  # fmt: skip
        else:
            how = {"engine_name": engine.ENGINE_NAME, "warm_kernel": kernel,
                   "kernel_cwd": beside_data, "report_timeout": timeout}  # fmt: skip
        try:
            notebook = papermill.execute_notebook(
                str(notebook_in),
                str(tmp),
                parameters=parameters(paths, year, unit),
                kernel_name=kernels.KERNEL_NAME,
                progress_bar=False,
                # Written once at the end (or at the failing cell), not after every message.
                request_save_on_cell_execute=False,
                **how,
            )
        except Exception as exc:  # any failure of one unit is reported, the batch goes on
            # The failed notebook, with papermill's mark at the failing cell, is kept for
            # audit; an older HTML page must not pass for a current one.
            html_path.unlink(missing_ok=True)
            if tmp.exists():
                failed = nbformat.read(tmp, as_version=4)
                _keep(_sanitized(failed, notebook_in, year, unit), nb_path)
                tmp.unlink()
            return Outcome(unit, False, None, nb_path.name, _reason(exc))
    return Executed(unit, year, notebook, notebook_in, out_dir, tmp)


def publish(executed: Executed, footer: dict | None = None) -> Outcome:
    """Write the executed notebook's page and its notebook for audit (see render)."""
    unit, year = executed.unit, executed.year
    notebook = _sanitized(executed.notebook, executed.notebook_in, year, unit)
    notebook.metadata["title"] = f"{unit.enhed} – evaluering {year}"
    resources = {
        "provenance": footer or {},
        "aar": year,
        "page_title_css": css_string(notebook.metadata["title"]),
    }
    html_path, nb_path = _written(executed.out_dir, unit)
    write_atomic(html_path, _export(notebook, resources))
    _keep(notebook, nb_path)
    executed.tmp.unlink()
    return Outcome(unit, True, html_path.name, nb_path.name)


def _written(out_dir: Path, unit: ReportUnit) -> tuple[Path, Path]:
    """The unit's page and its executed notebook in reports/<year>/."""
    return out_dir / f"{unit.slug}.html", out_dir / f"{unit.slug}.ipynb"


_CLOCK = ("start_time", "end_time", "duration")


def _sanitized(notebook, notebook_in: Path, year: int, unit: ReportUnit):
    """The executed notebook as published for audit.

    No path, user or environment of the analyst's machine (papermill records the paths it
    was given), no stderr (warnings may name files of the machine), and nothing that differs
    between two runs on the same inputs: no clock readings, no random cell id.
    """
    record = notebook.metadata.get("papermill", {})
    record["input_path"] = f"notebooks/{notebook_in.name}"
    record["output_path"] = f"{year}/{unit.slug}.ipynb"
    record["environment_variables"] = {}
    for key in _CLOCK:
        record.pop(key, None)
    for cell in notebook.cells:
        cell.metadata.pop("execution", None)
        for key in _CLOCK:
            cell.metadata.get("papermill", {}).pop(key, None)
        if "injected-parameters" in cell.metadata.get("tags", []):
            cell["id"] = "injected-parameters"
    _drop_stderr(notebook)
    return notebook


def _keep(notebook, path: Path) -> None:
    import nbformat

    write_atomic(path, nbformat.writes(notebook))


def _export(notebook, resources: dict) -> str:
    """The page of an executed notebook, from this process's one exporter.

    nbconvert's exporter is not made for threads: one page is exported at a time.
    """
    with _export_lock:
        body, _ = _warm_exporter().from_notebook_node(notebook, resources=resources)
    return body


@cache
def _warm_exporter():
    # Building the exporter and exporting a first page cost ten times more than a page later:
    # done once, before the first report.
    from nbformat.v4 import new_notebook

    html = exporter()
    html.from_notebook_node(new_notebook(), resources={})
    return html


_export_lock = threading.Lock()


def _drop_stderr(notebook) -> None:
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs = [
                o for o in cell.outputs if not (o.output_type == "stream" and o.name == "stderr")
            ]


def _reason(exc: Exception) -> str:
    if type(exc).__name__ == "DeadKernelError":  # nbclient's own check saw it first
        from evalkit.execution.kernels import KernelDied

        exc = KernelDied()
    ename = getattr(exc, "ename", type(exc).__name__)
    evalue = getattr(exc, "evalue", str(exc))
    return f"{ename}: {evalue}".strip().splitlines()[0][:300]
