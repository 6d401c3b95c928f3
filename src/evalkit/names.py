"""Matching the names people type to the names the agreement uses.

Headers and afdeling names match ignoring case, spaces, underscores, hyphens, dots and
accents, and with æ/ø/å equal to ae/oe/aa ("Effektive udsættelser" = effektive_udsaettelser,
"HOULKAERVAENGET" = Houlkærvænget).
"""

import difflib
import re
import unicodedata
from functools import lru_cache

_DANISH = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa"})
SAMLET_SLUG = "helhedsplan"  # the file name of the whole plan's report


@lru_cache(maxsize=1 << 16)  # the same names come back in every table and every year
def normalize(text: str) -> str:
    """The matching key of a name."""
    folded = unicodedata.normalize("NFC", str(text)).strip().casefold().translate(_DANISH)
    stripped = unicodedata.normalize("NFKD", folded)
    stripped = "".join(c for c in stripped if not unicodedata.combining(c))
    return re.sub(r"[\s_\-.–]+", "", stripped)


def slug(text: str) -> str:
    """A file name for a unit: lower-case ASCII words joined by hyphens."""
    folded = unicodedata.normalize("NFC", str(text)).strip().casefold().translate(_DANISH)
    folded = unicodedata.normalize("NFKD", folded)
    folded = "".join(c for c in folded if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]+", "-", folded).strip("-")


class NameIndex:
    """Looks up canonical names by their matching key and suggests the closest one."""

    def __init__(self, names: list[str], aliases: dict[str, str] | None = None):
        self.names = list(names)
        self._by_key = {normalize(n): n for n in self.names}
        for alias, name in (aliases or {}).items():
            self._by_key[normalize(alias)] = name

    def find(self, text: str) -> str | None:
        return self._by_key.get(normalize(text))

    def closest(self, text: str) -> str | None:
        keys = difflib.get_close_matches(normalize(text), list(self._by_key), n=1, cutoff=0.5)
        return self._by_key[keys[0]] if keys else None
