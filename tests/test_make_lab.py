"""`make lab` and `python -m course_lib lab`: the learner's JupyterLab on their working copy, localhost only, token
required, nbgrader's Validate kept and the instructor's tools off; the browser opened, the address last."""

import html
import json
import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

from conftest import ROOT, tool_env
from course_lib.lab import DISABLED_PLUGINS, DISABLED_SERVER_EXTENSIONS, START_TIMEOUT_S, learner_env

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as resp:
            return resp.status, resp.read().decode()
    except urllib.error.HTTPError as err:
        return err.code, ""


def _page_config(page: str) -> dict:
    match = re.search(r'<script id="jupyter-config-data" type="application/json">(.*?)</script>', page, re.S)
    return json.loads(html.unescape(match.group(1)))


@pytest.mark.parametrize("route", ["make", "python"])
def test_lab_serves_the_working_copy_with_learner_tools_only(route, tmp_path):
    port, work = _free_port(), "test-output/lab-work"
    log = ROOT / "test-output" / f"lab-{route}.log"
    log.parent.mkdir(exist_ok=True)
    opened = tmp_path / "opened.txt"
    browser = f"{shlex.quote(sys.executable)} -c \"import sys; open({str(opened)!r}, 'w').write(sys.argv[1])\" %s"
    env = dict(tool_env(), BROWSER=browser)
    cmd = (["make", "--no-print-directory", "lab", f"LAB_PORT={port}", f"WORK={work}"] if route == "make" else
           [sys.executable, "-m", "course_lib", "lab", "--port", str(port), "--work", work, "--no-browser"])
    with open(log, "w") as out:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        address = None
        for _ in range(2 * START_TIMEOUT_S):
            lines = log.read_text().splitlines()
            if lines and re.fullmatch(rf"http://localhost:{port}/lab\?token=[0-9a-f]+", lines[-1]):
                address = lines[-1]
                break
            assert proc.poll() is None, log.read_text()
            time.sleep(0.5)
        assert address, f"the last line is not the address alone:\n{log.read_text()}"
        token = address.split("token=")[1]
        base = f"http://localhost:{port}"
        assert len(log.read_text().splitlines()) <= 12, "a short launch: JupyterLab's own messages go to its log"
        assert _get(f"{base}/api/contents")[0] == 403, "the server must require its token"
        status, listing = _get(f"{base}/api/contents?token={token}")
        assert status == 200 and "02-one-step-rule" in listing, "the server's root is the working copy"
        assert _get(f"{base}/api/contents/02-one-step-rule/02-one-step-rule.ipynb?token={token}")[0] == 200
        assert _get(f"{base}/formgrader/?token={token}")[0] == 404, "the formgrader is off for a learner"
        assert _get(f"{base}/formgraders?token={token}")[0] == 404, "the course list is off for a learner"
        assert _get(f"{base}/assignments?token={token}")[0] == 404, "the assignment list is off for a learner"
        status, body = _get(f"{base}/nbgrader_version?version=0.9.6&token={token}")
        assert status == 200 and json.loads(body)["success"], "Validate's version check still answers"
        disabled = _page_config(_get(f"{base}/lab?token={token}")[1])["disabledExtensions"]
        assert set(DISABLED_PLUGINS) <= set(disabled)
        assert "@jupyter/nbgrader:validate-assignment" not in disabled
        if route == "make":
            for _ in range(60):
                if opened.exists():
                    break
                time.sleep(0.5)
            assert opened.exists(), "JupyterLab asked for no browser"
            assert "jpserver-" in opened.read_text() or token in opened.read_text()
        else:
            assert not opened.exists(), "--no-browser opens none"
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=60)


#: Which nbgrader server extensions a Jupyter server started with ``env`` loads, as the server decides it.
EFFECTIVE = """
import json
from jupyter_server.serverapp import ServerApp
app = ServerApp()
app.load_config_file()
app.find_server_extensions()
print(json.dumps({k: v for k, v in app.jpserver_extensions.items() if k.startswith("nbgrader")}))
"""


def _server_extensions(env: dict) -> dict[str, bool]:
    out = subprocess.run([sys.executable, "-c", EFFECTIVE], cwd=ROOT, env=env, capture_output=True, text=True,
                         timeout=300)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def test_the_instructors_jupyter_keeps_every_nbgrader_tool():
    """The learner's configuration applies to the learner's launch only: a plain `jupyter lab` has them all."""
    plain = {k: v for k, v in tool_env().items() if k != "JUPYTER_CONFIG_PATH"}
    assert _server_extensions(plain) == {
        "nbgrader.server_extensions.formgrader": True, "nbgrader.server_extensions.validate_assignment": True,
        "nbgrader.server_extensions.assignment_list": True, "nbgrader.server_extensions.course_list": True}
    learner = _server_extensions(learner_env(plain))
    assert {name for name, on in learner.items() if not on} == set(DISABLED_SERVER_EXTENSIONS)
    assert learner["nbgrader.server_extensions.validate_assignment"]
