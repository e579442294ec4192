"""`sollab grade LESSON SUBMISSIONS`: grade a class's notebooks safely, in parallel, resumably.

For each submission, in a pool of ``--jobs`` worker processes:

1. its code cells run in a sandbox (``sandbox``), one cell at a time under a time limit, by
   ``runner``; a cell that hangs, kills its process or floods its output is skipped with the
   reason and the notebook runs again without it, so the rest still earns its points; each
   worker keeps one sandbox whose Python has imported the lab already (a zygote) and forks a
   child per run, emptying the sandbox after each (``Zygote``, ``runner.zygote``);
2. the sandbox hands over the answers the grade cells name, as plain data (``wire``);
3. the worker, which never runs learner code, rebuilds them (compiling contracts itself) and runs
   the exercises' checks (``grading``); a learner function is called back in the sandbox;
4. the result is written atomically to ``<course>/.sollab/course/grading/<lesson>/<student>.json``
   keyed by what was graded, so an interrupted run resumes where it stopped.

Then, in this process, nbgrader's own autograde pipeline runs on every submission with its
execute step replaced by ``sollab.nbgrader.InjectGrades`` (the grade cells get the reports and
scores worked out above), writing the gradebook and the autograded notebooks; feedback HTML and
a CSV (student, points per exercise, total) follow.

A class too big for one machine is graded in shards: ``--shard I/N`` (``Shard``) grades the
I-th of N disjoint slices and records nothing, so N machines (a Kubernetes Indexed Job) can
share one course folder without sharing a gradebook; ``sollab grade merge`` (``merge_class``)
then records every result, refusing while a submission has none.
"""

from __future__ import annotations

import ast
import contextlib
import csv
import hashlib
import json
import os
import queue
import re
import secrets
import shutil
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import wire
from .errors import LabError
from .grading import GradingError, get_exercise
from .paths import lab_root, write_atomically
from .sandbox import Limits, Sandbox, bubblewrap

MAX_STDERR = 16 * 1024 * 1024  # bytes a submission may print outside its cells' captured output
STARTUP_TIMEOUT = 120.0  # seconds for the sandboxed Python to import the lab
MAX_RESTARTS = 6
ZYGOTE_GRACE = 10.0  # seconds a zygote has to report a child's end before it is replaced


class SubmissionRaised(LabError):
    """The learner's function raised (in the sandbox) an exception that is not a built-in one."""


# --- the lesson --------------------------------------------------------------------------------


@dataclass(frozen=True)
class GradeCell:
    grade_id: str
    exercise: str
    expression: str  # the grade cell's answer, e.g. "Counter"
    points: float


def _imports(cells: list[Any]) -> list[str]:
    """The modules code cells import (``import a.b``, ``from a.b import c``; not relative
    imports, nor lines of magics and shell commands), in order, once each."""
    found: dict[str, None] = {}
    for cell in cells:
        if cell.cell_type != "code" or cell.source.lstrip().startswith("%%"):
            continue
        lines = [ln for ln in cell.source.splitlines() if ln.lstrip()[:1] not in ("%", "!")]
        try:
            tree = ast.parse("\n".join(lines))
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                found.update(dict.fromkeys(alias.name for alias in node.names))
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                found[node.module] = None
    return list(found)


@dataclass
class Lesson:
    """An nbgrader assignment as sollab grades it: its notebook and its grade cells."""

    name: str
    source: Path  # the instructor notebook (solutions/<lesson>/<lesson>.ipynb)
    released: Path  # the folder learners got (lessons/<lesson>)
    grade_cells: list[GradeCell]
    locked: dict[str, tuple[str, str]]  # grade_id -> (cell_type, source) of locked cells
    # the modules the notebook imports, for the sandbox to import once rather than once per run
    imports: list[str] = field(default_factory=list)

    @property
    def notebook_name(self) -> str:
        return self.source.name

    @classmethod
    def load(cls, name: str, course: Path) -> Lesson:
        import nbformat

        folder = course / "solutions" / name
        notebooks = sorted(folder.glob("*.ipynb"))
        if not folder.is_dir() or not notebooks:
            known = sorted(p.parent.name for p in (course / "solutions").glob("*/*.ipynb"))
            raise GradingError(
                f"no lesson {name!r} in {course / 'solutions'} (lessons: {', '.join(known)})"
            )
        if len(notebooks) > 1:
            raise GradingError(f"{folder} holds {len(notebooks)} notebooks; sollab grades one")
        nb = nbformat.read(notebooks[0], as_version=4)
        grade_cells, locked = [], {}
        for cell in nb.cells:
            meta = cell.metadata.get("nbgrader", {})
            if meta.get("locked") and meta.get("grade_id"):
                locked[meta["grade_id"]] = (cell.cell_type, cell.source)
            if not meta.get("grade") or meta.get("solution") or cell.cell_type != "code":
                continue
            exercise, expression = _grade_call(cell.source, meta["grade_id"], notebooks[0])
            get_exercise(exercise)  # an unknown id fails now, not once per student
            grade_cells.append(GradeCell(meta["grade_id"], exercise, expression, meta["points"]))
        if not grade_cells:
            raise GradingError(f"{notebooks[0]} has no grade cells")
        lessons = course / "lessons" / name
        return cls(name, notebooks[0], lessons, grade_cells, locked, _imports(nb.cells))

    def fingerprint(self) -> str:
        """Changes when the lesson, its checks or sollab change (results then go stale)."""
        from . import __version__

        digest = hashlib.sha256(__version__.encode())
        digest.update(self.source.read_bytes())
        files = {get_exercise(g.exercise).defined_in for g in self.grade_cells}
        for name in sorted(f for f in files if f):
            digest.update(Path(name).read_bytes())
        return digest.hexdigest()[:16]


