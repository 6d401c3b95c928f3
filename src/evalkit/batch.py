"""From processed data to reports: one executed notebook and one HTML page per unit.

Papermill runs the parameterized notebook for each unit (afdeling, boligselskab, the whole
plan); nbconvert turns it into HTML with evalkit's offline template. A unit that fails is
recorded as failed; the others are still reported.

The units run through a concurrent.futures executor: by default a pool of threads, each
driving a warm kernel (evalkit.kernels, evalkit.engine); any other executor, such as a
dask.distributed client's, can take the work instead. papermill and nbconvert are imported
only where a report is made, so a run with nothing to make stays quick.
"""

import json
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, ThreadPoolExecutor, as_completed
from contextlib import ExitStack, contextmanager
from dataclasses import asdict, dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
from jinja2 import Environment, FileSystemLoader

from evalkit import fmt, provenance
from evalkit.agreement import Agreement
from evalkit.config import TEMPLATES_DIR, Paths, is_year
from evalkit.files import sha256, write_atomic
from evalkit.indicators import FALDET, FORBEDRET, FORVAERRET, STEGET, UAENDRET
from evalkit.names import SAMLET_SLUG, slug
from evalkit.sheets import csv_text, read_csv

if TYPE_CHECKING:
    from evalkit.kernels import WarmKernel
    from evalkit.privacy import Published

NOTEBOOKS = {
    "afdeling": "afdeling.ipynb",
    "boligselskab": "oversigt.ipynb",
    "samlet": "oversigt.ipynb",
}


@dataclass(frozen=True)
class Unit:
    niveau: str
    enhed: str

    @property
    def slug(self) -> str:
        return SAMLET_SLUG if self.niveau == "samlet" else slug(self.enhed)


@dataclass
class Outcome:
    unit: Unit
    ok: bool
    html: str | None
    notebook: str
    error: str | None = None
    key: str | None = None  # what the report was made from (evalkit.cache)
    reused: bool = False  # still current: not made again in this run


def units(agreement: Agreement) -> list[Unit]:
    """Every unit that gets a report: the whole plan, each boligselskab, each afdeling."""
    return (
        [Unit("samlet", agreement.helhedsplan)]
        + [Unit("boligselskab", b) for b in agreement.boligselskaber]
        + [Unit("afdeling", a) for a in agreement.afdeling_names]
    )


def exporter():
    from nbconvert import HTMLExporter
    from traitlets.config import Config

    # No code is shown, so the stylesheet for highlighted code is left out.
    no_code_css = Config({"CSSHTMLHeaderPreprocessor": {"enabled": False}})
    return HTMLExporter(
        config=no_code_css,
        template_name="evalkit",
        extra_template_basedirs=[str(TEMPLATES_DIR)],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        language_code="da",
    )


def parameters(paths: Paths, year: int, unit: Unit) -> dict:
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
    unit: Unit,
    kernel: "WarmKernel | None" = None,
    timeout: float | None = None,
) -> Outcome:
    """Execute the unit's notebook and write reports/<year>/<unit>.html and .ipynb.

    Without `kernel` the notebook runs on a fresh kernel of its own, as plain papermill does;
    with a kernels.WarmKernel it runs on that kernel, reset first. A report that takes more
    than `timeout` seconds, or whose kernel dies, fails.
    """
    import nbformat
    import papermill

    from evalkit import engine, kernels

    out_dir = paths.reports_year(year)
    out_dir.mkdir(parents=True, exist_ok=True)
    html_path, nb_path = out_dir / f"{unit.slug}.html", out_dir / f"{unit.slug}.ipynb"
    tmp = out_dir / f".{unit.slug}.tmp.ipynb"
    notebook_in = paths.notebooks / NOTEBOOKS[unit.niveau]
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
    notebook = _sanitized(notebook, notebook_in, year, unit)
    notebook.metadata["title"] = f"{unit.enhed} – evaluering {year}"
    resources = {
        "provenance": provenance.for_report(paths, year, notebook_in),
        "aar": year,
        "page_title_css": css_string(notebook.metadata["title"]),
    }
    body = _export(notebook, resources)
    write_atomic(html_path, body)
    _keep(notebook, nb_path)
    tmp.unlink()
    return Outcome(unit, True, html_path.name, nb_path.name)


_CLOCK = ("start_time", "end_time", "duration")


def css_string(text: str) -> str:
    """`text` inside a CSS string ("..."), as it reads: every character that could end the
    string, the rule or the <style> element (quotes, backslash, line breaks, < and >) and
    every control character is written as a CSS escape (\\22 for ")."""
    return "".join(
        c if c.isalnum() or c in " .,:()–-" else f"\\{ord(c) or 0xFFFD:x} " for c in str(text)
    )


def _sanitized(notebook, notebook_in: Path, year: int, unit: Unit):
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


# -- many units ---------------------------------------------------------------------------
Work = tuple[int, Unit]  # a report to make: the year and the unit


