"""Charts for the reports, as SVG images embedded in the HTML with an alt text.

SVG, not PNG: lines and text stay sharp at any zoom and in print (a PNG at 110 dots per inch
prints blurred), and text can be selected. Each chart is a few lines, marks, bars and texts,
written here as SVG (`_Svg`): matplotlib's figures, axes and artists took some 25 ms to draw
each chart, most of a report's own work, and importing them 0.4 s of every kernel's start.

The pictures are the ones matplotlib drew, placed as it placed them: the axes have a fixed
size, the image is just large enough for the labels around them (`_Margins`), text is
measured in DejaVu Sans with matplotlib's font metrics and stacked as its Text lays it out
(`_place`), value ticks are where its MaxNLocator puts them, and a bar chart's value axis
spans what matplotlib's autoscaling spanned (`_bar_limits`). Everything is in points (72 per
inch), y downward as in SVG; the data's limits map onto the axes' box (`_Svg.x`, `_Svg.y`).
"""

import base64
import functools
from dataclasses import dataclass

import pandas as pd
from matplotlib import font_manager
from matplotlib.ft2font import LoadFlags
from matplotlib.ticker import MaxNLocator

from evalkit import fmt
from evalkit.report import markup

BLUE, GREY, DARK, PALE = "#1f5f8b", "#6b6b6b", "#222222", "#7a9cb8"
FONT = "DejaVu Sans"  # the font the layout is measured in; a reader without it gets the next
FONTS = "DejaVu Sans, Bitstream Vera Sans, Verdana, Arial, Helvetica, sans-serif"
FONT_SIZE, SMALL = 10, 8  # points: most text; a row's label and the legend
# The PNGs were written at 110 dots per inch; an SVG says its size in points (72 per inch),
# which a browser shows at 96 pixels per inch. The size is scaled so that a chart takes the
# same room on the page as before.
SCREEN_SCALE = 110 / 72
PT = 72  # points per inch
# The axes as matplotlib's default subplot gave them in the figures of 6.4 inches by 2.8
# (trend) and by 0.32 inch per afdeling + 1 (against_baseline) that the charts had before.
AXES_WIDTH = 6.4 * (0.9 - 0.125) * PT
TREND_HEIGHT = 2.8 * (0.88 - 0.11) * PT
ROW_HEIGHT, BAR_EXTRA = 0.32 * (0.88 - 0.11) * PT, 1.0 * (0.88 - 0.11) * PT
LINE = 1.2 * FONT_SIZE  # one line of chart text
MARK = 3.5  # a tick mark, outward
TICK = 2 * MARK  # a tick mark and the gap to its label
TITLE_PAD = 6  # between a title's baseline and its axes
LEGEND = 0.3 * PT  # a legend of one row in 8-point text, with its padding
GAP = 0.1 * PT  # between the outermost text and the edge, as bbox_inches="tight" had it
BAR = 0.6  # a bar's height, in rows
MARGIN = 0.05  # of the data's span, beyond each end of a bar chart's value axis


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


# -- text ------------------------------------------------------------------------------------
_HINTLESS = 100  # points: text is measured at this size and scaled, as matplotlib measures it


@functools.cache
def _font_file(italic: bool) -> str:
    style = "italic" if italic else "normal"
    return font_manager.findfont(font_manager.FontProperties(family=FONT, style=style))


def _measure(line: str, size: float, italic: bool = False) -> tuple[float, float, float]:
    """One line's width, height and descent in points, as matplotlib's SVG writer measures
    them (glyph outlines without hinting)."""
    return _sizes()(_font_file(italic), line, size)


def _sizes():
    """Text sizes, each measured once per process: (font file, line, size) -> width, height
    and descent in points.

    A warm kernel imports evalkit anew for every report (evalkit.execution.isolation), and
    measuring every text again cost an afdeling's report about 8 % of its time there. A size
    depends on nothing but the font file, the text and the size, so the cache is kept on
    matplotlib's font_manager, where each copy of this module finds it.
    """
    sizes = getattr(font_manager, "_evalkit_text_sizes", None)
    if sizes is None:

        @functools.lru_cache(maxsize=16384)
        def sizes(file: str, line: str, size: float) -> tuple[float, float, float]:
            font = font_manager.get_font(file)  # matplotlib keeps one per thread
            font.set_size(_HINTLESS, PT)
            font.set_text(line, 0.0, flags=LoadFlags.NO_HINTING)
            width, height = font.get_width_height()
            scale = size / _HINTLESS / 64  # FreeType counts 64ths
            return width * scale, height * scale, font.get_descent() * scale

        font_manager._evalkit_text_sizes = sizes
    return sizes


