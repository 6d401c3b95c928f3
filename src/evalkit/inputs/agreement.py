"""The agreement as data: delaftale.yaml, afdelinger.csv, baseline.csv, sammenligning.csv.

These files sit in data/raw/ beside the yearly folders. They are transcribed from the
delaftale; everything a report says about delmål, indicators and activities comes from here.
"""

import io
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from pathlib import Path

import pandas as pd
import yaml

from evalkit.domain import SAMLET_SLUG, Membership, slug
from evalkit.errors import InputError, Problem, shown, unreadable
from evalkit.inputs import cpr
from evalkit.inputs.names import NameIndex
from evalkit.inputs.readers import YamlRefused, load_yaml

UNKNOWN = "ukendt"

# The agreement as data: the files in data/raw/ beside the yearly folders.
DELAFTALE, AFDELINGER = "delaftale.yaml", "afdelinger.csv"
BASELINE, SAMMENLIGNING = "baseline.csv", "sammenligning.csv"
AGREEMENT_FILES = (DELAFTALE, AFDELINGER, BASELINE, SAMMENLIGNING)

# indicator id -> (input table, numerator column, denominator column or None for counts)
INPUTS: dict[str, tuple[str, str, str | None]] = {
    "fraflytning": ("fraflytninger", "fraflytninger", "lejemaal"),
    "udsaettelser": ("udsaettelser", "effektive_udsaettelser", None),  # exposure: DWELLINGS
    "tilfredshed": ("tilfredshed", "tilfredse", "besvarelser"),
    "foranstaltning": ("foranstaltninger", "med_foranstaltning", "beboere"),
}

DWELLINGS = ("fraflytninger", "lejemaal")  # where a count indicator finds its dwelling units

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

    def members(self, niveau: str, enhed: str) -> list[str]:
        """The afdelinger a report unit covers, in the agreement's order."""
        return self._membership(niveau, enhed)

    @cached_property
    def _membership(self):
        pairs = zip(self.afdelinger["afdeling"], self.afdelinger["boligselskab"], strict=True)
        return Membership(pairs)

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
    path = raw_dir / DELAFTALE
    try:
        doc = load_yaml(_text(path))
    except YamlRefused as exc:
        raise InputError([Problem(str(path), exc.message, row=exc.line)]) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" (fejl i linje {mark.line + 1})" if mark else ""
        raise InputError([Problem(str(path), f"kan ikke læses som YAML{at}.")]) from None
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
    baseline = _read_plain_csv(raw_dir / BASELINE, numeric=("aar", "vaerdi"))
    bad = baseline[baseline["indikator"].isin(shares) & ~baseline["vaerdi"].between(0, 100)]
    if not bad.empty:
        row = bad.index[0] + 2  # header = row 1
        raise InputError([Problem(str(raw_dir / BASELINE), "en andel skal være mellem 0 "
                                  "og 100 (procent).", row=int(row), column="vaerdi")])  # fmt: skip
    afdelinger = _read_plain_csv(raw_dir / AFDELINGER)
    _check_unit_names(raw_dir / AFDELINGER, afdelinger)
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
        afdelinger=afdelinger,
        baseline=baseline,
        sammenligning=_read_plain_csv(raw_dir / SAMMENLIGNING, numeric=("aar", "vaerdi")),
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


def _text(path: Path) -> str:
    """An agreement file's text; InputError if it is missing, unreadable or holds a CPR number.

    The agreement files are written by us, not exported by others: plain UTF-8.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError([Problem(str(path), "filen findes ikke (aftalen som data).")]) from None
    except UnicodeDecodeError:
        raise InputError([Problem(str(path), "filen skal være gemt som UTF-8.")]) from None
    except OSError as exc:
        raise InputError([unreadable(path, exc)]) from None
    lines = cpr.lines_with_cpr(text)
    if lines:
        raise InputError(
            [
                Problem(str(path), "linjen ligner et CPR-nummer. Personoplysninger hører ikke "
                        "hjemme i aftalens filer; fjern det.", row=line, personal=True)
                for line in lines
            ]
        )  # fmt: skip
    return text


MAX_NAME = 100  # characters in a unit's name: it becomes a file name


def _check_unit_names(path: Path, afdelinger: pd.DataFrame) -> None:
    """Every unit gets a file of its own in reports/<year>/: names that give no file name, or
    the same one ("Ny/Vest" and "Ny+Vest", an afdeling named like a boligselskab), are refused."""
    problems, seen = [], {SAMLET_SLUG: "hele helhedsplanen"}
    units = [(i + 2, "afdeling", a) for i, a in enumerate(afdelinger["afdeling"])]
    units += [
        (int(afdelinger.index[afdelinger["boligselskab"] == b][0]) + 2, "boligselskab", b)
        for b in dict.fromkeys(afdelinger["boligselskab"])
    ]
    for row, column, name in units:
        key = slug(name)
        if len(name) > MAX_NAME or not key:
            reason = f"er længere end {MAX_NAME} tegn" if key else "har intet bogstav eller tal"
            problems.append(
                Problem(str(path), f'navnet "{shown(name)}" {reason}; det bliver rapportens '
                        "filnavn. Giv enheden et andet navn.", row=row, column=column)
            )  # fmt: skip
        elif key in seen:
            problems.append(
                Problem(str(path), f'"{shown(name)}" og {seen[key]} får samme filnavn '
                        f"({key}.html), så den ene rapport ville overskrive den anden. Giv dem "
                        "navne, der adskiller sig med mere end tegnsætning.", row=row,
                        column=column)
            )  # fmt: skip
        else:
            seen[key] = f'"{shown(name)}" (række {row})'
    if problems:
        raise InputError(problems)


def _read_plain_csv(path: Path, numeric: tuple[str, ...] = ()) -> pd.DataFrame:
    # The agreement files are written by us, not exported by others: plain UTF-8, comma, dot.
    frame = pd.read_csv(io.StringIO(_text(path)), dtype=str, keep_default_na=False)
    for column in numeric:
        frame[column] = pd.to_numeric(frame[column])
    return frame
