"""Encoding Python values for contract calls and decoding what comes back, with plain errors.

Values are checked before encoding, so a wrong argument is reported as
"Counter.add(uint256 amount): argument 1 `amount` must be an int, got 'abc' (str)".
Conveniences: addresses may be any-case hex strings, accounts or contract handles; ``bytes``
types accept ``0x`` hex strings; structs accept tuples or dicts by field name.

Speed: a list of static elementary values (``uint``/``int``/``address``/``bool``/``bytesN``,
what most calls and events carry) is encoded and decoded here word by word, with eth_abi's own
checks (padding, range); anything else, and any word eth_abi would refuse, goes to eth_abi, so
results and errors are eth_abi's. Selectors and checksummed addresses are cached.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from eth_abi import decode, encode
from eth_utils import is_address, keccak, to_checksum_address

from .errors import ArgumentError

_ARRAY_RE = re.compile(r"^(.*)\[(\d*)\]$")


def canonical_type(param: dict[str, Any]) -> str:
    """The ABI type string of a parameter, with tuples spelled out: ``(uint256,address)[]``."""
    typ = param["type"]
    if typ.startswith("tuple"):
        inner = ",".join(canonical_type(c) for c in param.get("components", []))
        return f"({inner}){typ[len('tuple') :]}"
    return typ


def signature(item: dict[str, Any]) -> str:
    """``name(type1,type2)`` of a function, event or error ABI entry."""
    return f"{item['name']}({','.join(canonical_type(p) for p in item.get('inputs', []))})"


def selector(item: dict[str, Any]) -> bytes:
    return _hash(signature(item))[:4]


def event_topic(item: dict[str, Any]) -> bytes:
    return _hash(signature(item))


@lru_cache(maxsize=4096)
def _hash(text: str) -> bytes:
    return keccak(text=text)


def describe(item: dict[str, Any], owner: str = "") -> str:
    """Human signature with names: ``Counter.add(uint256 amount)``."""
    params = ", ".join(
        f"{p.get('internalType', p['type']).removeprefix('struct ').removeprefix('contract ')}"
        + (f" {p['name']}" if p.get("name") else "")
        for p in item.get("inputs", [])
    )
    name = item.get("name") or item["type"]
    return f"{owner + '.' if owner else ''}{name}({params})"


def to_address(value: Any) -> str | None:
    """A checksummed address from a hex string (any case), 20 bytes, an account or a contract
    handle (anything with ``.address``); None if it is none of these."""
    address = getattr(value, "address", value)
    if isinstance(address, bytes | bytearray) and len(address) == 20:
        return checksummed(bytes(address))
    if isinstance(address, str):
        return checksummed(str(address))
    return None


@lru_cache(maxsize=8192)
def checksummed(address: str | bytes) -> str | None:
    """The checksummed form of a hex address or 20 bytes, None if it is not a valid address.
    Cached: each checksum costs a keccak, and a chain meets the same few addresses all day."""
    if isinstance(address, str) and not is_address(address):
        return None
    return to_checksum_address(address)


def _type_name(value: Any) -> str:
    return type(value).__name__


def _fail(where: str, index: int, param: dict[str, Any], expected: str, value: Any) -> None:
    name = f" `{param['name']}`" if param.get("name") else ""
    shown = repr(value)
    if len(shown) > 60:
        shown = shown[:57] + "..."
    raise ArgumentError(
        f"{where}: argument {index}{name} ({canonical_type(param)}) must be {expected}, "
        f"got {shown} ({_type_name(value)})"
    )


def coerce(param: dict[str, Any], value: Any, where: str, index: int) -> Any:
    """Check ``value`` against ``param``'s ABI type and convert it for eth_abi."""
    typ = param["type"]
    m = _ARRAY_RE.match(typ)
    if m:
        if isinstance(value, str | bytes | dict) or not hasattr(value, "__iter__"):
            _fail(where, index, param, "a list", value)
        items = list(value)
        if m[2] and len(items) != int(m[2]):
            _fail(where, index, param, f"a list of exactly {m[2]} items", value)
        inner = dict(param, type=m[1])
        return [coerce(inner, v, where, index) for v in items]
    if typ == "tuple":
        components = param.get("components", [])
        if isinstance(value, dict):
            names = [c["name"] for c in components]
            missing = [n for n in names if n not in value]
            unknown = [k for k in value if k not in names]
            if missing or unknown:
                _fail(
                    where, index, param, f"a dict with exactly the fields {', '.join(names)}", value
                )
            value = [value[c["name"]] for c in components]
        if isinstance(value, str | bytes) or not hasattr(value, "__iter__"):
            _fail(where, index, param, f"a tuple of {len(components)} fields", value)
        items = list(value)
        if len(items) != len(components):
            _fail(where, index, param, f"a tuple of {len(components)} fields", value)
        return tuple(coerce(c, v, where, index) for c, v in zip(components, items, strict=True))
    if typ == "address":
        address = to_address(value)
        if address is None:
            _fail(where, index, param, "an address (0x followed by 40 hex digits)", value)
        return address
    if typ == "bool":
        if not isinstance(value, bool):
            _fail(where, index, param, "True or False", value)
        return value
    if typ.startswith(("uint", "int")):
        if isinstance(value, bool) or not isinstance(value, int):
            _fail(where, index, param, "an int", value)
        bits = int(typ.lstrip("uint") or 256)
        low, high = (
            (0, 2**bits - 1)
            if typ.startswith("uint")
            else (-(2 ** (bits - 1)), 2 ** (bits - 1) - 1)
        )
        if not low <= value <= high:
            _fail(where, index, param, f"between {low} and {high}", value)
        return value
    if typ == "string":
        if not isinstance(value, str):
            _fail(where, index, param, "a str", value)
        return value
    if typ.startswith("bytes"):
        if isinstance(value, str):
            try:
                value = bytes.fromhex(value.removeprefix("0x"))
            except ValueError:
                _fail(where, index, param, "bytes or a 0x hex string", value)
        if not isinstance(value, bytes | bytearray):
            _fail(where, index, param, "bytes or a 0x hex string", value)
        size = typ[len("bytes") :]
        if size and len(value) > int(size):
            _fail(where, index, param, f"at most {size} bytes", value)
        return bytes(value)
    return value  # fixed-point and anything exotic: let eth_abi decide


