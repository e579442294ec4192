"""Checks for lesson 09, ERC-20: a token written to EIP-20, a vault that pulls tokens with
transferFrom after an approve, and a token whose minters are chosen by an admin.

The token's checks follow EIP-20 and nothing stricter, so a token that inherits OpenZeppelin's
ERC20 passes as well as one written from scratch: a transfer nobody can afford may revert *or*
return false (EIP-20 says it SHOULD throw), events are matched by position and type (not by
parameter name), and nothing is asked about address(0), an allowance of type(uint256).max or an
Approval event on transferFrom, where compliant tokens differ.
"""

from __future__ import annotations

import contextlib
import functools
from pathlib import Path

import sollab
from sollab.contracts import Event
from sollab.grading import CheckContext, exercise
from sollab.paths import lab_root

LESSON = "09-erc20"
ZERO = "0x0000000000000000000000000000000000000000"
TOKEN = 10**18  # one whole token, at 18 decimals
SUPPLY = 1_000_000 * TOKEN
TRANSFER = "Transfer(address,address,uint256)"
APPROVAL = "Approval(address,address,uint256)"


def _line(exc: Exception) -> str:
    return str(exc).splitlines()[0]


def _same(a, b) -> bool:
    return str(a).lower() == str(b).lower()


def _events(receipt, contract, signature: str) -> list[tuple]:
    """The ``signature`` events ``contract`` emitted in ``receipt``, as tuples of their
    arguments in order (EIP-20 fixes the types and the order, not the parameter names)."""
    return [
        tuple(str(v).lower() if isinstance(v, str) else v for v in e.args.values())
        for e in receipt.events
        if isinstance(e, Event) and e.signature == signature and _same(e.address, contract.address)
    ]


def _triple(a, b, value) -> tuple:
    return (str(a).lower(), str(b).lower(), value)


# --- exercise 1: an EIP-20 token --------------------------------------------------------------

token = exercise(
    f"{LESSON}/token",
    "An EIP-20 token, from scratch",
    contract="Token",
    hints=[
        "Two mappings hold everything: `mapping(address => uint256) public balanceOf;` and "
        "`mapping(address => mapping(address => uint256)) public allowance;` (owner, then "
        "spender). A `public` state variable gives you its getter for free.",
        "transfer() and transferFrom() move tokens the same way: write one private `_move(from, "
        "to, value)` that checks the balance, subtracts, adds and emits Transfer, and call it "
        "from both. Both return true.",
        "approve() *sets* allowance[msg.sender][spender] = value (it does not add) and emits "
        "Approval. transferFrom() reads allowance[from][msg.sender]: the owner is `from`, the "
        "spender is whoever calls.",
        "The constructor mints: totalSupply = initialSupply; balanceOf[msg.sender] = "
        "initialSupply; emit Transfer(address(0), msg.sender, initialSupply).",
    ],
)


def _token(t: CheckContext, supply: int = SUPPLY, sender=None):
    try:
        return t.deploy("Lab Coin", "LAB", supply, sender=sender or t.alice)
    except (sollab.ArgumentError, sollab.TransactionReverted) as exc:
        t.expect(
            False,
            "the constructor (string name, string symbol, uint256 initialSupply) to deploy",
            _line(exc),
        )


def _balances(tok, *accounts) -> tuple[int, ...]:
    return tuple(tok.balanceOf(a) for a in accounts)


def _refused(t: CheckContext, tok, fn: str, args: tuple, sender, watched: tuple) -> str | None:
    """None if ``fn(*args)`` from ``sender`` is refused the way EIP-20 allows (a revert, or a
    ``false`` return with nothing changed), else what happened instead."""
    state = lambda: (_balances(tok, *watched), tok.totalSupply())  # noqa: E731
    before = state()
    function = getattr(tok, fn)
    try:
        returned = function.call(*args, sender=sender)
    except sollab.TransactionReverted:
        return None
    if returned is True:
        return "it went through and returned true"
    try:
        function(*args, sender=sender)
    except sollab.TransactionReverted:
        return None
    if state() != before:
        return f"it returned {returned!r} but balances moved anyway"
    if returned is not False:
        return f"it returned {returned!r} (neither a revert nor false)"
    return None


