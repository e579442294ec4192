"""A class on JupyterHub (deploy/jupyterhub/): the Hub comes up on 127.0.0.1 with an instructor
and two students, and the course's whole loop runs through it. The students work only through
their own servers behind the Hub's proxy (nbgrader's Assignment List handlers, the contents
API), the instructor's nbgrader commands run with the environment the instructor's server gets;
the scores, the feedback, who reaches the formgrader, and that nothing is left running after."""

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
from sollab.hub import ClassRoom
from test_classgrade import GOOD, PARTIAL
from test_nbgrader import LESSON, source_notebook

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
CONFIG = REPO / "deploy" / "jupyterhub" / "jupyterhub_config.py"
ANSWERS = {"ada": (GOOD, 6.0), "bob": (PARTIAL, 4.0)}  # one right, one wrong (2 points off)


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
        "SOLLAB_HUB_STUDENTS": ",".join(ANSWERS),
        "SOLLAB_HUB_PORT": str(free_port()),
        "SOLLAB_HUB_INTERNAL_PORT": str(free_port()),
        "SOLLAB_HUB_PROXY_API_PORT": str(free_port()),
        "SOLLAB_HUB_FORMGRADER_PORT": str(free_port()),
        "SOLLAB_HUB_API_TOKEN": admin_token,
        "SOLLAB_HUB_PASSWORD": secrets.token_hex(8),
    }
    room = ClassRoom.from_environ(env)
    # The instructor's lesson 05, in place before the first start (so it is not seeded).
    source = room.course / "solutions" / LESSON
    source.mkdir(parents=True)
    nbformat.write(source_notebook(), source / f"{LESSON}.ipynb")

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
        while not _answers(hub):
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


def _answers(hub: Hub) -> bool:
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
    """Release -> two students fetch, edit, validate (their own kernel runs the checks),
    submit, all through their servers -> collect ->
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

        # The instructor releases lesson 05 from the course in their home.
        hub.nbgrader(room.instructor, "nbgrader", "generate_assignment", LESSON, "--force")
        hub.nbgrader(room.instructor, "nbgrader", "release_assignment", LESSON)
        assert (room.exchange / "sollab" / "outbound" / LESSON).is_dir()

        # Each student: fetch, answer, submit, through their own server.
        for student, (body, score) in ANSWERS.items():
            assert _assignment(hub, student)["status"] == "released"
            form = {"course_id": "sollab", "assignment_id": LESSON}
            fetched = _assignment(
                hub, student, hub.as_user(student, "POST", "assignments/fetch", form=form)
            )
            assert fetched["status"] == "fetched", fetched
            path = f"{LESSON}/{LESSON}.ipynb"
            assert [nb["path"] for nb in fetched["notebooks"]] == [path]
            model = hub.as_user(student, "GET", f"api/contents/{path}").json()
            nb = nbformat.from_dict(model["content"])
            solution = next(c for c in nb.cells if "// YOUR CODE HERE" in c.source)
            solution.source = solution.source.replace("// YOUR CODE HERE", body)
            saved = hub.as_user(
                student,
                "PUT",
                f"api/contents/{path}",
                body={"type": "notebook", "format": "json", "content": nb},
            )
            assert saved.status == 200, saved
            # Validate runs the notebook in the student's own server, with the sollab kernel.
            checked = hub.as_user(student, "POST", "assignments/validate", form={"path": path})
            result = checked.json()
            assert result["success"], result["value"]
            if score == 6:
                assert result["value"] == {}, result  # nothing failed
            else:
                [failed] = result["value"]["failed"]
                assert failed["error"].startswith("Partial credit"), failed
            submitted = hub.as_user(student, "POST", "assignments/submit", form=form).json()
            assert submitted["success"] is not False, submitted.get("value")
            assert (room.home(student) / LESSON / f"{LESSON}.ipynb").exists()
        inbound = sorted(
            p.name.split("+")[0] for p in (room.exchange / "sollab" / "inbound").iterdir()
        )
        assert inbound == sorted(ANSWERS), inbound  # each under their own Hub name

        # The instructor collects, grades with `sollab grade`, returns feedback.
        hub.nbgrader(room.instructor, "nbgrader", "collect", LESSON)
        submitted = room.course / ".sollab" / "course" / "submitted"
        assert sorted(p.name for p in submitted.iterdir()) == sorted(ANSWERS)
        graded = hub.nbgrader(room.instructor, "sollab", "grade", LESSON, str(submitted))
        assert "2 submissions" in graded.stdout, graded.stdout
        with open(room.course / ".sollab" / "course" / "grades" / f"{LESSON}.csv") as f:
            scores = {row["student"]: float(row["total"]) for row in csv.DictReader(f)}
        assert scores == {student: score for student, (_, score) in ANSWERS.items()}
        hub.nbgrader(room.instructor, "nbgrader", "release_feedback", LESSON)

        # Each student fetches their feedback through their server, and reads it there.
        for student, (_, score) in ANSWERS.items():
            form = {"course_id": "sollab", "assignment_id": LESSON}
            answer = hub.as_user(student, "POST", "assignments/fetch_feedback", form=form)
            listed = _assignment(hub, student, answer)
            assert any(s.get("has_local_feedback") for s in listed.get("submissions", [])), listed
            folder = hub.as_user(student, "GET", f"api/contents/{LESSON}/feedback").json()
            [stamp] = [item["path"] for item in folder["content"]]
            html = urllib.parse.quote(f"{stamp}/{LESSON}.html")  # the stamp has spaces
            page = hub.as_user(student, "GET", f"api/contents/{html}").json()
            assert f"{score:g} / 6" in page["content"], student
            assert "t.expect(" not in page["content"]  # the hidden check's report, not its code

        # The formgrader service: the instructor reaches it, a student does not.
        url = f"services/{room.formgrader}/formgrader/manage_assignments"
        page = hub.request("GET", url, hub.tokens[room.instructor])
        assert page.status == 200 and b"Manage Assignments" in page.body, page.status
        for student in ANSWERS:
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
