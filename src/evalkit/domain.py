"""The shared words of evalkit: report units and their levels, statuses and their symbols,
which afdelinger a unit covers, and a unit's file name.

Every layer may import this module; it imports no layer (the glossary: docs/arkitektur.md).
"""

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

# -- levels: a report is about an afdeling, a boligselskab or the whole helhedsplan ----------
AFDELING, BOLIGSELSKAB, SAMLET = "afdeling", "boligselskab", "samlet"
LEVELS = (AFDELING, BOLIGSELSKAB, SAMLET)
LEVEL_NAMES = {AFDELING: "Afdeling", BOLIGSELSKAB: "Boligselskab", SAMLET: "Helhedsplan"}

# -- statuses: a figure against its baseline --------------------------------------------------
FORBEDRET, UAENDRET, FORVAERRET = "forbedret", "uændret (inden for usikkerheden)", "forværret"
STEGET, FALDET = "steget", "faldet"  # a clear change where the agreement gives no direction
INGEN_DATA, INGEN_BASELINE, BASELINEAAR = "ingen data", "ingen baseline", "baselineår"
SKJULT = "skjult (små tal)"  # the verdict would depend on where a hidden count lies
CLEAR = (FORBEDRET, FORVAERRET, STEGET, FALDET)  # a change larger than the uncertainty
# Status is told by a symbol and a word, never by colour alone. Where the agreement gives no
# direction: arrows, neither the better nor the worse symbol.
STATUS_SYMBOLS = {
    FORBEDRET: "▲",
    UAENDRET: "●",
    FORVAERRET: "▼",
    STEGET: "↑",
    FALDET: "↓",
    INGEN_DATA: "–",
    INGEN_BASELINE: "○",
    BASELINEAAR: "◇",
    SKJULT: "◌",
}
STATUSES = tuple(STATUS_SYMBOLS)

# -- names -----------------------------------------------------------------------------------
_DANISH = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa"})
SAMLET_SLUG = "helhedsplan"  # the file name of the whole plan's report


def fold(text: str) -> str:
    """Lower case ASCII as a Dane reads it: æ/ø/å as ae/oe/aa, accents dropped."""
    folded = unicodedata.normalize("NFC", str(text)).strip().casefold().translate(_DANISH)
    folded = unicodedata.normalize("NFKD", folded)
    return "".join(c for c in folded if not unicodedata.combining(c))


def slug(text: str) -> str:
    """A file name for a unit: lower-case ASCII words joined by hyphens."""
    return re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-")


# -- report units ----------------------------------------------------------------------------
@dataclass(frozen=True)
class ReportUnit:
    """What one report is about: a level and the name of the afdeling, boligselskab or plan."""

    niveau: str
    enhed: str

    @property
    def slug(self) -> str:
        return SAMLET_SLUG if self.niveau == SAMLET else slug(self.enhed)


class Plan(Protocol):
    """What report_units needs of an agreement (evalkit.inputs.agreement.Agreement)."""

    helhedsplan: str
    boligselskaber: list[str]
    afdeling_names: list[str]


def report_units(agreement: Plan) -> list[ReportUnit]:
    """Every unit that gets a report: the whole plan, each boligselskab, each afdeling."""
    return (
        [ReportUnit(SAMLET, agreement.helhedsplan)]
        + [ReportUnit(BOLIGSELSKAB, b) for b in agreement.boligselskaber]
        + [ReportUnit(AFDELING, a) for a in agreement.afdeling_names]
    )


class Membership:
    """members(niveau, enhed): the afdelinger a unit covers, in the agreement's order.

    Built from (afdeling, boligselskab) pairs as in afdelinger.csv; plain data, so it
    travels to worker processes with the agreement.
    """

    def __init__(self, pairs: Iterable[tuple[str, str]]) -> None:
        self.everyone: list[str] = []
        self.by_company: dict[str, list[str]] = {}
        for afdeling, company in pairs:
            self.everyone.append(afdeling)
            self.by_company.setdefault(company, []).append(afdeling)

    def __call__(self, niveau: str, enhed: str) -> list[str]:
        if niveau == SAMLET:
            return list(self.everyone)
        if niveau == BOLIGSELSKAB:
            return list(self.by_company.get(enhed, []))
        return [enhed]
