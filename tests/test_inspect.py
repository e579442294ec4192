"""Looking inside contracts: bytecode as instructions, storage as decoded Solidity variables."""

from __future__ import annotations

import dataclasses
import itertools

import pytest
from eth_utils import keccak, to_checksum_address

import sollab as lab
from sollab.contracts import Contract
from sollab.errors import ArgumentError, InspectError, LabError
from sollab.inspect import Disassembly, StorageMapping, disassemble, storage

SOURCE = """\
// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

type Price is int64;

contract Token {}

contract Layout {
    enum Status { Idle, Active, Closed }
    struct Packed { uint8 level; bool ok; address who; uint16 score; }
    struct Person { string name; uint64 age; bool active; Packed inner; uint32[3] marks; }

    uint8 public small;        // slot 0, offset 0
    bool public flag;          // slot 0, offset 1
    address public owner;      // slot 0, offset 2
    int16 public neg;          // slot 0, offset 22
    Status public status;      // slot 0, offset 24
    uint256 public big;        // slot 1
    int256 public negBig;      // slot 2
    bytes32 public hash;       // slot 3
    string public shortText;   // slot 4
    string public longText;    // slot 5
    bytes public blob;         // slot 6
    Token public token;        // slot 7
    Packed public packed;      // slot 8
    Person internal person;    // slots 9-12
    mapping(address => uint256) public balances;                       // slot 13
    mapping(address => mapping(address => uint256)) public allowance;  // slot 14
    mapping(string => uint256) public byName;                          // slot 15
    mapping(uint256 => Packed) public packedById;                      // slot 16
    uint8[] public tiny;       // slot 17
    Packed[] public list;      // slot 18
    uint16[5] public fixedArr; // slot 19
    Price public price;        // slot 20

    function fill(address other) external {
        small = 200;
        flag = true;
        owner = msg.sender;
        neg = -1234;
        status = Status.Closed;
        big = type(uint256).max - 5;
        negBig = -42;
        hash = keccak256("lab");
        shortText = "hello";
        longText = "a string longer than thirty-one bytes is stored at keccak256(slot)";
        blob = hex"deadbeef";
        token = new Token();
        packed = Packed(7, true, other, 65000);
        person.name = "Ada Lovelace";
        person.age = 36;
        person.active = true;
        person.inner = Packed(3, false, msg.sender, 9);
        person.marks = [uint32(90), 85, 77];
        balances[msg.sender] = 1000;
        balances[other] = 5;
        allowance[msg.sender][other] = 77;
        byName["ada"] = 1815;
        packedById[42] = Packed(1, true, other, 2);
        for (uint8 i = 0; i < 40; i++) tiny.push(i * 3);
        list.push(Packed(4, true, msg.sender, 500));
        list.push(Packed(5, false, other, 600));
        fixedArr = [uint16(1), 2, 3, 4, 65535];
        price = Price.wrap(-3);
    }

    function getPerson() external view returns (Person memory) {
        return person;
    }

    function tinyLength() external view returns (uint256) {
        return tiny.length;
    }
}
"""

SLOT = {"balances": 13, "allowance": 14, "byName": 15, "packedById": 16, "tiny": 17, "list": 18}


@pytest.fixture(scope="module")
def compiled():
    return lab.compile_source(SOURCE, "Layout.sol")


@pytest.fixture(scope="module")
def layout(module_chain, compiled):
    contract = module_chain.deploy(compiled["Layout"])
    contract.fill(module_chain.bob)
    return contract


def raw_slot(contract: Contract, slot: int) -> int:
    """What eth_getStorageAt says (through web3, not through sollab's chain)."""
    data = contract.chain.w3.eth.get_storage_at(contract.address, slot)
    return int.from_bytes(bytes(data), "big")


def word(n: int) -> bytes:
    return n.to_bytes(32, "big")


def h(data: bytes) -> int:
    return int.from_bytes(keccak(data), "big")


def field(slot_value: int, offset: int, size: int) -> int:
    return (slot_value >> (8 * offset)) & ((1 << (8 * size)) - 1)


# --- disassembly ----------------------------------------------------------------------------


