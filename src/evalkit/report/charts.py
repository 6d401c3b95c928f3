"""Charts for the reports, as SVG images embedded in the HTML with an alt text.

SVG, not PNG: lines and text stay sharp at any zoom and in print (a PNG at 110 dots per inch
prints blurred), and writing SVG costs less than rasterising a PNG (scripts/bench_charts.py).
Each chart is drawn once: the axes have a fixed size in inches and the figure is made just
large enough for the labels around them, measured from the text before drawing
(`_Margins`). savefig(bbox_inches="tight") gave the same crop but drew every chart twice,
once only to find its extent. Figures are made with matplotlib's object API (no pyplot): none
is registered anywhere, and the charts reuse one figure, emptied (`_empty`), so that its axes
are made once; a chart is the same whatever was drawn before it. The charts draw their ticks
and tick labels themselves (`_ticks`): the same picture for less than matplotlib's axes cost.
"""

import base64
import functools
import io
import math
import re
import threading
from dataclasses import dataclass

import matplotlib

matplotlib.use("Agg")
import pandas as pd  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.backends.backend_svg import RendererSVG  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.font_manager import FontProperties  # noqa: E402
from matplotlib.lines import TICKDOWN, TICKLEFT, Line2D  # noqa: E402
from matplotlib.textpath import text_to_path  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402
from matplotlib.transforms import blended_transform_factory  # noqa: E402

from evalkit import fmt  # noqa: E402
from evalkit.report import markup  # noqa: E402

BLUE, GREY, DARK = "#1f5f8b", "#6b6b6b", "#222222"
FONT_SIZE = 10  # points
matplotlib.rcParams.update(
    {
        "font.size": FONT_SIZE,
        "axes.spines.top": False,
        "axes.spines.right": False,
        # The title where matplotlib would put it anyway (the ticks are below the axes), set
        # rather than searched for: the search measures every tick label once more.
        "axes.titley": 1.0,
        # Element ids drawn from this salt rather than at random: the same chart, the same bytes.
        "svg.hashsalt": "evalkit",
        # Text as SVG text, not one path per glyph: a third less drawing time and a third of
        # the bytes (scripts/bench_charts.py), and it prints sharp and can be selected. The
        # layout is measured in DejaVu Sans; a reader without it gets the next font of the
        # list, and right- and centre-aligned labels keep their anchors either way.
        "svg.fonttype": "none",
    }
)
# The PNGs were written at 110 dots per inch; an SVG says its size in points (72 per inch),
# which a browser shows at 96 pixels per inch. The size is scaled so that a chart takes the
# same room on the page as before.
SCREEN_SCALE = 110 / 72
# The axes as matplotlib's default subplot gave them in the figures of 6.4 inches by 2.8
# (trend) and by 0.32 inch per afdeling + 1 (against_baseline) that the charts had before.
AXES_WIDTH = 6.4 * (0.9 - 0.125)  # inches
TREND_HEIGHT = 2.8 * (0.88 - 0.11)  # inches
ROW_HEIGHT, BAR_EXTRA = 0.32 * (0.88 - 0.11), 1.0 * (0.88 - 0.11)  # inches
LINE = 1.2 * FONT_SIZE / 72  # inches: one line of chart text
TICK = 7 / 72  # inches: a tick (3.5 pt) and the gap to its label (3.5 pt)
TITLE_PAD = 6 / 72  # inches: matplotlib's gap between a title and its axes
LEGEND = 0.3  # inches: a legend of one row in 8-point text, with its padding
GAP = 0.1  # inches: between the outermost text and the edge, as bbox_inches="tight" had it


@dataclass
class Chart:
    """A rendered chart: SVG bytes and the sentence that says what it shows."""

    svg: bytes
    alt: str

    def __repr__(self) -> str:  # the text/plain form in the notebook: no image bytes twice
        return f"[Diagram: {self.alt}]"

    def _repr_html_(self) -> str:
        svg = base64.b64encode(self.svg).decode("ascii")
        return markup.render("chart.html.j2", svg=svg, alt=self.alt)


