"""Lesson 10's checks: the reference answers, one built on OpenZeppelin and others written
differently earn full marks; each typical mistake (approval kept, operator ignored, a limit off by
one, no receiver check, bad base64 or JSON) loses exactly the points of its own checks; stubs and
wrong types score 0 without raising."""

from __future__ import annotations

import pytest
from lessonkit import compiled, failed, from_file, graded, no_crash, variant

LESSON = "10-erc721"
COLLECTIBLE, VAULT, BADGE = f"{LESSON}/collectible", f"{LESSON}/vault", f"{LESSON}/badge"

# the titles of the checks, as the mistakes below lose them
CLEARED = "a transfer clears the token's approval"
OPERATOR = "setApprovalForAll(): an operator may move and approve all the owner's tokens"
TRANSFER_EVENT = "mint and transfer emit Transfer(from, to, tokenId)"
APPROVAL_EVENTS = "approve() emits Approval, setApprovalForAll() emits ApprovalForAll"
PER_ADDRESS = "each address mints at most 3 tokens, also after giving some away"
SUPPLY = "no more than 10 tokens are ever minted"
ERC165_CHECK = "supportsInterface(): yes to ERC-165 and ERC-721, no to 0xffffffff"
SAFE_REFUSES = "safeTransferFrom() to a contract that does not accept NFTs reverts"

_GRADES: dict[tuple[str, str], object] = {}


def grade_of(exercise_id: str, answers: dict, kind: str, chain):
    """``answers[kind]``'s grade, graded once per module (the message tests reuse it)."""
    if (exercise_id, kind) not in _GRADES:
        _GRADES[exercise_id, kind] = graded(exercise_id, answers[kind], chain)
    return _GRADES[exercise_id, kind]


def outcome(exercise_id: str, answers: dict, kind: str, chain) -> tuple[float, list[str]]:
    result = grade_of(exercise_id, answers, kind, chain)
    return float(result), failed(result)


# --- the collectible --------------------------------------------------------------------------

COLLECTIBLE_OZ = """\
// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// Written another way: OpenZeppelin's ERC721 does the standard, this contract only the limits.
import {ERC721} from "@openzeppelin/contracts/token/ERC721/ERC721.sol";

contract Collectible is ERC721 {
    uint256 private _next = 1;
    mapping(address => uint8) private _mints;

    constructor() ERC721("Collectible", "COL") {}

    function mint() external returns (uint256 id) {
        require(_next <= 10, "sold out");
        require(_mints[msg.sender] < 3, "three per address");
        _mints[msg.sender]++;
        id = _next++;
        _safeMint(msg.sender, id);
    }
}
"""


@pytest.fixture(scope="module")
def collectibles():
    c = "Collectible"
    return {
        "reference": from_file("solutions", LESSON, c),
        "openzeppelin": compiled(COLLECTIBLE_OZ, c),
        "approval-kept": variant(LESSON, c, "        delete _approved[tokenId];\n", ""),
        "operator-ignored": variant(
            LESSON,
            c,
            "msg.sender != _approved[tokenId] && !_operators[owner][msg.sender]",
            "msg.sender != _approved[tokenId]",
        ),
        "four-per-address": variant(
            LESSON,
            c,
            "if (mintedBy[msg.sender] == MAX_PER_ADDRESS)",
            "if (mintedBy[msg.sender] > MAX_PER_ADDRESS)",
        ),
        "eleven-tokens": variant(
            LESSON, c, "if (totalMinted == MAX_SUPPLY)", "if (totalMinted > MAX_SUPPLY)"
        ),
        "answer-ignored": variant(
            LESSON,
            c,
            "                if (answer != IERC721Receiver.onERC721Received.selector) revert "
            "NotAReceiver(to);\n",
            "                answer;\n",
            "            } catch {\n                revert NotAReceiver(to);\n            }",
            "            } catch {}",
        ),
        "odd-interface": variant(
            LESSON,
            c,
            " || interfaceId == 0x80ac58cd",
            "",
            "event Transfer(address indexed from, address indexed to, uint256 indexed tokenId);",
            "event Transfer(address indexed from, address indexed to, uint256 tokenId);",
            "        emit Approval(owner, to, tokenId);\n",
            "",
        ),
    }


def test_the_reference_and_openzeppelins_erc721_earn_full_marks(collectibles, module_chain):
    assert outcome(COLLECTIBLE, collectibles, "reference", module_chain) == (15, [])
    assert outcome(COLLECTIBLE, collectibles, "openzeppelin", module_chain) == (15, [])