def test_hand_made_bytecode():
    """Is 0x6080604052 PUSH1 0x80, PUSH1 0x40, MSTORE at pcs 0, 2, 4?"""
    dis = disassemble("0x6080604052")
    assert [(i.pc, i.name, i.push_hex) for i in dis] == [
        (0, "PUSH1", "0x80"),
        (2, "PUSH1", "0x40"),
        (4, "MSTORE", None),
    ]
    assert dis[0].push_value == 0x80
    assert dis[0].gas == 3
    assert str(dis).splitlines() == ["0x0000  PUSH1 0x80", "0x0002  PUSH1 0x40", "0x0004  MSTORE"]
    assert dis.metadata is None


def test_bytes_and_hex_give_the_same_disassembly():
    """Do bytes and a hex string without 0x disassemble the same way?"""
    assert str(disassemble(bytes.fromhex("6080604052"))) == str(disassemble("6080604052"))


def test_push_data_truncated_at_the_end():
    """Is a PUSH2 with only one byte left marked truncated, the missing byte read as zero?"""
    (ins,) = disassemble("0x61ff")
    assert ins.name == "PUSH2"
    assert ins.push_data == b"\xff"
    assert ins.truncated
    assert ins.push_value == 0xFF00
    assert "truncated" in str(ins)


def test_push0_and_new_opcodes():
    """Are PUSH0 (no data) and the Cancun opcodes named, and an unknown byte INVALID(0x..)?"""
    dis = disassemble("0x5f5c5d5e494a0c")
    assert [i.name for i in dis] == [
        "PUSH0",
        "TLOAD",
        "TSTORE",
        "MCOPY",
        "BLOBHASH",
        "BLOBBASEFEE",
        "INVALID(0x0c)",
    ]
    assert dis[0].push_data == b""
    assert dis[0].push_value == 0
    assert str(dis[0]) == "0x0000  PUSH0"


def test_jump_targets():
    """Is a PUSH+JUMP to a JUMPDEST valid, and one to a STOP or into PUSH data not?"""
    good = disassemble("0x6003565b00")  # PUSH1 3, JUMP, JUMPDEST, STOP
    assert good[0].jump_target == 3 and good[0].jump_valid
    assert good[1].jump_target == 3  # the JUMP knows its target too
    assert good.at(3).is_jumpdest
    bad = disassemble("0x6004565b00")  # lands on STOP
    assert bad[0].jump_target == 4 and bad[0].jump_valid is False
    assert "NOT a JUMPDEST" in str(bad[0])
    inside = disassemble("0x600457605b00")  # a 0x5b inside PUSH1's data is no JUMPDEST
    assert inside[0].jump_valid is False
    assert disassemble("0x600101")[0].jump_target is None  # not followed by a jump


def test_lookup_by_pc():
    """Does at(pc) find an instruction, and is a pc inside push data an InspectError?"""
    dis = disassemble("0x6080604052")
    assert dis.at(4).name == "MSTORE"
    with pytest.raises(InspectError, match="inside the data of PUSH1"):
        dis.at(1)
    assert [i.pc for i in dis.find("push1")] == [0, 2]


def test_metadata_trailer_is_split_off():
    """Is solc's CBOR trailer (length in the last 2 bytes) shown as metadata, not as code?"""
    cbor = bytes.fromhex("a1") + b"\x64solc" + bytes.fromhex("4300081e")
    code = bytes.fromhex("6080604052fe") + cbor + len(cbor).to_bytes(2, "big")
    dis = disassemble(code)
    assert [i.name for i in dis] == ["PUSH1", "PUSH1", "MSTORE", "INVALID"]
    assert dis.metadata is not None
    assert dis.metadata.pc == 6
    assert dis.metadata.fields == {"solc": "0.8.30"}
    assert str(dis).splitlines()[-1].startswith("0x0006  metadata")