def _grade_call(source: str, grade_id: str, path: Path) -> tuple[str, str]:
    """``lab.grade("id", Answer)`` in a grade cell: the exercise id and the answer expression."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        tree = None
    for node in ast.walk(tree) if tree else []:
        if (
            isinstance(node, ast.Call)
            and getattr(node.func, "attr", getattr(node.func, "id", None)) == "grade"
            and len(node.args) >= 2
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            return node.args[0].value, ast.unparse(node.args[1])
    raise GradingError(
        f"grade cell {grade_id!r} in {path} does not call lab.grade('<exercise>', answer): "
        "sollab grade scores exercise checks only"
    )


# --- finding submissions -----------------------------------------------------------------------


@dataclass(frozen=True)
class Submission:
    student: str
    notebook: Path


def safe_student_id(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.@+-]", "_", name).strip("._") or "student"


# A worker's sandbox folder under <course>/.sollab/course/work/<lesson>/: named by host and pid,
# since shards on several machines (pods that all start at pid 1) share one course folder.
_WORKER = f"worker-{safe_student_id(socket.gethostname())}-"


def find_submissions(folder: Path, lesson: Lesson) -> list[Submission]:
    """One notebook per student, from nbgrader's ``submitted/`` tree (``<student>/<lesson>/``),
    a folder per student, or a file per student (``<student>.ipynb``, as an LMS download)."""
    folder = Path(folder)
    if not folder.is_dir():
        raise GradingError(f"{folder} is not a folder of submissions")
    found: dict[str, Submission] = {}
    for entry in sorted(folder.iterdir()):
        if entry.name.startswith("."):
            continue
        if entry.is_file() and entry.suffix == ".ipynb":
            student = safe_student_id(entry.stem)
            found[student] = Submission(student, entry)
        elif entry.is_dir():
            inner = entry / lesson.name if (entry / lesson.name).is_dir() else entry
            notebooks = sorted(
                p for p in inner.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts
            )
            if not notebooks:
                continue
            named = [p for p in notebooks if p.name == lesson.notebook_name]
            student = safe_student_id(entry.name)
            found[student] = Submission(student, (named or notebooks)[0])
    return list(found.values())


# --- one submission (runs in a worker process) -------------------------------------------------


@dataclass
class Options:
    course: Path
    cell_timeout: float = 60.0
    call_timeout: float = 60.0  # one call of a learner's function (lesson 08's run test suites)
    limits: Limits = field(default_factory=Limits)
    isolate: bool = True


class Session:
    """One run of the learner's notebook in the sandbox (an attempt), and the conversation with
    it: messages from its stdout, its stderr counted and capped."""

    def __init__(self, options: Options) -> None:
        self.options = options
        self.messages: queue.Queue = queue.Queue()
        self.stderr_bytes = 0
        self.stderr_head = bytearray()
        self.flooded = False
        self.lost = False  # the sandbox itself ended (a zygote killed or stuck)

    def _stderr(self, chunk: bytes) -> None:
        self.stderr_bytes += len(chunk)
        if len(self.stderr_head) < 8192:
            self.stderr_head += chunk[: 8192 - len(self.stderr_head)]
        if self.stderr_bytes > MAX_STDERR and not self.flooded:
            self.flooded = True
            self.kill()

    def send(self, message: dict[str, Any]) -> None:
        raise NotImplementedError

    def kill(self) -> None:
        raise NotImplementedError

    def wait(self) -> int | None:
        """The exit code (negative: the signal that killed it); None if the sandbox was lost."""
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError

    def receive(self, timeout: float) -> dict[str, Any] | None:
        """The next message, after serving any compile requests; None when the process ended;
        raises TimeoutError."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                message = self.messages.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                raise TimeoutError from None
            if message is None or message.get("event") != "compile":
                return message
            self.send(_compile_for_sandbox(message))

    def death(self) -> str:
        """Why the process ended, in words."""
        if self.flooded:
            return f"it printed more than {MAX_STDERR // 2**20} MB"
        from .runner import EXITED

        code = self.wait()
        lines = self.stderr_head.decode(errors="replace").strip().splitlines()
        tail = [line for line in lines if line.strip() and not line.startswith(EXITED)][-1:]
        why = f": {tail[0][:300]}" if tail else ""
        if code is None or self.lost:
            return f"its sandbox ended (the notebook killed or stopped the grader's process){why}"
        if code < 0:
            import signal

            name = signal.Signals(-code).name
            if name == "SIGXCPU":
                return f"it used more than {self.options.limits.cpu_seconds} s of CPU time"
            return f"the process was killed ({name})"
        if code == 0:
            return "the notebook ended its own process (os._exit or similar)"
        if "MemoryError" in why or "Out of memory" in why:
            return "it ran out of memory"
        return f"the process exited with status {code}{why}"


class ProcessSession(Session):
    """A run in a process of its own (without bubblewrap: no PID namespace for a zygote)."""

    def __init__(self, sandbox: Sandbox, job: dict[str, Any], options: Options) -> None:
        super().__init__(options)
        self.process = sandbox.popen(
            [sys.executable, "-m", "sollab.runner"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        threading.Thread(target=self._read, daemon=True).start()
        threading.Thread(target=self._drain, daemon=True).start()
        self.send(job)

    def _read(self) -> None:
        stream = self.process.stdout
        while True:
            line = stream.readline(wire.MAX_MESSAGE + 1)
            if not line:
                break
            try:
                self.messages.put(wire.loads(line))
            except wire.WireError as exc:
                self.messages.put({"event": "violation", "reason": str(exc)})
                self.kill()
                break
        self.messages.put(None)

    def _drain(self) -> None:
        stream = self.process.stderr
        while chunk := stream.read1(65536):
            self._stderr(chunk)
            if self.flooded:
                break

    def send(self, message: dict[str, Any]) -> None:
        try:
            self.process.stdin.write(wire.dumps(message))
            self.process.stdin.flush()
        except (BrokenPipeError, OSError):
            pass

    def wait(self) -> int | None:
        return self.process.wait()

    def kill(self) -> None:
        import signal

        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signal.SIGKILL)

    def close(self) -> None:
        self.send({"exit": True})
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=5)
        self.kill()  # and anything it left behind in its session
        self.process.wait()


class ZygoteSession(Session):
    """A run in a child the worker's zygote forked (see ``Zygote``)."""

    def __init__(self, zygote: Zygote, options: Options) -> None:
        super().__init__(options)
        self.zygote = zygote
        self.token = secrets.token_hex(16)  # on everything sent to this run (see runner)
        self.code: int | None = None
        self.ended = threading.Event()
        self._killed = False

    def _end(self, code: int | None) -> None:
        self.code, self.lost = code, code is None
        self.messages.put(None)
        self.ended.set()

    def send(self, message: dict[str, Any]) -> None:
        if not self.ended.is_set():
            self.zygote.stdin.put(wire.dumps(dict(message, session=self.token)))

    def kill(self) -> None:
        if not self._killed and not self.ended.is_set():
            self._killed = True
            self.zygote.control.put(b"kill\n")

    def wait(self) -> int | None:
        if not self.ended.wait(ZYGOTE_GRACE):
            self.zygote.destroy()  # it does not answer: a new sandbox for the next run
        return self.code

    def close(self) -> None:
        if not self.ended.is_set():
            self.send({"exit": True})
            if not self.ended.wait(5):
                self.kill()
                self.wait()


