"""Checks for lesson 04, the EVM: hand-written bytecode that returns 42, storage slots of the
lesson's Ledger (contracts/04-the-evm/Ledger.sol), and where a transaction's gas went.

Answers are plain data: a hex string of code (deployed and called here), a function from a
variable name and keys to a slot number (checked against what the chain stores there), and a
function from a trace's steps (plain dicts) to a summary (checked against the lab's tracer).
"""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import strategies as st

from sollab.grading import CheckFailed, exercise
from sollab.paths import lab_root

LEDGER_SOL = "contracts/04-the-evm/Ledger.sol"


def call(t, *args: Any) -> Any:
    """The learner's function on a copy of ``args`` (it may change them freely); its own errors
    fail the check saying what happened (``CheckContext.call``)."""
    return t.call(*copy.deepcopy(args))


# --- 1. hand-written runtime code that returns 42 -----------------------------------------------

return42 = exercise(
    "04-the-evm/return-42",
    "Hand-written runtime code that returns 42",
    submits="value",
    name="RETURN_42",
    hints=[
        "Three steps: put 42 on the stack, store it in memory (MSTORE takes the offset from the "
        "top of the stack, then the value), return 32 bytes of memory (RETURN takes the offset "
        "from the top, then the size).",
        "Arguments are pushed in reverse: the one the instruction takes first is pushed last. "
        "42 is 0x2a; PUSH1 is 0x60, MSTORE 0x52, RETURN 0xf3, PUSH0 0x5f.",
        "Check your bytes with lab.disassemble('0x...') and run them with the run_code helper "
        "above before grading.",
    ],
)

MAX_SIZE = 32
CALL_GAS = 100_000  # returning 42 takes a few dozen gas; a loop fails fast


def _code(t) -> bytes:
    code = t.submission
    t.expect(
        isinstance(code, str),
        'a string of hex digits, like "0x6001..."',
        f"a {type(code).__name__}: {code!r}"[:200],
    )
    text = code.strip().removeprefix("0x").removeprefix("0X").replace(" ", "")
    try:
        data = bytes.fromhex(text)
    except ValueError:
        raise CheckFailed(
            "a string of hex digits (two per byte)",
            f"{code!r}"[:200],
            "only 0-9 and a-f, an even number of them, optionally after 0x",
        ) from None
    t.expect(
        data,
        "at least one instruction",
        "an empty string",
        "put your code's bytes, in hex, between the quotes of RETURN_42",
    )
    t.expect(
        data[0] != 0xEF,
        "code that does not start with the byte 0xef",
        "0xef first: the chain refuses to store such code (EIP-3541)",
    )
    return data


def _init_code(runtime: bytes) -> bytes:
    """Code that deploys ``runtime``: copy it from after itself into memory and return it.
    PUSH2 size, DUP1, PUSH1 10, PUSH0, CODECOPY (to 0, from 10, size), PUSH0, RETURN (0, size)."""
    return bytes.fromhex(f"61{len(runtime):04x}80600a5f395ff3") + runtime


def _deployed(t, runtime: bytes) -> str:
    try:
        receipt, _ = t.chain._transact(None, _init_code(runtime), what="deploying your code")
    except Exception as exc:  # e.g. more than the 24,576 bytes a contract may have
        raise CheckFailed(
            "your code to deploy", f"deploying it failed: {str(exc).splitlines()[0]}"
        ) from None
    t.expect(
        t.chain.code(receipt.contract_address) == runtime,
        "the deployed code to be your code",
        "something else",
    )
    return receipt.contract_address


def _output(t, address: str, data: bytes = b"", value: int = 0) -> bytes:
    """What calling the code returns; a revert or running out of gas fails the check."""
    try:
        return t.chain._call(address, data, value=value, gas=CALL_GAS, what="calling your code")
    except Exception as exc:
        raise CheckFailed(
            "the call to return",
            f"it failed: {str(exc).splitlines()[0].split('; pass gas=')[0]}",
            "a byte that is no instruction, a stack underflow, a JUMP to a non-JUMPDEST or an "
            "endless loop stops the code",
        ) from None


