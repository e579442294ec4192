"""The lab's chain: accounts, deploying, sending Ether, snapshots, time, web3 and the gas cap."""

from __future__ import annotations

import pytest
from eth_utils import is_checksum_address

import sollab as lab
from sollab.chain import ACCOUNT_NAMES, DEFAULT_GAS_CAP, ETHER, Account, Chain
from sollab.errors import ArgumentError, ChainError, LabError, OutOfGas

SOURCE = """\
// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

interface IThing {
    function thing() external view returns (uint256);
}

abstract contract Half {
    function missing() external virtual returns (uint256);
}

contract Vault {
    address public owner;
    uint256 public initial;
    uint256 public received;
    uint256 public stamped;

    constructor(address owner_, uint256 initial_) payable {
        owner = owner_;
        initial = initial_;
    }

    receive() external payable {
        received += msg.value;
    }

    function now_() external view returns (uint256) {
        return block.timestamp;
    }

    function stamp() external {
        stamped = block.timestamp;
    }
}

contract Plain {
    uint256 public x = 1;

    function setX(uint256 x_) external {
        x = x_;
    }
}

contract Looper {
    uint256 public n;

    function spin() external {
        while (true) {
            n += 1;
        }
    }

    function spinView() external pure returns (uint256 i) {
        while (true) {
            i += 1;
        }
    }
}
"""

STRANGER = "0x" + "12" * 20  # a valid address that is none of the chain's accounts


@pytest.fixture(scope="module")
def compiled():
    return lab.compile_source(SOURCE, "Chainy.sol")


@pytest.fixture
def vault(chain, compiled):
    return chain.deploy(compiled["Vault"], chain.bob, 7)


@pytest.fixture
def plain(chain, compiled):
    return chain.deploy(compiled["Plain"])


# --- accounts --------------------------------------------------------------------------------


def test_ten_named_funded_accounts(chain):
    """Does a fresh chain have alice..judy, in order, each holding Ether?"""
    assert [a.name for a in chain.accounts] == ACCOUNT_NAMES
    assert len(chain.accounts) == 10
    assert len(set(chain.accounts)) == 10
    for account in chain.accounts:
        assert chain.balance(account) >= 1000 * ETHER


def test_accounts_by_attribute(chain):
    """Is `chain.bob` the account named bob, and is alice the default sender?"""
    assert chain.bob is chain.accounts[1]
    assert chain.bob.name == "bob"
    assert chain.judy.name == "judy"
    assert chain.default_sender == chain.alice


def test_unknown_account_attribute(chain):
    """Does `chain.zed` raise AttributeError naming the missing account?"""
    with pytest.raises(AttributeError, match="zed"):
        _ = chain.zed


def test_account_is_a_checksummed_str(chain):
    """Is an Account a checksummed address str with a name and a 32-byte private key?"""
    bob = chain.bob
    assert isinstance(bob, Account)
    assert isinstance(bob, str)
    assert is_checksum_address(bob)
    assert bob.address == str(bob)
    assert bob == str(bob)
    assert isinstance(bob.private_key, bytes) and len(bob.private_key) == 32
    assert "bob" in repr(bob)


def test_account_private_key_matches_address(chain):
    """Does each account's private key sign for that very address?"""
    from eth_keys import keys

    for account in chain.accounts[:3]:
        key = keys.PrivateKey(account.private_key)
        assert key.public_key.to_checksum_address() == account


# --- deploying -------------------------------------------------------------------------------


def test_deploy_with_constructor_args(chain, vault):
    """Does deploy pass constructor arguments and record the deploy receipt?"""
    assert vault.owner() == chain.bob
    assert vault.initial() == 7
    assert is_checksum_address(vault.address)
    assert vault.deploy_receipt.status == 1
    assert vault.deploy_receipt.contract_address == vault.address
    assert vault.deploy_receipt.sender == chain.alice
    assert chain.code(vault) != b""


