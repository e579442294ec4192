"""Lesson 02's checks: right answers (however written) earn full marks, each typical mistake
loses exactly its own checks' points, and the released stub or a wrong type scores 0."""

from __future__ import annotations

import itertools

import pytest
from eth_utils import keccak
from lessonkit import no_crash, outcome, score, stub

from sollab.grading import get_exercise

MINE = "02-blocks-and-chains/mine-block"
VALIDATE = "02-blocks-and-chains/validate-chain"
ROOT = "02-blocks-and-chains/merkle-root"
PROOF = "02-blocks-and-chains/verify-proof"
ZERO_HASH = "0x" + "00" * 32


def block_hash(index, prev_hash, nonce, data):  # as the lesson gives it
    return "0x" + keccak(text=f"{index}:{prev_hash}:{nonce}:{data}").hex()


# --- mine-block -----------------------------------------------------------------------------


def mine_reference(index, prev_hash, data, difficulty):
    nonce = 0
    while True:
        h = block_hash(index, prev_hash, nonce, data)
        if h.startswith("0x" + "0" * difficulty):
            return {"index": index, "prev_hash": prev_hash, "nonce": nonce, "data": data, "hash": h}
        nonce += 1


def mine_other_way(index, prev_hash, data, difficulty):
    target = "0" * difficulty
    for nonce in itertools.count():
        digest = keccak(f"{index}:{prev_hash}:{nonce}:{data}".encode())
        if digest.hex()[:difficulty] == target:
            return dict(
                hash="0x" + digest.hex(), data=data, nonce=nonce, prev_hash=prev_hash, index=index
            )


def mine_from_one(index, prev_hash, data, difficulty):
    nonce = 1
    while not block_hash(index, prev_hash, nonce, data).startswith("0x" + "0" * difficulty):
        nonce += 1
    h = block_hash(index, prev_hash, nonce, data)
    return {"index": index, "prev_hash": prev_hash, "nonce": nonce, "data": data, "hash": h}


def mine_no_0x(index, prev_hash, data, difficulty):
    block = mine_reference(index, prev_hash, data, difficulty)
    return {**block, "hash": block["hash"][2:]}


def mine_stale_hash(index, prev_hash, data, difficulty):
    """Finds the nonce but returns the hash of the last *failed* try."""
    block = mine_reference(index, prev_hash, data, difficulty)
    if block["nonce"]:
        block["hash"] = block_hash(index, prev_hash, block["nonce"] - 1, data)
    return block


def mine_no_work(index, prev_hash, data, difficulty):
    return {
        "index": index,
        "prev_hash": prev_hash,
        "nonce": 0,
        "data": data,
        "hash": block_hash(index, prev_hash, 0, data),
    }


def test_mine_full_marks_for_the_reference_and_another_way():
    assert score(MINE, mine_reference) == get_exercise(MINE).points == 8
    assert score(MINE, mine_other_way) == 8


def test_mine_from_one_loses_the_smallest_and_fuzzed_checks():
    """The smallest check's block meets the difficulty with nonce 0; so do all at difficulty 0."""
    assert outcome(MINE, mine_from_one) == (
        5,
        ["the nonce is the smallest that works", "any block, difficulty 0 to 3"],
    )


def test_mine_without_0x_loses_the_hash_checks():
    assert outcome(MINE, mine_no_0x) == (
        4,
        [
            "its hash is block_hash of its own fields",
            "any block, difficulty 0 to 3",
            "four blocks mined one after another make a valid chain",
        ],
    )


def test_mine_with_a_stale_hash():
    assert outcome(MINE, mine_stale_hash) == (
        4,
        [
            "its hash is block_hash of its own fields",
            "any block, difficulty 0 to 3",
            "four blocks mined one after another make a valid chain",
        ],
    )


def test_mine_without_work_keeps_only_the_shape_and_hash_points():
    assert score(MINE, mine_no_work) == 2


def test_mine_stub_and_wrong_type_score_zero():
    no_crash(MINE, stub)
    no_crash(MINE, {"index": 0})


# --- validate-chain -------------------------------------------------------------------------