@token.check("name(), symbol() and decimals() = 18", points=1)
def _(t):
    tok = _token(t)
    got = (tok.name(), tok.symbol(), tok.decimals())
    t.expect(
        got == ("Lab Coin", "LAB", 18),
        "(name(), symbol(), decimals()) to be ('Lab Coin', 'LAB', 18) for a token deployed "
        "as Token('Lab Coin', 'LAB', ...)",
        f"{got}",
        "decimals is how many digits of a balance come after the point: 18, like Ether",
    )


@token.check("the deployer holds the whole initial supply", points=1)
def _(t):
    tok = _token(t, 12345 * TOKEN, sender=t.bob)
    got = (tok.totalSupply(), *_balances(tok, t.bob, t.alice))
    t.expect(
        got == (12345 * TOKEN, 12345 * TOKEN, 0),
        f"(totalSupply(), balanceOf(bob), balanceOf(alice)) to be ({12345 * TOKEN}, "
        f"{12345 * TOKEN}, 0) when bob deploys with initialSupply = {12345 * TOKEN}",
        f"{got}",
        "mint to msg.sender, the deployer",
    )


@token.check("the constructor emits Transfer from address(0) to the deployer", points=1)
def _(t):
    tok = _token(t, 777, sender=t.bob)
    got = _events(tok.deploy_receipt, tok, TRANSFER)
    want = _triple(ZERO, t.bob, 777)
    t.expect(
        want in got,
        "the deployment to emit Transfer(address(0), bob, 777)",
        f"Transfer events {got}" if got else "no Transfer event",
        "EIP-20: a token contract which creates new tokens SHOULD trigger a Transfer event "
        "with the _from address set to 0x0",
    )


@token.check("Transfer and Approval are declared as EIP-20 says", points=1)
def _(t):
    declared = {
        item["name"]: [(i["type"], bool(i.get("indexed"))) for i in item["inputs"]]
        for item in t.submission.abi
        if item.get("type") == "event"
    }
    for name, who in (("Transfer", "from, to"), ("Approval", "owner, spender")):
        want = [("address", True), ("address", True), ("uint256", False)]
        t.expect(
            declared.get(name) == want,
            f"event {name}(address indexed, address indexed, uint256): {who} indexed, the "
            "value not",
            f"{name}{declared[name]}" if name in declared else f"no event named {name}",
            "indexed parameters become log topics, which is what wallets and indexers filter on",
        )


@token.check("transfer() moves tokens, returns true and emits Transfer", points=2)
def _(t):
    people = {"alice": t.alice, "bob": t.bob, "carol": t.carol}
    tok = _token(t)
    model = {"alice": SUPPLY, "bob": 0, "carol": 0}
    for giver, taker, value in (
        ("alice", "bob", 5000 * TOKEN),
        ("bob", "carol", 1234 * TOKEN + 1),
        ("carol", "alice", 34),
    ):
        receipt = tok.transfer(people[taker], value, sender=people[giver])
        what = f"transfer({taker}, {value}) from {giver}"
        t.expect(receipt.return_value is True, f"{what} to return true", f"{receipt.return_value}")
        events = _events(receipt, tok, TRANSFER)
        t.expect(
            events == [_triple(people[giver], people[taker], value)],
            f"{what} to emit exactly Transfer({giver}, {taker}, {value})",
            f"{events}",
        )
        model[giver] -= value
        model[taker] += value
        got = dict(zip(people, _balances(tok, *people.values()), strict=True))
        t.expect(got == model, f"the balances to be {model} after {what}", f"{got}")
    t.expect(
        tok.totalSupply() == SUPPLY,
        "totalSupply() not to change with transfers",
        f"{tok.totalSupply()}",
    )


