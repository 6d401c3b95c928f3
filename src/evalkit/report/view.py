"""What a report shows, section by section, for the notebooks to display.

The notebooks call these and display the result; every figure and every word about the
agreement comes from evalkit and the agreement files, not from the notebook. Python works out
what a reader sees (Danish numbers, sentences, rows, flags) as plain text; each section's
template in report/templates/sections writes the markup and escapes every value.
"""

from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from pathlib import Path

import pandas as pd

from evalkit import fmt
from evalkit.compute.build import PUBLISHED, Processed, load_processed
from evalkit.compute.indicators import MEMBER_COLUMNS, NOT_TOLD, compared, members
from evalkit.compute.privacy import PRIMARY, VALUE_COLUMNS, publish
from evalkit.domain import (
    BASELINEAAR,
    CLEAR,
    FALDET,
    INGEN_BASELINE,
    INGEN_DATA,
    LEVEL_NAMES,
    SKJULT,
    STATUS_SYMBOLS,
    STATUSES,
    STEGET,
    slug,
)
from evalkit.inputs.agreement import (
    UNKNOWN,
    Agreement,
    Delaftale,
    Indicator,
    Split,
    load_agreement,
)
from evalkit.inputs.year_folder import in_report
from evalkit.paths import Paths, find_data
from evalkit.report import charts, markup

EXAMPLE = "eksempeldata"
# The columns a hidden cell hides (compute.privacy): per flag, the figures it covers. The
# denominators stay published.
HIDDEN_FLAGS = {"skjult": tuple(VALUE_COLUMNS), "baseline_skjult": ("baseline", "baseline_taeller")}
NO_DIRECTION = (STEGET, FALDET)  # the statuses of an indicator without a direction
# A report of more afdelinger than this (a national plan has thousands) shows, instead of a
# bar for each afdeling, the FARTHEST on each side of their baseline, and its table of the
# afdelinger side by side can be searched and sorted. Viborg's 16 are drawn one by one.
MANY_AFDELINGER = 30
FARTHEST = 10


class Html(str):
    """A section rendered by its template: notebooks display it as HTML."""

    def __repr__(self) -> str:  # the text/plain form in the notebook: not the markup twice
        return "[HTML]"

    def _repr_html_(self) -> str:
        return str(self)


def _section(name: str, **values) -> Html:
    """The section's template, templates/sections/<name>.html.j2, filled with `values`."""
    return Html(markup.render(f"sections/{name}.html.j2", **values))


@dataclass(frozen=True)
class StatusLabel:
    """A status as it is shown: its symbol and word, and the class that colours it."""

    css: str
    symbol: str
    word: str


def status_label(status: str, short: bool = False) -> StatusLabel:
    """Status told by a symbol and a word, never by colour alone (`short`: no parenthesis)."""
    word = status.split(" (")[0] if short else status
    return StatusLabel(slug(status), STATUS_SYMBOLS[status], word)


@dataclass(frozen=True)
class Cell:
    """A table cell as a reader sees it: its lines, a note under them each, then a caution."""

    lines: list[str]
    notes: list[str] = field(default_factory=list)
    caution: str = ""


def split_note(split: Split, counted: str) -> str:
    """What a figure with an opdeling counts: "Lovgrundlag: serviceloven og barnets lov;
    aftalens indikator nævner kun serviceloven" (`counted`: compute.indicators.split)."""
    if counted == NOT_TOLD:
        parts = " og/eller ".join(dict.fromkeys([split.aftalens, *(p.navn for p in split.dele)]))
        return f"{split.navn} ikke oplyst ({parts})"
    text = f"{split.navn}: {counted}"
    if counted != split.aftalens:
        text += f"; aftalens indikator nævner kun {split.aftalens}"
    return text


def _days(start: date, end: date) -> str:
    """A period as a reader sees it: 01.08.2025–31.07.2029."""
    return f"{fmt.day(start)}–{fmt.day(end)}"


