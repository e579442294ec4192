"""Rich notebook displays: each `_repr_html_` is well-formed HTML that states the right facts."""

from __future__ import annotations

import dataclasses
from html.parser import HTMLParser

import pytest

import sollab as lab
from sollab.errors import CompileError, CustomError, OutOfGas, RevertError

SOURCE = """\
// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

interface IShop {
    function stock() external view returns (uint256);
}

abstract contract HalfShop {
    constructor(uint256 seed) {}

    function todo() external virtual;
}

contract Shop {
    uint256 public stock;
    address public owner;
    string public motto = "buy <b>now</b>";

    event Sold(address indexed buyer, uint256 amount);

    error SoldOut(uint256 wanted, uint256 left);

    constructor(uint256 stock_, address owner_) payable {
        stock = stock_;
        owner = owner_;
    }

    function buy(uint256 amount) external payable returns (uint256 left) {
        if (amount > stock) revert SoldOut(amount, stock);
        stock -= amount;
        emit Sold(msg.sender, amount);
        return stock;
    }

    function price(uint256 amount) external pure returns (uint256) {
        return amount * 3;
    }

    function closed() external view returns (bool) {
        require(stock > 1000, "not yet");
        return true;
    }

    function sabotage() external {
        revert("<script>alert(1)</script>");
    }
}
"""


class _Page(HTMLParser):
    """Parses a display: records tag nesting problems, the tags seen and the visible text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.problems: list[str] = []
        self.tags: list[str] = []
        self.chunks: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.stack.append(tag)
        self.tags.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.problems.append(f"</{tag}> closes {self.stack[-1:] or 'nothing'}")
        else:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        if "style" not in self.stack:
            self.chunks.append(data)

    @property
    def text(self) -> str:
        return "".join(self.chunks).replace("\xa0", " ")


def page(html: str) -> _Page:
    """Parse `html`, asserting every element opened is closed in order."""
    parsed = _Page()
    parsed.feed(html)
    parsed.close()
    assert parsed.problems == []
    assert parsed.stack == []
    return parsed


@pytest.fixture(scope="module")
def compiled():
    return lab.compile_source(SOURCE, "Shop.sol")


@pytest.fixture(scope="module")
def shop(module_chain, compiled):
    return module_chain.deploy(compiled["Shop"], 10, module_chain.bob, value=1234)


# --- the page checker itself -------------------------------------------------------------------


def test_page_checker_catches_unbalanced_tags():
    """Does the checker used below reject misnested and unclosed tags (so its passes mean
    something)?"""
    for bad in ("<div><b>x</div></b>", "<div><table>", "</div>"):
        parsed = _Page()
        parsed.feed(bad)
        parsed.close()
        assert parsed.problems or parsed.stack


# --- compiled contracts ------------------------------------------------------------------------


def test_artifact_lists_functions_with_signatures_mutability_and_returns(compiled):
    """Does a contract's display list each function with its signature, mutability and
    return types?"""
    parsed = page(compiled["Shop"]._repr_html_())
    text = parsed.text
    assert "table" in parsed.tags
    for expected in (
        "buy(uint256 amount)payableuint256",
        "price(uint256 amount)pureuint256",
        "closed()viewbool",
        "sabotage()nonpayable",
        "stock()viewuint256",
        "owner()viewaddress",
        "motto()viewstring",
    ):
        assert expected in text


def test_artifact_shows_events_errors_size_and_deploy_signature(compiled):
    """Does it show the events, the custom errors, the deployed size in bytes and the
    constructor as `Shop.deploy(...)`?"""
    artifact = compiled["Shop"]
    text = page(artifact._repr_html_()).text
    assert "events: Sold(address buyer, uint256 amount)" in text
    assert "errors: SoldOut(uint256 wanted, uint256 left)" in text
    size = len(bytes.fromhex(artifact.deployed_bytecode[2:]))
    assert f"{size:,} bytes of deployed code" in text
    assert "over the" not in text
    assert "deploy with Shop.deploy(uint256 stock_, address owner_)" in text
    assert "Shop.sol" in text and "solc 0.8." in text


def test_artifact_over_the_size_limit_is_flagged(compiled):
    """Is deployed code over 24,576 bytes (EIP-170) flagged?"""
    big = dataclasses.replace(compiled["Shop"], deployed_bytecode="0x" + "00" * 25_000)
    text = page(big._repr_html_()).text
    assert "25,000 bytes of deployed code" in text
    assert "over the 24,576-byte limit" in text


def test_interface_has_no_code_to_deploy(compiled):
    """Does an interface say it has no code to deploy, and offer no `deploy with`?"""
    text = page(compiled["IShop"]._repr_html_()).text
    assert "no code to deploy" in text
    assert "deploy with" not in text
    assert "stock()viewuint256" in text


def test_abstract_contract_offers_no_deploy_signature(compiled):
    """Does an abstract contract with a constructor say it has no code to deploy without also
    offering `HalfShop.deploy(uint256 seed)` (solc leaves the constructor out of its ABI)?"""
    text = page(compiled["HalfShop"]._repr_html_()).text
    assert "no code to deploy" in text
    assert "deploy with" not in text


def test_contract_factory_shows_its_artifact(compiled, module_chain):
    """Does a ContractFactory (what `%%solidity` binds) display as its artifact?"""
    factory = lab.ContractFactory(compiled["Shop"], module_chain)
    assert factory._repr_html_() == compiled["Shop"]._repr_html_()


# --- deployed contracts and receipts -----------------------------------------------------------


def test_contract_shows_address_balance_and_view_values(shop, module_chain):
    """Does a contract handle show its address, balance and the current value of each public
    no-argument view (escaped), and not the views that need arguments?"""
    parsed = page(shop._repr_html_())
    text = parsed.text
    assert f"Shop at {shop.address}" in text
    assert "balance 1,234 wei" in text
    assert "stock()10" in text
    assert f"owner()'{module_chain.bob.address}'" in text
    assert "motto()'buy <b>now</b>'" in text  # as text: the tags were escaped
    assert "b" not in parsed.tags[parsed.tags.index("table") :]
    assert "price(" not in text and "buy(" not in text


def test_contract_view_that_reverts_shows_the_error_name(shop):
    """Is a view that reverts shown as its error's name rather than raised?"""
    text = page(shop._repr_html_()).text
    assert "closed()RevertError" in text


