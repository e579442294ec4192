"""ABI helpers: type strings, signatures, selectors, argument checking and output decoding."""

from __future__ import annotations

import pytest
from eth_abi import encode
from eth_utils import keccak

from sollab import abi
from sollab.errors import ArgumentError

ALICE = "0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf"

POINT = {
    "name": "p",
    "type": "tuple",
    "internalType": "struct Geo.Point",
    "components": [
        {"name": "x", "type": "uint256", "internalType": "uint256"},
        {"name": "y", "type": "int256", "internalType": "int256"},
    ],
}

TRANSFER = {
    "type": "function",
    "name": "transfer",
    "stateMutability": "nonpayable",
    "inputs": [
        {"name": "to", "type": "address", "internalType": "address"},
        {"name": "amount", "type": "uint256", "internalType": "uint256"},
    ],
    "outputs": [{"name": "", "type": "bool", "internalType": "bool"}],
}


def param(typ: str, name: str = "v", **extra) -> dict:
    return {"name": name, "type": typ, **extra}


# --- type strings, signatures, selectors --------------------------------------------------------


def test_canonical_type_plain():
    """Is a plain type's canonical type the type itself?"""
    assert abi.canonical_type(param("uint256")) == "uint256"
    assert abi.canonical_type(param("bytes32[]")) == "bytes32[]"


def test_canonical_type_tuple():
    """Is a struct spelled out as a parenthesised tuple of its fields?"""
    assert abi.canonical_type(POINT) == "(uint256,int256)"


def test_canonical_type_nested_tuples_and_arrays():
    """Are nested tuples and (multi-dimensional) tuple arrays spelled out?"""
    line = {
        "name": "line",
        "type": "tuple[2][]",
        "components": [
            dict(POINT, name="ends", type="tuple[]"),
            {"name": "label", "type": "string"},
            {
                "name": "meta",
                "type": "tuple",
                "components": [{"name": "tags", "type": "bytes32[3]"}],
            },
        ],
    }
    assert abi.canonical_type(line) == "((uint256,int256)[],string,(bytes32[3]))[2][]"


def test_signature():
    """Is a signature `name(type,...)` without spaces or parameter names?"""
    assert abi.signature(TRANSFER) == "transfer(address,uint256)"
    assert abi.signature({"name": "f", "inputs": [POINT]}) == "f((uint256,int256))"
    assert abi.signature({"name": "g"}) == "g()"


def test_selector():
    """Is the selector the first 4 bytes of the keccak of the signature?"""
    assert abi.selector(TRANSFER).hex() == "a9059cbb"
    assert abi.selector({"name": "balanceOf", "inputs": [param("address")]}).hex() == "70a08231"
    assert abi.selector({"name": "Error", "inputs": [param("string")]}).hex() == "08c379a0"
    assert abi.selector({"name": "Panic", "inputs": [param("uint256")]}).hex() == "4e487b71"


def test_event_topic():
    """Is an event's topic the full keccak of its signature?"""
    item = {
        "type": "event",
        "name": "Transfer",
        "inputs": [param("address", "from"), param("address", "to"), param("uint256", "value")],
    }
    assert abi.event_topic(item) == keccak(text="Transfer(address,address,uint256)")
    assert abi.event_topic(item).hex().startswith("ddf252ad")


def test_describe():
    """Does describe show owner, name, internal types and parameter names?"""
    assert abi.describe(TRANSFER, "Token") == "Token.transfer(address to, uint256 amount)"
    item = {"type": "function", "name": "f", "inputs": [POINT, param("address", "")]}
    assert abi.describe(item) == "f(Geo.Point p, address)"
    assert abi.describe({"type": "constructor", "inputs": []}) == "constructor()"


# --- coerce ----------------------------------------------------------------------------------


def coerce(typ: str, value, **extra):
    return abi.coerce(param(typ, **extra), value, "C.f(...)", 1)


def test_coerce_ints():
    """Are ints within range passed through, at both ends of the range?"""
    assert coerce("uint256", 0) == 0
    assert coerce("uint256", 2**256 - 1) == 2**256 - 1
    assert coerce("uint8", 255) == 255
    assert coerce("int8", -128) == -128
    assert coerce("int8", 127) == 127
    assert coerce("int256", -(2**255)) == -(2**255)


