"""Paths, and nothing else."""

import re
from dataclasses import dataclass
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
NOTES = "noter"  # a year's folder of notes on units: raw/<year>/noter/


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
        return _years(self.raw)

    def processed_years(self, upto: int) -> list[int]:
        """The processed years up to `upto` that a report reads: those whose inputs are still
        in raw/ (data/processed/<year> of a raw folder that was removed is left out)."""
        raw = set(self.raw_years())
        return [
            y
            for y in _years(self.processed)
            if y <= upto and y in raw and (self.processed_year(y) / "indikatorer.csv").exists()
        ]

    def orphaned_years(self) -> list[int]:
        """Years in processed/ whose folder in raw/ is gone."""
        return sorted(set(_years(self.processed)) - set(self.raw_years()))


def find_data(data_dir: str | Path, start: Path | None = None) -> Path:
    """The data folder a notebook names in `data_dir`, found from wherever it runs.

    An absolute path is taken as given. A relative one is looked for in the working folder
    (`start`) and then in each folder above it, the nearest with raw/ in it winning: "data"
    is the project's data whether papermill runs the notebook from the project's root, from
    notebooks/ or JupyterLab opens it there, and `evalkit run` (the kernel working beside the
    data folder) finds it at once. Where no folder has it, `data_dir` is returned unchanged
    and reading it says what is missing.
    """
    given = Path(data_dir)
    if given.is_absolute():
        return given
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if Paths(data=folder / given).raw.is_dir():
            return folder / given
    return given


def is_year(name: str) -> bool:
    """A year's folder name: four digits, nothing else ("2025", not "2025 kopi" or "2025²")."""
    return re.fullmatch(r"[0-9]{4}", name) is not None


def _years(folder: Path) -> list[int]:
    if not folder.is_dir():
        return []
    return sorted(int(p.name) for p in folder.iterdir() if is_year(p.name) and p.is_dir())