def status_sentence(
    status: str,
    pair: tuple[float, float, str] | None,
    aar: int,
    baseline_aar: int | None,
    naevner: str,
    why: str = "",
) -> str:
    """The plain sentence beside a status that says why it reads as it does.

    `pair` is what the status compared (compute.indicators.compared): this year's figure, the
    baseline and their scale; None where either is hidden or missing. `why` says why there is
    nothing to compare where the status alone does not (a hidden figure, a baseline for only
    some of the afdelinger). "16,7 % mod 21,5 % i 2023 – faldet er mindre end den statistiske
    usikkerhed": a lower figure marked uændret says why.
    """
    if status == INGEN_DATA:
        return f"Ingen tal for {aar}."
    if status == BASELINEAAR:
        return f"{aar} er baselineåret: tallene her bliver baseline for årene efter."
    if why:
        return why
    if status == INGEN_BASELINE or pair is None:
        return "Der er ingen baseline at sammenligne med."
    now, before, scale = pair
    if scale == "procent":
        figures = f"{fmt.pct(now)} mod {fmt.pct(before)} i {baseline_aar}"
    elif scale == "pr_1000":
        figures = (
            f"{fmt.number(now, 1)} mod {fmt.number(before, 1)} pr. 1.000 {naevner} i {baseline_aar}"
        )
    else:
        figures = f"{fmt.number(now)} mod {fmt.number(before)} i {baseline_aar}"
    if now == before:
        return f"{figures} – ingen ændring."
    change = "faldet" if now < before else "stigningen"
    if status in CLEAR:
        return f"{figures} – {change} er større end usikkerheden."
    return f"{figures} – {change} er mindre end den statistiske usikkerhed."


