"""Every student notebook, tried in a real browser: JupyterLab in headless Chromium, driven by Playwright.

For each notebook in notebooks/ (a copy, so notebooks/ is never touched): open it in JupyterLab, click Run
All as a learner does, and check that it renders (every cell ran: Run All does not stop at an unanswered
exercise; maths typeset, images load, widgets are widgets), that the only errors are the unanswered exercises'
(NotImplementedError or Waiting, and NameError for an answer not yet defined), that every slider moves its
picture (the timestep scrubber, the schedule explorer), and that nbgrader's Validate button is in the toolbar.
In the learner's JupyterLab (the same as `make lab`) the instructor's tools are absent, Validate validates, a
hint is revealed and the progress table renders. The sliders are the kernel-free widgets' (course_lib.widgets):
the time from a key press on a slider to its new frame on screen is recorded. A screenshot of each whole notebook goes to
test-output/screenshots/, and test-output/browser-report.json records what was seen (errors, stderr, the
latency from a slider step to the new frame). Skipped, with the reason, where Chromium cannot be had.
"""

from __future__ import annotations

import json
import shutil
import statistics
import time
from pathlib import Path

import nbformat
import pytest

from browser_lab import (ALL_RAN, CELLS, DIALOG, KERNEL_IDLE, LEARNER_TOOLS, NBGRADER_COMMANDS, NOTEBOOK_HEIGHT,
                         RENDERED, RUN_ALL, RUN_CELL, RUN_DONE, RUN_NEW_CELL, SHUTDOWN_KERNEL, WIDGET_ROOTS,
                         headless_chromium, jupyter_lab, step_latencies)
from conftest import ROOT
from course_lib.grading.sanitize import names_defined_by_answers

pytestmark = pytest.mark.slow

NOTEBOOKS = sorted(p.parent.name for p in (ROOT / "notebooks").glob("*/*.ipynb"))
OUTPUT = ROOT / "test-output"
SCREENSHOTS = OUTPUT / "screenshots"
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
VIEWPORT = {"width": 1280, "height": 900}
RUN_TIMEOUT_MS = 180_000  # every cell of one notebook, in the browser (about 10 s today)
MAX_SCREENSHOT_HEIGHT = 30000  # pixels; Chromium's limit for one capture is higher, an image viewer's lower


@pytest.fixture(scope="module")
def browser():
    with headless_chromium() as chromium:
        yield chromium