# -- word by word: static elementary types without eth_abi's registry and streams --

_ELEMENTARY = re.compile(r"^(uint|int|bytes)(\d+)$")
_ZEROS = bytes(32)
_TRUE = (1).to_bytes(32, "big")


class _Slow(Exception):
    """A word eth_abi must look at (it would refuse it, with its own error)."""


def _word_codec(typ: str) -> tuple[Callable[[Any], bytes], Callable[[bytes], Any]] | None:
    """(encode, decode) of one 32-byte word of ``typ``, as eth_abi (strict) does them; None if
    ``typ`` is not a static elementary type. Encoders take values ``coerce`` has checked."""
    if typ == "address":

        def decode_address(word: bytes) -> Any:
            if word[:12] != _ZEROS[:12]:
                raise _Slow
            return checksummed(word[12:])

        return (lambda value: bytes(12) + bytes.fromhex(value[2:])), decode_address
    if typ == "bool":

        def decode_bool(word: bytes) -> bool:
            if word == _TRUE:
                return True
            if word == _ZEROS:
                return False
            raise _Slow

        return (lambda value: _TRUE if value else _ZEROS), decode_bool
    m = _ELEMENTARY.match(typ)
    if not m:
        return None
    kind, size = m[1], int(m[2])
    if kind == "bytes":
        if not 1 <= size <= 32:
            return None
        padding = bytes(32 - size)

        def decode_bytes(word: bytes) -> bytes:
            if word[size:] != padding:
                raise _Slow
            return word[:size]

        return (lambda value: value + bytes(32 - len(value))), decode_bytes
    if size % 8 or not 8 <= size <= 256:
        return None
    if kind == "uint":
        limit = 1 << size

        def decode_uint(word: bytes) -> int:
            value = int.from_bytes(word, "big")
            if value >= limit:
                raise _Slow
            return value

        return (lambda value: value.to_bytes(32, "big")), decode_uint
    half = 1 << (size - 1)

    def decode_int(word: bytes) -> int:
        value = int.from_bytes(word, "big", signed=True)
        if not -half <= value < half:
            raise _Slow
        return value

    return (lambda value: value.to_bytes(32, "big", signed=True)), decode_int