@token.check("a transfer of 0 is a normal transfer and fires Transfer", points=1)
def _(t):
    tok = _token(t)
    try:
        receipt = tok.transfer(t.bob, 0, sender=t.carol)
    except sollab.TransactionReverted as exc:
        t.expect(
            False,
            "transfer(bob, 0) from carol, who holds nothing, to succeed",
            _line(exc),
            "EIP-20: transfers of 0 values MUST be treated as normal transfers",
        )
    t.expect(receipt.return_value is True, "transfer(bob, 0) to return true")
    events = _events(receipt, tok, TRANSFER)
    t.expect(
        events == [_triple(t.carol, t.bob, 0)],
        "transfer(bob, 0) from carol to emit Transfer(carol, bob, 0)",
        f"{events}",
    )


@token.check("a transfer beyond your balance is refused", points=1)
def _(t):
    tok = _token(t)
    tok.transfer(t.bob, 100, sender=t.alice)
    why = _refused(t, tok, "transfer", (t.carol, 101), t.bob, (t.alice, t.bob, t.carol))
    t.expect(
        why is None,
        "transfer(carol, 101) from bob, who holds 100, to revert (or return false and move "
        "nothing)",
        why or "",
        "check the sender's balance before you subtract",
    )
    t.expect(_balances(tok, t.bob, t.carol) == (100, 0), "bob to keep 100 and carol to get 0")


@token.check("approve() sets the allowance, replacing the old one, and emits Approval", points=2)
def _(t):
    tok = _token(t)
    receipt = tok.approve(t.bob, 500, sender=t.alice)
    t.expect(receipt.return_value is True, "approve(bob, 500) to return true")
    t.expect(
        tok.allowance(t.alice, t.bob) == 500,
        "allowance(alice, bob) to be 500 after alice approves bob for 500",
        f"{tok.allowance(t.alice, t.bob)}",
    )
    events = _events(receipt, tok, APPROVAL)
    t.expect(
        events == [_triple(t.alice, t.bob, 500)],
        "approve(bob, 500) from alice to emit Approval(alice, bob, 500)",
        f"{events}",
    )
    tok.approve(t.bob, 200, sender=t.alice)
    t.expect(
        tok.allowance(t.alice, t.bob) == 200,
        "a second approve(bob, 200) to replace the allowance: 200",
        f"{tok.allowance(t.alice, t.bob)}",
        "approve sets the allowance; it does not add to it",
    )
    t.expect(
        tok.allowance(t.bob, t.alice) == 0 and tok.allowance(t.alice, t.carol) == 0,
        "only allowance(alice, bob) to change",
        f"allowance(bob, alice) = {tok.allowance(t.bob, t.alice)}, allowance(alice, carol) = "
        f"{tok.allowance(t.alice, t.carol)}",
    )


@token.check("transferFrom() moves the owner's tokens and spends the allowance", points=2)
def _(t):
    tok = _token(t)
    tok.approve(t.bob, 500, sender=t.alice)
    try:
        receipt = tok.transferFrom(t.alice, t.carol, 300, sender=t.bob)
    except sollab.TransactionReverted as exc:
        t.expect(
            False,
            "transferFrom(alice, carol, 300) sent by bob, whom alice approved for 500, to succeed",
            _line(exc),
            "the allowance to look at is allowance[from][msg.sender]",
        )
    t.expect(receipt.return_value is True, "transferFrom(alice, carol, 300) to return true")
    got = _balances(tok, t.alice, t.bob, t.carol)
    t.expect(
        got == (SUPPLY - 300, 0, 300),
        f"balances (alice, bob, carol) = ({SUPPLY - 300}, 0, 300): the tokens come from alice "
        "and go to carol",
        f"{got}",
    )
    t.expect(
        tok.allowance(t.alice, t.bob) == 200,
        "allowance(alice, bob) to drop from 500 to 200",
        f"{tok.allowance(t.alice, t.bob)}",
        "subtract what was spent from the allowance",
    )
    transfers = _events(receipt, tok, TRANSFER)
    t.expect(
        transfers == [_triple(t.alice, t.carol, 300)],
        "transferFrom to emit Transfer(alice, carol, 300)",
        f"{transfers}",
    )