_SIZE = re.compile(rb'<svg([^>]*?) width="([0-9.]+)pt" height="([0-9.]+)pt"')


def _render(fig: Figure, alt: str) -> Chart:
    buffer = io.BytesIO()
    # No date and no creator: the same data gives the same bytes.
    fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})

    def screen_size(found: re.Match) -> bytes:
        width, height = (round(float(x) * SCREEN_SCALE) for x in found.group(2, 3))
        return b'<svg%s width="%dpx" height="%dpx"' % (found.group(1), width, height)

    return Chart(_SIZE.sub(screen_size, buffer.getvalue(), count=1), alt)


def _width(texts, size: float = FONT_SIZE) -> float:
    """The width in inches of the widest line of `texts` at `size` points."""
    lines = {line for text in texts for line in str(text).split("\n")}
    return max((_line_width(line, size) for line in lines), default=0.0) / 72


@functools.lru_cache(maxsize=4096)
def _line_width(line: str, size: float) -> float:
    """The width in points of one line of text, as the SVG writer measures it."""
    return _text_size(line, FontProperties(size=size), False)[0]


def _measured_once():
    """Text sizes as matplotlib's SVG writer measures them (width, height and descent, in
    points), each measured once per process.

    matplotlib keeps the sizes it measured per renderer, and every chart is written by a new
    one; the margins (`_width`) measured the same texts again, and every report anew (each
    imports evalkit anew: evalkit.execution.isolation). A size depends on nothing but the
    text, its font properties, whether it is mathtext and the fonts the settings name for
    each family (FONT_SETTINGS), so every SVG renderer is given one cache of them, kept on
    matplotlib's class, where each copy of this module finds it. A report with an afdeling
    per row measured each name some eight times; glyph by glyph, the sizes took a seventh of
    its time in the kernel.
    """
    sizes = getattr(RendererSVG, "_evalkit_text_sizes", None)
    if sizes is None:

        @functools.lru_cache(maxsize=16384)
        def sizes(s, prop, ismath, fonts):  # noqa: ARG001 (fonts: part of the key)
            return text_to_path.get_text_width_height_descent(s, prop, ismath)

        def measured(renderer, s, prop, ismath):  # what the renderer's own method measures
            fonts = tuple(str(matplotlib.rcParams[key]) for key in FONT_SETTINGS)
            return sizes(s, prop.copy(), ismath, fonts)  # a copy: the key must not change

        RendererSVG._evalkit_text_sizes = sizes
        RendererSVG.get_text_width_height_descent = measured
    return lambda s, prop, ismath: RendererSVG.get_text_width_height_descent(None, s, prop, ismath)


# The settings that choose the font a text is measured in, besides its own properties.
FONT_SETTINGS = ("font.family", "font.serif", "font.sans-serif", "font.cursive", "font.fantasy",
                 "font.monospace", "mathtext.fontset")  # fmt: skip
_text_size = _measured_once()


@dataclass
class _Margins:
    """The room around the axes, in inches, for the labels outside them."""

    left: float
    right: float
    top: float
    bottom: float

    def apply(self, fig: Figure, width: float, height: float) -> None:
        """Make `fig` the axes (`width` by `height` inches) with these margins around them."""
        fig.set_size_inches(self.left + width + self.right, self.bottom + height + self.top)
        total_width, total_height = fig.get_size_inches()
        fig.subplots_adjust(
            left=self.left / total_width,
            right=1 - self.right / total_width,
            top=1 - self.top / total_height,
            bottom=self.bottom / total_height,
        )


