"""evalkit: the yearly evaluation of the delaftale "Sammenhængskraft og medborgerskab"."""

import sys

# nbformat and papermill import jsonschema, whose "iri" format check imports rfc3987_syntax,
# which compiles dozens of parsers on import: 4 of the 4.5 s that `import nbformat` takes in
# an environment with JupyterLab (python -X importtime; python-jsonschema/jsonschema#1428).
# No notebook schema uses that format; without the module jsonschema skips the check.
sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]


def __getattr__(name: str) -> str:
    # The version on first use, not on import: importlib.metadata takes a tenth of a second,
    # which is most of a run with nothing to do (evalkit.publish.fingerprint).
    if name != "__version__":
        raise AttributeError(f"module 'evalkit' has no attribute {name!r}")
    from importlib.metadata import PackageNotFoundError, version

    try:
        found = version("evalkit")
    except PackageNotFoundError:  # running from a source tree without installation
        found = "0.0.0"
    globals()["__version__"] = found
    return found