def test_deploy_from_another_sender(chain, compiled):
    """Does deploy(sender=...) send the deploying transaction from that account?"""
    nonce = chain.nonce(chain.carol)
    contract = chain.deploy(compiled["Plain"], sender=chain.carol)
    assert contract.deploy_receipt.sender == chain.carol
    assert chain.nonce(chain.carol) == nonce + 1


def test_deploy_with_value_to_payable_constructor(chain, compiled):
    """Does value= reach a payable constructor, and leave the deployer's balance?"""
    before = chain.balance(chain.alice)
    vault = chain.deploy(compiled["Vault"], chain.alice, 1, value=2 * ETHER)
    assert chain.balance(vault) == 2 * ETHER
    assert chain.balance(chain.alice) <= before - 2 * ETHER


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ((), "takes 2 arguments, got 0"),
        ((STRANGER,), "takes 2 arguments, got 1"),
        (("not an address", 1), "argument 1 `owner_`"),
        ((STRANGER, -1), "argument 2 `initial_`"),
        ((STRANGER, "7"), "argument 2 `initial_`"),
    ],
)
def test_wrong_constructor_arguments(chain, compiled, args, expected):
    """Are a wrong count or wrong types of constructor args a one-line ArgumentError
    naming the constructor's signature?"""
    with pytest.raises(ArgumentError) as info:
        chain.deploy(compiled["Vault"], *args)
    message = str(info.value)
    assert "\n" not in message
    assert "Vault.deploy(address owner_, uint256 initial_)" in message
    assert expected in message
    assert isinstance(info.value, TypeError)


def test_value_to_non_payable_constructor(chain, compiled):
    """Is value= to a non-payable constructor refused before anything is sent?"""
    block = chain.block_number
    with pytest.raises(ArgumentError, match="not payable"):
        chain.deploy(compiled["Plain"], value=1)
    assert chain.block_number == block


@pytest.mark.parametrize("name", ["IThing", "Half"])
def test_deploying_an_interface_or_abstract_contract(chain, compiled, name):
    """Is deploying an interface or abstract contract an ArgumentError that says why?"""
    with pytest.raises(ArgumentError, match="interface or an abstract contract"):
        chain.deploy(compiled[name])


def test_deploy_something_that_is_not_an_artifact(chain):
    """Is deploy("Vault") (a name, not a compiled contract) an ArgumentError?"""
    with pytest.raises(ArgumentError, match="Artifact"):
        chain.deploy("Vault")


def test_at_gives_a_handle_on_a_deployed_contract(chain, compiled, vault):
    """Does chain.at(artifact, address) reach the same deployed contract?"""
    again = chain.at(compiled["Vault"], vault.address)
    assert again.address == vault.address
    assert again.owner() == chain.bob
    assert again == vault


def test_at_accepts_a_lowercase_address(chain, compiled, vault):
    """Does chain.at take a lower-case address and checksum it?"""
    again = chain.at(compiled["Vault"], vault.address.lower())
    assert again.address == vault.address


def test_at_an_address_without_code(chain, compiled):
    """Is chain.at on an address with no code (an account) a ChainError?"""
    with pytest.raises(ChainError, match="no contract"):
        chain.at(compiled["Vault"], chain.carol)
    with pytest.raises(ChainError, match="no contract"):
        chain.at(compiled["Vault"], STRANGER)


# --- sending Ether and balances -------------------------------------------------------------


def test_send_ether_to_an_account(chain):
    """Does send() move exactly `value` wei to an account, the sender paying value + gas?"""
    carol, dave = chain.balance(chain.carol), chain.balance(chain.dave)
    receipt = chain.send(chain.carol, 12345, sender=chain.dave)
    assert receipt.status == 1
    assert receipt.gas_used == 21_000
    assert receipt.sender == chain.dave
    assert chain.balance(chain.carol) == carol + 12345
    assert chain.balance(chain.dave) < dave - 12345