def _right_margin(ax, width: float, labels: list[tuple[float, float]]) -> float:
    """The right margin that keeps every label inside the image.

    `labels`: (x in data units, inches the text reaches right of x). A label at a fraction d
    of the x range from the right end has d * `width` (the axes' width) inside the axes.
    """
    low, high = ax.get_xlim()
    return GAP + max([0.0, *(reach - (high - x) / (high - low) * width for x, reach in labels)])


_drawing = threading.local()  # a figure per thread: a figure is drawn by one thread at a time


def _empty() -> tuple[Figure, Axes]:
    """The charts' figure and its axes, empty: made once, then emptied for each chart.

    Making the axes cost a fifth of a chart; emptied, they are made once per figure. What a
    chart sets or adds is put back as a new axes has it, so a chart is the same, byte for
    byte, whatever was drawn before it (tests/report/test_charts.py).
    """
    if not hasattr(_drawing, "figure"):
        fig = Figure()
        ax = fig.subplots()
        # matplotlib's axes are not drawn: each chart draws its ticks and their labels (_ticks).
        ax.xaxis.set_visible(False)
        ax.yaxis.set_visible(False)
        _drawing.figure = fig, ax
        return fig, ax
    fig, ax = _drawing.figure
    for container in list(ax.containers):
        container.remove()
    for artist in [*ax.lines, *ax.patches, *ax.texts, *ax.collections]:
        artist.remove()
    if ax.legend_ is not None:
        ax.legend_.remove()
    ax.set_title("", loc="left")
    ax.relim()  # no data
    ax.set_autoscale_on(True)
    ax.set_prop_cycle(None)
    return fig, ax


def _ticks(ax, axis: str, at: list[float], labels: list[str]) -> None:
    """Ticks on the "x" or "y" `axis` at `at` (data units), labelled `labels`, where
    matplotlib's axis puts them (marks 3.5 points outward, the labels 3.5 points beyond).

    matplotlib's axis makes five artists per tick and places and measures each one by one;
    drawn here as one line of marks and a text per label, the SVG shows the same marks and
    texts at the same places, and a report's charts take an eighth less CPU
    (scripts/bench_charts.py: 95 ms against 107–110 ms per report).
    """
    if axis == "x":
        marks, points = ax.get_xaxis_transform(), (at, [0] * len(at))
        (place, va, ha), marker = ax.get_xaxis_text1_transform(TICK * 72), TICKDOWN
    else:
        marks, points = ax.get_yaxis_transform(), ([0] * len(at), at)
        (place, va, ha), marker = ax.get_yaxis_text1_transform(TICK * 72), TICKLEFT
    mark = Line2D(*points, transform=marks, marker=marker, markersize=TICK * 72 / 2,
                  markeredgewidth=0.8, color="black", linestyle="none", clip_on=False)  # fmt: skip
    ax.add_artist(mark)  # not data: the limits are not moved to take it in
    for value, label in zip(at, labels, strict=True):
        ax.text(*((value, 0) if axis == "x" else (0, value)), label, transform=place, va=va, ha=ha)


def _value_ticks(ax, axis: str, label) -> list[str]:
    """Ticks at round values within the axis' limits (as matplotlib's MaxNLocator places them),
    each labelled by `label`: the labels."""
    low, high = sorted(ax.get_xlim() if axis == "x" else ax.get_ylim())
    locator = MaxNLocator(nbins=6, steps=[1, 2, 5, 10], integer=True)
    at = [float(t) for t in locator.tick_values(low, high) if low <= t <= high]
    labels = [label(t) for t in at]
    _ticks(ax, axis, at, labels)
    return labels


def _unit_label(enhed: str):
    """How a value on the axis of an indicator measured in `enhed` is written."""
    return (lambda v: fmt.pct(v, 0)) if enhed == "procent" else fmt.number


