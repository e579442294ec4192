"""A class on JupyterHub (deploy/jupyterhub/): the Hub comes up on 127.0.0.1 with an instructor
and two students, and the course's whole loop runs through it. The students work only through
their own servers behind the Hub's proxy (nbgrader's Assignment List handlers, the contents
API), the instructor's nbgrader commands run with the environment the instructor's server gets;
the scores, the feedback, who reaches the formgrader, and that nothing is left running after.

The lesson is the real lesson 05 (solutions/05-solidity-basics, which the Hub copies into the
instructor's course on its first start, as `make hub` does). ada answers every exercise with the
instructor's own solution cells; bob does the same except for a Counter whose reset() has no owner
check, so he loses exactly the points of the hidden check that catches it."""

from __future__ import annotations

import contextlib
import csv
import http.cookiejar
import json
import os
import re
import secrets
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import pytest

from nodekit import free_port
from sollab.grading import load_graders
from sollab.hub import ClassRoom
from test_nbgrader import LESSON

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
CONFIG = REPO / "deploy" / "jupyterhub" / "jupyterhub_config.py"
STUDENTS = ("ada", "bob")
VALIDATES = "bob"  # Validate runs all of lesson 05 in his kernel (~10 s): one student is enough
# bob's one wrong answer: anyone may reset his Counter. The hidden check that catches it:
OWNER_LINE = "        if (msg.sender != owner) revert NotOwner(msg.sender);\n"
OWNER_CHECK = "anyone else's reset() reverts and changes nothing"
MARKERS = ("### BEGIN SOLUTION", "### END SOLUTION")


def _exercises() -> dict[str, float]:
    """Lesson 05's exercises (their short names, as in the grade cells' ids) and their points,
    from graders/."""
    found = {e.id.split("/", 1)[1]: e.points for e in load_graders().values() if e.lesson == LESSON}
    assert found, f"no exercises for {LESSON} in graders/"
    return found


def _expected() -> dict[str, dict[str, float]]:
    """Each student's points per exercise: ada all, bob all but the owner check's."""
    points = _exercises()
    [counter] = [e for e in load_graders().values() if e.id == f"{LESSON}/counter"]
    [lost] = [c.points for c in counter.checks if c.title == OWNER_CHECK]
    return {"ada": dict(points), "bob": dict(points, counter=points["counter"] - lost)}


def _solutions(course: Path) -> dict[str, str]:
    """The instructor's solution cells of lesson 05 by grade_id, without nbgrader's markers:
    what a student who got everything right would have typed."""
    nb = nbformat.read(course / "solutions" / LESSON / f"{LESSON}.ipynb", as_version=4)
    found = {}
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("solution") and not meta.get("grade"):
            lines = cell.source.splitlines(keepends=True)
            found[meta["grade_id"]] = "".join(x for x in lines if x.strip() not in MARKERS)
    return found


def _answers(course: Path) -> dict[str, dict[str, str]]:
    """What each student writes into their solution cells, by grade_id."""
    right = _solutions(course)
    assert OWNER_LINE in right["counter-solution"], "the solution's Counter changed: update bob"
    wrong = dict(right, **{"counter-solution": right["counter-solution"].replace(OWNER_LINE, "")})
    return {"ada": right, "bob": wrong}


@dataclass
class Answer:
    status: int
    body: bytes
    headers: dict = field(default_factory=dict)

    def json(self):
        return json.loads(self.body)


