"""The EVM instruction set as the lab's chain runs it (Prague): byte -> mnemonic and gas."""

from __future__ import annotations

#: byte -> (name, gas): ``gas`` is the fixed cost, or the fixed part of a cost that also depends
#: on memory, storage or account warmth (those names are in ``_DYNAMIC``); None for INVALID,
#: which consumes all the gas left.
OPCODES: dict[int, tuple[str, int | None]] = {
    0x00: ("STOP", 0),
    0x01: ("ADD", 3),
    0x02: ("MUL", 5),
    0x03: ("SUB", 3),
    0x04: ("DIV", 5),
    0x05: ("SDIV", 5),
    0x06: ("MOD", 5),
    0x07: ("SMOD", 5),
    0x08: ("ADDMOD", 8),
    0x09: ("MULMOD", 8),
    0x0A: ("EXP", 10),
    0x0B: ("SIGNEXTEND", 5),
    0x10: ("LT", 3),
    0x11: ("GT", 3),
    0x12: ("SLT", 3),
    0x13: ("SGT", 3),
    0x14: ("EQ", 3),
    0x15: ("ISZERO", 3),
    0x16: ("AND", 3),
    0x17: ("OR", 3),
    0x18: ("XOR", 3),
    0x19: ("NOT", 3),
    0x1A: ("BYTE", 3),
    0x1B: ("SHL", 3),
    0x1C: ("SHR", 3),
    0x1D: ("SAR", 3),
    0x20: ("KECCAK256", 30),
    0x30: ("ADDRESS", 2),
    0x31: ("BALANCE", 100),
    0x32: ("ORIGIN", 2),
    0x33: ("CALLER", 2),
    0x34: ("CALLVALUE", 2),
    0x35: ("CALLDATALOAD", 3),
    0x36: ("CALLDATASIZE", 2),
    0x37: ("CALLDATACOPY", 3),
    0x38: ("CODESIZE", 2),
    0x39: ("CODECOPY", 3),
    0x3A: ("GASPRICE", 2),
    0x3B: ("EXTCODESIZE", 100),
    0x3C: ("EXTCODECOPY", 100),
    0x3D: ("RETURNDATASIZE", 2),
    0x3E: ("RETURNDATACOPY", 3),
    0x3F: ("EXTCODEHASH", 100),
    0x40: ("BLOCKHASH", 20),
    0x41: ("COINBASE", 2),
    0x42: ("TIMESTAMP", 2),
    0x43: ("NUMBER", 2),
    0x44: ("PREVRANDAO", 2),
    0x45: ("GASLIMIT", 2),
    0x46: ("CHAINID", 2),
    0x47: ("SELFBALANCE", 5),
    0x48: ("BASEFEE", 2),
    0x49: ("BLOBHASH", 3),
    0x4A: ("BLOBBASEFEE", 2),
    0x50: ("POP", 2),
    0x51: ("MLOAD", 3),
    0x52: ("MSTORE", 3),
    0x53: ("MSTORE8", 3),
    0x54: ("SLOAD", 100),
    0x55: ("SSTORE", 100),
    0x56: ("JUMP", 8),
    0x57: ("JUMPI", 10),
    0x58: ("PC", 2),
    0x59: ("MSIZE", 2),
    0x5A: ("GAS", 2),
    0x5B: ("JUMPDEST", 1),
    0x5C: ("TLOAD", 100),
    0x5D: ("TSTORE", 100),
    0x5E: ("MCOPY", 3),
    0x5F: ("PUSH0", 2),
    **{0x60 + i: (f"PUSH{i + 1}", 3) for i in range(32)},
    **{0x80 + i: (f"DUP{i + 1}", 3) for i in range(16)},
    **{0x90 + i: (f"SWAP{i + 1}", 3) for i in range(16)},
    **{0xA0 + i: (f"LOG{i}", 375 * (i + 1)) for i in range(5)},
    0xF0: ("CREATE", 32000),
    0xF1: ("CALL", 100),
    0xF2: ("CALLCODE", 100),
    0xF3: ("RETURN", 0),
    0xF4: ("DELEGATECALL", 100),
    0xF5: ("CREATE2", 32000),
    0xFA: ("STATICCALL", 100),
    0xFD: ("REVERT", 0),
    0xFE: ("INVALID", None),
    0xFF: ("SELFDESTRUCT", 5000),
}
DYNAMIC = {  # the cost also depends on memory growth, data size, storage or warm/cold access
    "EXP", "KECCAK256", "BALANCE", "CALLDATACOPY", "CODECOPY", "EXTCODESIZE", "EXTCODECOPY",
    "RETURNDATACOPY", "EXTCODEHASH", "MLOAD", "MSTORE", "MSTORE8", "SLOAD", "SSTORE", "MCOPY",
    "LOG0", "LOG1", "LOG2", "LOG3", "LOG4", "CREATE", "CALL", "CALLCODE", "RETURN",
    "DELEGATECALL", "CREATE2", "STATICCALL", "REVERT", "SELFDESTRUCT",
}  # fmt: skip

#: Instructions that start a new call frame (their gas cost includes the callee's).
CALLS = frozenset({0xF0, 0xF1, 0xF2, 0xF4, 0xF5, 0xFA})
JUMPDEST = 0x5B


def name(op: int) -> str:
    """``PUSH1``, ``SSTORE``, ... or ``INVALID(0x0c)`` for a byte that is no instruction."""
    return OPCODES[op][0] if op in OPCODES else f"INVALID(0x{op:02x})"


def push_size(op: int) -> int:
    """How many bytes of data follow the instruction (PUSH1..PUSH32), else 0."""
    return op - 0x5F if 0x60 <= op <= 0x7F else 0