def trend(
    title: str,
    series: pd.DataFrame,
    enhed: str,
    baseline: float | None,
    baseline_aar: int | None,
    baseline_note: str = "",
    caption: str = "",
) -> Chart:
    """The indicator over the years, with the baseline marked.

    `series`: aar, vaerdi and, for shares, ki_nedre and ki_oevre (drawn as error bars); rows
    with a text in `skjult` are hidden for privacy: no point, only that text ("under 5
    husstande"). A row with a `maerke` (short, shown under its year) is drawn hollow and its
    `note` goes into the alt text: example data, or other afdelinger than the latest year's.
    `baseline_note` marks the baseline the same way; `caption` ends the alt text.
    """
    fig, ax = _empty()
    # Plain values, a dict per row: on a handful of rows each pandas operation costs more
    # than its work, and the chart made some thirty.
    rows = series.to_dict("records")
    marks = {row["aar"]: row.get("maerke") for row in rows}
    notes = {row["aar"]: row.get("note") for row in rows}
    hidden = {row["aar"]: row["skjult"] for row in rows if row.get("skjult")}
    data = [row for row in rows if not pd.isna(row["vaerdi"])]
    xs, ys = [row["aar"] for row in data], [row["vaerdi"] for row in data]
    outside = []  # (x, inches its text reaches right of x): labels that may pass the axes
    for x, text in hidden.items():
        outside.append((x, _width([text]) / 2))
        ax.annotate(text, (x, 0), textcoords="offset points", xytext=(0, 6),
                    ha="center", color=GREY, fontstyle="italic")  # fmt: skip
    data_years = sorted({*xs, *hidden})
    years = data_years
    has_baseline = baseline is not None and not pd.isna(baseline)
    baseline_label = f"Baseline {baseline_aar}" + (f" ({baseline_note})" if baseline_note else "")
    if has_baseline:
        ax.axhline(baseline, color=GREY, linestyle="--", linewidth=1)
        ax.plot([baseline_aar], [baseline], marker="s", color=GREY, linestyle="none",
                fillstyle="none" if baseline_note else "full")  # fmt: skip
        label = f"{baseline_label}: {fmt.value(baseline, enhed)}"
        years = sorted({*years, baseline_aar})
        if baseline_aar in data_years and len(years) > 1:
            # The baseline year has a point of its own, labelled beside it: the baseline's
            # label stands midway along its line and above the points' labels (4 pt up, one
            # line high) instead.
            middle = (years[0] + years[-1]) / 2
            ax.annotate(label, (middle, baseline), textcoords="offset points", xytext=(0, 18),
                        ha="center", color=GREY)  # fmt: skip
            outside.append((middle, _width([label]) / 2))
        else:
            ax.annotate(label, (baseline_aar, baseline), textcoords="offset points",
                        xytext=(6, 6), color=GREY)  # fmt: skip
            outside.append((baseline_aar, 6 / 72 + _width([label])))
    ax.plot(xs, ys, color=BLUE, linewidth=2)
    plain = [row for row in data if not marks.get(row["aar"])]
    marked = [row for row in data if marks.get(row["aar"])]
    ax.plot([row["aar"] for row in plain], [row["vaerdi"] for row in plain], marker="o",
            color=BLUE, linestyle="none")  # fmt: skip
    ax.plot([row["aar"] for row in marked], [row["vaerdi"] for row in marked], marker="o",
            color=BLUE, linestyle="none", markerfacecolor="white", markeredgewidth=2)  # fmt: skip
    has_interval = any(not pd.isna(row.get("ki_nedre")) for row in data)
    if has_interval:
        below = [_length(row["ki_nedre"], row["vaerdi"]) for row in data]
        above = [_length(row["vaerdi"], row["ki_oevre"]) for row in data]
        ax.errorbar(xs, ys, yerr=[below, above], fmt="none", ecolor=BLUE, elinewidth=1,
                    capsize=4)  # fmt: skip
    for x, y in zip(xs, ys, strict=True):
        label = fmt.value(y, enhed)
        ax.annotate(label, (x, y), textcoords="offset points", xytext=(8, 4), ha="left",
                    color=DARK)  # fmt: skip
        outside.append((x, 8 / 72 + _width([label])))
    xticks = [f"{y}\n{marks[y]}" if marks.get(y) else str(y) for y in years] or ["0"]
    _ticks(ax, "x", years or [0], xticks)
    ax.set_xlim(min(years or [0]) - 0.5, max(years or [0]) + 0.5)
    highs = [row["ki_oevre"] for row in data] if has_interval else ys
    top = max([*(h for h in highs if not pd.isna(h)), baseline if has_baseline else 0])
    ax.set_ylim(0, max(1.0, float(top)) * 1.25)
    yticks = _value_ticks(ax, "y", _unit_label(enhed))
    ax.set_title(title, loc="left", fontsize=10)
    outside.append((ax.get_xlim()[0], _width([title])))  # from the left end of the axes
    _Margins(
        left=_width(yticks) + TICK + GAP,
        right=_right_margin(ax, AXES_WIDTH, outside),
        top=LINE + TITLE_PAD + GAP,
        bottom=TICK + LINE * max(x.count("\n") + 1 for x in xticks) + GAP,
    ).apply(fig, AXES_WIDTH, TREND_HEIGHT)
    shown = {x: fmt.value(y, enhed) for x, y in zip(xs, ys, strict=True)}
    points = "; ".join(
        f"{a}{f' ({notes[a]})' if notes.get(a) else ''}: {shown.get(a) or hidden[a]}"
        for a in data_years
    )
    alt = f"{title}. {points or 'Ingen data'}."
    if has_interval:
        alt += " Lodrette streger: 95 %-konfidensinterval."
    if has_baseline:
        alt += f" {baseline_label}: {fmt.value(baseline, enhed)}."
    if caption:
        alt += f" {caption}"
    return _render(fig, alt)