@functools.cache
def _font_heights(italic: bool) -> tuple[float, float, float]:
    """The font's ascent, descent and line gap per point of size (its OS/2 table), which
    matplotlib gives every line at least."""
    font = font_manager.get_font(_font_file(italic))
    table, em = font.get_sfnt_table("OS/2"), font.get_sfnt_table("head")["unitsPerEm"]
    return table["sTypoAscender"] / em, -table["sTypoDescender"] / em, table["sTypoLineGap"] / em


def _width(texts, size: float = FONT_SIZE) -> float:
    """The width in points of the widest line of `texts` at `size` points."""
    lines = {line for text in texts for line in str(text).split("\n")}
    return max((_measure(line, size)[0] for line in lines), default=0.0)


@dataclass(frozen=True)
class _Placed:
    """A text placed in the image: each line with its baseline, and the box around it."""

    lines: list[tuple[str, float]]
    box: tuple[float, float, float, float]  # left, top, right, bottom


def _place(text: str, x: float, y: float, size: float, italic: bool, ha: str, va: str) -> _Placed:
    """`text` anchored at (x, y), aligned `ha` (left, center, right) and `va` (top, baseline,
    center_baseline), as matplotlib's Text lays it out: each line at least as high as the
    font's ascent and descent, lines apart by its line gap."""
    ascent, descent, gap = (size * m for m in _font_heights(italic))
    lines = str(text).split("\n")
    gap = gap if len(lines) > 1 else 0.0
    down, baselines, widths = 0.0, [], []
    for line in lines:
        width, height, below = _measure(line, size, italic) if line else (0.0, 0.0, 0.0)
        up, below = max(height - below, ascent) + gap / 2, max(below, descent) + gap / 2
        baselines.append(down + up)
        widths.append(width)
        down += up + below
    top = y - {"top": 0.0, "baseline": baselines[-1], "center_baseline": baselines[-1] / 2}[va]
    width = max(widths)
    left = x - {"left": 0.0, "center": width / 2, "right": width}[ha]
    return _Placed(
        [(line, top + b) for line, b in zip(lines, baselines, strict=True)],
        (left, top, left + width, top + down),
    )


def _n(value: float) -> str:
    """A coordinate in points, to a thousandth."""
    text = f"{value:.3f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


# -- the picture -----------------------------------------------------------------------------
@dataclass
class _Margins:
    """The room around the axes, in points, for the labels outside them."""

    left: float
    right: float
    top: float
    bottom: float