def validate_reference(blocks, difficulty):
    for i, block in enumerate(blocks):
        if i == 0:
            if block["index"] != 0 or block["prev_hash"] != ZERO_HASH:
                return False
        else:
            previous = blocks[i - 1]
            if block["index"] != previous["index"] + 1:
                return False
            if block["prev_hash"] != previous["hash"]:
                return False
        recomputed = block_hash(block["index"], block["prev_hash"], block["nonce"], block["data"])
        if block["hash"] != recomputed or not recomputed.startswith("0x" + "0" * difficulty):
            return False
    return True


def validate_other_way(blocks, difficulty):
    expected_prev = ZERO_HASH
    ok = True
    for number, b in enumerate(blocks):
        ok = ok and b["index"] == number and b["prev_hash"] == expected_prev
        ok = ok and b["hash"] == block_hash(b["index"], b["prev_hash"], b["nonce"], b["data"])
        ok = ok and int(b["hash"], 16) < 16 ** (64 - difficulty)
        expected_prev = b["hash"]
    return ok


def without(rule):
    """The reference validator with one of its rules forgotten."""

    def validate(blocks, difficulty):
        for i, b in enumerate(blocks):
            if rule != "genesis" and i == 0 and (b["index"] != 0 or b["prev_hash"] != ZERO_HASH):
                return False
            if rule != "link" and i and b["prev_hash"] != blocks[i - 1]["hash"]:
                return False
            if rule != "index" and i and b["index"] != blocks[i - 1]["index"] + 1:
                return False
            if rule != "hash" and b["hash"] != block_hash(
                b["index"], b["prev_hash"], b["nonce"], b["data"]
            ):
                return False
            if rule != "difficulty" and not b["hash"].startswith("0x" + "0" * difficulty):
                return False
        return True

    return validate


def test_validate_full_marks_for_the_reference_and_another_way():
    assert score(VALIDATE, validate_reference) == get_exercise(VALIDATE).points == 8
    assert score(VALIDATE, validate_other_way) == 8


@pytest.mark.parametrize(
    "rule, failed",
    [
        ("genesis", ["a chain that does not start at the genesis block is caught"]),
        ("link", ["a changed and re-mined block breaks the next block's link"]),
        ("index", ["block numbers must count up by one"]),
        ("difficulty", ["a block that does not meet the difficulty is caught"]),
        (
            "hash",
            [
                "a block whose data changed (hash left as it was) is caught",
                "honest chains are valid, any edit to any block is caught",
            ],
        ),
    ],
)
def test_validate_forgetting_one_rule_loses_only_its_checks(rule, failed):
    points, titles = outcome(VALIDATE, without(rule))
    assert titles == failed
    assert points == 8 - sum(c.points for c in get_exercise(VALIDATE).checks if c.title in failed)


def test_validate_always_true_earns_only_the_honest_chain():
    assert score(VALIDATE, lambda blocks, difficulty: True) == 1


def test_validate_truthy_non_bool_answers_earn_nothing():
    assert (
        score(
            VALIDATE, lambda blocks, difficulty: 1 if validate_reference(blocks, difficulty) else 0
        )
        == 0
    )


def test_validate_stub_and_wrong_type_score_zero():
    no_crash(VALIDATE, stub)
    no_crash(VALIDATE, True)


# --- merkle-root ----------------------------------------------------------------------------


def root_reference(leaves):
    level = [keccak(leaf) for leaf in leaves]
    while len(level) > 1:
        pairs = [keccak(level[i] + level[i + 1]) for i in range(0, len(level) - 1, 2)]
        if len(level) % 2 == 1:
            pairs.append(level[-1])
        level = pairs
    return "0x" + level[0].hex()


def root_recursive(leaves):
    """Split at the largest power of two below n: the same tree, built top-down."""

    def node(hashes):
        if len(hashes) == 1:
            return hashes[0]
        size = 1
        while size * 2 < len(hashes):
            size *= 2
        return keccak(node(hashes[:size]) + node(hashes[size:]))

    return "0x" + node([keccak(leaf) for leaf in leaves]).hex().upper()


