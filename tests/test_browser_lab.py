"""The lab as a learner uses it, in a real browser: `make lab` (as the README says, on a free
port with a token), headless Debian Chromium driven by playwright-core (tests/js/lab.mjs) opens
lessons/05-solidity-basics, runs every cell from the Run menu, and the page shows a `%%solidity`
cell's compiled-contract view, the deliberately broken cell's error with its line and a caret,
and a trace widget that steps; then nbgrader's Assignment List and Formgrader load from the
Nbgrader menu and list the course's lessons.

Screenshots are saved to ``$SOLLAB_ARTIFACTS/browser/`` (default ``.sollab/artifacts/browser/``):
lesson.png, compiled-contract.png, compile-error.png, trace-before.png, trace-after.png,
assignment-list.png, formgrader.png.

Lesson 05 is first released (`nbgrader release_assignment`) into the course's exchange under a
course id of the test's own (SOLLAB_COURSE_ID), so the Assignment List has something to list;
that folder is removed afterwards. The course root stays the repository: nbgrader's formgrader
refuses a course root that is not the server root's parent or below it. Autosave is off (a
temporary JUPYTERLAB_SETTINGS_DIR, which also turns the "news" question off), so the cells
never write outputs into the lesson (checked: it is restored and the test fails if it changed).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import nbformat
import pytest

from test_nbgrader import course_env

REPO = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
LESSON = "05-solidity-basics"
TOKEN = "browser-test-token"
COMPILED, BROKEN, TRACE = "e7a479c8", "b4ee4e57", "6a747464"  # cell ids in the lesson


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _settings(folder: Path) -> None:
    """JupyterLab user settings for the test: no autosave (the lesson file stays as committed),
    no "news" question (its pop-up covers part of the page)."""
    for plugin, values in {
        "docmanager-extension/plugin": {"autosave": False},
        "apputils-extension/notification": {"fetchNews": "false", "checkForUpdates": False},
    }.items():
        path = folder / "@jupyterlab" / f"{plugin}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))


def _release_lesson(env: dict[str, str]) -> None:
    """`nbgrader release_assignment` of LESSON into the course's exchange, under the test's own
    course id (the Assignment List lists what is released there)."""
    done = subprocess.run(
        [str(REPO / ".venv" / "bin" / "nbgrader"), "release_assignment", LESSON, "--force"],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]


def _processes_using(folder: Path) -> list[int]:
    """Processes whose command line names ``folder`` (the kernels the lab started)."""
    pids = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            except OSError:
                continue
            if str(folder) in cmdline:
                pids.append(int(proc.name))
    return pids


def _wait_for_lab(proc: subprocess.Popen, port: int) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            url = f"http://127.0.0.1:{port}/api/status?token={TOKEN}"
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.5)
    pytest.fail(f"`make lab` did not answer on port {port} (exit code {proc.poll()})")


def _stop(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=20)
    except ProcessLookupError:
        pass
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)


def _drive_the_lab(env: dict[str, str], tmp_path: Path, shots: Path, cells: list[str]):
    """`make lab` on a free port, tests/js/lab.mjs against it; the lab, its kernels and the
    browser are stopped whatever happens. Returns (the browser process, its stdout, stderr)."""
    from sollab.node import find_node

    runtime = Path(env["JUPYTER_RUNTIME_DIR"])
    port = _free_port()
    with (tmp_path / "lab.log").open("w") as log:
        lab = subprocess.Popen(
            ["make", "lab", f"LAB_PORT={port}",
             f"LAB_ARGS=--no-browser --ServerApp.token={TOKEN} --ServerApp.ip=127.0.0.1"],
            cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    browser = None
    try:
        _wait_for_lab(lab, port)
        browser = subprocess.Popen(
            [find_node().executable, str(REPO / "tests" / "js" / "lab.mjs"),
             f"http://127.0.0.1:{port}", TOKEN, f"{LESSON}/{LESSON}.ipynb",
             str(tmp_path / "profile"), str(shots), *cells],
            cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            env={**os.environ, "NODE_NO_WARNINGS": "1", "CHROMIUM": CHROMIUM},
            start_new_session=True,
        )  # fmt: skip
        stdout, stderr = browser.communicate(timeout=240)
    finally:
        if browser is not None and browser.poll() is None:
            os.killpg(browser.pid, signal.SIGKILL)  # node and its Chromium
            browser.wait(timeout=10)
        _stop(lab)
        deadline = time.monotonic() + 15  # the lab shuts its kernels down as it stops
        while _processes_using(runtime) and time.monotonic() < deadline:
            time.sleep(0.25)
        for pid in _processes_using(runtime):  # a kernel the lab did not shut down
            os.kill(pid, signal.SIGKILL)
    return browser, stdout, stderr


@pytest.mark.slow
@pytest.mark.xdist_group("make-lab")  # as test_setup: `make lab` on the repository's course
def test_a_learner_runs_lesson_05_and_opens_nbgrader_in_the_browser(tmp_path):
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (`make setup` as root)")
    if not (REPO / "node_modules" / "playwright-core").is_dir():
        pytest.fail("playwright-core is not installed: run `make setup` (npm ci)")
    shots = Path(os.environ.get("SOLLAB_ARTIFACTS", REPO / ".sollab" / "artifacts")) / "browser"
    shutil.rmtree(shots, ignore_errors=True)
    shots.mkdir(parents=True)
    lesson_file = REPO / "lessons" / LESSON / f"{LESSON}.ipynb"
    committed = lesson_file.read_bytes()
    ids = [cell.id for cell in nbformat.reads(committed.decode(), as_version=4).cells]
    runtime, settings = tmp_path / "runtime", tmp_path / "settings"
    _settings(settings)
    course_id = f"sollab-browser-test-{os.getpid()}"
    exchange = REPO / ".sollab" / "course" / "exchange" / course_id
    env = dict(
        course_env(REPO),
        SOLLAB_COURSE_ID=course_id,
        JUPYTER_RUNTIME_DIR=str(runtime),
        JUPYTERLAB_SETTINGS_DIR=str(settings),
        JUPYTERLAB_WORKSPACES_DIR=str(tmp_path / "workspaces"),
    )
    del env["JUPYTER_CONFIG_PATH"], env["SOLLAB_COURSE_ROOT"]  # `make lab` sets them itself
    try:
        _release_lesson(course_env(REPO) | {"SOLLAB_COURSE_ID": course_id})
        browser, stdout, stderr = _drive_the_lab(
            env, tmp_path, shots, [str(ids.index(i)) for i in (COMPILED, BROKEN, TRACE)]
        )
    finally:
        shutil.rmtree(exchange, ignore_errors=True)
        if lesson_file.read_bytes() != committed:
            lesson_file.write_bytes(committed)
            pytest.fail(f"the lab wrote into {lesson_file} (restored): autosave should be off")
    (shots / "seen.json").write_text(stdout)
    seen = json.loads(stdout.strip().splitlines()[-1]) if stdout.strip() else {}
    lab_log = (tmp_path / "lab.log").read_text()[-3000:]
    assert browser.returncode == 0 and "error" not in seen, (seen, stderr[-3000:], lab_log)
    cells = seen["cells"]
    assert len(cells) == len(ids)
    assert seen["kernel"].startswith("Solidity lab")  # the course's kernel, started by the lab
    assert seen["toasts"] == []  # nothing pops up over the notebook

    # Run All went through to the end, stopping only at the exercises left to do.
    lesson = nbformat.reads(committed.decode(), as_version=4)
    stubs = [i for i, c in enumerate(lesson.cells) if "// YOUR CODE HERE" in c.source]
    assert [stop["cell"] for stop in seen["stops"]] == stubs
    assert all("not done yet" in stop["text"] for stop in seen["stops"]), seen["stops"]
    code = [i for i, c in enumerate(lesson.cells) if c.cell_type == "code"]
    assert all(re.fullmatch(r"\[\d+\]:", cells[i]["prompt"]) for i in code), [
        (i, cells[i]["prompt"]) for i in code
    ]

    # A %%solidity cell's compiled-contract view.
    compiled = cells[ids.index(COMPILED)]
    assert compiled["panel"] and compiled["errors"] == []
    assert re.match(
        r"Compiled with solc 0\.8\.\d+; bound Box \(deploy with Box\.deploy", compiled["ok"][0]
    )

    # The broken cell (tagged raises-exception): the error, its line and a caret under the spot.
    broken = cells[ids.index(BROKEN)]
    source_lines = lesson.cells[ids.index(BROKEN)].source.splitlines()
    assert broken["errors"][:2] == ["1 compile error", "ParserError: Expected ';' but got '}'"]
    where = re.search(r"at (\S+\.sol):(\d+):(\d+)", broken["text"])
    assert where, broken["text"]
    line, column = int(where[2]), int(where[3])
    assert source_lines[line - 1].strip() == "}"  # the cell's own line numbers
    shown, caret = broken["pre"][0].splitlines()
    assert shown == f"{line:>5} | {source_lines[line - 1]}"
    assert caret.index("^") == len(f"{line:>5} | ") + column - 1 and caret.strip("| ^") == ""
    assert "CellFailed" in broken["stderr"] and "Traceback" not in broken["stderr"]

    # The trace widget renders and its step button steps.
    trace = seen["trace"]
    assert cells[ids.index(TRACE)]["widget"]
    assert trace["buttons"] == ["◀ step", "step ▶"]
    assert (trace["before"], trace["after"]) == ("0", "1")
    assert trace["headBefore"].startswith("step 0: pc 0 ") and trace["headAfter"].startswith(
        "step 1: pc "
    )

    # nbgrader: the learner's Assignment List and the instructor's Formgrader.
    assert LESSON in seen["assignmentList"], seen["assignmentList"]
    assert "error" not in seen["assignmentList"].lower(), seen["assignmentList"]
    assert "Manage Assignments" in [h.strip() for h in seen["formgrader"]["headings"]]
    assert seen["formgrader"]["warnings"] == []  # e.g. no "exchange directory does not exist"
    listed = {row.split("\t")[0].strip(): row.split("\t")[2] for row in seen["formgrader"]["rows"]}
    lessons = sorted(p.parent.name for p in (REPO / "solutions").glob("*/*.ipynb"))
    assert sorted(name for name in listed if name in lessons) == lessons, listed
    assert listed[LESSON] == "released"

    assert seen["console"] == []
    assert seen["offsite"] == []  # nothing fetched from the internet
    for name in ("lesson", "compiled-contract", "compile-error", "trace-before", "trace-after",
                 "assignment-list", "formgrader"):  # fmt: skip
        assert (shots / f"{name}.png").stat().st_size > 5_000, name
