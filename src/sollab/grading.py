"""Exercise checks, written once and used everywhere: lesson grade cells, `sollab check`,
nbgrader autograding and the test suite.

An exercise is declared in ``graders/`` with its checks; each check tests behaviour (any
correct solution passes), earns its own points, runs in its own chain snapshot, and on failure
tells the learner what was expected, what happened and a hint — never the check's code::

    counter = exercise("05-solidity-basics/counter", "A counter with an owner-only reset",
                       contract="Counter", hints=["...", "..."])

    @counter.check("starts at zero", points=1)
    def _(t):
        c = t.deploy()
        t.expect(c.count() == 0, "count() is 0 after deployment", f"count() is {c.count()}")

    lab.grade("05-solidity-basics/counter", Counter)   # prints the report, returns the score
"""

from __future__ import annotations

import contextlib
import difflib
import importlib.util
import io
import json
import os
import re
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import progress
from .display import Rich, _e, _table, panel
from .errors import LabError, LookupFailed
from .paths import lab_home, lab_root

# --- declaring exercises ----------------------------------------------------------------------


class GradingError(LookupFailed):
    """An unknown exercise id, a submission of the wrong kind, or a malformed grader."""


class NotCompiled(LabError, AttributeError):
    """A contract whose ``%%solidity`` cell has not compiled yet was used."""


class Unfinished:
    """What a ``%%solidity`` cell binds for a contract it declares but could not compile (the
    released stub, a compile error), so the grade cell scores 0 saying why instead of failing
    with a NameError."""

    def __init__(self, name: str, reason: str) -> None:
        self.name, self.reason = name, reason

    def __getattr__(self, attr: str) -> Any:
        if attr.startswith("_"):
            raise AttributeError(attr)
        raise NotCompiled(f"{self.name} is not compiled yet: {self.reason}")

    def __repr__(self) -> str:
        return f"<{self.name}: not compiled yet ({self.reason})>"


class CheckFailed(LabError, AssertionError):
    """Raised inside a check: what was expected, what happened, and a hint."""

    def __init__(self, expected: str, got: str = "", hint: str = "", *, note: str = ""):
        self.expected, self.got, self.hint = expected, got, hint
        text = f"expected {expected}" if expected else ""
        if got:
            text += f"; got {got}" if text else got
        if hint:
            text += f" (hint: {hint})"
        if note:
            text += f" — {note}"
        super().__init__(text)


@dataclass
class Check:
    title: str
    points: float
    run: Callable[[CheckContext], Any]
    hidden: bool = False
    examples: int = 0  # > 0: a property, fuzzed with hypothesis over ``strategy``
    strategy: Any = None
    setup: Callable[[CheckContext], Any] | None = None  # a property's once-per-check setup


@dataclass
class Exercise:
    """One exercise: id ``<lesson>/<name>``, what the learner submits, and its checks."""

    id: str
    title: str
    submits: str = "contract"  # "contract", "function" or "value"
    contract: str | None = None  # the contract's name, for contract exercises
    hints: list[str] = field(default_factory=list)
    name: str | None = None  # the Python name the learner's answer is bound to in the notebook
    checks: list[Check] = field(default_factory=list)
    defined_in: str | None = None  # the graders/ file that declares it

    @property
    def lesson(self) -> str:
        return self.id.split("/", 1)[0]

    @property
    def points(self) -> float:
        return sum(c.points for c in self.checks)

    def check(self, title: str, points: float = 1, *, hidden: bool = False):
        """Decorator: a check worth ``points``, run with a fresh chain snapshot."""

        def register(fn: Callable[[CheckContext], Any]) -> Callable[[CheckContext], Any]:
            self.checks.append(Check(title, points, fn, hidden))
            return fn

        return register

    def property(
        self,
        title: str,
        strategy: Any,
        points: float = 1,
        *,
        examples: int = 25,
        hidden: bool = False,
        setup: Callable[[CheckContext], Any] | None = None,
    ):
        """Decorator: a check run on ``examples`` inputs drawn from a hypothesis ``strategy``;
        on failure the report gives the smallest failing input.

        ``setup(t)``, if given, runs once before the inputs (say, deploying the contracts every
        input uses) and its result is ``t.setup`` in each; every input starts from the chain as
        setup left it, and everything is undone after the check."""

        def register(fn: Callable[[CheckContext, Any], Any]):
            self.checks.append(Check(title, points, fn, hidden, examples, strategy, setup))
            return fn

        return register


_REGISTRY: dict[str, Exercise] = {}
_LOADED_FROM: set[Path] = set()


