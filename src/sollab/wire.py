"""Plain data across the sandbox boundary.

When a class is graded, a learner's notebook runs in a sandbox and the checks run in another
process that never runs learner code. What crosses between them is JSON: plain values (numbers,
text, bytes, lists, dicts), compiled contracts (as the standard-JSON input that made them, so
the grader compiles them itself) and the names of learner functions (called back on request).
Nothing the learner's code built can reach the grader as a live object, so an answer whose
``__eq__`` always says yes arrives as what it is: not plain data.
"""

from __future__ import annotations

import json
from typing import Any

from .errors import LabError

MAX_MESSAGE = 32 * 1024 * 1024  # one message, in bytes
_MAX_DEPTH = 64


class WireError(LabError):
    """A value that cannot cross the sandbox boundary."""


class NotPlainData(WireError):
    """The learner's answer is an object the grader cannot receive."""


# --- encoding (runs on either side) -----------------------------------------------------------


def encode(value: Any, *, functions: dict[str, Any] | None = None, _depth: int = 0) -> Any:
    """``value`` as JSON-ready data. Learner functions are registered in ``functions`` (when
    given) and sent by name; anything else that is not plain data raises ``NotPlainData``."""
    if _depth > _MAX_DEPTH:
        raise NotPlainData("the value is nested too deeply")
    kind = type(value)
    if value is None or kind in (bool, str):
        return value
    if kind is float:
        if value != value or value in (float("inf"), float("-inf")):
            return {"$float": repr(value)}
        return value
    if isinstance(value, int):
        return int.__index__(value)  # an int subclass arrives as a plain int
    if isinstance(value, str):
        return str.__str__(value)
    if isinstance(value, bytes | bytearray | memoryview):
        return {"$bytes": bytes(value).hex()}
    if kind is tuple:
        return {"$tuple": [encode(v, functions=functions, _depth=_depth + 1) for v in value]}
    if isinstance(value, list | tuple):  # lists and namedtuples (AttributeDict lists, ...)
        return [encode(v, functions=functions, _depth=_depth + 1) for v in value]
    if isinstance(value, dict) or _is_mapping(value):
        items = list(value.items())
        if all(type(k) is str for k, _ in items):
            return {
                "$dict": {k: encode(v, functions=functions, _depth=_depth + 1) for k, v in items}
            }
        return {
            "$pairs": [
                [
                    encode(k, functions=functions, _depth=_depth + 1),
                    encode(v, functions=functions, _depth=_depth + 1),
                ]
                for k, v in items
            ]
        }
    from .grading import Unfinished

    if isinstance(value, Unfinished):
        raise NotPlainData(f"{value.name} is not compiled yet: {value.reason}")
    contract = _contract_of(value)
    if contract is not None:
        return {"$contract": contract}
    if functions is not None and callable(value) and hasattr(value, "__name__"):
        key = f"f{len(functions)}:{value.__name__}"
        functions[key] = value
        return {"$function": key}
    raise NotPlainData(
        f"a {kind.__name__} is not plain data: answer with numbers, text, bytes, lists or dicts"
    )


def _is_mapping(value: Any) -> bool:
    from collections.abc import Mapping

    return isinstance(value, Mapping)


def _contract_of(value: Any) -> dict[str, Any] | None:
    """A compiled contract (an Artifact, or what a %%solidity cell binds) as the compiler input
    that made it."""
    from .compiler import Artifact

    artifact = getattr(value, "artifact", value)
    if not isinstance(artifact, Artifact):
        return None
    compilation = artifact.compilation
    return {
        "name": artifact.name,
        "unit": artifact.source,
        "solc": str(compilation.compiler.version),
        "input": compilation.input,
    }


# --- decoding (the receiving side trusts nothing) ---------------------------------------------


def decode(data: Any, *, contract: Any = None, function: Any = None, _depth: int = 0) -> Any:
    """Rebuild a value from ``encode``'s data. ``contract(spec)`` and ``function(key)`` turn a
    compiled contract and a learner function back into objects on this side."""
    if _depth > _MAX_DEPTH:
        raise WireError("the value is nested too deeply")
    if data is None or type(data) in (bool, int, float, str):
        return data
    if type(data) is list:
        return [decode(v, contract=contract, function=function, _depth=_depth + 1) for v in data]
    if type(data) is not dict or len(data) != 1:
        raise WireError("malformed data from the sandbox")
    ((tag, body),) = data.items()
    again = {"contract": contract, "function": function, "_depth": _depth + 1}
    if tag == "$bytes" and type(body) is str:
        return bytes.fromhex(body)
    if tag == "$float" and body in ("nan", "inf", "-inf"):
        return float(body)
    if tag == "$tuple" and type(body) is list:
        return tuple(decode(v, **again) for v in body)
    if tag == "$dict" and type(body) is dict:
        return {str(k): decode(v, **again) for k, v in body.items()}
    if tag == "$pairs" and type(body) is list:
        out = {}
        for pair in body:
            if type(pair) is not list or len(pair) != 2:
                raise WireError("malformed data from the sandbox")
            key = decode(pair[0], **again)
            try:
                out[key] = decode(pair[1], **again)
            except TypeError:  # an unhashable key (a list)
                raise WireError("a dict key must be a number, text, bytes or a tuple") from None
        return out
    if tag == "$contract" and type(body) is dict and contract is not None:
        return contract(body)
    if tag == "$function" and type(body) is str and function is not None:
        return function(body)
    raise WireError(f"malformed data from the sandbox ({tag!r})")


def dumps(message: dict[str, Any]) -> bytes:
    return json.dumps(message, separators=(",", ":")).encode() + b"\n"


def loads(line: bytes) -> dict[str, Any]:
    if len(line) > MAX_MESSAGE:
        raise WireError(f"a message from the sandbox was larger than {MAX_MESSAGE} bytes")
    try:
        message = json.loads(line)
    except ValueError:
        raise WireError("a message from the sandbox was not JSON") from None
    if type(message) is not dict:
        raise WireError("a message from the sandbox was not a JSON object")
    return message
