"""`sollab grade`: a class of fake submissions, hostile ones included, graded in parallel in
sandboxes; each gets its score and reason, none changes another's, and nbgrader's gradebook,
the CSV and the feedback agree."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
import uuid
from html import unescape
from pathlib import Path

import nbformat
import pytest

from sollab.classgrade import Lesson, Options, find_submissions, grade_class
from sollab.sandbox import bubblewrap
from test_nbgrader import LESSON, source_notebook
from test_nbgrader import run as nbgrader

REPO = Path(__file__).resolve().parent.parent
GOOD = (
    "uint256 public count; address public owner;"
    " constructor() { owner = msg.sender; }"
    " function increment() external { count += 1; }"
    " function reset() external { require(msg.sender == owner); count = 0; }"
)
PARTIAL = (  # anyone may reset: loses the hidden check's 2 points
    "uint256 public count; function increment() external { count += 1; }"
    " function reset() external { count = 0; }"
)
MARKER = f"sollab-test-{uuid.uuid4().hex[:8]}"  # names the process a submission leaves behind

sandboxed = pytest.mark.skipif(bubblewrap() is None, reason="needs bubblewrap (make setup)")
# The tests that share a module-scoped course and grading run on one pytest-xdist worker, so the
# class is graded once (it takes a minute, with two jobs of its own).
CLASS = pytest.mark.xdist_group("classgrade-class")
ONE_WORKER = pytest.mark.xdist_group("classgrade-one-worker")


def _released(course: Path) -> nbformat.NotebookNode:
    return nbformat.read(course / "lessons" / LESSON / f"{LESSON}.ipynb", as_version=4)


def _submission(course: Path, body: str | None = None, extra: str | None = None, edit=None):
    nb = _released(course)
    if body is not None:
        nb.cells[1].source = nb.cells[1].source.replace("// YOUR CODE HERE", body)
    if extra is not None:
        nb.cells.insert(2, nbformat.v4.new_code_cell(extra))
    if edit is not None:
        edit(nb)
    return nb


def _delete_grade_cell(nb):
    del nb.cells[-1]


def _edit_grade_cell(nb):
    nb.cells[-1].source = "print(6)"


def _grade_cell_to_markdown(nb):
    cell = nb.cells[-1]
    nb.cells[-1] = nbformat.v4.new_markdown_cell(cell.source, metadata=cell.metadata)


# student -> (notebook factory, expected score)
CASES = {
    "correct": (lambda c: _submission(c, GOOD), 6),
    "partial": (lambda c: _submission(c, PARTIAL), 4),
    "stub": (lambda c: _submission(c), 0),
    "syntax-error": (lambda c: _submission(c, "uint256 public count"), 0),
    "python-loop": (lambda c: _submission(c, GOOD, "while True:\n    pass"), 6),
    "solidity-loop": (  # only "starts at zero" holds: every increment() runs out of gas
        lambda c: _submission(c, GOOD.replace("count += 1;", "while (true) { count += 1; }")),
        1,
    ),
    "ignores-sigint": (
        lambda c: _submission(
            c, GOOD, "import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nwhile True: pass"
        ),
        6,
    ),
    "os-exit": (lambda c: _submission(c, GOOD, "import os\nos._exit(0)"), 6),
    "edited-grade-cell": (lambda c: _submission(c, PARTIAL, edit=_edit_grade_cell), 4),
    "deleted-grade-cell": (lambda c: _submission(c, PARTIAL, edit=_delete_grade_cell), 4),
    "grade-cell-markdown": (lambda c: _submission(c, PARTIAL, edit=_grade_cell_to_markdown), 4),
    "not-json": (None, 0),
    "huge-output": (lambda c: _submission(c, GOOD, "print('x' * 50_000_000)"), 6),
    "always-equal": (
        lambda c: _submission(
            c, None, "class Yes:\n    def __eq__(self, other): return True\nCounter = Yes()"
        ),
        0,
    ),
    "patches-grader": (
        lambda c: _submission(
            c,
            PARTIAL,
            "import sollab, sollab.grading\n"
            "sollab.grading.grade = sollab.grade = lambda *a, **k: 6.0\n"
            "sollab.grading.CheckContext.expect = lambda *a, **k: None",
        ),
        4,
    ),
    "reads-solutions": (
        lambda c: _submission(
            c, GOOD, f"stolen = open({str(c / 'solutions' / LESSON / f'{LESSON}.ipynb')!r}).read()"
        ),
        6,
    ),
    "writes-gradebook": (
        lambda c: _submission(
            c,
            PARTIAL,
            f"open({str(c / '.sollab' / 'course' / 'gradebook.db')!r}, 'wb').write(b'gone')",
        ),
        4,
    ),
    "network": (
        lambda c: _submission(
            c, GOOD, "import socket\nsocket.create_connection(('10.255.255.1', 80), timeout=3)"
        ),
        6,
    ),
    "leaves-process": (
        lambda c: _submission(
            c, GOOD, f"import subprocess\nsubprocess.Popen(['sleep', '600', '{MARKER}'])"
        ),
        6,
    ),
}


@pytest.fixture(scope="module")
def course(tmp_path_factory) -> Path:
    return _make_course(tmp_path_factory)


@pytest.fixture(scope="module")
def other_course(tmp_path_factory) -> Path:
    """A course of its own, so other students do not show in the class's gradebook."""
    return _make_course(tmp_path_factory)


