"""Lesson 04's checks: right answers (however written) earn full marks, each typical mistake
loses exactly its own checks' points, and the released stub or a wrong type scores 0."""

from __future__ import annotations

from collections import Counter

import pytest
from eth_abi import encode
from eth_utils import keccak
from lessonkit import no_crash, score, stub
from web3 import Web3

from sollab import compile_source
from sollab.grading import get_exercise

RETURN_42 = "04-the-evm/return-42"
SLOT = "04-the-evm/storage-slot"
GAS = "04-the-evm/gas"


def test_the_exercises_are_worth_what_the_notebook_says():
    assert [get_exercise(e).points for e in (RETURN_42, SLOT, GAS)] == [6, 7, 9]
    for e in (RETURN_42, SLOT, GAS):
        ex = get_exercise(e)
        assert len(ex.hints) >= 2 and any(c.hidden for c in ex.checks)


# --- return-42 ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "code",
    [
        "0x602a5f5260205ff3",  # PUSH1 42, PUSH0, MSTORE, PUSH1 32, PUSH0, RETURN
        "602a60005260206000f3",  # PUSH1 0 instead of PUSH0, no 0x
        "0x602A 6020 52 6020 6020 F3",  # stored at offset 32, upper case, spaced
    ],
)
def test_return_42_right_answers_earn_full_marks(code):
    assert score(RETURN_42, code) == 6


@pytest.fixture(scope="module")
def compiled_runtime():
    """What solc makes of the same thing: right, but not hand-written (and too long)."""
    source = """
    pragma solidity ^0.8.24;
    contract A { fallback() external payable { assembly { mstore(0, 42) return(0, 32) } } }
    """
    return compile_source(source)["A"].deployed_bytecode


@pytest.mark.parametrize(
    ("code", "points"),
    [
        ("0x602a5f5360015ff3", 2),  # MSTORE8 and 1 byte: not one 32-byte word
        ("0x60425f5260205ff3", 3),  # 0x42 is 66, not 42
        ("0x602a5f525f6020f3", 2),  # RETURN's arguments swapped: offset 32, size 0
        ("0x5f602a5260205ff3", 3),  # MSTORE's arguments swapped: 0 stored at 42
        ("0x36602a015f5260205ff3", 5),  # 42 + CALLDATASIZE: wrong once there is calldata
        ("0x600a600c600039600a6000f3602a60005260206000f3", 2),  # init code, not runtime code
        ("0x602a5f52", 2),  # no RETURN: the code ends, which returns nothing
        ("0x5b600056", 2),  # JUMPDEST, PUSH1 0, JUMP: loops until out of gas
        ("0x602a5f5260205f", 2),  # RETURN missing: a stack left with 32 and 0, nothing returned
    ],
)
def test_return_42_each_mistake_loses_its_own_checks(code, points):
    assert score(RETURN_42, code) == points


def test_return_42_compiled_code_loses_only_the_size_check(compiled_runtime):
    assert score(RETURN_42, compiled_runtime) == 5


def test_return_42_stub_and_wrong_types_score_zero_without_crashing():
    no_crash(RETURN_42, "")
    no_crash(RETURN_42, "hello")
    no_crash(RETURN_42, 42)
    no_crash(RETURN_42, "0xef00")


# --- storage-slot -------------------------------------------------------------------------------

SLOTS = {"owner": 0, "openedAt": 0, "paused": 0, "total": 1, "balances": 2, "allowance": 3,
         "history": 4}  # fmt: skip


def word(n):
    return n.to_bytes(32, "big")


def slot_reference(name, keys):
    slot = SLOTS[name]
    if name == "history":
        return int.from_bytes(keccak(word(slot)), "big") + keys[0]
    for key in keys:
        slot = int.from_bytes(keccak(word(int(key, 16)) + word(slot)), "big")
    return slot


def slot_other_way(name, keys):
    """eth_abi's encoding and web3's keccak; the array through solidity_keccak."""
    order = ["owner", "openedAt", "paused", "total", "balances", "allowance", "history"]
    slot = max(0, order.index(name) - 2)
    if name == "history":
        return int(Web3.solidity_keccak(["uint256"], [slot]).hex(), 16) + keys[0]
    for key in keys:
        slot = int.from_bytes(Web3.keccak(encode(["address", "uint256"], [key, slot])), "big")
    return slot


def slot_swapped(name, keys):  # keccak(slot ++ key)
    slot = SLOTS[name]
    if name == "history":
        return slot_reference(name, keys)
    for key in keys:
        slot = int.from_bytes(keccak(word(slot) + word(int(key, 16))), "big")
    return slot


