"""Matching the names people type to the names the agreement uses.

Headers and afdeling names match ignoring case, spaces, underscores, hyphens, dots and
accents, and with æ/ø/å equal to ae/oe/aa ("Effektive udsættelser" = effektive_udsaettelser,
"HOULKAERVAENGET" = Houlkærvænget).
"""

import difflib
import re
from functools import lru_cache

from evalkit.domain import fold


@lru_cache(maxsize=1 << 16)  # the same names come back in every table and every year
def normalize(text: str) -> str:
    """The matching key of a name."""
    return re.sub(r"[\s_\-.–]+", "", fold(text))


class NameIndex:
    """Looks up canonical names by their matching key and suggests the closest one."""

    def __init__(self, names: list[str], aliases: dict[str, str] | None = None):
        self.names = list(names)
        self._by_key = {normalize(n): n for n in self.names}
        for alias, name in (aliases or {}).items():
            self._by_key[normalize(alias)] = name

    def find(self, text: str) -> str | None:
        return self._by_key.get(normalize(text))

    def find_all(self, texts: list[str]) -> dict[str, str | None]:
        """`find` of each text, looked up without a Python call per text: a national table
        has thousands of names."""
        return dict(zip(texts, map(self._by_key.get, map(normalize, texts)), strict=True))

    def closest(self, text: str) -> str | None:
        keys = difflib.get_close_matches(normalize(text), list(self._by_key), n=1, cutoff=0.5)
        return self._by_key[keys[0]] if keys else None

    def suggestion(self, text: str, suffix: str = "") -> str:
        """' Mente du "<the closest name><suffix>"?' to end a message, or "" if none is close."""
        closest = self.closest(text)
        return f' Mente du "{closest}{suffix}"?' if closest else ""
