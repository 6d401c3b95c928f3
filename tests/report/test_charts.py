"""Spec: the charts (evalkit.report.charts) are written as SVG, with every text and tick
where matplotlib's own Text and axes put them, every mark where its value is on the axis,
every label inside the image and no more room around them than bbox_inches="tight" left."""

import importlib.util
import io
import re
import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor

import matplotlib
import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.textpath import TextToPath

from evalkit.report import charts

SVG = "{http://www.w3.org/2000/svg}"

LONG_TITLE = (
    "Andelen, der er »meget tilfreds« eller »tilfreds« med boligområdet – "
    "Boligselskabet Sct. Jørgen"
)


def series(values: dict[int, float], **columns) -> pd.DataFrame:
    years = list(values)
    columns = {"skjult": [""] * len(years), **columns}
    return pd.DataFrame({"aar": years, "vaerdi": list(values.values()),
                         "ki_nedre": [v * 0.8 for v in values.values()],
                         "ki_oevre": [v * 1.2 for v in values.values()], **columns})  # fmt: skip


def afdelinger(figures: dict[str, tuple], skjult: dict[str, str] | None = None) -> pd.DataFrame:
    """Rows of the afdelinger's figures: name -> (vaerdi, baseline), interval ±3 points."""
    values = [v for v, _ in figures.values()]
    return pd.DataFrame({
        "enhed": list(figures), "vaerdi": values, "baseline": [b for _, b in figures.values()],
        "ki_nedre": [None if v is None else v - 3 for v in values],
        "ki_oevre": [None if v is None else v + 3 for v in values],
        "skjult": [(skjult or {}).get(name, "") for name in figures],
    })  # fmt: skip


TRENDS = {
    "short": lambda: charts.trend(
        "Udsættelser", series({2024: 6.0, 2025: 7.0}), "antal", 6.0, 2024
    ),  # fmt: skip
    "a long title": lambda: charts.trend(LONG_TITLE, series({2025: 0.5}), "procent", None, None),
    "long labels at the right end": lambda: charts.trend(
        "Tilfredshed",
        series(
            {2024: 0.802, 2025: 0.999},
            maerke=["eksempeldata\nandre afdelinger", ""],
            note=["eksempeldata", ""],
        ),  # fmt: skip
        "procent",
        0.81,
        2025,
        baseline_note="eksempeldata",
    ),
    "a hidden year": lambda: charts.trend(
        "Udsættelser",
        pd.DataFrame(
            {"aar": [2024, 2025], "vaerdi": [None, 9.0], "skjult": ["under 5 husstande", ""]}
        ),
        "antal",
        None,
        None,
    ),
    "against baseline": lambda: charts.against_baseline(
        "Fraflytningsprocent 2025 mod baseline 2023",
        pd.DataFrame(
            {
                "enhed": ["Kærsangerparken", "Lindon"],
                "vaerdi": [0.114, None],
                "ki_nedre": [0.06, None],
                "ki_oevre": [0.2, None],
                "baseline": [0.115, 0.6],
            }
        ),
        2025,
        2023,
    ),  # fmt: skip
    "against baseline, more rows and no gaps": lambda: charts.against_baseline(
        "Andel i beskæftigelse 2025 mod baseline 2023",
        afdelinger({"Ellekonebakken": (0.41, 0.38), "Karup": (0.52, 0.6), "Lindon": (0.3, 0.3)}),
        2025,
        2023,
    ),  # fmt: skip
    "farthest from baseline": lambda: charts.farthest_from_baseline(
        "Fraflytning 2025: længst fra baseline 2023 (procentpoint)",
        afdelinger(
            {
                "Kærsangerparken": (30.0, 10.0),
                "Lindon": (59.0, 60.0),
                "Ellekonebakken": (2.0, 17.1),
                "Karup": (None, 8.0),
            }
        ),
        2025,
        2023,
        per_side=2,
    ),  # fmt: skip
    "farthest from baseline, one side": lambda: charts.farthest_from_baseline(
        "Tryghed 2025: længst fra baseline 2023 (procentpoint)",
        afdelinger({"Karup": (71.5, 70.0), "Lindon": (80.0, 62.5)}),
        2025,
        2023,
        per_side=3,
    ),  # fmt: skip
}