class _Svg:
    """One chart being drawn: the axes' box (`width` by `height` points, `margins` around it)
    shows the data from `xlim` to `ylim`; lines, marks, bars and texts are added in the order
    they are drawn, and written by the template chart.svg.j2."""

    def __init__(self, margins: _Margins, width: float, height: float, xlim, ylim) -> None:
        self.left, self.top, self.width, self.height = margins.left, margins.top, width, height
        self.right, self.bottom = self.left + width, self.top + height
        self.size = (self.right + margins.right, self.bottom + margins.bottom)
        self.xlim, self.ylim = xlim, ylim
        self.shapes: list[dict] = []

    def x(self, value: float) -> float:
        low, high = self.xlim
        return self.left + (value - low) / (high - low) * self.width

    def y(self, value: float) -> float:
        low, high = self.ylim
        return self.bottom - (value - low) / (high - low) * self.height

    def lines(self, strokes, color: str, width: float = 1.0, **style: str) -> None:
        """Lines through points (x, y) in points: `strokes`, one list of points per line;
        `style`: dash, cap and join (SVG's stroke-dasharray, -linecap and -linejoin)."""
        d = " ".join("M " + " L ".join(f"{_n(x)} {_n(y)}" for x, y in stroke) for stroke in strokes)
        if d:
            self.shapes.append({"kind": "path", "d": d, "stroke": color, "width": _n(width),
                                **style})  # fmt: skip

    def dots(self, points, fill: str, edge: str, width: float) -> None:
        """Round markers 6 points across (matplotlib's "o") at `points` (in points)."""
        for x, y in points:
            self.shapes.append({"kind": "circle", "x": _n(x), "y": _n(y), "fill": fill,
                                "stroke": edge, "width": _n(width)})  # fmt: skip

    def rect(self, x0: float, y0: float, x1: float, y1: float, fill: str, edge: str = "") -> None:
        self.shapes.append({"kind": "rect", "x": _n(min(x0, x1)), "y": _n(min(y0, y1)),
                            "w": _n(abs(x1 - x0)), "h": _n(abs(y1 - y0)), "fill": fill,
                            "stroke": edge})  # fmt: skip

    def text(self, text: str, x: float, y: float, size: float = FONT_SIZE, ha: str = "left",
             va: str = "baseline", color: str = "", italic: bool = False) -> _Placed:  # fmt: skip
        """A text anchored at (x, y) points (see _place); where it went."""
        placed = _place(text, x, y, size, italic, ha, va)
        anchor = {"left": "start", "center": "middle", "right": "end"}[ha]
        for line, baseline in placed.lines:
            if line:
                self.shapes.append({"kind": "text", "text": line, "x": _n(x), "y": _n(baseline),
                                    "size": _n(size), "anchor": anchor, "fill": color,
                                    "italic": italic})  # fmt: skip
        return placed

    def frame(self) -> None:
        """The left and bottom sides of the axes (matplotlib's spines)."""
        corner = [(self.left, self.top), (self.left, self.bottom), (self.right, self.bottom)]
        self.lines([corner], "#000000", 0.8, cap="square", join="miter")

    def ticks(self, axis: str, at: list[float], labels: list[str]) -> None:
        """Ticks on the "x" or "y" `axis` at `at` (data units), labelled `labels`, where
        matplotlib's axis put them: marks 3.5 points outward, labels 3.5 points beyond."""
        if axis == "x":
            marks = [[(self.x(v), self.bottom), (self.x(v), self.bottom + MARK)] for v in at]
            for v, label in zip(at, labels, strict=True):
                self.text(label, self.x(v), self.bottom + TICK, ha="center", va="top")
        else:
            marks = [[(self.left, self.y(v)), (self.left - MARK, self.y(v))] for v in at]
            for v, label in zip(at, labels, strict=True):
                self.text(label, self.left - TICK, self.y(v), ha="right", va="center_baseline")
        self.lines(marks, "#000000", 0.8)

    def title(self, text: str) -> None:
        """The chart's title, above the axes from their left end."""
        self.text(text, self.left, self.top - TITLE_PAD)

    def chart(self, alt: str) -> Chart:
        width, height = self.size
        svg = markup.render(
            "chart.svg.j2",
            width=round(width * SCREEN_SCALE),
            height=round(height * SCREEN_SCALE),
            box=f"{_n(width)} {_n(height)}",
            fonts=FONTS,
            shapes=self.shapes,
        )
        return Chart(svg.encode("utf-8"), alt)


def _right_margin(xlim, labels: list[tuple[float, float]]) -> float:
    """The right margin that keeps every label inside the image.

    `labels`: (x in data units, points the text reaches right of x). A label at a fraction d
    of the x range from the right end has d * AXES_WIDTH inside the axes.
    """
    low, high = xlim
    return GAP + max(
        [0.0, *(reach - (high - x) / (high - low) * AXES_WIDTH for x, reach in labels)]
    )