@dataclass
class Report:
    """One report: the unit (`niveau`, `enhed`), its year, the agreement and the published
    data. The sections every report has once (header, notes, sources, method) are methods
    here; each delaftale's sections are methods of its Part (`delaftaler`)."""

    aar: int
    niveau: str
    enhed: str
    agreement: Agreement
    data: Processed

    @classmethod
    def load(cls, data_dir: str | Path, aar: int, niveau: str, enhed: str) -> "Report":
        """Rapporten for en enhed og et år: r = Report.load(data_dir, aar, niveau, enhed). En
        relativ data_dir søges i arbejdsmappen og mapperne over den (fx "data")."""
        paths = Paths(data=find_data(data_dir))
        agreement = load_agreement(paths.raw)
        # Everything a report shows comes from the published form: small cells hidden, the
        # audit passed (evalkit run writes it). Without it (a notebook opened after a build),
        # the same form is made here.
        try:
            data = load_processed(paths, int(aar), PUBLISHED)
        except FileNotFoundError:
            data = load_processed(paths, int(aar))
            data.indikatorer = publish(data.indikatorer, agreement).table
        return cls(int(aar), niveau, enhed, agreement, data)

    @cached_property
    def delaftaler(self) -> list["Part"]:
        """Rapportens del for hver delaftale, i helhedsplanens rækkefølge (se Part)."""
        return [Part(self, d) for d in self.agreement.delaftaler]

    def hidden(self, reason: str, ind: Indicator | None = None) -> str:
        """How a hidden cell reads: "under 5 husstande" for a small count (what it counts, also
        in a percent column), "skjult" for its complement."""
        if reason != PRIMARY:
            return "skjult"
        noun = f" {ind.taeller_enhed}" if ind is not None and ind.taeller_enhed else ""
        return f"under {self.agreement.settings['diskretion']}{noun}"

    # -- data ---------------------------------------------------------------------------
    def rows(
        self, enhed: str | None = None, niveau: str | None = None, aar: int | None = None
    ) -> pd.DataFrame:
        """Enhedens offentliggjorte tal for året, én række pr. indikator (skjulte tal er tomme,
        og kolonnen skjult siger hvorfor); andre enheder eller år med enhed, niveau og aar."""
        if enhed is niveau is aar is None:
            return self._own_rows.copy(deep=False)  # copy on write: a change stays the caller's
        return self._rows_of(enhed or self.enhed, niveau or self.niveau, aar or self.aar)

    @cached_property
    def _own_rows(self) -> pd.DataFrame:
        """The unit's rows of its year, looked up once: each section asks for them."""
        return self._rows_of(self.enhed, self.niveau, self.aar)

    def _rows_of(self, enhed: str, niveau: str, aar: int) -> pd.DataFrame:
        d = self.data.indikatorer
        return d[(d["enhed"] == enhed) & (d["niveau"] == niveau) & (d["aar"] == aar)].set_index(
            "indikator"
        )

    @property
    def title(self) -> str:
        return f"{self.enhed} – evaluering {self.aar}"

    @property
    def example_years(self) -> list[int]:
        return [y for y, m in self.data.metadata.items() if m.get("eksempeldata")]

    def example_elsewhere(self, year) -> bool:
        """Whether a figure from `year` is example data that the banner does not cover: the
        banner speaks of the report's own year only."""
        return year != self.aar and year in self.example_years

    @cached_property
    def afdelinger(self) -> pd.DataFrame:
        """The afdelinger this report covers (Agreement.members), as rows of afdelinger.csv."""
        a = self.agreement.afdelinger
        return a[a["afdeling"].isin(self.agreement.members(self.niveau, self.enhed))]

    def shown(self, r: pd.Series | dict, ind: Indicator) -> str:
        """A published value as a reader sees it, hidden or not."""
        if r["skjult"]:
            return self.hidden(r["skjult"], ind)
        return fmt.value(r["vaerdi"], ind.enhed)

    # -- sections once per report ---------------------------------------------------------
    def header(self) -> Html:
        """Rapportens titel, enheden og helhedsplanens delaftaler; et banner ved eksempeldata."""
        facts = []
        if self.niveau == "afdeling":
            row = self.afdelinger.iloc[0]
            facts += [
                f"Boligselskab: {row['boligselskab']}",
                f"Afdelingsnummer: {row['afdelingsnummer']}",
            ]
            if row["boligtype"] != UNKNOWN:  # an unknown type is said once, in the sources
                facts.append(f"Boligtype: {row['boligtype']}")
        else:
            facts.append(f"Afdelinger: {len(self.afdelinger)}")
        return _section(
            "header",
            example=self.aar in self.example_years,
            aar=self.aar,
            title=self.title,
            level=LEVEL_NAMES[self.niveau],
            enhed=self.enhed,
            facts=facts,
            helhedsplan=self.agreement.helhedsplan,
            delaftaler=[d.navn for d in self.agreement.delaftaler],
        )

    def heading(self, text: str) -> Html:
        """En overskrift i rapporten (under afsnittets egen), fx r.heading("Tryghed")."""
        return _section("heading", text=text)

    def table(self, frame: pd.DataFrame, caption: str = "", decimals: int = 1) -> Html:
        """Vis en DataFrame som en tabel med danske tal: 1.234 og 12,5 (`decimals`
        decimaler for tal med komma), manglende tal som »–«.

        Skjulte tal forbliver skjulte: har en række en kolonne `skjult` (som i
        r.data.indikatorer, de offentliggjorte tal), vises dens tal som »under 5« eller
        »skjult«, og `baseline_skjult` gør det samme for baseline-kolonnerne. Byg derfor
        tabeller af r.data, aldrig af filerne i data/raw."""
        shown = frame.drop(columns=[c for c in HIDDEN_FLAGS if c in frame])
        rows = []
        for i, (_, r) in enumerate(shown.iterrows()):
            reasons = {flag: frame[flag].iloc[i] for flag in HIDDEN_FLAGS if flag in frame}
            rows.append([self._table_cell(column, value, reasons, decimals)
                         for column, value in r.items()])  # fmt: skip
        return _section("table", columns=[str(c) for c in shown.columns], rows=rows,
                        caption=caption)  # fmt: skip

    def _table_cell(self, column, value, reasons: dict, decimals: int) -> str:
        for flag, columns in HIDDEN_FLAGS.items():
            if reasons.get(flag) and column in columns:
                return self.hidden(reasons[flag])
        if isinstance(value, bool) or not pd.api.types.is_number(value):
            return fmt.MISSING if value is None or value is pd.NA else str(value)
        if pd.isna(value):
            return fmt.MISSING
        whole = float(value).is_integer()
        return fmt.number(value, 0 if whole else decimals)

    def notes(self) -> Html:
        """Afdelingens noter (data/raw/<år>/noter/<afdeling>.md), vist som Markdown:
        overskrifter, fed, lister, tabeller og links. HTML i en note vises som tekst og køres
        aldrig."""
        text = self.data.metadata[self.aar].get("noter", {}).get(self.enhed)
        return _section("notes", html=markup.note_html(text) if text and text.strip() else "")

    def _own_file(self, name: str) -> bool:
        """Whether an input file belongs in this report's sources (a note only in its own
        afdeling's report: year_folder.in_report)."""
        return in_report(name, self.niveau, self.enhed, self.agreement.afdeling_index())

    def sources(self) -> Html:
        """Datakilderne: hver indikators kilde og årets inddatafiler."""
        years = [
            {
                "aar": y,
                "files": ", ".join(f["fil"] for f in m["filer"]
                                   if f["fil"].startswith(f"{y}/") and self._own_file(f["fil"])),
                "eksempeldata": bool(m.get("eksempeldata")),
                "beskrivelse": m.get("beskrivelse", ""),
            }
            for y, m in sorted(self.data.metadata.items())
        ]  # fmt: skip
        unknown = int((self.afdelinger["boligtype"] == UNKNOWN).sum())
        boligtype = ""
        if unknown:
            boligtype = UNKNOWN + (
                ""
                if self.niveau == "afdeling"
                else f" for {unknown} af {len(self.afdelinger)} afdelinger"
            )
        return _section(
            "sources", indicators=self.agreement.indicators, years=years, boligtype=boligtype
        )

    def method(self) -> Html:
        """Bilaget »sådan læses rapporten«: status, usikkerhed, samlede tal og små tal."""
        settings = self.agreement.settings
        indicators = self.agreement.indicators
        sensitive = [i for i in indicators if i.foelsom]
        exposures = [i.exposure.navn for i in indicators if i.exposure and i.exposure.navn]
        return _section(
            "metode",
            symbol=STATUS_SYMBOLS,
            examples=bool(self.example_years),
            undirected=[i for i in indicators if i.retning == "ingen"],
            hidden_labels=list(dict.fromkeys(self.hidden(PRIMARY, i) for i in sensitive)),
            sensitive=sensitive,
            diskretion=settings["diskretion"],
            lille_naevner=settings["lille_naevner"],
            exposures=exposures,
            counts=[i for i in indicators if i.type == "antal"],
            rates=[i.pr_1000.navn for i in indicators if i.pr_1000 and i.pr_1000.navn],
        )


