"""Paths, and nothing else."""

from dataclasses import dataclass
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
TEMPLATES_DIR = PACKAGE_DIR / "templates"


@dataclass(frozen=True)
class Paths:
    """Where a project's data and reports live. `data` holds raw/ and processed/."""

    data: Path = Path("data")
    reports: Path = Path("reports")
    notebooks: Path = Path("notebooks")

    @property
    def raw(self) -> Path:
        return self.data / "raw"

    @property
    def processed(self) -> Path:
        return self.data / "processed"

    def raw_year(self, year: int) -> Path:
        return self.raw / str(year)

    def processed_year(self, year: int) -> Path:
        return self.processed / str(year)

    def reports_year(self, year: int) -> Path:
        return self.reports / str(year)

    def raw_years(self) -> list[int]:
        """Years that have a folder of inputs under raw/."""
        if not self.raw.is_dir():
            return []
        return sorted(int(p.name) for p in self.raw.iterdir() if p.is_dir() and p.name.isdigit())