@return42.check("a string of hex bytes", points=1)
def _(t):
    _code(t)


@return42.check("deployed and called, it returns 32 bytes (one word)", points=1)
def _(t):
    out = _output(t, _deployed(t, _code(t)))
    t.expect(
        len(out) == 32,
        "32 bytes of return data: a uint256 is one 32-byte word",
        f"{len(out)} bytes (0x{out.hex()})",
        "RETURN's second argument is how many bytes of memory to return",
    )


@return42.check("those 32 bytes are the number 42", points=2)
def _(t):
    out = _output(t, _deployed(t, _code(t)))
    value = int.from_bytes(out[:32], "big") if out else None
    t.expect(
        len(out) == 32 and value == 42,
        "the word 0x00…002a (42)",
        f"0x{out.hex()}" + (f" ({value})" if value is not None else " (nothing)"),
        "42 is 0x2a in hex; MSTORE writes a whole 32-byte word, right-aligned",
    )


@return42.property(
    "returns 42 whatever the calldata and the Ether sent",
    st.tuples(st.binary(max_size=68), st.integers(0, 10**18)),
    points=1,
    examples=12,
)
def _(t, case):
    data, value = case
    address = _deployed(t, _code(t))
    out = _output(t, address, data, value)
    t.expect(
        out == (42).to_bytes(32, "big"),
        "42 as one 32-byte word, for any input",
        f"0x{out.hex()}",
        "your code should not depend on calldata or on the value sent",
    )


@return42.check(f"at most {MAX_SIZE} bytes: written by hand, not compiled", points=1, hidden=True)
def _(t):
    size = len(_code(t))
    t.expect(
        size <= MAX_SIZE,
        f"code of at most {MAX_SIZE} bytes",
        f"{size} bytes",
        "solc adds a dispatcher and metadata; write the few instructions yourself",
    )


# --- 2. predicting storage slots ---------------------------------------------------------------

slots = exercise(
    "04-the-evm/storage-slot",
    "Where the Ledger's variables live in storage",
    submits="function",
    name="ledger_slot",
    hints=[
        "Value types get slots in order of declaration, from 0; small ones that fit share a "
        "slot (owner, openedAt and paused are all in slot 0).",
        "A mapping's value for `key` lives at keccak256(key padded to 32 bytes ++ the mapping's "
        "slot as 32 bytes): key first, then slot.",
        "For allowance[a][b], first find the slot of allowance[a] as for any mapping, then use "
        "that slot as the slot of the inner mapping for key b.",
        "A dynamic array keeps its length at its own slot; element i is at keccak256(slot as 32 "
        "bytes) + i.",
    ],
)

_ledger_artifacts: dict[str, Any] = {}


def ledger_artifact(name: str = "Ledger"):
    """The lesson's Ledger (or Relay), compiled once per process."""
    if not _ledger_artifacts:
        from sollab import compile_files

        result = compile_files(lab_root() / LEDGER_SOL)
        for artifact in result.root_contracts:
            _ledger_artifacts[artifact.name] = artifact
    return _ledger_artifacts[name]


def _slot(t, name: str, *keys: Any) -> int:
    got = call(t, name, list(keys))
    t.expect(
        isinstance(got, int) and not isinstance(got, bool) and 0 <= got < 2**256,
        f"ledger_slot({name!r}, {list(keys)!r}) to be a slot number (an int from 0 to 2**256-1)",
        f"{got!r}"[:200],
        "keccak returns bytes: int.from_bytes(digest, 'big') makes it a number",
    )
    return got


def _holds(t, ledger, slot: int, value: int, what: str, hint: str = "") -> None:
    stored = t.chain.storage_at(ledger.address, slot)
    t.expect(
        stored == value,
        f"slot {slot:#x} to hold {what} = {value}",
        f"that slot holds {stored}",
        hint,
    )


def _address(raw: bytes) -> str:
    return "0x" + raw.hex()


