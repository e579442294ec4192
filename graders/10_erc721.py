"""Checks for lesson 10, ERC-721: a collectible with mint limits (EIP-721 behaviour, nothing
stricter), a vault that receives NFTs through safeTransferFrom, and a badge whose tokenURI is
JSON with an SVG image, both built on-chain."""

from __future__ import annotations

import base64
import binascii
import contextlib
import functools
import json
import re
import xml.etree.ElementTree as ET
from typing import Any

import sollab
from sollab.grading import CheckContext, CheckFailed, exercise

LESSON = "10-erc721"
ZERO = "0x0000000000000000000000000000000000000000"
ERC165, ERC721, ERC721_METADATA = "01ffc9a7", "80ac58cd", "5b5e139f"
SVG_NS = "http://www.w3.org/2000/svg"


def _line(exc: Exception) -> str:
    return str(exc).splitlines()[0]


def _same(a: Any, b: Any) -> bool:
    """The same address, whether given as a string, an account or a contract handle."""
    return str(getattr(a, "address", a)).lower() == str(getattr(b, "address", b)).lower()


def _who(t: CheckContext, address: Any) -> str:
    """An address as the learner reads it: an account's name, a contract, or the address."""
    if _same(address, ZERO):
        return "address(0)"
    if hasattr(address, "contract_name"):
        return f"the {address.contract_name} contract"
    for account in t.chain.accounts:
        if _same(account, address):
            return account.name
    return str(address)


def _do(t: CheckContext, what: str, action, hint: str = ""):
    """Run ``action()`` (a call or a transaction that must go through), or fail the check."""
    try:
        return action()
    except sollab.LabError as exc:
        raise CheckFailed(f"{what} to go through", _line(exc), hint) from None


def _owner(t: CheckContext, token, token_id: int, want) -> None:
    got = _do(t, f"ownerOf({token_id})", lambda: token.ownerOf(token_id))
    t.expect(
        _same(got, want),
        f"ownerOf({token_id}) to be {_who(t, want)}",
        _who(t, got),
    )


def _balance(t: CheckContext, token, who, want: int) -> None:
    got = _do(t, f"balanceOf({_who(t, who)})", lambda: token.balanceOf(who))
    t.expect(got == want, f"balanceOf({_who(t, who)}) to be {want}", f"{got}")


def _approved(t: CheckContext, token, token_id: int, want) -> None:
    got = _do(t, f"getApproved({token_id})", lambda: token.getApproved(token_id))
    t.expect(_same(got, want), f"getApproved({token_id}) to be {_who(t, want)}", _who(t, got))


def _event(t: CheckContext, receipt, name: str, *values: Any, hint: str = "") -> None:
    """``receipt`` emitted event ``name`` with these arguments, in order (EIP-721 fixes the
    order and types, not the parameter names)."""
    shown = f"{name}({', '.join(_who(t, v) if isinstance(v, str) else repr(v) for v in values)})"
    named = receipt.events_named(name)
    for event in named:
        got = list(event.args.values())
        if len(got) == len(values) and all(_same(g, v) for g, v in zip(got, values, strict=True)):
            return
    emitted = "; ".join(map(repr, receipt.events)) or "no events at all"
    t.expect(False, f"the event {shown}", f"the transaction emitted {emitted}", hint)


# --- helper contracts the checks deploy -------------------------------------------------------

HELPERS = """\
// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// Accepts every NFT and remembers the latest call.
contract Receiver {
    address public lastOperator;
    address public lastFrom;
    uint256 public lastTokenId;
    bytes public lastData;
    uint256 public calls;

    function onERC721Received(address operator, address from, uint256 tokenId, bytes calldata data)
        external returns (bytes4)
    {
        (lastOperator, lastFrom, lastTokenId, lastData) = (operator, from, tokenId, data);
        calls += 1;
        return this.onERC721Received.selector;
    }
}

/// A contract that knows nothing about NFTs.
contract Plain {
    uint256 public number;
}

/// Answers onERC721Received with the wrong four bytes.
contract WrongAnswer {
    function onERC721Received(address, address, uint256, bytes calldata)
        external pure returns (bytes4)
    {
        return 0x12345678;
    }
}
"""

