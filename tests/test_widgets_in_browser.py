"""The kernel-free widgets' front ends, in headless Chromium, on a bare page (no notebook, no build: seconds).

The page holds the widgets' state as a notebook saves it (ipywidgets' embed format) and the web edition's
host, ``course_lib/book/static/widgets.js``. Checked: the scrubber's canvas shows the kernel's own frame
(:meth:`TimestepScrubber.frame`) to within the 8-bit rounding of x0 and eps; the explorer's log-SNR slider
puts every schedule at the same noise level, where the pictures are the same, while at one step t they
differ. Skipped, with the reason, where Chromium cannot be had.
"""

from __future__ import annotations

import functools
import http.server
import json
import shutil
import threading

import numpy as np
import pytest

from browser_lab import headless_chromium
from course_lib import data
from course_lib.book.build import HERE as BOOK
from course_lib.schedules import linear_schedule
from course_lib.widgets.schedule_explorer import schedule_explorer
from course_lib.widgets.scrubber import TimestepScrubber

pytestmark = pytest.mark.slow

PIXELS = """(canvas) => Array.from(canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data)"""


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    from ipywidgets.embed import embed_data

    scrubber = TimestepScrubber(data.sample_image(96), linear_schedule(1000), np.random.default_rng(0),
                                image_format="png")
    image = data.sample_image(32)
    explorer = schedule_explorer(image, np.random.default_rng(4).standard_normal(image.shape),
                                 labels=("linear", "cosine"), T=1000, t=500)
    embedded = embed_data(views=[scrubber.widget, explorer], drop_defaults=False)
    site = tmp_path_factory.mktemp("widgets")
    shutil.copy(BOOK / "static" / "widgets.js", site)
    views = "".join(f'<script type="application/vnd.jupyter.widget-view+json">{json.dumps(v)}</script>'
                    for v in embedded["view_specs"])
    (site / "index.html").write_text(
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>widgets</title><link rel="icon" '
        'href="data:,"><script type="application/vnd.jupyter.widget-state+json">'
        f'{json.dumps(embedded["manager_state"])}</script><script type="module" src="widgets.js"></script>'
        f"</head><body><main>{views}</main></body></html>")

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(site)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    with headless_chromium() as browser:
        tab = browser.new_page()
        errors = []
        tab.on("pageerror", lambda exc: errors.append(str(exc)))
        tab.goto(f"http://127.0.0.1:{httpd.server_address[1]}/index.html")
        tab.wait_for_function("() => document.documentElement.dataset.courseWidgets === 'mounted'", timeout=30000)
        tab.wait_for_selector(".course-scrubber canvas[data-t]")
        tab.wait_for_selector(".course-explorer[data-frame]")
        yield tab, scrubber, errors
        browser.close()
    httpd.shutdown()
    httpd.server_close()


def test_the_scrubber_draws_the_kernels_frame(page):
    tab, scrubber, errors = page
    slider = tab.locator(".course-scrubber input[type=range]")
    canvas = tab.locator(".course-scrubber canvas")
    for t in (0, 150, 400, 1000):
        slider.fill(str(t))
        tab.wait_for_function("t => document.querySelector('.course-scrubber canvas').dataset.t === String(t)", arg=t)
        drawn = np.array(canvas.evaluate(PIXELS), dtype=float).reshape(96, 96, 4)[..., :3]
        # x0 is sent losslessly and eps rounded to 1/24: 127.5 / 48 = 2.7 levels, plus the two roundings
        assert np.abs(drawn - scrubber.frame(t)).max() <= 4, f"t = {t}"
    assert "t = 1000 of 1000" in tab.locator(".course-scrubber-caption").text_content()
    assert not errors


def test_the_explorer_on_log_snr_shows_every_schedule_at_the_same_noise_level(page):
    tab, _, errors = page
    root = tab.locator(".course-explorer")

    def pictures():
        canvases = root.locator(".course-explorer-images canvas")
        return [np.array(canvases.nth(i).evaluate(PIXELS), dtype=float) for i in range(canvases.count())]

    clean, linear, cosine = pictures()  # at step t = 500: linear has log SNR -2.46, cosine -0.02
    assert np.abs(linear - cosine).mean() > 10
    root.locator("input[value=log_snr]").check()
    root.locator("input[type=range]").fill("-3")
    tab.wait_for_function("() => document.querySelector('.course-explorer').dataset.frame.startsWith('log_snr:-3')")
    note = root.locator(".course-explorer-note").text_content()
    assert "linear: t = 548, log SNR -3.00" in note and "cosine: t = 859, log SNR -3.00" in note
    clean_again, linear, cosine = pictures()
    assert np.array_equal(clean, clean_again)
    assert np.abs(linear - cosine).max() <= 2  # the same alpha_bar (to the nearest step), the same picture
    root.locator("input[value=sigmoid]").check()  # a third schedule joins at the same noise level
    assert len(pictures()) == 4 and "sigmoid: t = 634" in root.locator(".course-explorer-note").text_content()
    assert not errors
