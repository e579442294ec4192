"""Checks for lesson 03, accounts and transactions: fees, a batch of payments, finding a
transaction in a range of blocks.

Every answer is a Python function that takes and returns plain data. Where the answer is about
the chain, the check acts on the lab chain with what the function returned (sends its
transactions, compares its fee with the balances) and judges by the chain's state.
"""

from __future__ import annotations

import copy
from typing import Any

from eth_utils import is_address, to_checksum_address
from hypothesis import strategies as st

from sollab.grading import CheckFailed, exercise

GWEI = 10**9
TRANSFER_GAS = 21_000
FEE_RECIPIENT = "0x0000000000000000000000000000000000000000"  # the lab chain's block producer


def call(t, *args: Any) -> Any:
    """The learner's function on a copy of ``args`` (it may change them freely); its own errors
    fail the check saying what happened (``CheckContext.call``)."""
    return t.call(*copy.deepcopy(args))


def whole_wei(t, answer: Any, keys: tuple[str, ...], what: str) -> dict[str, int]:
    """``answer`` as a dict with these keys, each a whole number (of wei)."""
    t.expect(
        isinstance(answer, dict),
        f"{what} to be a dict with the keys {', '.join(keys)}",
        f"a {type(answer).__name__}: {answer!r}"[:200],
    )
    missing = [k for k in keys if k not in answer]
    t.expect(not missing, f"the keys {', '.join(keys)}", f"no {', '.join(missing)} in {answer!r}")
    for key in keys:
        value = answer[key]
        t.expect(
            isinstance(value, int) and not isinstance(value, bool),
            f"{key} to be a whole number of wei (an int)",
            f"{value!r} ({type(value).__name__})",
            "wei are indivisible: work with ints (`//`, never `/`)",
        )
    return {k: answer[k] for k in keys}


# --- 1. the fee of a transaction ---------------------------------------------------------------

fee = exercise(
    "03-accounts-and-transactions/fee",
    "What a transaction paid: fee, burned and tip",
    submits="function",
    name="fee_breakdown",
    hints=[
        "The price each unit of gas really cost is the effective gas price: for a type-2 "
        "transaction, the base fee plus the priority fee, but never more than maxFeePerGas.",
        "fee = gasUsed * effective gas price. The base fee part of it is burned "
        "(baseFeePerGas * gasUsed); whatever is left is the tip the block producer keeps.",
        "A legacy transaction (type 0) has no maxFeePerGas: its effective price is its gasPrice.",
        "Python's min() picks the smaller of two numbers.",
    ],
)


def _fields(tx: dict[str, Any]) -> dict[str, Any]:
    """The transaction fields the exercise passes (a mined type-2 transaction's ``gasPrice`` is
    its effective price already: it is left out so that the learner computes it)."""
    keep = ["type", "from", "to", "nonce", "value", "gas"]
    keep += ["gasPrice"] if tx["type"] == 0 else ["maxFeePerGas", "maxPriorityFeePerGas"]
    return {k: str(tx[k]) if k in ("from", "to") else int(tx[k]) for k in keep}


def _sent(t, **fields: Any) -> tuple[dict, dict, dict, int, int]:
    """Send a transfer from alice with these fields; (tx, receipt, block) as plain data, what
    alice paid beyond the value, and what the fee recipient received."""
    w3 = t.chain.w3
    before, kept = t.chain.balance(t.alice), t.chain.balance(FEE_RECIPIENT)
    tx = {"from": t.alice, "to": t.bob, "value": 10**15, "gas": TRANSFER_GAS, **fields}
    tx_hash = w3.eth.send_transaction(tx)
    receipt = w3.eth.get_transaction_receipt(tx_hash)
    block = w3.eth.get_block(receipt["blockNumber"])
    paid = before - t.chain.balance(t.alice) - tx["value"]
    tip = t.chain.balance(FEE_RECIPIENT) - kept
    plain_receipt = {k: int(receipt[k]) for k in ("blockNumber", "gasUsed", "status")}
    plain_block = {k: int(block[k]) for k in ("number", "baseFeePerGas", "gasUsed", "timestamp")}
    return _fields(w3.eth.get_transaction(tx_hash)), plain_receipt, plain_block, paid, tip


KEYS = ("fee", "burned", "tip")


