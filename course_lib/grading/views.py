"""What the formgrader and the feedback show of a submission: never the student's markup, never the secrets.

A submission is a student's notebook, markdown, outputs and metadata included. nbconvert renders markdown
with its raw HTML, ``javascript:`` links and ``mermaid`` blocks as they are, writes image sizes from output
metadata into unquoted attributes, and nbgrader's formgrader and feedback templates sanitise nothing; so an
``<img onerror>`` in a written answer or a ``<script>`` in an output runs in the grader's browser (logged in
to the formgrader) or the student's (the feedback). Wired into nbgrader by ``nbgrader_config.py``:

- :class:`SafeView` (``c.HTMLExporter.preprocessors``, every HTML view) keeps only what a view needs: outputs
  as text, PNG, JPEG or GIF, and HTML cleaned by :func:`clean_html`; numeric image sizes; nbgrader's cell
  metadata; attachments that are images; raw cells shown as text.
- :func:`markdown2html` (``c.HTMLExporter.filters``, the views' markdown filter) renders markdown with raw
  HTML escaped and harmful link protocols refused, then cleans the result with bleach's allow-list.
- :func:`highlight_code` (``c.HTMLExporter.filters``) highlights code as the course's language, Python, whatever
  language the notebook's metadata claims (nbconvert reads it before any preprocessor could clean it).
- :class:`ShowRubric` (``c.HTMLExporter.preprocessors``; acts in the formgrader only) shows, above each
  answer graded by hand, the source notebook's model answer and rubric.
- :class:`HideFromStudents` (``c.GenerateFeedback.preprocessors``) removes the hidden tests and any mark
  scheme from the feedback; ``c.HideFromStudents.hidden_tests = False`` shows the hidden tests.

:func:`clean_html` also disarms the MathJax commands that make links, set styles or load extensions
(``\\href``, ``\\style``, ...): the views typeset ``$...$`` wherever it appears in the page.
"""

from __future__ import annotations

import re
from pathlib import Path

import bleach
import nbformat
from bleach.css_sanitizer import CSSSanitizer
from jinja2 import pass_context
from mistune import HTMLRenderer
from nbconvert.filters.highlight import Highlight2HTML
from nbconvert.filters.markdown_mistune import IPythonRenderer, MarkdownWithMath
from nbconvert.preprocessors import Preprocessor
from nbgrader.coursedir import CourseDirectory
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Bool

__all__ = ["SafeView", "ShowRubric", "HideFromStudents", "markdown2html", "highlight_code", "clean_html"]

ALLOWED_TAGS = frozenset({
    "a", "abbr", "b", "blockquote", "br", "code", "del", "div", "em", "h1", "h2", "h3", "h4", "h5", "h6", "hr",
    "i", "img", "li", "ol", "p", "pre", "s", "span", "strong", "sub", "sup", "table", "tbody", "td", "tfoot",
    "th", "thead", "tr", "ul"})
ALLOWED_ATTRIBUTES = {"a": ["href", "title"], "img": ["src", "alt", "title", "width", "height"],
                      "th": ["style", "align", "colspan", "rowspan"], "td": ["style", "align", "colspan", "rowspan"],
                      "ol": ["start"], "span": ["class"], "div": ["class"], "code": ["class"], "pre": ["class"]}
#: Images may be data URLs of these types (attachments, embedded pictures); links may not be data URLs.
IMAGE_DATA_URL = re.compile(r"data:image/(png|jpeg|gif|webp);base64,[A-Za-z0-9+/=\s]*\Z")
#: MathJax commands that make links, set CSS classes, ids or styles, or load extensions.
TEX_ACTIVE = re.compile(r"\\(href|class|cssId|style|unicode|require|data|html|toggle|mathtip|texttip|action)"
                        r"(?![A-Za-z])")
SAFE_OUTPUT_TYPES = ("text/plain", "image/png", "image/jpeg", "image/gif")
NBGRADER_KEYS = {"grade": bool, "solution": bool, "task": bool, "locked": bool, "points": (int, float),
                 "grade_id": str, "schema_version": int, "cell_type": str, "checksum": str}
SAFE_NAME = re.compile(r"[A-Za-z0-9_.+-]{1,64}\Z")


def _attribute_allowed(tag: str, name: str, value: str) -> bool:
    if name not in ALLOWED_ATTRIBUTES.get(tag, ()):
        return False
    if tag == "img" and name == "src":
        return value.startswith(("http://", "https://")) or bool(IMAGE_DATA_URL.match(value))
    if tag == "a" and name == "href":
        return value.startswith(("http://", "https://", "mailto:", "#"))
    return True