def render_warm(paths: Paths, year: int, unit: Unit, timeout: float | None = None) -> Outcome:
    """render() on this thread's warm kernel: the task an executor runs."""
    from evalkit import kernels

    return render(paths, year, unit, kernels.kernel(), timeout)


@contextmanager
def pool(jobs: int) -> Iterator[Executor]:
    """`jobs` threads, each driving its own warm kernel, started as soon as the thread is up.

    The kernels are the processes that do the work, on every core; a thread only hands a
    notebook to its kernel and exports the page. Threads rather than worker processes: no
    process has to import papermill and nbconvert again, and all reports share one folder.
    """
    from evalkit import kernels

    executor = ThreadPoolExecutor(jobs, thread_name_prefix="evalkit", initializer=_get_ready)
    try:
        yield executor
    except BaseException:
        # Interrupted (Ctrl-C): the reports running now end with their kernels, not when done.
        kernels.kill()
        raise
    finally:
        # After an interruption the reports not yet begun are dropped; those running finish.
        executor.shutdown(wait=True, cancel_futures=True)
        kernels.shutdown()


def _get_ready() -> None:
    """A pool thread loads papermill and its exporter while the kernels boot, then its kernel."""
    from evalkit import engine, kernels  # noqa: F401 (engine: papermill, loaded now)

    with _export_lock:
        _warm_exporter()
    kernels.start()


def render_many(
    paths: Paths,
    work: list[Work],
    executor: Executor,
    done: Callable[[int, Outcome], None],
    timeout: float | None = None,
) -> dict[Work, Outcome]:
    """Make each report of `work` through `executor`; `done` hears each outcome as it comes.

    A report that takes more than `timeout` seconds fails.
    """
    # Absolute paths: a worker may not share this process's working folder.
    paths = Paths(
        data=paths.data.absolute(),
        reports=paths.reports.absolute(),
        notebooks=paths.notebooks.absolute(),
    )
    outcomes: dict[Work, Outcome] = {}
    futures = {
        executor.submit(render_warm, paths, year, unit, timeout): (year, unit)
        for year, unit in work
    }
    for future in as_completed(futures):
        year, unit = futures[future]
        try:
            outcome = future.result()
        except Exception as exc:  # a worker that died takes only its unit with it
            outcome = Outcome(unit, False, None, f"{unit.slug}.ipynb", _reason(exc))
        outcomes[year, unit] = outcome
        done(year, outcome)
    return outcomes


def render_all(
    paths: Paths, year: int, chosen: list[Unit], jobs: int, done: Callable[[Outcome], None]
) -> list[Outcome]:
    """Render the units of one year, `jobs` at a time; `done` hears each outcome."""
    with pool(min(jobs, len(chosen))) as executor:
        made = render_many(paths, [(year, u) for u in chosen], executor, lambda _year, o: done(o))
    return [made[year, unit] for unit in chosen]


def _drop_stderr(notebook) -> None:
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs = [
                o for o in cell.outputs if not (o.output_type == "stream" and o.name == "stderr")
            ]


def _reason(exc: Exception) -> str:
    if type(exc).__name__ == "DeadKernelError":  # nbclient's own check saw it first
        from evalkit.kernels import KernelDied

        exc = KernelDied()
    ename = getattr(exc, "ename", type(exc).__name__)
    evalue = getattr(exc, "evalue", str(exc))
    return f"{ename}: {evalue}".strip().splitlines()[0][:300]


def record(paths: Paths, year: int, outcomes: list[Outcome]) -> None:
    """Keep reports/<year>/enheder.json up to date with the units just rendered."""
    path = paths.reports_year(year) / "enheder.json"
    known = {}
    if path.exists():
        known = {(u["niveau"], u["enhed"]): u for u in json.loads(path.read_text(encoding="utf-8"))}
    for o in outcomes:
        entry = {"niveau": o.unit.niveau, "enhed": o.unit.enhed, **asdict(o)}
        del entry["unit"], entry["reused"]
        known[(o.unit.niveau, o.unit.enhed)] = entry
    write_atomic(path, json.dumps(list(known.values()), indent=2, ensure_ascii=False))


def write_manifest(paths: Paths, year: int, outcomes: list[Outcome]) -> Path:
    """reports/<year>/manifest.json: for every report, the code, notebook and input files."""
    path = paths.reports_year(year) / "manifest.json"
    known = {}
    if path.exists():
        known = {(u["niveau"], u["enhed"]): u for u in json.loads(path.read_text("utf-8"))}
    for o in outcomes:
        notebook = paths.notebooks / NOTEBOOKS[o.unit.niveau]
        html = paths.reports_year(year) / o.html if o.html else None
        known[(o.unit.niveau, o.unit.enhed)] = {
            "niveau": o.unit.niveau,
            "enhed": o.unit.enhed,
            "html": o.html,
            "html_sha256": sha256(html) if html else None,
            **provenance.for_report(paths, year, notebook),
        }
    entries = sorted(known.values(), key=lambda e: (e["niveau"], e["enhed"]))
    write_atomic(path, json.dumps(entries, indent=2, ensure_ascii=False) + "\n")
    return path