@fee.check("returns fee, burned and tip as whole numbers of wei", points=1)
def _(t):
    tx = {"type": 2, "value": 0, "gas": 50_000, "maxFeePerGas": 30 * GWEI}
    tx["maxPriorityFeePerGas"] = 2 * GWEI
    whole_wei(t, call(t, tx, {"gasUsed": 21_000}, {"baseFeePerGas": 10 * GWEI}), KEYS, "the answer")


@fee.check("the fee of a real transfer is exactly what the sender paid for gas", points=2)
def _(t):
    tx, receipt, block, paid, _ = _sent(t, maxFeePerGas=3 * GWEI, maxPriorityFeePerGas=2 * GWEI)
    got = whole_wei(t, call(t, tx, receipt, block), KEYS, "the answer")
    t.expect(
        got["fee"] == paid,
        f"fee to be {paid:,} wei (the sender's balance went down by that beyond the value)",
        f"{got['fee']:,}",
        "the fee is gasUsed times the price per gas actually charged, not the most allowed",
    )


@fee.property(
    "the base fee part is burned and the rest is the tip",
    st.tuples(
        st.integers(7, 200 * GWEI),  # baseFeePerGas
        st.integers(0, 5 * GWEI),  # maxPriorityFeePerGas
        st.integers(0, 100 * GWEI),  # headroom above base + priority
        st.integers(TRANSFER_GAS, 3_000_000),  # gasUsed
    ),
    points=2,
    examples=30,
)
def _(t, case):
    base, priority, headroom, used = case
    tx = {"type": 2, "value": 1, "gas": 3_000_000, "maxFeePerGas": base + priority + headroom}
    tx["maxPriorityFeePerGas"] = priority
    got = whole_wei(t, call(t, tx, {"gasUsed": used}, {"baseFeePerGas": base}), KEYS, "the answer")
    t.expect(
        got["burned"] == base * used,
        f"burned to be baseFeePerGas * gasUsed = {base * used:,}",
        f"{got['burned']:,}",
    )
    t.expect(
        got["fee"] == (base + priority) * used,
        f"fee to be {(base + priority) * used:,} (maxFeePerGas leaves room for the whole tip)",
        f"{got['fee']:,}",
    )
    t.expect(
        got["tip"] == got["fee"] - got["burned"],
        f"tip to be the fee minus what was burned, {got['fee'] - got['burned']:,}",
        f"{got['tip']:,}",
    )


@fee.check(
    "when maxFeePerGas caps the price, the tip shrinks to what is left", points=2, hidden=True
)
def _(t):
    base = t.chain.w3.eth.get_block("pending")["baseFeePerGas"]
    most = base + GWEI // 4  # less than base + priority: the price is capped
    capped = {"maxFeePerGas": most, "maxPriorityFeePerGas": most}
    tx, receipt, block, paid, kept = _sent(t, **capped)
    got = whole_wei(t, call(t, tx, receipt, block), KEYS, "the answer")
    t.expect(
        (got["fee"], got["tip"]) == (paid, kept),
        f"fee {paid:,} and tip {kept:,} (what the block producer received)",
        f"fee {got['fee']:,} and tip {got['tip']:,}",
        "the sender never pays more than maxFeePerGas per gas, whatever the priority fee says",
    )


@fee.check("a legacy (type 0) transaction pays its gasPrice", points=1)
def _(t):
    tx, receipt, block, paid, kept = _sent(t, gasPrice=2 * GWEI)
    got = whole_wei(t, call(t, tx, receipt, block), KEYS, "the answer")
    t.expect(
        (got["fee"], got["burned"], got["tip"]) == (paid, paid - kept, kept),
        f"fee {paid:,}, burned {paid - kept:,}, tip {kept:,}",
        f"fee {got['fee']:,}, burned {got['burned']:,}, tip {got['tip']:,}",
        "a type-0 transaction has gasPrice instead of maxFeePerGas and maxPriorityFeePerGas",
    )


# --- 2. a batch of payments ---------------------------------------------------------------------

batch = exercise(
    "03-accounts-and-transactions/batch",
    "A batch of payments the chain accepts",
    submits="function",
    name="batch_payments",
    hints=[
        "One dict per payment you send: to, value, nonce, gas (21,000 for a plain transfer) and "
        "the two fee fields copied from `fees`.",
        "The first transaction uses the nonce you are given; each next one uses the next number. "
        "A payment you skip takes no nonce: a gap would leave every later transaction stuck.",
        "Before taking a payment, check that what is left of the balance covers its value plus "
        "its worst-case fee, 21,000 * maxFeePerGas; then take both off what is left.",
    ],
)

