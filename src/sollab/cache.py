"""The compile cache: solc's output by a hash of (compiler, standard-JSON input), kept in memory
(least recently used first out) and on disk, so an unchanged cell or file recompiles for free."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from collections import OrderedDict
from pathlib import Path

from .paths import lab_home, write_atomically
from .versions import InstalledCompiler


class CompileCache:
    MEMORY_SIZE = 256
    DISK_FILES = 500

    def __init__(self, folder: Path | None = None, disk: bool = True) -> None:
        self.memory: OrderedDict[str, tuple[str, str]] = OrderedDict()
        self._folder = folder
        self.disk = disk and os.environ.get("SOLLAB_NO_DISK_CACHE") != "1"

    @property
    def folder(self) -> Path:
        return self._folder or lab_home() / "cache" / "compile"

    @staticmethod
    def key(compiler: InstalledCompiler, input_json: str) -> str:
        h = hashlib.sha256()
        h.update(f"{compiler.kind}|{compiler.path}|{compiler.version}|".encode())
        h.update(input_json.encode())
        return h.hexdigest()

    def get(self, key: str) -> tuple[str, str] | None:
        """(output JSON, compiler version) if cached."""
        if key in self.memory:
            self.memory.move_to_end(key)
            return self.memory[key]
        path = self.folder / f"{key}.json"
        if self.disk and path.exists():
            try:
                entry = json.loads(path.read_text())
                self._remember(key, entry["output"], entry["version"])
                return entry["output"], entry["version"]
            except (OSError, ValueError, KeyError):
                pass  # a damaged entry is recompiled and rewritten
        return None

    def put(self, key: str, output: str, version: str) -> None:
        self._remember(key, output, version)
        if self.disk:
            self._store(self.folder / f"{key}.json", output, version)

    def _remember(self, key: str, output: str, version: str) -> None:
        self.memory[key] = (output, version)
        while len(self.memory) > self.MEMORY_SIZE:
            self.memory.popitem(last=False)

    def _store(self, path: Path, output: str, version: str) -> None:
        try:
            write_atomically(path, json.dumps({"output": output, "version": version}))
            entries = sorted(path.parent.glob("*.json"), key=lambda p: p.stat().st_mtime)
            for old in entries[: max(0, len(entries) - self.DISK_FILES)]:
                with contextlib.suppress(OSError):
                    old.unlink()
        except OSError:
            pass  # a read-only or full disk only costs a recompile next time
