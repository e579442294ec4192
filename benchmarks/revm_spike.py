"""Spike: does pyrevm run the lab's contracts exactly as the lab's py-evm chain does?

    python benchmarks/revm_spike.py

Needs `pip install pyrevm==0.3.7` (not a dependency of sollab). Runs the same transactions —
deploy the example Counter and OpenZeppelin ERC-20, increment, transfer, a custom-error revert,
a snapshot + revert — on the lab's chain (eth-tester + py-evm, Prague rules) and on pyrevm,
and prints each figure side by side with "same" or "DIFFERS". Findings are written down in
benchmarks/REVM.md.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

try:
    import pyrevm
except ImportError:
    sys.exit("this spike needs pyrevm: .venv/bin/pip install pyrevm==0.3.7")

from eth_abi import decode, encode  # noqa: E402

import sollab as lab  # noqa: E402
from sollab.chain import Chain  # noqa: E402

EXAMPLES = ROOT / "contracts" / "examples"
GAS = 6_000_000
SUPPLY = 10**24
FEE_SOURCE = """\
// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;
contract Fee {
    uint256 public seen;
    function record() external { seen = block.basefee; }
}
"""


def revm_spec() -> str:
    """The newest hard fork the installed pyrevm's revm knows (it has no Prague)."""
    binary = Path(pyrevm.__file__).parent
    blob = b"".join(p.read_bytes() for p in binary.glob("pyrevm*.so"))
    for fork in ("OSAKA", "PRAGUE", "CANCUN"):
        if fork.encode() in blob:
            return fork
    return "LATEST"


