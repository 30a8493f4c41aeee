"""nbgrader's Execute step, run in a sandbox, within limits the grader enforces itself.

:class:`SandboxedExecute` replaces nbgrader's ``Execute`` in ``c.Autograde.autograde_preprocessors``:

- the kernel starts through :class:`course_lib.grading.sandbox.Sandbox` (whitelist filesystem, its own
  PID namespace and uid, no network, memory and process limits for the whole sandbox; see that module), in
  an empty scratch folder (nothing from the submission folder is copied in), and everything it started is
  killed when grading of the notebook ends;
- the notebook as a whole gets ``submission_timeout`` seconds of wall time, each cell at most
  ``Execute.timeout``; a cell past its limit is interrupted, and a kernel that does not answer after the
  interrupt is killed (later cells are then marked "not run");
- output is counted as it arrives: at most ``output_limit_cell_kb`` per cell and ``output_limit_kb`` per
  notebook are kept (an error is always kept, shortened), and a single message larger than
  ``message_limit_mb`` is never read;
- if the kernel dies (``os._exit``, a crash, the memory limit), the cell that killed it gets an error
  output, every later cell is marked "not run", and the notebook is still saved and graded: points earned
  before the crash are kept instead of nbgrader discarding the whole submission.

What the grader itself saw (the isolation mode, timeouts, a dead kernel, the memory limit reached, output
cut) goes to ``resources["course_lib_grading"]`` for :class:`~course_lib.grading.verify.VerifyHidden`.
Nothing the kernel prints decides a score: :mod:`course_lib.grading.scoring` does.
"""

from __future__ import annotations

import asyncio
import time

import zmq
import zmq.asyncio
from jupyter_client.asynchronous import AsyncKernelClient
from jupyter_client.manager import AsyncKernelManager
from jupyter_core.utils import run_sync
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbformat.v4 import new_output
from nbgrader.preprocessors import Execute
from traitlets import Any, Bool, Enum, Integer, Type, default

from .sandbox import MODES, Limits, Sandbox, isolation
from .scoring import Runtime

__all__ = ["SandboxedExecute", "SandboxKernelManager", "LimitedKernelClient"]

#: Kernel option that turns matplotlib's inline figures into text only (no rendering).
NO_FIGURES = ("--IPKernelApp.exec_lines=from matplotlib_inline.config import InlineBackend; "
              "InlineBackend.instance().figure_formats = set()")
#: An error output keeps at most this many traceback lines of at most this many characters.
TRACEBACK_LINES, LINE_CHARS = 40, 2000


def _error(ename: str, evalue: str):
    return new_output("error", ename=ename, evalue=evalue, traceback=[f"{ename}: {evalue}"])