@dataclass
class Part:
    """One delaftale's sections in a report: its heading, delmål and status, the afdelinger
    side by side, the development over the years, its activities and municipal goals."""

    report: Report
    delaftale: Delaftale

    @property
    def indicators(self) -> list[Indicator]:
        return self.delaftale.indicators

    def heading(self) -> Html:
        """Delaftalens navn, periode og evaluering; et banner, hvis den er et eksempel."""
        d = self.delaftale
        return _section(
            "delaftale",
            navn=d.navn,
            eksempel=d.eksempel,
            periode=_days(d.periode_fra, d.periode_til),
            evaluering=d.evaluering,
        )

    def comparison(self, indicator: Indicator) -> Cell:
        """The agreement's comparison values; where the indicator has `sammenlign_efter` (a
        column of afdelinger.csv), those of the unit's group in that column.

        Where the group is unknown (or mixed), every group's value is shown, and where it is
        unknown the report says so.
        """
        s = self.report.agreement.sammenligning
        s = s[s["indikator"] == indicator.id]
        if s.empty:
            return Cell([fmt.MISSING])
        notes = []
        column = indicator.sammenlign_efter
        if column:
            groups = set(self.report.afdelinger[column])
            if len(groups) == 1 and groups <= set(s["gruppe"]):
                s = s[s["gruppe"].isin(groups)]
            elif UNKNOWN in groups:
                notes.append(f"{column.capitalize()} er {UNKNOWN}; alle grupper vises.")
        lines = [
            f"{g}: {fmt.value(v, indicator.enhed)} ({a})"
            for g, v, a in zip(s["gruppe"], s["vaerdi"], s["aar"], strict=True)
        ]
        return Cell(lines, notes)

    def status_table(self) -> Html:
        """Delmålene med årets tal, baseline, sammenligning og status."""
        r = self.report
        rows = r.rows()
        body = []
        for ind in self.indicators:
            row = rows.loc[ind.id]
            body.append({
                "goal": Cell([f"{ind.delmaal_nr}. {ind.delmaal}"], [f"Indikator: {ind.navn}"]),
                "cells": [self._value_cell(ind, row), self._baseline_cell(ind, row),
                          self.comparison(ind)],
                "status": status_label(row["status"]),
                "why": self.explain(ind, row),
            })  # fmt: skip
        return _section(
            "status_table",
            columns=["Delmål og indikator", r.aar, "Baseline", "Sammenligning", "Status"],
            rows=body,
            privacy=self.privacy_rule(),
            **self._legend(),
        )

    def legend(self) -> Html:
        """Forklaringen på statussymbolerne."""
        return _section("legend", **self._legend())

    def _legend(self) -> dict:
        undirected = [i for i in self.indicators if i.retning == "ingen"]
        return {
            "judged": [status_label(s) for s in STATUSES if s not in NO_DIRECTION],
            "undirected": " og ".join(str(i.delmaal_nr) for i in undirected),
            "no_direction": [status_label(s) for s in NO_DIRECTION],
        }

    def explain(self, ind: Indicator, r: pd.Series) -> str:
        """The sentence beside the status (status_sentence) for one row of the published data."""
        aar = self.report.aar
        why = ""
        hidden = f"Tallet for {aar}" if r["skjult"] else "Baseline"
        if (r["skjult"] or r["baseline_skjult"]) and r["status"] == SKJULT:
            why = f"{hidden} er skjult af hensyn til diskretion; ændringen vises ikke."
        elif (r["skjult"] or r["baseline_skjult"]) and r["status"] != INGEN_BASELINE:
            why = (
                f"{hidden} er skjult af hensyn til diskretion; status er den samme, uanset "
                "hvilket tal det skjulte er."
            )
        elif r["status"] == INGEN_BASELINE and 0 < _int(r["baseline_afdelinger"]) < _int(
            r["afdelinger_med_data"]
        ):
            why = (
                f"Kun {_int(r['baseline_afdelinger'])} af de {_int(r['afdelinger_med_data'])} "
                f"afdelinger med tal for {aar} har en baseline, så der sammenlignes ikke."
            )
        pair = compared(ind.enhed, r["taeller"], r["naevner"], r["baseline"],
                        r["baseline_taeller"], r["baseline_naevner"])  # fmt: skip
        exposure = ind.exposure.navn if ind.exposure else ""
        return status_sentence(r["status"], pair, aar, ind.baseline_aar, exposure, why)

    def privacy_rule(self) -> str:
        """Linjen om, hvilke tal der er skjult og hvorfor ("" hvor ingen er følsomme)."""
        sensitive = [i for i in self.indicators if i.foelsom]
        if not sensitive:
            return ""
        limit = self.report.agreement.settings["diskretion"]
        names = " og ".join(i.navn.lower() for i in sensitive)
        labels = dict.fromkeys(f"»{self.report.hidden(PRIMARY, i)}«" for i in sensitive)
        return (
            f"Diskretion: små tal (1–{limit - 1}) for {names} vises som {' og '.join(labels)}, "
            "og tal, de kan regnes ud fra, som »skjult«, så ingen kan genkendes."
        )

    def _value_cell(self, ind: Indicator, r: pd.Series) -> Cell:
        report = self.report
        notes = []
        exposure = ind.exposure.navn if ind.exposure else ""
        if not pd.isna(r["vaerdi"]):
            if ind.enhed == "procent":
                notes.append(f"{fmt.number(r['taeller'])} af {fmt.number(r['naevner'])} {exposure}")
                notes.append(f"95 %-interval: {fmt.pct(r['ki_nedre'])}–{fmt.pct(r['ki_oevre'])}")
            elif not pd.isna(r["pr_1000"]):
                notes.append(f"{fmt.number(r['pr_1000'], 1)} pr. 1.000 {exposure}")
        if ind.opdeling and r["opdeling"] and (not pd.isna(r["vaerdi"]) or r["skjult"]):
            notes.append(split_note(ind.opdeling, r["opdeling"]))  # hidden or not
        if report.niveau != "afdeling":
            notes.append(f"{r['afdelinger_med_data']} af {r['afdelinger_i_alt']} afdelinger")
        caution = ""
        if r["lille_naevner"] and not pd.isna(r["vaerdi"]):
            small = report.agreement.settings["lille_naevner"]
            caution = f"⚠ Under {small} {exposure}: tallet svinger meget af tilfældigheder"
        return Cell([report.shown(r, ind)], notes, caution)

    def _baseline_cell(self, ind: Indicator, r: pd.Series) -> Cell:
        report = self.report
        if ind.baseline_aar and report.aar == ind.baseline_aar:
            return Cell(["baselineår"])  # the sentence beside the status says what that means
        notes = []
        if r["baseline_skjult"] or not pd.isna(r["baseline"]):
            shown = (
                report.hidden(r["baseline_skjult"], ind)
                if r["baseline_skjult"]
                else fmt.value(r["baseline"], ind.enhed)
            )
            text = f"{shown} ({ind.baseline_aar})"
            if r["baseline_kilde"] == "delaftalen":
                notes.append("fra delaftalen")
            else:
                notes.append(f"fra data for {ind.baseline_aar}")
                if report.example_elsewhere(ind.baseline_aar):
                    notes.append(f"{EXAMPLE}, ikke faktiske tal")
            if report.niveau != "afdeling":
                # The same afdelinger as this year's figure (indicators.baselines).
                notes.append(f"{r['baseline_afdelinger']} af {r['afdelinger_i_alt']} afdelinger")
        elif ind.baseline_aar and report.aar < ind.baseline_aar and ind.enhed == "antal":
            text = f"{ind.baseline_aar} er baselineåret: tallene herfra bliver baseline"
        elif report.niveau != "afdeling" and 0 < _int(r["baseline_afdelinger"]) < _int(
            r["afdelinger_med_data"]
        ):
            text = "ingen baseline"
            notes.append(
                f"kun {r['baseline_afdelinger']} af de {r['afdelinger_med_data']} afdelinger "
                "med tal har en"
            )
        elif ind.baseline_tekst:
            text = f"ikke kendt endnu: {ind.baseline_tekst}"
        else:
            text = f"ingen baseline for {report.enhed}"
        return Cell([text], notes)

    def trends(self) -> list[charts.Chart | Html]:
        """Et diagram pr. indikator over årene (eller en sætning, hvor alle tal er skjulte)."""
        # A point of an aggregate that sums other afdelinger than the latest year's, and a point
        # or baseline from example data other than the report's own year, is marked as such in
        # the chart and its alt text (docs/metode.md: Udvikling over årene).
        report = self.report
        d = report.data.indikatorer
        # The unit's rows of every indicator and year, and what each sums, taken once: per
        # indicator, each pandas operation on a few rows cost more than its work.
        ours = d["indikator"].isin([ind.id for ind in self.indicators])
        own = d[ours & (d["enhed"] == report.enhed) & (d["niveau"] == report.niveau)]
        own = own.sort_values("aar", kind="stable")
        covered = pd.Series([()] * len(own), index=own.index, dtype=object)
        if report.niveau != "afdeling":
            # The afdeling rows of every year say which afdelinger each year's figure sums.
            afdelinger = d[
                ours & d["enhed"].isin(report.afdelinger["afdeling"]) & (d["niveau"] == "afdeling")
            ]
            rows = pd.concat([afdelinger, own])[MEMBER_COLUMNS]
            covered = members(rows, report.agreement.afdelinger)[own.index]
        current = report.rows()
        result = []
        for ind in self.indicators:
            series = own[own["indikator"] == ind.id]
            if series["vaerdi"].isna().all() and not (series["skjult"] != "").any():
                continue
            labels = series["skjult"].map(
                lambda reason, i=ind: report.hidden(reason, i) if reason else ""
            )
            title = f"{ind.navn} – {report.enhed}"
            if series["vaerdi"].isna().all():
                # No point to draw: a sentence, not an empty axis.
                told = "; ".join(
                    f"{a}: {t}" for a, t in zip(series["aar"], labels, strict=True) if t
                )
                result.append(_section("trend_hidden", title=title, told=told))
                continue
            marks, notes, caption = self._point_notes(series, covered[series.index])
            row = current.loc[ind.id]
            baseline_note = EXAMPLE if (
                row["baseline_kilde"].startswith("data")
                and report.example_elsewhere(ind.baseline_aar)
            ) else ""  # fmt: skip
            result.append(
                charts.trend(
                    title,
                    series[["aar", "vaerdi", "ki_nedre", "ki_oevre"]].assign(
                        skjult=labels.to_numpy(), maerke=marks, note=notes
                    ),
                    ind.enhed,
                    row["baseline"],
                    ind.baseline_aar,
                    baseline_note=baseline_note,
                    caption=caption,
                )
            )
        return result

    def _point_notes(self, series: pd.DataFrame, covered: pd.Series):
        """Per point of a trend (`series`; `covered`: the afdelinger each point sums): a short
        mark under its year and a note for the alt text, and a sentence that says what "andre
        afdelinger" means (empty where no point has it)."""
        report = self.report
        latest = [(a, m) for a, m in zip(series["aar"], covered, strict=True) if m]
        last_year, last = latest[-1] if latest else (None, ())
        marks, notes = [], []
        for aar, have in zip(series["aar"], covered, strict=True):
            mark = [EXAMPLE] if report.example_elsewhere(aar) else []
            note = list(mark)
            if have and have != last:
                mark.append("andre afdelinger")
                note.append(f"bygger på {len(have)} af {len(report.afdelinger)} afdelinger, "
                            f"ikke de samme som {last_year}")  # fmt: skip
            marks.append("\n".join(mark))
            notes.append("; ".join(note))
        caption = ""
        if any("andre afdelinger" in m for m in marks):
            caption = (
                f"Punkter markeret »andre afdelinger« bygger på andre afdelinger end {last_year} "
                f"({len(last)} af {len(report.afdelinger)}) og kan ikke sammenlignes direkte."
            )
        return marks, notes, caption

    def no_trend_note(self) -> Html:
        """Hvilke indikatorer der ikke har tal i år."""
        rows = self.report.rows()
        missing = [i.navn for i in self.indicators
                   if rows.loc[i.id, "status"] == INGEN_DATA]  # fmt: skip
        return _section("no_trend", aar=self.report.aar, missing="; ".join(missing))

    def afdelinger_table(self) -> Html:
        """Afdelingerne side om side: hver indikators tal og status; med flere end
        MANY_AFDELINGER afdelinger med søgning og sortering."""
        report = self.report
        d = report.data.indikatorer
        d = d[(d["niveau"] == "afdeling") & (d["aar"] == report.aar)]
        # The year's figures looked up by afdeling and indicator, not searched for in the
        # whole table once per afdeling: a national plan has thousands.
        figures = d.set_index(["enhed", "indikator"])[["vaerdi", "skjult", "status"]]
        figures = figures.to_dict("index")
        body = []
        for name in report.afdelinger["afdeling"]:
            cells = [(report.shown(figures[name, i.id], i),
                      status_label(figures[name, i.id]["status"], short=True))
                     for i in self.indicators]  # fmt: skip
            body.append({"afdeling": name, "cells": cells})
        columns = ["Afdeling"] + [f"{i.delmaal_nr}. {i.kort_navn}" for i in self.indicators]
        many = len(report.afdelinger) > MANY_AFDELINGER
        tools = f"afdelinger-{slug(self.delaftale.navn)}" if many else ""
        return _section("afdelinger_table", columns=columns, rows=body, tools=tools)

    def afdeling_charts(self) -> list[charts.Chart | Html]:
        """Diagrammer med hver afdeling mod dens baseline, hvor delaftalen beder om det; med
        flere end MANY_AFDELINGER afdelinger de afdelinger, der ligger længst fra den."""
        # `afdelingsdiagram`: shares only, never a sensitive count (inputs.agreement checks).
        report = self.report
        d = report.data.indikatorer
        result = []
        for ind in self.indicators:
            if not ind.afdelingsdiagram:
                continue
            rows = d[
                (d["aar"] == report.aar)
                & (d["niveau"] == "afdeling")
                & (d["indikator"] == ind.id)
                & d["enhed"].isin(report.afdelinger["afdeling"])
            ]
            title = f"{ind.kort_navn} {report.aar} mod baseline {ind.baseline_aar}"
            figures = rows[["enhed", "vaerdi", "ki_nedre", "ki_oevre", "baseline"]]
            if len(report.afdelinger) <= MANY_AFDELINGER:
                result.append(charts.against_baseline(title, figures, report.aar,
                                                      ind.baseline_aar))  # fmt: skip
                continue
            # A figure or a baseline hidden for privacy is never ranked (charts.farthest).
            hidden = rows["skjult"].where(rows["skjult"] != "", rows["baseline_skjult"])
            figures = figures.assign(skjult=hidden)
            title = (f"{ind.kort_navn} {report.aar}: længst fra baseline {ind.baseline_aar} "
                     "(procentpoint)")  # fmt: skip
            if not any(len(side) for side in charts.farthest(figures, FARTHEST)):
                result.append(_section("no_ranking", title=title, aar=report.aar))
                continue
            result.append(
                charts.farthest_from_baseline(
                    title, figures, report.aar, ind.baseline_aar, FARTHEST,
                    caption="Hver afdelings tal står i tabellen med afdelingerne side om side.",
                )
            )  # fmt: skip
        return result

    def activities(self) -> Html:
        """Aktiviteternes timer og deltagere mod planen (enhedens andel af den)."""
        report = self.report
        act = report.data.aktiviteter
        act = act[
            (act["aar"] == report.aar)
            & (act["delaftale"] == self.delaftale.navn)
            & (act["niveau"] == report.niveau)
            & (act["enhed"] == report.enhed)
        ]
        if not self.delaftale.activities:
            return _section("activities", rows=[], empty="Delaftalen har ingen aktiviteter.")
        if act.empty:
            empty = f"Ingen registrerede aktivitetstimer for {report.enhed} i {report.aar}."
            return _section("activities", rows=[], empty=empty)
        meta = report.data.metadata[report.aar]
        plan = meta.get("planer", {}).get(self.delaftale.navn)
        data_span = _days(pd.Timestamp(meta["periode_fra"]), pd.Timestamp(meta["periode_til"]))
        period = plan and _days(pd.Timestamp(plan["fra"]), pd.Timestamp(plan["til"]))
        # Hours over a longer period than the plan's (2025: the whole year against the
        # agreement's five months) are not a share of that plan.
        comparable = period == data_span
        body = []
        for _, r in act.iterrows():
            planned = r["planlagte_timer"]
            used = None if pd.isna(planned) or not planned else 100 * r["timer"] / planned
            figures = [
                fmt.number(r["timer"], 1),
                fmt.number(r["deltagere"]),
                fmt.number(planned, 1) if period else "ingen plan",
                fmt.pct(used) if comparable else fmt.MISSING,
            ]
            body.append((r["aktivitet"], figures))
        columns = ["Aktivitet", "Timer", "Deltagere", "Planlagte timer", "Brugt af plan"]
        note = self._plan_note(period, data_span, act["andel_lejemaal"].iloc[0])
        return _section("activities", columns=columns, rows=body, note=note)

    def _plan_note(self, period: str | None, data_span: str, share: float | None) -> str:
        """What the plan under the activities is, and why a share of it is not computed."""
        report, d = self.report, self.delaftale
        if not period:
            return (
                f"Tallene for {report.aar} ({data_span}) ligger uden for delaftalens periode "
                f"({_days(d.periode_fra, d.periode_til)}), så der er ingen plan at måle "
                "timerne mod."
            )
        plan = ", ".join(f"{x.navn} {fmt.number(x.timer_pr_uge)}" for x in d.activities)
        note = f"Planen er delaftalens timer pr. uge ({plan}) gange ugerne i perioden {period}."
        if period != data_span:
            note += (
                f" Timerne dækker {data_span}, planen kun den del, der ligger i delaftalens "
                "periode; derfor regnes ikke, hvor meget af planen der er brugt."
            )
        if report.niveau == "samlet":
            return note
        if pd.isna(share):
            return note + " Andelen af lejemål kendes ikke i år, så enhedens del af planen mangler."
        return note + (
            " Aftalen fordeler ressourcerne efter områdernes andel af helhedsplanen; her "
            f"er {report.enhed}s andel af lejemålene brugt: {fmt.pct(share)}."
        )

    def municipal_goals(self) -> Html:
        """De kommunale målsætninger, delaftalen understøtter, med resultat hvor det findes."""
        meta = self.report.data.metadata[self.report.aar]
        results = meta.get("kommunale_maal", {}).get(self.delaftale.navn, {})
        goals = [(goal, results.get(str(nr)))
                 for nr, goal in enumerate(self.delaftale.kommunale_maal, start=1)]  # fmt: skip
        return _section("municipal_goals", goals=goals)


def _int(x) -> int:
    return 0 if x is None or pd.isna(x) else int(x)