class Zygote:
    """The worker's one long-lived sandbox: a Python that has imported the lab, made the
    IPython shell and a fresh chain, and forks one child per run (``runner.zygote``).

    Jobs and "kill" go down a control pipe and exit statuses come up a status pipe, which the
    child closes as it starts, so it can forge neither. The child talks on stdin and stdout as a
    process of its own would. When it has ended, and the zygote has killed whatever else ran in
    the sandbox and emptied the lesson folder and /tmp, the zygote writes a fresh random marker
    on stdout and stderr and reports it with the status: until the reader has seen that marker
    on both, what comes out is the child's. A zygote that dies or does not answer is killed
    with its sandbox; the grader starts another for the next run."""

    def __init__(self, sandbox: Sandbox, options: Options, preload: list[str] = ()) -> None:
        self.sandbox, self.options = sandbox, options
        self.dead = False
        self.retired = False  # it ends after this run: what the run left cannot be cleaned
        self._lock = threading.Condition()
        self._session: ZygoteSession | None = None
        self._seen: set[str] = set()  # markers seen on stdout
        self._seen_err: set[str] = set()  # and on stderr
        control_r, control_w = os.pipe()
        status_r, status_w = os.pipe()
        try:
            runner = ["sollab.runner", "--zygote", str(control_r), str(status_w), *preload]
            self.process = sandbox.popen(
                [sys.executable, "-m", *runner],
                zygote=True,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                pass_fds=(control_r, status_w),
            )
        except BaseException:
            os.close(control_w)
            os.close(status_r)
            raise
        finally:
            os.close(control_r)
            os.close(status_w)
        self._status = os.fdopen(status_r, "rb")
        # what goes down the pipes, written by threads of their own: a sandbox that does not
        # read never blocks the worker (its timeouts end it)
        self.control: queue.Queue = queue.Queue()
        self.stdin: queue.Queue = queue.Queue()
        writers = ((self.control, os.fdopen(control_w, "wb")), (self.stdin, self.process.stdin))
        for outbox, stream in writers:
            threading.Thread(target=self._write, args=(outbox, stream), daemon=True).start()
        for target in (self._read, self._drain, self._statuses):
            threading.Thread(target=target, daemon=True).start()

    @property
    def busy(self) -> bool:
        return self._session is not None

    def start(self, job: dict[str, Any]) -> ZygoteSession:
        session = ZygoteSession(self, self.options)
        with self._lock:
            if self.dead or self._session is not None:
                raise GradingError("the sandbox is not ready for another run")
            self._seen.clear()
            self._seen_err.clear()
            self._session = session
        limits = [[name, value] for name, value, _ in self.sandbox.rlimits()]
        self.control.put(wire.dumps({"job": dict(job, session=session.token), "limits": limits}))
        return session

    def _write(self, outbox: queue.Queue, stream: Any) -> None:
        with stream:
            while (data := outbox.get()) is not None:
                try:
                    stream.write(data)
                    stream.flush()
                except (OSError, ValueError):
                    break
        self._died()

    def _deliver(self, message: dict[str, Any]) -> None:
        with self._lock:
            session = self._session
        if session is not None:
            session.messages.put(message)

    def _read(self) -> None:
        stream = self.process.stdout
        while line := stream.readline(wire.MAX_MESSAGE + 1):
            if len(line) > wire.MAX_MESSAGE:
                reason = f"a message from the sandbox was larger than {wire.MAX_MESSAGE} bytes"
                self._deliver({"event": "violation", "reason": reason})
                with self._lock:
                    if self._session is not None:
                        self._session.kill()
                continue  # the rest of that line is not JSON: ignored, as below
            try:
                message = wire.loads(line)
            except wire.WireError:
                continue  # not a message (a line a killed child left unfinished, ...)
            if message.get("event") == "exited":
                with self._lock:
                    self._seen.add(str(message.get("marker")))
                    self._lock.notify_all()
                continue
            self._deliver(message)
        self._died()
        stream.close()

    def _drain(self) -> None:
        from .runner import EXITED

        pattern = re.compile(rb"\n" + re.escape(EXITED.encode()) + rb"([0-9a-f]{32})\n")
        stream, tail = self.process.stderr, b""
        while chunk := stream.read1(65536):
            window = tail + chunk
            tail = window[-80:]
            with self._lock:
                session = self._session
                found = pattern.findall(window)
                if found:
                    self._seen_err.update(m.decode() for m in found)
                    self._lock.notify_all()
            if session is not None:
                session._stderr(chunk)
        self._died()
        stream.close()

    def _statuses(self) -> None:
        with self._status:
            self._watch_statuses()
        self._died()

    def _watch_statuses(self) -> None:
        for line in self._status:
            try:
                status = wire.loads(line)
                code, marker = int(status["code"]), str(status["marker"])
                retire = bool(status.get("retire"))
            except (wire.WireError, KeyError, TypeError, ValueError):
                break
            with self._lock:
                if not self._lock.wait_for(
                    lambda m=marker: self.dead or (m in self._seen and m in self._seen_err),
                    timeout=ZYGOTE_GRACE,
                ):
                    break
                if self.dead:
                    return
                session, self._session = self._session, None
                self.retired = retire
            if session is not None:
                session._end(code)

    def _died(self) -> None:
        import signal

        with self._lock:
            if self.dead:
                return
            self.dead = True
            session, self._session = self._session, None
            self._lock.notify_all()
            if self.process.returncode is None:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(self.process.pid, signal.SIGKILL)
        if session is not None:
            session._end(None)

    def destroy(self) -> None:
        """Kill the sandbox and everything in it."""
        self._died()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=ZYGOTE_GRACE)
        self.control.put(None)  # the threads close the pipes
        self.stdin.put(None)


