"""Memory of a long session on the revm backend: what each transaction leaves behind.

    python benchmarks/revm_memory.py [--txs N]

Two sessions of N ERC-20 transfers (default 100,000) on `Chain(backend="revm")`, measured with
tracemalloc (which slows Python ~2x): plain transfers, each mined for good, and anchored ones
(snapshot, transfer, revert: how graders isolate checks). It prints the memory each transaction
leaves behind and the lines that hold it. Receipts are dropped as they come, as a loop does.
Nothing here asserts.
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

import sollab as lab  # noqa: E402
from sollab.chain import Chain  # noqa: E402

TOKEN = ROOT / "contracts" / "examples" / "MyToken.sol"


def session(token_art, txs: int, anchored: bool) -> None:
    chain = Chain(backend="revm")
    bob = chain.accounts[1]
    token = chain.deploy(token_art, "Token", "TOK", 10**24)

    def one() -> None:
        if anchored:
            with chain.anchor():
                token.transfer(bob, 1)
        else:
            token.transfer(bob, 1)

    for _ in range(200):  # caches filled, the first history merge done
        one()
    gc.collect()
    before = tracemalloc.take_snapshot()
    start_bytes = tracemalloc.get_traced_memory()[0]
    started = time.perf_counter()
    for _ in range(txs):
        one()
    seconds = time.perf_counter() - started
    gc.collect()
    grown = tracemalloc.get_traced_memory()[0] - start_bytes
    after = tracemalloc.take_snapshot()
    kind = "snapshot + transfer + revert" if anchored else "transfer"
    print(
        f"{txs:,} x {kind}: {grown / 2**20:8.1f} MiB kept, {grown / txs:6.0f} bytes a "
        f"transaction   ({seconds:.1f} s under tracemalloc)"
    )
    backend = chain._backend._inner
    records = sum(len(b.undo) for b in backend._blocks if b.undo)
    print(
        f"    {len(backend._blocks):,} blocks, {records:,} undo records kept "
        f"(history {backend.history:,} blocks), "
        f"{sum(1 for b in backend._blocks if b.mined):,} transactions kept with their results"
    )
    for stat in after.compare_to(before, "lineno")[:4]:
        frame = stat.traceback[0]
        where = f"{Path(frame.filename).relative_to(ROOT) if ROOT in Path(frame.filename).parents else frame.filename}:{frame.lineno}"  # noqa: E501
        print(f"    {stat.size_diff / txs:6.0f} bytes/tx  {where}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--txs", type=int, default=100_000, help="transactions per session")
    args = parser.parse_args()
    token_art = lab.compile_file(TOKEN)["MyToken"]
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"revm memory — python {sys.version.split()[0]}, load average {load}")
    tracemalloc.start(1)
    for anchored in (False, True):
        session(token_art, args.txs, anchored)


if __name__ == "__main__":
    main()