FIELDS = ("to", "value", "nonce", "gas", "maxFeePerGas", "maxPriorityFeePerGas")
FEES = {"maxFeePerGas": 2 * GWEI, "maxPriorityFeePerGas": GWEI}
WORST = TRANSFER_GAS * FEES["maxFeePerGas"]


def _plan(t, payments: list, nonce: int, balance: int) -> list[dict[str, Any]]:
    """The learner's batch, checked to be a list of transfer dicts."""
    txs = call(t, payments, nonce, balance, dict(FEES))
    t.expect(
        isinstance(txs, list | tuple),
        "a list of transaction dicts",
        f"a {type(txs).__name__}: {txs!r}"[:200],
    )
    for i, tx in enumerate(txs):
        t.expect(isinstance(tx, dict), f"transaction #{i} to be a dict", f"{tx!r}"[:200])
        missing = [k for k in FIELDS if k not in tx]
        t.expect(not missing, f"transaction #{i} to have {', '.join(FIELDS)}", f"no {missing}")
        t.expect(
            is_address(tx["to"]) if isinstance(tx["to"], str) else False,
            f"transaction #{i}'s `to` to be an address string",
            f"{tx['to']!r}",
        )
        for key in FIELDS[1:]:
            t.expect(
                isinstance(tx[key], int) and not isinstance(tx[key], bool),
                f"transaction #{i}'s {key} to be an int",
                f"{tx[key]!r}",
            )
    return list(txs)


def _send_all(t, sender: str, txs: list[dict[str, Any]]) -> None:
    """Send the batch from ``sender`` in order; the chain refusing one fails the check."""
    for i, tx in enumerate(txs):
        try:
            t.chain.w3.eth.send_transaction({**tx, "from": sender})
        except Exception as exc:
            reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise CheckFailed(
                "the chain to accept every transaction of the batch",
                f"it refused transaction #{i} ({tx}): {reason}",
            ) from None


def _arrived(t, payments: list, before: dict[str, int]) -> None:
    wanted: dict[str, int] = {}
    for to, value in payments:
        wanted[to] = wanted.get(to, 0) + value
    for to, value in wanted.items():
        got = t.chain.balance(to) - before[to]
        t.expect(
            got == value,
            f"{to} to receive {value:,} wei from the batch",
            f"{got:,} wei",
            "one transaction per payment, each with its own value",
        )


def _expected(payments: list, balance: int) -> list:
    """The payments a correct batch sends: in order, each one the balance left still covers."""
    left, sent = balance, []
    for to, value in payments:
        if value + WORST <= left:
            left -= value + WORST
            sent.append((to, value))
    return sent


def _run(t, sender: str, payments: list, balance: int | None = None) -> list:
    payments = [[str(to), value] for to, value in payments]  # plain strings, not Accounts
    if balance is not None:
        t.chain.set_balance(sender, balance)
    balance = t.chain.balance(sender)
    nonce = t.chain.nonce(sender)
    before = {to: t.chain.balance(to) for to, _ in payments}
    txs = _plan(t, payments, nonce, balance)
    _send_all(t, sender, txs)
    expected = _expected(payments, balance)
    _arrived(t, expected, before)
    t.expect(
        t.chain.nonce(sender) == nonce + len(expected),
        f"{len(expected)} transaction(s) sent",
        f"{t.chain.nonce(sender) - nonce}",
        "exactly one transaction per payment the balance covers, none for the others",
    )
    return txs


@batch.check("one transfer dict per payment, with 21,000 gas and the given fees", points=1)
def _(t):
    payments = [[str(t.bob), 10**18], [str(t.carol), 5 * 10**17]]
    txs = _plan(t, payments, 0, 100 * 10**18)
    t.expect(len(txs) == 2, "2 transactions for 2 affordable payments", f"{len(txs)}")
    for i, tx in enumerate(txs):
        t.expect(
            tx["gas"] == TRANSFER_GAS, f"transaction #{i} to ask for 21,000 gas", f"{tx['gas']:,}"
        )
        t.expect(
            (tx["maxFeePerGas"], tx["maxPriorityFeePerGas"]) == tuple(FEES.values()),
            f"transaction #{i} to use the fees given ({FEES})",
            f"maxFeePerGas={tx['maxFeePerGas']}, maxPriorityFeePerGas={tx['maxPriorityFeePerGas']}",
        )


@batch.check("the chain accepts the batch and every payment arrives", points=2)
def _(t):
    _run(t, t.alice, [[t.bob, 10**18], [t.carol, 2 * 10**18], [t.dave, 1]])


