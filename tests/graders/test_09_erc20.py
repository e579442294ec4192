"""Lesson 09's checks: the reference answers, an OpenZeppelin token, a token that says no with
false and other differently written answers earn full marks; each broken transfer, approve or
transferFrom (and each typical vault and role mistake) loses exactly its own checks' points; the
starters and wrong types score 0 without raising; `sollab check ... --source Token.sol` works."""

from __future__ import annotations

import nbformat
import pytest
from lessonkit import REPO, compiled, from_file, graded, no_crash, outcome, solidity, variant

from sollab.cli import main

LESSON = "09-erc20"
TOKEN, VAULT, ROLES = f"{LESSON}/token", f"{LESSON}/vault", f"{LESSON}/roles"

# --- the token --------------------------------------------------------------------------------

TOKEN_OZ = """\
// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// Written another way: OpenZeppelin's ERC20, nothing added.
import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

contract Token is ERC20 {
    constructor(string memory name_, string memory symbol_, uint256 initialSupply)
        ERC20(name_, symbol_)
    {
        _mint(msg.sender, initialSupply);
    }
}
"""

PROPERTY = "transfer() moves tokens, returns true and emits Transfer"
ZERO = "a transfer of 0 is a normal transfer and fires Transfer"
OVERSPEND = "a transfer beyond your balance is refused"
APPROVE = "approve() sets the allowance, replacing the old one, and emits Approval"
SPEND = "transferFrom() moves the owner's tokens and spends the allowance"
OVER_ALLOWANCE = "transferFrom() beyond the allowance is refused"
OVER_BALANCE = "transferFrom() beyond the owner's balance is refused"
SELF = "sending tokens to yourself changes no balance"

MOVE = """\
        uint256 balance = balanceOf[from];
        if (balance < value) revert InsufficientBalance(from, balance, value);
        balanceOf[from] = balance - value;
        balanceOf[to] += value;
"""


def _token(*edits: str):
    return variant(LESSON, "Token", *edits)


@pytest.fixture(scope="module")
def tokens():
    return {
        "reference": from_file("solutions", LESSON, "Token"),
        "openzeppelin": compiled(TOKEN_OZ, "Token"),
        "quiet": from_file("contracts", LESSON, "QuietToken"),
        "decimals-6": _token("decimals = 18", "decimals = 6"),
        "no-mint-event": _token("emit Transfer(address(0), msg.sender, initialSupply);", ""),
        "unindexed": _token(
            "event Transfer(address indexed from, address indexed to, uint256 value);",
            "event Transfer(address from, address to, uint256 value);",
        ),
        "no-transfer-event": _token("        emit Transfer(from, to, value);\n", ""),
        "transfer-returns-false": _token(
            "        _move(msg.sender, to, value);\n        return true;",
            "        _move(msg.sender, to, value);",
        ),
        "no-zero-transfers": _token(
            "        _move(msg.sender, to, value);",
            '        require(value > 0, "nothing to send");\n        _move(msg.sender, to, value);',
        ),
        "unchecked-balance": _token(
            MOVE,
            "        unchecked { balanceOf[from] -= value; }\n        balanceOf[to] += value;\n",
        ),
        "cached-balances": _token(
            MOVE,
            "        uint256 fromBalance = balanceOf[from];\n"
            "        uint256 toBalance = balanceOf[to];\n"
            "        if (fromBalance < value) "
            "revert InsufficientBalance(from, fromBalance, value);\n"
            "        balanceOf[from] = fromBalance - value;\n"
            "        balanceOf[to] = toBalance + value;\n",
        ),
        "approve-adds": _token(
            "allowance[msg.sender][spender] = value;", "allowance[msg.sender][spender] += value;"
        ),
        "allowance-not-spent": _token(
            "        allowance[from][msg.sender] = allowed - value;\n", ""
        ),
        "allowance-swapped": _token(
            "uint256 allowed = allowance[from][msg.sender];",
            "uint256 allowed = allowance[msg.sender][from];",
            "allowance[from][msg.sender] = allowed - value;",
            "allowance[msg.sender][from] = allowed - value;",
        ),
        "allowance-unchecked": _token(
            "        if (allowed < value) "
            "revert InsufficientAllowance(msg.sender, allowed, value);\n"
            "        allowance[from][msg.sender] = allowed - value;\n",
            "        unchecked { allowance[from][msg.sender] = allowed - value; }\n",
        ),
    }