TOYS = """\
// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ERC721} from "@openzeppelin/contracts/token/ERC721/ERC721.sol";

/// An OpenZeppelin collection anyone can mint from, for the vault.
contract Toys is ERC721 {
    constructor() ERC721("Toys", "TOY") {}

    function mint(address to, uint256 tokenId) external {
        _mint(to, tokenId);
    }
}
"""


@functools.cache
def helpers(source: str = HELPERS):
    """The helper contracts, compiled once (on first use, so loading graders stays fast)."""
    return sollab.compile_source(source, "Helpers.sol", base=sollab.CONTRACTS.parent)


def _helper(t: CheckContext, name: str):
    artifact = helpers(TOYS)[name] if name == "Toys" else helpers()[name]
    return t.chain.deploy(artifact, sender=t.alice)


# --- exercise 1: a collectible ----------------------------------------------------------------

collectible = exercise(
    f"{LESSON}/collectible",
    "An ERC-721 collectible: 10 tokens at most, 3 mints per address",
    contract="Collectible",
    hints=[
        "Four mappings hold all of an ERC-721's state: tokenId → owner, owner → balance, "
        "tokenId → approved address, and owner → operator → bool. Every function reads or "
        "writes these. (Or inherit OpenZeppelin's ERC721 and write only mint().)",
        "transferFrom checks, in order: the token exists and `from` owns it, `to` is not "
        "address(0), and msg.sender is the owner, the token's approved address or an operator "
        "of the owner. Then it deletes the approval, moves the token and emits Transfer.",
        "Count mints per address in a mapping of its own (`mintedBy[msg.sender]`): a balance "
        "goes down when tokens are given away, so it cannot enforce the limit. With ids "
        "1, 2, 3, ... the 10th token is the last one.",
        "safeTransferFrom is transferFrom plus one thing: if `to.code.length > 0`, call "
        "`IERC721Receiver(to).onERC721Received(msg.sender, from, tokenId, data)` and revert "
        "unless it returns `IERC721Receiver.onERC721Received.selector` (a call to a contract "
        "without that function reverts by itself).",
    ],
)


def _mint(t: CheckContext, token, who, times: int = 1) -> None:
    for _ in range(times):
        _do(t, f"mint() sent by {_who(t, who)}", lambda: token.mint(sender=who))


@collectible.check("mint() gives the caller the next token (ids 1, 2, 3, ...)", points=2)
def _(t):
    c = t.deploy()
    _mint(t, c, t.bob)
    _owner(t, c, 1, t.bob)
    _balance(t, c, t.bob, 1)
    _mint(t, c, t.carol)
    _mint(t, c, t.bob)
    _owner(t, c, 2, t.carol)
    _owner(t, c, 3, t.bob)
    _balance(t, c, t.bob, 2)
    _balance(t, c, t.carol, 1)
    _balance(t, c, t.dave, 0)


@collectible.check("transferFrom() by the owner moves the token and both balances", points=1)
def _(t):
    c = t.deploy()
    _mint(t, c, t.bob, 2)
    _do(
        t,
        "transferFrom(bob, carol, 1) sent by bob, the owner,",
        lambda: c.transferFrom(t.bob, t.carol, 1, sender=t.bob),
    )
    _owner(t, c, 1, t.carol)
    _owner(t, c, 2, t.bob)
    _balance(t, c, t.bob, 1)
    _balance(t, c, t.carol, 1)


@collectible.check(
    "transferFrom() reverts for a stranger, a wrong `from` and the zero address", points=1
)
def _(t):
    c = t.deploy()
    _mint(t, c, t.bob)
    t.expect_revert(
        lambda: c.transferFrom(t.bob, t.carol, 1, sender=t.carol),
        "transferFrom(bob, carol, 1) sent by carol, who is neither owner, approved nor "
        "operator, to revert",
    )
    t.expect_revert(
        lambda: c.transferFrom(t.carol, t.dave, 1, sender=t.bob),
        "transferFrom(carol, dave, 1) to revert: token 1 belongs to bob, not carol",
        "check that `from` is the token's owner",
    )
    t.expect_revert(
        lambda: c.transferFrom(t.bob, ZERO, 1, sender=t.bob),
        "transferFrom(bob, address(0), 1) to revert",
        "EIP-721: transfers to the zero address throw",
    )
    _owner(t, c, 1, t.bob)