@pytest.fixture
def drawn(monkeypatch):
    """Each chart as it was written: its box and limits, its texts (with the box each took)
    and its ticks."""
    drawings = []

    class Recorded(charts._Svg):
        def __init__(self, *args) -> None:
            super().__init__(*args)
            self.texts, self.ticked, self._ticking = [], [], False
            drawings.append(self)

        def text(self, text, x, y, **kw):
            placed = super().text(text, x, y, **kw)
            self.texts.append((text, x, y, kw, placed, self._ticking))
            return placed

        def ticks(self, axis, at, labels):
            self.ticked.append((axis, at, labels))
            self._ticking = True
            super().ticks(axis, at, labels)
            self._ticking = False

    monkeypatch.setattr(charts, "_Svg", Recorded)
    return drawings


def texts(svg: bytes) -> list[tuple]:
    """Every line of text of an SVG, ours or matplotlib's: (content, x where it starts, y of
    its baseline), each measured as matplotlib measures it."""
    found = []
    for e in ET.fromstring(svg).iter(f"{SVG}text"):
        style = e.get("style", "")
        if "transform" in e.attrib and "translate" in e.get("transform"):  # matplotlib: a line
            x, y = map(float, re.findall(r"[-\d.]+", e.get("transform"))[:2])  # of several
        else:
            x, y = float(e.get("x")), float(e.get("y"))
        anchor = e.get("text-anchor") or (re.findall(r"text-anchor: (\w+)", style) + ["start"])[0]
        size = float(e.get("font-size") or re.search(r"font-size: ([\d.]+)px", style).group(1))
        italic = e.get("font-style") == "italic" or "font-style: italic" in style
        prop = FontProperties(family="DejaVu Sans", size=size,
                              style="italic" if italic else "normal")  # fmt: skip
        width = TextToPath().get_text_width_height_descent(e.text, prop, False)[0]
        found.append((e.text, x - {"start": 0, "middle": width / 2, "end": width}[anchor], y))
    return sorted(found)


def anchors(svg: bytes) -> dict[str, tuple[float, float]]:
    """Our texts' anchors: where each is centred (x axis), ends (y axis) or starts."""
    return {
        e.text: (float(e.get("x")), float(e.get("y")))
        for e in ET.fromstring(svg).iter(f"{SVG}text")
    }


def shapes(svg: bytes) -> dict[str, list]:
    """The points of every line ("M x y L x y ..."), by stroke width; circles and rectangles
    (not the background) as (x0, y0, x1, y1)."""
    root = ET.fromstring(svg)
    lines: dict[str, list] = {}
    for path in root.iter(f"{SVG}path"):
        strokes = [[tuple(map(float, p.split())) for p in s.split(" L ")]
                   for s in path.get("d")[2:].split(" M ")]  # fmt: skip
        lines.setdefault(path.get("stroke-width"), []).extend(strokes)
    boxes = [(float(c.get("cx")) - 3, float(c.get("cy")) - 3, float(c.get("cx")) + 3,
              float(c.get("cy")) + 3) for c in root.iter(f"{SVG}circle")]  # fmt: skip
    for r in list(root.iter(f"{SVG}rect"))[1:]:
        x, y, w, h = (float(r.get(k, 0)) for k in ("x", "y", "width", "height"))
        boxes.append((x, y, x + w, y + h))
    return {"lines": lines, "boxes": boxes}