def _length(low, high) -> float:
    """An error bar's length from `low` to `high`, at least 0; NaN (no bar) if one is missing."""
    return math.nan if pd.isna(low) or pd.isna(high) else max(0.0, high - low)


INTERVAL_BARS = {"ecolor": "#7a9cb8", "elinewidth": 1, "capsize": 2}  # a row chart's intervals


def _row_label(ax, x: float, y: float, label: str, outside: list) -> None:
    """A row's label in 8-point text just right of `x`; `outside` learns how far it reaches."""
    ax.annotate(label, (x, y), textcoords="offset points", xytext=(6, -3), fontsize=8,
                color=DARK)  # fmt: skip
    outside.append((x, 6 / 72 + _width([label], 8)))


def _row_layout(fig, ax, title: str, names, rows: int, outside: list, legend: bool) -> None:
    """Title and size of a chart with a row per afdeling: `names` left of the axes, a row's
    height each (`rows`), the labels in `outside` inside the image, a legend under the axis."""
    ax.set_title(title, loc="left", fontsize=10)
    outside.append((ax.get_xlim()[0], _width([title])))
    _Margins(
        left=_width(names) + TICK + GAP,
        right=_right_margin(ax, AXES_WIDTH, outside),
        top=LINE + TITLE_PAD + GAP,
        bottom=TICK + LINE + LEGEND + 2 * GAP if legend else TICK + LINE + GAP,
    ).apply(fig, AXES_WIDTH, ROW_HEIGHT * rows + BAR_EXTRA)


