"""nbgrader's Execute step, run in the sandbox, with a nonce, and surviving a dead kernel.

:class:`SandboxedExecute` replaces nbgrader's ``Execute`` in ``c.Autograde.autograde_preprocessors``:

- the kernel starts through :mod:`course_lib.grading.sandbox` in an empty scratch folder (nothing from the
  submission folder is copied in, so a local ``numpy.py`` cannot shadow anything), with memory and CPU limits;
- a fresh random nonce goes to the kernel's environment (``COURSE_LIB_GRADING_NONCE``) and to the resources,
  so :class:`~course_lib.grading.verify.VerifyHidden` can tell this run's hidden-test reports from any other;
- if the kernel dies (``os._exit``, a crash, the memory limit), the cell that killed it gets an error
  output, every later cell is marked "not run", and the notebook is still saved and graded: points earned
  before the crash are kept instead of nbgrader discarding the whole submission.
"""

from __future__ import annotations

import os
import resource
import secrets
import shutil
import tempfile
from pathlib import Path

from jupyter_client.manager import AsyncKernelManager
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbformat.v4 import new_output
from nbgrader.preprocessors import Execute
from traitlets import Bool, Enum, Integer, List, Unicode

from ..hidden import GRADING_ENV
from .sandbox import MODES, isolation, launcher, make_scratch

__all__ = ["SandboxedExecute", "SandboxKernelManager"]

#: Kernel option that turns matplotlib's inline figures into text only (no rendering).
NO_FIGURES = ("--IPKernelApp.exec_lines=from matplotlib_inline.config import InlineBackend; "
              "InlineBackend.instance().figure_formats = set()")


def _error(ename: str, evalue: str):
    return new_output("error", ename=ename, evalue=evalue, traceback=[f"{ename}: {evalue}"])


class SandboxKernelManager(AsyncKernelManager):
    """A kernel manager whose kernels start through :func:`course_lib.grading.sandbox.launcher`."""

    scratch = Unicode(help="The kernel's working folder and home").tag(config=True)
    hide = List(Unicode(), help="Folders the kernel must not see").tag(config=True)
    mode = Unicode("none", help="The isolation mode, one of MODES (see isolation())").tag(config=True)
    memory_bytes = Integer(resource.RLIM_INFINITY, help="Address-space limit of the kernel, in bytes")
    cpu_seconds = Integer(resource.RLIM_INFINITY, help="CPU-time limit of the kernel, in seconds")

    def format_kernel_cmd(self, extra_arguments=None):
        """The kernelspec's command with the sandbox launcher in front of it."""
        return [*launcher(self.scratch, self.mode, self.hide, self.memory_bytes, self.cpu_seconds),
                *super().format_kernel_cmd(extra_arguments)]


class SandboxedExecute(Execute):
    """Execute a submission in the grading sandbox (see the module docstring)."""

    memory_limit_mb = Integer(3072, help="Address-space limit of the kernel, in MiB").tag(config=True)
    cpu_limit_s = Integer(900, help="CPU-time limit of the kernel for the whole notebook, in seconds").tag(config=True)
    sandbox_mode = Enum(["auto", *MODES], default_value="auto",
                     help="Sandbox mode; 'auto' takes the strongest this machine allows").tag(config=True)
    render_figures = Bool(False, help="Render matplotlib figures while grading (slower; figures then appear "
                                      "in the feedback)").tag(config=True)

    def preprocess(self, nb, resources=None, km=None):
        """Run every cell in a sandboxed kernel; record the nonce and isolation mode in ``resources``."""
        resources = resources if resources is not None else {}
        metadata = resources.setdefault("metadata", {})
        original_path = metadata.get("path")
        mode = isolation() if self.sandbox_mode == "auto" else self.sandbox_mode
        scratch = make_scratch(mode)
        nonce = secrets.token_hex(16)
        self._sandbox = {"scratch": scratch, "hide": self._hidden_paths(original_path), "mode": mode}
        self._dead = None
        metadata["path"] = str(scratch)
        extra_arguments = list(self.extra_arguments)
        if not self.render_figures:  # grading never looks at pictures: skip drawing them (about 1 s each)
            self.extra_arguments = [*extra_arguments, NO_FIGURES]
        previous_nonce = os.environ.get(GRADING_ENV)
        os.environ[GRADING_ENV] = nonce  # passed on through the sandbox's environment filter
        try:
            nb, resources = super().preprocess(nb, resources)
        except DeadKernelError:
            pass  # the kernel died while being shut down or between cells: the cells already say why
        except Exception as exc:
            log = scratch / "kernel.log"
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else "(no kernel log)"
            raise RuntimeError(f"the grading kernel failed: {exc}\nkernel log:\n{tail}") from exc
        finally:
            if previous_nonce is None:
                os.environ.pop(GRADING_ENV, None)
            else:
                os.environ[GRADING_ENV] = previous_nonce
            metadata["path"] = original_path
            self.extra_arguments = extra_arguments
            shutil.rmtree(scratch, ignore_errors=True)
        resources["course_lib_grading"] = {"nonce": nonce, "isolation": mode, "kernel_died": self._dead}
        return nb, resources

    def create_kernel_manager(self):
        """nbclient's hook: a :class:`SandboxKernelManager` for this run's scratch folder and hidden paths."""
        kernel_name = self.kernel_name or self.nb.metadata.get("kernelspec", {}).get("name", "python3")
        scratch = self._sandbox["scratch"]
        # IPC sockets in the scratch folder: no TCP port to race for when several graders run at once
        self.km = SandboxKernelManager(kernel_name=kernel_name, config=self.config, transport="ipc",
                                       ip=str(scratch / "kernel-ipc"), connection_file=str(scratch / "kernel.json"),
                                       scratch=str(scratch), hide=self._sandbox["hide"],
                                       mode=self._sandbox["mode"], memory_bytes=self.memory_limit_mb * 2**20,
                                       cpu_seconds=self.cpu_limit_s)
        return self.km

    def preprocess_cell(self, cell, resources, index):
        """Execute one cell; after the kernel has died, mark the cell as not run instead."""
        if cell.cell_type != "code":
            return cell, resources
        if self._dead is not None:
            cell.outputs = [_error("NotRun", f"not run: the kernel died in cell {self._dead}")]
            return cell, resources
        try:
            return super().preprocess_cell(cell, resources, index)
        except DeadKernelError:
            self._dead = index
            cell.outputs.append(_error(
                "KernelDied",
                "the kernel stopped while running this cell (os._exit, sys.exit in a thread, a crash or the "
                "memory limit); later cells were not run, points earned before this cell are kept"))
        except CellTimeoutError:
            cell.outputs.append(_error("CellTimeoutError", f"the cell ran longer than {self.timeout} s"))
        return cell, resources

    @staticmethod
    def _hidden_paths(notebook_dir: str | None) -> list[str]:
        """Folders a submission must not see: the course, the repository, temp folders, the grader's home."""
        import course_lib

        paths = [os.getcwd(), str(Path(course_lib.__file__).resolve().parent.parent), tempfile.gettempdir(),
                 "/var/tmp", os.path.expanduser("~")]
        if notebook_dir:
            paths.append(str(Path(notebook_dir).resolve().parent.parent.parent))  # autograded/<s>/<a> -> course
        return paths