@pytest.mark.parametrize("answer", ["reference", "openzeppelin", "quiet"])
def test_token_reference_openzeppelin_and_a_token_returning_false_earn_full_marks(
    tokens, answer, module_chain
):
    assert outcome(TOKEN, tokens[answer], module_chain) == (15, [])


@pytest.mark.parametrize(
    ("mistake", "points", "lost"),
    [
        ("decimals-6", 14, ["name(), symbol() and decimals() = 18"]),
        ("no-mint-event", 14, ["the constructor emits Transfer from address(0) to the deployer"]),
        ("unindexed", 14, ["Transfer and Approval are declared as EIP-20 says"]),
        ("no-transfer-event", 10, [PROPERTY, ZERO, SPEND]),
        ("transfer-returns-false", 12, [PROPERTY, ZERO]),
        ("no-zero-transfers", 14, [ZERO]),
        ("unchecked-balance", 13, [OVERSPEND, OVER_BALANCE]),
        ("cached-balances", 14, [SELF]),
        ("approve-adds", 13, [APPROVE]),
        ("allowance-not-spent", 13, [SPEND]),
        ("allowance-swapped", 13, [SPEND]),
        ("allowance-unchecked", 14, [OVER_ALLOWANCE]),
    ],
)
def test_each_broken_transfer_approve_or_transferfrom_loses_only_its_checks(
    tokens, mistake, points, lost, module_chain
):
    assert outcome(TOKEN, tokens[mistake], module_chain) == (points, lost)


def test_a_wrong_constructor_is_named_in_the_message(module_chain):
    result = graded(TOKEN, from_file("contracts", LESSON, "Token"), module_chain)
    assert float(result) == 0
    assert "constructor (string name, string symbol, uint256 initialSupply)" in (
        result.results[0].message
    )


def test_sollab_check_source_token_sol_grades_an_openzeppelin_token(tmp_path, capsys, monkeypatch):
    """The acceptance: `sollab check 09-erc20/token --source Token.sol` in a learner's folder."""
    (tmp_path / "Token.sol").write_text(TOKEN_OZ)
    monkeypatch.chdir(tmp_path)
    try:
        main(["check", TOKEN, "--source", "Token.sol"])
    except SystemExit as exc:  # it exits 1 unless full marks
        pytest.fail(f"sollab check exited with {exc.code}")
    assert "09-erc20/token — An EIP-20 token, from scratch: 15 / 15" in capsys.readouterr().out


# --- the vault --------------------------------------------------------------------------------

VAULT_OTHER = """\
// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// Written another way: SafeERC20 for the calls and a reentrancy guard instead of the order.
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";

contract TokenVault is ReentrancyGuard {
    using SafeERC20 for IERC20;

    IERC20 public immutable token;
    mapping(address => uint256) private _deposits;

    event Deposited(address indexed who, uint256 value);
    event Withdrawn(address indexed who, uint256 value);

    constructor(address token_) { token = IERC20(token_); }

    function depositOf(address who) external view returns (uint256) { return _deposits[who]; }

    function deposit(uint256 value) external nonReentrant {
        token.safeTransferFrom(msg.sender, address(this), value);
        _deposits[msg.sender] += value;
        emit Deposited(msg.sender, value);
    }

    function withdraw() external nonReentrant {
        uint256 value = _deposits[msg.sender];
        require(value > 0, "nothing deposited");
        token.safeTransfer(msg.sender, value);   // before the effect, but the guard holds
        delete _deposits[msg.sender];
        emit Withdrawn(msg.sender, value);
    }
}
"""

CEI = "a token that calls back into withdraw() cannot take more out"


