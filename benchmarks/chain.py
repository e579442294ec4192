"""Chain speed: the lab's chain beside stock web3 + eth-tester (and raw pyrevm), in one run.

    python benchmarks/chain.py [--reps N]

The figures of the fast-chain issue, each a median over N repetitions (default 7), on the same
OpenZeppelin ERC-20 (contracts/examples/MyToken.sol) and the same loop contract:
- an ERC-20 `transfer` transaction, a `balanceOf` view call, snapshot + transfer + revert, and
  a 20,000-iteration loop in a view call (at most 3 runs: seconds each on py-evm), through
  (a) stock `Web3(EthereumTesterProvider())`,
  (b) the lab's chain (`sollab.Chain`) on each backend, pyevm and (if pyrevm is installed) revm,
  and (c) raw pyrevm, a reference for the speed revm itself reaches, which alone is NOT an
  equivalent chain (see benchmarks/REVM.md: it charges different gas);
- transactions/s (the same `transfer`, its receipt fetched on the stock path) and view calls/s
  (`balanceOf`) through the lab's chain, against the stock path (targets: >= 1,000 tx/s,
  >= 5,000 calls/s, >= 50x the stock path), each the median of N batches of at least
  --batch-seconds, after a warm-up, on every path alike;
- how long an endless loop takes to fail at the lab's default gas cap (target: <= 0.5 s);
- with `--grade N`: `sollab grade` on N synthetic submissions (benchmarks/grade_class.py's class)
  with SOLLAB_BACKEND=pyevm and =revm, same scores (target: revm >= 2x faster). Takes minutes.
Nothing here asserts: it prints figures and PASS or FAIL for each target. The machine may be
shared: the load average is printed before and after.
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

import sollab as lab  # noqa: E402
from sollab.chain import DEFAULT_GAS_CAP, Chain  # noqa: E402
from sollab.errors import OutOfGas  # noqa: E402

TOKEN = ROOT / "contracts" / "examples" / "MyToken.sol"
SUPPLY = 10**24
ITERATIONS = 20_000
LOOP_SOURCE = """\
// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