def against_baseline(title: str, rows: pd.DataFrame, aar: int, baseline_aar: int) -> Chart:
    """Each afdeling's value as a bar, its baseline as a mark (`rows`: enhed, vaerdi, baseline)."""
    rows = rows.iloc[::-1]
    fig, ax = _empty()
    positions = range(len(rows))
    values = rows["vaerdi"].astype(float).fillna(0)
    below = (rows["vaerdi"] - rows["ki_nedre"]).astype(float).fillna(0).clip(lower=0)
    above = (rows["ki_oevre"] - rows["vaerdi"]).astype(float).fillna(0).clip(lower=0)
    ax.barh(positions, values, color=BLUE, height=0.6, label=f"{aar} med 95 %-interval",
            xerr=[below, above], error_kw=INTERVAL_BARS)  # fmt: skip
    ax.plot(
        rows["baseline"],
        positions,
        marker="|",
        markersize=14,
        markeredgewidth=2.5,
        color=DARK,
        linestyle="none",
        label=f"Baseline {baseline_aar}",
    )
    outside = []
    for y, v, b, hi in zip(positions, rows["vaerdi"], rows["baseline"], rows["ki_oevre"],
                           strict=True):  # fmt: skip
        right = max(0 if pd.isna(x) else x for x in (v, b, hi))
        _row_label(ax, right, y, "ingen data" if pd.isna(v) else fmt.pct(v), outside)
    _ticks(ax, "y", list(positions), list(rows["enhed"]))
    _value_ticks(ax, "x", _unit_label("procent"))
    # The legend under the axis labels, lined up with the axes.
    below = blended_transform_factory(ax.transAxes, fig.dpi_scale_trans)  # y: inches
    ax.legend(loc="lower left", bbox_to_anchor=(0, GAP), bbox_transform=below, ncols=2,
              frameon=False, fontsize=8, borderaxespad=0)  # fmt: skip
    _row_layout(fig, ax, title, rows["enhed"], len(rows), outside, legend=True)
    shown = rows.iloc[::-1]
    alt = (
        f"{title}: "
        + "; ".join(
            f"{e} {fmt.pct(v)} (baseline {fmt.pct(b)})"
            for e, v, b in zip(shown["enhed"], shown["vaerdi"], shown["baseline"], strict=True)
        )
        + "."
    )
    return _render(fig, alt)


def _hidden(rows: pd.DataFrame) -> pd.Series:
    return rows["skjult"].fillna("") != ""


