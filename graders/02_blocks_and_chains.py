"""Checks for lesson 02, blocks and chains: a miner, a chain validator, a Merkle root and a
Merkle proof verifier, all in plain Python.

The data shapes (stated in the lesson):
- a hash is a str, "0x" + 64 lower-case hex digits of a keccak256 digest;
- a block is a dict with exactly the keys index (int), prev_hash (str), nonce (int), data (str)
  and hash (str), where hash == block_hash(index, prev_hash, nonce, data) below;
- a chain is a non-empty list of blocks, the genesis block (index 0, prev_hash ZERO_HASH) first;
- difficulty d means a block's hash starts with "0x" followed by d zeros;
- a Merkle tree hashes each leaf (bytes) with keccak256, then each pair of neighbours,
  left ‖ right (the 64 bytes), level by level; an odd node out moves up a level unchanged;
- a Merkle proof is a list of steps from the leaf up, {"hash": "0x…", "side": "left"|"right"},
  side being where the sibling sits.

The reference implementations below are the checks' own: learners never see this file.
"""

import itertools

from eth_utils import keccak
from hypothesis import strategies as st

from sollab.grading import exercise

ZERO_HASH = "0x" + "00" * 32
KEYS = {"index", "prev_hash", "nonce", "data", "hash"}


# --- the checks' reference implementations ---------------------------------------------------


def block_hash(index: int, prev_hash: str, nonce: int, data: str) -> str:
    return "0x" + keccak(text=f"{index}:{prev_hash}:{nonce}:{data}").hex()


def meets(hash_: str, difficulty: int) -> bool:
    return hash_.startswith("0x" + "0" * difficulty)


def mine(index: int, prev_hash: str, data: str, difficulty: int, start: int = 0) -> dict:
    for nonce in itertools.count(start):
        h = block_hash(index, prev_hash, nonce, data)
        if meets(h, difficulty):
            return {"index": index, "prev_hash": prev_hash, "nonce": nonce, "data": data, "hash": h}


def honest_chain(datas: list[str], difficulty: int) -> list[dict]:
    blocks, prev = [], ZERO_HASH
    for i, data in enumerate(datas):
        blocks.append(mine(i, prev, data, difficulty))
        prev = blocks[-1]["hash"]
    return blocks


def valid(blocks: list[dict], difficulty: int) -> bool:
    if not blocks or blocks[0]["index"] != 0 or blocks[0]["prev_hash"] != ZERO_HASH:
        return False
    for i, b in enumerate(blocks):
        if b["hash"] != block_hash(b["index"], b["prev_hash"], b["nonce"], b["data"]):
            return False
        if not meets(b["hash"], difficulty):
            return False
        if i and (
            b["index"] != blocks[i - 1]["index"] + 1 or b["prev_hash"] != blocks[i - 1]["hash"]
        ):
            return False
    return True


def _pair(left: bytes, right: bytes) -> bytes:
    return keccak(left + right)


