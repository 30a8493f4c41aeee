"""The learner's JupyterLab: their working copy, nbgrader's Validate button, and none of the instructor's tools.

``python -m course_lib lab`` (``make lab``) seeds the working copy (:mod:`course_lib.workspace`), starts
JupyterLab on it and opens the browser where there is one; its last line is the address to open, alone.
JupyterLab keeps its safe defaults: it listens on localhost only and requires its token (its own, random).

What a learner does not need is switched off for this launch only, through a configuration folder of the
course's that the launcher adds in front of Jupyter's search path (``JUPYTER_CONFIG_PATH``); the learner's own
Jupyter settings are read as usual and never changed, and an instructor's ``jupyter lab`` keeps everything:

- ``labconfig/page_config.json`` disables nbgrader's JupyterLab plugins for the Nbgrader menu, the formgrader,
  "Create Assignment" and the course and assignment lists (which need an exchange, and say "Error fetching
  courses!" without one); ``@jupyter/nbgrader:validate-assignment``, the Validate button, stays;
- ``jupyter_server_config.json`` turns off the matching server extensions (formgrader, assignment_list,
  course_list); ``validate_assignment`` stays (it answers the Validate button, version check included).
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

__all__ = ["LEARNER_CONFIG", "DISABLED_PLUGINS", "DISABLED_SERVER_EXTENSIONS", "learner_env", "lab_argv", "listening",
           "main"]

LEARNER_CONFIG = Path(__file__).resolve().parent / "jupyter_learner"
DISABLED_PLUGINS = ["@jupyter/nbgrader:menu", "@jupyter/nbgrader:formgrader", "@jupyter/nbgrader:create-assignment",
                    "@jupyter/nbgrader:assignment-list", "@jupyter/nbgrader:course-list"]
DISABLED_SERVER_EXTENSIONS = ["nbgrader.server_extensions.formgrader", "nbgrader.server_extensions.assignment_list",
                              "nbgrader.server_extensions.course_list"]
LOG_NAME = ".jupyterlab.log"
START_TIMEOUT_S = 300  # seconds; a busy 2-core machine took 90 s


def learner_env(base: dict | None = None) -> dict:
    """The environment for the learner's JupyterLab: the course's learner configuration first on Jupyter's
    config path, this Python's scripts first on PATH (kernels and nbgrader find their tools)."""
    env = dict(os.environ if base is None else base)
    paths = [str(LEARNER_CONFIG)] + [p for p in env.get("JUPYTER_CONFIG_PATH", "").split(os.pathsep) if p]
    env["JUPYTER_CONFIG_PATH"] = os.pathsep.join(dict.fromkeys(paths))
    scripts = str(Path(sys.executable).parent)
    env["PATH"] = os.pathsep.join([scripts, env.get("PATH", "")])
    return env


def lab_argv(work: Path, port: int = 8888, open_browser: bool = True, extra: list[str] | None = None,
             ip: str = "localhost") -> list[str]:
    """``python -m jupyterlab`` on ``work``, localhost only, token required (JupyterLab's defaults)."""
    argv = [sys.executable, "-m", "jupyterlab", f"--ServerApp.ip={ip}", f"--ServerApp.port={port}",
            f"--ServerApp.root_dir={Path(work).resolve()}", "--ServerApp.answer_yes=True"]
    if not open_browser:
        argv.append("--no-browser")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        argv.append("--allow-root")  # CI and containers run as root
    return argv + list(extra or [])


def _server_info(pid: int, env: dict) -> dict | None:
    """The running server's own record (address, token), which Jupyter writes once it listens."""
    from jupyter_core.paths import jupyter_runtime_dir

    runtime = Path(env.get("JUPYTER_RUNTIME_DIR") or jupyter_runtime_dir())
    try:
        return json.loads((runtime / f"jpserver-{pid}.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def listening(url: str) -> bool:
    """Whether the server at ``url`` accepts connections yet. Jupyter announces its address (log line and
    server record) a moment *before* its event loop binds the port, so an address seen is not yet one served."""
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname, parts.port or 80), timeout=2):
            return True
    except OSError:
        return False


def _tail(path: Path, lines: int = 15) -> str:
    try:
        return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def run(work: Path, port: int = 8888, open_browser: bool = True, course: Path | None = None, out=print) -> int:
    """Seed ``work``, start the learner's JupyterLab on it, print its address last; return its exit status."""
    from .workspace import course_root, report_seed

    root = course or course_root()
    if root is None:
        out("error: cannot find the course's folder (notebooks/ and nbgrader_config.py): run this from it")
        return 1
    work = work if work.is_absolute() else root / work
    try:
        report_seed(root / "notebooks", work, out=out)
    except (ValueError, OSError) as err:
        out(f"error: {err}")
        return 1
    env, log = learner_env(), work / LOG_NAME
    if threading.current_thread() is threading.main_thread():  # a plain `kill` stops the server too
        signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(0))
    with open(log, "w", encoding="utf-8") as sink:
        # nbgrader's Validate reads nbgrader_config.py from the server's folder: the course's.
        proc = subprocess.Popen(lab_argv(work, port, open_browser), cwd=root, env=env, stdin=subprocess.DEVNULL,
                                stdout=sink, stderr=subprocess.STDOUT)
    try:
        deadline, info = time.monotonic() + START_TIMEOUT_S, None
        while info is None:
            if proc.poll() is not None or time.monotonic() > deadline:
                if proc.poll() is None:
                    proc.terminate()
                out(f"error: JupyterLab did not start; the end of its log ({log}):\n{_tail(log)}")
                return 1
            time.sleep(0.25)
            info = _server_info(proc.pid, env)
            if info is not None and not listening(info["url"]):
                info = None
        address = f"{info['url'].rstrip('/')}/lab?token={info['token']}"
        out(f"JupyterLab is serving your working copy {work} (Ctrl-C stops it; its messages go to {log}).")
        out("Your browser opens it where there is one; otherwise open this address:" if open_browser
            else "Open this address in your browser:")
        out(address)
        return proc.wait()
    except KeyboardInterrupt:
        return 0
    finally:
        if proc.poll() is None:
            proc.terminate()  # the server shuts its kernels down on SIGTERM
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()


def main(argv: list[str] | None = None) -> int:
    """``python -m course_lib lab [--work my-work] [--port 8888] [--no-browser]``."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m course_lib lab",
                                     description="Copy the course's new notebooks into your working copy and open "
                                                 "JupyterLab on it.")
    parser.add_argument("--work", type=Path, default=Path("my-work"), help="your working copy (default: my-work)")
    parser.add_argument("--port", type=int, default=8888, help="the port to try first (default: 8888)")
    parser.add_argument("--no-browser", action="store_true", help="do not open a browser; print the address only")
    parser.add_argument("--course", type=Path, help="the course's folder (default: found from here)")
    args = parser.parse_args(argv)
    return run(args.work, args.port, not args.no_browser, args.course)