@batch.check("nonces continue from the sender's next nonce", points=1)
def _(t):
    for _ in range(3):
        t.chain.send(t.eve, 1, sender=t.frank)
    _run(t, t.frank, [[t.grace, 10**17], [t.heidi, 10**17]])


@batch.check("a payment the balance cannot cover is skipped, the next still goes", points=1)
def _(t):
    _run(t, t.ivan, [[t.bob, 10**18], [t.carol, 3 * 10**18], [t.dave, 10**18]], 3 * 10**18)


@batch.property(
    "with a tight balance, every payment it covers arrives and nonces stay gapless",
    st.tuples(
        st.lists(
            st.tuples(st.integers(0, 3), st.sampled_from([0, 10**13, 10**14, 10**15, 3 * 10**15])),
            min_size=2,
            max_size=6,
        ),
        st.integers(10, 90),  # the balance, in percent of what paying everything would need
    ),
    points=2,
    examples=12,
)
def _(t, case):
    payments, percent = case
    people = [t.bob, t.carol, t.dave, t.eve]
    payments = [[people[who], value] for who, value in payments]
    balance = sum(value + WORST for _, value in payments) * percent // 100
    _run(t, t.judy, payments, balance)


@batch.check("paying the same person twice sends both payments", points=1, hidden=True)
def _(t):
    _run(t, t.alice, [[t.bob, 10**18], [t.carol, 1], [t.bob, 2 * 10**18]])


# --- 3. finding a transaction in a range of blocks ----------------------------------------------

find = exercise(
    "03-accounts-and-transactions/find",
    "Find a sender's transaction in a range of blocks",
    submits="function",
    name="find_transaction",
    hints=[
        "Loop over the blocks, then over each block's transactions; compare each transaction's "
        "`from` and `nonce` with what you look for.",
        "A node sends numbers as 0x-hex strings: int(tx['nonce'], 16) is a number. Addresses "
        "come in lowercase: compare them with .lower() on both sides.",
        "Return as soon as you find it; after the loops, nothing was found: return None.",
    ],
)

ZERO = "0x" + "00" * 20


