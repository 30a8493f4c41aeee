"""Plumbing for tests/test_browser.py: Debian's Chromium, a token-less JupyterLab on 127.0.0.1, page scripts.

Nothing here downloads a browser: Chromium comes from Debian's package (``apt-get install chromium``, as
root) and Playwright's Python client drives it through ``executable_path``.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

from course_lib.lab import lab_argv, learner_env

CHROMIUM = "/usr/bin/chromium"
START_TIMEOUT_S = 300  # a busy 2-core machine took 90 s to start JupyterLab (importing nbgrader: 24 s)
CHROMIUM_ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def chromium_missing_reason() -> str | None:
    """None when ``/usr/bin/chromium`` is there (installing Debian's package first if root can); else why not."""
    if Path(CHROMIUM).exists():
        return None
    if os.geteuid() != 0:
        return (f"{CHROMIUM} is missing and installing it needs root: run `sudo apt-get install -y chromium` "
                "(Debian's package; the test never downloads a browser)")
    if not shutil.which("apt-get"):
        return f"{CHROMIUM} is missing and there is no apt-get to install Debian's chromium package"
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    for cmd in (["apt-get", "update"], ["apt-get", "install", "-y", "chromium"]):
        try:
            proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=900)
        except subprocess.TimeoutExpired:
            return f"`{' '.join(cmd)}` did not finish in 15 minutes"
        if proc.returncode != 0:
            return f"`{' '.join(cmd)}` failed ({proc.returncode}): {(proc.stderr or proc.stdout)[-500:]}"
    return None if Path(CHROMIUM).exists() else f"apt-get installed chromium but {CHROMIUM} is not there"


@contextmanager
def headless_chromium():
    """Headless Chromium, driven by Playwright; the test is skipped, with the reason, where it cannot be had."""
    import pytest

    reason = chromium_missing_reason()
    if reason:
        pytest.skip(reason)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("Playwright's Python client is not installed in this environment (make venv-test installs it)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield chromium
        finally:
            chromium.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def jupyter_lab(root_dir: Path, cwd: Path, log: Path):
    """The learner's JupyterLab (:mod:`course_lib.lab`: the same command and configuration as ``make lab``) on a
    free 127.0.0.1 port, without a token, serving ``root_dir``; yields its base URL.

    ``cwd`` is where nbgrader looks for ``nbgrader_config.py`` (the course root, as with ``make lab``).
    User settings and workspaces live in a scratch folder (news notifications off), never in ``~/.jupyter``.
    The server is stopped, with its kernels, when the block ends.
    """
    settings = root_dir.parent / "lab-settings"
    news = settings / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings"
    news.parent.mkdir(parents=True, exist_ok=True)
    news.write_text('{"fetchNews": "false", "checkForUpdates": false}')
    env = learner_env(dict(os.environ, JUPYTERLAB_SETTINGS_DIR=str(settings),
                           JUPYTERLAB_WORKSPACES_DIR=str(root_dir.parent / "lab-ws")))
    port = free_port()
    cmd = lab_argv(root_dir, port, open_browser=False, ip="127.0.0.1", extra=[
        "--ServerApp.port_retries=0", "--IdentityProvider.token=", "--LabApp.expose_app_in_browser=True",
        "--LabApp.news_url=None", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"])
    base = f"http://127.0.0.1:{port}"
    with open(log, "w") as out:
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"JupyterLab exited ({proc.returncode}):\n{log.read_text()[-3000:]}")
            try:
                with urllib.request.urlopen(f"{base}/api/status", timeout=5):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"JupyterLab did not answer in {START_TIMEOUT_S} s:\n"
                                       f"{log.read_text()[-3000:]}") from None
                time.sleep(0.5)
        yield base
    finally:
        proc.terminate()  # the server shuts its kernels down on SIGTERM
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=30)


# --- scripts run in the page (JupyterLab exposes its application as window.jupyterapp) ---------------------

KERNEL_IDLE = """() => {
  const panel = window.jupyterapp && window.jupyterapp.shell.currentWidget;
  const kernel = panel && panel.sessionContext && panel.sessionContext.session && panel.sessionContext.session.kernel;
  return Boolean(panel && panel.content && panel.content.widgets.length && kernel && kernel.status === 'idle');
}"""