@dataclass
class Hub:
    room: ClassRoom
    admin_token: str
    log: Path
    password: str
    tokens: dict[str, str] = field(default_factory=dict)
    leftovers: list[str] = field(default_factory=list)

    def request(self, method, path, token, body=None, form=None) -> Answer:
        """`path` below the Hub's public URL, as the holder of `token`."""
        headers = {"Authorization": f"token {token}"}
        data = None
        if body is not None:
            data, headers["Content-Type"] = json.dumps(body).encode(), "application/json"
        elif form is not None:
            data = urllib.parse.urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        req = urllib.request.Request(self.room.url + path, data, headers, method=method)
        opener = urllib.request.build_opener(_NoRedirect)
        try:
            with opener.open(req, timeout=120) as response:
                return Answer(response.status, response.read(), dict(response.headers))
        except urllib.error.HTTPError as exc:
            return Answer(exc.code, exc.read(), dict(exc.headers))

    def api(self, method, path, body=None) -> Answer:
        """The Hub's REST API with the class-admin service's token."""
        return self.request(method, f"hub/api{path}", self.admin_token, body)

    def as_user(self, user, method, path, **kwargs) -> Answer:
        """``path`` on the user's own server (/user/<name>/...), through the proxy."""
        return self.request(method, f"user/{user}/{path}", self.tokens[user], **kwargs)

    def nbgrader(self, user: str, *args: str) -> subprocess.CompletedProcess:
        """A command run as `user` runs it in their server's terminal: their environment, in
        their home (the instructor: in the course)."""
        cwd = self.room.course if user == self.room.instructor else self.room.home(user)
        done = subprocess.run(
            [str(BIN / args[0]), *args[1:]],
            cwd=cwd,
            env=os.environ | self.room.environment(user),
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert done.returncode == 0, f"{args}:\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}"
        return done

    def log_tail(self) -> str:
        return self.log.read_text(errors="replace")[-4000:]


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a redirect is an answer of its own (to a log-in page, say)


def class_processes(folder: Path) -> list[str]:
    """Every process started for the class in `folder` (each carries SOLLAB_CLASS_DIR)."""
    marker = f"SOLLAB_CLASS_DIR={folder}".encode()
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit() or int(proc.name) == os.getpid():
            continue
        with contextlib.suppress(OSError):
            if marker in (proc / "environ").read_bytes().split(b"\0"):
                cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode()
                found.append(f"{proc.name} {cmdline.strip()}")
    return found


@contextlib.contextmanager
def running_hub(tmp_path: Path):
    """The Hub from deploy/jupyterhub/ for a class in tmp_path, on free ports. On the way out:
    every server stopped through the API, the Hub stopped with SIGTERM (as Ctrl-C in `make hub`
    would), and whatever is still running listed in ``hub.leftovers`` (then killed)."""
    folder = tmp_path / "class"
    admin_token = secrets.token_hex(16)
    env = {
        "SOLLAB_CLASS_DIR": str(folder),
        "SOLLAB_HUB_INSTRUCTOR": "instructor",
        "SOLLAB_HUB_STUDENTS": ",".join(STUDENTS),
        "SOLLAB_HUB_PORT": str(free_port()),
        "SOLLAB_HUB_INTERNAL_PORT": str(free_port()),
        "SOLLAB_HUB_PROXY_API_PORT": str(free_port()),
        "SOLLAB_HUB_FORMGRADER_PORT": str(free_port()),
        "SOLLAB_HUB_API_TOKEN": admin_token,
        "SOLLAB_HUB_PASSWORD": secrets.token_hex(8),
    }
    room = ClassRoom.from_environ(env)  # a new class folder: the Hub copies solutions/ in
    hub = Hub(room, admin_token, tmp_path / "hub.log", env["SOLLAB_HUB_PASSWORD"])
    with open(hub.log, "wb") as log:
        process = subprocess.Popen(
            [str(BIN / "jupyterhub"), "-f", str(CONFIG)],
            cwd=tmp_path,
            env=os.environ | env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 90
        while not _hub_answers(hub):
            assert process.poll() is None, f"the Hub exited:\n{hub.log_tail()}"
            assert time.monotonic() < deadline, f"the Hub did not answer:\n{hub.log_tail()}"
            time.sleep(0.5)
        yield hub
    finally:
        with contextlib.suppress(OSError):
            for user in room.users:
                hub.api("DELETE", f"/users/{user}/server")
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            hub.leftovers.append(f"{process.pid} the Hub itself")
        time.sleep(0.5)  # let killed children be reaped
        hub.leftovers += class_processes(folder)
        with contextlib.suppress(OSError):
            os.killpg(process.pid, signal.SIGKILL)
        for line in hub.leftovers:
            with contextlib.suppress(OSError, ValueError):
                os.kill(int(line.split()[0]), signal.SIGKILL)


def _hub_answers(hub: Hub) -> bool:
    try:
        return hub.api("GET", "").status == 200
    except OSError:  # not listening yet
        return False


def _start_servers(hub: Hub) -> None:
    # All at once: the Hub answers a start only when the server is up (or after 10 s).
    with ThreadPoolExecutor(len(hub.room.users)) as pool:
        starts = pool.map(lambda user: hub.api("POST", f"/users/{user}/server"), hub.room.users)
        for user, started in zip(hub.room.users, starts, strict=True):
            assert started.status in (201, 202), (user, started, hub.log_tail())
    deadline = time.monotonic() + 180
    while True:
        users = {u["name"]: u for u in hub.api("GET", "/users").json()}
        if all(users[u]["servers"].get("", {}).get("ready") for u in hub.room.users):
            return
        assert time.monotonic() < deadline, f"servers did not start:\n{hub.log_tail()}"
        time.sleep(0.5)


def _log_in(hub: Hub, user: str, password: str) -> str:
    """Log in through the Hub's form: the page it lands on, or the HTTP status it refused with."""
    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    )
    with opener.open(f"{hub.room.url}hub/login", timeout=60) as page:
        xsrf = re.search(r'name="_xsrf" value="([^"]+)"', page.read().decode()).group(1)
    form = urllib.parse.urlencode({"username": user, "password": password, "_xsrf": xsrf})
    try:
        with opener.open(f"{hub.room.url}hub/login", form.encode(), timeout=60) as page:
            return page.url
    except urllib.error.HTTPError as exc:
        return str(exc.code)


def _locked(nb: nbformat.NotebookNode) -> list[str]:
    """The sources of the notebook's locked cells (grade cells among them), in order."""
    return [c.source for c in nb.cells if c.metadata.get("nbgrader", {}).get("locked")]


def _assignment(hub: Hub, user: str, answer: Answer | None = None) -> dict:
    """Lesson 05 as the user's Assignment List shows it (after `answer`, else listed now)."""
    if answer is None:
        answer = hub.as_user(user, "GET", "assignments?course_id=sollab")
    assert answer.status == 200, (user, answer)
    listed = answer.json()
    assert listed["success"], listed["value"]
    mine = [a for a in listed["value"] if a["assignment_id"] == LESSON]
    assert mine, f"{user} does not see {LESSON}: {listed}"
    return mine[-1]


@pytest.mark.slow
def test_a_class_runs_its_loop_through_the_hub(tmp_path):
    """Release lesson 05 -> two students fetch, answer (ada all right, bob one wrong), submit,
    bob validating first (his own kernel runs the checks), all through their servers -> collect ->
    `sollab grade` -> release feedback -> the students fetch it: are the scores right, the
    feedback theirs, the formgrader the instructor's only, and is nothing left running?"""
    with running_hub(tmp_path) as hub:
        room = hub.room
        _start_servers(hub)
        for user in room.users:
            made = hub.api("POST", f"/users/{user}/tokens", {"note": "test", "expires_in": 900})
            assert made.status == 201, made
            hub.tokens[user] = made.json()["token"]

        # Log-in: a class member with the class's password, nobody else.
        landed = _log_in(hub, "ada", hub.password)
        assert landed.startswith(f"{room.url}user/ada/lab"), landed  # her running server
        assert _log_in(hub, "mallory", hub.password) == "403"
        assert _log_in(hub, "bob", "not the password") == "403"

        # Every server runs the lab's kernel by default; students get no grading tools.
        for user in room.users:
            specs = hub.as_user(user, "GET", "api/kernelspecs").json()
            assert specs["default"] == "sollab", (user, specs)
            page = hub.as_user(user, "GET", "lab").body.decode()
            config = json.loads(
                re.search(r'id="jupyter-config-data"[^>]*>(.*?)</script>', page, re.S).group(1)
            )
            disabled = set(config.get("disabledExtensions", []))
            assert "@jupyter/nbgrader:formgrader" in disabled, (user, disabled)
            student_only = {"@jupyter/nbgrader:create-assignment", "@jupyter/nbgrader:course-list"}
            is_student = user != room.instructor
            assert (student_only <= disabled) is is_student, (user, disabled)
            formgrader_here = hub.as_user(user, "GET", "formgrader").status
            assert formgrader_here == 404, (user, formgrader_here)  # only the service has it

        # The instructor releases the real lesson 05 from the course in their home.
        source = room.course / "solutions" / LESSON / f"{LESSON}.ipynb"
        assert source.read_bytes() == (REPO / "solutions" / LESSON / source.name).read_bytes()
        hub.nbgrader(room.instructor, "nbgrader", "generate_assignment", LESSON, "--force")
        hub.nbgrader(room.instructor, "nbgrader", "release_assignment", LESSON)
        assert (room.exchange / "sollab" / "outbound" / LESSON).is_dir()
        answers, expected = _answers(room.course), _expected()
        best = sum(expected["ada"].values())
        assert best == 22 and sum(expected["bob"].values()) == 20  # 2 off: the owner check

        # Each student: fetch, answer, submit, through their own server.
        form = {"course_id": "sollab", "assignment_id": LESSON}
        path = f"{LESSON}/{LESSON}.ipynb"
        for student in STUDENTS:
            assert _assignment(hub, student)["status"] == "released"
            fetched = _assignment(
                hub, student, hub.as_user(student, "POST", "assignments/fetch", form=form)
            )
            assert fetched["status"] == "fetched", fetched
            assert [nb["path"] for nb in fetched["notebooks"]] == [path]
            model = hub.as_user(student, "GET", f"api/contents/{path}").json()
            nb = nbformat.from_dict(model["content"])
            # Only the solution cells change; grade cells are locked, and stay as released.
            locked = _locked(nb)
            solution_cells = {
                c.metadata["nbgrader"]["grade_id"]: c
                for c in nb.cells
                if c.metadata.get("nbgrader", {}).get("solution")
            }
            assert sorted(solution_cells) == sorted(answers[student]), solution_cells.keys()
            for grade_id, body in answers[student].items():
                cell = solution_cells[grade_id]
                assert body.strip() not in cell.source, f"{grade_id} was released solved"
                cell.source = body
            assert _locked(nb) == locked
            saved = hub.as_user(
                student,
                "PUT",
                f"api/contents/{path}",
                body={"type": "notebook", "format": "json", "content": nb},
            )
            assert saved.status == 200, saved
            if student == VALIDATES:
                # Validate runs the whole notebook in his own server, with the sollab kernel
                # (~10 s): only the Counter's grade cell falls short, every other cell runs.
                checked = hub.as_user(student, "POST", "assignments/validate", form={"path": path})
                result = checked.json()
                assert result["success"], result["value"]
                [failed] = result["value"]["failed"]
                assert failed["error"].startswith("Partial credit"), failed
                assert f'lab.grade("{LESSON}/counter", Counter)' in failed["source"], failed
            submitted = hub.as_user(student, "POST", "assignments/submit", form=form).json()
            assert submitted["success"] is not False, submitted.get("value")
            assert (room.home(student) / LESSON / f"{LESSON}.ipynb").exists()
        inbound = sorted(
            p.name.split("+")[0] for p in (room.exchange / "sollab" / "inbound").iterdir()
        )
        assert inbound == sorted(STUDENTS), inbound  # each under their own Hub name

        # The instructor collects, grades with `sollab grade`, returns feedback.
        hub.nbgrader(room.instructor, "nbgrader", "collect", LESSON)
        submitted = room.course / ".sollab" / "course" / "submitted"
        assert sorted(p.name for p in submitted.iterdir()) == sorted(STUDENTS)
        graded = hub.nbgrader(room.instructor, "sollab", "grade", LESSON, str(submitted))
        assert "2 submissions" in graded.stdout, graded.stdout
        with open(room.course / ".sollab" / "course" / "grades" / f"{LESSON}.csv") as f:
            rows = {row["student"]: row for row in csv.DictReader(f)}
        assert sorted(rows) == sorted(STUDENTS), rows
        for student, points in expected.items():
            row = rows[student]
            got = {name: float(row[f"{LESSON}/{name}"]) for name in points}
            assert got == points, (student, row)
            assert (float(row["total"]), float(row["max"])) == (sum(points.values()), best), row
        assert float(rows["bob"]["total"]) < float(rows["ada"]["total"])
        hub.nbgrader(room.instructor, "nbgrader", "release_feedback", LESSON)

        # Each student fetches their feedback through their server, and reads it there.
        full = _exercises()
        for student, points in expected.items():
            answer = hub.as_user(student, "POST", "assignments/fetch_feedback", form=form)
            listed = _assignment(hub, student, answer)
            assert any(s.get("has_local_feedback") for s in listed.get("submissions", [])), listed
            folder = hub.as_user(student, "GET", f"api/contents/{LESSON}/feedback").json()
            [stamp] = [item["path"] for item in folder["content"]]
            html = urllib.parse.quote(f"{stamp}/{LESSON}.html")  # the stamp has spaces
            page = hub.as_user(student, "GET", f"api/contents/{html}").json()["content"]
            for name, got in points.items():
                assert f"{got:g} / {full[name]:g}" in page, (student, name)
            assert "t.expect(" not in page  # the hidden check's report, not its code

        # The formgrader service: the instructor reaches it, a student does not.
        url = f"services/{room.formgrader}/formgrader/manage_assignments"
        page = hub.request("GET", url, hub.tokens[room.instructor])
        assert page.status == 200 and b"Manage Assignments" in page.body, page.status
        for student in STUDENTS:
            assert hub.request("GET", url, hub.tokens[student]).status == 403, student
        courses = hub.as_user(room.instructor, "GET", "formgraders").json()
        assert [c["course_id"] for c in courses["value"]] == [room.course_id], courses
        lab = hub.request("GET", f"services/{room.formgrader}/lab", hub.tokens[room.instructor])
        assert lab.status == 200, lab.status  # the service's own JupyterLab, Formgrader panel

        # Shut-down through the API: every server stops.
        for user in room.users:
            stopped = hub.api("DELETE", f"/users/{user}/server")
            assert stopped.status in (202, 204), (user, stopped)
        deadline = time.monotonic() + 60
        while any(u["servers"] for u in hub.api("GET", "/users").json()):
            assert time.monotonic() < deadline, hub.log_tail()
            time.sleep(0.5)
    assert hub.leftovers == [], f"still running after the Hub stopped: {hub.leftovers}"
