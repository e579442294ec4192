"""Lesson 12's checks: the references and differently written answers earn full marks, each
typical mistake loses exactly the points of its own checks, stubs score 0 without raising — and
each budget sits honestly between the wasteful starter and the reference.

How the budgets were derived: the starter's and the reference's gas over each workload were
measured on the lab chain, with and without the optimizer (the figures in the budget test's
table). Each budget lies between the reference and the starter *with* ``--optimize``, far enough
from both that the lesson's main technique is needed (the optimizer alone is not enough) and a
correct answer written differently from the reference still fits:
- Roster 450,000: reference 395,310; packing into two slots instead of one costs ~100,000 more
  (five joins, a fresh slot each of 20,000) and fails; the starter uses 687,343 optimised.
- Stats 200,000: reference 185,602; calldata alone or caching count, sum and max alone each
  come to ~203,500 and fail; both, or either one with --optimize (~187,000), fit; the starter
  uses 219,739 optimised.
- Guestbook 800,000 (deployment included): reference 623,767; the entries must leave storage,
  and the starter uses 1,257,190 optimised.
"""

from __future__ import annotations

import importlib.util

import pytest
from lessonkit import (
    REPO,
    compiled,
    failed,
    from_file,
    graded,
    no_crash,
    outcome,
    solidity,
    variant,
)

import sollab
from sollab.grading import CheckContext, Unfinished, fresh_registry, get_exercise

LESSON = "12-gas"
ROSTER, STATS, GUESTBOOK = f"{LESSON}/roster", f"{LESSON}/stats", f"{LESSON}/guestbook"


def _grader_module():
    """graders/12_gas.py as a module (its workloads and figures), without registering twice."""
    with fresh_registry():
        spec = importlib.util.spec_from_file_location("grader_12_gas", REPO / "graders/12_gas.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    return module


G = _grader_module()


def optimised(folder: str, name: str):
    return sollab.compile_source(
        solidity(folder, LESSON, name), f"{name}.sol", base=REPO, optimize=True
    )[name]


def workload_gas(exercise_id: str, workload, artifact, chain) -> int:
    with chain.anchor():
        return workload(CheckContext(get_exercise(exercise_id), artifact, chain))


# --- the budgets ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("exercise_id", "name", "workload", "budget", "reference"),
    [
        (ROSTER, "Roster", "roster_workload", G.ROSTER_BUDGET, G.ROSTER_REFERENCE),
        (STATS, "Stats", "stats_workload", G.STATS_BUDGET, G.STATS_REFERENCE),
        (GUESTBOOK, "Guestbook", "guestbook_workload", G.GUESTBOOK_BUDGET, G.GUESTBOOK_REFERENCE),
    ],
)
def test_each_budget_lies_between_the_starter_and_the_reference(
    module_chain, exercise_id, name, workload, budget, reference
):
    """starter > budget >= reference, with and without the optimizer, and the reference figure
    the messages quote is the reference's measured one."""
    run = getattr(G, workload)
    figures = {
        (folder, opt): workload_gas(
            exercise_id,
            run,
            optimised(folder, name) if opt else from_file(folder, LESSON, name),
            module_chain,
        )
        for folder in ("contracts", "solutions")
        for opt in (False, True)
    }
    assert figures[("solutions", False)] == reference, figures
    assert min(figures[("contracts", False)], figures[("contracts", True)]) > budget, figures
    assert budget >= max(figures[("solutions", False)], figures[("solutions", True)]), figures
    # the same contract measures the same on another chain: the figures are deterministic
    again = workload_gas(exercise_id, run, from_file("solutions", LESSON, name), sollab.Chain())
    assert again == reference


# --- Roster -----------------------------------------------------------------------------------