def _hexed(value: Any) -> Any:
    """A web3 value as a node sends it: numbers as 0x-hex, bytes as 0x-hex, addresses
    lowercase."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return hex(value)
    if isinstance(value, bytes):
        return "0x" + value.hex()
    if isinstance(value, str):
        return value.lower() if is_address(value) else value
    if isinstance(value, list | tuple):
        return [_hexed(v) for v in value]
    if hasattr(value, "items"):
        return {k: _hexed(v) for k, v in value.items()}
    return value


TX_KEYS = ("hash", "blockNumber", "transactionIndex", "type", "from", "to", "nonce", "value")
TX_KEYS += ("gas", "maxFeePerGas", "maxPriorityFeePerGas", "input")
BLOCK_KEYS = ("number", "hash", "parentHash", "timestamp", "gasUsed", "gasLimit", "baseFeePerGas")


def rpc_block(chain, number: int) -> dict[str, Any]:
    """Block ``number`` of ``chain`` as eth_getBlockByNumber(number, true) answers."""
    w3 = chain.w3
    block = w3.eth.get_block(number)
    txs = [w3.eth.get_transaction(h) for h in block["transactions"]]
    out = {k: _hexed(block[k]) for k in BLOCK_KEYS}
    out["transactions"] = [{k: _hexed(tx[k]) for k in TX_KEYS if k in tx} for tx in txs]
    return out


def _answer(t, blocks: list, sender: str, nonce: int) -> Any:
    found = call(t, blocks, sender, nonce)
    if found is None:
        return None
    t.expect(
        isinstance(found, dict) and {"hash", "block", "index"} <= set(found),
        'a dict {"hash": ..., "block": ..., "index": ...} or None',
        f"{found!r}"[:200],
    )
    return found


def _truth(blocks: list, sender: str, nonce: int) -> dict[str, Any] | None:
    for block in blocks:
        for index, tx in enumerate(block["transactions"]):
            if tx["from"] == sender.lower() and int(tx["nonce"], 16) == nonce:
                return {"hash": tx["hash"], "block": int(block["number"], 16), "index": index}
    return None


def _traffic(t) -> list[dict[str, Any]]:
    """Blocks 1.. of a chain where alice, bob and carol each sent a few transfers."""
    first = t.chain.block_number + 1
    for _ in range(3):
        for who in (t.alice, t.bob, t.carol):
            t.chain.send(t.dave, 1000, sender=who)
    return [rpc_block(t.chain, n) for n in range(first, t.chain.block_number + 1)]


@find.check("finds a transaction sent on the lab chain", points=2)
def _(t):
    blocks = _traffic(t)
    sender = t.bob.lower()
    nonce = t.chain.nonce(t.bob) - 2
    want = _truth(blocks, sender, nonce)
    got = _answer(t, blocks, sender, nonce)
    t.expect(
        got is not None and got["hash"] == want["hash"],
        f"the transaction {want['hash'][:12]}… (bob's with nonce {nonce})",
        "None" if got is None else f"hash {str(got['hash'])[:12]}…",
    )


@find.check("returns the block number and the index in the block as ints", points=1)
def _(t):
    blocks = _traffic(t)
    nonce = t.chain.nonce(t.carol) - 1
    want = _truth(blocks, t.carol, nonce)
    got = _answer(t, blocks, t.carol.lower(), nonce)
    t.expect(got is not None, "to find carol's transaction", "None")
    t.expect(
        (got["block"], got["index"]) == (want["block"], want["index"]),
        f"block {want['block']} (an int), index {want['index']}",
        f"block {got['block']!r}, index {got['index']!r}",
        'block["number"] is a 0x-hex string: turn it into an int',
    )


@find.check("the sender's address matches whatever its case", points=1)
def _(t):
    blocks = _traffic(t)
    nonce = t.chain.nonce(t.carol) - 3
    want = _truth(blocks, t.carol, nonce)
    got = _answer(t, blocks, to_checksum_address(t.carol), nonce)
    t.expect(
        got is not None and got["hash"] == want["hash"],
        "a checksummed (mixed-case) sender to find the same transaction as a lowercase one",
        "None" if got is None else f"hash {str(got['hash'])[:12]}…",
        "a node writes addresses in lowercase: compare addresses whatever their case",
    )


@find.check("None when the transaction is not in these blocks", points=1)
def _(t):
    blocks = _traffic(t)
    got = _answer(t, blocks[:3], str(t.carol), t.chain.nonce(t.carol) - 1)
    t.expect(got is None, "None (carol's last transfer is in a later block)", f"{got!r}"[:200])


def _synthetic(layout: list[list[tuple[int, int]]], first: int) -> list[dict[str, Any]]:
    """Blocks from ``first`` on, each a list of (sender, nonce) transactions."""
    senders = [f"0x{(i + 1) * 0x1111:040x}" for i in range(4)]
    blocks = []
    for n, txs in enumerate(layout, first):
        block = {"number": hex(n), "hash": f"0x{n:064x}", "timestamp": hex(1_700_000_000 + 12 * n)}
        block["transactions"] = [
            {
                "hash": f"0x{n:032x}{i:032x}",
                "blockNumber": hex(n),
                "transactionIndex": hex(i),
                "from": senders[who],
                "to": ZERO[:-1] + "1",
                "nonce": hex(nonce),
                "value": hex(10**15),
            }
            for i, (who, nonce) in enumerate(txs)
        ]
        blocks.append(block)
    return blocks


@find.property(
    "finds the right transaction among many (or None)",
    st.tuples(
        st.lists(
            st.lists(st.tuples(st.integers(0, 3), st.integers(0, 40)), max_size=6),
            min_size=1,
            max_size=6,
        ),
        st.integers(0, 3),
        st.integers(0, 40),
        st.integers(0, 10**6),
    ),
    points=2,
    examples=40,
)
def _(t, case):
    layout, who, nonce, first = case
    blocks = _synthetic(layout, first)
    sender = to_checksum_address(f"0x{(who + 1) * 0x1111:040x}")
    want = _truth(blocks, sender, nonce)
    got = _answer(t, blocks, sender, nonce)
    want = want and want["hash"]  # the block number's type has a check of its own
    shown = got and got["hash"]
    t.expect(
        shown == want,
        f"the transaction {want}" if want else "None: the sender used no such nonce here",
        f"{shown}",
    )


@find.check("another sender's transaction with the same nonce is not it", points=1, hidden=True)
def _(t):
    blocks = _synthetic([[(0, 7), (1, 7)], [(2, 7)], [(3, 6)]], 100)
    sender = to_checksum_address(f"0x{4 * 0x1111:040x}")
    got = _answer(t, blocks, sender, 7)
    t.expect(got is None, "None: this sender never used nonce 7 here", f"{got!r}"[:200])