@lru_cache(maxsize=4096)
def _words(types: tuple[str, ...]) -> tuple[tuple[Callable, Callable], ...] | None:
    """The word codecs of a list of types, None unless every one is static elementary."""
    codecs = tuple(_word_codec(t) for t in types)
    return None if None in codecs else codecs


def _types(params: list[dict[str, Any]]) -> tuple[str, ...]:
    return tuple(canonical_type(p) for p in params)


def encode_arguments(
    item: dict[str, Any], args: tuple[Any, ...], owner: str = "", where: str | None = None
) -> bytes:
    """Check and encode ``args`` for a function/constructor ABI entry (without a selector).
    ``where`` is ``describe(item, owner)``, if the caller has it already."""
    inputs = item.get("inputs", [])
    where = where or describe(item, owner)
    if len(args) != len(inputs):
        raise ArgumentError(
            f"{where} takes {len(inputs)} argument{'s' if len(inputs) != 1 else ''}, "
            f"got {len(args)}"
        )
    values = [coerce(p, v, where, i + 1) for i, (p, v) in enumerate(zip(inputs, args, strict=True))]
    types = _types(inputs)
    words = _words(types)
    if words is not None:
        return b"".join(word[0](v) for word, v in zip(words, values, strict=True))
    return encode(list(types), values)


def _clean(param: dict[str, Any], value: Any) -> Any:
    typ = param["type"]
    m = _ARRAY_RE.match(typ)
    if m:
        inner = dict(param, type=m[1])
        return [_clean(inner, v) for v in value]
    if typ == "tuple":
        return tuple(_clean(c, v) for c, v in zip(param["components"], value, strict=True))
    if typ == "address":
        return checksummed(value)
    return value


def decode_values(params: list[dict[str, Any]], data: bytes) -> list[Any]:
    return _decode(_types(params), params, data)


def _decode(types: tuple[str, ...], params: list[dict[str, Any]], data: bytes) -> list[Any]:
    """``decode_values`` with the parameters' canonical types (``_types``) worked out."""
    words = _words(types)
    if words is not None and type(data) is bytes and len(data) == 32 * len(words):
        try:
            return [word[1](data[32 * i : 32 * i + 32]) for i, word in enumerate(words)]
        except _Slow:
            pass  # eth_abi says what is wrong with it
    values = decode(list(types), data)
    return [_clean(p, v) for p, v in zip(params, values, strict=True)]


def decode_output(item: dict[str, Any], data: bytes) -> Any:
    """A function's return data as Python: one value, a tuple of values, or None."""
    outputs = item.get("outputs", [])
    if not outputs:
        return None
    values = decode_values(outputs, data)
    return values[0] if len(values) == 1 else tuple(values)


def decode_event(item: dict[str, Any], topics: list[bytes], data: bytes) -> dict[str, Any] | None:
    """An event's arguments by name from a log's topics and data; None if they do not fit.

    Indexed dynamic values (string, bytes, arrays, structs) are stored only as their keccak
    hash, so that hash (bytes) is what comes back for them."""
    return event_decoder(item)(topics, data)


def event_decoder(item: dict[str, Any]) -> Callable[[list[bytes], bytes], dict[str, Any] | None]:
    """``decode_event`` for one event, its parameters sorted out once (a chain keeps these)."""
    inputs = item.get("inputs", [])
    names = [p["name"] for p in inputs]
    indexed = [p for p in inputs if p.get("indexed")]
    plain = [p for p in inputs if not p.get("indexed")]
    plain_names, plain_types = [p["name"] for p in plain], _types(plain)
    # per indexed parameter: (name, [param], its type, or None if the topic is only a hash)
    topic_params = []
    for param in indexed:
        typ = canonical_type(param)
        only_hash = typ in ("string", "bytes") or typ.endswith("]") or typ.startswith("(")
        topic_params.append((param["name"], [param], None if only_hash else (typ,)))

    def decode_this(topics: list[bytes], data: bytes) -> dict[str, Any] | None:
        if len(indexed) != len(topics) - 1:
            return None
        try:
            values = dict(zip(plain_names, _decode(plain_types, plain, data), strict=True))
            for (name, params, types), topic in zip(topic_params, topics[1:], strict=True):
                values[name] = topic if types is None else _decode(types, params, topic)[0]
        except Exception:  # data that does not decode as this event: not this event
            return None
        return {name: values[name] for name in names}

    return decode_this
