"""Where the lab keeps things: its root (node_modules/) and its home (extra compilers, cache)."""

from __future__ import annotations

import contextlib
import json
import os
from functools import cache
from pathlib import Path

NODE_SIDE_NAME = "sollab-node-side"


def _is_lab_root(folder: Path) -> bool:
    try:
        return json.loads((folder / "package.json").read_text()).get("name") == NODE_SIDE_NAME
    except (OSError, ValueError, AttributeError):
        return False


@cache
def lab_root() -> Path:
    """The checkout holding package.json and node_modules/: ``$SOLLAB_ROOT``, else found by
    walking up from this package (an editable install) or from the working directory."""
    if env := os.environ.get("SOLLAB_ROOT"):
        return Path(env).resolve()
    for start in (Path(__file__).resolve().parent, Path.cwd().resolve()):
        for folder in (start, *start.parents):
            if _is_lab_root(folder):
                return folder
    return Path.cwd().resolve()


def write_atomically(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` all at once: a reader (or a crash) sees the old file or the
    new one, never half of one; two writers at once each write a temporary file of their own."""
    import tempfile

    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def lab_home() -> Path:
    """Where sollab writes: ``$SOLLAB_HOME``, else ``.sollab/`` in the lab root."""
    if env := os.environ.get("SOLLAB_HOME"):
        return Path(env).resolve()
    return lab_root() / ".sollab"


def node_modules_dirs() -> list[Path]:
    """The lab's own node_modules, then the one holding compilers added by `sollab compilers`."""
    return [lab_root() / "node_modules", lab_home() / "compilers" / "node_modules"]
