"""Grading a learner's tests by mutation: their test function must pass on a correct contract
and fail on each buggy variant of it ("mutant", one small edit each); a check earns its points
when the tests catch its mutant. A suite that always fails earns nothing, because it fails on
the correct contract, and the mutants' code is never shown.

A grader module declares the contract and its mutants once and makes one check per mutant::

    SAVINGS = Mutation("lesson 08", Path("contracts/08-testing-contracts/Savings.sol"), MUTANTS)
    SAVINGS.checks(basics, ["zero-deposit", "balance-kept"], visible="zero-deposit", hint="...")

The learner's function receives the compiled contract as a factory on the kernel's chain (and
whatever ``given`` adds), runs inside ``chain.anchor()`` so nothing it does outlives it, with
hypothesis set to the lesson's 15 reproducible examples (shrunk only on the correct contract,
the only failure ever shown).

What it cannot stop: a test that compares the contract it receives with the released source
(its bytecode, or code read from the chain) fails on every mutant without testing behaviour.
The checks reward catching bugs, not how; an instructor reading the submission sees it.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import io
import linecache
import re
import traceback
import weakref
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from . import compile_source, get_chain
from .contracts import ContractFactory
from .grading import CheckFailed, Exercise, GradingError, without_local_constants
from .paths import lab_root

# Each mutant: (check title, the bug in the learner's words, the edits that make it). A title
# names the kind of bug only vaguely; the edits stay in the grader.
Mutant = tuple[str, str, list[tuple[str, str]]]

EXAMPLES = 15  # hypothesis examples per learner test: each one sends transactions


class Mutation:
    """The correct contract at ``source`` (relative to the lab root) and its ``mutants``, for
    grading test functions. ``given`` returns the arguments after the contract a learner's test
    receives (e.g. a token factory); ``rules`` says where the learner reads the behaviour."""

    def __init__(
        self,
        lesson: str,
        source: Path,
        mutants: dict[str, Mutant],
        *,
        given: Callable[[], tuple] = tuple,
        rules: str = "the contract's documented behaviour",
    ) -> None:
        self.lesson, self.source, self.mutants = lesson, Path(source), mutants
        self.name = self.source.stem
        self.given, self.rules = given, rules
        # The tests run on the correct contract once per grade (each grade has a chain of its
        # own, the key), not once per check: {chain: {id(test): (test, what it raised)}}.
        self._on_correct: weakref.WeakKeyDictionary[Any, dict[int, tuple]] = (
            weakref.WeakKeyDictionary()
        )
        self.artifact = functools.cache(self._compile)

    def mutate(self, text: str, edits: list[tuple[str, str]]) -> str:
        """``text`` with each ``old`` (found exactly once) replaced by ``new``."""
        for old, new in edits:
            if text.count(old) != 1:
                raise GradingError(
                    f"{self.lesson} grader: {old!r} is not found exactly once in {self.name}"
                )
            text = text.replace(old, new)
        return text

    def _compile(self, key: str) -> Any:
        """The correct contract (``"correct"``) or a mutant, compiled on its own under the
        correct file name: the learner's code receives it, so it must carry no other mutant's
        source, nor a file name that gives the bug away. (Cached per key: ``artifact``.)"""
        path = lab_root() / self.source
        if not path.is_file():
            raise GradingError(
                f"{self.lesson} grader: {self.source} is missing; tests are graded against it, "
                "so grade in the course's repository"
            )
        text = path.read_text()
        if key != "correct":
            text = self.mutate(text, self.mutants[key][2])
        return compile_source(text, self.source.name)[self.name]

    def run_tests(self, test: Any, key: str) -> BaseException | None:
        """Run the learner's ``test`` on the contract called ``key`` on the kernel's chain
        (their code uses it for time travel and accounts), undoing everything afterwards;
        returns what it raised, or None."""
        contract = ContractFactory(self.artifact(key), get_chain)
        with graded_run(shrink=key == "correct"):
            try:
                test(contract, *self.given())
            except Exception as exc:
                return exc
        return None

    def passes_on_correct(self, t: Any) -> None:
        """The check's premise: the learner's tests pass on the correct contract."""
        runs = self._on_correct.setdefault(t.chain, {})
        entry = runs.get(id(t.submission))
        if entry is None or entry[0] is not t.submission:
            entry = runs[id(t.submission)] = (t.submission, self.run_tests(t.submission, "correct"))
        failure = entry[1]
        if isinstance(failure, NotImplementedError):
            raise CheckFailed(
                "your tests in the function",
                "not written yet (it raises NotImplementedError)",
                "replace `raise NotImplementedError()` with your tests, then run this cell again",
            )
        if failure is not None:
            raise CheckFailed(
                f"your tests to pass on a correct {self.name}",
                f"they fail with {describe(failure)}",
                "a test that fails on a correct contract tests the wrong thing: compare what it "
                f"expects with {self.rules}, and run it yourself on your own {self.name}",
            )

    def checks(self, ex: Exercise, keys: Iterable[str], *, visible: str, hint: str) -> None:
        """One check per mutant in ``keys``, one point each: the tests pass on the correct
        contract and fail on the mutant. Only the ``visible`` mutant's check is not hidden."""
        for key in keys:
            title, bug, _ = self.mutants[key]

            def check(t: Any, key: str = key, bug: str = bug) -> None:
                self.passes_on_correct(t)
                t.expect(
                    self.run_tests(t.submission, key) is not None,
                    f"your tests to fail on a {self.name} with {bug}",
                    "they all passed on it",
                    hint,
                )

            check.mutation, check.mutant = self, key  # for the grader's own tests
            ex.check(title, points=1, hidden=key != visible)(check)


