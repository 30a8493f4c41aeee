"""Sandboxes for student code: one per kernel and one per grading runtime, nothing shared, nothing surviving.

A :class:`Sandbox` is entered around one process tree (a notebook kernel, or the grading runtime of
:mod:`course_lib.grading.runtime`) and, in the strongest mode the machine allows (:func:`isolation`):

- ``"bwrap"`` (the grader runs as root, bubblewrap is installed): the process runs under `bubblewrap
  <https://github.com/containers/bubblewrap>`_ in a filesystem built from a *whitelist* -- the system's
  shared libraries (``/usr/lib``), the Python installation, the virtual environment, ``course_lib``
  read-only (the runtime gets only the modules that hold no answers) and its own scratch folder; nothing
  else exists for it (not the course, not a second checkout of it, not ``/etc``, not other scratch
  folders). It has its own PID namespace (when its first process ends, every process it started is
  killed), no network, its own ``/tmp`` and ``/dev/shm`` (size-limited, gone with it), and it runs as a
  uid of its own (:data:`UID_BASE` + a slot number held by a lock while it runs: no two sandboxes that
  exist at once share a uid, and none is uid 0), so it can neither see nor signal another kernel or the
  grader. Memory of all its processes together and their number are limited by cgroups (v1, or v2 where
  the controllers are delegated), its scratch folder is a size-limited tmpfs, and on exit everything in
  its cgroups and everything running as its uid is killed.
- ``"bwrap-userns"`` (an ordinary user where user namespaces are allowed, such as most laptops): the same
  whitelist filesystem, PID namespace, network and ``/tmp``/``/dev/shm`` isolation, through an
  unprivileged user namespace; the process keeps the grader's uid (outside the namespace), limits are
  per process (rlimits), and the scratch folder is an ordinary folder (each file size-limited).
- ``"uid-only"`` (root without a working bubblewrap): the uid of its own, cgroups and rlimits, but the
  process sees every file its uid may read and shares the machine's PID namespace and network. Flagged.
- ``"none"`` (an ordinary user without user namespaces): rlimits, a scratch folder and a clean
  environment only; the process runs as the grader's user and can read what that user can. Flagged.

Root never runs student code as uid 0: where neither ``"bwrap"`` nor ``"uid-only"`` works,
:func:`isolation` raises :class:`SandboxUnavailable` saying how to fix it.

Processes are started through :mod:`course_lib.grading._launch` (joins the cgroups, sets rlimits, execs).

A grader that is killed (SIGKILL, or a parallel worker ended on Ctrl-C) cannot remove its sandbox; its kernel
dies with it (``--die-with-parent``), but its scratch mount and its cgroups stay. :func:`reclaim` removes what
such graders left in the slots nobody holds; grading runs it first, and again after ending its workers.
"""

from __future__ import annotations

import ctypes
import errno
import fcntl
import functools
import json
import os
import pwd
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from . import _launch

__all__ = ["MODES", "FLAGGED_MODES", "Limits", "Sandbox", "SandboxUnavailable", "isolation", "KEEP_ENV",
           "UID_BASE", "leftover_processes", "left_behind", "reclaim"]

#: Isolation modes, strongest first (see the module docstring).
MODES = ("bwrap", "bwrap-userns", "uid-only", "none")
#: Modes in which a kernel can read files outside its whitelist: the grading report flags them.
FLAGGED_MODES = ("uid-only", "none")
#: Environment variables passed through to sandboxed processes; everything else is dropped.
KEEP_ENV = ("PATH", "LANG", "LC_ALL", "TZ")
#: Sandbox uids are UID_BASE + slot; no account on a normal machine has uids this high.
UID_BASE = 2_000_000_000
SLOTS = 1024
LAUNCH = Path(_launch.__file__).resolve()
PREFIX = "course-sandbox-"


class SandboxUnavailable(RuntimeError):
    """Student code cannot be run safely here (root without bubblewrap or an unprivileged uid)."""


@dataclass(frozen=True)
class Limits:
    """Limits of one sandbox. ``memory_mb`` and ``processes`` hold for all its processes together
    where cgroups are available, per process otherwise; ``cpu_s`` is CPU time per process."""

    memory_mb: int = 3072
    processes: int = 128
    cpu_s: int = 900
    file_mb: int = 256
    scratch_mb: int = 256
    tmp_mb: int = 256
    shm_mb: int = 64


# --- what this machine allows ------------------------------------------------------------------------------

