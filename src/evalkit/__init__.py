"""evalkit: the yearly evaluation of the delaftale "Sammenhængskraft og medborgerskab"."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("evalkit")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0"