_CLEANER = bleach.Cleaner(tags=ALLOWED_TAGS, attributes=_attribute_allowed,
                          protocols=["http", "https", "mailto", "data"], strip=False, strip_comments=True,
                          css_sanitizer=CSSSanitizer(allowed_css_properties=["text-align"]))


def clean_html(text: str) -> str:
    """``text`` (HTML) with only :data:`ALLOWED_TAGS` and safe attributes left as markup (other tags are
    shown as text), and MathJax's active commands written as plain text."""
    return TEX_ACTIVE.sub(r"\\backslash{}\1", _CLEANER.clean(text))


class _Renderer(IPythonRenderer):
    """nbconvert's markdown renderer without raw HTML, harmful links or unescaped mermaid blocks."""

    def __init__(self, attachments: dict):
        super().__init__(escape=True, allow_harmful_protocols=False, exclude_anchor_links=True,
                         attachments=attachments)

    def block_mermaidjs(self, code: str) -> str:
        return HTMLRenderer.block_code(self, code)

    def _embed_image_or_attachment(self, src: str) -> str:
        if src.startswith("attachment:") and not self.attachments.get(src[len("attachment:"):]):
            return ""  # nbconvert raises, which would make the whole page fail
        return super()._embed_image_or_attachment(src)


@pass_context
def markdown2html(context, source: str) -> str:
    """The views' markdown filter: markdown (with ``$...$`` math and image attachments) to clean HTML."""
    attachments = context.get("cell", {}).get("attachments", {}) or {}
    return clean_html(MarkdownWithMath(renderer=_Renderer(attachments)).render(source))


_PYTHON = Highlight2HTML(pygments_lexer="ipython3")


def highlight_code(source: str, language: str | None = None, metadata: dict | None = None) -> str:
    """The views' code filter: ``source`` highlighted as IPython (the course's language)."""
    return _PYTHON(source, language="ipython3")


def _number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _safe_output(output) -> dict:
    kind = output.get("output_type")
    if kind == "stream":
        return nbformat.v4.new_output("stream", name="stderr" if output.get("name") == "stderr" else "stdout",
                                      text=str(output.get("text", "")))
    if kind == "error":
        return nbformat.v4.new_output("error", ename=str(output.get("ename", "")),
                                      evalue=str(output.get("evalue", "")),
                                      traceback=[str(line) for line in output.get("traceback", [])])
    data = output.get("data", {}) or {}
    kept = {k: str(v) if k == "text/plain" else v for k, v in data.items()
            if k in SAFE_OUTPUT_TYPES and isinstance(v, str)}
    if isinstance(data.get("text/html"), str):
        kept["text/html"] = clean_html(data["text/html"])
    if not kept:
        kept["text/plain"] = f"[an output of type {', '.join(sorted(map(str, data))) or 'none'}: not shown here]"
    metadata = {}
    for mime, meta in (output.get("metadata", {}) or {}).items():
        if mime in kept and isinstance(meta, dict):
            sizes = {k: meta[k] for k in ("width", "height") if _number(meta.get(k))}
            if sizes:
                metadata[mime] = sizes
    if kind == "execute_result":
        return nbformat.v4.new_output("execute_result", data=kept, metadata=metadata,
                                      execution_count=output.get("execution_count") if
                                      isinstance(output.get("execution_count"), int) else None)
    return nbformat.v4.new_output("display_data", data=kept, metadata=metadata)


def _safe_nbgrader(meta) -> dict:
    if not isinstance(meta, dict):
        return {}
    kept = {k: v for k, v in meta.items() if k in NBGRADER_KEYS and isinstance(v, NBGRADER_KEYS[k])}
    if "grade_id" in kept and not SAFE_NAME.match(kept["grade_id"]):
        del kept["grade_id"]
    return kept


def _fenced(text: str) -> str:
    fence = "~" * max(3, 1 + max((len(m) for m in re.findall(r"~+", text)), default=0))
    return f"{fence}\n{text}\n{fence}"