def _python_paths() -> tuple[list[str], list[tuple[str, str]]]:
    """What the venv's Python needs to start: the venv, the base installation's standard library, its
    binary and shared library (never the whole base prefix, which may be ``/usr/local`` or a home folder),
    as ``(paths to bind, [(symlink target, symlink path), ...])``: the chain of links from the venv's
    ``python`` to the real binary is rebuilt link by link."""
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    base = Path(sys.base_prefix)
    paths = {sys.prefix, str(base / "lib" / version), *map(str, (base / "lib").glob("libpython*.so*"))}
    links, current = [], sys.executable
    while os.path.islink(current):
        target = os.readlink(current)
        if not any(current.startswith(p + "/") for p in paths):
            links.append((target, current))
        current = os.path.normpath(os.path.join(os.path.dirname(current), target))
    paths.add(current)
    return sorted(p for p in paths if os.path.exists(p)), links


def _course_lib_dir() -> Path:
    import course_lib

    return Path(course_lib.__file__).resolve().parent


#: course_lib files the grading runtime may see: none of them holds an answer (see runtime.py).
RUNTIME_FILES = ("stats.py", "data.py", "_validate.py", "checks/_core.py", "grading/runtime.py")


def _probe(mode: str) -> bool:
    """Does a sandbox of ``mode`` start the venv's Python with NumPy? (about 0.1 s)"""
    try:
        with Sandbox(mode, Limits(), "runtime") as box:
            proc = subprocess.run(box.command([sys.executable, "-I", "-c", "import numpy"]),
                                  capture_output=True, timeout=60, stdin=subprocess.DEVNULL)
        return proc.returncode == 0
    except (OSError, subprocess.SubprocessError, SandboxUnavailable):
        return False


@functools.lru_cache(maxsize=1)
def isolation() -> str:
    """The strongest mode this machine allows, one of :data:`MODES` (probed once per process).

    As root, ``"none"`` is never returned: :class:`SandboxUnavailable` says what to install instead.
    """
    root = os.geteuid() == 0
    candidates = (["bwrap"] if root else ["bwrap-userns"]) if shutil.which("bwrap") else []
    candidates.append("uid-only" if root else "none")
    for mode in candidates:
        if mode == "none" or _probe(mode):
            return mode
    raise SandboxUnavailable(
        "grading runs as root but cannot run student code as an unprivileged user: install bubblewrap "
        "(`apt-get install -y bubblewrap`), or put the virtual environment where other users can read it")


# --- uids, cgroups, mounts ------------------------------------------------------------------------------

def _slot_dir() -> Path:
    """Where slot locks live: one folder for the whole machine (a sandbox's uid must be unique machine-wide)."""
    path = Path("/run/course-sandbox-slots") if os.path.isdir("/run") else Path("/tmp/course-sandbox-slots")
    try:
        path.mkdir(mode=0o700)
    except FileExistsError:
        pass
    st = os.lstat(path)
    if not os.path.isdir(path) or os.path.islink(path) or st.st_uid != os.geteuid() or st.st_mode & 0o077:
        raise SandboxUnavailable(f"{path} must be a folder owned by uid {os.geteuid()} with mode 0700")
    return path