def _make_course(tmp_path_factory) -> Path:
    course = tmp_path_factory.mktemp("course")
    source = course / "solutions" / LESSON
    source.mkdir(parents=True)
    nbformat.write(source_notebook(), source / f"{LESSON}.ipynb")
    done = nbgrader("generate_assignment", LESSON, "--force", course=course)
    assert done.returncode == 0, done.stderr
    return course


@pytest.fixture(scope="module")
def graded(course, tmp_path_factory):
    """The whole class, graded once (two jobs) for the tests below."""
    folder = tmp_path_factory.mktemp("lms-download")
    for student, (make, _) in CASES.items():
        if make is None:
            (folder / f"{student}.ipynb").write_text("{ this is not a notebook")
        else:
            nbformat.write(make(course), folder / f"{student}.ipynb")
    options = Options(course=course, cell_timeout=8, call_timeout=8)
    result = grade_class(LESSON, folder, jobs=2, options=options)
    return result, folder


@pytest.mark.slow
@CLASS
def test_every_submission_gets_its_own_score(graded):
    result, _ = graded
    scores = {r["student"]: r.get("score") for r in result.results}
    assert scores == {student: expected for student, (_, expected) in CASES.items()}
    assert result.problems == []


@pytest.mark.slow
@CLASS
def test_the_reasons_are_told(graded):
    by_student = {r["student"]: r for r in graded[0].results}

    def notes(student):
        return " ".join(by_student[student]["notes"])

    assert "ran longer than 8 s" in notes("python-loop")
    assert "ran longer than 8 s" in notes("ignores-sigint")
    assert "ended its own process" in notes("os-exit")
    assert "not a valid notebook" in notes("not-json")
    messages = [
        c["message"] for e in by_student["always-equal"]["exercises"].values() for c in e["checks"]
    ]
    assert all("not plain data" in m for m in messages)
    syntax = [
        c["message"] for e in by_student["syntax-error"]["exercises"].values() for c in e["checks"]
    ]
    assert all(syntax), "a contract that does not compile says why"


@pytest.mark.slow
@sandboxed
@CLASS
def test_the_sandbox_keeps_submissions_in(graded, course):
    by_student = {r["student"]: r for r in graded[0].results}

    def errors(student):
        return [c["error"] or "" for c in by_student[student]["cells"].values()]

    assert any("FileNotFoundError" in e for e in errors("reads-solutions"))
    assert any("FileNotFoundError" in e or "Errno" in e for e in errors("writes-gradebook"))
    assert any("OSError" in e or "unreachable" in e for e in errors("network"))
    left = subprocess.run(["pgrep", "-f", MARKER], capture_output=True, text=True)
    assert left.stdout.strip() == "", "a process a submission started outlived grading"
    assert (course / ".sollab" / "course" / "gradebook.db").read_bytes()[:6] == b"SQLite"


