"""The agreements as data: helhedsplan.yaml, delaftaler/*.yaml, afdelinger.csv, baseline.csv
and sammenligning.csv.

These files sit in data/raw/ beside the yearly folders. A helhedsplan has one delaftale per
focus area, each in its own file and each declaring how its indicators are computed; the
other files are shared. Everything a report says about delmål, indicators and activities
comes from here, and adding a delaftale is adding files, never code (docs/inddata.md).
"""

import io
from dataclasses import dataclass
from datetime import date, datetime
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

# The agreements as data: the files in data/raw/ beside the yearly folders.
HELHEDSPLAN, DELAFTALER = "helhedsplan.yaml", "delaftaler"
AFDELINGER, BASELINE, SAMMENLIGNING = "afdelinger.csv", "baseline.csv", "sammenligning.csv"
SHARED_FILES = (HELHEDSPLAN, AFDELINGER, BASELINE, SAMMENLIGNING)
# The entries of data/raw/ that make the agreement (the rest are year folders).
AGREEMENT_FILES = (*SHARED_FILES, DELAFTALER)

# evalkit's settings (the `evalkit:` section of helhedsplan.yaml) and their defaults.
DEFAULT_SETTINGS = {
    "lille_naevner": 20,
    "spring_procentpoint": 15,
    "lejemaal_aendring_procent": 10,
    "diskretion": 5,
}

ANDEL, ANTAL = "andel", "antal"
TYPES = (ANDEL, ANTAL)
RETNINGER = ("ned", "op", "ingen")


@dataclass(frozen=True)
class Column:
    """A column of a yearly input table, and what its numbers count in Danish."""

    tabel: str
    kolonne: str
    navn: str = ""


@dataclass(frozen=True)
class Split:
    """Optional columns that say what a numerator counts (the laws behind measures).

    `aftalens`: the part the agreement's indicator names; the others are counted with it
    when their column is filled in.
    """

    navn: str
    aftalens: str
    dele: tuple[Column, ...]


@dataclass(frozen=True)
class Indicator:
    """One delmål's indicator, as its delaftale declares it (docs/inddata.md, "Delaftaler")."""

    id: str
    delaftale: str  # the delaftale's name
    delmaal_nr: int
    delmaal: str
    navn: str
    kort_navn: str
    type: str  # "andel": taeller / naevner; "antal": a count
    tabel: str  # the yearly input table
    taeller: str  # its numerator column
    naevner: str | None  # its denominator column (andel)
    naevner_navn: str  # what the denominator counts, in Danish ("lejemål", "besvarelser")
    retning: str  # "ned", "op" (the desired direction) or "ingen" (the agreement gives none)
    baseline_aar: int | None
    baseline_tekst: str | None
    datakilde: str
    # What the numerator counts, in Danish ("husstande", "borgere"): a hidden small count
    # reads "under 5 husstande", never a bare "under 5".
    taeller_enhed: str = ""
    # Where the agreement gives the direction (its own words); empty for retning "ingen".
    retning_kilde: str = ""
    foelsom: bool = False  # counts of persons or households: small counts are hidden
    pr_1000: Column | None = None  # antal: also per 1,000 of this exposure
    sammenlign_efter: str | None = None  # a column of afdelinger.csv that picks comparisons
    afdelingsdiagram: bool = False  # a chart of each afdeling against its baseline
    opdeling: Split | None = None

    @property
    def enhed(self) -> str:
        """The unit of the indicator's value: "procent" for a share, "antal" for a count."""
        return "procent" if self.type == ANDEL else "antal"

    @property
    def exposure(self) -> Column | None:
        """The denominator of a share, or the exposure of a count per 1,000."""
        if self.type == ANDEL:
            return Column(self.tabel, str(self.naevner), self.naevner_navn)
        return self.pr_1000


@dataclass(frozen=True)
class Activity:
    navn: str
    kort_navn: str
    timer_pr_uge: float
    formaal: str
    delaftale: str = ""