@pytest.mark.parametrize("make", TRENDS.values(), ids=TRENDS.keys())
def test_every_text_and_tick_is_where_matplotlib_puts_it(drawn, make):
    # The same axes, limits and ticks, and every other text at the same anchor with the same
    # alignment, drawn by matplotlib: each line of text and each tick mark must be where it
    # put it (its SVG writer, text as text).
    ours = make().svg
    d = drawn[-1]
    width, height = d.size
    fig = Figure(figsize=(width / 72, height / 72), dpi=72)
    ax = fig.add_axes((d.left / width, 1 - d.bottom / height, d.width / width, d.height / height))
    ax.set(xlim=d.xlim, ylim=d.ylim)
    ticked = {axis: (at, labels) for axis, at, labels in d.ticked}
    ax.set_xticks(*ticked.get("x", ([], [])))
    ax.set_yticks(*ticked.get("y", ([], [])))
    for text, x, y, kw, _, tick in d.texts:
        if not tick:
            fig.text(x / width, 1 - y / height, text, ha=kw.get("ha", "left"),
                     va=kw.get("va", "baseline"), fontsize=kw.get("size", 10),
                     fontstyle="italic" if kw.get("italic") else "normal")  # fmt: skip
    buffer = io.BytesIO()
    with matplotlib.rc_context({"svg.fonttype": "none", "font.family": "DejaVu Sans"}):
        fig.savefig(buffer, format="svg")
    theirs = buffer.getvalue()
    mine, matplotlibs = texts(ours), texts(theirs)
    assert [t[0] for t in mine] == [t[0] for t in matplotlibs]
    assert np.array([t[1:] for t in mine]) == pytest.approx(
        np.array([t[1:] for t in matplotlibs]), abs=0.01
    )
    # matplotlib's tick marks: a marker used at each tick; ours: a line from the axis out.
    root = ET.fromstring(theirs)
    marks = sorted((float(u.get("x")), float(u.get("y"))) for u in root.iter(f"{SVG}use"))
    ticks = [s for s in shapes(ours)["lines"]["0.8"] if len(s) == 2]
    assert len(marks) >= 2
    assert np.array(sorted(s[0] for s in ticks)) == pytest.approx(np.array(marks), abs=0.01)
    assert all(length(s) == pytest.approx(charts.MARK) for s in ticks)


def length(stroke) -> float:
    (x0, y0), (x1, y1) = stroke
    return float(np.hypot(x1 - x0, y1 - y0))


@pytest.mark.parametrize("make", TRENDS.values(), ids=TRENDS.keys())
def test_every_label_is_inside_the_image_with_little_room_to_spare(drawn, make):
    svg = make().svg
    width, height = drawn[-1].size
    found = shapes(svg)
    boxes = [placed.box for *_, placed, _ in drawn[-1].texts] + found["boxes"]
    boxes += [(min(xs), min(ys), max(xs), max(ys)) for strokes in found["lines"].values()
              for xs, ys in (zip(*s, strict=True) for s in strokes)]  # fmt: skip
    left, top = min(b[0] for b in boxes), min(b[1] for b in boxes)
    right, bottom = max(b[2] for b in boxes), max(b[3] for b in boxes)
    # bbox_inches="tight" left 0.1 inch (charts.GAP, in points) around everything.
    for room in (left, top, width - right, height - bottom):
        assert charts.GAP - 0.72 < room < charts.GAP + 7.2


@pytest.mark.parametrize("make", TRENDS.values(), ids=TRENDS.keys())
def test_the_same_chart_gives_the_same_bytes(make):
    first, second = make(), make()
    assert first.svg == second.svg and first.svg.startswith(b"<?xml")


def test_the_axes_keep_their_size_whatever_the_labels():
    sizes = []
    for name in ("short", "long labels at the right end"):
        frame = [s for s in shapes(TRENDS[name]().svg)["lines"]["0.8"] if len(s) == 3][0]
        (x0, y0), _, (x1, y1) = frame  # the left side from the top, then the bottom
        sizes.append((x1 - x0, y1 - y0))
    assert sizes[0] == pytest.approx(sizes[1])
    assert sizes[0] == pytest.approx((charts.AXES_WIDTH, charts.TREND_HEIGHT))


def test_a_chart_is_the_same_whatever_was_drawn_before():
    # Text sizes are kept from chart to chart: nothing of one chart may reach the next, or a
    # report would depend on the reports made before it.
    charts._sizes().cache_clear()
    first = {name: make().svg for name, make in TRENDS.items()}
    charts._sizes().cache_clear()
    for name in reversed(TRENDS):
        assert TRENDS[name]().svg == first[name], name


def test_charts_drawn_in_several_threads_at_once_are_the_same():
    # matplotlib keeps a font per thread; the sizes measured with them are shared.
    alone = {name: make().svg for name, make in TRENDS.items()}
    charts._sizes().cache_clear()
    with ThreadPoolExecutor(4) as pool:
        drawn = [(name, pool.submit(make)) for _ in range(3) for name, make in TRENDS.items()]
    assert all(future.result().svg == alone[name] for name, future in drawn)