def slot_unpadded(name, keys):  # the address as its 20 bytes
    slot = SLOTS[name]
    if name == "history":
        return slot_reference(name, keys)
    for key in keys:
        slot = int.from_bytes(keccak(bytes.fromhex(key[2:]) + word(slot)), "big")
    return slot


def slot_unpacked(name, keys):  # every variable in a slot of its own
    order = ["owner", "openedAt", "paused", "total", "balances", "allowance", "history"]
    slot = order.index(name)
    if name == "history":
        return int.from_bytes(keccak(word(slot)), "big") + keys[0]
    for key in keys:
        slot = int.from_bytes(keccak(word(int(key, 16)) + word(slot)), "big")
    return slot


def slot_array_inside_hash(name, keys):  # keccak(slot + i)
    if name == "history":
        return int.from_bytes(keccak(word(SLOTS[name] + keys[0])), "big")
    return slot_reference(name, keys)


def slot_nested_backwards(name, keys):  # spender first, then owner
    return slot_reference(name, list(reversed(keys)))


@pytest.mark.parametrize("answer", [slot_reference, slot_other_way])
def test_storage_slot_right_answers_earn_full_marks(answer):
    assert score(SLOT, answer) == 7


@pytest.mark.parametrize(
    ("answer", "points"),
    [
        (slot_swapped, 3),  # both mappings (2 + 2)
        (slot_unpadded, 3),  # both mappings
        (slot_unpacked, 0),  # every slot after owner is off
        (slot_array_inside_hash, 6),  # the array (1)
        (slot_nested_backwards, 5),  # the nested mapping (2)
        (lambda name, keys: hex(slot_reference(name, keys)), 0),  # a hex string, not a number
    ],
)
def test_storage_slot_each_mistake_loses_its_own_checks(answer, points):
    assert score(SLOT, answer) == points


def test_storage_slot_stub_and_wrong_types_score_zero_without_crashing():
    no_crash(SLOT, stub)
    no_crash(SLOT, 4)


# --- gas ----------------------------------------------------------------------------------------


def gas_reference(steps):
    return {
        "total": sum(s["cost"] for s in steps if s["depth"] == 0),
        "storage": sum(s["cost"] for s in steps if s["op"] in ("SLOAD", "SSTORE")),
        "top": max(steps, key=lambda s: s["cost"])["op"],
    }


def gas_other_way(steps):
    """One loop; the top step found by sorting."""
    total = storage = 0
    for s in steps:
        total += s["cost"] if s["depth"] == 0 else 0
        storage += s["cost"] if s["op"].startswith(("SLOAD", "SSTORE")) else 0
    ranked = sorted(steps, key=lambda s: s["cost"], reverse=True)
    return {"top": ranked[0]["op"], "storage": storage, "total": total}


def gas_every_depth(steps):  # counts a callee's gas twice
    return dict(gas_reference(steps), total=sum(s["cost"] for s in steps))


def gas_left_not_cost(steps):  # adds up the gas that was left
    return {
        "total": sum(s["gas"] for s in steps if s["depth"] == 0),
        "storage": sum(s["gas"] for s in steps if s["op"] in ("SLOAD", "SSTORE")),
        "top": max(steps, key=lambda s: s["gas"])["op"],
    }


def gas_writes_only(steps):  # forgets that reading storage costs too
    return dict(gas_reference(steps), storage=sum(s["cost"] for s in steps if s["op"] == "SSTORE"))


def gas_top_by_total(steps):  # the instruction with the most gas over all its steps
    per_op = Counter()
    for s in steps:
        per_op[s["op"]] += s["cost"]
    return dict(gas_reference(steps), top=per_op.most_common(1)[0][0])


@pytest.mark.parametrize("answer", [gas_reference, gas_other_way])
def test_gas_right_answers_earn_full_marks(answer):
    assert score(GAS, answer) == 9


@pytest.mark.parametrize(
    ("answer", "points"),
    [
        (gas_every_depth, 6),  # the fuzzed traces with calls (2) and the real call (1)
        (gas_left_not_cost, 1),  # only the shape
        (gas_writes_only, 5),  # storage on the deposit (2) and in the fuzzed traces (2)
        (gas_top_by_total, 7),  # top is right on the deposit, not in the fuzzed traces
    ],
)
def test_gas_each_mistake_loses_its_own_checks(answer, points):
    assert score(GAS, answer) == points


def test_gas_stub_and_wrong_types_score_zero_without_crashing():
    no_crash(GAS, stub)
    no_crash(GAS, lambda steps: [s["cost"] for s in steps])
    no_crash(GAS, {"total": 1})