def exercise(
    id: str,
    title: str,
    *,
    submits: str = "contract",
    contract: str | None = None,
    hints: list[str] | None = None,
    name: str | None = None,
) -> Exercise:
    """Declare (in ``graders/``) the exercise ``id``; add checks with its decorators."""
    if not re.fullmatch(r"[0-9]{2}-[a-z0-9-]+/[a-z0-9-]+", id):
        raise GradingError(f"exercise id {id!r} must look like '05-solidity-basics/counter'")
    if submits not in ("contract", "function", "value"):
        raise GradingError(f"{id}: submits={submits!r} must be 'contract', 'function' or 'value'")
    if submits == "contract" and not contract:
        raise GradingError(f"{id}: a contract exercise names its contract (contract='Counter')")
    ex = Exercise(id, title, submits, contract, list(hints or []), name=name or contract)
    ex.defined_in = sys._getframe(1).f_globals.get("__file__")  # the grader file
    _REGISTRY[id] = ex
    return ex


def graders_dir() -> Path:
    return Path(os.environ.get("SOLLAB_GRADERS", lab_root() / "graders"))


def load_graders(folder: Path | None = None) -> dict[str, Exercise]:
    """Every exercise declared in ``folder`` (default ``graders/``), loaded once."""
    folder = Path(folder or graders_dir()).resolve()
    for path in sorted(folder.glob("*.py")):
        if path in _LOADED_FROM or path.name.startswith("_"):
            continue
        name = "sollab_graders_" + re.sub(r"\W", "_", path.stem)
        spec = importlib.util.spec_from_file_location(name, path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        _LOADED_FROM.add(path)
    return dict(_REGISTRY)


def get_exercise(id: str) -> Exercise:
    exercises = load_graders()
    if id not in exercises:
        close = difflib.get_close_matches(id, list(exercises), n=1)
        hint = f"; did you mean {close[0]!r}?" if close else " (see `sollab exercises`)"
        raise GradingError(f"no exercise {id!r}{hint}")
    return exercises[id]


# --- running checks ---------------------------------------------------------------------------


class CheckContext:
    """What a check works with: the submission, a chain in a fresh snapshot, helpers."""

    def __init__(self, ex: Exercise, submission: Any, chain: Any):
        self.exercise = ex
        self.submission = submission
        self.chain = chain
        self.notes: list[str] = []  # shown in the report even when the check passes
        self.setup: Any = None  # what a property's setup returned

    def __getattr__(self, name: str) -> Any:  # t.alice, t.bob, ...
        return getattr(self.chain, name)

    def deploy(self, *args: Any, **kwargs: Any):
        """Deploy the submitted contract on the check's chain."""
        return self.chain.deploy(self.submission, *args, **kwargs)

    def expect(self, condition: Any, expected: str, got: str = "", hint: str = "") -> None:
        """Fail the check with a learner-facing message unless ``condition`` holds."""
        if not condition:
            raise CheckFailed(expected, got, hint)

    def note(self, text: str) -> None:
        """A line for the report whether the check passes or not (e.g. a figure it measured)."""
        if text not in self.notes:
            self.notes.append(text)

    def gas(self, workload: Callable[[], Any]) -> int:
        """The gas of every transaction ``workload()`` sends on the check's chain, deployments
        included (views cost nothing on chain and are not counted)."""
        from .gas import GasReport

        with GasReport(self.chain) as report:
            workload()
        return report.total()

    def expect_gas(
        self, used: int, budget: int, reference: int, what: str = "your workload", hint: str = ""
    ) -> None:
        """Fail unless ``used <= budget``; either way the report gives the three figures."""
        if used > budget:
            raise CheckFailed(
                f"{what} to use at most {budget:,} gas (the budget; the reference uses "
                f"{reference:,})",
                f"{used:,} gas, {used - budget:,} over",
                hint,
            )
        self.note(
            f"{what} used {used:,} gas; the budget is {budget:,}; the reference uses {reference:,}"
        )

    def reverts(self, *args: Any, **kwargs: Any):
        from .testing import reverts

        return reverts(*args, **kwargs)

    def expect_revert(self, action: Callable[[], Any], expected: str, hint: str = "") -> None:
        """Fail the check with ``expected`` (and ``hint``) unless ``action()`` reverts."""
        from .errors import RevertExpectationFailed
        from .testing import reverts

        try:
            with reverts():
                action()
        except RevertExpectationFailed:  # it went through (a CheckFailed inside is its own)
            raise CheckFailed(expected, "it went through", hint) from None

    def emitted(self, *args: Any, **kwargs: Any):
        from .testing import emitted

        return emitted(*args, **kwargs)

    def call(self, *args: Any, **kwargs: Any) -> Any:
        """Call the learner's function; if it raises, the check fails saying so (and "not done
        yet" while it still raises NotImplementedError)."""
        name = self.exercise.name or "your function"
        try:
            return self.submission(*args, **kwargs)
        except NotImplementedError:
            raise CheckFailed(
                f"{name} to return an answer",
                "it raises NotImplementedError: not done yet",
                "replace `raise NotImplementedError()` with your code",
            ) from None
        except Exception as exc:
            shown = ", ".join(_short(a) for a in args)
            raise CheckFailed(
                f"{name}({shown}) to return an answer", f"it raised {type(exc).__name__}: {exc}"
            ) from None


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


class _LazyChain:
    """A chain created on first use, so function and value exercises that never touch one do
    not pay for it; anchors opened before it existed still undo what happens inside them."""

    def __init__(self) -> None:
        self._chain: Any = None
        self._open: list[contextlib.ExitStack] = []  # anchors waiting for the chain

    def _get(self) -> Any:
        if self._chain is None:
            from .chain import Chain

            self._chain = Chain()
            for stack in self._open:  # outermost first, so they unwind in order
                stack.enter_context(self._chain.anchor())
        return self._chain

    @contextlib.contextmanager
    def anchor(self) -> Iterator[None]:
        if self._chain is not None:
            with self._chain.anchor():
                yield
            return
        with contextlib.ExitStack() as stack:
            self._open.append(stack)
            try:
                yield
            finally:
                self._open.remove(stack)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._get(), name)