ROSTER_BITS = """\
// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// Written another way: each member packed by hand into one uint256.
contract Roster {
    mapping(address => uint256) private _packed; // referrer, joinedAt, level, 1
    uint256 public memberCount;

    event Joined(address indexed member, address indexed referrer, uint8 level);
    event Promoted(address indexed member, uint8 level);

    function join(address referrer, uint8 level) external {
        require(_packed[msg.sender] >> 232 == 0, "member");
        _packed[msg.sender] = uint256(uint160(referrer)) | (block.timestamp << 160)
            | (uint256(level) << 224) | (1 << 232);
        memberCount++;
        emit Joined(msg.sender, referrer, level);
    }

    function promote() external {
        uint256 p = _packed[msg.sender];
        require(p >> 232 == 1, "not a member");
        uint8 level = uint8(p >> 224);
        require(level < 255, "top");
        _packed[msg.sender] = p + (1 << 224);
        emit Promoted(msg.sender, level + 1);
    }

    function member(address who) external view returns (bool, uint256, address, uint8) {
        uint256 p = _packed[who];
        return (p >> 232 == 1, uint64(p >> 160), address(uint160(p)), uint8(p >> 224));
    }
}
"""


@pytest.fixture(scope="module")
def rosters():
    return {
        "reference": from_file("solutions", LESSON, "Roster"),
        "by-hand": compiled(ROSTER_BITS, "Roster"),
        "two-slots": variant(
            LESSON,
            "Roster",
            "        address referrer;\n        uint64 joinedAt;",
            "        address referrer;\n        uint256 joinedAt;",
            "uint64(block.timestamp)",
            "block.timestamp",
        ),
        "wraps-at-255": variant(
            LESSON, "Roster", "if (level == type(uint8).max) revert TopLevel(msg.sender);", ""
        ),
        "block-number": variant(
            LESSON, "Roster", "uint64(block.timestamp)", "uint64(block.number)"
        ),
        "silent-promote": variant(LESSON, "Roster", "emit Promoted(msg.sender, level);", ""),
        "joins-twice": variant(
            LESSON,
            "Roster",
            "if (_members[msg.sender].active) revert AlreadyMember(msg.sender);",
            "",
        ),
    }


def test_roster_reference_and_one_packed_by_hand_earn_full_marks(rosters, module_chain):
    reference = graded(ROSTER, rosters["reference"], module_chain)
    assert (float(reference), failed(reference)) == (11, [])
    assert reference.results[-1].message == (  # a passing budget check still gives the figures
        f"your workload used {G.ROSTER_REFERENCE:,} gas; the budget is 450,000; "
        f"the reference uses {G.ROSTER_REFERENCE:,}"
    )
    assert outcome(ROSTER, rosters["by-hand"], module_chain) == (11, [])


def test_the_roster_starter_works_and_fails_only_its_budget_saying_by_how_much(module_chain):
    result = graded(ROSTER, from_file("contracts", LESSON, "Roster"), module_chain)
    assert (float(result), failed(result)) == (8, [result.results[-1].title])
    assert result.results[-1].message.startswith(
        "expected your workload to use at most 450,000 gas (the budget; the reference uses "
        "395,310); got 692,574 gas, 242,574 over (hint: "
    )


@pytest.mark.parametrize(
    ("mistake", "points", "lost"),
    [
        ("two-slots", 8, ["five joins and four promotions use at most 450,000 gas"]),
        ("wraps-at-255", 10, ["a member at level 255 cannot be promoted"]),
        (
            "block-number",
            7,
            [
                "join() records the member, counts it and emits Joined",
                "any members, referrers, levels and promotions read back as the starter's would",
            ],
        ),
        (
            "silent-promote",
            9,
            ["promote() raises a member one level and emits Promoted; others revert"],
        ),
        ("joins-twice", 10, ["joining twice reverts and changes nothing"]),
    ],
)
def test_each_roster_mistake_loses_only_its_checks(rosters, module_chain, mistake, points, lost):
    assert outcome(ROSTER, rosters[mistake], module_chain) == (points, lost)


# --- Stats ------------------------------------------------------------------------------------