@slots.check("total and its neighbours: slots in order of declaration", points=1)
def _(t):
    ledger = t.chain.deploy(ledger_artifact())
    ledger.deposit(1234)
    _holds(t, ledger, _slot(t, "total"), 1234, "total", "count the slots the variables above use")


@slots.check("owner, openedAt and paused share one slot", points=1)
def _(t):
    places = {name: _slot(t, name) for name in ("owner", "openedAt", "paused")}
    t.expect(
        set(places.values()) == {0},
        "all three in slot 0 (they fit in 32 bytes together)",
        ", ".join(f"{k} in {v}" for k, v in places.items()),
    )


@slots.property(
    "balances[who] is where the chain keeps it",
    st.tuples(st.binary(min_size=20, max_size=20), st.integers(1, 2**128)),
    points=2,
    examples=8,
)
def _(t, case):
    raw, amount = case
    who = _address(raw)
    slot = _slot(t, "balances", who)  # asked first: a wrong answer costs no deployment
    ledger = t.chain.deploy(ledger_artifact())
    ledger.depositFor(who, amount)
    _holds(
        t,
        ledger,
        slot,
        amount,
        f"balances[{who}]",
        "keccak256 of the key (32 bytes) followed by the mapping's slot (32 bytes)",
    )


@slots.property(
    "history[i] is where the chain keeps it",
    st.tuples(st.integers(1, 4), st.integers(0, 3)),
    points=1,
    examples=4,
)
def _(t, case):
    count, index = case
    index = min(index, count - 1)
    slot = _slot(t, "history", index)
    ledger = t.chain.deploy(ledger_artifact())
    for n in range(count):
        ledger.deposit(1000 + n)
    _holds(
        t,
        ledger,
        slot,
        1000 + index,
        f"history[{index}]",
        "the elements start at keccak256 of the array's slot; element i is i slots further",
    )


@slots.check("allowance[owner][spender], a mapping inside a mapping", points=2, hidden=True)
def _(t):
    ledger = t.chain.deploy(ledger_artifact())
    ledger.approve(t.carol, 777, sender=t.bob)
    ledger.approve(t.bob, 555, sender=t.carol)
    _holds(t, ledger, _slot(t, "allowance", str(t.bob), str(t.carol)), 777, "allowance[bob][carol]")


# --- 3. where the gas went ----------------------------------------------------------------------

gas = exercise(
    "04-the-evm/gas",
    "Where a transaction's gas went, from its trace",
    submits="function",
    name="gas_summary",
    hints=[
        "Each step's `cost` is what that instruction used; `gas` is what was left before it, "
        "so adding up `gas` means nothing.",
        "A CALL's cost already includes everything the called contract used: for the total, "
        "add up only the steps at depth 0.",
        "Storage is the steps whose op is SLOAD or SSTORE, at any depth. The top step is the "
        "step with the largest cost: max(steps, key=...).",
    ],
)

SUMMARY = ("total", "storage", "top")


def plain_steps(trace) -> list[dict[str, Any]]:
    """A lab trace's steps as plain dicts: what the exercise's function receives."""
    return [{"pc": s.pc, "op": s.op, "gas": s.gas, "cost": s.cost, "depth": s.depth} for s in trace]


def _summary(t, steps: list[dict[str, Any]]) -> dict[str, Any]:
    got = call(t, steps)
    t.expect(
        isinstance(got, dict) and set(SUMMARY) <= set(got),
        'a dict {"total": ..., "storage": ..., "top": ...}',
        f"{got!r}"[:200],
    )
    for key in ("total", "storage"):
        t.expect(
            isinstance(got[key], int) and not isinstance(got[key], bool),
            f"{key} to be a whole number of gas",
            f"{got[key]!r}",
        )
    t.expect(isinstance(got["top"], str), 'top to be an instruction name like "ADD"', f"{got!r}")
    return got