def test_a_compiled_contract(compiled, layout):
    """Does real solc output disassemble with every `PUSH2 x JUMP` landing on a JUMPDEST,
    its metadata split off, and the on-chain code giving the same instructions?"""
    dis = disassemble(compiled["Layout"])
    assert isinstance(dis, Disassembly)
    jumps = [
        push
        for push, nxt in itertools.pairwise(dis)
        if push.name == "PUSH2" and nxt.name in ("JUMP", "JUMPI")
    ]
    assert len(jumps) > 10
    assert all(push.jump_valid for push in jumps)
    assert dis.metadata is not None
    assert "ipfs" in dis.metadata.fields
    assert dis.metadata.fields["solc"] == compiled["Layout"].solc_version.split("+")[0]
    on_chain = disassemble(layout)
    assert [(i.pc, i.name) for i in on_chain] == [(i.pc, i.name) for i in dis]
    html = dis._repr_html_()
    assert "<table>" in html and "href=" in html and "metadata" in html


def test_disassemble_rejects_what_is_not_code(compiled):
    """Are a non-hex string, an interface-like artifact and a number ArgumentErrors?"""
    with pytest.raises(ArgumentError, match="not hex"):
        disassemble("hello")
    with pytest.raises(ArgumentError, match="takes bytes"):
        disassemble(42)
    empty = dataclasses.replace(compiled["Token"], bytecode="0x", deployed_bytecode="0x")
    with pytest.raises(ArgumentError, match="no code"):
        disassemble(empty)


# --- storage: the acceptance criterion ------------------------------------------------------


def test_storage_decoding_matches_getters_and_eth_getStorageAt(layout, module_chain):
    """Storage decoding matches eth_getStorageAt for uint, bool, address, packed structs,
    mappings and dynamic arrays: each decoded value equals the contract's own getter, and the
    slot derived for it holds, by eth_getStorageAt, the same bytes."""
    alice, bob = module_chain.alice, module_chain.bob
    view = storage(layout)

    # packed value types in slot 0
    slot0 = raw_slot(layout, 0)
    assert view["small"] == layout.small() == field(slot0, 0, 1) == 200
    assert view["flag"] is layout.flag() is True and field(slot0, 1, 1) == 1
    assert view["owner"] == layout.owner() == to_checksum_address(field(slot0, 2, 20).to_bytes(20))
    assert view["neg"] == layout.neg() == -1234
    assert field(slot0, 22, 2) == 2**16 - 1234  # two's complement in 2 bytes
    assert view["status"] == layout.status() == field(slot0, 24, 1) == 2
    assert [view.offset_of(n) for n in ("small", "flag", "owner", "neg", "status")] == [
        0,
        1,
        2,
        22,
        24,
    ]

    # full-slot value types
    assert view["big"] == layout.big() == raw_slot(layout, view.slot_of("big")) == 2**256 - 6
    assert view["negBig"] == layout.negBig() == -42
    assert raw_slot(layout, view.slot_of("negBig")) == 2**256 - 42
    assert view["hash"] == layout.hash() == keccak(b"lab") == word(raw_slot(layout, 3))
    assert (
        view["token"]
        == layout.token()
        == to_checksum_address(raw_slot(layout, 7).to_bytes(32)[12:])
    )

    # strings and bytes: short in the slot, long from keccak256(slot)
    assert view["shortText"] == layout.shortText() == "hello"
    assert raw_slot(layout, 4) & 0xFF == 2 * len("hello")
    long_text = layout.longText()
    assert view["longText"] == long_text and len(long_text) > 31
    assert raw_slot(layout, 5) == 2 * len(long_text) + 1
    assert word(raw_slot(layout, h(word(5))))[:32] == long_text.encode()[:32]
    assert view["blob"] == layout.blob() == bytes.fromhex("deadbeef")

    # a packed struct
    level, ok, who, score = layout.packed()
    assert view["packed"] == {"level": level, "ok": ok, "who": who, "score": score}
    assert who == bob
    slot8 = raw_slot(layout, view.slot_of("packed"))
    assert field(slot8, 0, 1) == 7 and field(slot8, 22, 2) == 65000 == score
    assert view.value_of("packed", "score") == 65000

    # a struct with a string, a nested struct and a fixed array
    name, age, active, inner, marks = layout.getPerson()
    person = view["person"]
    assert person["name"] == name == view.value_of("person", "name") == "Ada Lovelace"
    assert (person["age"], person["active"]) == (age, active)
    assert tuple(person["inner"].values()) == inner
    assert person["marks"] == list(marks) == [90, 85, 77]
    assert view.slot_of("person", "marks") == 12
    assert field(raw_slot(layout, 12), 4, 4) == 85  # uint32s packed three to a slot

    # mappings: keccak256(pad(key) . pad(slot)), nested, string keys unpadded
    balance_slot = h(bytes.fromhex(alice[2:]).rjust(32, b"\0") + word(SLOT["balances"]))
    assert view.slot_of("balances", alice) == balance_slot
    assert raw_slot(layout, balance_slot) == layout.balances(alice) == 1000
    assert view.value_of("balances", alice) == 1000
    assert view.value_of("balances", bob) == layout.balances(bob) == 5
    assert view["balances"][bob] == 5
    outer = h(bytes.fromhex(alice[2:]).rjust(32, b"\0") + word(SLOT["allowance"]))
    inner_slot = h(bytes.fromhex(bob[2:]).rjust(32, b"\0") + word(outer))
    assert view.slot_of("allowance", alice, bob) == inner_slot
    assert raw_slot(layout, inner_slot) == layout.allowance(alice, bob) == 77
    assert view.value_of("allowance", alice, bob) == 77
    assert view["allowance"][alice][bob] == 77
    assert view.value_of("allowance", bob, alice) == layout.allowance(bob, alice) == 0
    by_name = h(b"ada" + word(SLOT["byName"]))
    assert view.slot_of("byName", "ada") == by_name
    assert raw_slot(layout, by_name) == layout.byName("ada") == 1815
    assert view.value_of("packedById", 42) == dict(
        zip(["level", "ok", "who", "score"], layout.packedById(42), strict=True)
    )
    assert view.slot_of("packedById", 42) == h(word(42) + word(SLOT["packedById"]))

    # dynamic arrays: length in the slot, elements from keccak256(slot), small ones packed
    tiny = view["tiny"]
    assert len(tiny) == layout.tinyLength() == raw_slot(layout, SLOT["tiny"]) == 40
    assert tiny == [layout.tiny(i) for i in range(40)] == [3 * i for i in range(40)]
    start = h(word(SLOT["tiny"]))
    assert view.slot_of("tiny", 33) == start + 1  # 32 uint8s to a slot
    assert view.offset_of("tiny", 33) == 1
    assert field(raw_slot(layout, start + 1), 1, 1) == layout.tiny(33) == 99
    assert view.value_of("tiny", 33) == 99
    items = view["list"]
    assert [tuple(item.values()) for item in items] == [layout.list(0), layout.list(1)]
    assert view.value_of("list", 1, "who") == bob
    assert view.slot_of("list", 1) == h(word(SLOT["list"])) + 1  # one slot per Packed
    assert view["fixedArr"] == [layout.fixedArr(i) for i in range(5)] == [1, 2, 3, 4, 65535]