@token.check("transferFrom() beyond the allowance is refused", points=1)
def _(t):
    tok = _token(t)
    watched = (t.alice, t.bob, t.carol)
    why = _refused(t, tok, "transferFrom", (t.alice, t.carol, 1), t.bob, watched)
    t.expect(
        why is None,
        "transferFrom(alice, carol, 1) sent by bob, whom alice never approved, to be refused",
        why or "",
    )
    tok.approve(t.bob, 50, sender=t.alice)
    why = _refused(t, tok, "transferFrom", (t.alice, t.carol, 51), t.bob, watched)
    t.expect(
        why is None,
        "transferFrom(alice, carol, 51) with an allowance of 50 to be refused",
        why or "",
        "check allowance[from][msg.sender] before you spend it",
    )
    t.expect(tok.allowance(t.alice, t.bob) == 50, "the allowance to stay 50 after a refusal")


@token.check("transferFrom() beyond the owner's balance is refused", points=1, hidden=True)
def _(t):
    tok = _token(t)
    tok.transfer(t.bob, 10, sender=t.alice)
    tok.approve(t.carol, 1000, sender=t.bob)
    why = _refused(t, tok, "transferFrom", (t.bob, t.carol, 11), t.carol, (t.alice, t.bob, t.carol))
    t.expect(
        why is None,
        "transferFrom(bob, carol, 11) when bob holds 10 (and allowed 1000) to be refused",
        why or "",
    )


@token.check("sending tokens to yourself changes no balance", points=1, hidden=True)
def _(t):
    tok = _token(t)
    tok.transfer(t.bob, 40, sender=t.alice)
    tok.transfer(t.bob, 40, sender=t.bob)
    tok.transfer(t.bob, 15, sender=t.bob)
    got = (tok.balanceOf(t.bob), tok.totalSupply())
    t.expect(
        got == (40, SUPPLY),
        f"(balanceOf(bob), totalSupply()) to stay (40, {SUPPLY}) after bob, holding 40, sends "
        "40 and then 15 to himself",
        f"{got}",
        "when from and to are the same account, read the receiver's balance after you have "
        "written the sender's",
    )


# --- exercise 2: a vault that pulls tokens ----------------------------------------------------

vault = exercise(
    f"{LESSON}/vault",
    "A TokenVault that pulls tokens with transferFrom",
    contract="TokenVault",
    hints=[
        "A contract cannot take your tokens: you approve it first (token.approve(vault, "
        "amount)), then deposit(amount) calls token.transferFrom(msg.sender, address(this), "
        "amount).",
        "EIP-20 lets a token say no by returning false instead of reverting: wrap the calls, "
        "`if (!token.transferFrom(...)) revert ...;` (or use OpenZeppelin's SafeERC20).",
        "In withdraw(), set depositOf[msg.sender] = 0 *before* you call token.transfer: a token "
        "is code, and it may call your vault back before transfer returns.",
    ],
)

# The token the vault is graded with that learners do not get: it calls the vault back from
# inside transfer() (as some real tokens' hooks do). Lesson 14 grades its campaign with it too.
HOSTILE = Path("graders") / "contracts" / "CallbackToken.sol"


@functools.cache
def given_tokens() -> dict:
    """The tokens a vault is graded with, compiled once (on first use)."""
    root = lab_root() / "contracts"
    quiet = sollab.compile_file(root / LESSON / "QuietToken.sol")["QuietToken"]
    reverting = sollab.compile_file(root / "examples" / "MyToken.sol")["MyToken"]
    hostile = sollab.compile_file(lab_root() / HOSTILE)["CallbackToken"]
    return {"quiet": quiet, "reverting": reverting, "hostile": hostile}