def levels(leaves: list[bytes]) -> list[list[bytes]]:
    """Every level of the tree, the hashed leaves first, the root's level last."""
    level = [keccak(leaf) for leaf in leaves]
    out = [level]
    while len(level) > 1:
        up = [_pair(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            up.append(level[-1])  # the odd one out moves up unchanged
        level = up
        out.append(level)
    return out


def root_of(leaves: list[bytes]) -> str:
    return "0x" + levels(leaves)[-1][0].hex()


def proof_of(leaves: list[bytes], index: int) -> list[dict]:
    steps = []
    for level in levels(leaves)[:-1]:
        sibling = index ^ 1
        if sibling < len(level):
            side = "left" if sibling < index else "right"
            steps.append({"hash": "0x" + level[sibling].hex(), "side": side})
        index //= 2
    return steps


# --- comparing answers -----------------------------------------------------------------------


def _short(value) -> str:
    text = repr(value)
    return text if len(text) <= 70 else text[:67] + "..."


def _same_hash(got, expected: str) -> bool:
    """Hashes compare as hex, case aside; a missing 0x is the format check's business."""
    return isinstance(got, str) and got.lower().removeprefix("0x") == expected.removeprefix("0x")


def _expect_bool(t, got, want: bool, what: str, hint: str = "") -> None:
    t.expect(isinstance(got, bool) and got is want, f"{want} for {what}", _short(got), hint)


# --- 1. mine a block -------------------------------------------------------------------------

miner = exercise(
    "02-blocks-and-chains/mine-block",
    "Mine a block under a difficulty",
    submits="function",
    name="mine_block",
    hints=[
        "Try nonce = 0, 1, 2, … and compute `block_hash(index, prev_hash, nonce, data)` for each.",
        'Stop at the first hash that starts with `"0x" + "0" * difficulty`.',
        "Return a new dict with the five keys: index, prev_hash, nonce, data and hash.",
    ],
)


def _block_shape(t, got) -> None:
    t.expect(
        isinstance(got, dict) and set(got) == KEYS,
        "a dict with exactly the keys index, prev_hash, nonce, data, hash",
        f"keys {sorted(got)}" if isinstance(got, dict) else type(got).__name__,
    )


def _block_fields(t, got, index, prev_hash, data) -> None:
    _block_shape(t, got)
    for key, want in (("index", index), ("prev_hash", prev_hash), ("data", data)):
        t.expect(got[key] == want, f"the block's {key} to be {_short(want)}", _short(got[key]))
    t.expect(
        isinstance(got["nonce"], int) and not isinstance(got["nonce"], bool) and got["nonce"] >= 0,
        "the nonce to be a whole number 0 or more",
        _short(got["nonce"]),
    )


def _own_hash(b: dict) -> str:
    return block_hash(b["index"], b["prev_hash"], b["nonce"], b["data"])


@miner.check("returns a block: the five keys, with the values it was given", points=1)
def _(t):
    got = t.call(0, ZERO_HASH, "genesis", 1)
    _block_fields(t, got, 0, ZERO_HASH, "genesis")


@miner.check("its hash is block_hash of its own fields", points=1)
def _(t):
    got = t.call(1, block_hash(0, ZERO_HASH, 7, "genesis"), "alice pays bob 5", 1)
    _block_fields(t, got, 1, block_hash(0, ZERO_HASH, 7, "genesis"), "alice pays bob 5")
    t.expect(
        isinstance(got["hash"], str) and got["hash"] == _own_hash(got),
        f"hash to be {_own_hash(got)}",
        _short(got["hash"]),
        'use block_hash(...) from the lesson: "0x" and 64 lower-case hex digits',
    )


@miner.check("its hash meets difficulty 2 (starts with 0x00)", points=2)
def _(t):
    got = t.call(0, ZERO_HASH, "genesis", 2)
    _block_fields(t, got, 0, ZERO_HASH, "genesis")
    h = _own_hash(got)
    t.expect(
        meets(h, 2),
        "a nonce that makes the block's hash start with 0x00",
        f"nonce {got['nonce']} gives {h[:10]}…",
        "keep trying nonces until the hash meets the difficulty",
    )


@miner.check("the nonce is the smallest that works", points=1)
def _(t):
    # "carol pays dave 293" meets difficulty 2 with nonce 0 already; "… 1" needs a search.
    for data in ("carol pays dave 1", "carol pays dave 293"):
        got = t.call(3, ZERO_HASH, data, 2)
        _block_fields(t, got, 3, ZERO_HASH, data)
        works = meets(_own_hash(got), 2)
        t.expect(works, "a nonce that meets difficulty 2", f"nonce {got['nonce']}")
        t.expect(
            got["nonce"] == mine(3, ZERO_HASH, data, 2)["nonce"],
            "the first nonce that works, trying 0, 1, 2, … in order",
            f"nonce {got['nonce']}, but a smaller one also works",
            "start at 0 and count up by one",
        )


@miner.property(
    "any block, difficulty 0 to 3",
    st.tuples(
        st.integers(0, 10_000),
        st.binary(min_size=32, max_size=32),
        st.text(max_size=30),
        st.integers(0, 3),
    ),
    points=2,
    examples=10,
)
def _(t, case):
    index, prev, data, difficulty = case
    prev_hash = "0x" + prev.hex()
    got = t.call(index, prev_hash, data, difficulty)
    _block_fields(t, got, index, prev_hash, data)
    t.expect(got["hash"] == _own_hash(got), "hash to be block_hash of the block", got["hash"])
    t.expect(
        got == mine(index, prev_hash, data, difficulty),
        f"the smallest nonce whose hash meets difficulty {difficulty}",
        f"nonce {got['nonce']}",
    )


@miner.check("four blocks mined one after another make a valid chain", points=1, hidden=True)
def _(t):
    blocks, prev = [], ZERO_HASH
    for i, data in enumerate(["genesis", "alice pays bob 5", "bob pays carol 2", "gm"]):
        blocks.append(t.call(i, prev, data, 2))
        _block_shape(t, blocks[-1])
        prev = blocks[-1]["hash"]
    t.expect(
        valid(blocks, 2),
        "a valid chain at difficulty 2 when each block links the previous one's hash",
        "a chain that does not validate",
        "the block you return must carry the very hash that meets the difficulty",
    )


# --- 2. validate a chain ---------------------------------------------------------------------

validator = exercise(
    "02-blocks-and-chains/validate-chain",
    "Validate a chain of blocks",
    submits="function",
    name="validate_chain",
    hints=[
        "Go through the blocks with their positions: `for i, block in enumerate(blocks):`. "
        "Return False as soon as one rule breaks, True at the end.",
        "For each block, recompute block_hash from its index, prev_hash, nonce and data and "
        "compare it with the hash it claims; then check that hash against the difficulty.",
        "For every block after the first, compare its prev_hash with the previous block's hash "
        "and its index with the previous index + 1; the first block has its own two rules.",
    ],
)

DATAS = ["genesis", "alice pays bob 5", "bob pays carol 2", "carol pays dave 1"]


def _chain_call(t, blocks, difficulty):
    # A fresh copy each call, so a validator that edits its input cannot spoil the next case.
    return t.call([dict(b) for b in blocks], difficulty)


@validator.check("an honest chain is valid", points=1)
def _(t):
    got = _chain_call(t, honest_chain(DATAS, 2), 2)
    _expect_bool(t, got, True, "an honest 4-block chain at difficulty 2")


@validator.check("a block whose data changed (hash left as it was) is caught", points=1)
def _(t):
    blocks = honest_chain(DATAS, 2)
    blocks[2]["data"] = "bob pays carol 2000"
    got = _chain_call(t, blocks, 2)
    _expect_bool(
        t,
        got,
        False,
        "a chain whose block 2 data changed after mining",
        "recompute each block's hash from its fields: does it match the stored hash?",
    )


@validator.check("a changed and re-mined block breaks the next block's link", points=1)
def _(t):
    blocks = honest_chain(DATAS, 2)
    blocks[1] = mine(1, blocks[0]["hash"], "alice pays mallory 5", 2)
    got = _chain_call(t, blocks, 2)
    _expect_bool(
        t,
        got,
        False,
        "a chain whose block 1 was changed and re-mined, block 2 left pointing at the old one",
        "each block's prev_hash must equal the previous block's hash",
    )


@validator.check("a block that does not meet the difficulty is caught", points=1)
def _(t):
    blocks = honest_chain(DATAS[:3], 2)
    nonce = 0  # the first nonce whose hash meets difficulty 1 but not 2
    while True:
        easy = mine(3, blocks[-1]["hash"], DATAS[3], 1, start=nonce)
        if not meets(easy["hash"], 2):
            break
        nonce = easy["nonce"] + 1
    got = _chain_call(t, [*blocks, easy], 2)
    _expect_bool(
        t,
        got,
        False,
        f"a chain whose last block's hash {easy['hash'][:8]}… does not start with 0x00",
        "every block's hash must start with 0x and `difficulty` zeros",
    )


@validator.check("a chain that does not start at the genesis block is caught", points=1)
def _(t):
    got = _chain_call(t, honest_chain(DATAS, 2)[1:], 2)
    _expect_bool(
        t,
        got,
        False,
        "blocks 1 to 3 of an honest chain, without its genesis block",
        "the first block must have index 0 and prev_hash ZERO_HASH",
    )


_FIELDS = ["index", "prev_hash", "nonce", "data", "hash"]


@validator.property(
    "honest chains are valid, any edit to any block is caught",
    st.tuples(
        st.lists(st.text(max_size=12), min_size=1, max_size=5),
        st.integers(0, 2),
        st.integers(0, 4),
        st.sampled_from(_FIELDS),
    ),
    points=2,
    examples=12,
)
def _(t, case):
    datas, difficulty, which, field = case
    blocks = honest_chain(datas, difficulty)
    _expect_bool(t, _chain_call(t, blocks, difficulty), True, "an honest chain")
    b = blocks[which % len(blocks)]
    if field in ("index", "nonce"):
        b[field] += 1
    elif field == "data":
        b[field] += "!"
    else:
        b[field] = "0x" + keccak(b[field].encode()).hex()
    _expect_bool(
        t, _chain_call(t, blocks, difficulty), False, f"a chain with one block's {field} edited"
    )


@validator.check("block numbers must count up by one", points=1, hidden=True)
def _(t):
    blocks, prev = [], ZERO_HASH
    for index, data in zip([0, 1, 3], DATAS, strict=False):  # block 2 is missing
        blocks.append(mine(index, prev, data, 1))
        prev = blocks[-1]["hash"]
    got = _chain_call(t, blocks, 1)
    _expect_bool(t, got, False, "a chain whose block numbers go 0, 1, 3")


# --- 3. a Merkle root ------------------------------------------------------------------------

merkle = exercise(
    "02-blocks-and-chains/merkle-root",
    "The Merkle root of a list of leaves",
    submits="function",
    name="merkle_root",
    hints=[
        "Start with `level = [keccak(leaf) for leaf in leaves]` and repeat while `len(level) > 1`.",
        "Build the next level by hashing neighbours `keccak(level[i] + level[i + 1])` for "
        "i = 0, 2, 4, …: join the 32-byte hashes themselves, not their hex text.",
        "If a level has an odd number of hashes, the last one goes up to the next level as it is.",
    ],
)


def _expect_root(t, leaves, got, hint=""):
    expected = root_of(leaves)
    t.expect(
        _same_hash(got, expected),
        f"the root of {len(leaves)} leaves to be {expected[:12]}…",
        _short(got),
        hint,
    )


@merkle.check("returns a hash: 0x followed by 64 hex digits", points=1)
def _(t):
    got = t.call([b"alice pays bob 5", b"bob pays carol 2"])
    t.expect(
        isinstance(got, str)
        and len(got) == 66
        and got.startswith("0x")
        and all(c in "0123456789abcdefABCDEF" for c in got[2:]),
        "a str like '0x1c8a…eac8' (0x and 64 hex digits)",
        _short(got),
        'write the root\'s 32 bytes as "0x" + root.hex()',
    )


@merkle.check("one leaf: the root is the leaf's hash", points=1)
def _(t):
    leaves = [b"alice pays bob 5"]
    _expect_root(t, leaves, t.call(leaves), "a tree of one leaf is just its hash")


@merkle.check("two leaves: the hash of their hashes, left then right", points=1)
def _(t):
    leaves = [b"alice pays bob 5", b"bob pays carol 2"]
    _expect_root(
        t,
        leaves,
        t.call(leaves),
        "join the two 32-byte hashes (64 bytes), then hash that",
    )


@merkle.check("four leaves: a tree two levels high", points=1)
def _(t):
    leaves = [b"tx0", b"tx1", b"tx2", b"tx3"]
    _expect_root(t, leaves, t.call(leaves))


@merkle.check("three leaves: the odd one out moves up unchanged", points=1)
def _(t):
    leaves = [b"tx0", b"tx1", b"tx2"]
    _expect_root(
        t,
        leaves,
        t.call(leaves),
        "the third hash has no partner: it is not hashed again or paired with itself",
    )


@merkle.property(
    "any list of 1 to 12 leaves",
    st.lists(st.binary(max_size=16), min_size=1, max_size=12),
    points=2,
    examples=20,
)
def _(t, leaves):
    _expect_root(t, leaves, t.call(list(leaves)))


@merkle.check("33 leaves: odd levels all the way up", points=1, hidden=True)
def _(t):
    leaves = [f"tx{i}".encode() for i in range(33)]
    _expect_root(t, leaves, t.call(list(leaves)))


# --- 4. verify a Merkle proof ----------------------------------------------------------------

prover = exercise(
    "02-blocks-and-chains/verify-proof",
    "Check a Merkle proof of inclusion",
    submits="function",
    name="verify_proof",
    hints=[
        "Start from `current = keccak(leaf)` and go through the proof's steps in order.",
        'For a step whose side is "left", the sibling goes first: '
        "`keccak(sibling + current)`; otherwise `keccak(current + sibling)`. "
        "Turn a step's hex into bytes with `bytes.fromhex(step['hash'][2:])`.",
        "At the end, compare `current` with the root (as hex, ignoring case).",
    ],
)

TXS = [b"tx0", b"tx1", b"tx2", b"tx3", b"tx4"]


def _proof_call(t, leaf, proof, root):
    return t.call(leaf, [dict(s) for s in proof], root)


@prover.check("a genuine proof verifies", points=1)
def _(t):
    got = _proof_call(t, TXS[1], proof_of(TXS[:4], 1), root_of(TXS[:4]))
    _expect_bool(t, got, True, "a genuine proof that leaf 1 is in a 4-leaf tree")


@prover.check("the proof does not work for another leaf", points=1)
def _(t):
    got = _proof_call(t, b"tx9", proof_of(TXS[:4], 1), root_of(TXS[:4]))
    _expect_bool(t, got, False, "leaf 1's proof used with a leaf that is not in the tree")


@prover.check("the proof does not work against another root", points=1)
def _(t):
    got = _proof_call(t, TXS[1], proof_of(TXS[:4], 1), root_of(TXS[:3]))
    _expect_bool(t, got, False, "a genuine proof checked against the root of a different tree")


@prover.check("the side of each sibling matters", points=1)
def _(t):
    proof = proof_of(TXS, 2)
    flipped = [
        {"hash": s["hash"], "side": "right" if s["side"] == "left" else "left"} for s in proof
    ]
    got = _proof_call(t, TXS[2], proof, root_of(TXS))
    _expect_bool(
        t,
        got,
        True,
        "a genuine proof for leaf 2 of 5 (a sibling on each side)",
        'a "left" sibling goes before the current hash',
    )
    got = _proof_call(t, TXS[2], flipped, root_of(TXS))
    _expect_bool(
        t,
        got,
        False,
        "the same proof with every side swapped",
        "join the pair in the order the proof says",
    )


@prover.property(
    "genuine proofs verify and a changed leaf fails, in trees of 1 to 12 leaves",
    st.tuples(
        st.lists(st.binary(max_size=12), min_size=1, max_size=12, unique=True),
        st.integers(0, 11),
    ),
    points=2,
    examples=15,
)
def _(t, case):
    leaves, which = case
    index = which % len(leaves)
    root, proof = root_of(leaves), proof_of(leaves, index)
    _expect_bool(
        t, _proof_call(t, leaves[index], proof, root), True, f"a genuine proof of leaf {index}"
    )
    _expect_bool(
        t,
        _proof_call(t, leaves[index] + b"!", proof, root),
        False,
        f"leaf {index}'s proof used with a changed leaf",
    )


@prover.check("a one-leaf tree: the empty proof", points=1, hidden=True)
def _(t):
    got = _proof_call(t, b"only", [], root_of([b"only"]))
    _expect_bool(t, got, True, "an empty proof of the only leaf, whose hash is the root")
