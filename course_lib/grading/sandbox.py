"""Start a notebook kernel in a sandbox: its own scratch folder, limits, and none of the course's secrets.

The grader's kernel manager (:class:`course_lib.grading.execute.SandboxKernelManager`) puts
:func:`launcher` (``python -m course_lib.grading.sandbox [options] --``) in front of the usual kernel
command; every kernel start runs this module (twice in the namespace modes), so it imports no Jupyter
machinery. When the grader runs as root (CI, a grading server) and the OS allows it, the kernel starts in
a private mount namespace in which

- the course folder, the repository, ``/tmp`` and the grader's home are replaced by empty folders, and only
  the Python environment, ``course_lib`` (read-only) and the kernel's own scratch folder are mounted back:
  the submission cannot see ``solutions/``, the gradebook, answer keys, or other students' work;
- the kernel runs as the unprivileged user ``nobody`` (or, where ``nobody`` cannot run the venv's Python,
  as root with every capability dropped, which still cannot undo the mounts);

and in every mode the kernel gets CPU-time, memory and file-size limits, one BLAS thread, a clean
environment and the scratch folder as its home and working directory. :func:`isolation` says which mode is
available, so the grading report can state it.
"""

from __future__ import annotations

import argparse
import functools
import os
import pwd
import resource
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from ..hidden import GRADING_ENV

__all__ = ["launcher", "isolation", "make_scratch", "KEEP_ENV", "MODES"]

#: Isolation modes, strongest first.
MODES = ("namespace+nobody", "namespace+nocaps", "none")
#: Environment variables passed through to the kernel; everything else is dropped.
KEEP_ENV = ("PATH", "LANG", "LC_ALL", "TZ", GRADING_ENV, "JPY_PARENT_PID", "JPY_INTERRUPT_EVENT")
NOBODY = "nobody"


def _nobody() -> tuple[int, int]:
    entry = pwd.getpwnam(NOBODY)
    return entry.pw_uid, entry.pw_gid


@functools.lru_cache(maxsize=1)
def isolation() -> str:
    """The strongest isolation this machine allows: ``"namespace+nobody"``, ``"namespace+nocaps"`` or ``"none"``.

    Probed once per process by starting the venv's Python the way a kernel would be started.
    """
    if os.geteuid() != 0 or not shutil.which("unshare") or not shutil.which("setpriv"):
        return "none"
    probe = [sys.executable, "-c", "import numpy, ipykernel, course_lib"]
    try:
        ns = subprocess.run(["unshare", "--mount", "--propagation", "private", "true"], capture_output=True,
                            timeout=30)
        if ns.returncode != 0:
            return "none"
        uid, gid = _nobody()
        as_nobody = subprocess.run(["setpriv", f"--reuid={uid}", f"--regid={gid}", "--clear-groups", *probe],
                                   capture_output=True, cwd="/", timeout=60)
    except (OSError, KeyError, subprocess.TimeoutExpired):
        return "none"
    return "namespace+nobody" if as_nobody.returncode == 0 else "namespace+nocaps"


def make_scratch(mode: str) -> Path:
    """A fresh, empty working folder for one kernel (owned by ``nobody`` when the kernel will run as it)."""
    scratch = Path(tempfile.mkdtemp(prefix="course-grade-"))
    if mode == "namespace+nobody":
        uid, gid = _nobody()
        os.chown(scratch, uid, gid)
    return scratch


def launcher(scratch: str, mode: str, hide: list[str], memory: int, cpu: int) -> list[str]:
    """The command that :func:`main` parses, to be put in front of a kernel's own command."""
    prefix = [sys.executable, "-m", "course_lib.grading.sandbox", "--scratch", scratch, "--mode", mode,
              "--memory", str(memory), "--cpu", str(cpu)]
    for path in hide:
        prefix += ["--hide", path]
    return [*prefix, "--"]


def _keep_paths(scratch: str) -> list[str]:
    """What the kernel needs from the hidden folders: the venv, the base Python, course_lib, its scratch."""
    import course_lib

    paths = {sys.prefix, sys.base_prefix, str(Path(course_lib.__file__).resolve().parent), scratch}
    return sorted({str(Path(p).resolve()) for p in paths})