class Grader:
    """Grades submissions of one lesson; one per worker process."""

    def __init__(self, lesson: Lesson, options: Options) -> None:
        self.lesson = lesson
        self.options = options
        self._chain = None
        self._zygote: Zygote | None = None

    @property
    def chain(self):
        from .chain import Chain

        if self._chain is None:
            self._chain = Chain()  # one chain per worker; each check runs in its own snapshot
        return self._chain

    def grade(self, submission: Submission, result_path: Path, key: str) -> dict[str, Any]:
        result = self._grade(submission)
        result.update(student=submission.student, lesson=self.lesson.name, key=key)
        result["score"] = sum(e["score"] for e in result["exercises"].values())
        result["max"] = sum(c.points for c in self.lesson.grade_cells)
        write_atomically(result_path, json.dumps(result, indent=1))
        return result

    def _grade(self, submission: Submission) -> dict[str, Any]:
        import nbformat

        sandbox_kind = "bubblewrap" if self.options.isolate and bubblewrap() else "none"
        try:
            nb = nbformat.reads(submission.notebook.read_text(encoding="utf-8"), as_version=4)
            cells = self._code_cells(nb)
            keys = {i: _cell_key(cell, i) for i, cell in enumerate(nb.cells)}
        except Exception as exc:
            reason = f"the submission is not a valid notebook ({type(exc).__name__}: {exc})"
            return self._all_zero(reason.splitlines()[0][:300], sandbox_kind, invalid=True)
        work = Path(self.options.course) / ".sollab" / "course" / "work" / self.lesson.name
        # a zygote's sandbox shows one folder for all its runs, filled anew for each
        owner = f"{_WORKER}{os.getpid()}" if sandbox_kind == "bubblewrap" else submission.student
        workdir = work / owner / "lessons" / self.lesson.name
        sandbox = Sandbox(
            workdir, self.lesson.name, self.options.limits, isolate=self.options.isolate
        )
        try:
            return self._run(cells, sandbox, sandbox_kind, keys)
        finally:
            if sandbox_kind != "bubblewrap":
                shutil.rmtree(workdir.parent.parent, ignore_errors=True)

    def _start(self, sandbox: Sandbox, job: dict[str, Any]) -> Session:
        """A run of ``job`` on a fresh copy of the lesson's files: a child of this worker's
        zygote (started again if it died), or without bubblewrap a process of its own."""
        zygote = self._zygote
        if zygote is not None and (zygote.dead or zygote.busy or zygote.retired):
            self._zygote.destroy()
            self._zygote = None
        _refill(sandbox.workdir, self.lesson.released)
        if not sandbox.isolated:
            return ProcessSession(sandbox, job, self.options)
        if self._zygote is None:
            self._zygote = Zygote(sandbox, self.options, self.lesson.imports)
        return self._zygote.start(job)

    def _code_cells(self, nb: Any) -> list[list[Any]]:
        """The learner's code cells to run: grade cells are the grader's, locked cells are put
        back as the instructor wrote them (as nbgrader does)."""
        grade_ids = {g.grade_id for g in self.lesson.grade_cells}
        cells = []
        for index, cell in enumerate(nb.cells):
            meta = cell.metadata.get("nbgrader", {})
            grade_id = meta.get("grade_id")
            if grade_id in grade_ids or (meta.get("grade") and not meta.get("solution")):
                continue
            if grade_id in self.lesson.locked:
                cell_type, source = self.lesson.locked[grade_id]
                if cell_type != "code":
                    continue
                cells.append([index, source])
            elif cell.cell_type == "code":
                cells.append([index, cell.source])
        return cells

    def _all_zero(self, reason: str, sandbox_kind: str, **extra: Any) -> dict[str, Any]:
        exercises = {}
        for g in self.lesson.grade_cells:
            ex = get_exercise(g.exercise)
            exercises[g.grade_id] = {
                "exercise": ex.id, "title": ex.title, "score": 0.0, "max": g.points,
                "checks": [
                    {"title": c.title, "points": c.points, "earned": 0, "hidden": c.hidden,
                     "message": reason}
                    for c in ex.checks
                ],
            }  # fmt: skip
        return {"exercises": exercises, "cells": {}, "notes": [reason], "sandbox": sandbox_kind,
                **extra}  # fmt: skip

    def _run(
        self, cells: list[list[Any]], sandbox: Sandbox, sandbox_kind: str, keys: dict[int, str]
    ) -> dict[str, Any]:
        skipped: dict[int, str] = {}
        notes: list[str] = []
        job = {"answers": [[g.exercise, g.expression] for g in self.lesson.grade_cells]}
        for _attempt in range(MAX_RESTARTS + 1):
            job["cells"] = [c for c in cells if c[0] not in skipped]
            session = self._start(sandbox, job)
            outcome = self._run_cells(session, skipped)
            if outcome is not None:
                break
            session.close()
        else:
            notes.append(f"the notebook kept failing; gave up after {MAX_RESTARTS} restarts")
            return dict(
                self._all_zero(notes[-1], sandbox_kind), cells=_cells_json({}, skipped, keys)
            )
        done, answers, lost = outcome
        if lost:
            notes.append(lost)
        try:
            exercises = self._check(answers, session, lost)
        finally:
            session.close()
        for index, reason in skipped.items():
            notes.append(f"cell {index + 1} was skipped: {reason}")
        return {"exercises": exercises, "cells": _cells_json(done, skipped, keys), "notes": notes,
                "sandbox": sandbox_kind}  # fmt: skip

    def _run_cells(self, session: Session, skipped: dict[int, str]):
        """Run the notebook; the cells' outcomes and the answers, or None after marking the
        cell that killed the run as skipped."""
        done: dict[int, dict[str, Any]] = {}
        current: int | None = None
        started = False
        timeout = STARTUP_TIMEOUT
        while True:
            try:
                message = session.receive(timeout)
            except TimeoutError:
                session.kill()
                if current is None:
                    raise GradingError("the sandbox did not start in time") from None
                skipped[current] = f"it ran longer than {self.options.cell_timeout:g} s"
                return None
            if message is None or message.get("event") == "violation":
                why = message["reason"] if message else session.death()
                if current is not None:
                    skipped[current] = why
                    return None
                if not started:
                    raise GradingError(f"the sandbox failed to start: {why}")
                return done, {}, f"the notebook's process ended before its answers were read: {why}"
            event = message.get("event")
            if event == "ready":
                started = True
                timeout = self.options.cell_timeout
            elif event == "start":
                current = message.get("index")
                timeout = self.options.cell_timeout
            elif event == "done" and message.get("index") == current:
                done[current] = message
                current = None
                timeout = self.options.cell_timeout
            elif event == "answers":
                answers = message.get("answers")
                return done, answers if isinstance(answers, dict) else {}, None

    def _check(self, answers: dict[str, Any], session: Session, lost: str | None) -> dict[str, Any]:
        from .grading import CheckResult, Score, grade

        results = {}
        calls = _Calls(session, self.options.call_timeout)
        for cell in self.lesson.grade_cells:
            ex = get_exercise(cell.exercise)
            answer = answers.get(cell.exercise) if isinstance(answers, dict) else None
            problem = None
            if not isinstance(answer, dict) or "value" not in answer:
                problem = (answer or {}).get("missing") if isinstance(answer, dict) else None
                problem = f"no answer: {problem or lost or 'the notebook did not define it'}"
            else:
                try:
                    value = wire.decode(answer["value"], contract=_rebuild, function=calls.proxy)
                except LabError as exc:
                    problem = str(exc).splitlines()[0]
            if problem is not None:
                score = Score(
                    ex, [CheckResult(c.title, c.points, 0, c.hidden, problem) for c in ex.checks]
                )
            else:
                score = grade(ex.id, value, quiet=True, record=False, chain=self.chain)
            entry = score.to_dict()
            entry["max"] = cell.points
            entry["report_html"] = score.report_html()
            entry["report"] = score.report()
            results[cell.grade_id] = entry
        return results


