"""Compile and chain speed, each beside a baseline measured in the same run.

    python benchmarks/compile_and_deploy.py [--reps N]

Prints medians over N repetitions (default 10):
- warm compile of a ~60-line lesson contract through the persistent solc-js worker, against a
  fresh `solcjs --standard-json` process per compile (target: <= 50 ms, >= 20x faster);
- cold start: a new Python process that imports sollab, compiles, deploys and calls
  (target: <= 2.5 s);
- transactions/s and view calls/s through the lab's chain, against the same operations through
  stock `Web3(EthereumTesterProvider())`.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

import sollab as lab  # noqa: E402
from sollab.compiler import Compiler  # noqa: E402
from sollab.node import find_node  # noqa: E402
from sollab.sources import SourceSet  # noqa: E402

LESSON_CONTRACT = ROOT / "contracts" / "examples" / "Vault.sol"
COUNTER = ROOT / "contracts" / "examples" / "Counter.sol"


def median_time(fn, reps: int) -> float:
    times = []
    for i in range(reps):
        start = time.perf_counter()
        fn(i)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def bench_compile(reps: int) -> None:
    source = LESSON_CONTRACT.read_text()
    compiler = Compiler(disk_cache=False)
    compiler.worker.start()

    def source_set(i: int) -> SourceSet:
        # A new comment each time: a real compile every repetition, never a cache hit.
        text = source + f"\n// edit {i} {time.time_ns()}\n"
        return SourceSet({"Vault.sol": text}, {"Vault.sol": ROOT}, ["Vault.sol"])

    def warm(i: int) -> None:
        compiler.compile(source_set(i))

    for i in range(20):  # a new worker speeds up over its first ~10-20 compiles
        warm(-i - 1)
    warm_s = median_time(warm, reps)

    solcjs = ROOT / "node_modules" / "solc" / "solc.js"
    node = find_node().executable

    # The very standard-JSON inputs the worker got (same outputs, same settings), made beforehand.
    inputs = [json.dumps(compiler.compile(source_set(1000 + i)).input) for i in range(reps)]

    def fresh_process(i: int) -> None:
        out = subprocess.run(
            [node, str(solcjs), "--standard-json"],
            input=inputs[i],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        if '"Vault"' not in out:
            raise SystemExit("baseline solcjs produced no Vault artifact")

    cold_s = median_time(fresh_process, reps)
    lines = len(source.splitlines())
    print(f"warm compile, {lines}-line contract ({reps} reps, median)")
    print(f"  persistent solc-js worker      {warm_s * 1000:8.1f} ms   (target <= 50 ms)")
    print(f"  fresh solcjs process/compile   {cold_s * 1000:8.1f} ms")
    print(f"  speed-up                       {cold_s / warm_s:8.1f}x   (target >= 20x)")
    compiler.worker.close()


COLD_SCRIPT = """
import sollab as lab
counter = lab.deploy(lab.compile_file({path!r})["Counter"], 1)
counter.increment()
assert counter.count() == 2
"""


def bench_cold(reps: int) -> None:
    env = dict(os.environ, SOLLAB_NO_DISK_CACHE="1", PYTHONPATH=str(ROOT / "src"))
    script = COLD_SCRIPT.format(path=str(COUNTER))

    def run(i: int) -> None:
        subprocess.run([sys.executable, "-c", script], env=env, check=True, cwd=ROOT)

    def bare(i: int) -> None:
        subprocess.run([sys.executable, "-c", "pass"], env=env, check=True)

    cold = median_time(run, reps)
    python_only = median_time(bare, reps)
    print(f"cold start: new process, import, compile, deploy, transact, call ({reps} reps)")
    print(f"  sollab                         {cold:8.2f} s    (target <= 2.5 s)")
    print(f"  bare `python -c pass`          {python_only:8.2f} s    (the floor)")


def bench_chain(reps: int, txs: int = 40, calls: int = 200) -> None:
    from web3 import EthereumTesterProvider, Web3

    artifact = lab.compile_file(COUNTER)["Counter"]

    chain = lab.Chain()
    counter = chain.deploy(artifact, 0)

    def lab_txs(i: int) -> None:
        for _ in range(txs):
            counter.increment()

    def lab_calls(i: int) -> None:
        for _ in range(calls):
            counter.count()

    w3 = Web3(EthereumTesterProvider())
    sender = w3.eth.accounts[0]
    factory = w3.eth.contract(abi=artifact.abi, bytecode=artifact.bytecode)
    tx_hash = factory.constructor(0).transact({"from": sender, "gas": 3_000_000})
    address = w3.eth.get_transaction_receipt(tx_hash)["contractAddress"]
    stock = w3.eth.contract(address=address, abi=artifact.abi)

    def web3_txs(i: int) -> None:
        for _ in range(txs):
            h = stock.functions.increment().transact({"from": sender, "gas": 200_000})
            w3.eth.get_transaction_receipt(h)

    def web3_calls(i: int) -> None:
        for _ in range(calls):
            stock.functions.count().call()

    lab_tx_rate = txs / median_time(lab_txs, reps)
    web3_tx_rate = txs / median_time(web3_txs, reps)
    lab_call_rate = calls / median_time(lab_calls, reps)
    web3_call_rate = calls / median_time(web3_calls, reps)
    print(f"chain throughput ({reps} reps of {txs} transactions / {calls} view calls, median)")
    for what, ours, stock_rate in (
        ("transactions/s", lab_tx_rate, web3_tx_rate),
        ("view calls/s", lab_call_rate, web3_call_rate),
    ):
        print(
            f"  {what:<15} lab chain {ours:8.1f}   stock web3+eth-tester {stock_rate:8.1f}"
            f"   ratio {ours / stock_rate:5.2f}x"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=10, help="repetitions per figure (>= 10)")
    args = parser.parse_args()
    print(f"sollab benchmark — python {sys.version.split()[0]}, node {find_node().version}")
    bench_compile(args.reps)
    bench_cold(args.reps)
    bench_chain(args.reps)


if __name__ == "__main__":
    main()
