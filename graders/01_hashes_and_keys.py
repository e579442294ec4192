"""Checks for lesson 01, hashes and keys: derive an address, verify a signature, find a nonce.

All three are Python function exercises: the learner's function takes and returns plain data
(bytes, str, int, bool); the checks compute the expected answers with eth-keys, eth-account and
keccak, never with the learner's code.
"""

import re

from eth_account import Account
from eth_account.messages import encode_defunct
from eth_keys import keys
from eth_utils import keccak
from hypothesis import strategies as st

from sollab.grading import CheckFailed, exercise

# The order of secp256k1's group: a private key is a number from 1 to N - 1.
N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
ALICE_KEY = (1).to_bytes(32, "big")  # the lab's alice: the smallest possible private key
BOB_KEY = (2).to_bytes(32, "big")
LEADING_ZERO_KEY = (130).to_bytes(32, "big")  # its address starts 0x00…
ADDRESS = re.compile(r"0x[0-9a-fA-F]{40}")

# Drawn as numbers (a failing case reads "smallest failing input: 1"), passed as 32 bytes.
private_keys = st.integers(1, N - 1)


def _key(number: int) -> bytes:
    return number.to_bytes(32, "big")


def _short(value):
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _address_of(key: bytes) -> str:
    return keys.PrivateKey(key).public_key.to_checksum_address()


# --- 1. private key -> address ------------------------------------------------------------------

derive = exercise(
    "01-hashes-and-keys/derive-address",
    "From a private key to an address",
    submits="function",
    name="derive_address",
    hints=[
        "Three steps: the public key (`keys.PrivateKey(private_key).public_key`), its 64 bytes "
        "(`.to_bytes()`), then keccak256 of those bytes.",
        "The address is the *last* 20 bytes of the 32-byte hash: slice with `[-20:]`.",
        "Write it as text with `to_checksum_address(...)` from eth_utils: it adds the 0x and the "
        "EIP-55 mix of upper and lower case.",
    ],
)


@derive.check("returns an address: 0x followed by 40 hex digits", points=1)
def _(t):
    got = t.call(ALICE_KEY)
    t.expect(
        isinstance(got, str) and ADDRESS.fullmatch(got) is not None,
        "a str like '0x7E5F…5Bdf' (0x and 40 hex digits)",
        _short(got),
        "return text, not bytes: 0x then 20 bytes written as 40 hex digits",
    )


@derive.check("alice's key (the number 1) gives alice's address", points=1)
def _(t):
    got = t.call(ALICE_KEY)
    t.expect(
        isinstance(got, str) and got.lower() == t.alice.lower(),
        f"derive_address(alice's key) to be alice's address {t.alice}",
        _short(got),
        "hash the 64-byte public key (without any 0x04 prefix) and keep the last 20 bytes",
    )


@derive.check("the address is checksummed (EIP-55 upper and lower case)", points=1)
def _(t):
    got = t.call(BOB_KEY)
    expected = _address_of(BOB_KEY)
    t.expect(
        isinstance(got, str) and got.lower() == expected.lower(),
        "the right address for bob's key (case aside)",
        _short(got),
    )
    t.expect(
        got == expected,
        f"the EIP-55 checksummed form {expected}",
        got,
        "to_checksum_address(...) writes an address with its checksum casing",
    )


@derive.property("any private key gives its own address", private_keys, points=2, examples=25)
def _(t, number):
    key = _key(number)
    got = t.call(key)
    expected = _address_of(key)
    t.expect(
        isinstance(got, str) and got.lower() == expected.lower(),
        f"the address {expected}",
        _short(got),
        "the address is the last 20 bytes of keccak256(64-byte public key)",
    )


@derive.check("an address that starts with zeros keeps them", points=1, hidden=True)
def _(t):
    got = t.call(LEADING_ZERO_KEY)
    expected = _address_of(LEADING_ZERO_KEY)
    t.expect(
        isinstance(got, str) and got.lower() == expected.lower(),
        "all 40 hex digits, leading zeros included",
        _short(got),
        "going through an int (hex(int(...))) drops leading zeros: keep the bytes",
    )


# --- 2. verify a signed message -----------------------------------------------------------------

verify = exercise(
    "01-hashes-and-keys/verify-signature",
    "Check who signed a message",
    submits="function",
    name="verify_signature",
    hints=[
        "Wrap the text the way wallets do: `encode_defunct(text=message)`, then "
        "`Account.recover_message(that, signature=signature)` gives the signer's address.",
        "Compare addresses without caring about upper or lower case: `.lower()` both sides.",
        "A broken signature makes recovery raise: catch the exception and return False.",
    ],
)


def _sign(message: str, key: bytes) -> bytes:
    return bytes(Account.sign_message(encode_defunct(text=message), key).signature)


def _expect_bool(t, got, want: bool, what: str, hint: str = ""):
    t.expect(
        isinstance(got, bool) and got is want,
        f"{want} for {what}",
        _short(got),
        hint,
    )


@verify.check("alice's signature of her message verifies", points=1)
def _(t):
    got = t.call("gm", _sign("gm", ALICE_KEY), t.alice)
    _expect_bool(
        t,
        got,
        True,
        "alice's own signature of 'gm' checked against her address",
        "recover the signer from the signature and compare it with the address",
    )