@pytest.mark.parametrize(
    ("typ", "value", "expected"),
    [
        ("uint8", 256, "must be between 0 and 255, got 256 (int)"),
        ("uint256", -1, "must be between 0 and 1157"),
        ("int8", 128, "must be between -128 and 127"),
        ("int8", -129, "must be between -128 and 127"),
        ("uint256", "5", "must be an int, got '5' (str)"),
        ("uint256", 5.0, "must be an int, got 5.0 (float)"),
        ("uint256", True, "must be an int, got True (bool)"),
        ("uint256", [1], "must be an int, got [1] (list)"),
        ("bool", 1, "must be True or False, got 1 (int)"),
        ("string", b"x", "must be a str, got b'x' (bytes)"),
        ("address", "0x1234", "must be an address (0x followed by 40 hex digits)"),
        ("address", ALICE[2:] + "00", "must be an address"),
        ("address", 5, "must be an address"),
        ("bytes32", "not hex", "must be bytes or a 0x hex string"),
        ("bytes32", 5, "must be bytes or a 0x hex string"),
        ("bytes4", b"12345", "must be at most 4 bytes"),
        ("uint256[]", 5, "must be a list"),
        ("uint256[]", "abc", "must be a list"),
        ("uint256[]", {"a": 1}, "must be a list"),
        ("uint256[2]", [1, 2, 3], "must be a list of exactly 2 items"),
    ],
)
def test_coerce_errors(typ, value, expected):
    """Is each wrong value an ArgumentError naming where, the argument, type and value?"""
    with pytest.raises(ArgumentError) as info:
        coerce(typ, value)
    message = str(info.value)
    assert message.startswith(f"C.f(...): argument 1 `v` ({typ}) ")
    assert expected in message


def test_coerce_error_in_an_array_element():
    """Is a bad array element reported with the element's type and value?"""
    with pytest.raises(ArgumentError) as info:
        coerce("uint8[]", [1, 300])
    message = str(info.value)
    assert message.startswith("C.f(...): argument 1 `v` (uint8) ")
    assert "must be between 0 and 255, got 300" in message


def test_coerce_error_without_a_parameter_name():
    """Is an unnamed parameter reported by position only?"""
    with pytest.raises(ArgumentError, match=r"^g\(\): argument 2 \(bool\) must be True"):
        abi.coerce({"name": "", "type": "bool"}, "yes", "g()", 2)


def test_coerce_error_shortens_long_values():
    """Is a very long value cut short in the message?"""
    with pytest.raises(ArgumentError) as info:
        coerce("uint256", "x" * 500)
    assert "..." in str(info.value)
    assert len(str(info.value)) < 200


def test_coerce_addresses():
    """Are lower-case hex, raw 20 bytes and objects with .address checksummed?"""

    class Handle:
        address = ALICE.lower()

    assert coerce("address", ALICE.lower()) == ALICE
    assert coerce("address", ALICE.upper().replace("0X", "0x")) == ALICE
    assert coerce("address", bytes.fromhex(ALICE[2:])) == ALICE
    assert coerce("address", Handle()) == ALICE


def test_coerce_bytes():
    """Are 0x hex strings and bytearrays turned into bytes?"""
    assert coerce("bytes32", "0x" + "11" * 32) == b"\x11" * 32
    assert coerce("bytes32", "22" * 32) == b"\x22" * 32
    assert coerce("bytes", "0x") == b""
    assert coerce("bytes", bytearray(b"ab")) == b"ab"
    assert coerce("bytes2", b"a") == b"a"  # eth_abi pads short fixed bytes


def test_coerce_arrays():
    """Are lists, tuples and other iterables turned into lists, nested too?"""
    assert coerce("uint256[]", (1, 2)) == [1, 2]
    assert coerce("uint256[]", range(3)) == [0, 1, 2]
    assert coerce("uint256[2][]", [[1, 2], [3, 4]]) == [[1, 2], [3, 4]]
    assert coerce("address[]", [ALICE.lower()]) == [ALICE]


def test_coerce_structs():
    """Is a struct accepted as a tuple, a list or a dict by field name?"""
    assert abi.coerce(POINT, (1, -2), "f", 1) == (1, -2)
    assert abi.coerce(POINT, [1, -2], "f", 1) == (1, -2)
    assert abi.coerce(POINT, {"y": -2, "x": 1}, "f", 1) == (1, -2)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ({"x": 1}, "a dict with exactly the fields x, y"),
        ((1,), "a tuple of 2 fields"),
        ("12", "a tuple of 2 fields"),
        (12, "a tuple of 2 fields"),
        ((1, "2"), "must be an int, got '2'"),
    ],
)
def test_coerce_struct_errors(value, expected):
    """Is a malformed struct value an ArgumentError saying what shape was expected?"""
    with pytest.raises(ArgumentError) as info:
        abi.coerce(POINT, value, "f", 1)
    assert expected in str(info.value)