@dataclass
class CheckResult:
    title: str
    points: float
    earned: float
    hidden: bool
    message: str = ""  # why it failed, for the learner

    @property
    def passed(self) -> bool:
        return self.earned == self.points


class Score(float):
    """An exercise's score: a number (nbgrader's partial credit reads it) with the report."""

    exercise: Exercise
    results: list[CheckResult]

    def __new__(cls, ex: Exercise, results: list[CheckResult]) -> Score:
        self = super().__new__(cls, sum(r.earned for r in results))
        self.exercise, self.results = ex, results
        return self

    @property
    def max(self) -> float:
        return self.exercise.points

    def to_dict(self) -> dict[str, Any]:
        return {
            "exercise": self.exercise.id,
            "title": self.exercise.title,
            "score": float(self),
            "max": self.max,
            "checks": [r.__dict__ for r in self.results],
        }

    @property
    def shared_message(self) -> str | None:
        """The one reason every check failed for (a stub, a contract that did not compile):
        said once, not once per check."""
        messages = {r.message for r in self.results}
        if len(self.results) > 1 and len(messages) == 1 and not any(r.passed for r in self.results):
            return messages.pop() or None
        return None

    def _repr_html_(self) -> str:
        """What a notebook shows for the grade cell's value: the score as a learner reads it.
        nbgrader's partial credit reads the plain-text form, the bare number, which stays."""
        return (
            f"<span class='sollab-score' title='{_e(self.exercise.id)}'>score: "
            f"<b>{_fmt(self)} / {_fmt(self.max)}</b></span>"
        )

    def report(self) -> str:
        lines = [f"{self.exercise.id} — {self.exercise.title}: {_fmt(self)} / {_fmt(self.max)}"]
        shared = self.shared_message
        if shared:
            lines.append(f"  every check: {shared}")
        for r in self.results:
            mark = "✓" if r.passed else "✗"
            label = f"{r.title} (hidden)" if r.hidden else r.title
            lines.append(f"  {mark} {label}: {_fmt(r.earned)}/{_fmt(r.points)}")
            if r.message and not shared:
                lines.append(f"      {r.message}")
        return "\n".join(lines)

    def report_html(self) -> str:
        rows = [
            [
                "<span class='ok'>✓</span>" if r.passed else "<span class='err'>✗</span>",
                _e(r.title) + (" <span class='hint'>(hidden)</span>" if r.hidden else ""),
                f"{_fmt(r.earned)}/{_fmt(r.points)}",
                "" if self.shared_message else _e(r.message),
            ]
            for r in self.results
        ]
        head = (
            f"<div><b>{_e(self.exercise.title)}</b> <span class='hint'>{_e(self.exercise.id)}"
            f"</span>: <b>{_fmt(self)} / {_fmt(self.max)}</b></div>"
        )
        if self.shared_message:
            head += f"<div class='err'>Every check: {_e(self.shared_message)}</div>"
        return panel(head + _table(["", "check", "points", "message"], rows))


