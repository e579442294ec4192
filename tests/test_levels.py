"""Levels (sollab.levels): a factory deploys a vulnerable contract for a player, attacks run as
transaction lists or attacker contracts, and the verdict comes from the chain's state."""

from __future__ import annotations

import pytest

import sollab
from sollab.levels import _LEVELS, AttackError, Level, LevelError, get_level

ETHER = 10**18

SOURCE = """\
// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// Anyone may empty it: the owner check is missing.
contract Jar {
    address public owner;
    constructor() payable { owner = msg.sender; }
    function empty(address payable to) external { to.transfer(address(this).balance); }
}

/// The fixed jar: only its owner may empty it.
contract SafeJar {
    address public owner;
    constructor() payable { owner = msg.sender; }
    function empty(address payable to) external {
        require(msg.sender == owner, "not the owner");
        to.transfer(address(this).balance);
    }
}

interface IJar { function empty(address payable to) external; }

/// An attacker contract: the player deploys it with the jar's address and calls attack().
contract Robber {
    IJar jar;
    address payable player;
    constructor(IJar target) { jar = target; player = payable(msg.sender); }
    function attack() external payable {
        require(msg.value == 5, "expected the level's attack_value");
        jar.empty(player);
    }
}

/// An attacker that does nothing.
contract Idle {
    constructor(address) {}
    function attack() external payable {}
}
"""


@pytest.fixture(scope="module")
def compiled():
    return sollab.compile_source(SOURCE, "Jar.sol")


def _setup(chain, player, artifact, funds=3 * ETHER):
    jar = chain.deploy(artifact, value=funds, sender=chain.alice)
    return {"jar": jar, "start": {"funds": funds}}


def _won(game) -> str:
    left = game.chain.balance(game.jar)
    return f"the jar still holds {left} wei" if left else ""


def _empty_it(jar: str, player: str) -> list:
    return [{"to": jar, "function": "empty", "args": [player]}]


@pytest.fixture(scope="module")
def level(compiled):
    lv = Level(
        "99-test/jar",
        "Empty the jar",
        goal="the jar is empty",
        setup=_setup,
        won=_won,
        vulnerable=lambda: compiled["Jar"],
        reference=lambda: _empty_it,
        attack_value=5,
    )
    yield lv
    _LEVELS.pop(lv.id, None)


@pytest.fixture
def chain(module_chain):
    with module_chain.anchor():
        yield module_chain


def test_a_new_instance_is_deployed_and_funded_for_the_player_and_not_won(level, chain):
    game = level.new(chain)
    assert game.player == chain.bob
    assert game.target is game.jar and chain.balance(game.jar) == 3 * ETHER
    assert game.start["funds"] == 3 * ETHER and game.gained() == 0
    verdict = game.validate()
    assert (
        not verdict
        and str(verdict) == "99-test/jar: not won yet — the jar still holds 3000000000000000000 wei"
    )


def test_does_the_reference_attack_win_and_submit_say_so_in_one_line(level, chain, capsys):
    verdict = level.play(chain=chain)
    assert verdict.won and verdict.instance.gained() > 0
    assert verdict.instance.submit() is None
    assert capsys.readouterr().out == "99-test/jar: level won — the jar is empty\n"


def test_options_reach_the_factory_and_another_player_can_play(level, chain):
    verdict = level.play(chain=chain, player=chain.carol, funds=ETHER)
    assert verdict.won and verdict.instance.player == chain.carol
    assert verdict.instance.gained() > ETHER // 2


def test_an_attacker_contract_is_deployed_by_the_player_and_its_attack_gets_the_value(
    level, chain, compiled
):
    game = level.new(chain)
    nonce = chain.nonce(chain.bob)
    assert game.run(compiled["Robber"]).won  # (its attack() requires the level's 5 wei)
    assert chain.nonce(chain.bob) == nonce + 2  # bob deployed it, then called attack()


def test_does_a_do_nothing_attacker_leave_the_level_unwon(level, chain, compiled):
    verdict = level.play(compiled["Idle"], chain)
    assert not verdict.won and "the jar still holds" in verdict.reason


def test_a_fixed_contract_in_the_vulnerable_ones_place_makes_the_same_attack_fail(
    level, chain, compiled
):
    verdict = level.play(chain=chain, contract=compiled["SafeJar"])
    assert not verdict.won
    assert verdict.reason.startswith("the jar still holds 3000000000000000000 wei; the attack")
    assert "not the owner" in verdict.reason
    owner_empties = level.new(chain, contract=compiled["SafeJar"])
    owner_empties.jar.empty(chain.alice, sender=chain.alice)  # it still does its job
    assert owner_empties.validate().won