def _cells_json(
    done: dict[int, dict[str, Any]], skipped: dict[int, str], keys: dict[int, str]
) -> dict[str, Any]:
    """What each learner cell did, by cell id, with outputs fit for feedback."""
    cells = {}
    for index, message in done.items():
        if index in keys:
            cells[keys[index]] = {
                "status": str(message.get("status")),
                "error": str(message.get("error") or "")[:500] or None,
                "outputs": _clean_outputs(message.get("outputs")),
            }
    for index, reason in skipped.items():
        cells[keys.get(index, f"#{index}")] = {
            "status": "skipped",
            "error": f"not run by the grader: {reason}",
            "outputs": [{"output_type": "error", "ename": "CellSkipped",
                         "evalue": f"the grader skipped this cell: {reason}", "traceback": []}],
        }  # fmt: skip
    return cells


def _clean_outputs(outputs: Any) -> list[dict[str, Any]]:
    """Outputs from the sandbox, kept to plain text and PNG images (no HTML or scripts from a
    submission reach the feedback pages or formgrader)."""
    clean: list[dict[str, Any]] = []
    for out in outputs if isinstance(outputs, list) else []:
        if not isinstance(out, dict):
            continue
        kind = out.get("output_type")
        if kind == "stream" and out.get("name") in ("stdout", "stderr"):
            clean.append(
                {"output_type": "stream", "name": out["name"], "text": str(out.get("text"))}
            )
        elif kind == "display_data" and isinstance(out.get("data"), dict):
            data = {k: str(v) for k, v in out["data"].items() if k in ("text/plain", "image/png")}
            if data:
                clean.append({"output_type": "display_data", "data": data, "metadata": {}})
        elif kind == "error":
            trace = out.get("traceback") if isinstance(out.get("traceback"), list) else []
            clean.append(
                {
                    "output_type": "error",
                    "ename": str(out.get("ename")),
                    "evalue": str(out.get("evalue")),
                    "traceback": [str(t) for t in trace],
                }
            )
    return clean


# solc's output for inputs it rejected, by cache key: the compile cache keeps error-free output
# only, and a class's wrong submissions fail alike (a released stub, say)
_FAILED_COMPILES: dict[str, tuple[str, str]] = {}


def _error_free(output_json: str) -> bool:
    try:
        output = json.loads(output_json)
    except ValueError:
        return False
    errors = output.get("errors", []) if isinstance(output, dict) else [{"severity": "error"}]
    return not any(e.get("severity") == "error" for e in errors)


def _compile_for_sandbox(request: dict[str, Any]) -> dict[str, Any]:
    """solc's raw output for a compile the sandbox asked for, from this process's compiler
    (from its cache when the same input was compiled before)."""
    from .compiler import default_compiler
    from .versions import select_compiler

    try:
        input_json = request["input"]
        if not isinstance(input_json, str) or len(input_json) > wire.MAX_MESSAGE:
            raise wire.WireError("malformed compile request")
        compiler = select_compiler([], str(request["solc"]))
        failed = _FAILED_COMPILES.get(default_compiler().cache.key(compiler, input_json))
        if failed is not None:
            return {"compiled": failed[0], "version": failed[1]}
        worker = default_compiler()
        output, version, key, hit = worker.raw(compiler, input_json)
        if not hit:  # every submission compiles the lesson's cells alike: keep what solc said
            if _error_free(output):
                worker.cache.put(key, output, version)  # and the rebuild here finds it too
            else:
                _FAILED_COMPILES[key] = (output, version)
                while len(_FAILED_COMPILES) > 256:
                    _FAILED_COMPILES.pop(next(iter(_FAILED_COMPILES)))
        return {"compiled": output, "version": version}
    except (LabError, KeyError) as exc:
        return {"error": str(exc).splitlines()[0] if str(exc) else type(exc).__name__}


def _rebuild(spec: dict[str, Any]) -> Any:
    """A contract from the sandbox, compiled here from its source (never trusted bytecode)."""
    from .compiler import compile_standard_input

    try:
        result = compile_standard_input(spec["input"], str(spec["solc"]), [str(spec["unit"])])
        return result.contract(str(spec["name"]))
    except LabError as exc:
        raise GradingError(
            f"the contract did not compile for grading: {str(exc).splitlines()[0]}"
        ) from None
    except (KeyError, TypeError, AttributeError):
        raise wire.WireError("malformed contract from the sandbox") from None