def test_send_ether_to_a_contract_with_receive(chain, vault):
    """Does send() to a contract run its receive() and credit its balance?"""
    receipt = chain.send(vault, 5)
    assert receipt.status == 1
    assert receipt.gas_used > 21_000
    assert vault.received() == 5
    assert chain.balance(vault) == 5


def test_send_negative_value(chain):
    """Is a negative send() an ArgumentError?"""
    with pytest.raises(ArgumentError):
        chain.send(chain.bob, -1)


def test_send_more_than_the_sender_has(chain):
    """Is sending more than the sender's balance an ArgumentError that states the balance?"""
    chain.set_balance(chain.bob, 10)
    with pytest.raises(ArgumentError, match="has 10 wei"):
        chain.send(chain.carol, 11, sender=chain.bob)


def test_set_balance(chain, vault):
    """Does set_balance set the exact balance of an account and of a contract?"""
    chain.set_balance(chain.judy, 123)
    assert chain.balance(chain.judy) == 123
    chain.set_balance(vault, 4 * ETHER)
    assert chain.balance(vault) == 4 * ETHER


def test_balance_of_something_that_is_not_an_address(chain):
    """Is balance("nope") an ArgumentError?"""
    with pytest.raises(ArgumentError, match="must be an address"):
        chain.balance("nope")


# --- senders ---------------------------------------------------------------------------------


def test_with_sender(chain, compiled):
    """Does `with chain.sender(bob):` make bob the sender inside, and alice again after?"""
    with chain.sender(chain.bob) as who:
        assert who == chain.bob
        assert chain.default_sender == chain.bob
        contract = chain.deploy(compiled["Plain"])
        receipt = contract.setX(5)
    assert contract.deploy_receipt.sender == chain.bob
    assert receipt.sender == chain.bob
    assert chain.default_sender == chain.alice


def test_with_sender_restored_after_an_error(chain):
    """Is the default sender restored when the `with chain.sender(...)` body raises?"""
    with pytest.raises(ZeroDivisionError), chain.sender(chain.eve):
        1 / 0  # noqa: B018
    assert chain.default_sender == chain.alice


def test_sender_that_is_not_a_chain_account(chain, plain):
    """Is a transaction from an address the chain holds no key for an ArgumentError?"""
    with pytest.raises(ArgumentError, match="not one of the chain's accounts"):
        plain.setX(2, sender=STRANGER)
    with (
        pytest.raises(ArgumentError, match="not one of the chain's accounts"),
        chain.sender(STRANGER),
    ):
        plain.setX(2)
    with pytest.raises(ArgumentError, match="not one of the chain's accounts"):
        chain.send(chain.bob, 1, sender=STRANGER)
    assert plain.x() == 1


def test_view_call_from_any_address(chain, vault):
    """Can a view be called "from" an address that is not a chain account (no signature)?"""
    assert vault.initial(sender=STRANGER) == 7


# --- snapshots -------------------------------------------------------------------------------


def test_anchor_undoes_state(chain, plain):
    """Does `with chain.anchor():` undo storage, balances and blocks on the way out?"""
    block = chain.block_number
    bob = chain.balance(chain.bob)
    with chain.anchor():
        plain.setX(99)
        chain.send(chain.carol, ETHER, sender=chain.bob)
        assert plain.x() == 99
        assert chain.balance(chain.bob) < bob
    assert plain.x() == 1
    assert chain.balance(chain.bob) == bob
    assert chain.block_number <= block + 1  # at most the empty block the snapshot mined


def test_anchor_undoes_a_deploy(chain, compiled):
    """Is a contract deployed inside an anchor gone after it?"""
    with chain.anchor():
        contract = chain.deploy(compiled["Plain"])
        assert chain.code(contract) != b""
    assert chain.code(contract) == b""