@pytest.mark.parametrize(
    ("mistake", "lost"),
    [
        ("approval-kept", [CLEARED]),
        ("operator-ignored", [OPERATOR]),
        ("four-per-address", [PER_ADDRESS]),
        ("eleven-tokens", [SUPPLY]),
        ("answer-ignored", [SAFE_REFUSES]),
        # three slips at once (each check fails for one of them): no ERC-721 id in
        # supportsInterface, an unindexed tokenId in Transfer, no Approval event
        ("odd-interface", [TRANSFER_EVENT, APPROVAL_EVENTS, ERC165_CHECK]),
    ],
)
def test_each_collectible_mistake_loses_only_its_checks(collectibles, module_chain, mistake, lost):
    assert outcome(COLLECTIBLE, collectibles, mistake, module_chain) == (15 - len(lost), lost)


def test_a_kept_approval_is_explained_in_words(collectibles, module_chain):
    result = grade_of(COLLECTIBLE, collectibles, "approval-kept", module_chain)
    (message,) = [r.message for r in result.results if not r.passed]
    assert message.startswith(
        "expected getApproved(1) to be address(0) after the transfer; got carol"
    )
    assert "hint: delete the approval whenever the token moves" in message


# --- the vault --------------------------------------------------------------------------------

DEPOSIT = "safeTransferFrom into the vault: the vault holds it and records the depositor"
BY_OPERATOR = "a deposit sent by an operator is recorded under the owner, `from`"
WITHDRAW = "withdraw() gives the token back to its depositor and forgets the deposit"
REFUSED = "withdraw() is refused to anyone but the depositor"
COLLECTION = "the vault accepts its own collection and refuses tokens of another"
FAKED = "calling onERC721Received directly does not fake a deposit"
MANY = "many depositors, many tokens: each takes back only their own"

VAULT_OTHER = """\
// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// Written another way: OpenZeppelin's receiver interface and ERC721Holder, plain transferFrom
/// to give tokens back, require() instead of custom errors.
import {IERC721} from "@openzeppelin/contracts/token/ERC721/IERC721.sol";
import {ERC721Holder} from "@openzeppelin/contracts/token/ERC721/utils/ERC721Holder.sol";

contract NFTVault is ERC721Holder {
    IERC721 public collection;
    mapping(uint256 => address) private _by;

    constructor(IERC721 c) { collection = c; }

    function depositorOf(uint256 id) external view returns (address) { return _by[id]; }

    function onERC721Received(address op, address from, uint256 id, bytes memory data)
        public override returns (bytes4)
    {
        require(msg.sender == address(collection), "not my collection");
        _by[id] = from;
        return super.onERC721Received(op, from, id, data);
    }

    function withdraw(uint256 id) external {
        address who = _by[id];
        require(who == msg.sender, "not yours");
        _by[id] = address(0);
        collection.transferFrom(address(this), who, id);
    }
}
"""


@pytest.fixture(scope="module")
def vaults():
    v = "NFTVault"
    return {
        "reference": from_file("solutions", LESSON, v),
        "other": compiled(VAULT_OTHER, v),
        "operator-as-depositor": variant(
            LESSON,
            v,
            "function onERC721Received(address, address from,",
            "function onERC721Received(address from, address,",
        ),
        "any-collection": variant(
            LESSON,
            v,
            "        if (msg.sender != collection) revert WrongCollection(msg.sender);\n",
            "",
        ),
        "wrong-answer": variant(
            LESSON, v, "return this.onERC721Received.selector;", "return bytes4(0);"
        ),
    }


def test_the_reference_vault_and_one_on_openzeppelins_holder_earn_full_marks(vaults, module_chain):
    assert outcome(VAULT, vaults, "reference", module_chain) == (9, [])
    assert outcome(VAULT, vaults, "other", module_chain) == (9, [])


@pytest.mark.parametrize(
    ("mistake", "points", "lost"),
    [
        ("operator-as-depositor", 8, [BY_OPERATOR]),
        ("any-collection", 7, [COLLECTION, FAKED]),
        ("wrong-answer", 0, [DEPOSIT, BY_OPERATOR, WITHDRAW, REFUSED, COLLECTION, FAKED, MANY]),
    ],
)
def test_each_vault_mistake_loses_only_its_checks(vaults, module_chain, mistake, points, lost):
    assert outcome(VAULT, vaults, mistake, module_chain) == (points, lost)


def test_a_vault_that_answers_wrongly_is_told_why_deposits_fail(vaults, module_chain):
    result = grade_of(VAULT, vaults, "wrong-answer", module_chain)
    message = next(r.message for r in result.results if r.title == DEPOSIT)
    assert "safeTransferFrom(alice, vault, 1) to go through" in message
    assert "needs its selector back" in message


# --- the badge --------------------------------------------------------------------------------

