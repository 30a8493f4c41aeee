"""`make lab` serves the course on localhost, token required, from the learner's working copy."""

import os
import re
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request

import pytest

from conftest import ROOT, tool_env

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=5) as resp:
            return resp.status
    except urllib.error.HTTPError as err:
        return err.code


def test_make_lab_serves_the_working_copy_with_a_token():
    port, work = _free_port(), "test-output/lab-work"
    log = ROOT / "test-output" / "make-lab.log"
    log.parent.mkdir(exist_ok=True)
    with open(log, "w") as out:
        proc = subprocess.Popen(["make", "lab", f"LAB_PORT={port}", f"WORK={work}"], cwd=ROOT, env=tool_env(),
                                stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        token = None
        for _ in range(120):
            match = re.search(rf"http://localhost:{port}/\S*\?token=([0-9a-f]+)", log.read_text())
            if match:
                token = match.group(1)
                break
            assert proc.poll() is None, log.read_text()
            time.sleep(0.5)
        assert token, f"JupyterLab did not print its URL with a token:\n{log.read_text()}"
        base = f"http://localhost:{port}"
        assert _get(f"{base}/api/contents/{work}") == 403, "the server must require its token"
        assert _get(f"{base}/api/contents/{work}?token={token}") == 200
        assert _get(f"{base}/api/contents/{work}/02-one-step-rule/02-one-step-rule.ipynb?token={token}") == 200
        assert _get(f"{base}/formgrader/?token={token}") == 200, "nbgrader's server extension is loaded"
        assert "127.0.0.1" in log.read_text() or "localhost" in log.read_text()
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