def root_duplicating_the_odd_one(leaves):  # Bitcoin's way
    level = [keccak(leaf) for leaf in leaves]
    while len(level) > 1:
        if len(level) % 2:
            level.append(level[-1])
        level = [keccak(level[i] + level[i + 1]) for i in range(0, len(level), 2)]
    return "0x" + level[0].hex()


def root_hashing_hex_text(leaves):
    level = [keccak(leaf).hex() for leaf in leaves]
    while len(level) > 1:
        pairs = [keccak(text=level[i] + level[i + 1]).hex() for i in range(0, len(level) - 1, 2)]
        if len(level) % 2 == 1:
            pairs.append(level[-1])
        level = pairs
    return "0x" + level[0]


def root_no_0x(leaves):
    return root_reference(leaves)[2:]


def test_root_full_marks_for_the_reference_and_another_way():
    assert score(ROOT, root_reference) == get_exercise(ROOT).points == 8
    assert score(ROOT, root_recursive) == 8


def test_root_duplicating_the_odd_leaf_loses_the_odd_checks():
    assert outcome(ROOT, root_duplicating_the_odd_one) == (
        4,
        [
            "three leaves: the odd one out moves up unchanged",
            "any list of 1 to 12 leaves",
            "33 leaves: odd levels all the way up",
        ],
    )


def test_root_hashing_hex_text_keeps_only_format_and_one_leaf():
    assert score(ROOT, root_hashing_hex_text) == 2


def test_root_without_0x_loses_only_the_format_point():
    assert outcome(ROOT, root_no_0x) == (7, ["returns a hash: 0x followed by 64 hex digits"])


def test_root_stub_and_wrong_type_score_zero():
    no_crash(ROOT, stub)
    no_crash(ROOT, "0x00")


# --- verify-proof ---------------------------------------------------------------------------


def proof_reference(leaf, proof, root):
    current = keccak(leaf)
    for step in proof:
        sibling = bytes.fromhex(step["hash"][2:])
        pair = sibling + current if step["side"] == "left" else current + sibling
        current = keccak(pair)
    return "0x" + current.hex() == root.lower()


def proof_other_way(leaf, proof, root):
    from functools import reduce

    def up(current, step):
        pair = (step["hash"], current) if step["side"] == "left" else (current, step["hash"])
        return "0x" + keccak(b"".join(bytes.fromhex(h[2:]) for h in pair)).hex()

    return reduce(up, proof, "0x" + keccak(leaf).hex()).lower() == root.lower()


def proof_ignoring_sides(leaf, proof, root):
    current = keccak(leaf)
    for step in proof:
        current = keccak(current + bytes.fromhex(step["hash"][2:]))
    return "0x" + current.hex() == root


def proof_leaf_not_hashed(leaf, proof, root):
    current = leaf
    for step in proof:
        sibling = bytes.fromhex(step["hash"][2:])
        current = keccak(sibling + current) if step["side"] == "left" else keccak(current + sibling)
    return "0x" + current.hex() == root


def test_proof_full_marks_for_the_reference_and_another_way():
    assert score(PROOF, proof_reference) == get_exercise(PROOF).points == 7
    assert score(PROOF, proof_other_way) == 7


def test_proof_ignoring_sides_keeps_only_the_false_cases():
    assert outcome(PROOF, proof_ignoring_sides) == (
        3,
        [
            "a genuine proof verifies",
            "the side of each sibling matters",
            "genuine proofs verify and a changed leaf fails, in trees of 1 to 12 leaves",
        ],
    )


def test_proof_with_the_leaf_not_hashed_keeps_only_the_false_cases():
    assert score(PROOF, proof_leaf_not_hashed) == 2


def test_proof_always_true_earns_only_the_true_cases():
    assert score(PROOF, lambda leaf, proof, root: True) == 2


def test_proof_stub_and_wrong_type_score_zero():
    no_crash(PROOF, stub)
    no_crash(PROOF, [])


@pytest.mark.parametrize("exercise_id", [MINE, VALIDATE, ROOT, PROOF])
def test_every_exercise_has_hints_and_a_hidden_check(exercise_id):
    ex = get_exercise(exercise_id)
    assert len(ex.hints) >= 2
    assert any(c.hidden for c in ex.checks) and sum(not c.hidden for c in ex.checks) >= 3
