"""Every piece of markup comes from a Jinja template in report/templates, with every value
escaped for where it stands: HTML text and attributes by Jinja's autoescape, a CSS string by
`css_string`.
"""

from functools import cache
from pathlib import Path

import mistune
from jinja2 import Environment, FileSystemBytecodeCache, FileSystemLoader
from markupsafe import Markup

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
PAGE_TEMPLATE = "evalkit"  # nbconvert's template folder for a report page: report.html.j2


@cache
def environment() -> Environment:
    # autoescape=True, not select_autoescape(): the templates end in .j2, which
    # select_autoescape() does not take for HTML.
    loader = FileSystemLoader([TEMPLATES_DIR, TEMPLATES_DIR / PAGE_TEMPLATE])
    env = Environment(loader=loader, autoescape=True, bytecode_cache=kept_templates("markup"))
    env.filters["og"] = and_list
    return env


class _KeptTemplates(FileSystemBytecodeCache):
    """Compiled templates kept between processes, in Jinja's private folder for this user
    under the temporary folder: a warm kernel imports evalkit anew for every report
    (evalkit.execution.isolation), and compiling the templates again cost each report more
    than rendering them. An entry is used only for the same template file and source."""

    # A folder that cannot be read or written (full, read-only, gone) only costs the time of
    # compiling again.
    def load_bytecode(self, bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except OSError:
            pass

    def dump_bytecode(self, bucket) -> None:
        try:
            super().dump_bytecode(bucket)
        except OSError:
            pass


def kept_templates(kind: str) -> FileSystemBytecodeCache | None:
    """A cache of compiled templates for one Jinja environment, named by `kind`: what one
    environment compiled is not the code of another (its filters, its escaping)."""
    try:
        return _KeptTemplates(pattern=f"__evalkit_{kind}_%s.cache")
    except (OSError, RuntimeError):  # no private temporary folder to be had
        return None


def and_list(items, word: str = "og") -> str:
    """["a", "b", "c"] -> "a, b og c" (or "a, b eller c"): a Danish list, each item once."""
    items = list(dict.fromkeys(str(i) for i in items))
    return (
        f" {word} ".join([", ".join(items[:-1]), items[-1]]) if len(items) > 1 else "".join(items)
    )


def render(template: str, **values) -> str:
    """The template under report/templates filled with `values`, every value escaped."""
    return environment().get_template(template).render(**values)


def css_string(text: str) -> str:
    """`text` inside a CSS string ("..."), as it reads: every character that could end the
    string, the rule or the <style> element (quotes, backslash, line breaks, < and >) and
    every control character is written as a CSS escape (\\22 for ")."""
    return "".join(
        c if c.isalnum() or c in " .,:()–-" else f"\\{ord(c) or 0xFFFD:x} " for c in str(text)
    )


class _NoteRenderer(mistune.HTMLRenderer):
    """Markdown of an analyst's note inside a report: headings below the report's own (a
    note's "#" is an h4), images as their text (a report opened offline loads nothing)."""

    def heading(self, text: str, level: int, **attrs) -> str:
        return super().heading(text, min(level + 3, 6), **attrs)

    def image(self, text: str, url: str, title: str | None = None) -> str:
        return text


@cache
def _notes_markdown() -> mistune.Markdown:
    # escape=True: HTML written in a note is shown as text, never run; the renderer's URL
    # policy turns javascript: and other harmful links into "#harmful-link".
    return mistune.create_markdown(
        renderer=_NoteRenderer(escape=True),
        hard_wrap=True,  # a line break in the note is a line break in the report
        plugins=["table", "strikethrough"],
    )


def note_html(text: str) -> Markup:
    """An analyst's note (Markdown: headings, bold, lists, tables, links) as safe HTML."""
    return Markup(_notes_markdown()(text))