def _try_lock(slot: int) -> int | None:
    """Take ``slot``'s exclusive lock if nobody holds it: its file descriptor (closing it releases the lock),
    or None."""
    fd = os.open(_slot_dir() / f"{slot}.lock", os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return None
    return fd


def _take_slot() -> tuple[int, int]:
    """A free slot, held by an exclusive lock until its file descriptor is closed: (slot, fd)."""
    start = os.getpid() % SLOTS  # spread concurrent graders over the slots
    for i in range(SLOTS):
        slot = (start + i) % SLOTS
        fd = _try_lock(slot)
        if fd is None:
            continue
        try:
            pwd.getpwuid(UID_BASE + slot)
        except KeyError:
            return slot, fd
        os.close(fd)  # an account uses this uid: never borrow it
    raise SandboxUnavailable(f"all {SLOTS} sandbox slots are in use")


def _uids_of(pid: int) -> set[int]:
    """The real and effective uid of process ``pid`` (none if it has gone)."""
    try:
        with open(f"/proc/{pid}/status", "rb") as fh:
            for line in fh:
                if line.startswith(b"Uid:"):
                    return {int(u) for u in line.split()[1:3]}
    except OSError:
        pass
    return set()


def _processes_of(uids: range) -> list[int]:
    """PIDs of the processes whose real or effective uid is in ``uids``."""
    return [int(entry.name) for entry in os.scandir("/proc")
            if entry.name.isdigit() and any(uid in uids for uid in _uids_of(int(entry.name)))]


def leftover_processes() -> list[int]:
    """PIDs of processes running as any sandbox uid (there should be none once grading has finished)."""
    return _processes_of(range(UID_BASE, UID_BASE + SLOTS))


def _kill_all(pids_of, rounds: int = 50) -> None:
    """SIGKILL whatever ``pids_of()`` lists until it lists nothing (a fork racing the kill is caught next round)."""
    for _ in range(rounds):
        pids = pids_of()
        if not pids:
            return
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        time.sleep(0.01)


@functools.lru_cache(maxsize=1)
def _cgroup_parents() -> dict[str, Path]:
    """This process's own cgroup folder for each controller we can use: ``{"memory": ..., "pids": ...}``
    (v1), or ``{"v2": ...}`` where the v2 controllers are delegated to it; empty when there are none."""
    if os.geteuid() != 0:
        return {}
    mounts: dict[str, tuple[str, str]] = {}
    try:
        for line in Path("/proc/self/mountinfo").read_text().splitlines():
            left, _, right = line.partition(" - ")
            fields, rfields = left.split(), right.split()
            if rfields[0] == "cgroup":
                for controller in ("memory", "pids"):
                    if controller in rfields[2].split(","):
                        mounts[controller] = (fields[4], fields[3])  # mount point, root inside hierarchy
            elif rfields[0] == "cgroup2" and "v2" not in mounts:
                mounts["v2"] = (fields[4], fields[3])
        own = {}
        for line in Path("/proc/self/cgroup").read_text().splitlines():
            _, controllers, path = line.split(":", 2)
            for controller in (controllers.split(",") if controllers else ["v2"]):
                own[controller] = path
    except (OSError, IndexError, ValueError):
        return {}
    found = {}
    for controller in ("memory", "pids"):
        if controller in mounts and controller in own:
            point, root = mounts[controller]
            folder = Path(point) / os.path.relpath(own[controller], root)
            if folder.is_dir() and os.access(folder, os.W_OK):
                found[controller] = folder
    if len(found) < 2 and "v2" in mounts and "v2" in own:
        point, root = mounts["v2"]
        folder = Path(point) / os.path.relpath(own["v2"], root)
        try:
            delegated = set((folder / "cgroup.subtree_control").read_text().split())
        except OSError:
            delegated = set()
        if {"memory", "pids"} <= delegated and os.access(folder, os.W_OK):
            return {"v2": folder}
    return found if len(found) == 2 else {}


def _write(path: Path, value) -> None:
    with open(path, "w") as fh:
        fh.write(str(value))


_libc = None


def _mount_tmpfs(path: str, size_mb: int, uid: int) -> None:
    global _libc
    _libc = _libc or ctypes.CDLL(None, use_errno=True)
    options = f"size={size_mb}m,mode=0700,uid={uid},gid={uid}".encode()
    if _libc.mount(b"tmpfs", path.encode(), b"tmpfs", 0x2 | 0x4, options) != 0:  # MS_NOSUID | MS_NODEV
        raise OSError(ctypes.get_errno(), f"mount tmpfs on {path}: {os.strerror(ctypes.get_errno())}")


def _unmount(path: str) -> None:
    global _libc
    _libc = _libc or ctypes.CDLL(None, use_errno=True)
    if _libc.umount2(path.encode(), 2) != 0 and ctypes.get_errno() not in (errno.EINVAL, errno.ENOENT):  # MNT_DETACH
        raise OSError(ctypes.get_errno(), f"umount {path}: {os.strerror(ctypes.get_errno())}")


_SCRATCH_MOUNT = re.compile(rf"/{PREFIX}([0-9]+)-[^/]+$")


def _scratch_mounts() -> dict[str, int]:
    """The scratch tmpfs mounts of every slot, mount point -> slot: in use, or left by a grader that was killed."""
    points = (line.split()[4] for line in Path("/proc/self/mountinfo").read_text().splitlines())
    return {point: int(found[1]) for point in points if (found := _SCRATCH_MOUNT.search(point))}


def _stale_mounts(slot: int) -> list[str]:
    """The scratch tmpfs mounts of ``slot``."""
    return [point for point, owner in _scratch_mounts().items() if owner == slot]


def _kill_cgroup(folder: Path) -> None:
    """Kill every process in a sandbox's cgroup folder (``cgroup.kill`` where the kernel has it)."""
    if (folder / "cgroup.kill").exists():
        _write(folder / "cgroup.kill", 1)
    _kill_all(lambda: _pids_in(folder))


def _remove_cgroup(folder: Path) -> None:
    """Kill what is left in a sandbox's cgroup folder and remove it. Removing fails with EBUSY while the killed
    processes are being reaped (200 children holding memory took over a second on a loaded machine): wait up to
    10 s for that (a cgroup still busy then is removed by the next sandbox of its slot)."""
    _kill_cgroup(folder)
    deadline = time.monotonic() + 10.0
    while True:
        try:
            folder.rmdir()
            return
        except FileNotFoundError:
            return
        except OSError as e:
            if e.errno != errno.EBUSY or time.monotonic() > deadline:
                return
            _kill_cgroup(folder)  # a process that was still starting when the sandbox was killed
            time.sleep(0.02)


def _pids_in(folder: Path) -> list[int]:
    try:
        return [int(p) for p in (folder / "cgroup.procs").read_text().split()]
    except OSError:
        return []


def _clear_slot(slot: int) -> None:
    """Remove what a grader that was killed left in ``slot``: processes running as its uid, its scratch mounts,
    its cgroups. The caller holds the slot's lock, so none of it is in use."""
    uid = UID_BASE + slot
    _kill_all(lambda: _processes_of(range(uid, uid + 1)))
    for stale in _stale_mounts(slot):
        _unmount(stale)
        shutil.rmtree(stale, ignore_errors=True)
    for parent in _cgroup_parents().values():
        _remove_cgroup(parent / f"{PREFIX}{slot}")


def _slots_left_behind() -> set[int]:
    """Slots that have a process, a scratch mount or a cgroup (this process's cgroup parents): in use by a
    running grader, or left by one that was killed."""
    slots = {uid - UID_BASE for pid in leftover_processes() for uid in _uids_of(pid)}
    slots |= set(_scratch_mounts().values())
    slots |= {int(folder.name[len(PREFIX):]) for parent in _cgroup_parents().values()
              for folder in parent.glob(f"{PREFIX}*") if folder.name[len(PREFIX):].isdigit()}
    return {slot for slot in slots if 0 <= slot < SLOTS}


def _unheld_slots_left_behind() -> Iterator[int]:
    """The slots of :func:`_slots_left_behind` that nobody holds, each yielded while holding its lock. Nothing
    without root or without Linux's /proc (no slots there)."""
    if os.geteuid() != 0 or not os.path.isdir("/proc/self"):
        return
    for slot in sorted(_slots_left_behind()):
        fd = _try_lock(slot)
        if fd is None:
            continue  # a grader is using it
        try:
            yield slot
        finally:
            os.close(fd)


def left_behind() -> list[int]:
    """Slots that hold something (a process, a scratch mount, a cgroup) although no grader is using them: what
    a grader that was killed left."""
    return list(_unheld_slots_left_behind())


def reclaim() -> list[int]:
    """Clear every slot :func:`left_behind` by a grader that was killed (a worker ended by Ctrl-C, a grader that
    got SIGKILL), so that no sandbox uid keeps running, no scratch tmpfs stays mounted and no cgroup stays
    behind until the next sandbox that happens to take the same slot. Slots in use are left alone. Returns
    the slots cleared."""
    cleared = []
    for slot in _unheld_slots_left_behind():
        _clear_slot(slot)
        cleared.append(slot)
    return cleared


# --- the sandbox ------------------------------------------------------------------------------------------

@dataclass
class Sandbox:
    """One sandbox (see the module docstring); use it as a context manager around one process tree.

    ``profile`` is ``"kernel"`` (all of course_lib, a scratch folder on the host for the connection file and
    the IPC sockets, which is also the kernel's home and working folder) or ``"runtime"`` (only
    :data:`RUNTIME_FILES` of course_lib, no host folder: the runtime talks over its stdin and stdout).
    """

    mode: str
    limits: Limits
    profile: str = "kernel"
    uid: int | None = None
    scratch: Path | None = None
    _slot: tuple[int, int] | None = None
    _cgroups: list[Path] = field(default_factory=list)
    _mounted: bool = False

    def __enter__(self) -> "Sandbox":
        if self.mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}, got {self.mode!r}")
        if self.mode in ("bwrap", "uid-only") and os.geteuid() != 0:
            raise SandboxUnavailable(f"mode {self.mode!r} needs root")
        if self.mode == "none" and os.geteuid() == 0:
            raise SandboxUnavailable("student code never runs as root: mode 'none' is for ordinary users")
        try:
            self._setup()
        except BaseException:
            self.__exit__()
            raise
        return self

    def _setup(self) -> None:
        root_mode = self.mode in ("bwrap", "uid-only")
        if root_mode:
            self._slot = _take_slot()
            self.uid = UID_BASE + self._slot[0]
            _clear_slot(self._slot[0])  # nothing may be running as this uid already
            self._make_cgroups()
        if self.profile == "kernel":
            tag = f"{self._slot[0]}-" if self._slot else ""
            self.scratch = Path(tempfile.mkdtemp(prefix=f"{PREFIX}{tag}"))
            if root_mode:
                _mount_tmpfs(str(self.scratch), self.limits.scratch_mb, self.uid)
                self._mounted = True
            (self.scratch / "kernel.log").touch(mode=0o600)

    def _make_cgroups(self) -> None:
        parents = _cgroup_parents()
        name = f"{PREFIX}{self._slot[0]}"
        memory = self.limits.memory_mb * 2**20
        for controller, parent in parents.items():
            folder = parent / name
            folder.mkdir()  # _clear_slot removed what a killed grader left
            self._cgroups.append(folder)
            if controller == "memory":
                _write(folder / "memory.limit_in_bytes", memory)
                if (folder / "memory.memsw.limit_in_bytes").exists():
                    _write(folder / "memory.memsw.limit_in_bytes", memory)
            elif controller == "pids":
                _write(folder / "pids.max", self.limits.processes)
            else:  # v2
                _write(folder / "memory.max", memory)
                if (folder / "memory.swap.max").exists():
                    _write(folder / "memory.swap.max", 0)
                _write(folder / "pids.max", self.limits.processes)

    @property
    def cgroups(self) -> bool:
        """Are memory and process count limited for the sandbox as a whole?"""
        return bool(self._cgroups)

    def memory_limit_hit(self) -> bool:
        """Did the sandbox's processes together reach the memory limit (its cgroup says so)?"""
        def number(folder: Path, name: str, key: str | None = None) -> int:
            try:
                text = (folder / name).read_text()
            except OSError:
                return 0
            if key is None:
                return int(text.split()[0]) if text.split() else 0
            found = re.search(rf"^{key} (\d+)", text, re.M)
            return int(found.group(1)) if found else 0

        limit = self.limits.memory_mb * 2**20
        for folder in self._cgroups:
            if (number(folder, "memory.failcnt") or number(folder, "memory.memsw.failcnt")
                    or number(folder, "memory.oom_control", "oom_kill") or number(folder, "memory.events", "max")
                    or number(folder, "memory.events", "oom_kill")
                    or number(folder, "memory.max_usage_in_bytes") >= 0.98 * limit
                    or number(folder, "memory.peak") >= 0.98 * limit):
                return True
        return False

    def kill(self) -> None:
        """Kill every process of the sandbox now (its cgroups, and everything running as its uid)."""
        for folder in self._cgroups:
            _kill_cgroup(folder)
        if self.uid is not None:
            _kill_all(lambda: _processes_of(range(self.uid, self.uid + 1)))

    def __exit__(self, *exc) -> None:
        self.kill()
        for folder in self._cgroups:
            _remove_cgroup(folder)
        self._cgroups.clear()
        if self.scratch is not None:
            if self._mounted:
                _unmount(str(self.scratch))
                self._mounted = False
            shutil.rmtree(self.scratch, ignore_errors=True)
        if self._slot is not None:
            os.close(self._slot[1])
            self._slot = None

    # --- the command -----------------------------------------------------------------------------------

    def env(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        """The sandboxed process's environment: :data:`KEEP_ENV`, a home in the scratch folder, one thread."""
        env = {key: os.environ[key] for key in KEEP_ENV if key in os.environ}
        home = str(self.scratch) if self.scratch is not None else "/tmp"
        env.update(HOME=home, TMPDIR="/tmp", IPYTHONDIR=os.path.join(home, ".ipython"),
                   MPLCONFIGDIR=os.path.join(home, ".matplotlib"), JUPYTER_RUNTIME_DIR=home,
                   OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1", PYTHONNOUSERSITE="1",
                   PYTHONDONTWRITEBYTECODE="1", MPLBACKEND="agg")
        env.update(extra or {})
        return env

    def _rlimits(self) -> dict[str, int]:
        limits = {"RLIMIT_AS": self.limits.memory_mb * 2**20, "RLIMIT_CPU": self.limits.cpu_s,
                  "RLIMIT_FSIZE": self.limits.file_mb * 2**20, "RLIMIT_CORE": 0}
        if self.uid is not None:  # per uid, and the uid is the sandbox's own: a process count for the sandbox
            limits["RLIMIT_NPROC"] = self.limits.processes
        else:  # the grader's own uid: what it runs now, plus the sandbox's allowance
            limits["RLIMIT_NPROC"] = len(_processes_of(range(os.getuid(), os.getuid() + 1))) + self.limits.processes
        return limits

    def _bwrap(self) -> list[str]:
        binds, links = _python_paths()
        lib = _course_lib_dir()
        args = ["bwrap", "--die-with-parent", "--new-session", "--unshare-pid", "--unshare-net", "--unshare-ipc",
                "--unshare-uts", "--unshare-cgroup-try", "--hostname", "sandbox"]
        if self.mode == "bwrap":
            args += ["--cap-drop", "ALL", "--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"]
        else:
            args += ["--unshare-user", "--disable-userns"]
        args += ["--proc", "/proc", "--dev", "/dev",
                 "--perms", "1777", "--size", str(self.limits.tmp_mb * 2**20), "--tmpfs", "/tmp",
                 "--perms", "1777", "--size", str(self.limits.shm_mb * 2**20), "--tmpfs", "/dev/shm"]
        targets = [*binds, *(link for _, link in links), "/usr/lib", str(lib), "/etc/ld.so.cache"]
        targets += [str(self.scratch)] if self.scratch else []
        made = {"/", "/tmp", "/dev", "/proc"}
        for target in targets:  # parents of every mount point, readable by the sandbox's user
            for parent in reversed(Path(target).parents):
                if str(parent) not in made and not any(str(parent).startswith(t + "/") or str(parent) == t
                                                       for t in targets):
                    args += ["--perms", "0755", "--dir", str(parent)]
                    made.add(str(parent))
        args += ["--ro-bind", "/usr/lib", "/usr/lib", "--ro-bind-try", "/usr/lib64", "/usr/lib64",
                 "--symlink", "usr/lib", "/lib", "--symlink", "usr/lib64", "/lib64",
                 "--ro-bind-try", "/etc/ld.so.cache", "/etc/ld.so.cache"]
        for path in binds:
            args += ["--ro-bind", path, path]
        for target, link in links:
            args += ["--symlink", target, link]
        if self.profile == "kernel":
            args += ["--ro-bind", str(lib), str(lib), "--bind", str(self.scratch), str(self.scratch)]
        else:  # an empty course_lib with only the modules that hold no answer
            args += ["--perms", "0755", "--tmpfs", str(lib)]
            for name in sorted({str(Path(f).parent) for f in RUNTIME_FILES} - {"."}):
                args += ["--perms", "0755", "--dir", str(lib / name)]
            for name in RUNTIME_FILES:
                args += ["--ro-bind", str(lib / name), str(lib / name)]
            args += ["--remount-ro", str(lib)]
        if self.mode == "bwrap-userns":  # as root, the sandbox's user enters its home itself (see _launch)
            args += ["--chdir", str(self.scratch) if self.scratch else "/tmp"]
        return args

    def command(self, argv: list[str], env: dict[str, str] | None = None, log: str | None = None,
                stderr_only: bool = False) -> list[str]:
        """The command line that runs ``argv`` in this sandbox (through :mod:`course_lib.grading._launch`)."""
        inner = list(argv)
        if self.mode == "bwrap":
            inner = [sys.executable, "-I", "-S", "-c", _launch.DROP_PRIVILEGES, str(self.uid), str(self.uid), *inner]
            outer = [*self._bwrap(), "--", *inner]
        elif self.mode == "bwrap-userns":
            outer = [*self._bwrap(), "--", *inner]
        elif self.mode == "uid-only":
            outer = [sys.executable, "-I", "-S", "-c", _launch.DROP_PRIVILEGES, str(self.uid), str(self.uid), *inner]
        else:
            outer = inner
        outer[0] = shutil.which(outer[0]) or outer[0]
        owner = [str(self.scratch), self.uid] if self.scratch is not None and self.uid is not None else None
        config = {"procs": [str(folder / "cgroup.procs") for folder in self._cgroups], "rlimits": self._rlimits(),
                  "log": log, "stderr_only": stderr_only, "argv": outer, "chown": owner,
                  "env": env if env is not None else self.env()}
        return [sys.executable, "-I", "-S", str(LAUNCH), json.dumps(config)]
