"""What the grader tests share: grading an answer and reading the result, and the lessons'
Solidity (reference, starter, variants of the reference), compiled.

The test modules import it as ``from lessonkit import ...`` (pytest puts their folder on the
path). Grades run on a fresh chain unless given one: a module that grades many contracts passes
the ``module_chain`` fixture (each check still runs in its own snapshot of it).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sollab
from sollab.grading import Score, grade

REPO = Path(__file__).resolve().parents[2]
HEADER = "// SPDX-License-Identifier: MIT\npragma solidity ^0.8.24;\n"


# --- grading ----------------------------------------------------------------------------------


def stub(*args: Any) -> Any:
    """A function exercise's released stub."""
    raise NotImplementedError()


def graded(exercise_id: str, answer: Any, chain: Any = None) -> Score:
    """``answer``'s grade (quietly: no report printed)."""
    return grade(exercise_id, answer, quiet=True, chain=chain)


def score(exercise_id: str, answer: Any, chain: Any = None) -> float:
    return float(graded(exercise_id, answer, chain))


def failed(result: Score) -> list[str]:
    """The titles of the checks a grade did not pass, in order."""
    return [r.title for r in result.results if not r.passed]


def outcome(exercise_id: str, answer: Any, chain: Any = None) -> tuple[float, list[str]]:
    """The score and the titles of the checks that failed, from one grade (failing properties
    shrink, which takes a while)."""
    result = graded(exercise_id, answer, chain)
    return float(result), failed(result)


def no_crash(exercise_id: str, answer: Any, chain: Any = None) -> Score:
    """Grade an answer that earns nothing (a stub, a wrong type): 0, and every check says why in
    words, not with our traceback."""
    result = graded(exercise_id, answer, chain)
    assert float(result) == 0, result.report()
    for r in result.results:
        assert r.message, r.title
        assert "stopped with" not in r.message and "Traceback" not in r.message, r.message
    return result


# --- the lessons' Solidity --------------------------------------------------------------------


def solidity(folder: str, lesson: str, name: str) -> str:
    """The source of contract ``name`` in ``folder`` ("solutions" or "contracts") of ``lesson``."""
    return (REPO / folder / lesson / f"{name}.sol").read_text()


def compiled(source: str, name: str):
    """Contract ``name`` compiled from ``source`` (imports resolve from the repository)."""
    return sollab.compile_source(source, f"{name}.sol", base=REPO)[name]


def from_file(folder: str, lesson: str, name: str):
    """The reference answer (``folder="solutions"``) or the starter (``"contracts"``), compiled."""
    return compiled(solidity(folder, lesson, name), name)


def contract(name: str, body: str):
    """``contract name { body }`` with the SPDX line and pragma, compiled."""
    return compiled(HEADER + f"contract {name} {{\n{body}\n}}\n", name)


def variant(lesson: str, name: str, *edits: str):
    """The reference answer with pieces rewritten: ``old, new, old, new, ...`` (each old piece
    must be there)."""
    source = solidity("solutions", lesson, name)
    for old, new in zip(edits[::2], edits[1::2], strict=True):
        assert old in source, f"{old!r} is not in the solution of {name}"
        source = source.replace(old, new)
    return compiled(source, name)