@dataclass(frozen=True)
class Delaftale:
    """One focus area's agreement: its delmål with indicators, activities and period."""

    navn: str
    fil: str  # the file name in delaftaler/, for messages
    eksempel: bool  # an invented example, not a real agreement: every report says so
    periode_fra: date
    periode_til: date
    evaluering: str
    indicators: list[Indicator]
    activities: list[Activity]
    kommunale_maal: list[str]


@dataclass(frozen=True)
class Agreement:
    """The helhedsplan's agreements as data: its delaftaler and what they share."""

    helhedsplan: str
    delaftaler: list[Delaftale]
    afdelinger: pd.DataFrame  # afdeling, boligselskab, afdelingsnummer, boligtype, kilde
    baseline: pd.DataFrame  # afdeling, indikator, aar, vaerdi, kilde
    sammenligning: pd.DataFrame  # indikator, gruppe, aar, vaerdi, kilde
    settings: dict
    lejemaal: Column | None = None  # where each afdeling's dwelling units are delivered

    @property
    def indicators(self) -> list[Indicator]:
        return [i for d in self.delaftaler for i in d.indicators]

    @property
    def activities(self) -> list[Activity]:
        return [a for d in self.delaftaler for a in d.activities]

    @property
    def sensitive(self) -> set[str]:
        """The ids of the indicators whose small counts are hidden."""
        return {i.id for i in self.indicators if i.foelsom}

    @property
    def periode_fra(self) -> date:
        """The first day any delaftale covers."""
        return min(d.periode_fra for d in self.delaftaler)

    @property
    def periode_til(self) -> date:
        return max(d.periode_til for d in self.delaftaler)

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

    def delaftale(self, navn: str) -> Delaftale:
        return next(d for d in self.delaftaler if d.navn == navn)

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
        given = set(self.baseline["indikator"].unique())
        return {
            i.baseline_aar
            for i in self.indicators
            if i.baseline_aar and i.baseline_aar < year and i.id not in given
        }

    def files(self, raw_dir: Path) -> list[Path]:
        """Every agreement file under `raw_dir`: the shared ones and each delaftale's."""
        return [raw_dir / name for name in SHARED_FILES] + [
            raw_dir / DELAFTALER / d.fil for d in self.delaftaler
        ]


def agreement_files(raw_dir: Path) -> list[Path]:
    """The agreement files as they lie in `raw_dir`, without reading them."""
    folder = raw_dir / DELAFTALER
    found = sorted(folder.glob("*.yaml")) if folder.is_dir() else []
    return [raw_dir / name for name in SHARED_FILES] + found