@collectible.check("approve() lets one address move one token; only owner or operator approve", 1)
def _(t):
    c = t.deploy()
    _mint(t, c, t.bob, 2)
    _do(t, "approve(carol, 1) sent by bob", lambda: c.approve(t.carol, 1, sender=t.bob))
    _approved(t, c, 1, t.carol)
    _approved(t, c, 2, ZERO)
    t.expect_revert(
        lambda: c.transferFrom(t.bob, t.carol, 2, sender=t.carol),
        "carol, approved for token 1 only, to be refused token 2",
    )
    _do(
        t,
        "transferFrom(bob, dave, 1) sent by carol, approved for token 1,",
        lambda: c.transferFrom(t.bob, t.dave, 1, sender=t.carol),
        "the approved address of a token may transfer it",
    )
    _owner(t, c, 1, t.dave)
    t.expect_revert(
        lambda: c.approve(t.eve, 2, sender=t.eve),
        "approve(eve, 2) sent by eve (not bob, not his operator) to revert",
    )


@collectible.check("a transfer clears the token's approval", points=1)
def _(t):
    c = t.deploy()
    _mint(t, c, t.bob)
    _do(t, "approve(carol, 1) sent by bob", lambda: c.approve(t.carol, 1, sender=t.bob))
    _do(
        t,
        "transferFrom(bob, dave, 1) sent by bob",
        lambda: c.transferFrom(t.bob, t.dave, 1, sender=t.bob),
    )
    hint = "delete the approval whenever the token moves; it was bob's permission, not dave's"
    got = _do(t, "getApproved(1)", lambda: c.getApproved(1))
    t.expect(
        _same(got, ZERO), "getApproved(1) to be address(0) after the transfer", _who(t, got), hint
    )
    t.expect_revert(
        lambda: c.transferFrom(t.dave, t.carol, 1, sender=t.carol),
        "carol, whom bob had approved, to be refused dave's token after the transfer",
        hint,
    )


@collectible.check(
    "setApprovalForAll(): an operator may move and approve all the owner's tokens", 1
)
def _(t):
    c = t.deploy()
    _mint(t, c, t.bob, 2)
    _do(
        t,
        "setApprovalForAll(carol, true) sent by bob",
        lambda: c.setApprovalForAll(t.carol, True, sender=t.bob),
    )
    got = _do(t, "isApprovedForAll(bob, carol)", lambda: c.isApprovedForAll(t.bob, t.carol))
    t.expect(got is True, "isApprovedForAll(bob, carol) to be true", f"{got}")
    hint = "an operator may do everything the owner may, for every one of the owner's tokens"
    _do(
        t,
        "transferFrom(bob, dave, 1) sent by carol, bob's operator,",
        lambda: c.transferFrom(t.bob, t.dave, 1, sender=t.carol),
        hint,
    )
    _owner(t, c, 1, t.dave)
    _do(
        t,
        "approve(eve, 2) sent by carol, bob's operator,",
        lambda: c.approve(t.eve, 2, sender=t.carol),
        hint,
    )
    _approved(t, c, 2, t.eve)
    t.expect_revert(
        lambda: c.transferFrom(t.dave, t.carol, 1, sender=t.carol),
        "carol, bob's operator, to be refused dave's token",
    )
    _do(
        t,
        "setApprovalForAll(carol, false)",
        lambda: c.setApprovalForAll(t.carol, False, sender=t.bob),
    )
    t.expect_revert(
        lambda: c.transferFrom(t.bob, t.carol, 2, sender=t.carol),
        "carol to be refused once bob has withdrawn her operator rights",
    )


def _indexed(t: CheckContext, name: str, count: int) -> None:
    """EIP-721 fixes which event parameters are indexed (topics): logs are found by them."""
    item = next(
        (i for i in t.submission.abi if i.get("type") == "event" and i["name"] == name), None
    )
    flags = [p.get("indexed", False) for p in item["inputs"]] if item else []
    want = [True] * count + [False] * (len(flags) - count)
    t.expect(
        item is not None and flags == want,
        f"event {name} with its first {count} parameters indexed, as in EIP-721",
        f"indexed flags {flags}" if item else f"no event {name}",
    )


