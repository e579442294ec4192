"""The set-up itself: idempotent make targets, CI wiring, and `make lab` answering on its port."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from sollab.doctor import REQUIRED_PACKAGES

REPO = Path(__file__).resolve().parent.parent


def test_ci_runs_exactly_make_test():
    commands = [
        line
        for line in (REPO / ".ci" / "run").read_text().splitlines()
        if line.strip() and not line.startswith("#") and not line.startswith("set ")
    ]
    assert commands[-1] == "exec make test"


def test_readme_leads_with_the_two_commands():
    text = (REPO / "README.md").read_text()
    first_block = text.split("```sh", 1)[1].split("```", 1)[0]
    assert [line.split("#")[0].strip() for line in first_block.strip().splitlines()] == [
        "make lab",
        "make test",
    ]


def test_a_second_setup_has_nothing_to_do():
    """Are the install steps up to date after set-up (so a re-run does nothing slow)?"""
    stamps = [
        ".venv/.sollab-installed",
        "node_modules/.sollab-installed",
        ".venv/share/jupyter/kernels/sollab/kernel.json",
    ]
    result = subprocess.run(["make", "--question", *stamps], cwd=REPO)
    assert result.returncode == 0


def test_dependencies_are_pinned():
    lock = (REPO / "requirements.lock").read_text()
    for package in REQUIRED_PACKAGES:
        assert f"\n{package}==" in lock
    assert "--hash=sha256:" in lock
    npm_lock = json.loads((REPO / "package-lock.json").read_text())
    packages = npm_lock["packages"]
    assert packages["node_modules/solc"]["version"] == "0.8.37"
    assert packages["node_modules/solc-0.7.6"]["version"] == "0.7.6"
    assert packages["node_modules/@openzeppelin/contracts"]["version"].startswith("5.")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
@pytest.mark.xdist_group("make-lab")  # as test_browser_lab: `make lab` on the repository's course
def test_make_lab_starts_jupyterlab_that_answers_on_its_port(tmp_path):
    port = _free_port()
    env = dict(os.environ, JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"))
    proc = subprocess.Popen(
        [
            "make",
            "lab",
            f"LAB_PORT={port}",
            "LAB_ARGS=--no-browser --ServerApp.token=test-token --ServerApp.ip=127.0.0.1",
        ],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 90
        status = None
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                url = f"http://127.0.0.1:{port}/api/contents?token=test-token"
                with urllib.request.urlopen(url, timeout=2) as response:
                    status = json.load(response)
                    break
            except OSError:
                time.sleep(0.5)
        assert status is not None, "JupyterLab did not answer"
        assert "README.md" in [item["name"] for item in status["content"]]  # it serves lessons/
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/lab?token=test-token") as page:
            assert page.status == 200
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


def test_every_locked_package_runs_on_python_3_11_0():
    """`make setup` promises any Python 3.11+: does every installed (locked) package accept
    3.11.0, the oldest (Debian 12 ships 3.11.2)? New bounds go in requirements.constraints."""
    from importlib import metadata

    from packaging.specifiers import SpecifierSet

    too_new = [
        f"{dist.metadata['Name']} {dist.version} needs Python {spec}"
        for dist in metadata.distributions()
        if (spec := dist.metadata.get("Requires-Python")) and "3.11.0" not in SpecifierSet(spec)
    ]
    assert too_new == []