def test_receipt_shows_status_gas_events_and_return_value(shop):
    """Does a receipt show success, the gas used, the decoded event with its arguments and
    the function's return value?"""
    receipt = shop.buy(2, sender=shop.chain.carol)
    text = page(receipt._repr_html_()).text
    assert "Shop.buy(uint256 amount): success" in text
    assert f"gas used {receipt.gas_used:,}" in text
    assert f"block {receipt.block_number}" in text
    assert receipt.tx_hash in text
    assert "returned 8" in text
    assert f"Soldbuyer='{shop.chain.carol.address}', amount=2" in text


def test_deploy_receipt_shows_the_created_address(shop):
    """Does a deploy receipt say `deploy` and show the created contract's address?"""
    text = page(shop.deploy_receipt._repr_html_()).text
    assert "deploy: success" in text
    assert f"created {shop.address}" in text


def test_failed_receipt_shows_reverted(shop):
    """Does the receipt of a reverted transaction say `reverted`, not `success`?"""
    with pytest.raises(CustomError) as info:
        shop.buy(1_000)
    receipt = info.value.receipt
    text = page(receipt._repr_html_()).text
    assert "Shop.buy(uint256 amount): reverted" in text
    assert "success" not in text


# --- errors ------------------------------------------------------------------------------------

BROKEN = """\
pragma solidity ^0.8.24;

contract Broken {
    function f() external pure returns (uint256) {
        return undefinedThing;
    }
}
"""


def test_compile_error_shows_line_caret_hint_and_collapsed_warnings():
    """Does a CompileError show each error with its line, a caret and its hint, and the
    warnings collapsed in <details>?"""
    with pytest.raises(CompileError) as info:
        lab.compile_source(BROKEN, "Broken.sol")
    html = info.value._repr_html_()
    parsed = page(html)
    text = parsed.text
    assert "1 compile error" in text
    assert "DeclarationError: Undeclared identifier." in text
    assert "at Broken.sol:5:16" in text
    assert "5 |         return undefinedThing;" in text
    assert "^" * len("undefinedThing") in text
    assert "hint:" in text
    details = html[html.index("<details>") : html.index("</details>")]
    assert "<summary" in details and "SPDX" in details
    assert "undefinedThing" not in details  # the error itself is not collapsed


def test_compile_error_shows_three_errors_and_counts_the_rest():
    """Does a compile with five errors show three and say how many more there are?"""
    body = "".join(f"        uint256 v{i} = missing{i};\n" for i in range(5))
    source = (
        "// SPDX-License-Identifier: MIT\npragma solidity ^0.8.24;\n"
        f"contract Many {{\n    function f() external pure {{\n{body}    }}\n}}\n"
    )
    with pytest.raises(CompileError) as info:
        lab.compile_source(source, "Many.sol")
    text = page(info.value._repr_html_()).text
    assert "5 compile errors" in text
    assert "missing2" in text and "missing3" not in text
    assert "... and 2 more error(s)" in text


def test_revert_shows_class_message_and_solidity_location(shop):
    """Does a revert's HTML show its class, message, and the Solidity line that reverted?"""
    with pytest.raises(RevertError) as info:
        shop.closed()
    text = page(info.value._repr_html_()).text
    assert "RevertError: Shop.closed() reverted: 'not yet'" in text
    location = info.value.location
    assert f"at Shop.sol:{location.line}:{location.column}" in text
    assert 'require(stock > 1000, "not yet");' in text
    assert "^^^" in text


def test_error_without_a_location_shows_class_and_message(shop):
    """Does a lab error with no Solidity location still show its class and message?"""
    error = OutOfGas("spin() ran out of gas")
    text = page(error._repr_html_()).text
    assert text == "OutOfGas: spin() ran out of gas"


def test_script_in_a_revert_string_is_escaped(shop):
    """Does a revert string containing `<script>` come out escaped (in the message, in the
    source snippet, and in the failed receipt), never as a tag?"""
    with pytest.raises(RevertError) as info:
        shop.sabotage()
    html = info.value._repr_html_()
    parsed = page(html)
    assert "script" not in parsed.tags
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "'<script>alert(1)</script>'" in parsed.text
    assert "<script>" not in info.value.receipt._repr_html_()