def _setup(t: CheckContext, kind: str = "reverting"):
    """A token of ``kind`` (bob and carol hold 1000 each) and a vault for it."""
    artifact = given_tokens()[kind]
    tok = t.chain.deploy(artifact, "Vault Coin", "VLT", 3000, sender=t.alice)
    for who in (t.bob, t.carol):
        tok.transfer(who, 1000, sender=t.alice)
    try:
        v = t.deploy(tok.address, sender=t.alice)
    except (sollab.ArgumentError, sollab.TransactionReverted) as exc:
        t.expect(False, "TokenVault's constructor to take the token's address", _line(exc))
    return tok, v


def _deposit(t: CheckContext, tok, v, who, name: str, amount: int, approve: int | None = None):
    tok.approve(v, amount if approve is None else approve, sender=who)
    try:
        return v.deposit(amount, sender=who)
    except sollab.TransactionReverted as exc:
        t.expect(
            False,
            f"deposit({amount}) from {name}, after approving the vault, to succeed",
            _line(exc),
        )


@vault.check("deposit() pulls exactly the amount and credits it", points=2)
def _(t):
    tok, v = _setup(t)
    receipt = _deposit(t, tok, v, t.bob, "bob", 300)
    got = (tok.balanceOf(t.bob), tok.balanceOf(v), v.depositOf(t.bob))
    t.expect(
        got == (700, 300, 300),
        "(bob's tokens, the vault's tokens, depositOf(bob)) = (700, 300, 300) after bob "
        "approves 300 and deposits 300",
        f"{got}",
        "deposit calls token.transferFrom(msg.sender, address(this), amount)",
    )
    deposited = _events(receipt, v, "Deposited(address,uint256)")
    t.expect(
        deposited == [(str(t.bob).lower(), 300)],
        "deposit(300) to emit Deposited(bob, 300)",
        f"{deposited}",
    )


@vault.check("deposits add up and leave the rest of the allowance approved", points=1)
def _(t):
    tok, v = _setup(t)
    _deposit(t, tok, v, t.bob, "bob", 200, approve=500)
    try:
        v.deposit(100, sender=t.bob)
    except sollab.TransactionReverted as exc:
        t.expect(False, "a second deposit(100) within bob's allowance to succeed", _line(exc))
    _deposit(t, tok, v, t.carol, "carol", 50)
    got = (tok.allowance(t.bob, v), v.depositOf(t.bob), v.depositOf(t.carol), tok.balanceOf(v))
    t.expect(
        got == (200, 300, 50, 350),
        "(allowance left for bob, depositOf(bob), depositOf(carol), the vault's tokens) = "
        "(200, 300, 50, 350) after bob approves 500 and deposits 200 then 100, and carol "
        "deposits 50",
        f"{got}",
        "pull the amount asked for, not the whole allowance; add each deposit to the account's",
    )


@vault.check("deposit() without an approval fails and credits nothing", points=1)
def _(t):
    _, v = _setup(t)
    t.expect_revert(
        lambda: v.deposit(100, sender=t.bob),
        "deposit(100) from bob, who approved nothing, to revert",
        "the token refuses transferFrom without an allowance; let that revert stand",
    )
    t.expect(v.depositOf(t.bob) == 0, "depositOf(bob) to stay 0", f"{v.depositOf(t.bob)}")