def load_agreement(raw_dir: Path) -> Agreement:
    """Read the agreement files in `raw_dir`; raise InputError naming what is wrong."""
    plan = _yaml(raw_dir / HELHEDSPLAN)
    problems: list[Problem] = []
    keys = _Keys(raw_dir / HELHEDSPLAN, problems)
    navn = keys.text(plan, "navn", "")
    lejemaal = keys.column(plan, "lejemaal", "", named=False) if "lejemaal" in plan else None
    settings = DEFAULT_SETTINGS | (keys.mapping(plan, "evalkit", "", required=False) or {})
    folder = raw_dir / DELAFTALER
    files = sorted(folder.glob("*.yaml")) if folder.is_dir() else []
    if not files:
        raise InputError(
            [Problem(str(folder), "der er ingen delaftaler: læg én YAML-fil pr. delaftale her "
                     "(se docs/inddata.md).")]
        )  # fmt: skip
    delaftaler = [_delaftale(path, _yaml(path), problems) for path in files]
    seen: dict[str, str] = {}
    for d in delaftaler:
        for i in d.indicators:
            if i.id in seen:
                problems.append(Problem(str(folder / d.fil), f'indikatoren "{shown(i.id)}" findes '
                                        f"også i {seen[i.id]}; et id må kun bruges én gang i "
                                        "hele helhedsplanen."))  # fmt: skip
            seen.setdefault(i.id, d.fil)
    names = [a.navn for d in delaftaler for a in d.activities]
    for name in {n for n in names if names.count(n) > 1}:
        problems.append(Problem(str(folder), f'aktiviteten "{shown(name)}" står i mere end én '
                                "delaftale; giv dem hver sit navn."))  # fmt: skip
    if problems:
        raise InputError(problems)
    shares = {i.id for d in delaftaler for i in d.indicators if i.type == ANDEL}
    baseline = _read_plain_csv(raw_dir / BASELINE, numeric=("aar", "vaerdi"))
    bad = baseline[baseline["indikator"].isin(shares) & ~baseline["vaerdi"].between(0, 100)]
    if not bad.empty:
        row = bad.index[0] + 2  # header = row 1
        raise InputError([Problem(str(raw_dir / BASELINE), "en andel skal være mellem 0 "
                                  "og 100 (procent).", row=int(row), column="vaerdi")])  # fmt: skip
    afdelinger = _read_plain_csv(raw_dir / AFDELINGER)
    _check_unit_names(raw_dir / AFDELINGER, afdelinger)
    for d in delaftaler:
        for n, i in enumerate(d.indicators, start=1):
            if i.sammenlign_efter and i.sammenlign_efter not in afdelinger.columns:
                problems.append(Problem(str(folder / d.fil), f"delmaal[{n}].indikator."
                                        f'sammenlign_efter: "{shown(i.sammenlign_efter)}" er ikke '
                                        f"en kolonne i {AFDELINGER} (der er: "
                                        f"{', '.join(afdelinger.columns)})."))  # fmt: skip
    if problems:
        raise InputError(problems)
    return Agreement(
        helhedsplan=navn,
        delaftaler=delaftaler,
        afdelinger=afdelinger,
        baseline=baseline,
        sammenligning=_read_plain_csv(raw_dir / SAMMENLIGNING, numeric=("aar", "vaerdi")),
        settings=settings,
        lejemaal=lejemaal,
    )


def _yaml(path: Path) -> dict:
    try:
        doc = load_yaml(_text(path))
    except YamlRefused as exc:
        raise InputError([Problem(str(path), exc.message, row=exc.line)]) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" (fejl i linje {mark.line + 1})" if mark else ""
        raise InputError([Problem(str(path), f"kan ikke læses som YAML{at}.")]) from None
    if not isinstance(doc, dict):
        raise InputError([Problem(str(path), "forventede linjer som \"navn: ...\" (se "
                                  "docs/inddata.md).")])  # fmt: skip
    return doc


def _delaftale(path: Path, doc: dict, problems: list[Problem]) -> Delaftale:
    keys = _Keys(path, problems)
    navn = keys.text(doc, "navn", "")
    periode = keys.mapping(doc, "periode", "") or {}
    fra, til = keys.day(periode, "fra", "periode"), keys.day(periode, "til", "periode")
    if fra and til and fra > til:
        problems.append(Problem(str(path), "periode: fra er efter til."))
    indicators = []
    for n, d in enumerate(keys.items(doc, "delmaal", ""), start=1):
        where = f"delmaal[{n}]"
        if not isinstance(d, dict):
            problems.append(Problem(str(path), f"{where}: forventede nr, navn og indikator."))
            continue
        ind = keys.mapping(d, "indikator", where) or {}
        indicators.append(_indicator(keys, navn, d, ind, f"{where}.indikator"))
    activities = []
    for n, a in enumerate(keys.items(doc, "aktiviteter", "", required=False), start=1):
        where = f"aktiviteter[{n}]"
        name = keys.text(a, "navn", where)
        activities.append(
            Activity(
                name,
                keys.text(a, "kort_navn", where, required=False) or name,
                keys.number(a, "timer_pr_uge", where),
                keys.text(a, "formaal", where, required=False),
                navn,
            )
        )
    eksempel = doc.get("eksempel", False)
    if not isinstance(eksempel, bool):
        problems.append(Problem(str(path), "eksempel skal være true eller false."))
    return Delaftale(
        navn=navn,
        fil=path.name,
        eksempel=eksempel is True,
        periode_fra=fra or date.min,
        periode_til=til or date.max,
        evaluering=keys.text(doc, "evaluering", "", required=False),
        indicators=indicators,
        activities=activities,
        kommunale_maal=keys.texts(doc, "kommunale_maal", ""),
    )


