"""Every chart comes from the one chart macro, which always puts the table of its figures beside it."""

from pathlib import Path

import pytest
from jinja2 import UndefinedError

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def test_no_template_draws_a_canvas_of_its_own():
    drawn_elsewhere = [
        str(path.relative_to(TEMPLATES))
        for path in TEMPLATES.rglob("*.html")
        if "<canvas" in path.read_text(encoding="utf-8") and path != TEMPLATES / "macros" / "charts.html"
    ]
    assert drawn_elsewhere == []


def render(app, source: str, **context) -> str:
    with app.test_request_context():
        return app.jinja_env.from_string(
            '{% from "macros/charts.html" import chart with context %}' + source
        ).render(csp_nonce="n", **context)


def test_a_chart_comes_with_its_table_and_its_figures(app):
    html = render(
        app,
        '{% call chart("c1", "Bar chart of <votes>", kind="distribution", data=figures) %}'
        "<table><caption>Votes</caption></table>{% endcall %}",
        figures={"labels": ["</script>"]},
    )
    canvas, rest = html.split("</canvas>", 1)
    assert 'id="c1"' in canvas and 'data-source="c1-data"' in canvas and 'data-chart="distribution"' in canvas
    assert 'aria-label="Bar chart of &lt;votes&gt;"' in canvas
    assert rest.index("<table><caption>Votes</caption></table>") < rest.index('<script type="application/json" id="c1-data">')
    # The figures are JSON a script cannot break out of.
    assert "</script>\"]" not in html and "\\u003c/script\\u003e" in html


def test_a_chart_without_its_table_cannot_be_rendered(app):
    with pytest.raises(UndefinedError):
        render(app, '{{ chart("c2", "A chart with nothing beside it") }}')