@vault.check("withdraw() returns all of your deposit and only yours", points=2)
def _(t):
    tok, v = _setup(t)
    _deposit(t, tok, v, t.bob, "bob", 300)
    _deposit(t, tok, v, t.carol, "carol", 100)
    try:
        receipt = v.withdraw(sender=t.bob)
    except sollab.TransactionReverted as exc:
        t.expect(False, "withdraw() from bob, who deposited 300, to succeed", _line(exc))
    got = (tok.balanceOf(t.bob), v.depositOf(t.bob), v.depositOf(t.carol), tok.balanceOf(v))
    t.expect(
        got == (1000, 0, 100, 100),
        "(bob's tokens, depositOf(bob), depositOf(carol), the vault's tokens) = "
        "(1000, 0, 100, 100) after bob withdraws",
        f"{got}",
    )
    withdrawn = _events(receipt, v, "Withdrawn(address,uint256)")
    t.expect(
        withdrawn == [(str(t.bob).lower(), 300)],
        "withdraw() to emit Withdrawn(bob, 300)",
        f"{withdrawn}",
    )
    with contextlib.suppress(sollab.TransactionReverted):  # refusing is fine
        v.withdraw(sender=t.bob)
    t.expect(
        tok.balanceOf(t.bob) == 1000 and tok.balanceOf(v) == 100,
        "a second withdraw() from bob to pay nothing more",
        f"bob holds {tok.balanceOf(t.bob)}, the vault {tok.balanceOf(v)}",
    )


@vault.check("a token that says no with false: nothing is credited", points=1, hidden=True)
def _(t):
    tok, v = _setup(t, "quiet")
    with contextlib.suppress(sollab.TransactionReverted):  # no approval: false comes back
        v.deposit(100, sender=t.bob)
    got = (v.depositOf(t.bob), tok.balanceOf(v))
    t.expect(
        got == (0, 0),
        "(depositOf(bob), the vault's tokens) to stay (0, 0) when the token's transferFrom "
        "returns false",
        f"{got}: the vault credited tokens it never received",
        "EIP-20 allows a token to return false instead of reverting: check the bool",
    )


@vault.check("a token that calls back into withdraw() cannot take more out", points=2, hidden=True)
def _(t):
    tok = t.chain.deploy(given_tokens()["hostile"], 3000, sender=t.alice)
    try:
        v = t.deploy(tok.address, sender=t.alice)
    except (sollab.ArgumentError, sollab.TransactionReverted) as exc:
        t.expect(False, "TokenVault's constructor to take the token's address", _line(exc))
    tok.transfer(t.bob, 1000, sender=t.alice)
    _deposit(t, tok, v, t.bob, "bob", 1000)
    with contextlib.suppress(sollab.TransactionReverted):  # refusing it all is safe too
        tok.join(v, "deposit(uint256)", 500, sender=t.alice)
        tok.attack("withdraw()", sender=t.alice)
    got = (tok.balanceOf(v), v.depositOf(t.bob))
    t.expect(
        got == (1000, 1000),
        "(the vault's tokens, depositOf(bob)) to stay (1000, 1000) after another depositor "
        "withdraws and its token calls withdraw() again before transfer returns",
        f"{got}: the vault paid the same deposit twice",
        "checks-effects-interactions: zero the deposit before you call the token",
    )


# --- exercise 3: minting and burning with roles -----------------------------------------------

roles = exercise(
    f"{LESSON}/roles",
    "RewardToken: minters mint, holders burn, the admin picks minters",
    contract="RewardToken",
    hints=[
        "OpenZeppelin has both halves: `contract RewardToken is ERC20, AccessControl`, with "
        '`bytes32 public constant MINTER_ROLE = keccak256("MINTER_ROLE");` and, in the '
        "constructor, `_grantRole(DEFAULT_ADMIN_ROLE, msg.sender); _grantRole(MINTER_ROLE, "
        "msg.sender);`.",
        "mint(to, amount) is `onlyRole(MINTER_ROLE)` and calls `_mint(to, amount)`; burn(amount) "
        "calls `_burn(msg.sender, amount)`: nobody burns anyone else's tokens.",
        "Writing the roles yourself: `mapping(bytes32 => mapping(address => bool))`, and "
        "grantRole/revokeRole may be called only by holders of DEFAULT_ADMIN_ROLE (bytes32 0); "
        "emit RoleGranted(role, account, msg.sender) / RoleRevoked(role, account, msg.sender).",
    ],
)


def _minter_role() -> bytes:
    from eth_utils import keccak

    return keccak(text="MINTER_ROLE")