def _indicator(keys: "_Keys", delaftale: str, d: dict, ind: dict, where: str) -> Indicator:
    kind = keys.choice(ind, "type", where, TYPES, "andel (en andel: taeller / naevner) eller "
                       "antal (et antal)")  # fmt: skip
    retning = keys.choice(ind, "retning", where, RETNINGER, "ned, op eller ingen (ingen, når "
                          "aftalen ikke siger, om mere eller mindre er bedst)")  # fmt: skip
    opdeling = None
    if ind.get("opdeling") is not None:
        o = keys.mapping(ind, "opdeling", where) or {}
        dele = []
        for n, part in enumerate(keys.items(o, "dele", f"{where}.opdeling"), start=1):
            at = f"{where}.opdeling.dele[{n}]"
            dele.append(Column(str(ind.get("tabel")), keys.text(part, "kolonne", at),
                               keys.text(part, "navn", at)))  # fmt: skip
        opdeling = Split(keys.text(o, "navn", f"{where}.opdeling"),
                         keys.text(o, "aftalens", f"{where}.opdeling"), tuple(dele))  # fmt: skip
    indicator = Indicator(
        id=keys.text(ind, "id", where),
        delaftale=delaftale,
        delmaal_nr=int(keys.number(d, "nr", where.rsplit(".", 1)[0])),
        delmaal=keys.text(d, "navn", where.rsplit(".", 1)[0]),
        navn=keys.text(ind, "navn", where),
        kort_navn=keys.text(ind, "kort_navn", where),
        type=kind,
        tabel=keys.text(ind, "tabel", where),
        taeller=keys.text(ind, "taeller", where),
        naevner=keys.text(ind, "naevner", where) if kind == ANDEL else None,
        naevner_navn=keys.text(ind, "naevner_navn", where) if kind == ANDEL else "",
        retning=retning,
        baseline_aar=keys.year(ind, "baseline_aar", where),
        baseline_tekst=keys.text(ind, "baseline_tekst", where, required=False) or None,
        datakilde=keys.text(ind, "datakilde", where),
        taeller_enhed=keys.text(
            ind,
            "taeller_enhed",
            where,
            hint="hvad tælleren tæller (fx "
            '"husstande" eller "borgere"), så et skjult tal kan skrives '
            '"under 5 husstande"',
        ),  # fmt: skip
        retning_kilde=keys.text(ind, "retning_kilde", where, required=False),
        foelsom=keys.flag(ind, "foelsom", where),
        pr_1000=keys.column(ind, "pr_1000", where) if ind.get("pr_1000") is not None else None,
        sammenlign_efter=keys.text(ind, "sammenlign_efter", where, required=False) or None,
        afdelingsdiagram=keys.flag(ind, "afdelingsdiagram", where, required=False),
        opdeling=opdeling,
    )
    if indicator.afdelingsdiagram and (kind != ANDEL or indicator.foelsom):
        # The chart draws every afdeling's figure: a share, and never a hidden small count.
        keys.problem(f"{where}.afdelingsdiagram", "kan kun bruges for en andel, der ikke er "
                     "følsom (foelsom: false): diagrammet viser hver afdelings tal.")  # fmt: skip
    if kind == ANTAL and ind.get("naevner") is not None:
        keys.problem(where, "naevner hører til en andel; et antal kan i stedet vises pr. 1.000 "
                     "med pr_1000: {tabel: ..., kolonne: ..., navn: ...}.")  # fmt: skip
    if retning in ("ned", "op") and not indicator.retning_kilde:
        # A verdict (forbedret/forværret) needs the agreement's word for it, not ours.
        keys.problem(
            f"{where}.retning_kilde",
            f"mangler. Skriv, hvor aftalen siger, at {retning} er "
            'bedst (fx "Delmålets ordlyd: At reducere ..."), eller sæt retning: ingen.',
        )
    return indicator


