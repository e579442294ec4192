"""Lesson 14's checks: the reference Crowdfund and one written another way (OpenZeppelin's
SafeERC20 and ReentrancyGuard, require strings, a state function) earn full marks; each typical
campaign mistake loses exactly its own checks' points; a test suite written another way catches
every mutant and each gap in a suite costs exactly its mutant (the notebook's own suite is
graded by tests/test_lessons.py); the page's transactions are graded by running them; stubs and
wrong types score 0 without raising."""

from __future__ import annotations

import nbformat
import pytest
from eth_abi import encode
from eth_utils import function_signature_to_4byte_selector, to_checksum_address
from lessonkit import REPO, compiled, from_file, no_crash, outcome, stub, variant

import sollab as lab

LESSON = "14-capstone-dapp"
CROWDFUND, TESTS, FRONT_END = f"{LESSON}/crowdfund", f"{LESSON}/tests", f"{LESSON}/front-end"
NOTEBOOK = REPO / "solutions" / LESSON / f"{LESSON}.ipynb"

PLEDGE = "pledge() pulls the tokens, records them and emits Pledged"
LATE = "no pledges once the deadline has passed"
EDGE = "the deadline itself is too late; a second before is not"
CLAIM = "claim(): only the creator, only after the deadline, only if the goal was met"
MILESTONES = "milestones pay totalPledged / milestones, the last one the rest"
REFUND = "refunds: when the goal was missed, each backer gets back exactly their pledge"
QUIET = "a token that says no with false: the pledge is not recorded"
HOSTILE = "a token that calls refund() back cannot be refunded twice"


def solution_function(grade_id: str):
    """The function the instructor notebook's solution cell ``grade_id`` defines."""
    nb = nbformat.read(NOTEBOOK, as_version=4)
    (cell,) = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id]
    namespace = {"lab": lab, "encode": encode}
    from eth_utils import keccak

    namespace["keccak"] = keccak
    exec(compile(cell.source, f"<{grade_id}>", "exec"), namespace)
    return namespace


# --- the campaign -----------------------------------------------------------------------------

OTHER_WAY = """\
// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";

/// Written another way: SafeERC20, a reentrancy guard, require strings, the phase as a function,
/// and the last milestone paid from the token balance.
contract Crowdfund is ReentrancyGuard {
    using SafeERC20 for IERC20;

    enum Phase { Open, Succeeded, Failed }

    IERC20 public token;
    address public creator;
    uint256 public goal;
    uint256 public deadline;
    uint256 public milestones;
    uint256 public totalPledged;
    uint256 public paidMilestones;
    mapping(address => uint256) public pledgeOf;

    event Pledged(address indexed who, uint256 value);
    event Claimed(uint256 indexed number, uint256 value);
    event Refunded(address indexed who, uint256 value);

    constructor(address token_, uint256 goal_, uint256 duration, uint256 milestones_) {
        require(milestones_ > 0, "no milestones");
        (token, creator, goal, milestones) = (IERC20(token_), msg.sender, goal_, milestones_);
        deadline = block.timestamp + duration;
    }

    function phase() public view returns (Phase) {
        if (block.timestamp < deadline) return Phase.Open;
        return totalPledged >= goal ? Phase.Succeeded : Phase.Failed;
    }

    function pledge(uint256 amount) external nonReentrant {
        require(phase() == Phase.Open, "closed");
        require(amount > 0, "nothing");
        token.safeTransferFrom(msg.sender, address(this), amount);
        pledgeOf[msg.sender] += amount;
        totalPledged += amount;
        emit Pledged(msg.sender, amount);
    }

    function claim() external nonReentrant {
        require(msg.sender == creator, "not the creator");
        require(phase() == Phase.Succeeded, "not succeeded");
        require(paidMilestones < milestones, "all paid");
        paidMilestones++;
        uint256 amount = paidMilestones < milestones
            ? totalPledged / milestones
            : token.balanceOf(address(this));
        token.safeTransfer(creator, amount);
        emit Claimed(paidMilestones, amount);
    }

    function refund() external nonReentrant {
        require(phase() == Phase.Failed, "not failed");
        uint256 amount = pledgeOf[msg.sender];
        require(amount > 0, "nothing to refund");
        delete pledgeOf[msg.sender];
        token.safeTransfer(msg.sender, amount);
        emit Refunded(msg.sender, amount);
    }
}
"""


