"""Spec: the charts (evalkit.report.charts) are laid out in one pass, with every label inside
the image and no more room around them than bbox_inches="tight" left."""

import io
import threading
from concurrent.futures import ThreadPoolExecutor

import matplotlib
import matplotlib.text
import numpy as np
import pandas as pd
import pytest
from matplotlib.backends.backend_svg import RendererSVG
from matplotlib.font_manager import FontProperties
from matplotlib.lines import TICKDOWN, TICKLEFT
from matplotlib.textpath import TextToPath
from matplotlib.transforms import Bbox

from evalkit.report import charts

LONG_TITLE = (
    "Andelen, der er »meget tilfreds« eller »tilfreds« med boligområdet – "
    "Boligselskabet Sct. Jørgen"
)


@pytest.fixture
def drawn(monkeypatch):
    """The figures the charts drew, as they were saved."""
    figures = []
    render = charts._render

    def keep(fig, alt):
        figures.append(fig)
        return render(fig, alt)

    monkeypatch.setattr(charts, "_render", keep)
    return figures


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


@pytest.mark.parametrize("make", TRENDS.values(), ids=TRENDS.keys())
def test_every_label_is_inside_the_image_with_little_room_to_spare(drawn, make):
    make()
    fig = drawn[-1]
    width, height = fig.get_size_inches()
    # Text measured as the SVG writes it (glyph outlines, 72 dots per inch), not as the PNG
    # renderer would.
    fig.set_dpi(72)
    svg = RendererSVG(width * 72, height * 72, io.StringIO())
    inside = fig.get_tightbbox(svg)  # inches: everything drawn
    # bbox_inches="tight" left 0.1 inch (charts.GAP) around everything.
    for room in (inside.x0, inside.y0, width - inside.x1, height - inside.y1):
        assert 0.1 - 0.01 < room < 0.1 + 0.1


@pytest.mark.parametrize("make", TRENDS.values(), ids=TRENDS.keys())
def test_the_same_chart_gives_the_same_bytes(make):
    first, second = make(), make()
    assert first.svg == second.svg and first.svg.startswith(b"<?xml")


def test_the_axes_keep_their_size_whatever_the_labels(drawn):
    sizes = []
    for name in ("short", "long labels at the right end"):
        TRENDS[name]()
        sizes.append(drawn[-1].axes[0].get_window_extent().size / drawn[-1].dpi)
    assert sizes[0] == pytest.approx(sizes[1])
    assert sizes[0] == pytest.approx([charts.AXES_WIDTH, charts.TREND_HEIGHT])


def test_a_chart_is_the_same_whatever_was_drawn_before(monkeypatch):
    # The figure is reused for the next chart (charts._empty): nothing of one chart
    # may reach the next, or a report would depend on the reports made before it.
    first = {}
    for name, make in TRENDS.items():
        monkeypatch.setattr(charts, "_drawing", threading.local())  # no figure made yet
        first[name] = make().svg
    for order in (list(TRENDS), list(reversed(TRENDS))):
        monkeypatch.setattr(charts, "_drawing", threading.local())
        for name in order:
            assert TRENDS[name]().svg == first[name], name


def test_each_thread_draws_on_a_figure_of_its_own():
    here = charts._empty()[0]
    with ThreadPoolExecutor(1) as pool:
        there = pool.submit(lambda: charts._empty()[0]).result()
    assert there is not here and charts._empty()[0] is here


@pytest.mark.parametrize("name", ["short", "against baseline", "farthest from baseline"])
def test_the_ticks_and_their_labels_are_where_matplotlibs_own_axes_put_them(
    drawn, monkeypatch, name
):
    # The charts draw their ticks themselves (charts._ticks). Taken away, and matplotlib's
    # own axes shown with the same ticks and labels instead, every mark and label must be
    # where it was.
    monkeypatch.setattr(charts, "_drawing", threading.local())  # this figure is not reused
    TRENDS[name]()
    fig = drawn[-1]
    ax = fig.axes[0]
    fig.set_dpi(72)
    svg = RendererSVG(*(fig.get_size_inches() * 72), io.StringIO())
    labels = [t for t in ax.texts if type(t) is matplotlib.text.Text]  # not the annotations
    ours = sorted((t.get_text(), *t.get_window_extent(svg).bounds) for t in labels)
    marks = sorted(
        (line for line in ax.lines if line.get_marker() in (TICKLEFT, TICKDOWN)),
        key=lambda mark: mark.get_marker(),
    )  # TICKLEFT (y), then TICKDOWN (x)
    ours_marks = [mark.get_window_extent(svg).bounds for mark in marks]
    for artist in [*labels, *marks]:
        artist.remove()
    for axis, along in ((ax.xaxis, 0), (ax.yaxis, 1)):
        own = [t for t in labels if t.get_ha() == ("center" if along == 0 else "right")]
        axis.set_visible(True)
        axis.set_ticks([t.get_position()[along] for t in own], [t.get_text() for t in own])
    fig.savefig(io.BytesIO(), format="svg")  # matplotlib places its ticks when it draws them
    theirs = sorted(
        (t.get_text(), *t.get_window_extent(svg).bounds)
        for t in [*ax.get_xticklabels(), *ax.get_yticklabels()]
    )
    theirs_marks = [
        Bbox.union([t.tick1line.get_window_extent(svg) for t in axis.get_major_ticks()]).bounds
        for axis in (ax.yaxis, ax.xaxis)
    ]
    assert len(ours) >= 4 and [t[0] for t in ours] == [t[0] for t in theirs]
    places = np.array([t[1:] for t in ours])
    assert places == pytest.approx(np.array([t[1:] for t in theirs]), abs=0.01)
    assert np.array(ours_marks) == pytest.approx(np.array(theirs_marks), abs=0.01)


@pytest.mark.parametrize("make", TRENDS.values(), ids=TRENDS.keys())
def test_no_two_labels_overlap(drawn, make):
    # "short": the baseline year has a point of its own, labelled beside it; the baseline's
    # label must not sit on it.
    make()
    fig = drawn[-1]
    fig.set_dpi(72)
    svg = RendererSVG(*(fig.get_size_inches() * 72), io.StringIO())
    texts = [t for t in fig.findobj(matplotlib.text.Text) if t.get_visible() and t.get_text()]
    boxes = [t.get_window_extent(svg) for t in texts]
    for i, a in enumerate(boxes):
        for j in range(i + 1, len(boxes)):
            assert not a.overlaps(boxes[j]), (texts[i].get_text(), texts[j].get_text())


def test_a_text_is_measured_once_but_always_in_the_font_the_settings_name():
    # Text sizes are kept once per process (charts._measured_once); a setting that names
    # another font for the family must give that font's size, as matplotlib measures it.
    text, prop = "Kærsangerparken 12,5 %", FontProperties(size=10)

    def measured() -> tuple:
        return TextToPath().get_text_width_height_descent(text, prop, False)

    assert charts._text_size(text, prop, False) == measured()
    with matplotlib.rc_context({"font.sans-serif": ["DejaVu Sans Mono"]}):
        mono = charts._text_size(text, prop, False)
        assert mono == measured()
    assert mono != charts._text_size(text, prop, False) == measured()


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
