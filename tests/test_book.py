"""The web edition (``make book``): built from the student notebooks, every page opened in headless Chromium.

The site is built once (``course_lib.book.build``: the five release notebooks executed, then Sphinx with
MyST-NB) into a scratch folder and served on 127.0.0.1. Each page must: render its notebook's cells; typeset
every formula with the MathJax the site carries; show every figure, each with alt text; mount every
interactive figure with no kernel, and redraw it when its slider steps (the time from a key press to the new
frame on screen is recorded); link to its student notebook; log no console error; send no request off the
machine; and pass axe-core's accessibility rules (WCAG 2.1 A and AA, and axe's best practices; colour
contrast on three pages, see CONTRAST_PAGES). What was seen
goes to test-output/book-report.json. Skipped, with the reason, where Chromium cannot be had.
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import statistics
import threading
import time
from pathlib import Path
from urllib.parse import urlparse

import nbformat
import pytest

from browser_lab import WIDGET_ROOTS, headless_chromium, step_latencies
from conftest import ROOT
from course_lib.book.build import assignments, build

pytestmark = pytest.mark.slow

OUTPUT = ROOT / "test-output"
PAGES = ["index", *assignments()]
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
VIEWPORT = {"width": 1280, "height": 900}
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
#: axe's colour-contrast rule checks every text node (800 to 900 a page, most of them code tokens) and takes
#: two thirds of axe's time; the pages share one theme, one code style and the course's CSS, so it runs on
#: the landing page and the two pages with interactive figures, and every other rule runs on every page.
CONTRAST_PAGES = {"index", "01-why-destroy-data", "04-schedules-and-snr"}

PAGE_STATE = """() => {
  const main = document.querySelector('main') || document.body;
  const visible = (node) => node.offsetParent !== null;
  const maths = Array.from(main.querySelectorAll('.math'));
  const images = Array.from(main.querySelectorAll('img'));
  return {
    title: document.title,
    h1: Array.from(main.querySelectorAll('h1')).filter(visible).map(h => h.textContent.trim()),
    maths: maths.length,
    typeset: maths.filter(m => m.querySelector('mjx-container')).length,
    math_errors: Array.from(main.querySelectorAll('mjx-merror')).map(e => e.textContent),
    images: images.map(img => ({src: img.getAttribute('src').slice(0, 80), alt: img.getAttribute('alt') || '',
                                loaded: img.complete && img.naturalWidth > 0})),
    widget_views: document.querySelectorAll('script[type="application/vnd.jupyter.widget-view+json"]').length,
    widgets_mounted: main.querySelectorAll('.course-widget[data-mounted="true"]').length,
    widget_state_bytes: (document.querySelector('script[type="application/vnd.jupyter.widget-state+json"]')
                         || {textContent: ''}).textContent.length,
    downloads: Array.from(main.querySelectorAll('a[href$=".ipynb"]')).map(a => a.getAttribute('href')),
    notes: main.querySelectorAll('.course-waiting').length,
    cells: main.querySelectorAll('.cell').length,
  };
}"""


AXE = """async ([tags, contrast]) => {
  // preload: false: axe's own re-fetch of the style sheets resolves their @import against the page, not the
  // sheet (a 404 for /basic.css); it only serves the css-orientation-lock rule
  const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}, preload: false,
                                          rules: {'color-contrast': {enabled: contrast}}});
  const mathsOnly = (target) => {
    const node = document.querySelector(target[0]);
    if (!node || !node.querySelector('mjx-container')) return false;
    const rest = node.cloneNode(true);
    rest.querySelectorAll('mjx-container').forEach(m => m.remove());
    return !rest.textContent.trim();
  };
  return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                      nodes: v.nodes.map(n => n.target)}))
    .map(v => v.id === 'empty-table-header' ? {...v, nodes: v.nodes.filter(t => !mathsOnly(t))} : v)
    .filter(v => v.nodes.length);
}"""


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The built site (its html folder) and how long the build took.

    With ``BOOK_HTML`` set (say ``BOOK_HTML=_build/book/html`` after ``make book``) that site is tested instead.
    """
    if os.environ.get("BOOK_HTML"):
        return Path(os.environ["BOOK_HTML"]).resolve(), 0.0
    start = time.perf_counter()
    html = build(tmp_path_factory.mktemp("book"), jobs=2)
    return html, time.perf_counter() - start


@pytest.fixture(scope="module")
def server(site):
    """The site served on a free 127.0.0.1 port (Python's http.server, quiet); yields its base URL."""
    html, _ = site

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(html)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="module")
def browser():
    with headless_chromium() as chromium:
        yield chromium


@pytest.fixture(scope="module")
def report(site):
    seen: dict = {"build_s": round(site[1], 1)}
    yield seen
    OUTPUT.mkdir(exist_ok=True)
    (OUTPUT / "book-report.json").write_text(json.dumps(seen, indent=1))