@pytest.fixture(scope="module")
def lab(browser, tmp_path_factory):
    """JupyterLab serving a scratch copy of notebooks/, from the course root (nbgrader finds its config)."""
    served = tmp_path_factory.mktemp("browser") / "served"
    shutil.copytree(ROOT / "notebooks", served, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    OUTPUT.mkdir(exist_ok=True)
    with jupyter_lab(served, cwd=ROOT, log=OUTPUT / "browser-jupyterlab.log") as base:
        yield base


@pytest.fixture(scope="module")
def report():
    seen: dict = {}
    yield seen
    OUTPUT.mkdir(exist_ok=True)
    (OUTPUT / "browser-report.json").write_text(json.dumps(seen, indent=1))


def answer_names(assignment: str) -> set[str]:
    """Names the solution cells define (functions, variables): a NameError for one is an unanswered exercise."""
    path = ROOT / "solutions" / assignment / f"{assignment}.ipynb"
    return names_defined_by_answers(nbformat.read(path, as_version=4)) if path.exists() else set()


def expects_widgets(assignment: str) -> bool:
    """Whether the notebook displays a live widget (its solution's stored outputs hold one)."""
    path = ROOT / "solutions" / assignment / f"{assignment}.ipynb"
    source = path if path.exists() else ROOT / "notebooks" / assignment / f"{assignment}.ipynb"
    return any(WIDGET_MIME in out.get("data", {}) for cell in nbformat.read(source, as_version=4).cells
               if cell.cell_type == "code" for out in cell.outputs)


def unexpected_errors(cells: list[dict], allowed_names: set[str]) -> list[str]:
    problems = []
    for cell in cells:
        for out in cell["outputs"]:
            if out["type"] != "error":
                continue
            if out["ename"] in ("NotImplementedError", "Waiting"):
                continue
            if out["ename"] == "NameError" and any(f"name '{n}' is not defined" in (out["evalue"] or "")
                                                   for n in allowed_names):
                continue
            first = cell["source"].splitlines()[0] if cell["source"] else ""
            problems.append(f"cell {cell['index']} ({first[:60]}): {out['ename']}: {out['evalue']}")
    return problems


def exercise_sliders(page, scope: str = ".jp-OutputArea-output") -> list[dict]:
    """Click each kernel-free widget's slider at 40 % of its track, then step it with the keyboard.

    The frame must follow each time; the time from each key press to the new frame on screen is recorded
    (:func:`browser_lab.step_latencies`). Returns one dict per widget.
    """
    roots = page.locator(f"{scope} :is({WIDGET_ROOTS})")
    found = []
    for i in range(roots.count()):
        root = roots.nth(i)
        slider = root.locator("input[type=range]").first
        slider.scroll_into_view_if_needed()
        value_before = slider.input_value()
        box = slider.bounding_box()  # Playwright's click waits until the slider holds still (JupyterLab re-lays out)
        slider.click(position={"x": 0.4 * box["width"], "y": box["height"] / 2})
        value_clicked = slider.input_value()
        latencies = step_latencies(page, root)
        found.append({"widget": root.get_attribute("class"), "value_before": value_before,
                      "value_clicked": value_clicked, "value_after": slider.input_value(),
                      "step_to_frame_drawn_median_ms": round(statistics.median(x["drawn_ms"] for x in latencies), 1),
                      "step_to_frame_painted_median_ms": round(statistics.median(x["painted_ms"] for x in latencies), 1),
                      "step_to_frame_painted_max_ms": round(max(x["painted_ms"] for x in latencies), 1)})
    return found


def screenshot_whole_notebook(page, path: Path) -> None:
    """Make the window as tall as the notebook, so one capture shows every cell, then capture it."""
    height = page.evaluate(NOTEBOOK_HEIGHT)
    page.set_viewport_size({"width": VIEWPORT["width"], "height": min(MAX_SCREENSHOT_HEIGHT, height)})
    page.wait_for_timeout(1500)  # layout, lazy rendering of the cells that just came into view
    page.evaluate("() => window.jupyterapp.shell.currentWidget.content.scrollToItem(0)")
    page.screenshot(path=str(path))
    page.set_viewport_size(VIEWPORT)


@pytest.mark.parametrize("assignment", NOTEBOOKS)
def test_notebook_in_the_browser(assignment, browser, lab, report):
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    page = browser.new_page(viewport=VIEWPORT)
    console_errors = []
    page.on("pageerror", lambda exc: console_errors.append(str(exc)))
    try:
        page.goto(f"{lab}/lab/tree/{assignment}/{assignment}.ipynb?reset")
        page.wait_for_function(KERNEL_IDLE, timeout=90000)
        start = time.perf_counter()
        page.evaluate(RUN_ALL)
        page.wait_for_function(RUN_DONE, timeout=RUN_TIMEOUT_MS, polling=200)
        try:  # Run All's promise can settle while cells still wait in the kernel's queue (seen on a busy machine)
            page.wait_for_function(ALL_RAN, timeout=RUN_TIMEOUT_MS, polling=200)
        except PlaywrightTimeout:
            pass  # the assertion below names the cells that never ran
        run_seconds = time.perf_counter() - start
        page.wait_for_function(KERNEL_IDLE, timeout=60000)
        cells = page.evaluate(CELLS)
        sliders = exercise_sliders(page)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        screenshot_whole_notebook(page, SCREENSHOTS / f"{assignment}.png")
        rendered = page.evaluate(RENDERED)
        code = [c for c in cells if c["type"] == "code"]
        report[assignment] = {
            "run_each_cell_s": round(run_seconds, 2), "rendered": rendered, "sliders": sliders,
            "errors": [f"cell {c['index']}: {o['ename']}: {o['evalue']}" for c in code for o in c["outputs"]
                       if o["type"] == "error"],
            "stderr": [f"cell {c['index']}: {o['text'][:300]}" for c in code for o in c["outputs"]
                       if o["type"] == "stream" and o["name"] == "stderr"],
            "page_errors": console_errors,
        }
        page.evaluate(SHUTDOWN_KERNEL)
    finally:
        page.close()

    not_run = [c["index"] for c in code if c["count"] is None]
    assert not not_run, f"code cells that never ran: {not_run}"
    assert rendered["cells"] == len(cells), f"{rendered['cells']} cells on the page, {len(cells)} in the notebook"
    assert rendered["markdown_unrendered"] == 0, "markdown cells left as source"
    assert not rendered["math_errors"], f"maths that did not typeset: {rendered['math_errors']}"
    assert rendered["broken_images"] == 0, f"{rendered['broken_images']} of {rendered['images']} images did not load"
    assert not rendered["widget_errors"], f"widgets that did not render: {rendered['widget_errors']}"
    problems = unexpected_errors(cells, answer_names(assignment))
    assert not problems, "errors other than the exercise stubs':\n" + "\n".join(problems)
    assert rendered["validate"] == 1, "nbgrader's Validate button is not in the notebook toolbar"
    widget_outputs = sum(WIDGET_MIME in o["mimes"] for c in code for o in c["outputs"])
    if expects_widgets(assignment):
        assert widget_outputs and rendered["widgets"], "the notebook's widget did not render"
        assert sliders, "no slider to move in the notebook's widget"
    for slider in sliders:
        assert slider["value_clicked"] != slider["value_before"], f"{slider['widget']}: a click did not move the slider"
        assert slider["value_after"] != slider["value_clicked"], f"{slider['widget']}: the arrow key did not move it"


def test_a_learners_tools_in_the_browser(browser, lab, report):
    """The learner's JupyterLab: Validate and nothing of the instructor's; a hint, the progress table, Validate."""
    assignment = "02-one-step-rule"
    page = browser.new_page(viewport=VIEWPORT)
    try:
        page.goto(f"{lab}/lab/tree/{assignment}/{assignment}.ipynb?reset")
        page.wait_for_function(KERNEL_IDLE, timeout=90000)
        tools = page.evaluate(LEARNER_TOOLS, NBGRADER_COMMANDS)
        first_code = next(c["index"] for c in page.evaluate(CELLS) if c["type"] == "code")
        page.evaluate(RUN_CELL, first_code)  # the setup cell: imports the notebook's checks
        hints = [page.evaluate(RUN_NEW_CELL, 'checks.hint("forward_step")') for _ in range(2)]
        table = page.evaluate(RUN_NEW_CELL, "from course_lib.progress import show\nshow()")
        page.locator(".validate-button").first.click()
        page.wait_for_function(f"() => ({DIALOG})() !== null && !/Validating|Saving/.test(({DIALOG})().text)",
                               timeout=180000, polling=500)
        dialog = page.evaluate(DIALOG)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "learner-validate.png"))
        page.keyboard.press("Escape")
        report["learner-tools"] = {"tools": tools, "hints": hints, "progress": table, "validate": dialog}
        page.evaluate(SHUTDOWN_KERNEL)
    finally:
        page.close()

    assert tools["validate"] == 1, "nbgrader's Validate button is not in the notebook toolbar"
    assert "Nbgrader" not in tools["menus"], f"the Nbgrader menu is shown: {tools['menus']}"
    assert tools["commands"] == [], f"instructor commands are registered: {tools['commands']}"
    assert not tools["create_assignment_panel"], "the Create Assignment panel is there"
    assert "Hint 1 of" in hints[0]["text"] and "forward_step" in hints[0]["text"]
    assert "Hint 2 of" in hints[1]["text"], "asking again shows the next hint"
    assert table["tables"] == 1 and assignment in table["text"] and "not started" in table["text"]
    assert "Cannot" not in dialog["text"] and "Version Mismatch" not in dialog["title"], dialog
    assert "Validat" in dialog["title"] or "Validat" in dialog["text"], dialog


def test_only_the_stubs_errors_are_allowed():
    """The error filter itself: stub errors pass, anything else (or a NameError of a non-answer) is reported."""
    def cell(index, ename, evalue):
        return {"index": index, "source": f"cell {index}", "outputs": [
            {"type": "error", "ename": ename, "evalue": evalue}, {"type": "stream", "name": "stdout"}]}

    cells = [cell(1, "NotImplementedError", ""), cell(2, "NameError", "name 'slip_answer' is not defined"),
             cell(3, "NameError", "name 'np' is not defined"), cell(4, "ValueError", "x0 must be finite"),
             cell(5, "CheckFailed", "beta used where sqrt(beta) belongs")]
    problems = unexpected_errors(cells, {"slip_answer", "forward_step"})
    assert [p.split(" ")[1] for p in problems] == ["3", "4", "5"]
    assert "NameError: name 'np' is not defined" in problems[0]


def test_answer_names_come_from_the_solution_cells():
    names = answer_names("02-one-step-rule")
    assert {"forward_step", "forward_chain", "x2_slip", "eps2_needed", "beta_size_answer"} <= names
    assert "rng" not in names and "np" not in names
    assert "x_prev" not in names, "a function's arguments and locals are not answers"