@collectible.check("mint and transfer emit Transfer(from, to, tokenId)", points=1)
def _(t):
    c = t.deploy()
    receipt = _do(t, "mint() sent by bob", lambda: c.mint(sender=t.bob))
    _event(t, receipt, "Transfer", ZERO, t.bob, 1, hint="a mint is a transfer from address(0)")
    receipt = _do(
        t, "transferFrom(bob, carol, 1)", lambda: c.transferFrom(t.bob, t.carol, 1, sender=t.bob)
    )
    _event(t, receipt, "Transfer", t.bob, t.carol, 1)
    _indexed(t, "Transfer", 3)


@collectible.check("approve() emits Approval, setApprovalForAll() emits ApprovalForAll", points=1)
def _(t):
    c = t.deploy()
    _mint(t, c, t.bob)
    receipt = _do(t, "approve(carol, 1) sent by bob", lambda: c.approve(t.carol, 1, sender=t.bob))
    _event(t, receipt, "Approval", t.bob, t.carol, 1)
    receipt = _do(
        t, "setApprovalForAll(dave, true)", lambda: c.setApprovalForAll(t.dave, True, sender=t.bob)
    )
    _event(t, receipt, "ApprovalForAll", t.bob, t.dave, True)
    _indexed(t, "Approval", 3)
    _indexed(t, "ApprovalForAll", 2)


@collectible.check("each address mints at most 3 tokens, also after giving some away", points=1)
def _(t):
    c = t.deploy()
    _mint(t, c, t.bob, 3)
    t.expect_revert(lambda: c.mint(sender=t.bob), "bob's 4th mint() to revert")
    _mint(t, c, t.carol)
    _do(t, "transferFrom(bob, dave, 1)", lambda: c.transferFrom(t.bob, t.dave, 1, sender=t.bob))
    t.expect_revert(
        lambda: c.mint(sender=t.bob),
        "bob's 4th mint() to revert after he gave a token away",
        "count the mints, not the balance: a balance goes down when tokens are given away",
    )


@collectible.check("no more than 10 tokens are ever minted", points=1)
def _(t):
    c = t.deploy()
    for who, times in ((t.bob, 3), (t.carol, 3), (t.dave, 3), (t.eve, 1)):
        _mint(t, c, who, times)
    _owner(t, c, 10, t.eve)
    t.expect_revert(lambda: c.mint(sender=t.frank), "the 11th mint() to revert: 10 is the maximum")


@collectible.check("supportsInterface(): yes to ERC-165 and ERC-721, no to 0xffffffff", points=1)
def _(t):
    c = t.deploy()
    for interface, want in ((ERC165, True), (ERC721, True), ("ffffffff", False)):
        got = _do(
            t,
            f"supportsInterface(0x{interface})",
            lambda i=interface: c.supportsInterface(bytes.fromhex(i)),
        )
        t.expect(
            got is want, f"supportsInterface(0x{interface}) to be {str(want).lower()}", f"{got}"
        )


@collectible.check("safeTransferFrom() delivers to accounts and to receivers, telling them", 1)
def _(t):
    c = t.deploy()
    _mint(t, c, t.bob, 2)
    _do(
        t,
        "safeTransferFrom(bob, carol, 1) to an account",
        lambda: c.safeTransferFrom(t.bob, t.carol, 1, sender=t.bob),
    )
    _owner(t, c, 1, t.carol)
    receiver = _helper(t, "Receiver")
    _do(t, "approve(dave, 2) sent by bob", lambda: c.approve(t.dave, 2, sender=t.bob))
    _do(
        t,
        "safeTransferFrom(bob, receiver, 2, 'hello') sent by dave, approved for token 2, to a "
        "contract that accepts NFTs",
        lambda: c.safeTransferFrom(t.bob, receiver, 2, b"hello", sender=t.dave),
    )
    _owner(t, c, 2, receiver)
    seen = (
        _who(t, receiver.lastOperator()),
        _who(t, receiver.lastFrom()),
        receiver.lastTokenId(),
        receiver.lastData(),
        receiver.calls(),
    )
    t.expect(
        seen == ("dave", "bob", 2, b"hello", 1),
        "the receiver to be called once with onERC721Received(operator=dave, from=bob, "
        "tokenId=2, data='hello')",
        "(operator, from, tokenId, data, calls) = " + repr(seen),
        "the operator is msg.sender; `from` is the previous owner",
    )