class SafeView(Preprocessor):
    """Keep only what a view of a submission needs, in forms the templates render safely (module docstring)."""

    def preprocess(self, nb, resources):
        """Clean the notebook's metadata, then every cell."""
        language = nb.metadata.get("language_info", {})
        language = {k: language[k] for k in ("name", "pygments_lexer") if isinstance(language, dict)
                    and isinstance(language.get(k), str) and SAFE_NAME.match(language[k])}
        nb.metadata = nbformat.NotebookNode({"language_info": language} if "name" in language else {})
        return super().preprocess(nb, resources)

    def preprocess_cell(self, cell, resources, index):
        """Keep nbgrader's metadata and image attachments; raw cells become text; outputs are cleaned."""
        meta = _safe_nbgrader(cell.metadata.get("nbgrader"))
        cell.metadata = nbformat.NotebookNode({"nbgrader": meta} if meta else {})
        if cell.cell_type == "raw":
            cell.cell_type, cell.source = "markdown", _fenced(str(cell.source))
        if cell.cell_type == "markdown":
            attachments = cell.get("attachments", {}) if isinstance(cell.get("attachments"), dict) else {}
            images = {name: {m: d for m, d in mimes.items() if m in SAFE_OUTPUT_TYPES[1:] and isinstance(d, str)}
                      for name, mimes in attachments.items() if isinstance(mimes, dict)}
            cell.attachments = {name: mimes for name, mimes in images.items() if mimes}
        if cell.cell_type == "code":
            cell.outputs = [_safe_output(o) for o in cell.get("outputs", []) if isinstance(o, dict)]
        return cell, resources


class ShowRubric(Preprocessor):
    """In the formgrader, put the source notebook's model answer and rubric above each answer graded by hand.

    The formgrader renders the autograded notebook, where a written answer is the student's text only; the
    model answer (and its rubric) is the same cell in ``<source>/<assignment>/<notebook>.ipynb``. Acts only
    on the formgrader's pages (whose resources name a ``submission_id``), never on feedback.
    """

    def preprocess(self, nb, resources):
        """Insert a rubric cell before every cell that is a hand-graded answer in the source notebook."""
        if "submission_id" not in resources or "nbgrader" in resources:
            return nb, resources
        coursedir = CourseDirectory(config=self.config)
        folder = Path(coursedir.format_path(coursedir.source_directory, ".", resources["assignment_id"]))
        source = folder / f"{resources['notebook_id']}.ipynb"
        if not source.is_file():
            return nb, resources
        model = {c.metadata.nbgrader["grade_id"]: c for c in nbformat.read(source, as_version=4).cells
                 if c.metadata.get("nbgrader", {}).get("solution") and c.metadata.nbgrader.get("grade")}
        where = source.relative_to(coursedir.root) if source.is_relative_to(coursedir.root) else source
        cells = []
        for cell in nb.cells:
            grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
            if grade_id in model:
                cells.append(_rubric_cell(model[grade_id], grade_id, where))
            cells.append(cell)
        nb.cells = cells
        return nb, resources


def _rubric_cell(model, grade_id: str, where: Path):
    text = model.source if model.cell_type == "markdown" else _fenced(model.source)
    return nbformat.v4.new_markdown_cell(
        f"---\n**Model answer and rubric for `{grade_id}`** (graders only; from `{where}`):\n\n{text}\n\n"
        f"**End of the model answer.** The student's answer follows.\n\n---")


class HideFromStudents(NbGraderPreprocessor):
    """Feedback without the hidden tests (unless ``hidden_tests = False``) and without any mark scheme.

    nbgrader puts a test cell's hidden part back when it autogrades (the cell is locked), so without this
    step the feedback would print every hidden test. A cell that lost a hidden part keeps each error's name
    and message but not its traceback, which would quote the hidden lines.
    """

    hidden_tests = Bool(True, help="Remove the hidden tests from the feedback (False shows them)").tag(config=True)

    def _regions(self) -> list[tuple[str, str, str]]:
        regions = [("BEGIN MARK SCHEME", "END MARK SCHEME", "(mark scheme: not shown)")]
        if self.hidden_tests:
            regions.append(("BEGIN HIDDEN TESTS", "END HIDDEN TESTS", "# (hidden tests: not shown)"))
        return regions

    def preprocess_cell(self, cell, resources, index):
        """Cut every marked region out of the cell's source; shorten its error tracebacks if it had one."""
        lines, kept, removed, inside = str(cell.source).split("\n"), [], False, None
        for line in lines:
            if inside is None:
                start = next((r for r in self._regions() if r[0] in line), None)
                if start:
                    inside, removed = start, True
                    kept.append(start[2])
                else:
                    kept.append(line)
            elif inside[1] in line:
                inside = None
        if removed:
            cell.source = "\n".join(kept)
            for output in cell.get("outputs", []):
                if output.get("output_type") == "error":
                    output.traceback = [f"{output.get('ename', '')}: {output.get('evalue', '')}"]
        return cell, resources