def _campaign(*edits: str):
    return variant(LESSON, "Crowdfund", *edits)


MISTAKES = {
    "the deadline itself still open": (
        ("if (block.timestamp >= deadline) revert", "if (block.timestamp > deadline) revert"),
        [EDGE],
    ),
    "the bool of transferFrom ignored": (
        (
            "if (!token.transferFrom(msg.sender, address(this), amount)) {",
            "token.transferFrom(msg.sender, address(this), amount);\n        if (false) {",
        ),
        [QUIET],
    ),
    "the last milestone leaves the remainder behind": (
        ("? totalPledged - released", "? totalPledged / milestones"),
        [MILESTONES],
    ),
    "Pledged announces the running total": (
        ("emit Pledged(msg.sender, amount);", "emit Pledged(msg.sender, totalPledged);"),
        [PLEDGE],
    ),
    "the refund paid before the pledge is zeroed": (
        (
            "pledgeOf[msg.sender] = 0; // effects before the interaction: a second call finds 0\n"
            "        _pay(msg.sender, amount);",
            "_pay(msg.sender, amount);\n        pledgeOf[msg.sender] = 0;",
        ),
        [HOSTILE],
    ),
}


@pytest.fixture(scope="module")
def campaigns():
    return {
        "reference": from_file("solutions", LESSON, "Crowdfund"),
        "other way": compiled(OTHER_WAY, "Crowdfund"),
    }


@pytest.mark.parametrize("name", ["reference", "other way"])
def test_correct_campaigns_earn_full_marks(campaigns, name, module_chain):
    assert outcome(CROWDFUND, campaigns[name], module_chain) == (16, [])


@pytest.mark.parametrize("mistake", list(MISTAKES))
def test_each_campaign_mistake_loses_exactly_its_checks(mistake, module_chain):
    edit, lost = MISTAKES[mistake]
    result = outcome(CROWDFUND, _campaign(*edit), module_chain)
    assert result[1] == lost, result


def test_the_starter_and_wrong_types_score_zero_quietly(module_chain):
    starter = compiled(
        "// SPDX-License-Identifier: MIT\npragma solidity ^0.8.24;\n\ncontract Crowdfund {\n}\n",
        "Crowdfund",
    )
    no_crash(CROWDFUND, starter, module_chain)
    no_crash(CROWDFUND, 42, module_chain)


def test_the_notebook_cell_is_the_reference_file():
    """The mutants are made from solutions/.../Crowdfund.sol: it must be the notebook's answer."""
    nb = nbformat.read(NOTEBOOK, as_version=4)
    (cell,) = [
        c for c in nb.cells
        if c.metadata.get("nbgrader", {}).get("grade_id") == "crowdfund-solution"
    ]  # fmt: skip
    body = "\n".join(
        line for line in cell.source.splitlines()[1:] if "### BEGIN" not in line
        and "### END" not in line
    )  # fmt: skip
    assert body.strip() == (REPO / "solutions" / LESSON / "Crowdfund.sol").read_text().strip()


# --- the learner's tests ----------------------------------------------------------------------


def _suite(skip: set[str] = frozenset()):
    """A test suite written another way than the notebook's: one campaign per rule; ``skip``
    leaves rules out, as a learner's gaps would."""

    def test(Crowdfund, Token):
        a, b, c_, e = lab.accounts.alice, lab.accounts.bob, lab.accounts.carol, lab.accounts.eve
        tok = Token.deploy("T", "T", 10_000, sender=a)
        tok.transfer(b, 2000, sender=a)
        tok.transfer(c_, 2000, sender=a)

        def fresh(goal, milestones=2):
            return Crowdfund.deploy(tok.address, goal, 100, milestones, sender=e)

        def give(c, who, n):
            tok.approve(c, n, sender=who)
            return c.pledge(n, sender=who)

        if "events" not in skip:
            with lab.chain.anchor():
                c = fresh(10)
                give(c, b, 5)
                (event,) = give(c, b, 7).events_named("Pledged")
                assert event["amount"] == 7
        if "deadline" not in skip:
            with lab.chain.anchor():
                c = fresh(10)
                tok.approve(c, 5, sender=b)
                lab.chain.time_travel(to=c.deadline())
                with lab.reverts():
                    c.pledge(5, sender=b)
        with lab.chain.anchor():
            c = fresh(10, milestones=2)
            give(c, b, 11)
            lab.chain.time_travel(to=c.deadline())
            with lab.reverts():
                c.claim(sender=b)
            with lab.reverts():
                c.refund(sender=b)
            c.claim(sender=e)
            c.claim(sender=e)
            assert tok.balanceOf(e) == 11
        with lab.chain.anchor():
            c = fresh(1000)
            give(c, b, 40)
            give(c, c_, 60)
            lab.chain.time_travel(to=c.deadline())
            with lab.reverts():
                c.claim(sender=e)
            c.refund(sender=b)
            with lab.reverts():
                c.refund(sender=b)
            assert tok.balanceOf(c) == 60

    return test