ADMIN = bytes(32)
ROLE_GRANTED = "RoleGranted(bytes32,address,address)"
ROLE_REVOKED = "RoleRevoked(bytes32,address,address)"


def _reward(t: CheckContext):
    try:
        return t.deploy(sender=t.alice)
    except (sollab.ArgumentError, sollab.TransactionReverted) as exc:
        t.expect(False, "RewardToken to deploy with no constructor arguments", _line(exc))


def _role_events(receipt, tok, signature: str) -> list[tuple]:
    return [(bytes(r), a, s) for r, a, s in _events(receipt, tok, signature)]


def _mint(t: CheckContext, tok, to, amount: int, sender, who: str):
    try:
        return tok.mint(to, amount, sender=sender)
    except sollab.TransactionReverted as exc:
        t.expect(False, f"mint({amount}) sent by {who}, a minter, to succeed", _line(exc))


@roles.check('the deployer is admin and minter; MINTER_ROLE is keccak256("MINTER_ROLE")', points=1)
def _(t):
    tok = _reward(t)
    minter = _minter_role()
    t.expect(
        bytes(tok.MINTER_ROLE()) == minter and bytes(tok.DEFAULT_ADMIN_ROLE()) == ADMIN,
        'MINTER_ROLE() = keccak256("MINTER_ROLE") and DEFAULT_ADMIN_ROLE() = bytes32(0)',
        f"MINTER_ROLE() = 0x{bytes(tok.MINTER_ROLE()).hex()}, DEFAULT_ADMIN_ROLE() = "
        f"0x{bytes(tok.DEFAULT_ADMIN_ROLE()).hex()}",
    )
    got = (tok.hasRole(ADMIN, t.alice), tok.hasRole(minter, t.alice), tok.hasRole(minter, t.bob))
    t.expect(
        got == (True, True, False),
        "(hasRole(admin, alice), hasRole(minter, alice), hasRole(minter, bob)) = "
        "(True, True, False) when alice deploys",
        f"{got}",
    )
    t.expect(tok.totalSupply() == 0, "a new RewardToken to have no tokens", f"{tok.totalSupply()}")


@roles.check("a minter's mint() creates tokens and emits Transfer from address(0)", points=2)
def _(t):
    tok = _reward(t)
    receipt = _mint(t, tok, t.bob, 250, t.alice, "alice")
    got = (tok.balanceOf(t.bob), tok.totalSupply())
    t.expect(
        got == (250, 250),
        "(balanceOf(bob), totalSupply()) = (250, 250) after alice mints 250 for bob",
        f"{got}",
    )
    events = _events(receipt, tok, TRANSFER)
    t.expect(
        events == [_triple(ZERO, t.bob, 250)],
        "mint(bob, 250) to emit Transfer(address(0), bob, 250)",
        f"{events}",
        "minting is a transfer from address(0): wallets and indexers see new tokens that way",
    )


@roles.check("mint() from anyone without MINTER_ROLE reverts", points=1)
def _(t):
    tok = _reward(t)
    t.expect_revert(
        lambda: tok.mint(t.bob, 1000, sender=t.bob),
        "mint(bob, 1000) sent by bob, who is no minter, to revert",
        "guard mint with the minter role",
    )
    t.expect(tok.totalSupply() == 0, "nothing to be minted", f"totalSupply() = {tok.totalSupply()}")


@roles.check("the admin grants MINTER_ROLE (RoleGranted) and the new minter can mint", points=2)
def _(t):
    tok = _reward(t)
    minter = _minter_role()
    receipt = tok.grantRole(minter, t.carol, sender=t.alice)
    events = _role_events(receipt, tok, ROLE_GRANTED)
    want = (minter, str(t.carol).lower(), str(t.alice).lower())
    t.expect(
        events == [want],
        "grantRole(MINTER_ROLE, carol) from alice to emit RoleGranted(MINTER_ROLE, carol, alice)",
        f"{events}",
        "RoleGranted(bytes32 indexed role, address indexed account, address indexed sender)",
    )
    t.expect(tok.hasRole(minter, t.carol), "hasRole(MINTER_ROLE, carol) to be true")
    _mint(t, tok, t.dave, 40, t.carol, "carol")
    t.expect(tok.balanceOf(t.dave) == 40, "carol's mint(dave, 40) to give dave 40")