def farthest(rows: pd.DataFrame, per_side: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The `per_side` afdelinger farthest above their baseline and the `per_side` farthest
    below (`rows`: enhed, vaerdi, baseline, skjult), with their distance, `afstand` (vaerdi
    minus baseline), each side from the farthest; ties in the order of `rows`.

    A row with a text in `skjult` (its figure or its baseline hidden for privacy) is never
    ranked: its place in a list sorted by distance would narrow the hidden figure. Nor is a
    row without both a figure and a baseline, or one on its baseline.
    """
    known = rows[~_hidden(rows) & rows["vaerdi"].notna() & rows["baseline"].notna()]
    known = known.assign(afstand=(known["vaerdi"] - known["baseline"]).astype(float),
                         order=range(len(known)))  # fmt: skip
    by = ["afstand", "order"]
    above = known[known["afstand"] > 0].sort_values(by, ascending=[False, True])
    below = known[known["afstand"] < 0].sort_values(by, ascending=[True, True])
    return above.head(per_side).drop(columns="order"), below.head(per_side).drop(columns="order")


def _signed(x: float, decimals: int = 1) -> str:
    """A distance in percentage points: +2,5, -1,0 and 0 (never -0,0)."""
    if fmt.rounded(x, decimals) == 0:
        return fmt.number(0, decimals)
    return ("+" if x > 0 else "") + fmt.number(x, decimals)


def farthest_from_baseline(
    title: str, rows: pd.DataFrame, aar: int, baseline_aar: int, per_side: int, caption: str = ""
) -> Chart:
    """For a plan with more afdelinger than a chart has room for, a bar each: the afdelinger
    farthest from their baseline (`farthest`), as the distance in percentage points (the
    year's share minus the baseline) with the 95 % interval moved by the same baseline.

    `rows`: enhed, vaerdi, ki_nedre, ki_oevre, baseline and skjult, for every afdeling of the
    report. The alt text lists the afdelinger drawn and says how many are left out and why;
    `caption` ends it.
    """
    above, below = farthest(rows, per_side)
    drawn = pd.concat([above, below.iloc[::-1]])  # top to bottom, from the farthest above
    gap = 1 if len(above) and len(below) else 0  # a row's room between the two sides
    positions = [-(i + (gap if i >= len(above) else 0)) for i in range(len(drawn))]
    fig, ax = _empty()
    distance = drawn["afstand"]
    low = (drawn["ki_nedre"] - drawn["baseline"]).astype(float)
    high = (drawn["ki_oevre"] - drawn["baseline"]).astype(float)
    error = [(distance - low).fillna(0).clip(lower=0), (high - distance).fillna(0).clip(lower=0)]
    ax.barh(positions, distance, color=BLUE, height=0.6, xerr=error, error_kw=INTERVAL_BARS)
    ax.axvline(0, color=DARK, linewidth=1)
    outside = []
    for y, d, hi, v, b in zip(positions, distance, high, drawn["vaerdi"], drawn["baseline"],
                              strict=True):  # fmt: skip
        right = max(0.0, d, 0.0 if pd.isna(hi) else hi)
        _row_label(ax, right, y, f"{fmt.pct(v)} mod {fmt.pct(b)}", outside)
    _ticks(ax, "y", positions, list(drawn["enhed"]))
    _value_ticks(ax, "x", lambda v: _signed(v, 0))
    _row_layout(fig, ax, title, drawn["enhed"], len(drawn) + gap, outside, legend=False)
    alt = " ".join(
        [_farthest_summary(title, rows, above, below, aar, baseline_aar),
         _farthest_listed(above, below)] + ([caption] if caption else [])
    )  # fmt: skip
    return _render(fig, alt)


def _farthest_summary(title: str, rows: pd.DataFrame, above, below, aar, baseline_aar) -> str:
    """What the chart shows, and how many afdelinger it leaves out and why."""
    sides = [f"{n} {way}" for n, way in ((len(above), "over"), (len(below), "under")) if n]
    text = (
        f"{title}. Afdelingerne længst fra deres baseline ({aar} minus baseline {baseline_aar}): "
        f"{' og '.join(sides)}."
    )
    hidden = _hidden(rows)
    missing = ~hidden & (rows["vaerdi"].isna() | rows["baseline"].isna())
    left_out = len(rows) - len(above) - len(below)
    nearer = left_out - int(hidden.sum()) - int(missing.sum())
    reasons = []
    if nearer:
        reasons.append(f"{fmt.number(nearer)} ligger nærmere deres baseline")
    if missing.any():
        reasons.append(f"{fmt.number(missing.sum())} har ikke både et tal for {aar} og en baseline")
    if hidden.any():
        reasons.append(f"{fmt.number(hidden.sum())} har et tal, der er skjult af hensyn til "
                       "diskretion (skjulte tal indgår aldrig i rangeringen)")  # fmt: skip
    if left_out:
        text += (
            f" {fmt.number(left_out)} af {fmt.number(len(rows))} afdelinger er ikke med i "
            f"diagrammet: {'; '.join(reasons)}."
        )
    return text + " Tynde streger: 95 %-interval."


def _farthest_listed(above: pd.DataFrame, below: pd.DataFrame) -> str:
    """The afdelinger drawn, with their figure, baseline and distance."""

    def listed(side: pd.DataFrame) -> str:
        return "; ".join(
            f"{e} {fmt.pct(v)} mod {fmt.pct(b)} ({_signed(d)})"
            for e, v, b, d in zip(side["enhed"], side["vaerdi"], side["baseline"],
                                  side["afstand"], strict=True)
        )  # fmt: skip

    parts = [f"Over baseline: {listed(above)}."] if len(above) else []
    parts += [f"Under baseline: {listed(below)}."] if len(below) else []
    return " ".join(parts)
