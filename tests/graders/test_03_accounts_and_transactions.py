"""Lesson 03's checks: right answers (however written) earn full marks, each typical mistake
loses exactly its own checks' points, and the released stub or a wrong type scores 0."""

from __future__ import annotations

import pytest
from lessonkit import no_crash, score, stub

from sollab.grading import get_exercise

FEE = "03-accounts-and-transactions/fee"
BATCH = "03-accounts-and-transactions/batch"
FIND = "03-accounts-and-transactions/find"


def test_the_exercises_are_worth_what_the_notebook_says():
    assert [get_exercise(e).points for e in (FEE, BATCH, FIND)] == [8, 8, 8]
    for e in (FEE, BATCH, FIND):
        ex = get_exercise(e)
        assert len(ex.hints) >= 2 and any(c.hidden for c in ex.checks)


# --- fee ----------------------------------------------------------------------------------------


def fee_reference(tx, receipt, block):
    base = block["baseFeePerGas"]
    if tx["type"] == 0:
        price = tx["gasPrice"]
    else:
        price = min(tx["maxFeePerGas"], base + tx["maxPriorityFeePerGas"])
    fee = receipt["gasUsed"] * price
    burned = receipt["gasUsed"] * base
    return {"fee": fee, "burned": burned, "tip": fee - burned}


def fee_other_way(tx, receipt, block):
    """Tip first, from the priority fee the sender really paid per gas."""
    gas, base = receipt["gasUsed"], block["baseFeePerGas"]
    cap = tx.get("maxFeePerGas", tx.get("gasPrice"))
    wanted = tx.get("maxPriorityFeePerGas", cap - base)
    per_gas_tip = wanted if base + wanted <= cap else cap - base
    return {"tip": per_gas_tip * gas, "burned": base * gas, "fee": (base + per_gas_tip) * gas}


def fee_worst_case(tx, receipt, block):  # what a wallet reserves, not what is paid
    fee = receipt["gasUsed"] * tx["maxFeePerGas"]
    burned = receipt["gasUsed"] * block["baseFeePerGas"]
    return {"fee": fee, "burned": burned, "tip": fee - burned}


def fee_uncapped(tx, receipt, block):  # forgets that maxFeePerGas caps the price
    base = block["baseFeePerGas"]
    price = tx["gasPrice"] if tx["type"] == 0 else base + tx["maxPriorityFeePerGas"]
    return {"fee": receipt["gasUsed"] * price, "burned": receipt["gasUsed"] * base,
            "tip": receipt["gasUsed"] * (price - base)}  # fmt: skip


def fee_type_2_only(tx, receipt, block):
    base = block["baseFeePerGas"]
    price = min(tx["maxFeePerGas"], base + tx["maxPriorityFeePerGas"])
    return {"fee": receipt["gasUsed"] * price, "burned": receipt["gasUsed"] * base,
            "tip": receipt["gasUsed"] * (price - base)}  # fmt: skip


def fee_in_gwei(tx, receipt, block):  # true division: floats
    wei = fee_reference(tx, receipt, block)
    return {k: v / 10**9 for k, v in wei.items()}


@pytest.mark.parametrize("answer", [fee_reference, fee_other_way])
def test_fee_right_answers_earn_full_marks(answer):
    assert score(FEE, answer) == 8


@pytest.mark.parametrize(
    ("answer", "points"),
    [
        (fee_worst_case, 3),  # shape (1) + the capped case, where maxFeePerGas is the price (2)
        (fee_uncapped, 6),  # loses only the capped case (2)
        (fee_type_2_only, 7),  # loses only the legacy transaction (1)
        (fee_in_gwei, 0),
    ],
)
def test_fee_each_mistake_loses_its_own_checks(answer, points):
    assert score(FEE, answer) == points


def test_fee_stub_and_wrong_types_score_zero_without_crashing():
    no_crash(FEE, stub)
    no_crash(FEE, lambda tx, receipt, block: 42)
    no_crash(FEE, 42)


# --- batch --------------------------------------------------------------------------------------

TRANSFER = 21_000


def batch_reference(payments, nonce, balance, fees):
    txs, left = [], balance
    for to, value in payments:
        cost = value + TRANSFER * fees["maxFeePerGas"]
        if cost > left:
            continue
        left -= cost
        txs.append({"to": to, "value": value, "nonce": nonce, "gas": TRANSFER, **fees})
        nonce += 1
    return txs


def batch_other_way(payments, nonce, balance, fees):
    """Counts what is spent instead of what is left; builds with dict()."""
    spent, out = 0, []
    worst = fees["maxFeePerGas"] * TRANSFER
    for to, value in payments:
        if spent + value + worst <= balance:
            spent += value + worst
            out.append(dict(fees, to=to, value=value, gas=TRANSFER, nonce=nonce + len(out)))
    return out


def batch_from_zero(payments, nonce, balance, fees):
    return batch_reference(payments, 0, balance, fees)


def batch_no_budget(payments, nonce, balance, fees):
    return batch_reference(payments, nonce, 10**30, fees)