@roles.check("after revokeRole (RoleRevoked) the old minter cannot mint", points=1)
def _(t):
    tok = _reward(t)
    minter = _minter_role()
    tok.grantRole(minter, t.carol, sender=t.alice)
    receipt = tok.revokeRole(minter, t.carol, sender=t.alice)
    events = _role_events(receipt, tok, ROLE_REVOKED)
    want = (minter, str(t.carol).lower(), str(t.alice).lower())
    t.expect(
        events == [want],
        "revokeRole(MINTER_ROLE, carol) from alice to emit RoleRevoked(MINTER_ROLE, carol, alice)",
        f"{events}",
    )
    t.expect_revert(
        lambda: tok.mint(t.carol, 1, sender=t.carol),
        "mint() from carol to revert once her MINTER_ROLE is revoked",
    )


@roles.check("only the admin grants and revokes roles", points=1)
def _(t):
    tok = _reward(t)
    minter = _minter_role()
    t.expect_revert(
        lambda: tok.grantRole(minter, t.bob, sender=t.bob),
        "grantRole(MINTER_ROLE, bob) sent by bob, who is not admin, to revert",
        "only holders of DEFAULT_ADMIN_ROLE may grant roles",
    )
    t.expect_revert(
        lambda: tok.revokeRole(minter, t.alice, sender=t.bob),
        "revokeRole(MINTER_ROLE, alice) sent by bob, who is not admin, to revert",
    )
    t.expect(
        not tok.hasRole(minter, t.bob) and tok.hasRole(minter, t.alice),
        "the roles to stay as they were",
    )


@roles.check("burn() destroys your own tokens; burning more than you hold reverts", points=2)
def _(t):
    tok = _reward(t)
    _mint(t, tok, t.bob, 100, t.alice, "alice")
    _mint(t, tok, t.carol, 100, t.alice, "alice")
    try:
        receipt = tok.burn(30, sender=t.bob)
    except sollab.TransactionReverted as exc:
        t.expect(False, "burn(30) from bob, who holds 100, to succeed", _line(exc))
    got = (tok.balanceOf(t.bob), tok.balanceOf(t.carol), tok.totalSupply())
    t.expect(
        got == (70, 100, 170),
        "(balanceOf(bob), balanceOf(carol), totalSupply()) = (70, 100, 170) after bob burns 30",
        f"{got}",
        "burn from msg.sender, and lower totalSupply too",
    )
    events = _events(receipt, tok, TRANSFER)
    t.expect(
        events == [_triple(t.bob, ZERO, 30)],
        "burn(30) from bob to emit Transfer(bob, address(0), 30)",
        f"{events}",
    )
    t.expect_revert(
        lambda: tok.burn(71, sender=t.bob), "burn(71) from bob, who holds 70, to revert"
    )


@roles.check("being admin is not being minter", points=1, hidden=True)
def _(t):
    tok = _reward(t)
    minter = _minter_role()
    tok.revokeRole(minter, t.alice, sender=t.alice)
    t.expect_revert(
        lambda: tok.mint(t.alice, 5, sender=t.alice),
        "mint() from alice to revert once she revoked her own MINTER_ROLE (she is still admin)",
        "check the minter role in mint, not the admin or an owner",
    )
    tok.grantRole(minter, t.eve, sender=t.alice)
    _mint(t, tok, t.eve, 5, t.eve, "eve")
    tok.grantRole(ADMIN, t.dave, sender=t.alice)
    tok.revokeRole(minter, t.eve, sender=t.dave)
    t.expect(
        not tok.hasRole(minter, t.eve),
        "dave, made admin by alice, to be able to revoke eve's MINTER_ROLE",
    )