# JupyterLab's own Run All, as a learner clicks it. It stops at an error in any cell *not* tagged
# raises-exception; the release tags the exercise cells and the cells that use their answers, so an untouched
# notebook runs to the end. Started without being awaited. The command can resolve while the kernel is still
# working through its queue (seen on a loaded machine: 12 of 25 cells done, and once the last reply 4 s after
# the kernel went idle), so RUN_DONE also waits for the kernel to be idle and every code cell to have run, or,
# if one never does, for 10 s of idle kernel (the test then names the cells that never ran).
RUN_ALL = """() => {
  const app = window.jupyterapp;
  if (!app.shell.leftCollapsed) app.shell.collapseLeft();
  const panel = app.shell.currentWidget;
  window.courseRunDone = false;
  window.courseLastBusy = performance.now();
  panel.sessionContext.statusChanged.connect((_, status) => {
    if (status !== 'idle') window.courseLastBusy = performance.now();
  });
  (async () => {
    await app.commands.execute('notebook:run-all-cells');
    panel.content.activeCellIndex = 0;
    window.courseRunDone = true;
  })();
}"""
RUN_DONE = """() => {
  const panel = window.jupyterapp.shell.currentWidget;
  if (window.courseRunDone !== true || panel.sessionContext.session.kernel.status !== 'idle') return false;
  const idle = performance.now() - window.courseLastBusy;
  const ran = panel.content.widgets.every(c => c.model.type !== 'code' || c.model.executionCount !== null);
  return (ran && idle > 500) || idle > 10000;
}"""
# Every code cell has run (has an execution count) and the kernel is idle.
ALL_RAN = """() => {
  const panel = window.jupyterapp.shell.currentWidget;
  return panel.sessionContext.session.kernel.status === 'idle' && panel.content.widgets.every(
      cell => cell.model.type !== 'code' || cell.model.executionCount !== null);
}"""

CELLS = """() => window.jupyterapp.shell.currentWidget.content.widgets.map((cell, index) => ({
  index, type: cell.model.type,
  count: cell.model.type === 'code' ? cell.model.executionCount : null,
  source: cell.model.sharedModel.getSource(),
  outputs: cell.model.type === 'code' ? cell.model.outputs.toJSON().map(o => ({
    type: o.output_type, ename: o.ename || null, evalue: o.evalue || null, name: o.name || null,
    text: typeof o.text === 'string' ? o.text : (o.text || []).join(''),
    mimes: o.data ? Object.keys(o.data) : []})) : []}))"""

# What a learner sees, from the DOM: rendered cells, maths that failed to typeset, images that failed to load,
# widget outputs that did not become widgets.
RENDERED = """() => {
  const panel = window.jupyterapp.shell.currentWidget, node = panel.content.node;
  const cells = Array.from(node.querySelectorAll('.jp-Cell'));
  return {
    cells: cells.length,
    markdown_unrendered: Array.from(node.querySelectorAll('.jp-MarkdownCell')).filter(
        c => !c.querySelector('.jp-RenderedMarkdown')).length,
    math_errors: Array.from(node.querySelectorAll('mjx-merror, .MathJax_Error')).map(e => e.textContent),
    broken_images: Array.from(node.querySelectorAll('.jp-OutputArea-output img')).filter(
        img => !img.complete || img.naturalWidth === 0).length,
    images: node.querySelectorAll('.jp-OutputArea-output img').length,
    widget_errors: Array.from(node.querySelectorAll('.jp-OutputArea-output')).filter(
        o => /Error displaying widget|Loading widget/.test(o.textContent)).map(o => o.textContent.slice(0, 200)),
    widgets: node.querySelectorAll(
        '.jp-OutputArea-output :is(.jupyter-widgets, .course-scrubber, .course-explorer)').length,
    validate: Array.from(panel.toolbar.node.querySelectorAll('.validate-button, [aria-label="Validate"]')).filter(
        b => b.textContent.trim() === 'Validate' && b.getAttribute('aria-disabled') !== 'true'
             && b.offsetParent !== null).length,
  };
}"""

NOTEBOOK_HEIGHT = """() => {
  const node = window.jupyterapp.shell.currentWidget.content.node;
  const scroller = node.querySelector('.jp-WindowedPanel-outer') || node;
  return scroller.scrollHeight + document.body.clientHeight - scroller.clientHeight + 100;
}"""

