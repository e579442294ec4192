"""The lab's Jupyter kernel: Python with the sollab extension loaded, so lessons need no set-up.

``python -m sollab.kernel`` (run by ``make setup``) installs the kernelspec ``sollab`` into this
environment (``<prefix>/share/jupyter/kernels/sollab``); running it again rewrites the same file.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

KERNEL_NAME = "sollab"
DISPLAY_NAME = "Solidity lab (Python 3 + sollab)"


def kernelspec() -> dict:
    return {
        "argv": [
            sys.executable,
            "-m",
            "ipykernel_launcher",
            "-f",
            "{connection_file}",
            "--ext=sollab",
        ],
        "display_name": DISPLAY_NAME,
        "language": "python",
        "metadata": {"debugger": True},
    }


def install(prefix: str | Path = sys.prefix) -> Path:
    """Write the kernelspec under ``prefix``; returns its folder."""
    folder = Path(prefix) / "share" / "jupyter" / "kernels" / KERNEL_NAME
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "kernel.json").write_text(json.dumps(kernelspec(), indent=2) + "\n")
    return folder


if __name__ == "__main__":
    print(f"Installed the {KERNEL_NAME!r} Jupyter kernel in {install()}")