def _fails_on_correct(Crowdfund, Token):
    c = Crowdfund.deploy(Token.deploy("T", "T", 10, sender=lab.accounts.alice).address, 1, 1, 1)
    assert c.totalPledged() == 1  # wrong: nothing was pledged


def test_a_suite_written_another_way_catches_every_mutant(module_chain):
    assert outcome(TESTS, _suite(), module_chain) == (7, [])


@pytest.mark.parametrize(
    "gap, missed",
    [("deadline", ["catches a bug in when pledges are accepted"])],
)
def test_each_gap_in_a_suite_costs_its_mutant(gap, missed, module_chain):
    assert outcome(TESTS, _suite({gap}), module_chain)[1] == missed


def test_suites_that_fail_on_the_correct_campaign_or_are_not_written_score_zero(module_chain):
    result = no_crash(TESTS, _fails_on_correct, module_chain)
    assert "pass on a correct Crowdfund" in result.results[0].message
    assert "AssertionError" in result.results[0].message
    no_crash(TESTS, stub, module_chain)
    no_crash(TESTS, "not a function", module_chain)


# --- the page's transactions ------------------------------------------------------------------


def _other_pledge_calls(token, campaign, backer, amount):
    """Written another way: checksummed addresses, tuples, the selector from eth_utils."""

    def data(signature, types, args):
        return "0x" + (function_signature_to_4byte_selector(signature) + encode(types, args)).hex()

    who = to_checksum_address(backer)
    return (
        {"from": who, "to": to_checksum_address(token), "value": 0,
         "data": data("approve(address,uint256)", ("address", "uint256"), (campaign, amount))},
        {"from": who, "to": to_checksum_address(campaign),
         "data": data("pledge(uint256)", ("uint256",), (amount,))},
    )  # fmt: skip


def _greedy(token, campaign, backer, amount):
    txs = _other_pledge_calls(token, campaign, backer, amount * 2)
    return [txs[0], _other_pledge_calls(token, campaign, backer, amount)[1]]


def _bytes_data(token, campaign, backer, amount):
    return [{**tx, "data": bytes.fromhex(tx["data"][2:])} for tx in _other_pledge_calls(
        token, campaign, backer, amount)]  # fmt: skip


def test_the_page_transactions_earn_full_marks(module_chain):
    reference = solution_function("front-end-solution")["pledge_calls"]
    assert outcome(FRONT_END, reference, module_chain) == (5, [])
    assert outcome(FRONT_END, _other_pledge_calls, module_chain) == (5, [])


def test_approving_too_much_loses_only_that_check(module_chain):
    assert outcome(FRONT_END, _greedy, module_chain)[1] == [
        "approves exactly the amount: nothing stays approved"
    ]


def test_data_as_bytes_loses_the_checks_that_send_it(module_chain):
    score, lost = outcome(FRONT_END, _bytes_data, module_chain)
    assert score == 1 and "returns the transactions as a list of dicts" not in " ".join(lost)


def test_stubs_and_wrong_answers_score_zero_quietly(module_chain):
    no_crash(FRONT_END, stub, module_chain)
    no_crash(FRONT_END, lambda *args: "0x1234", module_chain)
    no_crash(FRONT_END, lambda *args: [{"from": 1}], module_chain)