@collectible.check(
    "safeTransferFrom() to a contract that does not accept NFTs reverts", 1, hidden=True
)
def _(t):
    c = t.deploy()
    _mint(t, c, t.bob)
    plain, wrong = _helper(t, "Plain"), _helper(t, "WrongAnswer")
    t.expect_revert(
        lambda: c.safeTransferFrom(t.bob, plain, 1, sender=t.bob),
        "safeTransferFrom to a contract without onERC721Received to revert",
    )
    t.expect_revert(
        lambda: c.safeTransferFrom(t.bob, plain, 1, b"data", sender=t.bob),
        "safeTransferFrom(..., data) to a contract without onERC721Received to revert",
    )
    t.expect_revert(
        lambda: c.safeTransferFrom(t.bob, wrong, 1, sender=t.bob),
        "safeTransferFrom to a contract whose onERC721Received returns the wrong value to revert",
    )
    _owner(t, c, 1, t.bob)


@collectible.check("ownerOf() of a missing token and balanceOf(address(0)) revert", 1, hidden=True)
def _(t):
    c = t.deploy()
    _mint(t, c, t.bob)
    t.expect_revert(lambda: c.ownerOf(0), "ownerOf(0) to revert: token 0 does not exist")
    t.expect_revert(lambda: c.ownerOf(2), "ownerOf(2) to revert: token 2 does not exist yet")
    t.expect_revert(lambda: c.balanceOf(ZERO), "balanceOf(address(0)) to revert")


# --- exercise 2: a vault ----------------------------------------------------------------------

vault = exercise(
    f"{LESSON}/vault",
    "A vault that takes NFTs through safeTransferFrom and gives them back",
    contract="NFTVault",
    hints=[
        "The vault never calls a deposit function: the collection calls the vault's "
        "`onERC721Received(operator, from, tokenId, data)` during safeTransferFrom. Record "
        "`from` there and `return this.onERC721Received.selector;`.",
        "Inside onERC721Received, msg.sender is the collection that is sending the token. "
        "Compare it with the collection given to the constructor and revert if it differs: "
        "anyone can call onERC721Received directly, pretending to deposit.",
        "withdraw(tokenId): revert unless msg.sender is depositorOf(tokenId); clear the record "
        "first, then call the collection's transferFrom or safeTransferFrom(address(this), "
        "msg.sender, tokenId).",
    ],
)


def _setup(t: CheckContext, alices=(1,), bobs=()):
    """A Toys collection with tokens ``alices`` for alice and ``bobs`` for bob, and the vault for
    it."""
    toys = _helper(t, "Toys")
    for who, ids in ((t.alice, alices), (t.bob, bobs)):
        for i in ids:
            toys.mint(who, i, sender=t.alice)
    try:
        v = t.deploy(toys.address)
    except sollab.ArgumentError as exc:
        raise CheckFailed(
            "NFTVault's constructor to take the collection's address", _line(exc)
        ) from None
    return toys, v


def _deposit(t: CheckContext, toys, v, who, token_id: int, sender=None) -> None:
    by = f" sent by {_who(t, sender)}" if sender else ""
    _do(
        t,
        f"safeTransferFrom({_who(t, who)}, vault, {token_id}){by}",
        lambda: toys.safeTransferFrom(who, v, token_id, sender=sender or who),
        "the collection calls the vault's onERC721Received and needs its selector back",
    )


def _depositor(t: CheckContext, v, token_id: int, want) -> None:
    got = _do(t, f"depositorOf({token_id})", lambda: v.depositorOf(token_id))
    t.expect(_same(got, want), f"depositorOf({token_id}) to be {_who(t, want)}", _who(t, got))


@vault.check("safeTransferFrom into the vault: the vault holds it and records the depositor", 2)
def _(t):
    toys, v = _setup(t, bobs=(4,))
    _depositor(t, v, 1, ZERO)
    _deposit(t, toys, v, t.alice, 1)
    _deposit(t, toys, v, t.bob, 4)
    t.expect(_same(toys.ownerOf(1), v), "the vault to own token 1", _who(t, toys.ownerOf(1)))
    _depositor(t, v, 1, t.alice)
    _depositor(t, v, 4, t.bob)
    got = _do(t, "collection()", lambda: v.collection())
    t.expect(_same(got, toys), "collection() to be the address given to the constructor", f"{got}")