STATS_OTHER = """\
// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// Written another way: the samples stay in memory, a while loop, every variable written back
/// (compiled with the optimizer, which makes up for the copy into memory).
contract Stats {
    uint256 public count;
    uint256 public sum;
    uint256 public max;

    function record(uint256[] memory samples) public {
        require(samples.length != 0);
        (uint256 c, uint256 s, uint256 m) = (count, sum, max);
        uint256 i = samples.length;
        while (i != 0) {
            unchecked { --i; ++c; }
            s += samples[i];
            if (samples[i] > m) m = samples[i];
        }
        (count, sum, max) = (c, s, m);
    }

    function mean() public view returns (uint256) {
        return count == 0 ? 0 : sum / count;
    }
}
"""


@pytest.fixture(scope="module")
def stats():
    return {
        "reference": from_file("solutions", LESSON, "Stats"),
        "other": sollab.compile_source(STATS_OTHER, "Stats.sol", optimize=True)["Stats"],
        "calldata-only": variant(
            LESSON,
            "Stats",
            "        uint256 total = sum;\n        uint256 highest = max;\n",
            "",
            "total += sample;",
            "sum += sample;",
            "if (sample > highest) highest = sample;",
            "if (sample > max) max = sample;",
            "        sum = total;\n        if (highest != max) max = highest;\n",
            "",
        ),
        "unchecked-sum": variant(
            LESSON,
            "Stats",
            "total += sample; // checked",
            "unchecked { total += sample; } //",
        ),
        "max-forgotten": variant(LESSON, "Stats", "if (highest != max) max = highest;", ""),
        "empty-allowed": variant(LESSON, "Stats", "if (n == 0) revert NoSamples();", ""),
    }


def test_stats_reference_and_another_correct_answer_earn_full_marks(stats, module_chain):
    assert outcome(STATS, stats["reference"], module_chain) == (9, [])
    assert outcome(STATS, stats["other"], module_chain) == (9, [])


@pytest.mark.parametrize(
    ("mistake", "points", "lost"),
    [
        ("calldata-only", 6, ["three record() calls use at most 200,000 gas"]),
        ("unchecked-sum", 8, ["a sum that would overflow reverts and keeps the statistics"]),
        ("empty-allowed", 8, ["record([]) reverts and changes nothing"]),
        (
            "max-forgotten",
            0,  # a contract that no longer works has no budget to meet either
            [
                "record() adds its samples to count, sum and max; mean() divides",
                "record([]) reverts and changes nothing",
                "any batches of samples give the count, sum, max and mean Python computes",
                "a sum that would overflow reverts and keeps the statistics",
                "three record() calls use at most 200,000 gas",
            ],
        ),
    ],
)
def test_each_stats_mistake_loses_only_its_checks(stats, module_chain, mistake, points, lost):
    assert outcome(STATS, stats[mistake], module_chain) == (points, lost)


# --- Guestbook --------------------------------------------------------------------------------


GUESTBOOK_STRINGS = """\
// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// Written another way: the starter without its array, its long messages kept (compiled with
/// the optimizer to fit the budget).
contract Guestbook {
    uint256 public constant MAX_LENGTH = 140;
    uint256 public entries;
    mapping(address => uint256) public signatures;

    event Signed(address indexed author, uint256 indexed number, string text);

    function sign(string memory text) public {
        require(
            bytes(text).length > 0, "Guestbook: an empty message cannot be signed, write something"
        );
        require(
            bytes(text).length <= MAX_LENGTH,
            "Guestbook: the message is too long, it may be at most 140 bytes of UTF-8"
        );
        entries = entries + 1;
        signatures[msg.sender] = signatures[msg.sender] + 1;
        emit Signed(msg.sender, entries, text);
    }
}
"""


@pytest.fixture(scope="module")
def guestbooks():
    return {
        "reference": from_file("solutions", LESSON, "Guestbook"),
        "strings-optimised": sollab.compile_source(
            GUESTBOOK_STRINGS, "Guestbook.sol", optimize=True
        )["Guestbook"],
        "strings": compiled(GUESTBOOK_STRINGS, "Guestbook"),
        "kept-in-storage": variant(
            LESSON,
            "Guestbook",
            "    uint256 private _count;\n",
            "    uint256 private _count;\n    string[] private _texts;\n",
            "        _count = number;\n",
            "        _count = number;\n        _texts.push(text);\n",
        ),
        "numbered-from-0": variant(
            LESSON,
            "Guestbook",
            "emit Signed(msg.sender, number, text);",
            "emit Signed(msg.sender, number - 1, text);",
        ),
        "empty-allowed": variant(LESSON, "Guestbook", "length == 0 || ", ""),
    }