def _run(*cmd: str) -> None:
    subprocess.run(cmd, check=True, capture_output=True)


def _enter_namespace(hide: list[str], scratch: str) -> None:
    """Inside a fresh mount namespace: cover ``hide`` with empty tmpfs, then mount back what is kept."""
    kept = _keep_paths(scratch)
    inside = lambda path, folder: path == folder or path.startswith(folder + os.sep)  # noqa: E731
    hide = sorted({str(Path(h).resolve()) for h in hide if Path(h).is_dir()})
    hide = [h for h in hide if not any(inside(h, k) for k in kept)]  # never hide part of the venv itself
    hide = [h for h in hide if not any(h != o and inside(h, o) for o in hide)]  # outermost only
    keep = [k for k in kept if any(inside(k, h) for h in hide)]
    stage = "/mnt"
    _run("mount", "-t", "tmpfs", "-o", "mode=0755", "course-stage", stage)
    staged = []
    for i, path in enumerate(keep):
        target = os.path.join(stage, str(i))
        os.mkdir(target)
        _run("mount", "--bind", path, target)
        staged.append((target, path))
    for path in hide:
        _run("mount", "-t", "tmpfs", "-o", "mode=0755", "course-hidden", path)
    for target, path in sorted(staged, key=lambda item: len(item[1])):
        os.makedirs(path, exist_ok=True)
        _run("mount", "--move", target, path)
        if path != scratch:
            _run("mount", "-o", "remount,bind,ro", path)
    _run("umount", "-l", stage)


def _limit(memory: int, cpu: int) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu))
    resource.setrlimit(resource.RLIMIT_FSIZE, (256 * 2**20, 256 * 2**20))


def _kernel_env(scratch: str) -> dict[str, str]:
    env = {key: os.environ[key] for key in KEEP_ENV if key in os.environ}
    env.update(HOME=scratch, IPYTHONDIR=os.path.join(scratch, ".ipython"),
               MPLCONFIGDIR=os.path.join(scratch, ".matplotlib"), JUPYTER_RUNTIME_DIR=scratch,
               OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1", PYTHONNOUSERSITE="1")
    return env


def main(argv: list[str] | None = None) -> None:
    """Launcher: ``python -m course_lib.grading.sandbox --scratch DIR [--hide P]... -- KERNEL COMMAND``."""
    parser = argparse.ArgumentParser(prog="course_lib.grading.sandbox")
    parser.add_argument("--scratch", required=True)
    parser.add_argument("--mode", choices=MODES, required=True)
    parser.add_argument("--hide", action="append", default=[])
    parser.add_argument("--memory", type=int, default=resource.RLIM_INFINITY)
    parser.add_argument("--cpu", type=int, default=resource.RLIM_INFINITY)
    parser.add_argument("--inside", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    mode = args.mode
    if mode != "none" and not args.inside:
        # re-run this launcher inside a new mount namespace (unshare execs in place: same PID for signals)
        os.execvp("unshare", ["unshare", "--mount", "--propagation", "private", "--", sys.executable, "-m",
                              "course_lib.grading.sandbox", "--inside", *(argv or sys.argv[1:])])
    scratch = str(Path(args.scratch).resolve())
    if mode != "none":
        _enter_namespace(args.hide, scratch)
    _limit(args.memory, args.cpu)
    env = _kernel_env(scratch)
    os.chdir(scratch)
    log = os.open(os.path.join(scratch, "kernel.log"), os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    os.dup2(log, 1)  # the kernel's own messages go to its log, not into the grader's terminal
    os.dup2(log, 2)
    if mode == "namespace+nobody":
        uid, gid = _nobody()
        for path in [*Path(scratch).glob("*.json"), Path(scratch) / "kernel.log"]:  # files the kernel uses
            os.chown(path, uid, gid)
        command = ["setpriv", f"--reuid={uid}", f"--regid={gid}", "--clear-groups", "--no-new-privs", *command]
    elif mode == "namespace+nocaps":
        command = ["setpriv", "--inh-caps=-all", "--bounding-set=-all", "--no-new-privs", *command]
    os.execvpe(command[0], command, env)


if __name__ == "__main__":
    main()
