"""Where a marker planted in a submission ends up in an HTML page: only ever as text.

Tests put ``PAYLOAD`` into markup, scripts, links and metadata of a notebook, render it the way the
formgrader or the feedback does, and call :func:`audit`: it fails if the marker is inside an attribute, a
script, a style or an embedded document, if any event handler other than the page template's own appears,
if a link or image points to ``javascript:`` or an HTML data URL, or if a MathJax link command survived.
"""

from __future__ import annotations

from html.parser import HTMLParser

PAYLOAD = "PWNED"
#: Event handlers that nbgrader's formgrader template itself writes.
TEMPLATE_HANDLERS = frozenset({"toggle_name(true);", "toggle_name(false);"})
CONTAINERS = ("script", "style", "iframe", "object", "embed", "svg", "math", "template")


class _Audit(HTMLParser):
    def __init__(self):
        super().__init__()
        self.inside: list[str] = []
        self.problems: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            value = value or ""
            if PAYLOAD in value or value.lower().lstrip().startswith(("javascript:", "data:text")) or (
                    name.startswith("on") and value not in TEMPLATE_HANDLERS):
                self.problems.append(f"<{tag} {name}={value[:80]!r}>")
        if tag in CONTAINERS:
            self.inside.append(tag)

    def handle_endtag(self, tag):
        if self.inside and self.inside[-1] == tag:
            self.inside.pop()

    def handle_data(self, data):
        if self.inside and PAYLOAD in data:
            self.problems.append(f"{PAYLOAD} inside <{self.inside[-1]}>: {data.strip()[:80]!r}")
        self.text.append(data)


def audit(html: str) -> str:
    """The page's text, after asserting that the payload appears nowhere but as text (module docstring)."""
    parser = _Audit()
    parser.feed(html)
    assert parser.problems == [], parser.problems
    text = "".join(parser.text)
    assert "\\href" not in text and "\\style" not in text
    return text