def main() -> None:
    counter_art = lab.compile_file(EXAMPLES / "Counter.sol")["Counter"]
    token_art = lab.compile_file(EXAMPLES / "MyToken.sol")["MyToken"]
    rows: list[tuple[str, object, object]] = []

    # --- the lab's chain (py-evm) ---
    chain = Chain()
    alice, bob = chain.accounts[0], chain.accounts[1]
    pending = chain._backend.tester.get_block_by_number("pending")
    counter = chain.deploy(counter_art, 5)
    ev_incs = [counter.increment().gas_used for _ in range(3)]
    inc_receipt = counter.increment()
    inc_log = inc_receipt.events[0]
    mined = chain._backend.tester.get_transaction_receipt(inc_receipt.tx_hash)
    ev_topics = list(mined["logs"][0]["topics"])
    token = chain.deploy(token_art, "Token", "TOK", SUPPLY)
    ev_transfers = [token.transfer(bob, 10).gas_used for _ in range(3)]
    ev_reset = None
    try:
        counter.reset(sender=bob)
    except lab.LabError as exc:
        ev_reset = type(exc).__name__ == "CustomError" and "NotOwner" in str(exc)
    before = chain.balance(alice), chain.nonce(alice)
    snap = chain.snapshot()
    token.transfer(bob, 1)
    chain.revert(snap)
    ev_after_revert = (chain.balance(alice), chain.nonce(alice)) == before

    # --- pyrevm, as its API offers it ---
    spec = revm_spec()
    env = pyrevm.Env(
        cfg=pyrevm.CfgEnv(chain_id=131277322940537),
        block=pyrevm.BlockEnv(
            number=pending["number"],
            timestamp=pending["timestamp"],
            basefee=pending["base_fee_per_gas"],
            gas_limit=pending["gas_limit"],
        ),
    )
    default_gas_limit = re.search(r"gas_limit=(\d+)", pyrevm.EVM.__text_signature__ or "")
    default_gas_limit = int(default_gas_limit.group(1)) if default_gas_limit else "?"
    evm = pyrevm.EVM(env=env, spec_id=spec, gas_limit=pending["gas_limit"])
    price = 10**9  # what eth-tester's signed transactions pay per gas here
    for account in (alice, bob):
        evm.set_balance(str(account), 10**24)
    ctor = encode(["uint256"], [5])
    rv_counter = evm.deploy(
        str(alice), bytes.fromhex(counter_art.bytecode[2:]) + ctor, gas=GAS, gas_price=price
    )
    rv_counter_gas = evm.result.gas_used
    inc = bytes.fromhex(counter_art.method_identifiers["increment()"])
    rv_incs = []
    for _ in range(3):
        evm.message_call(str(alice), rv_counter, inc, gas=GAS, gas_price=price)
        rv_incs.append(evm.result.gas_used)
    evm.message_call(str(alice), rv_counter, inc, gas=GAS, gas_price=price)
    rv_log = evm.result.logs[0]
    token_ctor = encode(["string", "string", "uint256"], ["Token", "TOK", SUPPLY])
    rv_token = evm.deploy(
        str(alice), bytes.fromhex(token_art.bytecode[2:]) + token_ctor, gas=GAS, gas_price=price
    )
    rv_token_gas = evm.result.gas_used
    transfer = bytes.fromhex(token_art.method_identifiers["transfer(address,uint256)"])
    rv_transfers = []
    for _ in range(3):
        evm.message_call(
            str(alice),
            rv_token,
            transfer + encode(["address", "uint256"], [str(bob), 10]),
            gas=GAS,
            gas_price=price,
        )
        rv_transfers.append(evm.result.gas_used)
    reset = bytes.fromhex(counter_art.method_identifiers["reset()"])
    try:
        evm.message_call(str(bob), rv_counter, reset, gas=GAS, gas_price=price)
        rv_reset = False
    except Exception as exc:  # pyrevm raises RuntimeError("Revert { gas_used: .., output: 0x.. }")
        not_owner = "245aecd3" + "00" * 12 + str(bob)[2:].lower()
        rv_reset = "Revert" in str(exc) and not_owner in str(exc)
    rv_before = evm.get_balance(str(alice)), evm.basic(str(alice)).nonce
    checkpoint = evm.snapshot()
    evm.message_call(
        str(alice),
        rv_token,
        transfer + encode(["address", "uint256"], [str(bob), 1]),
        gas=GAS,
        gas_price=price,
    )
    evm.revert(checkpoint)
    rv_after = evm.get_balance(str(alice)), evm.basic(str(alice)).nonce
    rv_deploy_before = evm.get_balance(str(alice)), evm.basic(str(alice)).nonce
    checkpoint = evm.snapshot()
    evm.deploy(str(alice), bytes.fromhex(counter_art.bytecode[2:]) + ctor, gas=GAS, gas_price=price)
    evm.revert(checkpoint)
    rv_deploy_after = evm.get_balance(str(alice)), evm.basic(str(alice)).nonce
    ev_before = chain.balance(alice), chain.nonce(alice)
    with chain.anchor():
        chain.deploy(counter_art, 5)
    ev_deploy_reverted = (chain.balance(alice), chain.nonce(alice)) == ev_before

    fee_art = lab.compile_source(FEE_SOURCE, "Fee.sol")["Fee"]
    fee = chain.deploy(fee_art)
    fee.record()
    ev_basefee = fee.seen()
    rv_fee = evm.deploy(str(alice), bytes.fromhex(fee_art.bytecode[2:]), gas=GAS, gas_price=price)
    record = bytes.fromhex(fee_art.method_identifiers["record()"])
    evm.message_call(str(alice), rv_fee, record, gas=GAS, gas_price=price)
    seen = bytes.fromhex(fee_art.method_identifiers["seen()"])
    rv_basefee = decode(["uint256"], evm.message_call(str(alice), rv_fee, seen, gas=GAS))[0]

    count_sel = bytes.fromhex(counter_art.method_identifiers["count()"])
    count_out = evm.message_call(str(alice), rv_counter, count_sel, gas=GAS)
    rows += [
        ("newest hard fork", "prague (eth-tester 0.14 / py-evm)", spec.lower()),
        ("default gas limit of a call", f"{GAS:,} (the lab's cap)", f"{default_gas_limit:,}"),
        ("Counter address (alice, nonce 0)", counter.address, rv_counter),
        ("Counter deploy gas", counter.deploy_receipt.gas_used, rv_counter_gas),
        ("increment() gas, 3 txs", ev_incs, rv_incs),
        ("CountChanged log topics", ev_topics, rv_log.topics),
        ("CountChanged log data", inc_log["newCount"], decode(["uint256"], rv_log.data[1])[0]),
        ("count() after 4 increments", counter.count(), decode(["uint256"], count_out)[0]),
        ("MyToken deploy gas", token.deploy_receipt.gas_used, rv_token_gas),
        ("transfer() gas, 3 txs", ev_transfers, rv_transfers),
        ("reset() by bob reverts NotOwner(bob)", ev_reset, rv_reset),
        ("snapshot+transfer+revert restores alice", ev_after_revert, rv_after == rv_before),
        ("  alice (balance, nonce) lost by revert", (0, 0), _lost(rv_before, rv_after)),
        (
            "snapshot+deploy+revert restores alice",
            ev_deploy_reverted,
            rv_deploy_after == rv_deploy_before,
        ),
        (
            "  alice (balance, nonce) lost by revert",
            (0, 0),
            _lost(rv_deploy_before, rv_deploy_after),
        ),
        ("block.basefee seen by a transaction", ev_basefee, rv_basefee),
    ]
    print(f"pyrevm {_version()} (revm {spec}) against the lab's chain (py-evm)\n")
    width = max(len(r[0]) for r in rows)
    for what, ours, theirs in rows:
        same = "same" if _same(ours, theirs) else "DIFFERS"
        print(f"{what:<{width}}  {same:<7}  py-evm: {ours}")
        print(f"{'':<{width}}           pyrevm: {theirs}")


def _lost(before: tuple[int, int], after: tuple[int, int]) -> tuple[int, int]:
    return before[0] - after[0], before[1] - after[1]


def _same(a: object, b: object) -> bool:
    norm = lambda v: re.sub(r"^0x", "", str(v).lower())  # noqa: E731
    return norm(a) == norm(b)


def _version() -> str:
    from importlib.metadata import version

    return version("pyrevm")


if __name__ == "__main__":
    main()