SHUTDOWN_KERNEL = "async () => { await window.jupyterapp.shell.currentWidget.sessionContext.shutdown(); }"

# --- the kernel-free widgets: time from a slider step to its frame on screen --------------------------------

# Armed before a key press on a slider inside ``root``: resolves with the milliseconds from the key press
# (the keydown event's timestamp) to the new frame being drawn (the widget marks it with data-t / data-frame)
# and to the browser's next rendering step after that (requestAnimationFrame), when the frame is painted.
ARM_STEP = """(root) => {
  window.courseStep = new Promise((resolve, reject) => {
    let pressed = null;
    root.addEventListener('keydown', (event) => { pressed = event.timeStamp; }, {capture: true, once: true});
    const observer = new MutationObserver(() => {
      if (pressed === null) return;
      observer.disconnect();
      const drawn = performance.now();
      requestAnimationFrame(() => resolve({drawn_ms: drawn - pressed, painted_ms: performance.now() - pressed}));
    });
    observer.observe(root, {attributes: true, subtree: true, attributeFilter: ['data-t', 'data-frame']});
    setTimeout(() => reject(new Error('no new frame 10 s after the key press')), 10000);
  });
}"""
STEP_DONE = "() => window.courseStep"

# The kernel-free widgets' roots and their sliders, in page order.
WIDGET_ROOTS = ".course-scrubber, .course-explorer"


def step_latencies(page, root, steps: int = 8) -> list[dict]:
    """Press ArrowRight on the first slider in ``root`` ``steps`` times; the latency of each step (see ARM_STEP).

    The first step after the page loads is not counted (the browser compiles the drawing code then).
    """
    slider = root.locator("input[type=range]").first
    slider.scroll_into_view_if_needed()
    slider.focus()
    results = []
    for i in range(steps + 1):
        page.wait_for_timeout(100)  # let the previous frame land
        page.evaluate(ARM_STEP, root.element_handle())
        page.keyboard.press("ArrowRight")
        latency = page.evaluate(STEP_DONE)
        if i:
            results.append(latency)
    return results


# What a learner's JupyterLab offers of nbgrader: the Validate button, but no Nbgrader menu, no formgrader, no
# Create Assignment panel and no course or assignment lists (their commands are not even registered).
NBGRADER_COMMANDS = ["nbgrader:open-formgrader", "nbgrader:open-formgrader-local", "nbgrader:open-course-list",
                     "nbgrader:open-assignment-list", "nbgrader:open-create-assignment"]
LEARNER_TOOLS = """(commands) => {
  const app = window.jupyterapp;
  const menus = Array.from(document.querySelectorAll('.lm-MenuBar-itemLabel')).map(e => e.textContent.trim());
  return {
    menus,
    commands: commands.filter(c => app.commands.hasCommand(c)),
    create_assignment_panel: document.getElementById('nbgrader-create_assignemnt') !== null,
    validate: Array.from(app.shell.currentWidget.toolbar.node.querySelectorAll('.validate-button')).filter(
        b => b.offsetParent !== null).length,
  };
}"""

# Run one cell (its index) and wait until it has run; returns nothing.
RUN_CELL = """async (index) => {
  const app = window.jupyterapp, nb = app.shell.currentWidget.content;
  nb.activeCellIndex = index;
  await app.commands.execute('notebook:run-cell');
}"""

# Add a code cell at the end with ``code``, run it, and return the text its outputs show on the page.
RUN_NEW_CELL = """async (code) => {
  const app = window.jupyterapp, nb = app.shell.currentWidget.content;
  nb.activeCellIndex = nb.widgets.length - 1;
  await app.commands.execute('notebook:insert-cell-below');
  const cell = nb.activeCell;
  cell.model.sharedModel.setSource(code);
  await app.commands.execute('notebook:run-cell');
  await new Promise(resolve => setTimeout(resolve, 300));
  return {text: cell.node.querySelector('.jp-OutputArea').innerText,
          tables: cell.node.querySelectorAll('.jp-OutputArea table').length};
}"""

# The dialog nbgrader's Validate button opens, once it has one: its title and text.
DIALOG = """() => {
  const dialog = document.querySelector('.jp-Dialog');
  if (!dialog) return null;
  const title = dialog.querySelector('.jp-Dialog-header');
  return {title: title ? title.innerText : '', text: dialog.innerText};
}"""