@pytest.mark.parametrize("make", TRENDS.values(), ids=TRENDS.keys())
def test_no_two_labels_overlap(drawn, make):
    # "short": the baseline year has a point of its own, labelled beside it; the baseline's
    # label must not sit on it.
    make()
    placed = [(text, p.box) for text, *_, p, _ in drawn[-1].texts if text]
    for i, (a, (ax0, ay0, ax1, ay1)) in enumerate(placed):
        for b, (bx0, by0, bx1, by1) in placed[i + 1 :]:
            assert ax1 <= bx0 or bx1 <= ax0 or ay1 <= by0 or by1 <= ay0, (a, b)


def near(*points) -> list:
    """Coordinates as the SVG writes them, to a thousandth of a point: flat, for comparing."""
    flat = [float(v) for p in points for v in (p if isinstance(p, tuple | list) else [p])]
    return pytest.approx(flat, abs=0.001)


def flat(points) -> list[float]:
    return [float(v) for p in points for v in p]


def test_a_trends_points_and_baseline_are_where_their_values_are(drawn):
    svg = TRENDS["short"]().svg  # 2024: 6 (the baseline, 6), 2025: 7, intervals ±20 %
    d = drawn[-1]
    x, y = d.x, d.y
    # Half a year beside the first and the last year; from 0 to the highest end and a quarter.
    assert (x(2023.5), x(2025.5), y(0), y(7 * 1.2 * 1.25)) == near(d.left, d.right, d.bottom, d.top)
    # The ticks say where a year and a value are: the points are on the same lines.
    ticks = anchors(svg)
    assert [ticks["2024"][0]] == near(x(2024))
    assert [ticks["2"][1] - y(2), ticks["10"][1] - y(10)] == near(*[ticks["0"][1] - y(0)] * 2)
    found = shapes(svg)
    dots = sorted(((b[0] + b[2]) / 2, (b[1] + b[3]) / 2) for b in found["boxes"][1:])
    assert flat(dots) == near((x(2024), y(6)), (x(2025), y(7)))
    baseline = found["boxes"][0]  # the baseline's square, in its year
    assert ((baseline[0] + baseline[2]) / 2, (baseline[1] + baseline[3]) / 2) == near(x(2024), y(6))
    assert flat(found["lines"]["1"][0]) == near((d.left, y(6)), (d.right, y(6)))  # dashed
    bars = sorted(s for s in found["lines"]["1"][1:] if s[0][0] == s[1][0])
    assert [flat(b) for b in bars] == [
        near((x(2024), y(4.8)), (x(2024), y(7.2))),
        near((x(2025), y(5.6)), (x(2025), y(8.4))),
    ]


def test_a_bar_ends_at_its_value_and_a_baseline_mark_stands_at_its_own(drawn):
    rows = afdelinger({"A": (41.0, 38.0), "B": (52.0, 60.0)})  # intervals ±3 points
    svg = charts.against_baseline("Andel", rows, 2025, 2023).svg
    d = drawn[-1]
    # The value axis from 0 (where the bars start) to the farthest end and 5 % more.
    assert d.xlim == pytest.approx((0, 60 * 1.05))
    found = shapes(svg)
    bars = found["boxes"][:2]  # B (the last row) at the bottom first; the legend's is last
    row = d.height / (d.ylim[1] - d.ylim[0])
    assert [b[0] for b in bars] == near(d.x(0), d.x(0))
    assert [b[2] for b in bars] == near(d.x(52), d.x(41))
    assert [(b[1] + b[3]) / 2 for b in bars] == near(d.y(0), d.y(1))
    assert [b[3] - b[1] for b in bars] == near(0.6 * row, 0.6 * row)
    marks = [s for s in found["lines"]["2.5"]][:2]  # then the legend's
    assert [m[0][0] for m in marks] == near(d.x(60), d.x(38))
    intervals = [s for s in found["lines"]["1"] if s[0][1] == s[1][1]]
    assert [flat(s) for s in intervals] == [
        near((d.x(49), d.y(0)), (d.x(55), d.y(0))),
        near((d.x(38), d.y(1)), (d.x(44), d.y(1))),
    ]
    labels = anchors(svg)
    assert [labels["0 %"][0], labels["40 %"][0]] == near(d.x(0), d.x(40))


