"""Charts for the reports, as PNG images embedded in the HTML with an alt text.

Figures are made with matplotlib's object API (no pyplot), so nothing is shared between
charts or between reports.
"""

import base64
import io
from dataclasses import dataclass

import matplotlib

matplotlib.use("Agg")
import pandas as pd  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import FuncFormatter, MaxNLocator  # noqa: E402

from evalkit import fmt  # noqa: E402
from evalkit.report import markup  # noqa: E402

BLUE, GREY, DARK = "#1f5f8b", "#6b6b6b", "#222222"
matplotlib.rcParams.update({"font.size": 10, "axes.spines.top": False, "axes.spines.right": False})


@dataclass
class Chart:
    """A rendered chart: PNG bytes and the sentence that says what it shows."""

    png: bytes
    alt: str

    def __repr__(self) -> str:  # the text/plain form in the notebook: no image bytes twice
        return f"[Diagram: {self.alt}]"

    def _repr_html_(self) -> str:
        png = base64.b64encode(self.png).decode("ascii")
        return markup.render("chart.html.j2", png=png, alt=self.alt)


def _render(fig: Figure, alt: str) -> Chart:
    buffer = io.BytesIO()
    # No metadata: the same data gives the same bytes.
    fig.savefig(buffer, format="png", dpi=110, bbox_inches="tight", metadata={"Software": None})
    return Chart(buffer.getvalue(), alt)


def _axis_format(ax, enhed: str, axis: str = "y") -> None:
    formatter = FuncFormatter(lambda v, _: fmt.pct(v, 0) if enhed == "procent" else fmt.number(v))
    target = ax.yaxis if axis == "y" else ax.xaxis
    target.set_major_formatter(formatter)
    target.set_major_locator(MaxNLocator(nbins=6, steps=[1, 2, 5, 10], integer=True))


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
    fig = Figure(figsize=(6.4, 2.8))
    ax = fig.subplots()
    marks = dict(zip(series["aar"], series["maerke"], strict=True)) if "maerke" in series else {}
    notes = dict(zip(series["aar"], series["note"], strict=True)) if "note" in series else {}
    data = series.dropna(subset=["vaerdi"])
    hidden = dict(zip(series["aar"], series.get("skjult", ""), strict=True))
    hidden = {year: text for year, text in hidden.items() if text}
    for x, text in hidden.items():
        ax.annotate(text, (x, 0), textcoords="offset points", xytext=(0, 6),
                    ha="center", color=GREY, fontstyle="italic")  # fmt: skip
    data_years = sorted({*data["aar"], *hidden})
    years = data_years
    has_baseline = baseline is not None and not pd.isna(baseline)
    baseline_label = f"Baseline {baseline_aar}" + (f" ({baseline_note})" if baseline_note else "")
    if has_baseline:
        ax.axhline(baseline, color=GREY, linestyle="--", linewidth=1)
        ax.plot([baseline_aar], [baseline], marker="s", color=GREY, linestyle="none",
                fillstyle="none" if baseline_note else "full")  # fmt: skip
        ax.annotate(
            f"{baseline_label}: {fmt.value(baseline, enhed)}", (baseline_aar, baseline),
            textcoords="offset points", xytext=(6, 6), color=GREY,
        )  # fmt: skip
        years = sorted({*years, baseline_aar})
    ax.plot(data["aar"], data["vaerdi"], color=BLUE, linewidth=2)
    plain = data[[not marks.get(a) for a in data["aar"]]]
    marked = data[[bool(marks.get(a)) for a in data["aar"]]]
    ax.plot(plain["aar"], plain["vaerdi"], marker="o", color=BLUE, linestyle="none")
    ax.plot(marked["aar"], marked["vaerdi"], marker="o", color=BLUE, linestyle="none",
            markerfacecolor="white", markeredgewidth=2)  # fmt: skip
    has_interval = "ki_nedre" in data and data["ki_nedre"].notna().any()
    if has_interval:
        below = (data["vaerdi"] - data["ki_nedre"]).astype(float).clip(lower=0)
        above = (data["ki_oevre"] - data["vaerdi"]).astype(float).clip(lower=0)
        ax.errorbar(data["aar"], data["vaerdi"].astype(float), yerr=[below, above], fmt="none",
                    ecolor=BLUE, elinewidth=1, capsize=4)  # fmt: skip
    for x, y in zip(data["aar"], data["vaerdi"], strict=True):
        ax.annotate(
            fmt.value(y, enhed),
            (x, y),
            textcoords="offset points",
            xytext=(8, 4),
            ha="left",
            color=DARK,
        )
    ax.set_xticks(years or [0], [f"{y}\n{marks[y]}" if marks.get(y) else str(y)
                                 for y in years] or ["0"])  # fmt: skip
    ax.set_xlim(min(years or [0]) - 0.5, max(years or [0]) + 0.5)
    highs = data["ki_oevre"] if has_interval else data["vaerdi"]
    top = max([*highs.dropna(), baseline if has_baseline else 0])
    ax.set_ylim(0, max(1.0, float(top)) * 1.25)
    _axis_format(ax, enhed)
    ax.set_title(title, loc="left", fontsize=10)
    shown = {a: fmt.value(v, enhed) for a, v in zip(data["aar"], data["vaerdi"], strict=True)}
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


def against_baseline(title: str, rows: pd.DataFrame, aar: int, baseline_aar: int) -> Chart:
    """Each afdeling's value as a bar, its baseline as a mark (`rows`: enhed, vaerdi, baseline)."""
    rows = rows.iloc[::-1]
    fig = Figure(figsize=(6.4, 0.32 * len(rows) + 1.0))
    ax = fig.subplots()
    positions = range(len(rows))
    values = rows["vaerdi"].astype(float).fillna(0)
    below = (rows["vaerdi"] - rows["ki_nedre"]).astype(float).fillna(0).clip(lower=0)
    above = (rows["ki_oevre"] - rows["vaerdi"]).astype(float).fillna(0).clip(lower=0)
    ax.barh(positions, values, color=BLUE, height=0.6, label=f"{aar} med 95 %-interval",
            xerr=[below, above],
            error_kw={"ecolor": "#7a9cb8", "elinewidth": 1, "capsize": 2})  # fmt: skip
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
    for y, v, b, hi in zip(positions, rows["vaerdi"], rows["baseline"], rows["ki_oevre"],
                           strict=True):  # fmt: skip
        right = max(0 if pd.isna(x) else x for x in (v, b, hi))
        ax.annotate(
            "ingen data" if pd.isna(v) else fmt.pct(v),
            (right, y),
            textcoords="offset points",
            xytext=(6, -3),
            fontsize=8,
            color=DARK,
        )
    ax.set_yticks(list(positions), list(rows["enhed"]))
    _axis_format(ax, "procent", axis="x")
    ax.legend(loc="upper left", bbox_to_anchor=(0, -0.08 - 0.4 / len(rows)), ncols=2,
              frameon=False, fontsize=8)  # fmt: skip
    ax.set_title(title, loc="left", fontsize=10)
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