def test_coerce_struct_arrays():
    """Is a list of dicts accepted for a struct array?"""
    points = dict(POINT, type="tuple[]")
    assert abi.coerce(points, [{"x": 1, "y": 2}, (3, 4)], "f", 1) == [(1, 2), (3, 4)]


# --- encode_arguments ------------------------------------------------------------------------


def test_encode_arguments():
    """Are checked arguments ABI-encoded without a selector?"""
    data = abi.encode_arguments(TRANSFER, (ALICE.lower(), 5))
    assert data == encode(["address", "uint256"], [ALICE, 5])


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ((ALICE,), "Token.transfer(address to, uint256 amount) takes 2 arguments, got 1"),
        ((ALICE, 1, 2), "takes 2 arguments, got 3"),
    ],
)
def test_encode_arguments_wrong_count(args, expected):
    """Is a wrong number of arguments an ArgumentError with the described function?"""
    with pytest.raises(ArgumentError) as info:
        abi.encode_arguments(TRANSFER, args, "Token")
    assert expected in str(info.value)


def test_encode_arguments_singular():
    """Does the count error say "1 argument" (not "1 arguments")?"""
    item = {"type": "function", "name": "f", "inputs": [param("uint256")]}
    with pytest.raises(ArgumentError, match=r"takes 1 argument, got 0$"):
        abi.encode_arguments(item, ())


def test_encode_arguments_names_the_bad_argument():
    """Does a bad argument's message give its position and name?"""
    with pytest.raises(ArgumentError, match="argument 2 `amount` \\(uint256\\) must be an int"):
        abi.encode_arguments(TRANSFER, (ALICE, "5"), "Token")


# --- decode_output ---------------------------------------------------------------------------


def test_decode_output_single_value():
    """Is one output returned bare, not in a tuple?"""
    assert abi.decode_output(TRANSFER, encode(["bool"], [True])) is True


def test_decode_output_no_outputs():
    """Is a function without outputs decoded to None?"""
    assert abi.decode_output({"name": "f", "outputs": []}, b"") is None
    assert abi.decode_output({"name": "f"}, b"") is None


def test_decode_output_several_values():
    """Are several outputs a tuple, addresses checksummed?"""
    item = {
        "name": "f",
        "outputs": [param("uint256"), param("address"), param("string"), param("bytes32")],
    }
    data = encode(["uint256", "address", "string", "bytes32"], [7, ALICE, "hi", b"\x01" * 32])
    assert abi.decode_output(item, data) == (7, ALICE, "hi", b"\x01" * 32)


def test_decode_output_structs_and_arrays():
    """Are structs tuples and arrays lists, nested, with addresses inside checksummed?"""
    owned = {
        "name": "o",
        "type": "tuple[]",
        "components": [param("address", "who"), dict(POINT, name="at")],
    }
    item = {"name": "f", "outputs": [owned, param("uint256[2]")]}
    data = encode(
        ["(address,(uint256,int256))[]", "uint256[2]"],
        [[(ALICE.lower(), (1, -1))], [3, 4]],
    )
    values, pair = abi.decode_output(item, data)
    assert values == [(ALICE, (1, -1))]
    assert isinstance(values, list) and isinstance(values[0], tuple)
    assert pair == [3, 4]
    assert isinstance(pair, list)


def test_decode_values_round_trip():
    """Does decode_values undo encode_arguments?"""
    params = [POINT, param("address[]"), param("bool")]
    args = ({"x": 9, "y": -9}, [ALICE.lower()], False)
    data = abi.encode_arguments({"name": "f", "inputs": params}, args)
    assert abi.decode_values(params, data) == [(9, -9), [ALICE], False]


def test_checksummed_addresses_from_any_case_or_bytes_and_none_for_non_addresses():
    lower = "0x7e5f4552091a69125d5dfcb7b8c2659029395bdf"
    expected = "0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf"
    assert abi.to_address(lower) == expected
    assert abi.to_address(lower.upper().replace("0X", "0x")) == expected
    assert abi.to_address(bytes.fromhex(lower[2:])) == expected
    assert abi.to_address(expected) == expected  # cached now: the same answer again
    assert abi.to_address(lower) == expected
    assert abi.to_address("0x" + "zz" * 20) is None
    assert abi.to_address("0x1234") is None
    assert abi.to_address(b"\x01" * 19) is None
    assert abi.to_address(12) is None