class _Calls:
    """Calls to learner functions, which live in the sandbox."""

    def __init__(self, session: Session, timeout: float) -> None:
        self.session = session
        self.timeout = timeout
        self.broken: str | None = None

    def proxy(self, key: str):
        name = key.split(":", 1)[-1]

        def call(*args: Any, **kwargs: Any) -> Any:
            return self.call(key, name, args, kwargs)

        call.__name__ = call.__qualname__ = name
        return call

    def call(self, key: str, name: str, args: tuple, kwargs: dict) -> Any:
        from .mutation import current_run

        if self.broken:
            raise SubmissionRaised(f"{name}() cannot be called: {self.broken}")
        request = {"call": key, "args": wire.encode(list(args)), "kwargs": wire.encode(kwargs)}
        if (run := current_run()) is not None:  # a learner's test: run it there as here
            request["graded_run"] = run
        self.session.send(request)
        try:
            reply = self.session.receive(self.timeout)
        except TimeoutError:
            self.session.kill()
            self.broken = f"an earlier call ran longer than {self.timeout:g} s"
            raise SubmissionRaised(f"{name}() did not return within {self.timeout:g} s") from None
        if reply is None or reply.get("event") not in ("return", "raised"):
            self.broken = self.session.death() if reply is None else "the sandbox misbehaved"
            raise SubmissionRaised(f"{name}() stopped the notebook's process: {self.broken}")
        if reply["event"] == "return":
            return wire.decode(reply.get("value"), contract=_rebuild)
        kind, message = str(reply.get("type")), str(reply.get("message"))[:2000]
        builtin = getattr(__import__("builtins"), kind, None)
        if isinstance(builtin, type) and issubclass(builtin, Exception):
            raise builtin(message)  # an AssertionError stays an AssertionError for the check
        raise SubmissionRaised(f"{name}() raised {kind}: {message}")


def _refill(workdir: Path, released: Path) -> None:
    """Make ``workdir`` hold the lesson's released files (not its notebooks) and nothing else.
    The folder itself stays: a zygote's sandbox has it mounted."""
    workdir.mkdir(parents=True, exist_ok=True)
    _clear_folder(workdir)
    shutil.copytree(released, workdir, ignore=shutil.ignore_patterns("*.ipynb"), dirs_exist_ok=True)
    if not (workdir.parent.parent / "contracts").exists():
        (workdir.parent.parent / "contracts").symlink_to(lab_root() / "contracts")


def _clear_folder(folder: Path) -> None:
    """Remove what is in ``folder``, also what a submission made unreadable; no symlink is
    followed."""
    os.chmod(folder, 0o755)
    for entry in os.scandir(folder):
        if entry.is_dir(follow_symlinks=False):
            _clear_folder(Path(entry.path))
            os.rmdir(entry.path)
        else:
            os.unlink(entry.path)


# --- the pool ------------------------------------------------------------------------------------

_worker: tuple[Grader, Recorder | None, bool] | None = None


def _init_worker(
    lesson: Lesson, options: Options, results_dir: Path, record: bool = True, grade: bool = True
) -> None:
    global _worker
    import signal

    from . import compiler

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C
    compiler._default = None  # a forked worker starts its own solc-js, never the parent's
    recorder = Recorder(lesson, Path(options.course), results_dir) if record else None
    _worker = Grader(lesson, options), recorder, grade


def _grade_in_worker(task: tuple[Submission, Path, str, bool]) -> dict[str, Any]:
    """Grade one submission (unless its result is up to date), then record it in nbgrader.
    A shard grades without recording; a merge records without grading."""
    submission, path, key, force = task
    assert _worker is not None
    grader, recorder, may_grade = _worker
    try:
        result = None if force else _up_to_date(path, key)
        if result is None and not may_grade:
            return {"student": submission.student, "error": "no result from its shard"}
        if result is None:
            result = grader.grade(submission, path, key)
        problem = recorder.record(submission, result, path) if recorder else None
    except Exception as exc:
        return {"student": submission.student, "error": f"{type(exc).__name__}: {exc}"}
    if problem:
        result = dict(result, problem=problem)
    return result


def _up_to_date(path: Path, key: str) -> dict[str, Any] | None:
    """The result graded before for exactly this submission, lesson and checks."""
    try:
        previous = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    return previous if previous.get("key") == key else None


def _cell_key(cell: Any, index: int) -> str:
    return cell.get("id") or f"#{index}"


# --- the class -----------------------------------------------------------------------------------


def course_root() -> Path:
    return Path(os.environ.get("SOLLAB_COURSE_ROOT") or lab_root()).resolve()


def course_work(course: Path) -> Path:
    return course / ".sollab" / "course"


@dataclass
class ClassGrades:
    lesson: Lesson
    results: list[dict[str, Any]]  # one per student, sorted by student
    csv: Path
    feedback: Path
    sandboxed: bool
    problems: list[str]  # students the pipeline could not finish, with why


@dataclass(frozen=True)
class Shard:
    """The I-th of N disjoint slices of a class (``--shard I/N``). A student's slice follows from
    their id alone, so machines that each list the submissions agree without talking, and a
    submission that arrives late does not move anyone else."""

    index: int  # 1..count
    count: int

    @classmethod
    def parse(cls, text: str) -> Shard:
        match = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", text)
        if not match or not 1 <= int(match[1]) <= int(match[2]):
            raise GradingError(
                f"--shard {text!r} is not I/N with 1 <= I <= N: e.g. --shard 2/4 grades the "
                "second of four slices"
            )
        return cls(int(match[1]), int(match[2]))

    @classmethod
    def of(cls, student: str, count: int) -> Shard:
        digest = hashlib.sha256(student.encode()).digest()
        return cls(int.from_bytes(digest[:8], "big") % count + 1, count)

    def holds(self, student: str) -> bool:
        return Shard.of(student, self.count) == self

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"

    @property
    def stem(self) -> str:
        return f"{self.index}-of-{self.count}"


def _class(lesson_name: str, submissions: Path, options: Options | None):
    """The course, the lesson, where its results live, and every submission found."""
    options = options or Options(course=course_root())
    course = Path(options.course).resolve()
    lesson = Lesson.load(lesson_name, course)
    found = find_submissions(Path(submissions), lesson)
    if not found:
        raise GradingError(
            f"no notebooks in {submissions}: give a folder with one notebook or folder per student"
        )
    return options, course, lesson, found, course_work(course) / "grading" / lesson.name


def _tasks(
    lesson: Lesson, found: list[Submission], results_dir: Path, force: bool
) -> list[tuple[Submission, Path, str, bool]]:
    """A task per submission: where its result goes and the key of what is graded."""
    fingerprint = lesson.fingerprint()
    tasks = []
    for sub in found:
        key = hashlib.sha256(fingerprint.encode() + sub.notebook.read_bytes()).hexdigest()[:24]
        tasks.append((sub, results_dir / f"{sub.student}.json", key, force))
    return tasks