def _value_ticks(lim: tuple[float, float], label) -> tuple[list[float], list[str]]:
    """Ticks at round values within `lim` (as matplotlib's MaxNLocator places them), each
    labelled by `label`."""
    low, high = sorted(lim)
    locator = MaxNLocator(nbins=6, steps=[1, 2, 5, 10], integer=True)
    at = [float(t) for t in locator.tick_values(low, high) if low <= t <= high]
    return at, [label(t) for t in at]


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
    # Plain values, a dict per row: on a handful of rows each pandas operation costs more
    # than its work.
    rows = series.to_dict("records")
    marks = {row["aar"]: row.get("maerke") for row in rows}
    notes = {row["aar"]: row.get("note") for row in rows}
    hidden = {row["aar"]: row["skjult"] for row in rows if row.get("skjult")}
    data = [row for row in rows if not pd.isna(row["vaerdi"])]
    xs, ys = [row["aar"] for row in data], [row["vaerdi"] for row in data]
    data_years = sorted({*xs, *hidden})
    has_baseline = baseline is not None and not pd.isna(baseline)
    years = sorted({*data_years, baseline_aar}) if has_baseline else data_years
    baseline_label = f"Baseline {baseline_aar}" + (f" ({baseline_note})" if baseline_note else "")
    has_interval = any(not pd.isna(row.get("ki_nedre")) for row in data)
    highs = [row["ki_oevre"] for row in data] if has_interval else ys
    top = max([*(h for h in highs if not pd.isna(h)), baseline if has_baseline else 0])
    xlim = (min(years or [0]) - 0.5, max(years or [0]) + 0.5)
    ylim = (0.0, max(1.0, float(top)) * 1.25)

    # The texts beside the points and the baseline, as (anchor in data units, offset in
    # points, alignment, colour, italic), and how far right of their anchor each reaches.
    texts, outside = [], []
    for x, text in hidden.items():
        texts.append(((x, 0), (0, 6), text, "center", GREY, True))
        outside.append((x, _width([text]) / 2))
    if has_baseline:
        label = f"{baseline_label}: {fmt.value(baseline, enhed)}"
        if baseline_aar in data_years and len(years) > 1:
            # The baseline year has a point of its own, labelled beside it: the baseline's
            # label stands midway along its line and above the points' labels (4 pt up, one
            # line high) instead.
            middle = (years[0] + years[-1]) / 2
            texts.append(((middle, baseline), (0, 18), label, "center", GREY, False))
            outside.append((middle, _width([label]) / 2))
        else:
            texts.append(((baseline_aar, baseline), (6, 6), label, "left", GREY, False))
            outside.append((baseline_aar, 6 + _width([label])))
    for x, y in zip(xs, ys, strict=True):
        label = fmt.value(y, enhed)
        texts.append(((x, y), (8, 4), label, "left", DARK, False))
        outside.append((x, 8 + _width([label])))
    xticks = [f"{y}\n{marks[y]}" if marks.get(y) else str(y) for y in years] or ["0"]
    yticks = _value_ticks(ylim, _unit_label(enhed))
    outside.append((xlim[0], _width([title])))  # from the left end of the axes
    margins = _Margins(
        left=_width(yticks[1]) + TICK + GAP,
        right=_right_margin(xlim, outside),
        top=LINE + TITLE_PAD + GAP,
        bottom=TICK + LINE * max(x.count("\n") + 1 for x in xticks) + GAP,
    )

    svg = _Svg(margins, AXES_WIDTH, TREND_HEIGHT, xlim, ylim)
    if has_baseline:
        level = svg.y(baseline)
        svg.lines([[(svg.left, level), (svg.right, level)]], GREY, 1, dash="3.7,1.6")
        x = svg.x(baseline_aar)
        svg.rect(x - 3, level - 3, x + 3, level + 3, "none" if baseline_note else GREY, GREY)
    points = [(svg.x(x), svg.y(y)) for x, y in zip(xs, ys, strict=True)]
    if len(points) > 1:
        svg.lines([points], BLUE, 2, cap="square")
    plain = [p for p, row in zip(points, data, strict=True) if not marks.get(row["aar"])]
    marked = [p for p, row in zip(points, data, strict=True) if marks.get(row["aar"])]
    svg.dots(plain, BLUE, BLUE, 1)
    svg.dots(marked, "#ffffff", BLUE, 2)
    if has_interval:
        # From the lower to the upper end, never short of the point (as matplotlib's error
        # bars of non-negative lengths had it).
        bars = [
            (
                x,
                svg.y(min(row["ki_nedre"], row["vaerdi"])),
                svg.y(max(row["ki_oevre"], row["vaerdi"])),
            )
            for (x, _), row in zip(points, data, strict=True)
            if not _missing(row["ki_nedre"], row["ki_oevre"])
        ]
        svg.lines([[(x, low), (x, high)] for x, low, high in bars], BLUE)
        caps = [[(x - 4, end), (x + 4, end)] for x, low, high in bars for end in (low, high)]
        svg.lines(caps, BLUE)
    svg.ticks("x", years or [0], xticks)
    svg.ticks("y", *yticks)
    svg.frame()
    for (x, y), (dx, dy), text, ha, color, italic in texts:
        svg.text(text, svg.x(x) + dx, svg.y(y) - dy, ha=ha, color=color, italic=italic)
    svg.title(title)

    shown = {x: fmt.value(y, enhed) for x, y in zip(xs, ys, strict=True)}
    points_said = "; ".join(
        f"{a}{f' ({notes[a]})' if notes.get(a) else ''}: {shown.get(a) or hidden[a]}"
        for a in data_years
    )
    alt = f"{title}. {points_said or 'Ingen data'}."
    if has_interval:
        alt += " Lodrette streger: 95 %-konfidensinterval."
    if has_baseline:
        alt += f" {baseline_label}: {fmt.value(baseline, enhed)}."
    if caption:
        alt += f" {caption}"
    return svg.chart(alt)


