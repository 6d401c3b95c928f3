"""The agreement as data: delaftale.yaml, afdelinger.csv, baseline.csv, sammenligning.csv.

These files sit in data/raw/ beside the yearly folders. They are transcribed from the
delaftale; everything a report says about delmål, indicators and activities comes from here.
"""

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd
import yaml

from evalkit.errors import InputError, Problem, unreadable
from evalkit.names import NameIndex

UNKNOWN = "ukendt"

# evalkit's settings (the `evalkit:` section of delaftale.yaml) and their defaults.
DEFAULT_SETTINGS = {
    "lille_naevner": 20,
    "spring_procentpoint": 15,
    "lejemaal_aendring_procent": 10,
    "diskretion": 5,
    "foelsomme_indikatorer": ["udsaettelser", "foranstaltning"],
}


@dataclass(frozen=True)
class Indicator:
    id: str
    delmaal_nr: int
    delmaal: str
    navn: str
    kort_navn: str
    enhed: str  # "procent" or "antal"
    naevner: str  # what the denominator counts, in Danish ("lejemål", "besvarelser")
    retning: str  # "ned", "op" (the desired direction) or "ingen" (the agreement gives none)
    baseline_aar: int | None
    baseline_tekst: str | None
    datakilde: str
    # What the numerator counts, in Danish ("husstande", "borgere"): a hidden small count
    # reads "under 5 husstande", never a bare "under 5".
    taeller_enhed: str = ""
    # Where the agreement gives the direction (its own words); empty for retning "ingen".
    retning_kilde: str = ""


RETNINGER = ("ned", "op", "ingen")


@dataclass(frozen=True)
class Activity:
    navn: str
    kort_navn: str
    timer_pr_uge: float
    formaal: str


@dataclass(frozen=True)
class Agreement:
    navn: str
    helhedsplan: str
    periode_fra: date
    periode_til: date
    evaluering: str
    indicators: list[Indicator]
    activities: list[Activity]
    kommunale_maal: list[str]
    afdelinger: pd.DataFrame  # afdeling, boligselskab, afdelingsnummer, boligtype, kilde
    baseline: pd.DataFrame  # afdeling, indikator, aar, vaerdi, kilde
    sammenligning: pd.DataFrame  # indikator, gruppe, aar, vaerdi, kilde
    settings: dict

    @property
    def afdeling_names(self) -> list[str]:
        return list(self.afdelinger["afdeling"])

    @property
    def boligselskaber(self) -> list[str]:
        return list(dict.fromkeys(self.afdelinger["boligselskab"]))

    def indicator(self, indicator_id: str) -> Indicator:
        return next(i for i in self.indicators if i.id == indicator_id)

    def afdeling_index(self) -> NameIndex:
        return NameIndex(self.afdeling_names)

    def activity_index(self) -> NameIndex:
        return NameIndex(
            [a.navn for a in self.activities], {a.kort_navn: a.navn for a in self.activities}
        )

    def boligselskab_of(self, afdeling: str) -> str:
        return self.afdelinger.set_index("afdeling").at[afdeling, "boligselskab"]

    def data_baseline_years(self, year: int) -> set[int]:
        """Earlier years whose data are a baseline: the agreement names the year, not a value."""
        given = set(self.baseline["indikator"])
        return {
            i.baseline_aar
            for i in self.indicators
            if i.baseline_aar and i.baseline_aar < year and i.id not in given
        }