def test_storage_reads_the_chain_now(compiled, chain):
    """Does a view show a transaction made after it was created (it is a window, not a copy)?"""
    contract = chain.deploy(compiled["Layout"])
    view = lab.storage(contract)
    assert view["small"] == 0
    contract.fill(chain.bob)
    assert view["small"] == 200


def test_user_defined_value_type_decodes_as_what_it_wraps(layout):
    """Is a `type Price is int64` holding -3 shown as -3, not as a large unsigned number?"""
    view = storage(layout)
    assert view["price"] == layout.price() == -3
    assert view.type_of("price") == "Price"


def test_contract_without_state_variables(compiled, module_chain):
    """Does a contract with no state variables give an empty view that says so?"""
    view = storage(module_chain.deploy(compiled["Token"]))
    assert len(view) == 0
    assert str(view).endswith("no state variables")


# --- storage: the table ---------------------------------------------------------------------


def test_storage_table_text(layout, module_chain):
    """Does str(view) list slot, offset, type, name and value, with mapping entries for the
    keys given?"""
    text = str(storage(layout, module_chain.alice, "ada"))
    lines = text.splitlines()
    assert lines[0].startswith("storage of Layout at 0x")
    assert lines[1].split() == ["slot", "offset", "type", "name", "value"]
    owner = next(line for line in lines if line.split()[3:4] == ["owner"])
    assert owner.split()[:3] == ["0", "2", "address"]
    assert owner.split()[4] == module_chain.alice
    assert any(
        "balances[" in line and "(alice)]" in line and line.endswith("1000") for line in lines
    )
    assert any("byName['ada']" in line and line.endswith("1815") for line in lines)
    assert any("tiny[...]" in line and "32 more" in line for line in lines)  # 8 of 40 shown
    assert any("neg" in line.split() and line.endswith("-1234") for line in lines)