contract Loop {
    uint256 public spins;

    function sum(uint256 n) external pure returns (uint256 s) {
        for (uint256 i = 0; i < n; ++i) {
            s += i;
        }
    }

    function spin() external {
        while (true) {
            spins += 1;
        }
    }
}
"""


WARM_UP = 3  # runs of each operation before it is timed, on every path


def median_time(fn: Callable[[], object], reps: int) -> float:
    for _ in range(WARM_UP):
        fn()
    times = []
    for _ in range(reps):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def throughput(fn: Callable[[], object], reps: int, batch_seconds: float) -> float:
    """Operations per second: the median over ``reps`` batches, each of as many operations as
    take about ``batch_seconds`` (counted after a warm-up)."""
    one = median_time(fn, 3)
    n = max(1, math.ceil(batch_seconds / max(one, 1e-9)))
    rates = []
    for _ in range(reps):
        start = time.perf_counter()
        for _ in range(n):
            fn()
        rates.append(n / (time.perf_counter() - start))
    return statistics.median(rates)


def load_average() -> str:
    return ", ".join(f"{x:.2f}" for x in os.getloadavg())


def lab_figures(backend: str, token_art, loop_art, reps: int, batch: float) -> dict[str, float]:
    chain = Chain(backend=backend)
    bob = chain.accounts[1]
    token = chain.deploy(token_art, "Token", "TOK", SUPPLY)
    loop = chain.deploy(loop_art)

    def snap_transfer_revert() -> None:
        snap = chain.snapshot()
        token.transfer(bob, 1)
        chain.revert(snap)

    def endless() -> None:
        try:
            loop.spin()
        except OutOfGas:
            return
        raise SystemExit("the endless loop did not run out of gas")

    figures = {
        "transfer": median_time(lambda: token.transfer(bob, 1), reps),
        "balanceOf": median_time(lambda: token.balanceOf(bob), reps),
        "snapshot+transfer+revert": median_time(snap_transfer_revert, reps),
        "loop": median_time(lambda: loop.sum(ITERATIONS), min(reps, 3)),
        "tx/s": throughput(lambda: token.transfer(bob, 1), reps, batch),
        "calls/s": throughput(lambda: token.balanceOf(bob), reps, batch),
        "endless loop": median_time(endless, min(reps, 3)),
    }
    return figures


def stock_figures(token_art, loop_art, reps: int, batch: float) -> dict[str, float]:
    from web3 import EthereumTesterProvider, Web3

    w3 = Web3(EthereumTesterProvider())
    alice, bob = w3.eth.accounts[:2]

    def deploy(artifact, *args):
        factory = w3.eth.contract(abi=artifact.abi, bytecode=artifact.bytecode)
        tx_hash = factory.constructor(*args).transact({"from": alice, "gas": 5_000_000})
        address = w3.eth.get_transaction_receipt(tx_hash)["contractAddress"]
        return w3.eth.contract(address=address, abi=artifact.abi)

    token = deploy(token_art, "Token", "TOK", SUPPLY)
    loop = deploy(loop_art)

    def transfer() -> None:
        tx_hash = token.functions.transfer(bob, 1).transact({"from": alice, "gas": 200_000})
        w3.eth.get_transaction_receipt(tx_hash)

    def balance_of() -> None:
        token.functions.balanceOf(bob).call()

    def snap_transfer_revert() -> None:
        snap = w3.testing.snapshot()
        transfer()
        w3.testing.revert(snap)

    return {
        "transfer": median_time(transfer, reps),
        "balanceOf": median_time(balance_of, reps),
        "snapshot+transfer+revert": median_time(snap_transfer_revert, reps),
        "loop": median_time(
            lambda: loop.functions.sum(ITERATIONS).call({"gas": DEFAULT_GAS_CAP}), min(reps, 3)
        ),
        "tx/s": throughput(transfer, reps, batch),
        "calls/s": throughput(balance_of, reps, batch),
    }


def web3_revm_figures(token_art, reps: int, batch_seconds: float) -> dict[str, float]:
    """The stock path's transfer and balanceOf, through ``Chain.w3`` on SOLLAB_BACKEND=revm
    (web3 + eth-tester over the revm state, backends/revm_tester.py)."""
    w3 = Chain(backend="revm").w3
    alice, bob = w3.eth.accounts[:2]
    factory = w3.eth.contract(abi=token_art.abi, bytecode=token_art.bytecode)
    tx_hash = factory.constructor("Token", "TOK", SUPPLY).transact(
        {"from": alice, "gas": 5_000_000}
    )
    address = w3.eth.get_transaction_receipt(tx_hash)["contractAddress"]
    token = w3.eth.contract(address=address, abi=token_art.abi)

    def transfer() -> None:
        tx_hash = token.functions.transfer(bob, 1).transact({"from": alice, "gas": 200_000})
        w3.eth.get_transaction_receipt(tx_hash)

    def balance_of() -> None:
        token.functions.balanceOf(bob).call()

    return {
        "tx/s": throughput(transfer, reps, batch_seconds),
        "calls/s": throughput(balance_of, reps, batch_seconds),
    }


def pyrevm_figures(token_art, loop_art, reps: int) -> dict[str, float] | None:
    """Raw pyrevm on the same contracts: the speed revm reaches, not an equivalent chain."""
    try:
        import pyrevm
    except ImportError:
        return None
    from eth_abi import encode

    evm = pyrevm.EVM(gas_limit=30_000_000, spec_id="CANCUN")
    alice, bob = "0x" + "a1" * 20, "0x" + "b0" * 20
    evm.set_balance(alice, 10**24)
    args = encode(["string", "string", "uint256"], ["Token", "TOK", SUPPLY])
    token = evm.deploy(alice, bytes.fromhex(token_art.bytecode[2:]) + args, gas=5_000_000)
    loop = evm.deploy(alice, bytes.fromhex(loop_art.bytecode[2:]), gas=5_000_000)
    ids = {**token_art.method_identifiers, **loop_art.method_identifiers}
    transfer_data = bytes.fromhex(ids["transfer(address,uint256)"]) + encode(
        ["address", "uint256"], [bob, 1]
    )
    balance_data = bytes.fromhex(ids["balanceOf(address)"]) + encode(["address"], [bob])
    loop_data = bytes.fromhex(ids["sum(uint256)"]) + encode(["uint256"], [ITERATIONS])

    def transfer() -> None:
        evm.message_call(alice, token, transfer_data, gas=200_000)

    def snap_transfer_revert() -> None:
        checkpoint = evm.snapshot()
        transfer()
        evm.revert(checkpoint)

    return {
        "transfer": median_time(transfer, reps),
        "balanceOf": median_time(
            lambda: evm.message_call(alice, token, balance_data, is_static=True), reps
        ),
        "snapshot+transfer+revert": median_time(snap_transfer_revert, reps),
        "loop": median_time(
            lambda: evm.message_call(alice, loop, loop_data, gas=DEFAULT_GAS_CAP), reps
        ),
    }


def grade_figures(n: int, lesson: str, jobs: int, rounds: int = 2) -> None:
    """`sollab grade` of the same class on each backend, ``rounds`` times in turn: the best
    seconds of each and whether the scores agree."""
    import importlib.util
    import os
    import shutil
    import tempfile

    spec = importlib.util.spec_from_file_location(
        "grade_class", ROOT / "benchmarks" / "grade_class.py"
    )
    gc = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gc)
    times, scores = {}, {}
    with tempfile.TemporaryDirectory(prefix="sollab-bench-") as tmp:
        base = gc.make_course(Path(tmp) / "base", lesson)
        notebooks = gc.submissions(base, lesson, n)
        # untimed: a class of one of each kind, so the compile cache on disk holds the lesson's
        # compiles for both timed runs alike (the first would otherwise fill it for the second)
        warm = Path(tmp) / "warm-up"
        shutil.copytree(base, warm)
        kinds = dict(list(notebooks.items())[:3])
        gc.run(
            [str(gc.BIN / "sollab"), "grade", lesson, str(gc.file_submissions(warm, lesson, kinds)),
             "--jobs", "1", "--course", str(warm), "--json"],
            warm,
        )  # fmt: skip
        for backend in ("pyevm", "revm") * rounds:  # interleaved: both see the same machine
            course = Path(tmp) / f"{backend}-{len(times.get(backend, []))}"
            shutil.copytree(base, course)
            submitted = gc.file_submissions(course, lesson, notebooks)
            previous = os.environ.get("SOLLAB_BACKEND")
            os.environ["SOLLAB_BACKEND"] = backend
            try:
                started = time.perf_counter()
                gc.run(
                    [str(gc.BIN / "sollab"), "grade", lesson, str(submitted), "--jobs", str(jobs),
                     "--course", str(course), "--json"],
                    course,
                )  # fmt: skip
                times.setdefault(backend, []).append(time.perf_counter() - started)
            finally:
                if previous is None:
                    os.environ.pop("SOLLAB_BACKEND")
                else:
                    os.environ["SOLLAB_BACKEND"] = previous
            scores[backend] = gc.scores_from_nbgrader(course)
            shutil.rmtree(course)
    best = {backend: min(runs) for backend, runs in times.items()}
    speedup = best["pyevm"] / best["revm"]
    same = "the same scores" if scores["pyevm"] == scores["revm"] else "DIFFERENT scores"
    print(f"sollab grade --jobs {jobs}, {n} submissions of {lesson}, best of {rounds}: {same}")
    for backend in ("pyevm", "revm"):
        runs = ", ".join(f"{t:.1f}" for t in times[backend])
        each = best[backend] / n
        print(f"  {backend:<6}{best[backend]:8.1f} s  ({each:.2f} s each; runs {runs})")
    print(f"  speed-up {speedup:.2f}x   (>= 2x: {_verdict(speedup >= 2)})")


def _verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def ms(seconds: float) -> str:
    return f"{seconds * 1000:10.3f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=7, help="repetitions per figure")
    parser.add_argument(
        "--batch-seconds", type=float, default=0.3, help="length of each throughput batch"
    )
    parser.add_argument("--grade", type=int, default=0, help="also time sollab grade on N")
    parser.add_argument("--lesson", default="05-solidity-basics", help="the class for --grade")
    parser.add_argument("--jobs", type=int, default=2, help="sollab grade --jobs for --grade")
    parser.add_argument(
        "--grade-rounds", type=int, default=2, help="runs of each backend for --grade, in turn"
    )
    args = parser.parse_args()
    token_art = lab.compile_file(TOKEN)["MyToken"]
    loop_art = lab.compile_source(LOOP_SOURCE, "Loop.sol")["Loop"]
    load_before = load_average()

    revm = pyrevm_figures(token_art, loop_art, args.reps)
    backends = ["pyevm", "revm"] if revm else ["pyevm"]
    labs = {b: lab_figures(b, token_art, loop_art, args.reps, args.batch_seconds) for b in backends}
    stock = stock_figures(token_art, loop_art, args.reps, args.batch_seconds)

    print(
        f"chain benchmark — python {sys.version.split()[0]}, median of {args.reps} runs, "
        f"{os.cpu_count()} CPUs, load average {load_before} before, {load_average()} after"
    )
    header = f"{'':<26}{'stock web3':>13}" + "".join(f"{'lab ' + b:>13}" for b in backends)
    print(header + (f"{'raw pyrevm*':>14}{'revm vs stock':>15}" if revm else ""))
    for what in ("transfer", "balanceOf", "snapshot+transfer+revert", "loop"):
        label = f"{ITERATIONS:,}-iteration loop" if what == "loop" else what
        line = f"  {label:<24}{ms(stock[what])}" + "".join(ms(labs[b][what]) for b in backends)
        if revm:
            line += f"{ms(revm[what])}{stock[what] / labs['revm'][what]:13.1f}x"
        print(line)
    if revm:
        print("  * raw pyrevm alone is not an equivalent chain (benchmarks/REVM.md): a reference")
    else:
        print("  (pyrevm is not installed: no revm columns)")

    print(
        f"throughput through the lab's chain: transfer transactions and balanceOf calls a "
        f"second, median of {args.reps} batches of ~{args.batch_seconds} s"
    )
    for backend in backends:
        ours = labs[backend]
        for what, target in (("tx/s", 1_000), ("calls/s", 5_000)):
            ratio = ours[what] / stock[what]
            print(
                f"  {backend:<6}{what:<8} lab {ours[what]:9.1f}   stock {stock[what]:8.1f}   "
                f"ratio {ratio:6.1f}x   (>= {target:,}/s: {_verdict(ours[what] >= target)}, "
                f">= 50x: {_verdict(ratio >= 50)})"
            )
    if revm:
        web3_revm = web3_revm_figures(token_art, args.reps, args.batch_seconds)
        print("throughput through web3 (Chain.w3 on revm vs stock Web3(EthereumTesterProvider()))")
        for what in ("tx/s", "calls/s"):
            ratio = web3_revm[what] / stock[what]
            print(f"  w3 on revm {what:<8} {web3_revm[what]:9.1f}   stock {stock[what]:8.1f}   "
                  f"ratio {ratio:6.1f}x")  # fmt: skip
    for backend in backends:
        endless = labs[backend]["endless loop"]
        print(
            f"  {backend:<6}endless loop at the default gas cap ({DEFAULT_GAS_CAP:,} gas) fails "
            f"in {endless:.3f} s   (<= 0.5 s: {_verdict(endless <= 0.5)})"
        )
    if args.grade:
        grade_figures(args.grade, args.lesson, args.jobs, args.grade_rounds)


if __name__ == "__main__":
    main()