def test_nested_anchors(chain, plain):
    """Does each nested anchor undo only its own changes?"""
    with chain.anchor():
        plain.setX(2)
        with chain.anchor():
            plain.setX(3)
            assert plain.x() == 3
        assert plain.x() == 2
    assert plain.x() == 1


def test_anchor_undoes_on_an_exception(chain, plain):
    """Is the state undone when the anchor's body raises?"""
    with pytest.raises(RuntimeError), chain.anchor():
        plain.setX(42)
        raise RuntimeError("boom")
    assert plain.x() == 1


def test_anchor_restores_the_sender(chain):
    """Is the default sender restored by an anchor, even if changed inside it?"""
    with chain.anchor():
        chain._default_sender = chain.eve  # as if a `with chain.sender` was left open
    assert chain.default_sender == chain.alice
    with chain.sender(chain.bob):
        with chain.anchor(), chain.sender(chain.carol):
            assert chain.default_sender == chain.carol
        assert chain.default_sender == chain.bob


def test_snapshot_and_revert(chain, plain):
    """Do snapshot()/revert() undo what happened in between?"""
    snap = chain.snapshot()
    plain.setX(8)
    chain.revert(snap)
    assert plain.x() == 1


def test_revert_to_an_unknown_snapshot(chain):
    """Is reverting to a snapshot the chain never took a ChainError?"""
    with pytest.raises(ChainError, match="does not exist"):
        chain.revert("no-such-snapshot")


# --- blocks and time -------------------------------------------------------------------------


def test_mine(chain):
    """Does mine() add one block, and mine(n) n blocks?"""
    block = chain.block_number
    chain.mine()
    assert chain.block_number == block + 1
    chain.mine(3)
    assert chain.block_number == block + 4


def test_mine_zero_blocks(chain):
    """Is mine(0) a ChainError?"""
    with pytest.raises(ChainError, match="positive"):
        chain.mine(0)


def test_transactions_mine_blocks(chain, plain):
    """Is every transaction mined in its own block, reported in its receipt?"""
    first = plain.setX(2)
    second = plain.setX(3)
    assert second.block_number == first.block_number + 1
    assert chain.block_number >= second.block_number


def test_time_travel_seconds(chain, vault):
    """After time_travel(seconds=3600), does the next block's block.timestamp move 3600 s on?"""
    start = chain.timestamp
    target = chain.time_travel(seconds=3600)
    assert target == start + 3600
    assert chain.timestamp == start + 3600
    vault.stamp()
    assert vault.stamped() == start + 3600
    assert vault.now_() == start + 3600


def test_time_travels_add_up_exactly(chain, vault):
    """Do two time_travel(seconds=S) in a row move the next block exactly 2*S on?"""
    start = chain.timestamp
    chain.time_travel(seconds=100)
    chain.time_travel(seconds=100)
    vault.stamp()
    assert vault.stamped() == start + 200


def test_time_travel_to(chain, vault):
    """After time_travel(to=t), does the next transaction see block.timestamp == t?"""
    target = chain.timestamp + 10 * 86400
    assert chain.time_travel(to=target) == target
    vault.stamp()
    assert vault.stamped() == target


def test_time_travel_one_second(chain, vault):
    """Is the smallest step, time_travel(seconds=1), accepted?"""
    start = chain.timestamp
    chain.time_travel(seconds=1)
    vault.stamp()
    assert vault.stamped() == start + 1


def test_time_travel_back_in_time(chain):
    """Is travelling back (to= an earlier time, or seconds <= 0) a ChainError?"""
    now = chain.timestamp
    with pytest.raises(ChainError, match="back in time"):
        chain.time_travel(to=now - 10)
    with pytest.raises(ChainError, match="cannot go back"):
        chain.time_travel(seconds=-5)
    with pytest.raises(ChainError, match="cannot go back"):
        chain.time_travel(seconds=0)
    assert chain.timestamp == now