@vault.check("a deposit sent by an operator is recorded under the owner, `from`", points=1)
def _(t):
    toys, v = _setup(t, alices=(2,))
    toys.setApprovalForAll(t.carol, True, sender=t.alice)
    _deposit(t, toys, v, t.alice, 2, sender=t.carol)
    got = v.depositorOf(2)
    t.expect(
        _same(got, t.alice),
        "depositorOf(2) to be alice, whose token carol (her operator) sent",
        _who(t, got),
        "`operator` is who called safeTransferFrom; `from` is who owned the token",
    )


@vault.check("withdraw() gives the token back to its depositor and forgets the deposit", 2)
def _(t):
    toys, v = _setup(t)
    _deposit(t, toys, v, t.alice, 1)
    _do(t, "withdraw(1) sent by alice, who deposited it,", lambda: v.withdraw(1, sender=t.alice))
    t.expect(
        _same(toys.ownerOf(1), t.alice), "alice to own token 1 again", _who(t, toys.ownerOf(1))
    )
    _depositor(t, v, 1, ZERO)
    t.expect_revert(lambda: v.withdraw(1, sender=t.alice), "a second withdraw(1) to revert")
    _deposit(t, toys, v, t.alice, 1)
    _depositor(t, v, 1, t.alice)


@vault.check("withdraw() is refused to anyone but the depositor", points=1)
def _(t):
    toys, v = _setup(t, alices=(1, 3))
    _deposit(t, toys, v, t.alice, 1)
    t.expect_revert(
        lambda: v.withdraw(1, sender=t.bob),
        "withdraw(1) sent by bob (alice deposited it) to revert",
    )
    t.expect_revert(
        lambda: v.withdraw(3, sender=t.alice), "withdraw(3) to revert: token 3 is not in the vault"
    )
    t.expect(_same(toys.ownerOf(1), v), "the vault to still hold token 1", _who(t, toys.ownerOf(1)))


@vault.check("the vault accepts its own collection and refuses tokens of another", points=1)
def _(t):
    toys, v = _setup(t)
    other = _helper(t, "Toys")
    other.mint(t.alice, 1, sender=t.alice)
    _deposit(t, toys, v, t.alice, 1)
    t.expect_revert(
        lambda: other.safeTransferFrom(t.alice, v, 1, sender=t.alice),
        "safeTransferFrom of a token from another collection into the vault to revert",
        "in onERC721Received, msg.sender is the collection sending the token",
    )
    _depositor(t, v, 1, t.alice)


@vault.check("calling onERC721Received directly does not fake a deposit", points=1, hidden=True)
def _(t):
    toys, v = _setup(t)
    _deposit(t, toys, v, t.alice, 1)
    for token_id in (1, 4):
        with contextlib.suppress(sollab.LabError):
            v.onERC721Received(t.bob, t.bob, token_id, b"", sender=t.bob)
    _depositor(t, v, 1, t.alice)
    _depositor(t, v, 4, ZERO)


@vault.check("many depositors, many tokens: each takes back only their own", points=1, hidden=True)
def _(t):
    toys, v = _setup(t, alices=(1, 3), bobs=(4, 5))
    for who, token_id in ((t.alice, 1), (t.bob, 4), (t.alice, 3), (t.bob, 5)):
        _deposit(t, toys, v, who, token_id)
    _do(t, "withdraw(4) sent by bob", lambda: v.withdraw(4, sender=t.bob))
    t.expect_revert(lambda: v.withdraw(3, sender=t.bob), "bob's withdraw(3) (alice's) to revert")
    _do(t, "withdraw(3) sent by alice", lambda: v.withdraw(3, sender=t.alice))
    owners = tuple(_who(t, toys.ownerOf(i)) for i in (1, 3, 4, 5))
    want = ("vault", "alice", "bob", "vault")
    got = tuple("vault" if _same(o, v) else o for o in owners)
    t.expect(got == want, f"the owners of tokens 1, 3, 4, 5 to be {want}", f"{got}")
    _depositor(t, v, 1, t.alice)
    _depositor(t, v, 5, t.bob)


# --- exercise 3: a badge drawn on-chain -------------------------------------------------------