URI = "tokenURI(id) is a data:application/json;base64 URI"
JSON_NAME = 'its JSON parses, with name "Badge #<id>" and a description'
ATTRIBUTES = "its JSON lists the level: attributes [{trait_type: Level, value: n}]"
IMAGE = "its image is an SVG in a data:image/svg+xml;base64 URI"
SVG_STATE = "the SVG shows the badge's id and level, and follows levelUp()"

BADGE_OTHER = """\
// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// Written another way: abi.encodePacked, keys in another order, an extra attribute, the level
/// drawn in a <tspan> inside a group, ids counted from a zero-based counter.
import {ERC721} from "@openzeppelin/contracts/token/ERC721/ERC721.sol";
import {Base64} from "@openzeppelin/contracts/utils/Base64.sol";
import {Strings} from "@openzeppelin/contracts/utils/Strings.sol";

contract Badge is ERC721 {
    uint256 public minted;
    mapping(uint256 => uint256) private _ups;

    constructor() ERC721("Badges", "B") {}

    function mint() external { minted += 1; _safeMint(msg.sender, minted); }

    function level(uint256 id) public view returns (uint256) {
        ownerOf(id);
        return _ups[id] + 1;
    }

    function levelUp(uint256 id) external {
        require(ownerOf(id) == msg.sender, "not your badge");
        _ups[id]++;
    }

    function tokenURI(uint256 id) public view override returns (string memory) {
        string memory n = Strings.toString(id);
        string memory l = Strings.toString(level(id));
        bytes memory svg = abi.encodePacked(
            "<?xml version='1.0'?><svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 100 100'>",
            "<g><circle cx='50' cy='50' r='40' fill='gold'/>",
            "<text x='10' y='40'>Badge  #", n, "</text>",
            "<text x='10' y='70'>Level <tspan font-weight='bold'>", l, "</tspan></text></g></svg>"
        );
        bytes memory json = abi.encodePacked(
            '{"image":"data:image/svg+xml;base64,', Base64.encode(svg),
            '","attributes":[{"trait_type":"Shape","value":"circle"},',
            '{"trait_type":"Level","value":', l, '}],',
            '"name":"Badge #', n, '","description":"Earned, not bought."}'
        );
        return string(abi.encodePacked("data:application/json;base64,", Base64.encode(json)));
    }
}
"""


@pytest.fixture(scope="module")
def badges():
    b = "Badge"
    return {
        "reference": from_file("solutions", LESSON, b),
        "other": compiled(BADGE_OTHER, b),
        "raw-json": variant(
            LESSON,
            b,
            'string.concat("data:application/json;base64,", Base64.encode(bytes(json)))',
            'string.concat("data:application/json;base64,", json)',
        ),
        "broken-json": variant(LESSON, b, '"}]}"', '"},]}"'),
        # the SVG as it is, not base64: the JSON survives only because its quotes are single
        "svg-not-base64": compiled(BADGE_OTHER.replace("Base64.encode(svg)", "svg"), b),
        "static-svg": variant(
            LESSON,
            b,
            '<text x="100" y="130" font-size="32" text-anchor="middle" fill="white">Level \',\n'
            "            lvl,",
            '<text x="100" y="130" font-size="32" text-anchor="middle" fill="white">Level 1\',',
        ),
    }


def test_the_reference_badge_and_another_written_differently_earn_full_marks(badges, module_chain):
    assert outcome(BADGE, badges, "reference", module_chain) == (9, [])
    assert outcome(BADGE, badges, "other", module_chain) == (9, [])


@pytest.mark.parametrize(
    ("mistake", "points", "lost"),
    [
        ("raw-json", 8, [URI]),
        ("broken-json", 6, [JSON_NAME, ATTRIBUTES]),
        ("svg-not-base64", 8, [IMAGE]),
        ("static-svg", 7, [SVG_STATE]),
    ],
)
def test_each_badge_mistake_loses_only_its_checks(badges, module_chain, mistake, points, lost):
    assert outcome(BADGE, badges, mistake, module_chain) == (points, lost)


def test_broken_json_is_reported_with_where_it_broke(badges, module_chain):
    result = grade_of(BADGE, badges, "broken-json", module_chain)
    message = next(r.message for r in result.results if r.title == JSON_NAME)
    assert message.startswith("expected tokenURI(1) to carry valid JSON; got ")
    assert "look for a missing quote, comma or brace" in message


# --- stubs and wrong answers ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("exercise_id", "name"),
    [(COLLECTIBLE, "Collectible"), (VAULT, "NFTVault"), (BADGE, "Badge")],
)
def test_the_starter_and_a_wrong_type_score_zero_without_raising(exercise_id, name, module_chain):
    for answer in (from_file("contracts", LESSON, name), 42, None):
        no_crash(exercise_id, answer, module_chain)