@pytest.fixture(scope="module")
def vaults():
    def vault(*edits: str):
        return variant(LESSON, "TokenVault", *edits)

    return {
        "reference": from_file("solutions", LESSON, "TokenVault"),
        "other": compiled(VAULT_OTHER, "TokenVault"),
        "ignores-false": vault(
            "if (!token.transferFrom(msg.sender, address(this), amount)) revert "
            "TransferFailed(amount);",
            "token.transferFrom(msg.sender, address(this), amount);",
        ),
        "interaction-first": vault(
            "        depositOf[msg.sender] = 0; // effects\n"
            "        emit Withdrawn(msg.sender, amount);\n"
            "        if (!token.transfer(msg.sender, amount)) revert TransferFailed(amount); "
            "// interactions\n",
            "        if (!token.transfer(msg.sender, amount)) revert TransferFailed(amount);\n"
            "        depositOf[msg.sender] = 0;\n"
            "        emit Withdrawn(msg.sender, amount);\n",
        ),
        "overwrites-deposit": vault(
            "depositOf[msg.sender] += amount;", "depositOf[msg.sender] = amount;"
        ),
        "keeps-deposit": vault("        depositOf[msg.sender] = 0; // effects\n", ""),
    }


@pytest.mark.parametrize("answer", ["reference", "other"])
def test_vault_reference_and_a_safeerc20_guarded_vault_earn_full_marks(
    vaults, answer, module_chain
):
    assert outcome(VAULT, vaults[answer], module_chain) == (9, [])


@pytest.mark.parametrize(
    ("mistake", "points", "lost"),
    [
        ("ignores-false", 8, ["a token that says no with false: nothing is credited"]),
        ("interaction-first", 7, [CEI]),
        (
            "overwrites-deposit",
            8,
            ["deposits add up and leave the rest of the allowance approved"],
        ),
        ("keeps-deposit", 5, ["withdraw() returns all of your deposit and only yours", CEI]),
    ],
)
def test_each_vault_mistake_loses_only_its_checks(vaults, mistake, points, lost, module_chain):
    assert outcome(VAULT, vaults[mistake], module_chain) == (points, lost)


# --- roles ------------------------------------------------------------------------------------

ROLES_BY_HAND = """\
// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// Written another way: the ERC-20 and the roles by hand.
contract RewardToken {
    bytes32 public constant DEFAULT_ADMIN_ROLE = 0x00;
    bytes32 public constant MINTER_ROLE = keccak256("MINTER_ROLE");

    string public constant name = "Reward Points";
    string public constant symbol = "RWD";
    uint8 public constant decimals = 18;
    uint256 public totalSupply;
    mapping(address => uint256) public balanceOf;
    mapping(address => mapping(address => uint256)) public allowance;
    mapping(bytes32 => mapping(address => bool)) private _roles;

    event Transfer(address indexed from, address indexed to, uint256 value);
    event Approval(address indexed owner, address indexed spender, uint256 value);
    event RoleGranted(bytes32 indexed role, address indexed account, address indexed sender);
    event RoleRevoked(bytes32 indexed role, address indexed account, address indexed sender);

    modifier only(bytes32 role) {
        require(_roles[role][msg.sender], "missing role");
        _;
    }

    constructor() {
        _set(DEFAULT_ADMIN_ROLE, msg.sender, true);
        _set(MINTER_ROLE, msg.sender, true);
    }

    function hasRole(bytes32 role, address account) external view returns (bool) {
        return _roles[role][account];
    }
    function grantRole(bytes32 role, address account) external only(DEFAULT_ADMIN_ROLE) {
        _set(role, account, true);
    }
    function revokeRole(bytes32 role, address account) external only(DEFAULT_ADMIN_ROLE) {
        _set(role, account, false);
    }
    function mint(address to, uint256 value) external only(MINTER_ROLE) {
        totalSupply += value;
        balanceOf[to] += value;
        emit Transfer(address(0), to, value);
    }
    function burn(uint256 value) external {
        require(balanceOf[msg.sender] >= value, "burning more than you hold");
        balanceOf[msg.sender] -= value;
        totalSupply -= value;
        emit Transfer(msg.sender, address(0), value);
    }
    function transfer(address to, uint256 value) external returns (bool) {
        balanceOf[msg.sender] -= value;
        balanceOf[to] += value;
        emit Transfer(msg.sender, to, value);
        return true;
    }
    function approve(address spender, uint256 value) external returns (bool) {
        allowance[msg.sender][spender] = value;
        emit Approval(msg.sender, spender, value);
        return true;
    }
    function transferFrom(address from, address to, uint256 value) external returns (bool) {
        allowance[from][msg.sender] -= value;
        balanceOf[from] -= value;
        balanceOf[to] += value;
        emit Transfer(from, to, value);
        return true;
    }

    function _set(bytes32 role, address account, bool on) private {
        if (_roles[role][account] == on) return;
        _roles[role][account] = on;
        if (on) emit RoleGranted(role, account, msg.sender);
        else emit RoleRevoked(role, account, msg.sender);
    }
}
"""


