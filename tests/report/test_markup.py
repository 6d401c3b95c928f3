"""Spec: compiled templates are kept between processes, never in the way (report.markup)."""

import jinja2

from evalkit.report import markup


def fresh_environment(monkeypatch, cache_dir) -> jinja2.Environment:
    """The environment a new process (or a warm kernel's next report) gets."""
    keep_in(monkeypatch, cache_dir)
    return markup.environment.__wrapped__()


def keep_in(monkeypatch, folder) -> None:
    """Compiled templates kept in `folder`, not in the user's temporary folder."""
    monkeypatch.setattr(markup, "_KeptTemplates", lambda pattern: KeptIn(folder, pattern))


class KeptIn(markup._KeptTemplates):
    def __init__(self, folder, pattern):
        super().__init__(str(folder), pattern)


def test_a_template_compiled_once_is_not_compiled_again_by_the_next_process(tmp_path, monkeypatch):
    first = fresh_environment(monkeypatch, tmp_path)
    html = first.get_template("chart.html.j2").render(svg="AA==", alt="Et <diagram>")
    assert len(list(tmp_path.iterdir())) == 1

    compiled = []
    monkeypatch.setattr(jinja2.Environment, "compile", lambda *a, **k: compiled.append(a))
    second = fresh_environment(monkeypatch, tmp_path)
    again = second.get_template("chart.html.j2").render(svg="AA==", alt="Et <diagram>")

    assert compiled == [] and again == html
    assert "Et &lt;diagram&gt;" in again  # still escaped: the same template, kept


def test_a_changed_template_is_compiled_anew(tmp_path, monkeypatch):
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "t.j2").write_text("før {{ x }}", encoding="utf-8")

    def render() -> str:
        env = fresh_environment(monkeypatch, tmp_path / "kept")
        env.loader = jinja2.FileSystemLoader(templates)
        return env.get_template("t.j2").render(x=1)

    (tmp_path / "kept").mkdir()
    assert render() == "før 1"
    (templates / "t.j2").write_text("efter {{ x }}", encoding="utf-8")
    assert render() == "efter 1"


def test_a_cache_folder_that_cannot_be_written_only_costs_time(tmp_path, monkeypatch):
    not_a_folder = tmp_path / "kept"
    not_a_folder.write_text("", encoding="utf-8")  # writing under it fails, also for root

    env = fresh_environment(monkeypatch, not_a_folder)

    assert "AA==" in env.get_template("chart.html.j2").render(svg="AA==", alt="x")


def test_two_environments_keep_their_compiled_templates_apart(tmp_path, monkeypatch):
    # nbconvert's page templates and evalkit's own compile with other settings (escaping).
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "t.j2").write_text("{{ x }}", encoding="utf-8")
    keep_in(monkeypatch, tmp_path)

    def render(kind: str, autoescape: bool) -> str:
        loader = jinja2.FileSystemLoader(templates)
        cache = markup.kept_templates(kind)
        env = jinja2.Environment(loader=loader, autoescape=autoescape, bytecode_cache=cache)
        return env.get_template("t.j2").render(x="<b>")

    assert render("page", autoescape=False) == "<b>"
    assert render("markup", autoescape=True) == "&lt;b&gt;"


def test_the_page_templates_are_compiled_once_too(tmp_path, monkeypatch):
    from nbformat.v4 import new_markdown_cell, new_notebook

    from evalkit.execution.render import exporter

    keep_in(monkeypatch, tmp_path)
    page = new_notebook(cells=[new_markdown_cell("# Lindon")])
    first, _ = exporter().from_notebook_node(page)

    compiled = []
    monkeypatch.setattr(jinja2.Environment, "compile", lambda *a, **k: compiled.append(a))
    again, _ = exporter().from_notebook_node(page)

    assert compiled == [] and again == first and "Lindon" in again