def _truth(steps: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "total": sum(s["cost"] for s in steps if s["depth"] == 0),
        "storage": sum(s["cost"] for s in steps if s["op"] in ("SLOAD", "SSTORE")),
        "top": max(steps, key=lambda s: s["cost"])["op"],
    }


def _deposit_trace(t):
    from sollab import trace

    ledger = t.chain.deploy(ledger_artifact())
    ledger.deposit(10, sender=t.bob)
    receipt = ledger.deposit(5, sender=t.carol)
    return trace(receipt)


@gas.check("returns total, storage and top", points=1)
def _(t):
    steps = [
        {"pc": 0, "op": "PUSH1", "gas": 100, "cost": 3, "depth": 0},
        {"pc": 2, "op": "SLOAD", "gas": 97, "cost": 2100, "depth": 0},
    ]
    _summary(t, steps)


@gas.check("total: the execution gas of a real deposit", points=2)
def _(t):
    traced = _deposit_trace(t)
    got = _summary(t, plain_steps(traced))
    t.expect(
        got["total"] == traced.execution_gas,
        f"total {traced.execution_gas:,} (the gas the deposit's instructions used)",
        f"{got['total']:,}",
        "add up each step's cost",
    )


@gas.check("storage: what SLOAD and SSTORE used in that deposit", points=2)
def _(t):
    steps = plain_steps(_deposit_trace(t))
    want = _truth(steps)["storage"]
    got = _summary(t, steps)
    t.expect(got["storage"] == want, f"storage {want:,}", f"{got['storage']:,}")


@gas.check("top: the single most expensive step of that deposit", points=1)
def _(t):
    steps = plain_steps(_deposit_trace(t))
    want = _truth(steps)["top"]
    got = _summary(t, steps)
    t.expect(got["top"] == want, f"top {want!r}", f"{got['top']!r}")


OPS = ["PUSH1", "ADD", "MSTORE", "SLOAD", "SSTORE", "CALL", "LOG1"]


@gas.property(
    "any trace, calls inside calls included",
    st.lists(st.tuples(st.sampled_from(OPS), st.integers(0, 30_000)), min_size=1, max_size=30),
    points=2,
    examples=30,
)
def _(t, rows):
    steps: list[dict[str, Any]] = []
    left, i = 1_000_000, 0

    def step(op: str, cost: int, depth: int) -> None:
        steps.append({"pc": len(steps), "op": op, "gas": left, "cost": cost, "depth": depth})

    while i < len(rows):
        op, cost = rows[i]
        if op == "CALL":  # the next (up to) three rows run in the callee, at depth 1
            inner = rows[i + 1 : i + 4]
            cost = 700 + sum(c for _, c in inner)  # a CALL's cost includes its callee's
            step(op, cost, 0)
            for inner_op, inner_cost in inner:
                step(inner_op, inner_cost, 1)
            i += 1 + len(inner)
        else:
            step(op, cost, 0)
            i += 1
        left -= cost
    want = _truth(steps)
    most = max(s["cost"] for s in steps)
    tops = {s["op"] for s in steps if s["cost"] == most}  # a tie: any of them is right
    got = _summary(t, steps)
    right = (got["total"], got["storage"]) == (want["total"], want["storage"])
    t.expect(
        right and got["top"] in tops,
        f"total {want['total']:,}, storage {want['storage']:,}, top {' or '.join(sorted(tops))}",
        f"total {got['total']:,}, storage {got['storage']:,}, top {got['top']}",
        "count what a call used only once",
    )


@gas.check("a call into another contract: the callee's gas counted once", points=1, hidden=True)
def _(t):
    from sollab import trace

    ledger = t.chain.deploy(ledger_artifact())
    relay = t.chain.deploy(ledger_artifact("Relay"))
    traced = trace(relay.relay(ledger.address, 3, sender=t.dave))
    got = _summary(t, plain_steps(traced))
    t.expect(
        got["total"] == traced.execution_gas,
        f"total {traced.execution_gas:,}",
        f"{got['total']:,}",
        "the CALL step's cost includes the callee's steps at depth 1",
    )