def test_a_name_is_written_as_it_is():
    # XML's own characters are escaped, and dollar signs are no mathematics (matplotlib would
    # have set "$x$" as a formula).
    name = "A & B <1> $x$"
    svg = charts.against_baseline(name, afdelinger({name: (10.0, 12.0)}), 2025, 2023).svg
    assert [t[0] for t in texts(svg)].count(name) == 2  # the title and the row's name


def test_a_text_is_measured_once_per_process_also_by_a_new_copy_of_the_module():
    # A warm kernel imports evalkit anew for every report: the sizes stay.
    charts._measure("Lindon", 10)
    fresh = importlib.util.module_from_spec(importlib.util.find_spec(charts.__name__))
    fresh.__spec__.loader.exec_module(fresh)
    before = charts._sizes().cache_info().hits
    fresh._measure("Lindon", 10)
    assert fresh._sizes() is charts._sizes() and charts._sizes().cache_info().hits == before + 1


@pytest.mark.parametrize("italic", [False, True])
def test_text_is_measured_in_dejavu_sans_as_matplotlib_measures_it_whatever_the_settings(italic):
    text = "Kærsangerparken 12,5 %"
    prop = FontProperties(family="DejaVu Sans", size=10, style="italic" if italic else "normal")
    expected = TextToPath().get_text_width_height_descent(text, prop, False)
    charts._sizes().cache_clear()
    with matplotlib.rc_context({"font.family": "monospace"}):
        assert charts._measure(text, 10, italic) == pytest.approx(expected)
    assert charts._measure(text, 10, italic) == pytest.approx(expected)


# --- the afdelinger farthest from their baseline (a plan of many afdelinger) ------------------


@pytest.mark.parametrize(
    ("figures", "skjult", "above", "below"),
    [
        # Each side from the farthest, `per_side` (2) at most; 0 on its baseline is neither.
        ({"A": (25, 20), "B": (30, 20), "C": (21, 20), "D": (10, 20), "E": (20, 20)}, {},
         ["B", "A"], ["D"]),
        # Ties keep the order of the rows.
        ({"A": (25, 20), "B": (25, 20), "C": (25, 20), "D": (15, 20), "E": (15, 20)}, {},
         ["A", "B"], ["D", "E"]),
        # A hidden figure is never ranked, however far it lies; nor a figure without a
        # baseline or a baseline without a figure.
        ({"A": (90, 20), "B": (30, 20), "C": (50, None), "D": (None, 20), "E": (5, 20)},
         {"A": "sekundær", "E": "sekundær"}, ["B"], []),
    ],
)  # fmt: skip
def test_the_farthest_on_each_side_are_chosen_and_a_hidden_figure_never(
    figures, skjult, above, below
):
    over, under = charts.farthest(afdelinger(figures, skjult), per_side=2)
    assert list(over["enhed"]) == above
    assert list(under["enhed"]) == below


def test_the_farthest_chart_says_what_it_shows_and_what_it_leaves_out():
    rows = afdelinger(
        {"A": (30.0, 10.0), "B": (12.0, 10.0), "C": (5.0, 10.5), "D": (None, 10.0),
         "E": (None, 10.0), "F": (11.0, 10.0)},
        skjult={"E": "sekundær"},
    )  # fmt: skip
    chart = charts.farthest_from_baseline("Titel", rows, 2025, 2023, per_side=1, caption="Se.")
    assert chart.alt == (
        "Titel. Afdelingerne længst fra deres baseline (2025 minus baseline 2023): 1 over og 1 "
        "under. 4 af 6 afdelinger er ikke med i diagrammet: 2 ligger nærmere deres baseline; 1 "
        "har ikke både et tal for 2025 og en baseline; 1 har et tal, der er skjult af hensyn "
        "til diskretion (skjulte tal indgår aldrig i rangeringen). Tynde streger: 95 %-interval. "
        "Over baseline: A 30,0 % mod 10,0 % (+20,0). Under baseline: C 5,0 % mod 10,5 % (-5,5). "
        "Se."
    )


@pytest.mark.parametrize(
    ("x", "text"), [(2.54, "+2,5"), (-1.0, "-1,0"), (-0.04, "0,0"), (0, "0,0")]
)
def test_a_distance_in_percentage_points_has_its_sign(x, text):
    assert charts._signed(x) == text