@pytest.mark.slow
@CLASS
def test_the_gradebook_csv_and_feedback_agree(graded, course):
    result, _ = graded
    expected = {student: float(score) for student, (_, score) in CASES.items()}
    with open(result.csv) as f:
        rows = {row["student"]: float(row["total"]) for row in csv.DictReader(f)}
    assert rows == expected
    done = nbgrader("export", "--to", str(course / "nbgrader.csv"), course=course)
    assert done.returncode == 0, done.stderr
    with open(course / "nbgrader.csv") as f:
        exported = {row["student_id"]: float(row["score"]) for row in csv.DictReader(f)}
    assert exported == expected
    feedback = course / ".sollab" / "course" / "feedback" / "partial" / LESSON / f"{LESSON}.html"
    html = feedback.read_text()
    assert "anyone else's reset() reverts" in unescape(html)
    grader_source = (REPO / "graders" / "05_solidity_basics.py").read_text()
    assert "t.expect(" in grader_source and "t.expect(" not in html  # no hidden check's code


@pytest.mark.slow
@CLASS
def test_a_rerun_resumes_and_changes_nothing(graded, course):
    result, folder = graded
    again = grade_class(LESSON, folder, jobs=2, options=Options(course=course, cell_timeout=8))
    assert [r["score"] for r in again.results] == [r["score"] for r in result.results]
    assert [r["key"] for r in again.results if "key" in r] == [
        r["key"] for r in result.results if "key" in r
    ]


@CLASS
def test_submissions_are_found_in_every_layout(tmp_path, course):
    lesson = Lesson.load(LESSON, course)
    nb = json.dumps(nbformat.v4.new_notebook())
    (tmp_path / "ann.ipynb").write_text(nb)  # a file per student (an LMS download)
    (tmp_path / "ben").mkdir()
    (tmp_path / "ben" / "anything.ipynb").write_text(nb)  # a folder per student
    nbgrader_tree = tmp_path / "cat" / LESSON
    nbgrader_tree.mkdir(parents=True)
    (nbgrader_tree / f"{LESSON}.ipynb").write_text(nb)  # nbgrader's submitted/<student>/<lesson>
    (tmp_path / "cat" / LESSON / ".ipynb_checkpoints").mkdir()
    subs = find_submissions(tmp_path, lesson)
    found = {s.student: s.notebook.relative_to(tmp_path) for s in subs}
    assert found == {
        "ann": Path("ann.ipynb"),
        "ben": Path("ben/anything.ipynb"),
        "cat": Path(f"cat/{LESSON}/{LESSON}.ipynb"),
    }


def test_a_lesson_without_grade_calls_is_refused(tmp_path):
    from sollab.grading import GradingError

    nb = source_notebook()
    nb.cells[2].source = "assert Counter is not None"
    folder = tmp_path / "solutions" / LESSON
    folder.mkdir(parents=True)
    nbformat.write(nb, folder / f"{LESSON}.ipynb")
    with pytest.raises(GradingError, match=r"does not call lab\.grade"):
        Lesson.load(LESSON, tmp_path)


# --- one zygote, many students ----------------------------------------------------------------
# With jobs=1 one worker grades these in order (by name) with one sandbox whose zygote forks a
# child per run: nothing one child leaves or forges may reach the next.

LEFT = f"sollab-left-{uuid.uuid4().hex[:8]}"  # names what the first student leaves behind
LEAVES = f"""import os, subprocess
open('left.txt', 'w').write('x')
os.makedirs('sub/deeper'); open('sub/deeper/f', 'w').write('x'); os.chmod('sub', 0)
open('/tmp/left.txt', 'w').write('x'); open(os.path.expanduser('~/left.txt'), 'w').write('x')
open('/dev/shm/left', 'w').write('x'); open('/dev/left', 'w').write('x')
os.unlink('/dev/stdout'); os.symlink('/dev/null', '/dev/stdout')
import ctypes; ctypes.CDLL(None).shmget(0, 4096, 0o1000 | 0o600)  # System V: outlives us
os.symlink('/tmp', 'link-to-tmp')
subprocess.Popen(['sleep', '600', '{LEFT}'], start_new_session=True)"""
SEES = f"""import glob, os
left = [p for p in ['left.txt', 'sub', 'link-to-tmp', '/tmp/left.txt', '/dev/shm/left',
                    '/dev/left', os.path.expanduser('~/left.txt')] if os.path.lexists(p)]
left += [] if os.readlink('/dev/stdout') == '/proc/self/fd/1' else ['/dev/stdout']
left += open('/proc/sysvipc/shm').read().splitlines()[1:]
def cmdline(p):
    try:
        return open(p).read()
    except OSError:
        return ''
procs = [p for p in glob.glob('/proc/[0-9]*/cmdline') if '{LEFT}' in cmdline(p)]
assert not left and not procs, (left, procs)"""
FORGES = """import os, json
def is_pipe(fd):
    try:
        return os.readlink(f'/proc/self/fd/{fd}').startswith('pipe:')
    except OSError:
        return False
pipes = [int(fd) for fd in os.listdir('/proc/self/fd') if int(fd) > 2 and is_pipe(fd)]
fake = {"event": "exited", "marker": "0" * 32}
for fd in pipes:  # our stdout channel (and the grader's stdin, for reading): forge on all
    try:
        os.write(fd, b'{"event": "exi')  # a partial line, then a whole forged one
        os.write(fd, b'\\n' + json.dumps(fake).encode() + b'\\n')
    except OSError:
        pass
os.write(2, b'\\nsollab-zygote-exited:' + b'0' * 32 + b'\\n')"""
STALE_STDIN = """import os, json
job = json.dumps({"job": {"cells": [[0, "Counter = 1"]], "answers": []}, "limits": []})
for fd in os.listdir('/proc/self/fd'):  # jobs, written into our own stdin through /proc
    try:
        if int(fd) > 2 and os.readlink(f'/proc/self/fd/{fd}').startswith('pipe:'):
            w = os.open(f'/proc/self/fd/{fd}', os.O_WRONLY | os.O_NONBLOCK)
            os.write(w, (job + '\\n').encode() * 2)
    except OSError:
        pass"""