# --- where a learner's test runs -------------------------------------------------------------

_GRADED_RUN: contextvars.ContextVar[dict[str, bool] | None] = contextvars.ContextVar(
    "sollab_graded_run", default=None
)


@contextlib.contextmanager
def graded_run(shrink: bool) -> Iterator[None]:
    """What a learner's test runs inside while it is graded: the kernel's chain anchored
    (nothing the test does outlives it), hypothesis's lesson defaults (``_hypothesis_defaults``)
    and its output swallowed (one report). In a class's grading the test lives in the
    submission's sandbox and is called through a proxy: the proxy reads ``current_run()`` and
    the sandbox enters the same ``graded_run`` around the call, so a test draws the same inputs,
    on a chain in the same state, in the notebook and in ``sollab grade``."""
    token = _GRADED_RUN.set({"shrink": shrink})
    try:
        with (
            get_chain().anchor(),
            _hypothesis_defaults(shrink=shrink),
            contextlib.redirect_stdout(io.StringIO()),
        ):
            yield
    finally:
        _GRADED_RUN.reset(token)


def current_run() -> dict[str, bool] | None:
    """The ``graded_run`` this code runs in (its arguments), or None."""
    return _GRADED_RUN.get()


# --- how a failing learner test reads ----------------------------------------------------------


@functools.cache
def _not_theirs() -> tuple[Path, ...]:
    """Where code that is not the learner's lives: sollab, the graders, hypothesis."""
    places = [Path(__file__).resolve().parent, (lab_root() / "graders").resolve()]
    with contextlib.suppress(ImportError):
        import hypothesis

        places.append(Path(hypothesis.__file__).resolve().parent)
    return tuple(places)


def _theirs(filename: str) -> bool:
    if filename.startswith("<") or "site-packages" in filename or "/lib/python" in filename:
        return False
    path = Path(filename).resolve()
    return not any(path == p or p in path.parents for p in _not_theirs())


def describe(exc: BaseException) -> str:
    """How the learner's failing test reads: the exception, their line, hypothesis's input."""
    first = (str(exc).strip().splitlines() or [""])[0]
    text = f"{type(exc).__name__}: {first}" if first else type(exc).__name__
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if _theirs(f.filename)]
    if frames:
        frame = frames[-1]
        line = (frame.line or linecache.getline(frame.filename, frame.lineno)).strip()
        text += f" (in {frame.name}, line {frame.lineno}: {line})" if line else ""
    for note in getattr(exc, "__notes__", []):  # hypothesis names the (smallest) failing input
        found = re.match(r"(?:Falsifying example|Failing test case): (.*)", note, re.S)
        if found:
            example = re.sub(r"\s+", " ", found[1]).replace("( ", "(").replace(", )", ")")
            text += f"; the failing input: {example[:240]}"
            break
    return text


@contextlib.contextmanager
def _hypothesis_defaults(shrink: bool) -> Iterator[None]:
    """Hypothesis defaults while the learner's tests run: the lesson's 15 examples, reproducible,
    no deadline, no example database, and no shrinking on mutants (only the correct run's
    failure is ever shown). Settings the learner's test names itself still win. Reproducible
    means the same inputs in the notebook, a sandbox and a class's pool alike: derandomized, and
    without the constants hypothesis would mix in from whatever local modules that process had
    loaded (they made a suite catch a mutant in one run and miss it in the next)."""
    try:
        from hypothesis import Phase, settings
    except ImportError:
        yield
        return
    previous = getattr(settings, "_current_profile", None) or "default"
    phases = [Phase.explicit, Phase.generate] + ([Phase.shrink] if shrink else [])
    settings.register_profile(
        "sollab-grading",
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        phases=phases,
    )
    settings.load_profile("sollab-grading")
    try:
        with without_local_constants():
            yield
    finally:
        settings.load_profile(previous)