def _size(value) -> int:
    """Characters (or bytes) in a message's content, counted without copying it."""
    if isinstance(value, (str, bytes)):
        return len(value)
    if isinstance(value, dict):
        return sum(len(str(k)) + _size(v) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return sum(_size(v) for v in value)
    return 8


def _shorten_error(output) -> None:
    output["evalue"] = str(output.get("evalue", ""))[:LINE_CHARS]
    output["traceback"] = [str(line)[:LINE_CHARS] for line in output.get("traceback", [])[-TRACEBACK_LINES:]]


class LimitedKernelClient(AsyncKernelClient):
    """A kernel client whose sockets never read a message larger than ``message_limit`` bytes: a peer that
    sends one is disconnected (and reconnected) by zmq, so an enormous output costs the grader nothing."""

    message_limit = Integer(32 * 2**20, help="Largest message read from the kernel, in bytes")

    @default("context")
    def _context_default(self):
        self._created_context = True
        context = zmq.asyncio.Context()
        context.setsockopt(zmq.MAXMSGSIZE, self.message_limit)
        return context


class SandboxKernelManager(AsyncKernelManager):
    """A kernel manager whose kernel starts in a :class:`~course_lib.grading.sandbox.Sandbox`, is interrupted
    by a message (a signal would stop at the sandbox's boundary) and whose clients read no oversized message."""

    sandbox = Any(help="The Sandbox the kernel runs in")
    message_limit = Integer(32 * 2**20, help="Largest message read from the kernel, in bytes")
    client_factory = Type(LimitedKernelClient)

    def format_kernel_cmd(self, extra_arguments=None):
        """The kernelspec's command, started in the sandbox."""
        box = self.sandbox
        return box.command(super().format_kernel_cmd(extra_arguments), env=box.env(),
                           log=str(box.scratch / "kernel.log"))

    async def _async_interrupt_kernel(self) -> None:
        if self.has_kernel:
            self._connect_control_socket()
            self.session.send(self._control_socket, self.session.msg("interrupt_request", content={}))

    interrupt_kernel = _async_interrupt_kernel

    def client(self, **kwargs):
        """A client that reads no message larger than :attr:`message_limit`."""
        return super().client(message_limit=self.message_limit, **kwargs)


class SandboxedExecute(Execute):
    """Execute a submission in the grading sandbox (see the module docstring)."""

    memory_limit_mb = Integer(3072, help="Memory of the kernel's processes together (and of each), in MiB"
                              ).tag(config=True)
    process_limit = Integer(128, help="Processes and threads of the kernel's sandbox together").tag(config=True)
    cpu_limit_s = Integer(900, help="CPU time of each process of the kernel, in seconds").tag(config=True)
    scratch_limit_mb = Integer(256, help="Disk space of the kernel's scratch folder and of its /tmp, in MiB"
                               ).tag(config=True)
    submission_timeout = Integer(120, help="Wall time for the whole notebook, in seconds: cells left when it is "
                                           "used up are not run").tag(config=True)
    output_limit_cell_kb = Integer(1024, help="Output kept per cell, in KiB").tag(config=True)
    output_limit_kb = Integer(8192, help="Output kept per notebook, in KiB").tag(config=True)
    message_limit_mb = Integer(32, help="Largest single message read from the kernel, in MiB").tag(config=True)
    sandbox_mode = Enum(["auto", *MODES], default_value="auto",
                        help="Sandbox mode; 'auto' takes the strongest this machine allows").tag(config=True)
    render_figures = Bool(False, help="Render matplotlib figures while grading (slower; figures then appear "
                                      "in the feedback)").tag(config=True)

    def limits(self) -> Limits:
        """The sandbox limits this configuration sets (the grading runtime gets the same)."""
        return Limits(memory_mb=self.memory_limit_mb, processes=self.process_limit, cpu_s=self.cpu_limit_s,
                      scratch_mb=self.scratch_limit_mb, tmp_mb=self.scratch_limit_mb)

    def mode(self) -> str:
        return isolation() if self.sandbox_mode == "auto" else self.sandbox_mode

    def preprocess(self, nb, resources=None, km=None):
        """Run every cell in a sandboxed kernel; record what the grader saw in ``resources``."""
        resources = resources if resources is not None else {}
        resources.setdefault("metadata", {})
        mode = self.mode()
        # in nbgrader's autograde, VerifyHidden needs a grading runtime: start it now, while the kernel runs (it
        # runs no student code before the kernel is gone, see scoring.Runtime)
        runtime = Runtime(mode, self.limits()).start() if "nbgrader" in resources else None
        try:
            self._execute_in_sandbox(nb, resources, mode)
        except BaseException:
            if runtime is not None:
                runtime.close()
            raise
        resources["course_lib_grading"]["runtime"] = runtime
        return self.nb, self.resources

    def _execute_in_sandbox(self, nb, resources, mode: str) -> None:
        metadata = resources["metadata"]
        original_path = metadata.get("path")
        self._dead = None  # (cell index, why) once the kernel is gone
        self._timed_out, self._not_run, self._cut = set(), set(), set()
        self._deadline = time.monotonic() + self.submission_timeout
        self._kept = {"cell": None, "cell_bytes": 0, "bytes": 0}
        extra_arguments = list(self.extra_arguments)
        if not self.render_figures:  # grading never looks at pictures: skip drawing them (about 1 s each)
            self.extra_arguments = [*extra_arguments, NO_FIGURES]
        with Sandbox(mode, self.limits(), "kernel") as box:
            self._box = box
            metadata["path"] = str(box.scratch)
            try:
                super().preprocess(nb, resources)
            except DeadKernelError:
                pass  # the kernel died while being shut down or between cells: the cells already say why
            except Exception as exc:
                log = box.scratch / "kernel.log"
                tail = log.read_text(errors="replace")[-2000:] if log.exists() else "(no kernel log)"
                raise RuntimeError(f"the grading kernel failed: {exc}\nkernel log:\n{tail}") from exc
            finally:
                metadata["path"] = original_path
                self.extra_arguments = extra_arguments
                memory_hit = box.memory_limit_hit()
                self._box = None
        flags = set()
        if self._dead is not None:
            flags.add(f"kernel-died:cell-{self._dead[0]}" if self._dead[1] == "died" else
                      f"timeout:cell-{self._dead[0]}")
        flags |= {f"timeout:cell-{i}" for i in self._timed_out}
        if self._not_run and self._dead is None:
            flags.add("timeout:notebook")
        if memory_hit:
            flags.add("memory-limit:sandbox")
        if self._cut:
            flags.add("output-truncated")
        resources["course_lib_grading"] = {
            "isolation": mode, "flags": sorted(flags), "kernel_died": self._dead and self._dead[0],
            "skipped_cells": sorted(self._timed_out | self._not_run | ({self._dead[0]} if self._dead else set())),
            "limits": self.limits(), "cell_timeout": self.timeout, "submission_timeout": self.submission_timeout}

    def create_kernel_manager(self):
        """nbclient's hook: a :class:`SandboxKernelManager` for this run's sandbox."""
        kernel_name = self.kernel_name or self.nb.metadata.get("kernelspec", {}).get("name", "python3")
        scratch = self._box.scratch
        # IPC sockets in the scratch folder: no TCP port to race for when several graders run at once
        self.km = SandboxKernelManager(kernel_name=kernel_name, config=self.config, transport="ipc",
                                       ip=str(scratch / "kernel-ipc"), connection_file=str(scratch / "kernel.json"),
                                       sandbox=self._box, message_limit=self.message_limit_mb * 2**20)
        return self.km

    # --- time ---------------------------------------------------------------------------------------------

    def _get_timeout(self, cell):
        """The per-cell limit, or what is left of the notebook's, whichever is smaller."""
        left = self._deadline - time.monotonic()
        return max(1, int(min(self.timeout or left, left)))

    async def _async_handle_timeout(self, timeout, cell=None):
        self._timed_out.add(self._index)
        return await super()._async_handle_timeout(timeout, cell)

    async def _responsive(self) -> bool:
        """Does the kernel answer on its shell channel within a few seconds (it is not stuck in a cell)?"""
        try:
            await self.kc.kernel_info(reply=True, timeout=5)
            return True
        except Exception:
            return False

    async def _reconnect_output(self) -> None:
        """A fresh output channel: zmq drops the connection that carried a message over the size limit."""
        self.kc.iopub_channel.close()
        self.kc._iopub_channel = None
        self.kc.iopub_channel.start()
        await asyncio.sleep(0.3)  # the new subscription reaches the kernel before the next cell runs

    async def _kill(self) -> None:
        self._box.kill()
        try:
            await self.km.shutdown_kernel(now=True)
        except Exception:  # already gone
            pass

    def preprocess_cell(self, cell, resources, index):
        """Execute one cell within the limits; after the kernel has gone, or the time is up, mark it not run."""
        if cell.cell_type != "code":
            return cell, resources
        self._index = index
        if self._dead is not None:
            why = "died" if self._dead[1] == "died" else "was stopped: it did not answer after a timeout"
            cell.outputs = [_error("NotRun", f"not run: the kernel {why} in cell {self._dead[0]}")]
            return cell, resources
        if time.monotonic() >= self._deadline:
            self._not_run.add(index)
            cell.outputs = [_error("NotRun", f"not run: the notebook's time limit ({self.submission_timeout} s) "
                                             "was used up")]
            return cell, resources
        try:
            cell, resources = super().preprocess_cell(cell, resources, index)
        except DeadKernelError:
            self._dead = (index, "died")
            cell.outputs.append(_error(
                "KernelDied",
                "the kernel stopped while running this cell (os._exit, sys.exit in a thread, a crash or the "
                "memory limit); later cells were not run, points earned before this cell are kept"))
        except CellTimeoutError:
            # the cell's reply came but not its end on the output channel (an output too large to read was
            # dropped), or the kernel did not stop after the interrupt: only the second stops the notebook
            if run_sync(self._responsive)():
                run_sync(self._reconnect_output)()
            else:
                run_sync(self._kill)()
                self._dead = (index, "timeout")
            self._timed_out.add(index)
            cell.outputs.append(_error("CellTimeoutError", f"the cell ran longer than {self._get_timeout(cell)} s "
                                       "or its output was too large to keep"))
        for output in cell.outputs:
            if output.output_type == "error":
                _shorten_error(output)
        return cell, resources

    # --- output ---------------------------------------------------------------------------------------------

    def process_message(self, msg, cell, cell_index):
        """Count output as it arrives; past the cell's or the notebook's allowance, drop it (errors are kept)."""
        kind = msg["msg_type"]
        if kind in ("status", "clear_output", "execute_input") or kind == "error":
            return super().process_message(msg, cell, cell_index)
        kept = self._kept
        if kept["cell"] != cell_index:
            kept.update(cell=cell_index, cell_bytes=0)
        size = _size(msg["content"]) + sum(len(b) for b in msg.get("buffers") or [])
        # a widget's state (comm messages: the scrubber sends its image and noise once, about 1.1 MB) is not
        # output shown in the cell: it counts towards the notebook's allowance only
        cell_size = 0 if kind.startswith("comm_") else size
        if (kept["cell_bytes"] + cell_size > self.output_limit_cell_kb * 1024
                or kept["bytes"] + size > self.output_limit_kb * 1024):
            if cell_index not in self._cut:
                self._cut.add(cell_index)
                cell.outputs.append(new_output("stream", name="stdout", text=(
                    f"\n[output cut by the grader: more than {self.output_limit_cell_kb} KiB in this cell or "
                    f"{self.output_limit_kb} KiB in the notebook]\n")))
            return None
        kept["cell_bytes"] += cell_size
        kept["bytes"] += size
        return super().process_message(msg, cell, cell_index)
