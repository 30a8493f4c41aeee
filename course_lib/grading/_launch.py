"""The last step before a sandbox starts: join its cgroups, set its limits, exec.

Run as ``python -I -S _launch.py CONFIG_JSON`` (standard library only, no site-packages: about 10 ms), by
:class:`course_lib.grading.sandbox.Sandbox` for the grading runtime and through a kernel manager for
kernels. CONFIG_JSON holds ``procs`` (``cgroup.procs`` files to join), ``rlimits`` (name -> value),
``log`` (a file for stdout and stderr, or null), ``stderr_only`` (redirect only stderr to ``log``),
``chown`` (``[folder, uid]``: give the files in the scratch folder, such as the kernel's connection file,
to the sandbox's user), ``argv`` and ``env``. Everything it execs inherits the cgroups and the limits.
"""

import json
import os
import resource
import sys


def main() -> None:
    config = json.loads(sys.argv[1])
    for procs in config["procs"]:
        with open(procs, "w") as fh:
            fh.write(str(os.getpid()))
    if config["chown"]:
        folder, uid = config["chown"]
        for entry in os.scandir(folder):
            if entry.is_file(follow_symlinks=False):
                os.chown(entry.path, uid, uid, follow_symlinks=False)
    for name, value in config["rlimits"].items():
        limit = getattr(resource, name)
        hard = resource.getrlimit(limit)[1]
        value = value if hard == resource.RLIM_INFINITY else min(value, hard)  # never above what we have
        resource.setrlimit(limit, (value, value))
    if config["log"]:
        log = os.open(config["log"], os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_NOFOLLOW, 0o600)
        if not config["stderr_only"]:
            os.dup2(log, 1)
        os.dup2(log, 2)
        os.close(log)
    argv = config["argv"]
    os.execve(argv[0], argv, config["env"])


#: Run inside a root sandbox, after bubblewrap has built it: become the sandbox's own unprivileged user
#: (every capability is lost with uid 0), go to its home folder (its scratch folder, which only that
#: user may enter), then exec the kernel or the runtime. ``python -I -S -c`` this.
DROP_PRIVILEGES = (
    "import os, sys\n"
    "uid, gid = int(sys.argv[1]), int(sys.argv[2])\n"
    "os.setgroups([])\n"
    "os.setresgid(gid, gid, gid)\n"
    "os.setresuid(uid, uid, uid)\n"
    "assert os.getuid() == os.geteuid() == uid != 0\n"
    "os.chdir(os.environ['HOME'])\n"
    "os.execv(sys.argv[3], sys.argv[3:])\n"
)

if __name__ == "__main__":
    main()
