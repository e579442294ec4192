"""The chain's backend seam: the small set of verbs ``sollab.chain.Chain`` needs from an EVM.

Lessons, graders and the CLI only ever see ``Chain``; a backend owns the EVM behind it.
``SOLLAB_BACKEND`` picks one: ``pyevm`` (eth-tester + py-evm, the default) or ``revm`` (pyrevm,
with py-evm's results; step traces re-run on py-evm; see backends/revm.py; web3 and the node
get eth-tester over the same revm state, backends/revm_tester.py).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

INTRINSIC_GAS = 21_000  # the base cost of any transaction


def calldata_floor(data: bytes) -> int:
    """The least gas a transaction with this calldata is charged (EIP-7623, Prague)."""
    zeros = data.count(0)
    return INTRINSIC_GAS + 10 * (zeros + 4 * (len(data) - zeros))


def intrinsic_gas(data: bytes, create: bool = False) -> int:
    """Gas a transaction needs before any code runs (Prague rules, EIP-7623 floor included)."""
    zeros = data.count(0)
    cost = INTRINSIC_GAS + 4 * zeros + 16 * (len(data) - zeros)
    if create:
        cost += 32_000 + 2 * ((len(data) + 31) // 32)
    return max(cost, calldata_floor(data))


@dataclass(frozen=True)
class Frame:
    """The call frame an execution failed in: whose code, where, and whether it was a create."""

    address: str  # checksummed address of the code's account
    pc: int  # program counter of the failing instruction
    is_create: bool
    depth: int
    trail: tuple[int, ...] = ()  # the frame's last program counters, oldest first (replays only)


@dataclass
class RawStep:
    """One executed instruction, as the EVM stood just before it ran."""

    pc: int
    op: int
    gas: int  # gas left before the instruction
    depth: int
    address: str  # whose code runs (the new contract's address in a constructor)
    is_create: bool
    stack: tuple[int, ...]  # bottom first
    memory: bytes  # shared between steps while memory does not change
    cost: int = 0  # gas the instruction used (a CALL's includes what its callee used)
    storage: tuple[str, int, int] | None = None  # ("read" | "write", slot, value)


@dataclass
class Log:
    address: str
    topics: list[bytes]
    data: bytes


@dataclass
class Execution:
    """What running a transaction or call did."""

    success: bool
    output: bytes  # return data, or revert data when it failed
    gas_used: int
    error: str | None = None  # None, "revert", "out_of_gas", "invalid_opcode" or another name
    error_message: str = ""
    frame: Frame | None = None  # where it failed (innermost frame that originated the failure)
    # A backend that finds the frame only by running the execution again (revm) leaves
    # ``frame`` None and gives this instead: it finds the frame when called (None if it can
    # no longer: the state the execution ran on has since been reverted away)
    find_frame: Callable[[], Frame | None] | None = None
    logs: list[Log] = field(default_factory=list)
    contract_address: str | None = None
    tx_hash: bytes | None = None  # set for mined transactions
    block_number: int | None = None
    gas_limit: int = 0
    refund: int = 0  # gas given back at the end (clearing storage), already off gas_used


class ChainBackend(Protocol):
    name: str

    def accounts(self) -> list[tuple[str, bytes]]: ...
    def transact(self, tx: dict) -> Execution: ...
    def call(self, tx: dict) -> Execution: ...
    def replay_trail(self, tx: dict, block_number: int | None) -> Frame | None: ...
    def trace(
        self, tx: dict, block_number: int | None, max_steps: int
    ) -> tuple[Execution | None, list[RawStep]]: ...
    def snapshot(self) -> object: ...
    def revert(self, snapshot: object) -> None: ...
    def balance(self, address: str, block: int | None = None) -> int: ...  # None: latest
    def set_balance(self, address: str, wei: int) -> None: ...
    def code(self, address: str) -> bytes: ...
    def nonce(self, address: str) -> int: ...
    def storage_at(self, address: str, slot: int, block: int | None = None) -> int: ...
    def block_number(self) -> int: ...
    def pending_timestamp(self) -> int: ...  # what the next transaction will see
    def time_travel(self, timestamp: int) -> None: ...  # the next block gets it
    def mine(self, blocks: int) -> None: ...
    def web3_provider(self, check: Callable[[dict], None], gas_cap: int) -> object: ...


BACKENDS = ("pyevm", "revm")


def make_backend(name: str | None = None) -> ChainBackend:
    from ..errors import ChainError

    name = (name or os.environ.get("SOLLAB_BACKEND") or "pyevm").strip().lower()
    if name == "pyevm":
        from .pyevm import PyEvmBackend

        return PyEvmBackend()
    if name == "revm":
        try:
            from .revm import RevmBackend
        except ImportError:
            raise ChainError(
                "SOLLAB_BACKEND=revm needs pyrevm, which is not installed: "
                "pip install pyrevm==0.3.7 (or unset SOLLAB_BACKEND)"
            ) from None
        return RevmBackend()
    raise ChainError(
        f"unknown chain backend {name!r}: set SOLLAB_BACKEND to pyevm or revm (or unset it)"
    )