def batch_stops_early(payments, nonce, balance, fees):  # gives up at the first it cannot pay
    txs, left = [], balance
    for to, value in payments:
        cost = value + TRANSFER * fees["maxFeePerGas"]
        if cost > left:
            break
        left -= cost
        txs.append({"to": to, "value": value, "nonce": nonce + len(txs), "gas": TRANSFER,
                    **fees})  # fmt: skip
    return txs


def batch_value_only_budget(payments, nonce, balance, fees):  # forgets the fee
    txs, left = [], balance
    for to, value in payments:
        if value <= left:
            left -= value
            txs.append({"to": to, "value": value, "nonce": nonce + len(txs), "gas": TRANSFER,
                        **fees})  # fmt: skip
    return txs


def batch_gap_on_skip(payments, nonce, balance, fees):  # a skipped payment still uses a nonce
    txs, left = [], balance
    for i, (to, value) in enumerate(payments):
        cost = value + TRANSFER * fees["maxFeePerGas"]
        if cost <= left:
            left -= cost
            txs.append({"to": to, "value": value, "nonce": nonce + i, "gas": TRANSFER, **fees})
    return txs


def batch_merged(payments, nonce, balance, fees):  # one transaction per recipient
    totals: dict[str, int] = {}
    for to, value in payments:
        totals[to] = totals.get(to, 0) + value
    return batch_reference(list(totals.items()), nonce, balance, fees)


@pytest.mark.parametrize("answer", [batch_reference, batch_other_way])
def test_batch_right_answers_earn_full_marks(answer):
    assert score(BATCH, answer) == 8


@pytest.mark.parametrize(
    ("answer", "points"),
    [
        (batch_from_zero, 7),  # only the sender with earlier transactions fails (1)
        (batch_no_budget, 5),  # the skip check (1) and the tight-balance property (2)
        (batch_stops_early, 5),  # the same two
        (batch_value_only_budget, 6),  # the property alone: the fee was not budgeted
        (batch_gap_on_skip, 5),  # the chain refuses what follows the gap
        (batch_merged, 5),  # the property (2) and the hidden duplicate payment (1)
    ],
)
def test_batch_each_mistake_loses_its_own_checks(answer, points):
    assert score(BATCH, answer) == points


def test_batch_stub_and_wrong_types_score_zero_without_crashing():
    no_crash(BATCH, stub)
    no_crash(BATCH, lambda payments, nonce, balance, fees: "0xdeadbeef")
    no_crash(BATCH, [])


# --- find ---------------------------------------------------------------------------------------


def find_reference(blocks, sender, nonce):
    for block in blocks:
        for index, tx in enumerate(block["transactions"]):
            if tx["from"].lower() == sender.lower() and int(tx["nonce"], 16) == nonce:
                return {"hash": tx["hash"], "block": int(block["number"], 16), "index": index}
    return None


def find_other_way(blocks, sender, nonce):
    """Flattens the range first and reads the transaction's own blockNumber and index."""
    from eth_utils import to_checksum_address

    wanted = (to_checksum_address(sender), hex(nonce))
    txs = [tx for block in blocks for tx in block["transactions"]]
    match = [tx for tx in txs if (to_checksum_address(tx["from"]), tx["nonce"]) == wanted]
    if not match:
        return None
    tx = match[0]
    return {"hash": tx["hash"], "block": int(tx["blockNumber"], 0),
            "index": int(tx["transactionIndex"], 0)}  # fmt: skip


def find_case_sensitive(blocks, sender, nonce):
    for block in blocks:
        for index, tx in enumerate(block["transactions"]):
            if tx["from"] == sender and int(tx["nonce"], 16) == nonce:
                return {"hash": tx["hash"], "block": int(block["number"], 16), "index": index}
    return None


def find_hex_block(blocks, sender, nonce):
    found = find_reference(blocks, sender, nonce)
    return found and dict(found, block=hex(found["block"]))


def find_nonce_as_text(blocks, sender, nonce):  # "0x5" is never "5"
    for block in blocks:
        for index, tx in enumerate(block["transactions"]):
            if tx["from"].lower() == sender.lower() and tx["nonce"] == str(nonce):
                return {"hash": tx["hash"], "block": int(block["number"], 16), "index": index}
    return None


def find_by_nonce_only(blocks, sender, nonce):
    for block in blocks:
        for index, tx in enumerate(block["transactions"]):
            if int(tx["nonce"], 16) == nonce:
                return {"hash": tx["hash"], "block": int(block["number"], 16), "index": index}
    return None


@pytest.mark.parametrize("answer", [find_reference, find_other_way])
def test_find_right_answers_earn_full_marks(answer):
    assert score(FIND, answer) == 8


@pytest.mark.parametrize(
    ("answer", "points"),
    [
        (find_case_sensitive, 7),  # only the checksummed sender fails (1)
        (find_hex_block, 7),  # only the block number check (1)
        (find_nonce_as_text, 2),  # finds nothing: only the two None cases pass
        (find_by_nonce_only, 1),  # finds alice's or bob's instead: only "not in these blocks"
    ],
)
def test_find_each_mistake_loses_its_own_checks(answer, points):
    assert score(FIND, answer) == points


def test_find_stub_and_wrong_types_score_zero_without_crashing():
    no_crash(FIND, stub)
    no_crash(FIND, lambda blocks, sender, nonce: blocks[0]["transactions"][0]["hash"])
    no_crash(FIND, "0x")
