"""`sollab doctor`: one table of every piece, OK or a one-line fix."""

from __future__ import annotations

import json

from sollab import doctor
from sollab.cli import main


def test_every_piece_is_ok_on_a_set_up_lab():
    checks = doctor.run_checks()
    names = [c.name for c in checks]
    for piece in ("Python", "package web3", "Node.js", "solc 0.8.37", "solc 0.7.6", "OpenZeppelin"):
        assert piece in names
    assert "chain start" in names and "compile + deploy + call" in names
    failed = [f"{c.name}: {c.detail}" for c in checks if not c.ok]
    assert failed == []


def test_a_failing_piece_gets_a_fix_and_a_nonzero_exit(monkeypatch, capsys, tmp_path):
    """Does a missing OpenZeppelin show FAIL with the fix, and does doctor exit 1?"""
    monkeypatch.setattr(doctor, "lab_root", lambda: tmp_path)
    check = doctor._openzeppelin()
    assert not check.ok and "make setup" in check.detail
    try:
        main(["doctor", "--json"])
        code = 0
    except SystemExit as exc:
        code = exc.code
    result = json.loads(capsys.readouterr().out)
    assert code == 1
    bad = [c for c in result["checks"] if not c["ok"]]
    assert [c["name"] for c in bad] == ["OpenZeppelin"]


def test_render_is_a_table_with_a_verdict():
    table = doctor.render([doctor.Check("a", True, "fine"), doctor.Check("b", False, "fix it")])
    lines = table.splitlines()
    assert lines[2].split() == ["a", "OK", "fine"]
    assert lines[3].split()[:2] == ["b", "FAIL"]
    assert lines[-1] == "1 check(s) failed: see the fixes above"