def _pool(
    lesson: Lesson,
    options: Options,
    course: Path,
    results_dir: Path,
    tasks: list[tuple[Submission, Path, str, bool]],
    *,
    jobs: int | None,
    progress: Any,
    record: bool = True,
    grade: bool = True,
) -> list[dict[str, Any]]:
    """Run the tasks in ``jobs`` worker processes; the results in student order."""
    import multiprocessing

    report = progress or (lambda done, total, result: None)
    report(0, len(tasks), None)
    results: dict[str, dict[str, Any]] = {}
    if tasks:
        jobs = max(1, min(jobs or os.cpu_count() or 1, len(tasks)))
        context = multiprocessing.get_context(_start_method())
        initargs = (lesson, options, results_dir, record, grade)
        with context.Pool(jobs, initializer=_init_worker, initargs=initargs) as pool:
            for result in pool.imap_unordered(_grade_in_worker, tasks):
                results[result["student"]] = result
                report(len(results), len(tasks), result)
    for folder in (course_work(course) / "work" / lesson.name).glob(f"{_WORKER}*"):
        shutil.rmtree(folder, ignore_errors=True)  # the workers' zygotes ended with them
    return [results[sub.student] for sub, *_ in sorted(tasks, key=lambda t: t[0].student)]


def skip_iri_format_checks() -> None:
    """For ``sollab grade``'s own process (call it before anything imports jsonschema):
    jsonschema, which nbformat and nbgrader validate notebooks with, imports ``rfc3987_syntax``
    (when installed) for its "iri" format check, and that module builds a Lark grammar as it is
    imported: ~1 s of every run's start. No schema validated here names that format, so the
    module is not imported and jsonschema leaves that one check out."""
    if "jsonschema" not in sys.modules:
        sys.modules.setdefault("rfc3987_syntax", None)  # `import` of it raises ImportError


def _start_method() -> str:
    """How the pool's workers start. Forked from this process they begin with everything it
    has imported (the lesson's checks, nbformat, nbgrader: ~1.5 s a worker with "spawn"), but
    fork is only safe from a process with one thread (another thread's locks would be copied
    held) and on Linux; elsewhere each worker is a fresh Python ("spawn")."""
    import threading

    return "fork" if sys.platform == "linux" and threading.active_count() == 1 else "spawn"


def _problems(ordered: list[dict[str, Any]]) -> list[str]:
    problems = [f"{r['student']}: {r['error']}" for r in ordered if "error" in r]
    return problems + [f"{r['student']}: {r['problem']}" for r in ordered if r.get("problem")]


def grade_class(
    lesson_name: str,
    submissions: Path,
    *,
    jobs: int | None = None,
    options: Options | None = None,
    force: bool = False,
    csv_path: Path | None = None,
    progress: Any = None,
    shard: Shard | None = None,
) -> ClassGrades:
    """Grade every submission of ``lesson_name`` in ``submissions``; see the module's doc.

    With ``shard``, only that slice of the class, and nothing is recorded in nbgrader: each
    result is written apart (one file per student) with the shard's own list and CSV beside
    them, for ``merge_class`` to fold into the gradebook once every shard has run."""
    options, course, lesson, found, results_dir = _class(lesson_name, submissions, options)
    if shard is None:
        problem = Recorder(lesson, course, results_dir).register()
        if problem:
            raise GradingError(problem)
    else:
        found = [sub for sub in found if shard.holds(sub.student)]
    tasks = _tasks(lesson, found, results_dir, force)
    ordered = _pool(
        lesson, options, course, results_dir, tasks, jobs=jobs, progress=progress,
        record=shard is None,
    )  # fmt: skip
    problems = _problems(ordered)
    if shard is None:
        csv_path = Path(csv_path or course_work(course) / "grades" / f"{lesson.name}.csv")
    else:
        shards = results_dir / "shards"
        csv_path = Path(csv_path or shards / f"{shard.stem}.csv")
        manifest = {
            "shard": str(shard),
            "students": {sub.student: key for sub, _, key, _ in tasks},
            "problems": problems,
            "finished": time.time(),
        }
        write_atomically(shards / f"{shard.stem}.json", json.dumps(manifest, indent=1))
    _write_csv(csv_path, lesson, ordered)
    return ClassGrades(
        lesson, ordered, csv_path, course_work(course) / "feedback",
        sandboxed=bool(options.isolate and bubblewrap()), problems=problems,
    )  # fmt: skip


def merge_class(
    lesson_name: str,
    submissions: Path,
    *,
    jobs: int | None = None,
    options: Options | None = None,
    csv_path: Path | None = None,
    progress: Any = None,
) -> ClassGrades:
    """Fold the shards' results into nbgrader's gradebook, autograded notebooks, feedback and
    the class CSV, as one ``grade_class`` run would have. Nothing is graded here: every
    submission must have an up-to-date result from its shard, or nothing is recorded. Running
    it again changes nothing (each student is recorded once, from their one result)."""
    options, course, lesson, found, results_dir = _class(lesson_name, submissions, options)
    manifests = sorted((results_dir / "shards").glob("[0-9]*-of-[0-9]*.json"), key=os.path.getmtime)
    if not manifests:
        raise GradingError(
            f"no shard of {lesson.name} has run: run `sollab grade {lesson.name} SUBMISSIONS "
            "--shard I/N` for every I from 1 to N first"
        )
    tasks = _tasks(lesson, found, results_dir, force=False)
    missing = [sub.student for sub, path, key, _ in tasks if _up_to_date(path, key) is None]
    if missing:
        count = int(manifests[-1].stem.split("-of-")[1])  # the newest shard run's N
        rerun = sorted({Shard.of(student, count).index for student in missing})
        raise GradingError(
            f"{len(missing)} submission(s) of {lesson.name} have no up-to-date result "
            f"({', '.join(missing[:5])}{', ...' if len(missing) > 5 else ''}): run shard(s) "
            f"{', '.join(f'{i}/{count}' for i in rerun)} again (a submission or the checks "
            "changed since, or that shard never finished), then merge"
        )
    problem = Recorder(lesson, course, results_dir).register()
    if problem:
        raise GradingError(problem)
    ordered = _pool(
        lesson, options, course, results_dir, tasks, jobs=jobs, progress=progress, grade=False
    )
    csv_path = Path(csv_path or course_work(course) / "grades" / f"{lesson.name}.csv")
    _write_csv(csv_path, lesson, ordered)
    return ClassGrades(
        lesson, ordered, csv_path, course_work(course) / "feedback",
        sandboxed=bool(options.isolate and bubblewrap()), problems=_problems(ordered),
    )  # fmt: skip