def test_a_failing_transaction_stops_the_attack_and_what_ran_before_stays(level, chain):
    game = level.new(chain)
    txs = [
        {"to": game.jar.address, "function": "empty", "args": [str(chain.bob)]},
        {"to": game.jar.address, "function": "empty", "args": [str(chain.bob)], "value": 1},
    ]
    verdict = game.run(txs)
    assert verdict.won  # the first emptied the jar
    assert "not payable" in game.error


def test_raw_data_goes_to_any_address(level, chain):
    game = level.new(chain)
    before = chain.balance(chain.frank)
    game.send([{"to": str(chain.frank), "data": "0x", "value": 7}])
    assert chain.balance(chain.frank) - before == 7


@pytest.mark.parametrize(
    ("txs", "message"),
    [
        ("empty", "a list of dicts, got str"),
        ([42], "transaction 1 must be a dict"),
        ([{"function": "empty"}], "transaction 1 has no 'to' address"),
        ([{"to": "0x00", "fn": "empty"}], "unknown keys ['fn']"),
        ([{"to": "0x00"}], "exactly one of 'function' (a name) and 'data'"),
        ([{"to": "0x00", "data": "zz"}], "data 'zz' is not hex"),
        (
            [{"to": "0x000000000000000000000000000000000000dEaD", "function": "empty"}],
            "is not one of this level's contracts (jar at 0x",
        ),
    ],
)
def test_a_malformed_transaction_list_is_one_clear_error(level, chain, txs, message):
    game = level.new(chain)
    with pytest.raises(AttackError) as info:
        game.send(txs)
    assert message in str(info.value) and "\n" not in str(info.value)


def test_an_unknown_function_names_the_contracts_functions(level, chain):
    game = level.new(chain)
    game.run([{"to": game.jar.address, "function": "Empty", "args": []}])
    assert "did you mean 'empty'?" in game.error


def test_a_wrong_kind_of_attack_is_one_clear_error(level, chain):
    with pytest.raises(AttackError, match=r"takes an attacker contract .* got int"):
        level.new(chain).run(42)
    with pytest.raises(AttackError, match="got str"):
        level.new(chain, contract="SafeJar")


def test_an_unfinished_answer_says_so_in_one_line(level, chain):
    from sollab.grading import Unfinished

    with pytest.raises(AttackError, match="Robber is not compiled yet: it has a TODO"):
        level.new(chain).run(Unfinished("Robber", "it has a TODO"))

    def empty_it(jar, player):
        raise NotImplementedError()

    with pytest.raises(AttackError, match=r"empty_it is not done yet: replace `raise"):
        level.new(chain).run(empty_it)


def test_a_verdict_shows_as_its_one_line_in_a_notebook(level, chain):
    from IPython.lib.pretty import pretty

    assert pretty(level.new(chain).validate()).startswith("99-test/jar: not won yet — ")


def test_a_function_attack_gets_the_levels_arguments(level, chain, compiled):
    seen = []

    def spy(*args):
        seen.append(args)
        return []

    game = level.new(chain)
    game.run(spy)
    assert seen == [(game.jar.address, str(chain.bob))]
    other = Level(
        "99-test/jar-with-a-secret",
        "Empty the jar, told a secret",
        goal="the jar is empty",
        setup=_setup,
        won=_won,
        vulnerable=lambda: compiled["Jar"],
        reference=lambda: _empty_it,
        arguments=lambda game: (game.jar.address, str(game.player), {"secret": 42}),
    )
    try:
        other.new(chain).run(spy)
    finally:
        _LEVELS.pop(other.id)
    assert seen[-1][2] == {"secret": 42}


def test_a_level_may_play_a_function_attack_its_own_way(level, chain, compiled):
    calls = []

    def twice(game, attack):  # e.g. once per transaction waiting in a mempool
        for n in (1, 2):
            calls.append(n)
            game.send(attack(game.jar.address, str(game.player), n))

    other = Level(
        "99-test/jar-twice",
        "Empty the jar, asked twice",
        goal="the jar is empty",
        setup=_setup,
        won=_won,
        vulnerable=lambda: compiled["Jar"],
        reference=lambda: _empty_it,
        play_function=twice,
    )
    try:
        verdict = other.play(lambda jar, player, n: _empty_it(jar, player) if n == 2 else [], chain)
    finally:
        _LEVELS.pop(other.id)
    assert verdict.won and calls == [1, 2]


def test_get_level_finds_declared_levels_and_suggests_close_names(level):
    assert get_level("99-test/jar") is level and sollab.level is get_level
    with pytest.raises(LevelError, match="did you mean '99-test/jar'"):
        get_level("99-test/jars")


def test_an_instance_names_its_contracts_when_asked_for_another(level, chain):
    with pytest.raises(AttributeError, match="no contract named 'vault' \\(contracts: jar\\)"):
        _ = level.new(chain).vault