def _fmt(x: float) -> str:
    return f"{x:g}"


def _normalise(ex: Exercise, submission: Any) -> Any:
    """The submission in the form checks use: an ``Artifact`` for contract exercises."""
    if ex.submits != "contract":
        if ex.submits == "function" and not callable(submission):
            raise GradingError(
                f"{ex.id} expects a Python function, got {type(submission).__name__}"
            )
        return submission
    from .compiler import Artifact, CompilationResult, compile_source

    if isinstance(submission, Unfinished):
        raise GradingError(f"{submission.name} is not compiled yet: {submission.reason}")
    if isinstance(submission, str):
        submission = compile_source(submission, f"{ex.contract}.sol")
    if isinstance(submission, CompilationResult):
        submission = submission[ex.contract]
    submission = getattr(submission, "artifact", submission)  # a %%solidity factory
    if not isinstance(submission, Artifact):
        raise GradingError(
            f"{ex.id} expects the compiled contract {ex.contract} (the name a %%solidity cell "
            f"binds), got {type(submission).__name__}"
        )
    return submission


def _message(exc: BaseException) -> str:
    """A failure as the learner sees it: our message, never a traceback into grader code."""
    if isinstance(exc, CheckFailed):
        return str(exc)
    if isinstance(exc, LabError):
        return str(exc).splitlines()[0]  # e.g. a revert, without its source snippet
    if isinstance(exc, AssertionError):
        return str(exc) or "a condition did not hold"
    if isinstance(exc, NotImplementedError):
        return "not done yet: replace `raise NotImplementedError()` with your code"
    return f"the check stopped with {type(exc).__name__}: {exc}"


def run_check(check: Check, ex: Exercise, submission: Any, chain: Any) -> CheckResult:
    """One check in its own snapshot; full points or none, with the reason."""
    result = CheckResult(check.title, check.points, 0, check.hidden)
    context = CheckContext(ex, submission, chain)
    try:
        with chain.anchor():
            if check.examples:
                _run_property(check, context)
            else:
                check.run(context)
    except Exception as exc:
        result.message = "; ".join([_message(exc), *context.notes])
    else:
        result.earned = check.points
        result.message = "; ".join(context.notes)
    return result


def _run_property(check: Check, context: CheckContext) -> None:
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis.configuration import set_hypothesis_home_dir

    # hypothesis keeps a cache (.hypothesis/) in the working directory: not in a lesson's folder
    set_hypothesis_home_dir(
        os.environ.get("HYPOTHESIS_STORAGE_DIRECTORY") or lab_home() / "hypothesis"
    )

    failing: list[Any] = []
    if check.setup is not None:
        context.setup = check.setup(context)  # in the check's snapshot: undone after it

    @settings(
        max_examples=check.examples,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
        phases=[Phase.explicit, Phase.generate, Phase.shrink],
    )
    @given(check.strategy)
    def prop(value: Any) -> None:
        with context.chain.anchor():
            try:
                check.run(context, value)
            except Exception:
                failing[:] = [value]
                raise

    try:
        with contextlib.redirect_stdout(io.StringIO()), without_local_constants():
            prop()  # (hypothesis reports to stdout)
    except Exception as exc:
        while isinstance(exc, ExceptionGroup) and exc.exceptions:  # two bugs found: report one
            exc = exc.exceptions[0]
        not_done = isinstance(exc, NotImplementedError) or "not done yet" in str(exc)
        smallest = f"smallest failing input: {failing[-1]!r}" if failing and not not_done else ""
        if isinstance(exc, CheckFailed):
            raise CheckFailed(exc.expected, exc.got, exc.hint, note=smallest) from None
        raise CheckFailed("", _message(exc), note=smallest) from None


@contextlib.contextmanager
def without_local_constants() -> Iterator[None]:
    """hypothesis mixes in constants found in the "local" modules loaded so far (here, the lab's
    own code and whatever the notebook imported), so the same check drew different inputs in a
    notebook, a sandbox and the test suite. Grading must draw the same inputs everywhere: it
    runs without them. (A private hook of hypothesis, pinned in requirements.lock; if it moves,
    grading still works, only less reproducibly.)"""
    try:
        from hypothesis.internal.conjecture import providers
    except ImportError:  # pragma: no cover
        yield
        return
    original = getattr(providers, "_get_local_constants", None)
    if original is None or not hasattr(providers, "Constants"):  # pragma: no cover
        yield
        return
    providers._get_local_constants = providers.Constants
    providers.CONSTANTS_CACHE.cache.clear()
    try:
        yield
    finally:
        providers._get_local_constants = original
        providers.CONSTANTS_CACHE.cache.clear()