def _missing(*values) -> bool:
    return any(pd.isna(v) for v in values)


# -- a row per afdeling ----------------------------------------------------------------------
def _bar_limits(lows, highs) -> tuple[float, float]:
    """The value axis of bars from 0, as matplotlib's autoscaling spanned it: the data's span,
    widened by MARGIN of it at each end, but not past 0 where the bars start at the end."""
    low, high = min([0.0, *lows]), max([0.0, *highs])
    if low == high:
        return (0.0, 1.0)
    room = (high - low) * MARGIN
    return (low if low == 0 else low - room, high if high == 0 else high + room)


def _row_limits(positions) -> tuple[float, float]:
    """The axis across the rows: each bar's height, and MARGIN of the span beyond."""
    low, high = min(positions) - BAR / 2, max(positions) + BAR / 2
    room = (high - low) * MARGIN
    return (low - room, high + room)


def _rows(svg: _Svg, positions, starts, ends, lows, highs) -> None:
    """Bars from `starts` to `ends` at `positions`, each with its 95 % interval (`lows` to
    `highs`) as a thin line with short caps, where both are known."""
    for y, start, end in zip(positions, starts, ends, strict=True):
        if end != start:
            svg.rect(svg.x(start), svg.y(y + BAR / 2), svg.x(end), svg.y(y - BAR / 2), BLUE)
    # As matplotlib's error bars had it: an interval never shorter than to its bar's end.
    known = [
        (svg.y(y), svg.x(min(lo, end)), svg.x(max(hi, end)))
        for y, end, lo, hi in zip(positions, ends, lows, highs, strict=True)
        if not _missing(lo, hi)
    ]
    svg.lines([[(lo, y), (hi, y)] for y, lo, hi in known], PALE)
    svg.lines([[(x, y - 2), (x, y + 2)] for y, lo, hi in known for x in (lo, hi)], PALE)


def _row_label(svg: _Svg, x: float, y: float, label: str) -> None:
    """A row's label in 8-point text just right of `x` (data units) in the row `y`."""
    svg.text(label, svg.x(x) + 6, svg.y(y) + 3, size=SMALL, color=DARK)


def _row_margins(title: str, names, xlim, outside: list, legend: bool) -> _Margins:
    """The margins of a chart with a row per afdeling: `names` left of the axes, the labels in
    `outside` inside the image, a legend under the axis."""
    outside = [*outside, (xlim[0], _width([title]))]
    return _Margins(
        left=_width(names) + TICK + GAP,
        right=_right_margin(xlim, outside),
        top=LINE + TITLE_PAD + GAP,
        bottom=TICK + LINE + LEGEND + 2 * GAP if legend else TICK + LINE + GAP,
    )


def _legend(svg: _Svg, baseline_label: str, bar_label: str) -> None:
    """Under the axis labels, lined up with the axes, as matplotlib's legend of 8-point text
    had it: the baseline's mark, then the bar."""
    pad, handle, text_pad = 0.4 * SMALL, 2.0 * SMALL, 0.8 * SMALL  # matplotlib's, in ems
    descent = _font_heights(False)[1] * SMALL
    baseline = svg.size[1] - GAP - pad - descent
    x = svg.left + pad
    svg.lines([[(x + handle / 2, baseline - 0.35 * SMALL - 7),
                (x + handle / 2, baseline - 0.35 * SMALL + 7)]], DARK, 2.5)  # fmt: skip
    x += handle + text_pad
    x = svg.text(baseline_label, x, baseline, size=SMALL).box[2] + 2.0 * SMALL
    svg.rect(x, baseline - 0.7 * SMALL, x + handle, baseline, BLUE)
    svg.text(bar_label, x + handle + text_pad, baseline, size=SMALL)