class _Keys:
    """Reads the keys of a YAML mapping; each problem names the file and the key's path
    (delmaal[2].indikator.type) and says what is allowed."""

    def __init__(self, path: Path, problems: list[Problem]) -> None:
        self.path, self.problems = path, problems

    def problem(self, where: str, text: str) -> None:
        self.problems.append(Problem(str(self.path), f"{where}: {text}" if where else text))

    def _get(self, node, key: str, where: str, required: bool, hint: str = ""):
        at = f"{where}.{key}" if where else key
        value = node.get(key) if isinstance(node, dict) else None
        if value is None and required:
            self.problem(at, f"mangler{': ' + hint if hint else ''}.")
        return at, value

    def text(self, node, key, where, required=True, hint="") -> str:
        at, value = self._get(node, key, where, required, hint)
        if value is None:
            return ""
        if isinstance(value, dict | list):
            self.problem(at, "forventede en tekst.")
            return ""
        return str(value).strip()

    def choice(self, node, key, where, allowed, told) -> str:
        at, value = self._get(node, key, where, True, f"skriv {told}")
        if value is not None and value not in allowed:
            self.problem(at, f'er "{shown(value)}"; tilladt er {told}.')
        return str(value) if value in allowed else allowed[0]

    def number(self, node, key, where) -> float:
        at, value = self._get(node, key, where, True)
        if value is None:
            return 0.0
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            self.problem(at, f'er "{shown(value)}"; forventede et tal, 0 eller større.')
            return 0.0
        return float(value)

    def year(self, node, key, where) -> int | None:
        at, value = self._get(node, key, where, False)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or not 1900 <= value <= 2200:
            self.problem(at, f'er "{shown(value)}"; forventede et årstal (fx 2024) eller null.')
            return None
        return value

    def day(self, node, key, where) -> date | None:
        at, value = self._get(node, key, where, True, "en dato som 2025-08-01")
        if value is None:
            return None
        if isinstance(value, datetime):
            value = value.date()
        if not isinstance(value, date):
            self.problem(at, f'er "{shown(value)}"; forventede en dato som 2025-08-01.')
            return None
        return value

    def flag(self, node, key, where, required=True) -> bool:
        at, value = self._get(node, key, where, required, "true eller false")
        if value is not None and not isinstance(value, bool):
            self.problem(at, f'er "{shown(value)}"; forventede true eller false.')
        return value is True

    def mapping(self, node, key, where, required=True) -> dict | None:
        at, value = self._get(node, key, where, required)
        if value is not None and not isinstance(value, dict):
            self.problem(at, "forventede underpunkter (nøgle: værdi).")
            return None
        return value

    def items(self, node, key, where, required=True) -> list:
        at, value = self._get(node, key, where, required)
        if value is None:
            return []
        if not isinstance(value, list):
            self.problem(at, "forventede en liste (linjer, der begynder med -).")
            return []
        return value

    def texts(self, node, key, where) -> list[str]:
        """An optional list of plain texts. A text with ": " in it is read by YAML as a
        mapping, so it would show as {'…': '…'}: told, with how to write it."""
        found = []
        for n, item in enumerate(self.items(node, key, where, required=False), start=1):
            if isinstance(item, str | int | float) and not isinstance(item, bool):
                found.append(str(item))
            else:
                at = f"{where}.{key}[{n}]" if where else f"{key}[{n}]"
                self.problem(
                    at,
                    "skal være en tekst. Indeholder den kolon og mellemrum "
                    '(": "), så sæt hele teksten i anførselstegn: - "Eksempel: …".',
                )
        return found

    def column(self, node, key, where, named=True) -> Column | None:
        at = f"{where}.{key}" if where else key
        value = self.mapping(node, key, where)
        if value is None:
            return None
        return Column(
            self.text(value, "tabel", at),
            self.text(value, "kolonne", at),
            self.text(value, "navn", at) if named else "",
        )


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
    first = afdelinger.drop_duplicates("boligselskab")  # each boligselskab's first row
    units += [(i + 2, "boligselskab", b) for i, b in first["boligselskab"].items()]
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