badge = exercise(
    f"{LESSON}/badge",
    "Badges that level up, with an on-chain SVG tokenURI",
    contract="Badge",
    hints=[
        "Build the SVG first, as a string (string.concat), then the JSON around it, and "
        "Base64.encode(bytes(...)) each one: the image goes into the JSON as "
        "'data:image/svg+xml;base64,' + base64(svg), the JSON into the URI as "
        "'data:application/json;base64,' + base64(json).",
        "Numbers become text with Strings.toString(n) (or `using Strings for uint256;` and "
        "n.toString()). Decode your own tokenURI in Python (base64.b64decode, json.loads) "
        "before you grade it: a missing quote or comma breaks the whole JSON.",
        'The SVG needs its namespace, `<svg xmlns="http://www.w3.org/2000/svg" ...>`, or '
        "browsers and marketplaces will not draw it; its text comes from the token's state, so "
        "read the level inside tokenURI.",
    ],
)

JSON_PREFIX, SVG_PREFIX = "data:application/json;base64,", "data:image/svg+xml;base64,"


def _uri(t: CheckContext, b, token_id: int) -> str:
    got = _do(t, f"tokenURI({token_id})", lambda: b.tokenURI(token_id))
    t.expect(isinstance(got, str), f"tokenURI({token_id}) to return a string", f"{got!r}")
    return got


def _b64(text: str) -> bytes | None:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None


def _payload(uri: str) -> str:
    """What a data URI carries, read leniently (base64 or not): the later checks judge the JSON
    and the SVG even when the encoding is wrong, which the first check judges."""
    body = uri.split(",", 1)[1] if uri.startswith("data:") and "," in uri else uri
    raw = _b64(body)
    if raw is not None:
        try:
            return raw.decode()
        except UnicodeDecodeError:
            pass
    return body


def _metadata(t: CheckContext, b, token_id: int) -> dict:
    text = _payload(_uri(t, b, token_id))
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise CheckFailed(
            f"tokenURI({token_id}) to carry valid JSON",
            f"{exc} in {text[:120]!r}",
            "print the JSON before encoding it; look for a missing quote, comma or brace",
        ) from None
    t.expect(isinstance(data, dict), "the JSON to be an object {...}", f"{text[:80]!r}")
    return data


def _image(t: CheckContext, b, token_id: int) -> str:
    """The image field, from the JSON or (when the JSON is broken) found in the text."""
    text = _payload(_uri(t, b, token_id))
    try:
        image = json.loads(text).get("image")
    except (ValueError, AttributeError):
        found = re.search(r'"image"\s*:\s*"([^"]*)"', text)
        image = found and found.group(1)
    t.expect(isinstance(image, str), f'tokenURI({token_id})\'s JSON to have an "image" string')
    return image


def _svg(t: CheckContext, image: str, token_id: int) -> ET.Element:
    text = _payload(image)
    try:
        return ET.fromstring(text)
    except ET.ParseError as exc:
        raise CheckFailed(
            f"token {token_id}'s image to be well-formed SVG (XML)",
            f"{exc} in {text[:120]!r}",
            "every tag closed, attribute values in quotes",
        ) from None


def _texts(root: ET.Element) -> list[str]:
    """The text of every <text> element, whitespace collapsed."""
    return [
        " ".join("".join(el.itertext()).split())
        for el in root.iter()
        if el.tag in ("text", f"{{{SVG_NS}}}text")
    ]


def _mint_badges(t: CheckContext, b) -> None:
    _mint(t, b, t.bob)
    _mint(t, b, t.carol)


@badge.check("tokenURI(id) is a data:application/json;base64 URI", points=1)
def _(t):
    b = t.deploy()
    _mint_badges(t, b)
    for token_id in (1, 2):
        uri = _uri(t, b, token_id)
        t.expect(
            uri.startswith(JSON_PREFIX),
            f"tokenURI({token_id}) to start with {JSON_PREFIX!r}",
            f"{uri[:40]!r}",
        )
        raw = _b64(uri[len(JSON_PREFIX) :])
        t.expect(
            raw is not None,
            "the rest of the URI to be base64",
            f"{uri[len(JSON_PREFIX) : len(JSON_PREFIX) + 40]!r}...",
            "Base64.encode(bytes(json))",
        )