def test_storage_table_html(layout):
    """Is the notebook display a table with the raw slot and the variable's bytes marked?"""
    html = storage(layout)._repr_html_()
    assert "<table>" in html and "raw slot" in html
    assert "<b style=" in html
    assert "shortText" in html and "&#x27;hello&#x27;" in html


def test_rows_of_a_packed_struct(layout):
    """Do a packed struct's members share the struct's slot at rising offsets?"""
    rows = [r for r in storage(layout).rows() if r.name.startswith("packed.")]
    assert [(r.name, r.slot, r.offset) for r in rows] == [
        ("packed.level", 8, 0),
        ("packed.ok", 8, 1),
        ("packed.who", 8, 2),
        ("packed.score", 8, 22),
    ]


def test_mapping_value_is_a_lookup(layout, module_chain):
    """Is view["balances"] a StorageMapping that says it cannot list its keys?"""
    balances = storage(layout)["balances"]
    assert isinstance(balances, StorageMapping)
    assert balances.slot == SLOT["balances"]
    assert "no list of keys" in repr(balances)
    assert balances.slot_of(module_chain.alice) == storage(layout).slot_of(
        "balances", module_chain.alice
    )


# --- storage: a learner's mistakes ----------------------------------------------------------


def test_unknown_variable_suggests_a_name(layout):
    """Is a misspelt variable an InspectError (a LabError and a KeyError) with a suggestion?"""
    with pytest.raises(InspectError, match="did you mean 'balances'") as info:
        storage(layout)["balance"]
    assert isinstance(info.value, LabError) and isinstance(info.value, KeyError)
    assert "\n" not in str(info.value)
    with pytest.raises(InspectError, match="did you mean 'score'"):
        storage(layout).value_of("packed", "scores")


def test_key_of_the_wrong_type(layout, module_chain):
    """Is a mapping key of the wrong type an InspectError saying which type it takes?"""
    view = storage(layout)
    with pytest.raises(InspectError, match="takes address keys"):
        view.value_of("balances", 5)
    with pytest.raises(InspectError, match="takes string keys"):
        view.value_of("byName", 5)
    with pytest.raises(InspectError, match=r"takes uint256 keys.*between 0 and"):
        view.value_of("packedById", -1)
    with pytest.raises(InspectError, match="index it with an int"):
        view.value_of("tiny", "zero")
    with pytest.raises(InspectError, match="out of range: tiny has 40 elements"):
        view.value_of("tiny", 40)
    with pytest.raises(InspectError, match="no keys, indexes or members"):
        view.value_of("owner", 0)


def test_keys_that_fit_no_mapping(layout):
    """Is a key given to lab.storage that fits no mapping's key type an InspectError?"""
    with pytest.raises(InspectError, match="fits none of Layout's mappings"):
        storage(layout, 1.5)


def test_contract_without_storage_layout(compiled, layout):
    """Is a contract whose artifact has no storage layout an InspectError that says so?"""
    bare = dataclasses.replace(compiled["Layout"], storage_layout={})
    handle = Contract(layout.chain, bare, layout.address)
    with pytest.raises(InspectError, match="without a storage layout"):
        storage(handle)


def test_storage_of_an_artifact_not_deployed(compiled):
    """Is lab.storage(artifact) an ArgumentError telling to deploy it first?"""
    with pytest.raises(ArgumentError, match="deploy it first"):
        lab.storage(compiled["Layout"])


def test_facade_exports():
    """Are lab.disassemble and lab.storage the inspect module's functions?"""
    assert lab.disassemble is disassemble
    assert lab.storage is storage
    assert "disassemble" in lab.__all__ and "storage" in lab.__all__