# --- the word-by-word codec against eth_abi -----------------------------------------------------

WORD_TYPES = [
    *(f"uint{n}" for n in (8, 16, 24, 64, 128, 160, 248, 256)),
    *(f"int{n}" for n in (8, 16, 24, 64, 128, 248, 256)),
    *(f"bytes{n}" for n in (1, 2, 4, 20, 31, 32)),
    "address",
    "bool",
]


def _word_strategy():
    from hypothesis import strategies as st

    small = st.integers(0, 2**16).map(lambda v: v.to_bytes(32, "big"))
    negative = st.integers(-(2**16), -1).map(lambda v: v.to_bytes(32, "big", signed=True))
    left = st.binary(min_size=1, max_size=32).map(lambda b: bytes(32 - len(b)) + b)
    right = st.binary(min_size=1, max_size=32).map(lambda b: b + bytes(32 - len(b)))
    return st.one_of(small, negative, left, right, st.binary(min_size=32, max_size=32))


def test_word_codec_decodes_as_eth_abi_does():
    """Does the fast decoder give eth_abi's value for every word eth_abi accepts, and leave
    every word eth_abi refuses to eth_abi (so the error is eth_abi's)?"""
    from eth_abi import decode
    from hypothesis import given, settings
    from hypothesis import strategies as st

    @settings(max_examples=400, deadline=None)
    @given(st.sampled_from(WORD_TYPES), st.lists(_word_strategy(), min_size=1, max_size=3))
    def check(typ, words):
        params = [param(typ, f"v{i}") for i in range(len(words))]
        data = b"".join(words)
        try:
            values = decode([typ] * len(words), data)
            expected = [abi._clean(p, v) for p, v in zip(params, values, strict=True)]
        except Exception as exc:
            with pytest.raises(type(exc)):
                abi.decode_values(params, data)
            return
        got = abi.decode_values(params, data)
        assert got == expected
        assert [type(v) for v in got] == [type(v) for v in expected]

    check()


def test_word_codec_encodes_as_eth_abi_does():
    """Is every static elementary value encoded byte for byte as eth_abi encodes it?"""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    def value_of(typ):
        if typ == "address":
            return st.binary(min_size=20, max_size=20).map(lambda b: "0x" + b.hex())
        if typ == "bool":
            return st.booleans()
        if typ.startswith("bytes"):
            return st.binary(min_size=0, max_size=int(typ[5:]))
        bits = int(typ.lstrip("uint"))
        if typ.startswith("uint"):
            return st.integers(0, 2**bits - 1)
        return st.integers(-(2 ** (bits - 1)), 2 ** (bits - 1) - 1)

    @settings(max_examples=400, deadline=None)
    @given(st.sampled_from(WORD_TYPES).flatmap(lambda t: st.tuples(st.just(t), value_of(t))))
    def check(case):
        typ, value = case
        item = {"name": "f", "inputs": [param(typ), param("uint256", "n")]}
        coerced = abi.coerce(param(typ), value, "f", 1)
        assert abi.encode_arguments(item, (value, 7)) == encode([typ, "uint256"], [coerced, 7])

    check()


def test_event_decoder_matches_decode_event_and_refuses_what_does_not_fit():
    """Does a prepared event decoder give names in declaration order, hashes for indexed
    strings, and None for logs that are not this event?"""
    item = {
        "type": "event",
        "name": "Noted",
        "inputs": [
            {"name": "who", "type": "address", "indexed": True},
            {"name": "amount", "type": "uint256", "indexed": False},
            {"name": "tag", "type": "string", "indexed": True},
            {"name": "memo", "type": "string", "indexed": False},
        ],
    }
    decode = abi.event_decoder(item)
    topics = [abi.event_topic(item), bytes(12) + bytes.fromhex(ALICE[2:]), keccak(text="t")]
    data = encode(["uint256", "string"], [5, "hello"])
    args = decode(topics, data)
    assert list(args) == ["who", "amount", "tag", "memo"]
    assert args == {"who": ALICE, "amount": 5, "tag": keccak(text="t"), "memo": "hello"}
    assert abi.decode_event(item, topics, data) == args
    assert decode(topics[:2], data) is None  # one topic short
    assert decode([topics[0], b"\xff" * 32, topics[2]], data) is None  # not an address
    assert decode(topics, data[:-32]) is None  # data cut short
