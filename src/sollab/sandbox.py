"""The sandbox a learner's notebook runs in while a class is graded.

With bubblewrap (Debian's ``bubblewrap``) the process runs as uid 65534 in its own user, PID,
network, IPC and mount namespaces: no network at all, a private ``/tmp``, a read-only view of
only what running a lesson needs (the system, Python, the lab's code, its compilers and
``contracts/``), and one writable folder, the submission's own working copy, seen where the
lesson lives (``lessons/<lesson>/``), so relative paths in the lesson work. It cannot see
``solutions/``, ``graders/``, other submissions or the gradebook; when it ends, every process
it started ends with it (and when a grading zygote's run ends, the zygote ends them). Without
bubblewrap the notebook still runs, with the same resource limits but none of that isolation,
and the grader says so loudly.

Both ways it runs under limits: CPU seconds, address space (Node's wasm needs
``--disable-wasm-trap-handler`` for that), the size of any file it writes, and processes.
"""

from __future__ import annotations

import contextlib
import functools
import os
import resource
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from .errors import LabError
from .paths import lab_home, lab_root

SANDBOX_UID = 65534  # "nobody" inside the sandbox's own user namespace


@dataclass(frozen=True)
class Limits:
    cpu_seconds: int = 600
    memory_bytes: int = 4 * 1024**3
    file_bytes: int = 64 * 1024**2
    processes: int = 2048


@functools.cache
def bubblewrap() -> str | None:
    """bwrap's path if it is installed and can make namespaces here, else None."""
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        return None
    probe = [bwrap, "--unshare-all", "--unshare-user", "--ro-bind", "/", "/", "true"]
    try:
        ok = subprocess.run(probe, capture_output=True, timeout=30).returncode == 0
    except (OSError, subprocess.SubprocessError):
        ok = False
    return bwrap if ok else None


NOT_SANDBOXED_WARNING = (
    "WARNING: bubblewrap is not available, so submissions run WITHOUT a sandbox: a notebook "
    "can read solutions/ and the gradebook, use the network and leave processes behind. "
    "Install it (`sudo apt-get install bubblewrap`) before grading work you do not trust."
)


class Sandbox:
    """Runs commands for one submission whose working copy is ``workdir``, shown to it as
    ``lessons/<lesson>/`` of the lab."""

    def __init__(
        self,
        workdir: Path,
        lesson: str,
        limits: Limits | None = None,
        *,
        isolate: bool = True,
    ) -> None:
        self.workdir = Path(workdir).resolve()
        self.lesson = lesson
        self.limits = limits or Limits()
        self.bwrap = bubblewrap() if isolate else None

    @property
    def isolated(self) -> bool:
        return self.bwrap is not None

    @property
    def cwd(self) -> Path:
        """Where the notebook runs, as the notebook sees it."""
        return lab_root() / "lessons" / self.lesson if self.isolated else self.workdir

    def environment(self, home: Path) -> dict[str, str]:
        venv_bin = Path(sys.executable).parent
        # The grader's choice of chain backend holds inside the sandbox too.
        backend = os.environ.get("SOLLAB_BACKEND")
        return {
            **({"SOLLAB_BACKEND": backend} if backend else {}),
            "PATH": f"{venv_bin}:/usr/local/bin:/usr/bin:/bin",
            "HOME": str(home),
            "LANG": "C.UTF-8",
            "SOLLAB_ROOT": str(lab_root()),
            "SOLLAB_HOME": str(home / "sollab"),
            "SOLLAB_PROGRESS": str(home / "progress.json"),
            "NODE_OPTIONS": "--disable-wasm-trap-handler",  # wasm under an address-space limit
            "MPLBACKEND": "Agg",
            "PYTHONDONTWRITEBYTECODE": "1",
            "PYTHONUNBUFFERED": "1",
        }

    def command(self, argv: list[str]) -> tuple[list[str], dict[str, str], Path]:
        """The command line, environment and working directory that run ``argv`` here."""
        if not self.isolated:
            home = self.workdir.parent / "home"
            home.mkdir(exist_ok=True)
            env = self.environment(home)
            compilers = lab_home() / "compilers"
            if compilers.is_dir():
                (home / "sollab").mkdir(exist_ok=True)
                link = home / "sollab" / "compilers"
                if not link.exists():
                    link.symlink_to(compilers)
            return argv, env, self.workdir
        home = Path("/tmp/home")
        args = [
            str(self.bwrap),
            "--unshare-all",  # user, pid, net, ipc, uts, cgroup namespaces
            "--unshare-user",
            "--uid", str(SANDBOX_UID), "--gid", str(SANDBOX_UID),
            "--die-with-parent",
            "--new-session",
            "--proc", "/proc",
            "--dev", "/dev",
            "--tmpfs", "/tmp",
            "--dir", str(home),
        ]  # fmt: skip
        for path in self._readable():
            if path.is_symlink() and path.parent == Path("/"):
                args += ["--symlink", os.readlink(path), str(path)]  # /lib -> usr/lib
            elif path.exists():
                args += ["--ro-bind", str(path), str(path)]
        compilers = lab_home() / "compilers"
        if compilers.is_dir():
            args += ["--ro-bind", str(compilers), str(home / "sollab" / "compilers")]
        args += ["--bind", str(self.workdir), str(self.cwd), "--chdir", str(self.cwd)]
        return [*args, *argv], self.environment(home), self.workdir

    def _readable(self) -> list[Path]:
        """What the notebook may read: the system, Python, the lab's code and compilers."""
        import sollab

        root = lab_root()
        paths = [Path(p) for p in ("/usr", "/etc", "/bin", "/sbin", "/lib", "/lib32", "/lib64")]
        paths += [Path(sys.base_prefix).resolve(), Path(sys.prefix).resolve()]
        paths.append(Path(sollab.__file__).resolve().parent)  # the lab's code
        paths += [root / "node_modules", root / "package.json", root / "contracts"]
        from .node import find_node

        with contextlib.suppress(LabError):  # no Node: compiling says so, in the sandbox
            paths.append(Path(find_node().executable).resolve().parent.parent)
        unique: list[Path] = []
        for p in paths:
            if not any(p == u or u in p.parents for u in unique if u != Path("/")):
                unique.append(p)
        return unique

    def rlimits(self) -> list[tuple[str, int, bool]]:
        """(resource, value, whether a zygote keeps it too) for each limit of a run."""
        return [
            ("RLIMIT_CPU", self.limits.cpu_seconds, False),
            ("RLIMIT_AS", self.limits.memory_bytes, False),
            ("RLIMIT_FSIZE", self.limits.file_bytes, True),
            ("RLIMIT_NPROC", self.limits.processes, True),
            ("RLIMIT_CORE", 0, True),
        ]

    def popen(self, argv: list[str], *, zygote: bool = False, **kwargs) -> subprocess.Popen:
        """Start ``argv`` in the sandbox under the limits; a ``zygote`` (which sets them itself
        in each child it forks, see ``runner``) gets no limit on CPU time or address space."""
        command, env, cwd = self.command(argv)
        rlimits = [
            (getattr(resource, name), resource.RLIM_INFINITY if zygote and not fixed else value)
            for name, value, fixed in self.rlimits()
        ]

        def limit() -> None:  # runs in the child, before exec
            for which, value in rlimits:
                resource.setrlimit(which, (value, value))

        return subprocess.Popen(
            command, env=env, cwd=cwd, preexec_fn=limit, start_new_session=True, **kwargs
        )
