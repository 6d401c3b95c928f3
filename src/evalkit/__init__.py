"""evalkit: the yearly evaluation of the delaftale "Sammenhængskraft og medborgerskab"."""

import sys
from importlib.metadata import PackageNotFoundError, version

# nbformat and papermill import jsonschema, whose "iri" format check imports rfc3987_syntax,
# which compiles dozens of parsers on import: 4 of the 4.5 s that `import nbformat` takes in
# an environment with JupyterLab (python -X importtime; python-jsonschema/jsonschema#1428).
# No notebook schema uses that format; without the module jsonschema skips the check.
sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]

try:
    __version__ = version("evalkit")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0"
