"""Helpers for tests that drive a real `sollab node` in its own process and the `sollab` CLI
(test_devnode, test_deployment, test_export, test_webpage). Imported as ``from nodekit import
...`` (pytest puts tests/ on the path)."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import urllib.request
from contextlib import contextmanager
from pathlib import Path

SOLLAB = str(Path(sys.executable).parent / "sollab")
NODE_CHAIN_ID = 131277322940537
#: The node's third dev account (carol): a public test key, funded on every `sollab node`.
DEV_KEY = "0x" + "00" * 31 + "03"


def free_port() -> int:
    """A TCP port free on 127.0.0.1 now (for servers that cannot be told `--port 0`)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_node() -> tuple[subprocess.Popen, str, str]:
    """`sollab node --port 0` in its own process: (the process, its URL, its banner)."""
    process = subprocess.Popen(
        [SOLLAB, "node", "--port", "0"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    lines = []
    for line in process.stdout:
        lines.append(line)
        found = re.match(r"Listening on (http://\S+)", line)
        if found:
            return process, found.group(1), "".join(lines)
    process.kill()
    raise RuntimeError(f"sollab node did not start: {''.join(lines)} {process.stderr.read()}")


@contextmanager
def sollab_node():
    """`sollab node --port 0` in its own process; yields its URL, stops it after."""
    process, url, _ = start_node()
    try:
        yield url
    finally:
        process.kill()
        process.wait()


def sollab(*argv: str, env: dict | None = None, input: str | None = None, cwd=None):
    """Run the `sollab` command; the finished process (text output)."""
    return subprocess.run(
        [SOLLAB, *argv],
        capture_output=True,
        text=True,
        timeout=180,
        input=input,
        cwd=cwd,
        env={**os.environ, **(env or {})},
    )


def rpc(url: str, method: str, *params):
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": list(params)})
    request = urllib.request.Request(
        url, data=body.encode(), headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        answer = json.loads(response.read())
    assert "error" not in answer, answer
    return answer["result"]