PRYING = """import os
ppid = os.getppid()  # the zygote is not dumpable: its pipes, memory and environment are closed
paths = [f'/proc/{ppid}/fd/{fd}' for fd in os.listdir(f'/proc/{ppid}/fd')]
for path in paths + [f'/proc/{ppid}/mem', f'/proc/{ppid}/environ']:
    try:
        os.close(os.open(path, os.O_WRONLY if '/fd/' in path else os.O_RDONLY))
    except PermissionError:
        continue
    raise AssertionError(f'{path} is open to a child')"""
LAST_WORDS = "import os\nos.write(2, b'last words\\n')\nos._exit(3)"
STOPS_ZYGOTE = "import os, signal\nos.kill(os.getppid(), signal.SIGSTOP)"
KILLS_ZYGOTE = (  # and waits: the sandbox ends with its zygote
    "import os, signal, time\nos.kill(os.getppid(), signal.SIGKILL)\ntime.sleep(30)"
)


def _first(source):
    def edit(nb):
        nb.cells.insert(1, nbformat.v4.new_code_cell(source))

    return edit


FINDS_IMPORTED = """import sys
assert 'ipywidgets' in sys.modules, 'the zygote did not import the trace widget'"""

SEQUENCE = {  # student -> (notebook factory, expected score)
    "a-leaves-things": (lambda c: _submission(c, GOOD, LEAVES), 6),
    "b-sees-nothing": (lambda c: _submission(c, PARTIAL, SEES), 4),
    "c-forges-exits": (
        lambda c: _submission(c, GOOD, f"{STALE_STDIN}\n{PRYING}", edit=_first(FORGES)),
        6,
    ),
    "d-sees-nothing": (lambda c: _submission(c, GOOD, SEES), 6),
    "e-kills-zygote": (lambda c: _submission(c, GOOD, KILLS_ZYGOTE), 6),
    "f-after-zygote": (lambda c: _submission(c, PARTIAL, SEES), 4),
    "g-stub": (lambda c: _submission(c), 0),
    "h-last-words": (lambda c: _submission(c, GOOD, LAST_WORDS), 6),
    "i-stops-zygote": (lambda c: _submission(c, GOOD, STOPS_ZYGOTE), 6),
    "j-after-stop": (lambda c: _submission(c, PARTIAL, SEES), 4),
    "k-finds-imported": (lambda c: _submission(c, GOOD, FINDS_IMPORTED), 6),
}


@pytest.fixture(scope="module")
def sequence(other_course, tmp_path_factory):
    folder = tmp_path_factory.mktemp("one-worker")
    for student, (make, _) in SEQUENCE.items():
        nbformat.write(make(other_course), folder / f"{student}.ipynb")
    options = Options(course=other_course, cell_timeout=8, call_timeout=8)
    result = grade_class(LESSON, folder, jobs=1, options=options)
    assert result.problems == []
    return {r["student"]: r for r in result.results}