def test_time_travel_needs_one_argument(chain):
    """Is time_travel() with neither or both of seconds= and to= a ChainError?"""
    with pytest.raises(ChainError, match="exactly one"):
        chain.time_travel()
    with pytest.raises(ChainError, match="exactly one"):
        chain.time_travel(5, to=chain.timestamp + 10)


def test_anchor_undoes_time_travel(chain):
    """Does an anchor undo a time travel?"""
    start = chain.timestamp
    with chain.anchor():
        chain.time_travel(seconds=86400)
        chain.mine()
        assert chain.timestamp >= start + 86400
    assert chain.timestamp < start + 86400


# --- web3 ------------------------------------------------------------------------------------


def test_w3_sees_the_same_chain(chain, vault):
    """Does chain.w3 see the lab's blocks, balances and deployed code?"""
    w3 = chain.w3
    assert w3 is chain.w3
    assert w3.eth.block_number == chain.block_number
    chain.send(chain.carol, 777)
    assert w3.eth.block_number == chain.block_number
    assert w3.eth.get_balance(chain.carol) == chain.balance(chain.carol)
    chain.set_balance(chain.judy, 55)
    assert w3.eth.get_balance(chain.judy) == 55
    assert bytes(w3.eth.get_code(vault.address)) == chain.code(vault)
    assert len(chain.code(vault)) > 0
    assert set(w3.eth.accounts) >= {chain.alice.address, chain.bob.address}


def test_w3_reads_a_contract_deployed_through_the_lab(chain, compiled, vault):
    """Can web3 call a view of a contract the lab deployed?"""
    handle = chain.w3.eth.contract(address=vault.address, abi=compiled["Vault"].abi)
    assert handle.functions.initial().call() == 7
    assert handle.functions.owner().call() == chain.bob


def test_lab_sees_a_web3_transaction(chain):
    """Does a transaction sent through chain.w3 show up in the lab's balances and blocks?"""
    before = chain.balance(chain.heidi)
    tx = chain.w3.eth.send_transaction({"from": chain.alice, "to": chain.heidi, "value": 99})
    chain.w3.eth.wait_for_transaction_receipt(tx)
    assert chain.balance(chain.heidi) == before + 99
    assert chain.w3.eth.block_number == chain.block_number


@pytest.mark.parametrize(
    ("tx", "said"),
    [
        ({"value": 1, "nonce": 0}, "Invalid transaction nonce: Expected 1, but got 0"),
        ({"value": 10**6 * ETHER, "gas": 21_000}, "balance"),
    ],
    ids=["reused-nonce", "cannot-pay"],
)
def test_a_transaction_web3_sends_that_the_chain_refuses_is_one_line(chain, tx, said):
    """Does a refused transaction through chain.w3 raise one line (a LabError that is also
    web3's Web3RPCError, as a node's answer would be) instead of py-evm's traceback?"""
    from web3.exceptions import Web3RPCError

    chain.w3.eth.send_transaction({"from": chain.alice, "to": chain.bob, "value": 1})
    with pytest.raises(ChainError) as raised:
        chain.w3.eth.send_transaction({"from": chain.alice, "to": chain.bob, **tx})
    assert isinstance(raised.value, Web3RPCError)
    assert str(raised.value).startswith("the chain rejected the transaction: ")
    assert said in str(raised.value)
    assert "\n" not in str(raised.value)
    assert raised.value.__cause__ is None and raised.value.__suppress_context__


# --- gas -------------------------------------------------------------------------------------


@pytest.fixture
def looper(chain, compiled):
    return chain.deploy(compiled["Looper"])


def test_gas_cap_default(chain):
    """Does a new chain cap every call and transaction at DEFAULT_GAS_CAP?"""
    assert chain.gas_cap == DEFAULT_GAS_CAP


@pytest.mark.slow
def test_endless_loop_transaction_runs_out_of_gas(chain, looper, plain):
    """Does an endless loop in a transaction raise OutOfGas (a LabError), and the chain
    keep working afterwards?"""
    with pytest.raises(OutOfGas, match="ran out of gas") as info:
        looper.spin()
    assert isinstance(info.value, LabError)
    assert f"{DEFAULT_GAS_CAP:,}" in str(info.value)
    assert looper.n() == 0
    plain.setX(3)
    assert plain.x() == 3