def against_baseline(title: str, rows: pd.DataFrame, aar: int, baseline_aar: int) -> Chart:
    """Each afdeling's value as a bar, its baseline as a mark (`rows`: enhed, vaerdi, baseline,
    ki_nedre, ki_oevre), from the top in the order of `rows`."""
    rows = rows.iloc[::-1]
    positions = list(range(len(rows)))
    values = [0.0 if pd.isna(v) else float(v) for v in rows["vaerdi"]]
    baselines, lows, highs = (
        list(rows[c].astype(float)) for c in ("baseline", "ki_nedre", "ki_oevre")
    )
    ends = [v for v in values + baselines + lows + highs if not pd.isna(v)]
    xlim = _bar_limits(ends, ends)
    labels = ["ingen data" if pd.isna(v) else fmt.pct(v) for v in rows["vaerdi"]]
    rights = [max(0.0, *(x for x in (v, b, hi) if not pd.isna(x)))
              for v, b, hi in zip(rows["vaerdi"], baselines, highs, strict=True)]  # fmt: skip
    outside = [(r, 6 + _width([label], SMALL)) for r, label in zip(rights, labels, strict=True)]
    names = list(rows["enhed"])
    margins = _row_margins(title, names, xlim, outside, legend=True)
    svg = _Svg(
        margins, AXES_WIDTH, ROW_HEIGHT * len(rows) + BAR_EXTRA, xlim, _row_limits(positions)
    )
    _rows(svg, positions, [0.0] * len(values), values, lows, highs)
    marks = [[(svg.x(b), svg.y(y) - 7), (svg.x(b), svg.y(y) + 7)]
             for y, b in zip(positions, baselines, strict=True) if not pd.isna(b)]  # fmt: skip
    svg.lines(marks, DARK, 2.5)  # matplotlib's "|", 14 points high
    svg.ticks("y", positions, names)
    svg.ticks("x", *_value_ticks(xlim, _unit_label("procent")))
    svg.frame()
    for y, right, label in zip(positions, rights, labels, strict=True):
        _row_label(svg, right, y, label)
    _legend(svg, f"Baseline {baseline_aar}", f"{aar} med 95 %-interval")
    svg.title(title)
    shown = rows.iloc[::-1]
    alt = (
        f"{title}: "
        + "; ".join(
            f"{e} {fmt.pct(v)} (baseline {fmt.pct(b)})"
            for e, v, b in zip(shown["enhed"], shown["vaerdi"], shown["baseline"], strict=True)
        )
        + "."
    )
    return svg.chart(alt)


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
    distance = list(drawn["afstand"])
    lows = list((drawn["ki_nedre"] - drawn["baseline"]).astype(float))
    highs = list((drawn["ki_oevre"] - drawn["baseline"]).astype(float))
    known = [x for x in distance + lows + highs if not pd.isna(x)]
    xlim = _bar_limits(known, known)
    labels = [
        f"{fmt.pct(v)} mod {fmt.pct(b)}"
        for v, b in zip(drawn["vaerdi"], drawn["baseline"], strict=True)
    ]
    rights = [
        max(0.0, d, 0.0 if pd.isna(hi) else hi) for d, hi in zip(distance, highs, strict=True)
    ]
    outside = [(r, 6 + _width([label], SMALL)) for r, label in zip(rights, labels, strict=True)]
    names = list(drawn["enhed"])
    margins = _row_margins(title, names, xlim, outside, legend=False)
    height = ROW_HEIGHT * (len(drawn) + gap) + BAR_EXTRA
    svg = _Svg(margins, AXES_WIDTH, height, xlim, _row_limits(positions))
    _rows(svg, positions, [0.0] * len(distance), distance, lows, highs)
    svg.lines([[(svg.x(0), svg.top), (svg.x(0), svg.bottom)]], DARK)
    svg.ticks("y", positions, names)
    svg.ticks("x", *_value_ticks(xlim, lambda v: _signed(v, 0)))
    svg.frame()
    for y, right, label in zip(positions, rights, labels, strict=True):
        _row_label(svg, right, y, label)
    svg.title(title)
    alt = " ".join(
        [_farthest_summary(title, rows, above, below, aar, baseline_aar),
         _farthest_listed(above, below)] + ([caption] if caption else [])
    )  # fmt: skip
    return svg.chart(alt)


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