def _statuses(result) -> list[str]:
    return [cell["status"] for cell in result["cells"].values()]


@pytest.mark.slow
@sandboxed
@ONE_WORKER
def test_one_zygote_grades_each_student_right(sequence):
    assert {s: r.get("score") for s, r in sequence.items()} == {
        s: expected for s, (_, expected) in SEQUENCE.items()
    }


@pytest.mark.slow
@sandboxed
@ONE_WORKER
def test_nothing_a_submission_leaves_reaches_the_next(sequence):
    """Files in the lesson folder, /tmp, $HOME, /dev and /dev/shm, a replaced /dev/stdout,
    System V shared memory and a background process in a session of its own are gone before
    the next student's run."""
    assert _statuses(sequence["a-leaves-things"]) == ["ok", "ok"]
    for student in ("b-sees-nothing", "d-sees-nothing", "f-after-zygote"):
        assert _statuses(sequence[student]) == ["ok", "ok"], sequence[student]["cells"]
    left = subprocess.run(["pgrep", "-f", LEFT], capture_output=True, text=True)
    assert left.stdout.strip() == ""


@pytest.mark.slow
@sandboxed
@ONE_WORKER
def test_forged_exits_and_jobs_are_ignored(sequence):
    """A child that writes an "exited" line (after a partial one) on stdout and stderr is still
    graded on the cells that follow; jobs it leaves in its stdin do not run; the next student's
    run is untouched."""
    forger = sequence["c-forges-exits"]
    assert _statuses(forger) == ["ok", "ok", "ok"], forger["cells"]
    assert forger["notes"] == []
    assert _statuses(sequence["d-sees-nothing"]) == ["ok", "ok"]


@pytest.mark.slow
@sandboxed
@ONE_WORKER
def test_a_child_that_kills_the_zygote_is_graded_without_that_cell(sequence):
    killer = sequence["e-kills-zygote"]
    assert "cell 3 was skipped: its sandbox ended" in " ".join(killer["notes"])
    assert sequence["f-after-zygote"]["notes"] == []


@pytest.mark.slow
@sandboxed
@ONE_WORKER
def test_a_zygote_that_stops_answering_is_replaced(sequence):
    """A child that SIGSTOPs its zygote has its answers graded; the next student gets a new
    sandbox."""
    assert sequence["i-stops-zygote"]["notes"] == []
    assert _statuses(sequence["j-after-stop"]) == ["ok", "ok"]
    assert sequence["j-after-stop"]["notes"] == []


@pytest.mark.slow
@sandboxed
@ONE_WORKER
def test_a_run_finds_what_the_zygote_imported(sequence):
    """The zygote imports what a notebook would import lazily (the trace widget's module), so
    no run pays for the import again."""
    assert _statuses(sequence["k-finds-imported"]) == ["ok", "ok"], sequence["k-finds-imported"]


def test_a_learners_test_is_called_in_the_sandbox_with_the_graded_run_it_is_called_in():
    from sollab import wire
    from sollab.classgrade import _Calls
    from sollab.mutation import graded_run

    class Session:
        sent: list = []

        def send(self, message):
            self.sent.append(message)

        def receive(self, timeout):
            return {"event": "return", "value": wire.encode(None)}

    session = Session()
    test = _Calls(session, timeout=5).proxy("f0:test_savings")
    test()
    with graded_run(shrink=True):
        test()
    assert [m.get("graded_run") for m in session.sent] == [None, {"shrink": True}]