def _write_csv(path: Path, lesson: Lesson, results: list[dict[str, Any]]) -> None:
    import io

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["student", *(g.exercise for g in lesson.grade_cells), "total", "max", "notes"])
    max_total = sum(g.points for g in lesson.grade_cells)
    for r in results:
        exercises = r.get("exercises", {})
        points = [exercises.get(g.grade_id, {}).get("score", 0) for g in lesson.grade_cells]
        notes = "; ".join(r.get("notes", [])) or r.get("error", "")
        writer.writerow([r["student"], *(f"{p:g}" for p in points), f"{sum(points):g}",
                         f"{max_total:g}", notes])  # fmt: skip
    write_atomically(path, out.getvalue())


def _nbgrader_api(course: Path, results_dir: Path):
    """nbgrader's API with the course's jupyter_config.py and sollab's autograde pipeline:
    nbgrader's own steps, with Execute replaced by InjectGrades."""
    from nbgrader.apps import NbGraderAPI
    from traitlets.config.loader import PyFileConfigLoader

    os.environ["SOLLAB_COURSE_ROOT"] = str(course)
    bin_dir = str(Path(sys.executable).parent)  # nbgrader runs `alembic` from PATH
    if bin_dir not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = bin_dir + os.pathsep + os.environ.get("PATH", "")
    config = PyFileConfigLoader("jupyter_config.py", path=str(lab_root())).load_config()
    config.Autograde.autograde_preprocessors = [
        "sollab.nbgrader.InjectGrades",
        "nbgrader.preprocessors.IgnorePattern",
        "nbconvert.preprocessors.ClearMetadataPreprocessor",
        "nbgrader.preprocessors.LimitOutput",
        "nbgrader.preprocessors.SaveAutoGrades",
        "nbgrader.preprocessors.AssignLatePenalties",
        "nbgrader.preprocessors.CheckCellMetadata",
    ]
    config.GenerateFeedback.exporter_class = "sollab.nbgrader.FeedbackExporter"
    # the notebook validated once after its preprocessors, not after each (12 times a student)
    config.Exporter.optimistic_validation = True
    config.OverwriteCells.add_missing_cells = True  # a deleted grade cell comes back, graded
    config.InjectGrades.results_directory = str(results_dir)
    return NbGraderAPI(config=config)


class Recorder:
    """Files results into nbgrader: the submission in its ``submitted/`` tree, then nbgrader's
    autograde (gradebook, autograded notebook) and feedback. One per worker process."""

    def __init__(self, lesson: Lesson, course: Path, results_dir: Path) -> None:
        self.lesson, self.course, self.results_dir = lesson, course, results_dir
        self._api: Any = None

    @property
    def api(self) -> Any:
        if self._api is None:
            import logging
            import warnings

            from sqlalchemy.exc import SAWarning

            from .nbgrader import tune_nbgrader

            warnings.filterwarnings("ignore", category=SAWarning)  # nbgrader's, per new student
            tune_nbgrader()
            self._api = _nbgrader_api(self.course, self.results_dir)
            self._api.log.setLevel(logging.ERROR)
        return self._api

    def register(self) -> str | None:
        """Make sure the gradebook knows the lesson (before workers share it)."""
        from nbgrader.api import Gradebook, MissingEntry

        with Gradebook(self.api.coursedir.db_url, self.api.coursedir.course_id) as gb:
            try:
                gb.find_assignment(self.lesson.name)
                return None
            except MissingEntry:
                pass
        done = self.api.generate_assignment(self.lesson.name, force=True)
        if not done["success"]:
            return f"nbgrader could not register {self.lesson.name}: {done['error'][-500:]}"
        return None

    def _submitted(self, student: str) -> Path:
        submitted = Path(self.api.coursedir.submitted_directory)
        if not submitted.is_absolute():
            submitted = self.course / submitted
        return submitted / student / self.lesson.name

    def _autograded(self, student: str) -> Path:
        folder = Path(self.api.coursedir.autograded_directory)
        if not folder.is_absolute():
            folder = self.course / folder
        return folder / student / self.lesson.name / self.lesson.notebook_name

    def record(self, sub: Submission, result: dict[str, Any], result_path: Path) -> str | None:
        """Record one student's result; what went wrong, if anything."""
        folder = self._submitted(sub.student)
        target = folder / self.lesson.notebook_name
        if sub.notebook.resolve() != target.resolve():  # an LMS folder: file it as nbgrader does
            folder.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(sub.notebook, target)
            stamp = sub.notebook.parent / "timestamp.txt"
            if stamp.exists() and stamp.parent != sub.notebook.parent.parent:
                shutil.copyfile(stamp, folder / "timestamp.txt")
        autograded = self._autograded(sub.student)
        if autograded.exists() and autograded.stat().st_mtime >= result_path.stat().st_mtime:
            return None  # recorded after this result was made: a resumed run
        done = self._retry(lambda: self.api.autograde(self.lesson.name, sub.student, force=True))
        if not done["success"] and result.get("invalid"):
            _record_zero(self.api.coursedir, self.lesson, sub.student)  # not a notebook
            return None
        if not done["success"]:
            why = (done.get("error") or done.get("log") or "").strip().splitlines()
            return f"nbgrader could not record it ({why[-1] if why else '?'})"
        feedback = self.api.generate_feedback(self.lesson.name, sub.student, force=True)
        if not feedback["success"]:
            return f"no feedback ({feedback.get('error', '')[-300:]})"
        return None

    @staticmethod
    def _retry(step: Any, attempts: int = 5) -> dict[str, Any]:
        """SQLite allows one writer at a time: a worker that finds the gradebook locked waits."""
        for attempt in range(attempts):
            done = step()
            text = f"{done.get('error', '')} {done.get('log', '')}"
            if done["success"] or "database is locked" not in text or attempt == attempts - 1:
                return done
            time.sleep(0.5 * (attempt + 1))
        return done


def _record_zero(coursedir: Any, lesson: Lesson, student: str) -> None:
    """A submission nbgrader cannot read scores 0 in the gradebook, as a missing one does."""
    from nbgrader.api import Gradebook

    with Gradebook(coursedir.db_url, coursedir.course_id) as gb:
        gb.update_or_create_submission(lesson.name, student)
        notebook = gb.find_submission_notebook(lesson.source.stem, lesson.name, student)
        for grade in notebook.grades:
            grade.auto_score = 0
            grade.needs_manual_grade = False
        gb.db.commit()