@verify.check("a signature does not verify a different message", points=1)
def _(t):
    got = t.call("gn", _sign("gm", ALICE_KEY), t.alice)
    _expect_bool(
        t,
        got,
        False,
        "a signature of 'gm' checked against the message 'gn'",
        "recover from the message you were given: a different message recovers a different signer",
    )


@verify.check("bob's signature does not pass for alice", points=1)
def _(t):
    got = t.call("gm", _sign("gm", BOB_KEY), t.alice)
    _expect_bool(t, got, False, "bob's signature checked against alice's address")


@verify.check("the address may be given in lower case", points=1)
def _(t):
    got = t.call("gm", _sign("gm", ALICE_KEY), t.alice.lower())
    _expect_bool(
        t,
        got,
        True,
        "alice's signature checked against her address written in lower case",
        "the same address can be written checksummed or in lower case",
    )


messages = st.text(max_size=60)


@verify.property(
    "any key signing any message: true for the signer, false for anyone else",
    st.tuples(private_keys, private_keys, messages),
    points=2,
    examples=15,
)
def _(t, case):
    key, other, message = _key(case[0]), _key(case[1]), case[2]
    signature = _sign(message, key)
    got = t.call(message, signature, _address_of(key))
    _expect_bool(t, got, True, "a genuine signature checked against its signer's address")
    if other != key:
        got = t.call(message, signature, _address_of(other))
        _expect_bool(t, got, False, "a genuine signature checked against another address")


@verify.check("a malformed or tampered signature is refused, not an error", points=1, hidden=True)
def _(t):
    good = _sign("gm", ALICE_KEY)
    tampered = good[:64] + bytes([good[64] ^ 0xFF])  # an impossible recovery id
    for signature in (b"", b"\x00" * 65, good[:30], tampered):
        try:
            got = t.submission("gm", signature, t.alice)
        except NotImplementedError:
            raise  # reported as not done yet
        except Exception as exc:
            raise CheckFailed(
                "False for a signature that cannot be valid",
                f"it raised {type(exc).__name__}",
                "a signature you cannot recover from is simply not valid",
            ) from None
        _expect_bool(t, got, False, "a signature that cannot be valid")


# --- 3. proof of work: a nonce whose hash has a prefix ------------------------------------------

nonce = exercise(
    "01-hashes-and-keys/find-nonce",
    "Find a nonce whose hash starts with a prefix",
    submits="function",
    name="find_nonce",
    hints=[
        "Loop `nonce = 0, 1, 2, ...` and stop at the first one that works: "
        "`itertools.count()` or a `while True` loop.",
        'The text to hash is the data followed by the nonce, e.g. `f"{data}{nonce}"`; hash it '
        "with `keccak(text=...)`.",
        "`.hex()` writes the hash's bytes as lower-case hex without 0x: "
        "`.startswith(prefix)` tells you if it works.",
    ],
)


def _work(data: str, n: int) -> str:
    return keccak(text=f"{data}{n}").hex()


def _expect_nonce(t, data: str, prefix: str, got, hint: str = ""):
    t.expect(
        isinstance(got, int) and not isinstance(got, bool) and got >= 0,
        f"find_nonce({_short(data)}, {prefix!r}) to return a whole number 0 or more",
        _short(got),
    )
    t.expect(
        _work(data, got).startswith(prefix),
        f"the hash of {_short(data)} followed by the nonce {got} to start with {prefix!r}",
        f"it starts with {_work(data, got)[: len(prefix) + 4]!r}…",
        hint,
    )


def _smallest(data: str, prefix: str) -> int:
    n = 0
    while not _work(data, n).startswith(prefix):
        n += 1
    return n


@nonce.check("returns a whole number", points=1)
def _(t):
    got = t.call("hello", "0")
    t.expect(
        isinstance(got, int) and not isinstance(got, bool) and got >= 0,
        "an int 0 or more",
        f"{_short(got)} ({type(got).__name__})",
        "return the nonce itself, not its hash",
    )


@nonce.check("its hash starts with the prefix '00'", points=2)
def _(t):
    got = t.call("hello", "00")
    _expect_nonce(
        t, "hello", "00", got, "hash the text data + str(nonce), encoded as UTF-8, with keccak256"
    )


@nonce.check("it is the smallest nonce that works", points=1)
def _(t):
    got = t.call("block 292", "ab")
    _expect_nonce(t, "block 292", "ab", got)
    smallest = _smallest("block 292", "ab")
    t.expect(
        got == smallest,
        "the first nonce that works, trying 0, 1, 2, ... in order",
        f"{got}, but a smaller nonce also works",
        "start the search at 0 and count up by one",
    )


hex_digits = "0123456789abcdef"


@nonce.property(
    "any data, any prefix of 1 to 3 hex digits",
    st.tuples(
        st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=20),
        st.text(alphabet=hex_digits, min_size=1, max_size=3),
    ),
    points=2,
    examples=10,
)
def _(t, case):
    data, prefix = case
    _expect_nonce(t, data, prefix, t.call(data, prefix))


@nonce.check("data with accents and emoji (UTF-8) works too", points=1, hidden=True)
def _(t):
    data = "crème brûlée ☕ 🚀"
    got = t.call(data, "0")
    _expect_nonce(t, data, "0", got, "encode the text as UTF-8 (keccak(text=...) does)")
