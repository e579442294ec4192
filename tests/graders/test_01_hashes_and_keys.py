"""Lesson 01's checks: right answers (however written) earn full marks, each typical mistake
loses exactly its own checks' points, and the released stub or a wrong type scores 0."""

from __future__ import annotations

import itertools

import pytest
from eth_account import Account
from eth_account.messages import encode_defunct
from eth_keys import keys
from eth_utils import keccak, to_checksum_address
from lessonkit import no_crash, outcome, score, stub

from sollab.grading import get_exercise

DERIVE = "01-hashes-and-keys/derive-address"
VERIFY = "01-hashes-and-keys/verify-signature"
NONCE = "01-hashes-and-keys/find-nonce"


# --- derive-address -------------------------------------------------------------------------


def derive_reference(private_key):
    public = keys.PrivateKey(private_key).public_key.to_bytes()
    return to_checksum_address(keccak(public)[-20:])


def derive_other_way(private_key):
    return Account.from_key(private_key).address


def derive_lower(private_key):
    return derive_reference(private_key).lower()


def derive_with_prefix(private_key):  # hashes the 65-byte uncompressed key, 0x04 included
    public = b"\x04" + keys.PrivateKey(private_key).public_key.to_bytes()
    return to_checksum_address(keccak(public)[-20:])


def derive_via_int(private_key):  # hex(int) drops leading zeros, then pads at the wrong end
    digits = hex(int.from_bytes(keccak(keys.PrivateKey(private_key).public_key.to_bytes())[-20:]))
    return to_checksum_address(digits[2:].ljust(40, "0"))


def derive_bytes(private_key):
    return keccak(keys.PrivateKey(private_key).public_key.to_bytes())[-20:]


def test_derive_full_marks_for_the_reference_and_another_way():
    assert score(DERIVE, derive_reference) == get_exercise(DERIVE).points == 6
    assert score(DERIVE, derive_other_way) == 6


def test_derive_lower_case_loses_only_the_checksum_point():
    assert score(DERIVE, derive_lower) == 5


def test_derive_with_the_04_prefix_earns_nothing_but_the_shape():
    assert score(DERIVE, derive_with_prefix) == 1


def test_derive_dropping_leading_zeros_loses_only_the_hidden_check():
    """1 address in 256 starts with a zero byte: the hidden check's key is one of them."""
    assert outcome(DERIVE, derive_via_int) == (5, ["an address that starts with zeros keeps them"])


def test_derive_returning_bytes_earns_nothing():
    assert score(DERIVE, derive_bytes) == 0


def test_derive_stub_and_wrong_type_score_zero():
    no_crash(DERIVE, stub)
    no_crash(DERIVE, "0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf")


# --- verify-signature -----------------------------------------------------------------------


def verify_reference(message, signature, address):
    try:
        signer = Account.recover_message(encode_defunct(text=message), signature=signature)
    except Exception:
        return False
    return signer.lower() == address.lower()


def verify_other_way(message, signature, address):
    """By hand: the EIP-191 hash, then eth-keys recovery from (r, s, v)."""
    if len(signature) != 65 or signature[64] not in (27, 28):
        return False
    data = message.encode()
    digest = keccak(b"\x19Ethereum Signed Message:\n" + str(len(data)).encode() + data)
    try:
        sig = keys.Signature(signature[:64] + bytes([signature[64] - 27]))
        signer = sig.recover_public_key_from_msg_hash(digest).to_checksum_address()
    except Exception:
        return False
    return to_checksum_address(address) == signer


def verify_case_sensitive(message, signature, address):
    try:
        signer = Account.recover_message(encode_defunct(text=message), signature=signature)
    except Exception:
        return False
    return signer == address


def verify_no_try(message, signature, address):
    signer = Account.recover_message(encode_defunct(text=message), signature=signature)
    return signer.lower() == address.lower()


def verify_always_true(message, signature, address):
    return True


def test_verify_full_marks_for_the_reference_and_another_way():
    assert score(VERIFY, verify_reference) == get_exercise(VERIFY).points == 7
    assert score(VERIFY, verify_other_way) == 7


def test_verify_comparing_case_loses_only_the_lower_case_check():
    assert outcome(VERIFY, verify_case_sensitive) == (6, ["the address may be given in lower case"])


def test_verify_without_catching_loses_only_the_hidden_check():
    assert score(VERIFY, verify_no_try) == 6


def test_verify_always_true_earns_only_the_true_cases():
    assert score(VERIFY, verify_always_true) == 2


def test_verify_stub_and_wrong_type_score_zero():
    no_crash(VERIFY, stub)
    no_crash(VERIFY, True)


# --- find-nonce -----------------------------------------------------------------------------


def nonce_reference(data, prefix):
    n = 0
    while not keccak(text=f"{data}{n}").hex().startswith(prefix):
        n += 1
    return n


def nonce_other_way(data, prefix):
    return next(
        n
        for n in itertools.count()
        if keccak((data + str(n)).encode("utf-8")).hex()[: len(prefix)] == prefix
    )


def nonce_from_one(data, prefix):
    n = 1
    while not keccak(text=f"{data}{n}").hex().startswith(prefix):
        n += 1
    return n


def nonce_returns_hash(data, prefix):
    return keccak(text=f"{data}{nonce_reference(data, prefix)}").hex()


def nonce_ascii(data, prefix):
    n = 0
    while not keccak(f"{data}{n}".encode("ascii")).hex().startswith(prefix):
        n += 1
    return n


def test_nonce_full_marks_for_the_reference_and_another_way():
    assert score(NONCE, nonce_reference) == get_exercise(NONCE).points == 7
    assert score(NONCE, nonce_other_way) == 7


def test_nonce_starting_at_one_loses_only_the_smallest_check():
    assert outcome(NONCE, nonce_from_one) == (6, ["it is the smallest nonce that works"])


def test_nonce_returning_the_hash_earns_nothing():
    assert score(NONCE, nonce_returns_hash) == 0


def test_nonce_ascii_only_loses_only_the_utf8_check():
    assert score(NONCE, nonce_ascii) == 6


def test_nonce_stub_and_wrong_type_score_zero():
    no_crash(NONCE, stub)
    no_crash(NONCE, 42)


@pytest.mark.parametrize("exercise_id", [DERIVE, VERIFY, NONCE])
def test_every_exercise_has_hints_and_a_hidden_check(exercise_id):
    ex = get_exercise(exercise_id)
    assert len(ex.hints) >= 2
    assert any(c.hidden for c in ex.checks) and sum(not c.hidden for c in ex.checks) >= 3