def publish_years(paths: Paths, agreement: Agreement, years: list[int]) -> "Published":
    """Hide and audit the figures of every processed year up to the last of `years`.

    Each of `years` whose audit holds gets data/processed/<year>/offentliggjort.csv, which
    its reports and the later years' reports read; a year whose audit fails gets none.
    """
    from evalkit.build import load_processed
    from evalkit.privacy import publish

    published = publish(load_processed(paths, max(years)).indikatorer, agreement)
    for year in years:
        if published.failures(year).empty:
            write_published(paths, published, year)
    return published


def write_published(paths: Paths, published: "Published", year: int) -> Path:
    """data/processed/<year>/offentliggjort.csv: the year's figures as the reports show them."""
    from evalkit.build import PUBLISHED
    from evalkit.indicators import COLUMNS

    rows = published.table[published.table["aar"] == year]
    path = paths.processed_year(year) / PUBLISHED
    write_atomic(path, csv_text(rows[[*COLUMNS, "skjult", "baseline_skjult"]]))
    return path


def write_tal(paths: Paths, published: "Published", year: int) -> Path:
    """reports/<year>/tal.csv: exactly the figures the reports publish, hidden ones marked."""
    from evalkit.indicators import COLUMNS
    from evalkit.privacy import as_published_csv

    rows = published.table[published.table["aar"] == year]
    path = paths.reports_year(year) / "tal.csv"
    write_atomic(path, as_published_csv(rows, COLUMNS, published.threshold))
    return path


def recorded(paths: Paths, year: int) -> dict[Unit, Outcome]:
    """The outcomes kept in reports/<year>/enheder.json, by unit."""
    path = paths.reports_year(year) / "enheder.json"
    if not path.exists():
        return {}
    result = {}
    for entry in json.loads(path.read_text(encoding="utf-8")):
        unit = Unit(entry["niveau"], entry["enhed"])
        result[unit] = Outcome(
            unit,
            entry["ok"],
            entry["html"],
            entry["notebook"],
            entry.get("error"),
            entry.get("key"),
        )
    return result


def write_index(paths: Paths, agreement: Agreement) -> Path:
    """reports/index.html: every year and unit, its status at a glance, failed units marked."""
    order = {(u.niveau, u.enhed): i for i, u in enumerate(units(agreement))}
    years = []
    for year_dir in sorted(paths.reports.glob("[0-9]*"), reverse=True):
        listing = year_dir / "enheder.json"
        if not is_year(year_dir.name) or not listing.exists():  # "2025 kopi" is the analyst's
            continue
        year = int(year_dir.name)
        table = _indicators(paths, year)
        entries = sorted(
            json.loads(listing.read_text(encoding="utf-8")),
            key=lambda e: order.get((e["niveau"], e["enhed"]), len(order)),
        )
        meta = paths.processed_year(year) / "metadata.json"
        example = meta.exists() and json.loads(meta.read_text(encoding="utf-8"))["eksempeldata"]
        years.append(
            {
                "aar": year,
                "eksempeldata": example,
                "units": [
                    {
                        "enhed": e["enhed"],
                        "niveau": fmt.LEVEL_NAMES[e["niveau"]],
                        "ok": e["ok"],
                        "href": f"{year}/{e['html']}" if e["ok"] else None,
                        "error": e["error"],
                        "summary": _summary(table, e["niveau"], e["enhed"]),
                    }
                    for e in entries
                ],
            }
        )
    loader = FileSystemLoader([TEMPLATES_DIR, TEMPLATES_DIR / "evalkit"])
    # Every value is escaped: the template's name ends in .j2, which select_autoescape()
    # did not take for HTML, so the index escaped nothing.
    env = Environment(loader=loader, autoescape=True)
    page = env.get_template("index.html.j2").render(
        navn=agreement.navn,
        periode=f"{fmt.day(agreement.periode_fra)}–{fmt.day(agreement.periode_til)}",
        years=years,
    )
    path = paths.reports / "index.html"
    write_atomic(path, page)
    return path


def _indicators(paths: Paths, year: int) -> pd.DataFrame | None:
    from evalkit.build import PUBLISHED

    # The published statuses: an exact one could tell where a hidden count lies.
    path = paths.processed_year(year) / PUBLISHED
    return read_csv(path) if path.exists() else None


def _summary(table: pd.DataFrame | None, niveau: str, enhed: str) -> str:
    if table is None:
        return ""
    rows = table[(table["niveau"] == niveau) & (table["enhed"] == enhed)]
    counts = rows["status"].value_counts()
    # The verdicts always; a change without a verdict (no direction in the agreement) where
    # there is one.
    shown = [FORBEDRET, UAENDRET, FORVAERRET] + [s for s in (STEGET, FALDET) if counts.get(s)]
    return " · ".join(
        f"{fmt.STATUS_SYMBOLS[status]} {counts.get(status, 0)} {status}" for status in shown
    )