def grade(
    exercise_id: str,
    submission: Any,
    *,
    hidden: bool = True,
    quiet: bool = False,
    chain: Any = None,
    record: bool = True,
) -> Score:
    """Run an exercise's checks on ``submission``; print the report and return the score.

    Each grade runs on a chain of its own, so the learner's chain is never touched. A full
    grade (``hidden=True``) counts towards the learner's progress unless ``record=False`` (the
    class grader's)."""
    ex = get_exercise(exercise_id)
    chain = chain or _LazyChain()
    try:
        normalised = _normalise(ex, submission)
    except LabError as exc:
        results = [
            CheckResult(c.title, c.points, 0, c.hidden, str(exc).splitlines()[0]) for c in ex.checks
        ]
    else:
        results = [run_check(c, ex, normalised, chain) for c in ex.checks if hidden or not c.hidden]
    score = Score(ex, results)
    if hidden and record:  # a full grade (not lab.check()'s visible checks) counts
        progress.record(ex.id, float(score), score.max)
        if results_file := os.environ.get("SOLLAB_RESULTS"):  # `sollab check NOTEBOOK` listens
            with contextlib.suppress(OSError), open(results_file, "a") as f:
                f.write(json.dumps(score.to_dict()) + "\n")
    if not quiet:
        _show(score)
    return score


def _show(score: Score) -> None:
    """The report under the grade cell: HTML in a notebook, text anywhere else."""
    try:
        from IPython import get_ipython
        from IPython.display import display
    except ImportError:
        get_ipython = None
    if get_ipython is not None and get_ipython() is not None:
        display(Rich(score.report_html(), score.report()))
    else:
        print(score.report())


def check(lesson: str | None = None) -> list[Score]:
    """In a notebook: run the visible checks of this lesson's exercises on the answers bound so
    far (the lesson is the notebook's folder name unless given)."""
    try:
        from IPython import get_ipython

        shell = get_ipython()
    except ImportError:
        shell = None
    namespace = shell.user_ns if shell is not None else {}
    lesson = lesson or Path.cwd().name
    exercises = sorted(
        (e for e in load_graders().values() if e.lesson == lesson), key=lambda e: e.id
    )
    if not exercises:
        raise GradingError(
            f"no exercises for lesson {lesson!r}: name it, e.g. lab.check('05-solidity-basics')"
        )
    scores = []
    for ex in exercises:
        if ex.name and ex.name in namespace:
            scores.append(grade(ex.id, namespace[ex.name], hidden=False))
        else:
            print(f"{ex.id}: not attempted yet (define `{ex.name}` to check it)")
    return scores


def hint(exercise_id: str, n: int | None = None) -> str:
    """The exercise's hints one at a time: each call reveals the next (or hint ``n``)."""
    ex = get_exercise(exercise_id)
    if not ex.hints:
        return f"{exercise_id} has no hints"
    if n is None:
        n = _hints_seen.get(exercise_id, 0) + 1
        _hints_seen[exercise_id] = min(n, len(ex.hints))
    n = max(1, min(n, len(ex.hints)))
    text = f"Hint {n} of {len(ex.hints)} for {ex.title}: {ex.hints[n - 1]}"
    print(text)
    return text


_hints_seen: dict[str, int] = {}


def exercises_table() -> list[dict[str, Any]]:
    """Every exercise: id, lesson, title, points, visible and hidden checks."""
    return [
        {
            "id": ex.id,
            "lesson": ex.lesson,
            "title": ex.title,
            "points": ex.points,
            "visible_checks": sum(not c.hidden for c in ex.checks),
            "hidden_checks": sum(c.hidden for c in ex.checks),
        }
        for ex in sorted(load_graders().values(), key=lambda e: e.id)
    ]


@contextlib.contextmanager
def fresh_registry() -> Iterator[None]:
    """(For tests) declare exercises without touching the real registry."""
    saved, loaded = dict(_REGISTRY), set(_LOADED_FROM)
    try:
        yield
    finally:
        _REGISTRY.clear()
        _REGISTRY.update(saved)
        _LOADED_FROM.clear()
        _LOADED_FROM.update(loaded)


__all__ = [
    "CheckFailed",
    "Exercise",
    "GradingError",
    "NotCompiled",
    "Score",
    "Unfinished",
    "exercise",
    "grade",
    "hint",
]
