"""solc-js in one long-lived Node process: the compiler backend for machines without a native
solc. Started lazily, restarted if it dies, stopped at exit; requests are serialised.

The protocol (see ``js/solc_worker.js``): one JSON request a line on the worker's stdin, one
JSON answer a line on a separate pipe, so nothing solc prints can corrupt it.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import select
import subprocess
import tempfile
import threading
import time
import weakref
from importlib import resources
from pathlib import Path
from typing import Any

from .errors import CompilerCrashed
from .versions import InstalledCompiler

COMPILE_TIMEOUT = float(os.environ.get("SOLLAB_COMPILE_TIMEOUT", "300"))


class SolcJsWorker:
    """One long-lived Node process running solc-js; requests are serialised with a lock."""

    def __init__(self) -> None:
        self._proc: subprocess.Popen[bytes] | None = None
        self._out_fd: int | None = None
        self._buffer = b""
        self._stderr: Any = None
        self._lock = threading.Lock()
        self._next_id = 0
        self.starts = 0  # how many processes this worker has started (tests watch restarts)

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc and self._proc.poll() is None else None

    def start(self, preload: Path | None = None) -> None:
        """Start the Node process if it is not running (``preload``: a compiler to load now)."""
        with self._lock:
            self._ensure_started(preload)

    def _ensure_started(self, preload: Path | None = None) -> None:
        if self._proc is not None and self._proc.poll() is None:
            return
        self._cleanup()
        from .node import find_node

        node = find_node()
        script = resources.files("sollab") / "js" / "solc_worker.js"
        read_fd, write_fd = os.pipe()
        env = dict(os.environ, SOLLAB_OUT_FD=str(write_fd))
        if preload is not None:
            env["SOLLAB_PRELOAD"] = str(preload)
        self._stderr = tempfile.TemporaryFile()  # noqa: SIM115 (lives as long as the worker)
        try:
            self._proc = subprocess.Popen(
                [node.executable, str(script)],
                stdin=subprocess.PIPE,
                stdout=self._stderr,
                stderr=self._stderr,
                pass_fds=(write_fd,),
                env=env,
            )
        finally:
            os.close(write_fd)
        self._out_fd = read_fd
        self._buffer = b""
        self.starts += 1

    def _cleanup(self) -> None:
        if self._out_fd is not None:
            with contextlib.suppress(OSError):
                os.close(self._out_fd)
            self._out_fd = None
        if self._proc is not None:
            if self._proc.poll() is None:
                self._proc.kill()
            with contextlib.suppress(Exception):
                self._proc.wait(timeout=5)
                if self._proc.stdin:
                    self._proc.stdin.close()
            self._proc = None
        if self._stderr is not None:
            self._stderr.close()
            self._stderr = None

    def close(self) -> None:
        """Shut the worker down (it also stops by itself when this process exits)."""
        with self._lock:
            if self._proc is not None and self._proc.poll() is None and self._proc.stdin:
                with contextlib.suppress(OSError):
                    self._proc.stdin.close()
                with contextlib.suppress(subprocess.TimeoutExpired):
                    self._proc.wait(timeout=2)
            self._cleanup()

    def _stderr_tail(self) -> str:
        if self._stderr is None:
            return ""
        with contextlib.suppress(Exception):
            self._stderr.seek(0)
            lines = self._stderr.read().decode("utf-8", "replace").strip().splitlines()
            return " | ".join(lines[-3:])
        return ""

    def request(self, message: dict[str, Any], timeout: float = COMPILE_TIMEOUT) -> dict[str, Any]:
        with self._lock:
            self._ensure_started()
            self._next_id += 1
            message = dict(message, id=self._next_id)
            try:
                assert self._proc is not None and self._proc.stdin is not None
                self._proc.stdin.write(json.dumps(message).encode() + b"\n")
                self._proc.stdin.flush()
                reply = self._read_reply(message["id"], timeout)
            except KeyboardInterrupt:
                # Interrupted (Ctrl-C, Jupyter's stop button): stop solc too, or the next compile
                # would wait for this one to finish.
                self._cleanup()
                raise
            except (OSError, CompilerCrashed) as exc:
                detail = self._stderr_tail()
                code = self._proc.poll() if self._proc else None
                self._cleanup()
                if isinstance(exc, CompilerCrashed):
                    raise
                raise CompilerCrashed(
                    f"the solc-js worker stopped (exit code {code})"
                    + (f": {detail}" if detail else "")
                    + "; it restarts on the next compile"
                ) from None
            if not reply.get("ok"):
                error = str(reply.get("error", "unknown error")).splitlines()[0]
                raise CompilerCrashed(f"solc-js failed: {error}")
            return reply

    def _read_reply(self, wanted: int, timeout: float) -> dict[str, Any]:
        assert self._out_fd is not None and self._proc is not None
        deadline = time.monotonic() + timeout
        while True:
            newline = self._buffer.find(b"\n")
            if newline >= 0:
                line, self._buffer = self._buffer[:newline], self._buffer[newline + 1 :]
                reply = json.loads(line)
                if reply.get("id") == wanted:
                    return reply
                continue
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                self._proc.kill()
                raise CompilerCrashed(
                    f"solc-js took longer than {timeout:.0f} s and was stopped "
                    "(set SOLLAB_COMPILE_TIMEOUT to allow more); it restarts on the next compile"
                )
            ready, _, _ = select.select([self._out_fd], [], [], min(remaining, 1.0))
            if not ready:
                continue
            chunk = os.read(self._out_fd, 1 << 20)
            if not chunk:
                code = self._proc.wait(timeout=5)
                detail = self._stderr_tail()
                raise CompilerCrashed(
                    f"the solc-js worker stopped while compiling (exit code {code})"
                    + (f": {detail}" if detail else "")
                    + "; it restarts on the next compile"
                )
            self._buffer += chunk

    def compile(self, compiler: InstalledCompiler, input_json: str) -> tuple[str, str]:
        reply = self.request({"cmd": "compile", "solc": str(compiler.path), "input": input_json})
        return reply["output"], reply["version"]


_workers: weakref.WeakSet[SolcJsWorker] = weakref.WeakSet()


def track(worker: SolcJsWorker) -> SolcJsWorker:
    """Stop ``worker``'s process when Python exits."""
    _workers.add(worker)
    return worker


@atexit.register
def _close_workers() -> None:
    for worker in list(_workers):
        worker.close()