def load_agreement(raw_dir: Path) -> Agreement:
    """Read the agreement files in `raw_dir`; raise InputError naming what is wrong."""
    path = raw_dir / "delaftale.yaml"
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError([Problem(str(path), "filen findes ikke (aftalen som data).")]) from None
    except OSError as exc:
        raise InputError([unreadable(path, exc)]) from None
    except yaml.YAMLError as exc:
        raise InputError([Problem(str(path), f"kan ikke læses som YAML: {exc}")]) from None
    indicators, problems = [], []
    for d in doc["delmaal"]:
        indicator = Indicator(
            id=d["indikator"]["id"],
            delmaal_nr=int(d["nr"]),
            delmaal=d["navn"],
            navn=d["indikator"]["navn"],
            kort_navn=d["indikator"]["kort_navn"],
            enhed=d["indikator"]["enhed"],
            naevner=d["indikator"]["naevner"],
            retning=d["indikator"]["retning"],
            baseline_aar=d["indikator"].get("baseline_aar"),
            baseline_tekst=d["indikator"].get("baseline_tekst"),
            datakilde=d["indikator"]["datakilde"],
            taeller_enhed=str(d["indikator"].get("taeller_enhed") or "").strip(),
            retning_kilde=str(d["indikator"].get("retning_kilde") or "").strip(),
        )
        problems += _indicator_problems(path, indicator)
        indicators.append(indicator)
    if problems:
        raise InputError(problems)
    shares = {i.id for i in indicators if i.enhed == "procent"}
    baseline = _read_plain_csv(raw_dir / "baseline.csv", numeric=("aar", "vaerdi"))
    bad = baseline[baseline["indikator"].isin(shares) & ~baseline["vaerdi"].between(0, 100)]
    if not bad.empty:
        row = bad.index[0] + 2  # header = row 1
        raise InputError([Problem(str(raw_dir / "baseline.csv"), "en andel skal være mellem 0 "
                                  "og 100 (procent).", row=int(row), column="vaerdi")])  # fmt: skip
    activities = [
        Activity(a["navn"], a.get("kort_navn", a["navn"]), float(a["timer_pr_uge"]), a["formaal"])
        for a in doc["aktiviteter"]
    ]
    return Agreement(
        navn=doc["navn"],
        helhedsplan=doc["helhedsplan"],
        periode_fra=doc["periode"]["fra"],
        periode_til=doc["periode"]["til"],
        evaluering=doc["evaluering"],
        indicators=indicators,
        activities=activities,
        kommunale_maal=list(doc.get("kommunale_maal", [])),
        afdelinger=_read_plain_csv(raw_dir / "afdelinger.csv"),
        baseline=baseline,
        sammenligning=_read_plain_csv(raw_dir / "sammenligning.csv", numeric=("aar", "vaerdi")),
        settings=DEFAULT_SETTINGS | (doc.get("evalkit") or {}),
    )


def _indicator_problems(path: Path, indicator: Indicator) -> list[Problem]:
    """What is wrong with one indicator of delaftale.yaml, in Danish, naming its key."""
    at = f"delmål {indicator.delmaal_nr}, indikator {indicator.id}"
    found = []
    if indicator.enhed not in ("procent", "antal"):
        found.append(f'{at}: enhed er "{indicator.enhed}"; den skal være procent eller antal.')
    if indicator.retning not in RETNINGER:
        found.append(
            f'{at}: retning er "{indicator.retning}"; den skal være ned, op eller ingen '
            "(ingen, når aftalen ikke siger, om mere eller mindre er bedst)."
        )
    elif indicator.retning != "ingen" and not indicator.retning_kilde:
        # A verdict (forbedret/forværret) needs the agreement's word for it, not ours.
        found.append(
            f"{at}: retning_kilde mangler. Skriv, hvor aftalen siger, at {indicator.retning} er "
            'bedst (fx "Delmålets ordlyd: At reducere ..."), eller sæt retning: ingen.'
        )
    if not indicator.taeller_enhed:
        found.append(
            f'{at}: taeller_enhed mangler: hvad tælleren tæller (fx "husstande" eller '
            '"borgere"), så et skjult tal kan skrives "under 5 husstande".'
        )
    return [Problem(str(path), text) for text in found]


def _read_plain_csv(path: Path, numeric: tuple[str, ...] = ()) -> pd.DataFrame:
    # The agreement files are written by us, not exported by others: plain UTF-8, comma, dot.
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    except FileNotFoundError:
        raise InputError([Problem(str(path), "filen findes ikke (aftalen som data).")]) from None
    except OSError as exc:
        raise InputError([unreadable(path, exc)]) from None
    for column in numeric:
        frame[column] = pd.to_numeric(frame[column])
    return frame