@badge.check('its JSON parses, with name "Badge #<id>" and a description', points=2)
def _(t):
    b = t.deploy()
    _mint_badges(t, b)
    for token_id in (1, 2):
        data = _metadata(t, b, token_id)
        t.expect(
            data.get("name") == f"Badge #{token_id}",
            f"token {token_id}'s name to be 'Badge #{token_id}'",
            f"{data.get('name')!r}",
        )
        description = data.get("description")
        t.expect(
            isinstance(description, str) and description.strip(),
            "a non-empty description string",
            f"{description!r}",
        )


@badge.check("its JSON lists the level: attributes [{trait_type: Level, value: n}]", points=1)
def _(t):
    b = t.deploy()
    _mint_badges(t, b)
    _do(t, "levelUp(2) sent by carol, its owner,", lambda: b.levelUp(2, sender=t.carol))
    for token_id, level in ((1, 1), (2, 2)):
        attributes = _metadata(t, b, token_id).get("attributes")
        levels = [
            a.get("value")
            for a in (attributes if isinstance(attributes, list) else [])
            if isinstance(a, dict) and a.get("trait_type") == "Level"
        ]
        t.expect(
            len(levels) == 1 and levels[0] == level and not isinstance(levels[0], bool),
            f'token {token_id}\'s attributes to hold {{"trait_type": "Level", "value": '
            f"{level}}} (a number)",
            f"attributes {json.dumps(attributes)}",
        )


@badge.check("its image is an SVG in a data:image/svg+xml;base64 URI", points=1)
def _(t):
    b = t.deploy()
    _mint_badges(t, b)
    image = _image(t, b, 1)
    t.expect(
        image.startswith(SVG_PREFIX), f"the image to start with {SVG_PREFIX!r}", f"{image[:40]!r}"
    )
    raw = _b64(image[len(SVG_PREFIX) :])
    t.expect(
        raw is not None,
        "the rest of the image URI to be base64",
        f"{image[len(SVG_PREFIX) :][:40]!r}...",
    )
    root = _svg(t, image, 1)
    t.expect(
        root.tag == f"{{{SVG_NS}}}svg",
        f'the root element to be <svg xmlns="{SVG_NS}">',
        f"<{root.tag}>",
        "without the xmlns attribute, browsers do not draw it as SVG",
    )


@badge.check("the SVG shows the badge's id and level, and follows levelUp()", points=2)
def _(t):
    b = t.deploy()
    _mint_badges(t, b)
    for _ in range(2):
        _do(t, "levelUp(2) sent by carol, its owner,", lambda: b.levelUp(2, sender=t.carol))
    for token_id, level in ((1, 1), (2, 3)):
        texts = _texts(_svg(t, _image(t, b, token_id), token_id))
        for want in (f"Badge #{token_id}", f"Level {level}"):
            t.expect(
                want in texts,
                f"token {token_id}'s SVG to have a <text> element reading {want!r}",
                f"its <text> elements read {texts}",
                "build the SVG inside tokenURI from the token's id and its current level",
            )


@badge.check("mint() starts at level 1; only a badge's owner may levelUp() it", points=1)
def _(t):
    b = t.deploy()
    _mint_badges(t, b)
    got = _do(t, "level(1)", lambda: b.level(1))
    t.expect(got == 1, "level(1) to be 1 after mint()", f"{got}")
    t.expect_revert(
        lambda: b.levelUp(1, sender=t.carol), "levelUp(1) sent by carol (bob owns it) to revert"
    )
    _do(t, "levelUp(1) sent by bob", lambda: b.levelUp(1, sender=t.bob))
    got = b.level(1)
    t.expect(got == 2, "level(1) to be 2 after bob's levelUp(1)", f"{got}")


@badge.check(
    "a metadata extension: supportsInterface(0x5b5e139f); no URI for a missing token",
    1,
    hidden=True,
)
def _(t):
    b = t.deploy()
    _mint_badges(t, b)
    got = _do(
        t,
        "supportsInterface(0x5b5e139f)",
        lambda: b.supportsInterface(bytes.fromhex(ERC721_METADATA)),
    )
    t.expect(got is True, "supportsInterface(0x5b5e139f), ERC721Metadata, to be true", f"{got}")
    t.expect_revert(lambda: b.tokenURI(3), "tokenURI(3) to revert: token 3 does not exist")