@pytest.mark.slow
def test_endless_loop_view_runs_out_of_gas(chain, looper, plain):
    """Does an endless loop in a view call raise OutOfGas, and the chain keep working?"""
    with pytest.raises(OutOfGas):
        looper.spinView()
    plain.setX(4)
    assert plain.x() == 4


def test_lower_gas_cap_on_the_chain(compiled):
    """Does Chain(gas_cap=...) apply to every transaction?"""
    small = Chain(gas_cap=200_000)
    looper = small.deploy(compiled["Looper"])
    with pytest.raises(OutOfGas, match="200,000"):
        looper.spin()


def test_explicit_gas_lower_than_needed(chain, vault):
    """Is gas= below what a transaction needs OutOfGas, with a failed, mined receipt?"""
    with pytest.raises(OutOfGas, match="25,000"):
        vault.stamp(gas=25_000)
    assert vault.stamped() == 0
    vault.stamp()
    assert vault.stamped() > 0


def test_explicit_gas_lower_than_needed_in_a_call(chain, vault):
    """Is gas= too low for a view call OutOfGas, and below the intrinsic cost a LabError?"""
    with pytest.raises(OutOfGas):
        vault.now_(gas=21_300)  # above the 21,160 a 4-byte call needs (EIP-7623)
    with pytest.raises(LabError):
        vault.now_(gas=2_000)
    with pytest.raises(LabError):
        vault.stamp(gas=2_000)
    assert vault.now_() > 0


def test_non_positive_gas(chain, vault):
    """Is gas=0 an ArgumentError?"""
    with pytest.raises(ArgumentError, match="gas"):
        vault.stamp(gas=0)


# --- the `import sollab as lab` facade -------------------------------------------------------


def test_facade_chain_has_the_accounts():
    """Does lab.chain behave like the kernel's Chain (accounts, balances)?"""
    assert isinstance(lab.get_chain(), Chain)
    assert lab.chain.alice == lab.get_chain().alice
    assert lab.chain.balance(lab.chain.bob) > 0
    assert lab.chain.block_number == lab.get_chain().block_number


def test_facade_deploy_uses_the_kernel_chain(compiled):
    """Does lab.deploy deploy onto lab.chain?"""
    contract = lab.deploy(compiled["Vault"], lab.chain.carol, 3)
    assert contract.chain is lab.get_chain()
    assert contract.initial() == 3
    assert lab.chain.code(contract.address) != b""


def test_facade_reset(compiled):
    """Does lab.reset() give a fresh Chain (a new object) where old contracts are gone?"""
    old_chain = lab.get_chain()
    contract = lab.deploy(compiled["Plain"])
    contract.setX(5)
    new_chain = lab.reset()
    assert isinstance(new_chain, Chain)
    assert new_chain is not old_chain
    assert lab.get_chain() is new_chain
    assert lab.chain.code(contract.address) == b""
    assert lab.chain.block_number < old_chain.block_number
    assert old_chain.code(contract.address) != b""  # the old chain object is untouched


def test_chain_repr(chain, vault):
    """Does repr(chain) show the backend, block and counts?"""
    text = repr(chain)
    assert "pyevm" in text
    assert "10 accounts" in text
    assert "1 contracts" in text


def test_the_chain_module_stays_importable_beside_lab_chain():
    """`lab.chain` is the kernel's chain; does `import sollab.chain as c` still reach the
    module's names (the class, the constants)?"""
    import sollab.chain as module
    from sollab.chain import Chain as ChainClass

    assert module.Chain is ChainClass
    assert module.DEFAULT_GAS_CAP == 6_000_000
    assert lab.chain.alice == lab.get_chain().alice