def test_guestbook_reference_and_the_starter_without_storage_optimised_earn_full_marks(
    guestbooks, module_chain
):
    assert outcome(GUESTBOOK, guestbooks["reference"], module_chain) == (9, [])
    assert outcome(GUESTBOOK, guestbooks["strings-optimised"], module_chain) == (9, [])


@pytest.mark.parametrize(
    ("mistake", "points", "lost"),
    [
        ("kept-in-storage", 6, ["deploying and six signatures use at most 800,000 gas"]),
        ("empty-allowed", 8, ["an empty or too long message reverts; 140 bytes is fine"]),
        (
            "numbered-from-0",
            5,
            [
                "sign() emits Signed and counts entries() and signatures()",
                "any message of 1 to 140 bytes comes back in its Signed event as sent",
            ],
        ),
    ],
)
def test_each_guestbook_mistake_loses_only_its_checks(
    guestbooks, module_chain, mistake, points, lost
):
    assert outcome(GUESTBOOK, guestbooks[mistake], module_chain) == (points, lost)


# --- stubs ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("exercise_id", "name"), [(ROSTER, "Roster"), (STATS, "Stats"), (GUESTBOOK, "Guestbook")]
)
def test_stubs_and_wrong_types_score_zero_without_a_crash(module_chain, exercise_id, name):
    unfinished = Unfinished(name, "its cell still says `// YOUR CODE HERE`")
    no_crash(exercise_id, unfinished, module_chain)
    no_crash(exercise_id, 42, module_chain)


# --- the notebook measures what the grader measures ------------------------------------------


def test_the_notebooks_workloads_are_the_graders():
    """The lesson shows each workload in Python for the learner to run; run those cells and
    check that they measure the starters and the references exactly as the budget checks do."""
    import contextlib
    import io
    import json

    notebook = json.loads((REPO / "solutions" / LESSON / f"{LESSON}.ipynb").read_text())
    cells = ["".join(c["source"]) for c in notebook["cells"] if c["cell_type"] == "code"]
    wanted = ("alice, bob", "def roster_workload", "def stats_workload", "def guestbook_workload")
    namespace = {"lab": sollab}
    with sollab.chain.anchor(), contextlib.redirect_stdout(io.StringIO()):
        for cell in cells:
            if any(piece in cell for piece in wanted) or "Starter = lab.ContractFactory" in cell:
                exec(compile(cell, "<lesson cell>", "exec"), namespace)
        for name, workload, starter, reference in [
            ("Roster", "roster_workload", 692_574, G.ROSTER_REFERENCE),
            ("Stats", "stats_workload", 243_523, G.STATS_REFERENCE),
            ("Guestbook", "guestbook_workload", 1_542_663, G.GUESTBOOK_REFERENCE),
        ]:
            run = namespace[workload]
            assert run(namespace[f"{name}Starter"]).total() == starter, name
            answer = sollab.ContractFactory(from_file("solutions", LESSON, name), sollab.get_chain)
            assert run(answer).total() == reference, name


def test_sollab_grade_measures_the_contract_with_the_learners_own_settings(module_chain):
    """A class grade recompiles each contract from the notebook's compiler input: an answer the
    learner compiled with --optimize is measured optimised there too, as in the notebook."""
    from sollab import wire
    from sollab.classgrade import _rebuild

    answer = optimised("solutions", "Stats")
    in_notebook = graded(STATS, answer, module_chain).results[-1].message
    in_class = graded(STATS, wire.decode(wire.encode(answer), contract=_rebuild), module_chain)
    assert in_class.results[-1].message == in_notebook
    assert in_notebook.startswith("your workload used 178,298 gas; the budget is 200,000")
