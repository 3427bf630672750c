"""Assets, colours and the Content-Security-Policy constraints of our templates."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from postmortems.choices import COLOURS
from postmortems.templatetags.postmortem_tags import badge, render_markdown
from postmortems.views.assets import colours_stylesheet

# The web app's own templates (other areas test theirs).
_ROOT = Path(settings.BASE_DIR) / "templates"
TEMPLATES = sorted(
    [
        *_ROOT.glob("*.html"),
        *(p for d in ("postmortems", "settings", "registration") for p in (_ROOT / d).glob("*.html")),
    ]
)

TEMPLATES = [p for p in TEMPLATES if not re.fullmatch(r"\d{3}(_\w+)?\.html", p.name)]

pytestmark = pytest.mark.django_db


def test_badge_stylesheet_has_one_rule_per_colour_of_the_map(client):
    response = client.get(reverse("colours_css"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/css")
    css = response.content.decode()
    for value, colour in COLOURS.items():
        assert f".badge-{value} {{ background: {colour};" in css
    assert css == colours_stylesheet()


def test_badge_uses_the_class_of_its_value_and_escapes_its_label():
    assert badge("SEV1", "SEV1 — critical") == '<span class="badge badge-SEV1">SEV1 — critical</span>'
    assert badge("no-such-value", "<b>") == '<span class="badge badge-neutral">&lt;b&gt;</span>'


def test_markdown_is_sanitised():
    html = render_markdown('# Title\n\n<script>x()</script>[a](javascript:alert(1)) <span style="color:red">s</span>')
    assert "<h1>Title</h1>" in html
    assert "<script" not in html and "javascript:" not in html and "style=" not in html


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: str(p.relative_to(settings.BASE_DIR)))
def test_templates_need_no_unsafe_inline(path):
    """A strict CSP (no 'unsafe-inline') must not break any page: no inline script, style or handlers."""
    text = re.sub(r"{%\s*comment\s*%}.*?{%\s*endcomment\s*%}|{#.*?#}", "", path.read_text(), flags=re.S)
    assert not re.search(r"<script(?![^>]*\ssrc=)", text), "inline <script>"
    assert "<style" not in text
    assert not re.search(r"\sstyle=", text)
    assert not re.search(r"\son[a-z]+=", text)
    assert "http://" not in text and "https://" not in text, "assets must come from the app, not a CDN"


def test_static_assets_are_served(client):
    for path in ("/static/css/app.css", "/static/js/app.js"):
        response = client.get(path)
        assert response.status_code == 200, path