def _expected(html: Path, page: str) -> dict:
    """What the page must show, from the executed notebook it was built from."""
    nb = nbformat.read(html.parent / "source" / f"{page}.ipynb", as_version=4)
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    widgets = [o for o in outputs if WIDGET_MIME in o.get("data", {})]
    figures = [o for o in outputs if "image/png" in o.get("data", {}) and WIDGET_MIME not in o["data"]]
    return {"figures": len(figures), "widgets": len(widgets), "cells": len(nb.cells)}


def _axe(page, contrast: bool) -> list[dict]:
    """axe-core's violations on the page (axe.min.js from the axe-playwright-python package, run in the page).

    One known false positive is left out: a table header whose only content is a formula fails
    "empty-table-header", because MathJax draws characters with CSS and axe looks for visible DOM text; a
    screen reader reads the formula from MathJax's assistive MathML in the same header.
    """
    import axe_playwright_python

    page.add_script_tag(path=str(Path(axe_playwright_python.__file__).parent / "axe.min.js"))
    return page.evaluate(AXE, [AXE_TAGS, contrast])


@pytest.mark.parametrize("name", PAGES)
def test_page_in_the_browser(name, site, server, browser, report):
    html, _ = site
    page = browser.new_page(viewport=VIEWPORT)
    errors, outside, failed = [], [], []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("requestfailed", lambda request: failed.append(request.url))
    page.on("response", lambda response: failed.append(f"{response.status} {response.url}")
            if response.status >= 400 else None)
    local = urlparse(server).netloc

    def only_local(route):
        url = urlparse(route.request.url)
        if url.scheme in ("data", "blob") or url.netloc == local:
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", only_local)
    try:
        page.goto(f"{server}/{name}.html", wait_until="load")
        if page.locator("main .math").count():  # Sphinx loads MathJax on pages with maths only
            page.wait_for_function("() => window.MathJax && MathJax.startup && MathJax.startup.promise",
                                   timeout=30000)
            page.evaluate("() => MathJax.startup.promise.then(() => true)")
        expected = _expected(html, name) if name != "index" else {"figures": 0, "widgets": 0, "cells": 0}
        if expected["widgets"]:
            page.wait_for_function("() => document.documentElement.dataset.courseWidgets === 'mounted'",
                                   timeout=30000)
        state = page.evaluate(PAGE_STATE)
        sliders = []
        roots = page.locator(f"main :is({WIDGET_ROOTS})")
        for i in range(roots.count()):
            latencies = step_latencies(page, roots.nth(i))
            sliders.append({"widget": roots.nth(i).get_attribute("class"),
                            "step_to_frame_drawn_median_ms": round(statistics.median(x["drawn_ms"] for x in latencies), 1),
                            "step_to_frame_painted_median_ms": round(statistics.median(x["painted_ms"] for x in latencies), 1),
                            "step_to_frame_painted_max_ms": round(max(x["painted_ms"] for x in latencies), 1)})
        violations = _axe(page, contrast=name in CONTRAST_PAGES)
        OUTPUT.mkdir(exist_ok=True)
        page.screenshot(path=str(OUTPUT / f"book-{name}.png"))  # the first screen (a whole page takes seconds)
    finally:
        page.close()
    size = (html / f"{name}.html").stat().st_size
    report[name] = {**{k: v for k, v in state.items() if k != "images"}, "images": len(state["images"]),
                    "html_bytes": size, "sliders": sliders, "console_errors": errors, "outside_requests": outside,
                    "failed_requests": failed, "axe_violations": violations}

    assert len(state["h1"]) == 1, f"one title per page, got {state['h1']}"
    assert not outside, f"requests that left the machine: {outside}"
    assert not failed, f"requests that failed: {failed}"
    assert not errors, f"console errors: {errors}"
    assert state["typeset"] == state["maths"], f"{state['maths'] - state['typeset']} formulas not typeset"
    assert not state["math_errors"], f"maths that did not typeset: {state['math_errors']}"
    assert all(img["loaded"] for img in state["images"]), "images that did not load"
    assert all(img["alt"].strip() for img in state["images"]), "images without alt text"
    assert len(state["images"]) == expected["figures"], \
        f"{len(state['images'])} images on the page, {expected['figures']} figures in the notebook"
    assert state["widget_views"] == state["widgets_mounted"] == expected["widgets"], "interactive figures missing"
    assert len(sliders) == expected["widgets"]
    assert not violations, "axe-core: " + json.dumps(violations, indent=1)
    if name != "index":
        assert state["downloads"] and all(d.endswith(f"{name}.ipynb") for d in state["downloads"])
        assert (html / state["downloads"][0]).is_file(), "the download link leads nowhere"
        assert state["notes"] > 0, "the exercises' waiting messages should show as notes"