def _by_hand(*edits: str):
    source = ROLES_BY_HAND
    for old, new in zip(edits[::2], edits[1::2], strict=True):
        assert old in source, old
        source = source.replace(old, new)
    return compiled(source, "RewardToken")


@pytest.fixture(scope="module")
def reward_tokens():
    return {
        "reference": from_file("solutions", LESSON, "RewardToken"),
        "by-hand": _by_hand(),
        "open-mint": variant(
            LESSON,
            "RewardToken",
            "external onlyRole(MINTER_ROLE) {",
            "external {",
        ),
        "admin-mints": _by_hand(
            "function mint(address to, uint256 value) external only(MINTER_ROLE)",
            "function mint(address to, uint256 value) external only(DEFAULT_ADMIN_ROLE)",
        ),
        "anyone-grants": _by_hand(
            "function grantRole(bytes32 role, address account) external only(DEFAULT_ADMIN_ROLE)",
            "function grantRole(bytes32 role, address account) external",
        ),
        "supply-kept": _by_hand("        totalSupply -= value;\n", ""),
    }


@pytest.mark.parametrize("answer", ["reference", "by-hand"])
def test_roles_openzeppelin_reference_and_roles_by_hand_earn_full_marks(
    reward_tokens, answer, module_chain
):
    assert outcome(ROLES, reward_tokens[answer], module_chain) == (11, [])


BURN = "burn() destroys your own tokens; burning more than you hold reverts"


@pytest.mark.parametrize(
    ("mistake", "points", "lost"),
    [
        (
            "open-mint",
            8,
            [
                "mint() from anyone without MINTER_ROLE reverts",
                "after revokeRole (RoleRevoked) the old minter cannot mint",
                "being admin is not being minter",
            ],
        ),
        (
            "admin-mints",
            8,
            [
                "the admin grants MINTER_ROLE (RoleGranted) and the new minter can mint",
                "being admin is not being minter",
            ],
        ),
        ("anyone-grants", 10, ["only the admin grants and revokes roles"]),
        ("supply-kept", 9, [BURN]),
    ],
)
def test_each_roles_mistake_loses_only_its_checks(
    reward_tokens, mistake, points, lost, module_chain
):
    assert outcome(ROLES, reward_tokens[mistake], module_chain) == (points, lost)


# --- stubs and wrong answers ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("exercise_id", "name"), [(TOKEN, "Token"), (VAULT, "TokenVault"), (ROLES, "RewardToken")]
)
def test_the_starter_and_a_wrong_type_score_zero_without_raising(exercise_id, name, module_chain):
    for answer in (from_file("contracts", LESSON, name), 42, None):
        no_crash(exercise_id, answer, module_chain)


# --- the reference files ----------------------------------------------------------------------


@pytest.mark.parametrize("name", ["Token", "TokenVault", "RewardToken"])
def test_the_notebooks_answers_are_the_reference_files(name):
    """solutions/09-erc20/*.sol (lesson 14 reuses Token.sol) say what the notebook's solution
    cells say, solution markers aside."""
    notebook = nbformat.read(REPO / "solutions" / LESSON / f"{LESSON}.ipynb", as_version=4)
    cells = [
        c.source for c in notebook.cells if f"contract {name} " in c.source and "%%" in c.source
    ]
    assert len(cells) == 1, f"one %%solidity cell declares {name}"
    lines = cells[0].split("\n")[1:]  # without the %%solidity line
    answer = "\n".join(
        line
        for line in lines
        if "### BEGIN SOLUTION" not in line and "### END SOLUTION" not in line
    )
    assert answer + "\n" == solidity("solutions", LESSON, name)
