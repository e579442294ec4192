"""From a program counter back to the Solidity that produced it, through solc's source map."""

from __future__ import annotations

from functools import lru_cache

from .diagnostics import SourceLocation
from .opcodes import push_size


def instruction_index(bytecode: bytes, pc: int) -> int | None:
    """Which instruction (counting from 0) starts at byte ``pc``; PUSH data is skipped."""
    return _instruction_starts(bytes(bytecode)).get(pc)


@lru_cache(maxsize=64)
def _instruction_starts(bytecode: bytes) -> dict[int, int]:
    """pc -> instruction index for every instruction of ``bytecode`` (computed once per code)."""
    starts, index, i = {}, 0, 0
    while i < len(bytecode):
        starts[i] = index
        i += 1 + push_size(bytecode[i])
        index += 1
    return starts


@lru_cache(maxsize=64)
def decompress(source_map: str) -> tuple[tuple[int, int, int, str], ...]:
    """solc's compressed ``s:l:f:j;...`` map: (start, length, file index, jump) per instruction."""
    entries = []
    start, length, f, j = 0, 0, -1, "-"
    for item in source_map.split(";") if source_map else []:
        fields = item.split(":")
        if len(fields) > 0 and fields[0]:
            start = int(fields[0])
        if len(fields) > 1 and fields[1]:
            length = int(fields[1])
        if len(fields) > 2 and fields[2]:
            f = int(fields[2])
        if len(fields) > 3 and fields[3]:
            j = fields[3]
        entries.append((start, length, f, j))
    return tuple(entries)


def locate(
    bytecode: bytes, source_map: str, pc: int, source_ids: dict[int, str], sources: dict[str, str]
) -> SourceLocation | None:
    """The Solidity span the instruction at ``pc`` came from, if it came from a user source."""
    index = instruction_index(bytecode, pc)
    entries = decompress(source_map)
    if index is None or index >= len(entries):
        return None
    start, length, file, _ = entries[index]
    name = source_ids.get(file)
    if name is None or name not in sources:
        return None  # compiler-generated code (e.g. a panic helper) has no user line
    return SourceLocation.from_offsets(name, sources[name], start, start + length)