def test_sollab_grade_skips_only_the_iri_format_check(tmp_path):
    """In a fresh process, skip_iri_format_checks() keeps rfc3987_syntax from being imported;
    nbformat still validates (and rejects a broken notebook); where jsonschema is imported
    already it changes nothing."""
    code = """if True:
        import sys
        from sollab.classgrade import skip_iri_format_checks
        skip_iri_format_checks()
        import jsonschema, nbformat
        assert sys.modules["rfc3987_syntax"] is None
        assert "iri" not in jsonschema.FormatChecker().checkers
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1")])
        nbformat.validate(nb)
        nb.cells[0]["outputs"] = "not a list"
        try:
            nbformat.validate(nb)
            raise SystemExit("a broken notebook validated")
        except nbformat.ValidationError:
            pass
        del sys.modules["rfc3987_syntax"]
        skip_iri_format_checks()
        assert "rfc3987_syntax" not in sys.modules
        print("ok")"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.stdout.strip() == "ok", done.stderr


def test_a_lesson_names_what_its_notebook_imports(tmp_path):
    """Plain and dotted imports, `from` imports, in the order met; magics, shell lines,
    %%solidity cells, relative imports and cells that do not parse are passed over."""
    nb = source_notebook()
    nb.cells[2:2] = [
        nbformat.v4.new_code_cell("%matplotlib inline\nimport matplotlib.pyplot as plt, json"),
        nbformat.v4.new_code_cell("!ls\nfrom eth_utils import to_wei\nfrom . import local"),
        nbformat.v4.new_code_cell("%%solidity\nimport './A.sol';"),
        nbformat.v4.new_code_cell("def broken(:\n    import nothing_here"),
        nbformat.v4.new_code_cell("def f():\n    import hashlib\nimport json"),
    ]
    folder = tmp_path / "solutions" / LESSON
    folder.mkdir(parents=True)
    nbformat.write(nb, folder / f"{LESSON}.ipynb")
    lesson = Lesson.load(LESSON, tmp_path)
    assert lesson.imports == ["matplotlib.pyplot", "json", "eth_utils", "hashlib"]


@pytest.mark.slow
@sandboxed
@ONE_WORKER
def test_a_child_s_exit_status_and_last_words_are_told(sequence):
    """The zygote's marker on stderr is not taken for the child's last line."""
    notes = " ".join(sequence["h-last-words"]["notes"])
    assert "cell 3 was skipped: the process exited with status 3: last words" in notes


@pytest.mark.slow
@ONE_WORKER
def test_without_bubblewrap_each_run_is_a_process_of_its_own(other_course, tmp_path):
    cases = {
        "no-bwrap-correct": (lambda c: _submission(c, GOOD), 6),
        "no-bwrap-os-exit": (lambda c: _submission(c, GOOD, "import os\nos._exit(0)"), 6),
        "no-bwrap-partial": (lambda c: _submission(c, PARTIAL), 4),
    }
    for student, (make, _) in cases.items():
        nbformat.write(make(other_course), tmp_path / f"{student}.ipynb")
    options = Options(course=other_course, cell_timeout=8, call_timeout=8, isolate=False)
    result = grade_class(LESSON, tmp_path, jobs=1, options=options, force=True)
    assert {r["student"]: r["score"] for r in result.results} == {
        s: expected for s, (_, expected) in cases.items()
    }
    by_student = {r["student"]: r for r in result.results}
    assert all(r["sandbox"] == "none" for r in result.results)
    assert "ended its own process" in " ".join(by_student["no-bwrap-os-exit"]["notes"])


# --- a class graded in shards ------------------------------------------------------------------

SHARDED = {"correct": 6, "partial": 4, "stub": 0, "dee": 6}  # shards 1, 2, 1, 2 of 2


def _sollab(*args: str, course: Path) -> subprocess.CompletedProcess:
    """`sollab ...` as a process of its own, as a machine of a grading cluster runs it."""
    from test_nbgrader import course_env

    sollab = Path(sys.executable).parent / "sollab"
    return subprocess.run(
        [str(sollab), *args, "--course", str(course)], cwd=course, env=course_env(course),
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip


def _exported(course: Path) -> dict[str, float]:
    done = nbgrader("export", "--to", str(course / "nbgrader.csv"), course=course)
    assert done.returncode == 0, done.stderr
    with open(course / "nbgrader.csv") as f:
        return {row["student_id"]: float(row["score"]) for row in csv.DictReader(f)}


def test_a_shard_is_parsed_and_every_student_is_in_exactly_one():
    """Is --shard I/N checked, and do N shards split any class into disjoint slices?"""
    from sollab.classgrade import Shard
    from sollab.grading import GradingError

    assert Shard.parse("2/4") == Shard(2, 4) and str(Shard(2, 4)) == "2/4"
    for bad in ("0/4", "5/4", "2", "a/b", "1/0"):
        with pytest.raises(GradingError, match="is not I/N"):
            Shard.parse(bad)
    students = [f"student-{i}" for i in range(200)]
    slices = [[s for s in students if Shard(i, 4).holds(s)] for i in range(1, 5)]
    assert sorted(s for part in slices for s in part) == sorted(students)
    assert all(20 < len(part) < 80 for part in slices)


@pytest.mark.slow
@sandboxed
def test_shards_run_as_separate_processes_then_merged_equal_one_run(tmp_path_factory):
    """Grading a class as two shards in two processes, then `sollab grade merge`, gives the
    same CSV and gradebook as one `sollab grade` run; a merge with a shard missing records
    nothing and names it; merging twice changes nothing."""
    from sollab.classgrade import Shard

    assert {Shard.of(s, 2).index for s in SHARDED} == {1, 2}
    whole, sharded = _make_course(tmp_path_factory), _make_course(tmp_path_factory)
    folder = tmp_path_factory.mktemp("class")
    for student in SHARDED:
        body = {"correct": GOOD, "dee": GOOD, "partial": PARTIAL, "stub": None}[student]
        nbformat.write(_submission(whole, body), folder / f"{student}.ipynb")
    options = Options(course=whole, cell_timeout=20, call_timeout=20)
    one_run = grade_class(LESSON, folder, jobs=2, options=options)

    first = _sollab("grade", LESSON, str(folder), "--shard", "1/2", "--jobs", "1", course=sharded)
    assert first.returncode == 0, first.stderr[-2000:]
    assert "Recorded nothing yet" in first.stdout
    early = _sollab("grade", "merge", LESSON, str(folder), course=sharded)
    assert early.returncode == 1
    assert "run shard(s) 2/2 again" in early.stderr and "Traceback" not in early.stderr
    assert not (sharded / ".sollab" / "course" / "grades" / f"{LESSON}.csv").exists()
    autograded = sharded / ".sollab" / "course" / "autograded"
    assert not autograded.exists() or not any(autograded.iterdir())

    second = _sollab("grade", LESSON, str(folder), "--shard", "2/2", "--jobs", "1", course=sharded)
    assert second.returncode == 0, second.stderr[-2000:]
    merged = _sollab("grade", "merge", LESSON, str(folder), "--jobs", "2", course=sharded)
    assert merged.returncode == 0, merged.stderr[-2000:]
    csv_file = sharded / ".sollab" / "course" / "grades" / f"{LESSON}.csv"
    assert csv_file.read_text() == one_run.csv.read_text()
    assert _exported(sharded) == _exported(whole) == {s: float(p) for s, p in SHARDED.items()}

    stamps = {p: p.stat().st_mtime for p in autograded.rglob("*.ipynb")}
    again = _sollab("grade", "merge", LESSON, str(folder), course=sharded)
    assert again.returncode == 0, again.stderr[-2000:]
    assert csv_file.read_text() == one_run.csv.read_text()
    assert {p: p.stat().st_mtime for p in autograded.rglob("*.ipynb")} == stamps
    assert _exported(sharded) == {s: float(p) for s, p in SHARDED.items()}


def test_the_sandbox_s_compiles_are_answered_from_the_grader_s_cache(monkeypatch):
    """Every submission compiles the lesson's cells alike: solc runs once per input, also for
    an input it rejects, and the sandbox gets the very same output each time."""
    from sollab import classgrade, compiler
    from sollab.versions import select_compiler

    calls: list[str] = []

    class CountingSolc:
        def start(self, preload=None) -> None:
            pass

        def compile(self, installed, input_json: str) -> tuple[str, str]:
            calls.append(input_json)
            errors = [] if "good" in input_json else [{"severity": "error", "message": "no"}]
            return json.dumps({"errors": errors, "run": len(calls)}), str(installed.version)

    counting = compiler.Compiler(worker=CountingSolc(), disk_cache=False)
    monkeypatch.setattr(compiler, "_default", counting)
    monkeypatch.setattr(classgrade, "_FAILED_COMPILES", {})
    solc = str(select_compiler([]).version)
    replies = [
        classgrade._compile_for_sandbox({"input": text, "solc": solc})
        for text in ('{"good": 1}', '{"bad": 1}', '{"good": 1}', '{"bad": 1}')
    ]
    assert len(calls) == 2, "each input went to solc once"
    assert replies[0] == replies[2] and replies[1] == replies[3]
    assert json.loads(replies[0]["compiled"])["run"] == 1
    assert json.loads(replies[1]["compiled"])["errors"][0]["message"] == "no"
    assert classgrade._compile_for_sandbox({"input": 3, "solc": solc}) == {
        "error": "malformed compile request"
    }
