"""What a report shows, section by section, as HTML fragments for the notebooks.

The notebooks call these and display the result; every figure and every word about the
agreement comes from evalkit and the agreement files, not from the notebook.
"""

from dataclasses import dataclass
from html import escape
from pathlib import Path

import pandas as pd

from evalkit import charts, fmt
from evalkit.agreement import UNKNOWN, Agreement, Indicator, load_agreement
from evalkit.build import PUBLISHED, Processed, load_processed
from evalkit.config import Paths
from evalkit.indicators import INGEN_DATA
from evalkit.names import slug
from evalkit.privacy import PRIMARY, publish

EXAMPLE_BANNER = "Eksempeldata – ikke faktiske tal"


class Html(str):
    """An HTML fragment that notebooks display as HTML."""

    def __repr__(self) -> str:  # the text/plain form in the notebook: not the markup twice
        return "[HTML]"

    def _repr_html_(self) -> str:
        return str(self)


def status_label(status: str, short: bool = False) -> str:
    """Status told by a symbol and a word, never by colour alone (`short`: no parenthesis)."""
    word = status.split(" (")[0] if short else status
    css = slug(status)
    return f'<span class="status status-{css}">{fmt.STATUS_SYMBOLS[status]} {escape(word)}</span>'


def table(header: list[str], rows: list[list[str]], numeric: set[int] = frozenset()) -> str:
    """An HTML table; cells are HTML already (escape text before)."""
    head = "".join(f'<th scope="col">{h}</th>' for h in header)
    body = "".join(
        "<tr>"
        + "".join(
            f'<th scope="row">{c}</th>'
            if i == 0
            else f'<td class="{"num" if i in numeric else ""}">{c}</td>'
            for i, c in enumerate(row)
        )
        + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _laws_note(love: str) -> str:
    """Which laws a foranstaltning figure counts: the agreement's indicator names serviceloven;
    since 1.1.2024 measures for children and young people fall under barnets lov."""
    if love == "ikke oplyst":
        return "Lovgrundlag ikke oplyst (serviceloven og/eller barnets lov)"
    text = f"Tæller foranstaltninger efter {escape(love)}"
    if "barnets lov" in love:
        text += "; aftalens indikator nævner kun serviceloven"
    return text


@dataclass
class Report:
    aar: int
    niveau: str
    enhed: str
    agreement: Agreement
    data: Processed

    @classmethod
    def load(cls, data_dir: str | Path, aar: int, niveau: str, enhed: str) -> "Report":
        paths = Paths(data=Path(data_dir))
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

    def hidden(self, reason: str) -> str:
        """How a hidden cell reads: "under 5" for a small count, "skjult" for its complement."""
        return f"under {self.agreement.settings['diskretion']}" if reason == PRIMARY else "skjult"

    # -- data ---------------------------------------------------------------------------
    def rows(
        self, enhed: str | None = None, niveau: str | None = None, aar: int | None = None
    ) -> pd.DataFrame:
        d = self.data.indikatorer
        return d[
            (d["enhed"] == (enhed or self.enhed))
            & (d["niveau"] == (niveau or self.niveau))
            & (d["aar"] == (aar or self.aar))
        ].set_index("indikator")

    @property
    def title(self) -> str:
        return f"{self.enhed} – evaluering {self.aar}"

    @property
    def example_years(self) -> list[int]:
        return [y for y, m in self.data.metadata.items() if m.get("eksempeldata")]

    @property
    def afdelinger(self) -> pd.DataFrame:
        a = self.agreement.afdelinger
        if self.niveau == "boligselskab":
            return a[a["boligselskab"] == self.enhed]
        if self.niveau == "samlet":
            return a
        return a[a["afdeling"] == self.enhed]

    def comparison(self, indicator: Indicator) -> str:
        """The agreement's comparison values; for move-outs those of the unit's dwelling type.

        Where the type is unknown (or mixed), every type's value is shown, and the report says so.
        """
        s = self.agreement.sammenligning
        s = s[s["indikator"] == indicator.id]
        if s.empty:
            return fmt.MISSING
        note = ""
        if indicator.id == "fraflytning":
            types = set(self.afdelinger["boligtype"])
            if len(types) == 1 and types <= set(s["gruppe"]):
                s = s[s["gruppe"].isin(types)]
            elif UNKNOWN in types:
                note = '<br><span class="note">Boligtypen er ukendt; alle typer vises.</span>'
        text = "<br>".join(
            f"{escape(g)}: {fmt.pct(v)} ({a})"
            for g, v, a in zip(s["gruppe"], s["vaerdi"], s["aar"], strict=True)
        )
        return text + note

    # -- sections -----------------------------------------------------------------------
    def header(self) -> Html:
        a = self.agreement
        parts = []
        if self.example_years:
            years = ", ".join(str(y) for y in self.example_years)
            parts.append(
                f'<div class="banner" role="alert"><strong>{EXAMPLE_BANNER}</strong> '
                f"(gælder {years}). "
                "Tallene er opdigtede og viser kun, hvordan rapporten virker.</div>"
            )
        parts.append(f"<h1>{escape(self.title)}</h1>")
        facts = [f"{fmt.LEVEL_NAMES[self.niveau]}: <strong>{escape(self.enhed)}</strong>"]
        if self.niveau == "afdeling":
            row = self.afdelinger.iloc[0]
            facts += [
                f"Boligselskab: {escape(row['boligselskab'])}",
                f"Afdelingsnummer: {escape(row['afdelingsnummer'])}",
                f"Boligtype: {escape(row['boligtype'])}",
            ]
        else:
            facts.append(f"Afdelinger: {len(self.afdelinger)}")
        parts.append(f'<p class="facts">{" · ".join(facts)}</p>')
        parts.append(
            f"<p>Delaftalen <em>{escape(a.navn)}</em>, "
            f"{fmt.day(a.periode_fra)}–{fmt.day(a.periode_til)}. "
            f"{escape(a.evaluering)}</p>"
        )
        return Html("".join(parts))

    def status_table(self) -> Html:
        rows = self.rows()
        body = []
        for ind in self.agreement.indicators:
            r = rows.loc[ind.id]
            goal = (
                f"{ind.delmaal_nr}. {escape(ind.delmaal)}"
                f'<br><span class="note">Indikator: {escape(ind.navn)}</span>'
            )
            body.append(
                [goal, self._value_cell(ind, r), self._baseline_cell(ind, r),
                 self.comparison(ind), status_label(r["status"])]
            )  # fmt: skip
        header = ["Delmål og indikator", str(self.aar), "Baseline", "Sammenligning", "Status"]
        legend = " ".join(status_label(s) for s in fmt.STATUS_SYMBOLS)
        return Html(
            table(header, body)
            + f'<p class="note">{legend}.</p>'
            + f'<p class="note">{self.privacy_rule()}</p>'
            + '<p class="note">Status er <em>forbedret</em> eller <em>forværret</em> kun, når '
            "ændringen fra baseline er større end den statistiske usikkerhed (95 %); ellers er "
            "den <em>uændret (inden for usikkerheden)</em>. Intervallet under hvert tal er et "
            "95 %-konfidensinterval. Delaftalens baselines er procenter uden antal; deres "
            "usikkerhed er vurderet med årets antal. Se metoden i docs/metode.md.</p>"
        )

    def privacy_rule(self) -> str:
        """The one line that says which numbers are hidden, and why."""
        sensitive = [i.navn.lower() for i in self.agreement.indicators
                     if i.id in self.agreement.settings["foelsomme_indikatorer"]]  # fmt: skip
        limit = self.agreement.settings["diskretion"]
        return (
            f"Diskretion: små tal (1–{limit - 1}) for {' og '.join(sensitive)} vises som "
            f"»{self.hidden(PRIMARY)}«, og tal, de kan regnes ud fra, som »skjult«, så ingen "
            "husstand kan genkendes."
        )

    def _shown(self, r: pd.Series, ind: Indicator) -> str:
        return self.hidden(r["skjult"]) if r["skjult"] else fmt.value(r["vaerdi"], ind.enhed)

    def _value_cell(self, ind: Indicator, r: pd.Series) -> str:
        cell = self._shown(r, ind)
        notes = []
        if not pd.isna(r["vaerdi"]):
            if ind.enhed == "procent":
                notes.append(
                    f"{fmt.number(r['taeller'])} af {fmt.number(r['naevner'])} "
                    f"{escape(ind.naevner)}"
                )
                notes.append(f"95 %-interval: {fmt.pct(r['ki_nedre'])}–{fmt.pct(r['ki_oevre'])}")
            elif not pd.isna(r["pr_1000"]):
                notes.append(f"{fmt.number(r['pr_1000'], 1)} pr. 1.000 {escape(ind.naevner)}")
            if r.get("love"):
                notes.append(_laws_note(r["love"]))
        if self.niveau != "afdeling":
            notes.append(f"{r['afdelinger_med_data']} af {r['afdelinger_i_alt']} afdelinger")
        cell += "".join(f'<br><span class="note">{n}</span>' for n in notes)
        if r["lille_naevner"] and not pd.isna(r["vaerdi"]):
            small = self.agreement.settings["lille_naevner"]
            cell += (
                f'<br><span class="caution">⚠ Under {small} {escape(ind.naevner)}: '
                "tallet svinger meget af tilfældigheder</span>"
            )
        return cell

    def _baseline_cell(self, ind: Indicator, r: pd.Series) -> str:
        if r["baseline_skjult"]:
            return f"{self.hidden(r['baseline_skjult'])} ({ind.baseline_aar})"
        if not pd.isna(r["baseline"]):
            source = "delaftalen" if r["baseline_kilde"] == "delaftalen" else "årets data"
            return (
                f"{fmt.value(r['baseline'], ind.enhed)} ({ind.baseline_aar})"
                f'<br><span class="note">fra {source}</span>'
            )
        if ind.baseline_aar and self.aar <= ind.baseline_aar and ind.enhed == "antal":
            return f"{ind.baseline_aar} er baselineåret: tallene herfra bliver baseline"
        if ind.baseline_tekst:
            return f"ikke kendt endnu: {escape(ind.baseline_tekst)}"
        return f"ingen baseline for {escape(self.enhed)}"

    def trends(self) -> list[charts.Chart]:
        d = self.data.indikatorer
        mine = d[(d["enhed"] == self.enhed) & (d["niveau"] == self.niveau)]
        result = []
        for ind in self.agreement.indicators:
            series = mine[mine["indikator"] == ind.id].sort_values("aar")
            if series["vaerdi"].isna().all() and not (series["skjult"] != "").any():
                continue
            labels = series["skjult"].map(lambda reason: self.hidden(reason) if reason else "")
            current = self.rows().loc[ind.id]
            result.append(
                charts.trend(
                    f"{ind.navn} – {self.enhed}",
                    series[["aar", "vaerdi", "ki_nedre", "ki_oevre"]].assign(skjult=labels),
                    ind.enhed,
                    current["baseline"],
                    ind.baseline_aar,
                )
            )
        return result

    def no_trend_note(self) -> Html:
        missing = [
            ind.navn
            for ind in self.agreement.indicators
            if self.rows().loc[ind.id, "status"] == INGEN_DATA
        ]
        if not missing:
            return Html("")
        return Html(
            f'<p class="note">Ingen data i {self.aar} for: {escape("; ".join(missing))}.</p>'
        )

    def afdelinger_table(self) -> Html:
        """The afdelinger side by side: each indicator's value and status."""
        header = ["Afdeling"] + [
            f"{i.delmaal_nr}. {escape(i.kort_navn)}" for i in self.agreement.indicators
        ]
        body = []
        for name in self.afdelinger["afdeling"]:
            r = self.rows(enhed=name, niveau="afdeling")
            body.append(
                [escape(name)]
                + [
                    f"{self._shown(r.loc[i.id], i)}<br>{status_label(r.loc[i.id, 'status'], True)}"
                    for i in self.agreement.indicators
                ]
            )
        return Html(table(header, body, numeric=set(range(1, 5))))

    def moveouts_chart(self) -> charts.Chart:
        ind = self.agreement.indicator("fraflytning")
        d = self.data.indikatorer
        rows = d[
            (d["aar"] == self.aar)
            & (d["niveau"] == "afdeling")
            & (d["indikator"] == ind.id)
            & d["enhed"].isin(self.afdelinger["afdeling"])
        ]
        return charts.against_baseline(
            f"Fraflytningsprocent {self.aar} mod baseline {ind.baseline_aar}",
            rows[["enhed", "vaerdi", "ki_nedre", "ki_oevre", "baseline"]],
            self.aar,
            ind.baseline_aar,
        )

    def activities(self) -> Html:
        """Hours and participants per activity against the plan (the unit's share of it)."""
        act = self.data.aktiviteter
        act = act[
            (act["aar"] == self.aar) & (act["niveau"] == self.niveau) & (act["enhed"] == self.enhed)
        ]
        if act.empty:
            return Html(
                f"<p>Ingen registrerede aktivitetstimer for {escape(self.enhed)} i {self.aar}.</p>"
            )
        body = []
        for _, r in act.iterrows():
            used = 100 * r["timer"] / r["planlagte_timer"] if r["planlagte_timer"] else None
            body.append([escape(r["aktivitet"]), fmt.number(r["timer"], 1),
                         fmt.number(r["deltagere"]), fmt.number(r["planlagte_timer"], 1),
                         fmt.pct(used)])  # fmt: skip
        meta = self.data.metadata[self.aar]
        period = (f"{fmt.day(pd.Timestamp(meta['periode_fra']))}–"
                  f"{fmt.day(pd.Timestamp(meta['periode_til']))}")  # fmt: skip
        plan = ", ".join(
            f"{escape(a.navn)} {fmt.number(a.timer_pr_uge)}" for a in self.agreement.activities
        )
        note = f"Planen er delaftalens timer pr. uge ({plan}) gange ugerne i perioden {period}."
        if self.niveau != "samlet":
            share = act["andel_lejemaal"].iloc[0]
            if pd.isna(share):
                note += " Andelen af lejemål kendes ikke i år, så enhedens del af planen mangler."
            else:
                note += (
                    " Aftalen fordeler ressourcerne efter områdernes andel af helhedsplanen; her "
                    f"er {escape(self.enhed)}s andel af lejemålene brugt: {fmt.pct(share)}."
                )
        header = ["Aktivitet", "Timer", "Deltagere", "Planlagte timer", "Brugt af plan"]
        return Html(table(header, body, numeric={1, 2, 3, 4}) + f'<p class="note">{note}</p>')

    def notes(self) -> Html:
        """The analyst's notes for this afdeling, shown as text: HTML in a note is never run."""
        text = self.data.metadata[self.aar].get("noter", {}).get(self.enhed)
        if not text:
            return Html("<p>Ingen noter.</p>")
        blocks = []
        for block in text.strip().split("\n\n"):
            lines = [ln.strip() for ln in block.splitlines() if ln.strip()]
            if lines and all(ln.startswith(("- ", "* ")) for ln in lines):
                blocks.append(
                    "<ul>" + "".join(f"<li>{escape(ln[2:])}</li>" for ln in lines) + "</ul>"
                )
            else:
                blocks.append(f"<p>{'<br>'.join(escape(ln) for ln in lines)}</p>")
        return Html(f'<div class="notes">{"".join(blocks)}</div>')

    def municipal_goals(self) -> Html:
        """The municipal goals the effort supports, with a result where an input gives one."""
        results = self.data.metadata[self.aar].get("kommunale_maal", {})
        items = []
        for nr, goal in enumerate(self.agreement.kommunale_maal, start=1):
            result = results.get(str(nr))
            told = (
                f"<br><strong>{escape(result['resultat'])}</strong>"
                f' <span class="note">(kilde: {escape(result["kilde"])})</span>'
                if result
                else ' <span class="note">(ingen data)</span>'
            )
            items.append(f"<li>{escape(goal)}{told}</li>")
        return Html(
            f"<p>Indsatsen understøtter disse kommunale målsætninger:</p><ul>{''.join(items)}</ul>"
        )

    def sources(self) -> Html:
        items = "".join(
            f"<li>Delmål {i.delmaal_nr} ({escape(i.navn)}): {escape(i.datakilde)}</li>"
            for i in self.agreement.indicators
        )
        years = []
        for y, m in sorted(self.data.metadata.items()):
            files = ", ".join(escape(f["fil"]) for f in m["filer"] if f["fil"].startswith(f"{y}/"))
            label = (
                " – <strong>eksempeldata</strong>: " + escape(m["beskrivelse"])
                if m.get("eksempeldata")
                else ""
            )
            years.append(f"<li>{y}: {files}{label}</li>")
        return Html(
            f"<ul>{items}</ul><p>Inddata:</p><ul>{''.join(years)}</ul>"
            "<p>Baselines og sammenligningstal er afskrevet fra delaftalen.</p>"
        )
