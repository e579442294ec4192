"""What can be checked offline of the Kubernetes path (no cluster or Docker engine runs here):
the grading Job's manifests parse, its pods' commands are real `sollab grade` commands whose
shards cover the class exactly once, and the image is set up by `make setup` alone."""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess
from pathlib import Path

import pytest
import yaml

from sollab.classgrade import Shard
from sollab.cli import grade_class_command, grade_merge_command

REPO = Path(__file__).resolve().parent.parent
MANIFEST = REPO / "deploy" / "kubernetes" / "grade-job.yaml"


@pytest.fixture(scope="module")
def jobs() -> dict[str, dict]:
    documents = [d for d in yaml.safe_load_all(MANIFEST.read_text()) if d]
    assert all(d["apiVersion"] == "batch/v1" and d["kind"] == "Job" for d in documents)
    return {d["metadata"]["labels"]["step"]: d for d in documents}


def _argv(job: dict, tmp_path: Path, index: int | None = None) -> list[str]:
    """The arguments the pod's shell passes to `sollab`, with a stand-in `sollab` that prints
    them (the pod's environment: its env entries and the completion index Kubernetes sets)."""
    (container,) = job["spec"]["template"]["spec"]["containers"]
    fake = tmp_path / "sollab"
    fake.write_text("#!/usr/bin/env python3\nimport json, sys\nprint(json.dumps(sys.argv[1:]))\n")
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    env = {e["name"]: e["value"] for e in container.get("env", [])}
    if index is not None:
        env["JOB_COMPLETION_INDEX"] = str(index)
    env["PATH"] = f"{tmp_path}{os.pathsep}{os.environ['PATH']}"
    done = subprocess.run(
        [*container["command"], *container["args"]], env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def _options(command) -> set[str]:
    return {opt for param in command.params for opt in param.opts if opt.startswith("-")}


def test_the_indexed_job_grades_every_shard_once(jobs, tmp_path):
    """Is each pod's command `sollab grade LESSON ... --shard I/N` with options the command
    has, N equal to the Job's completions, and the pods' shards 1..N, each once?"""
    spec = jobs["grade"]["spec"]
    assert spec["completionMode"] == "Indexed"
    count = spec["completions"]
    assert spec["parallelism"] <= count
    shards = []
    for index in range(count):
        argv = _argv(jobs["grade"], tmp_path, index)
        assert argv[0] == "grade" and (REPO / "solutions" / argv[1]).is_dir(), argv
        assert {a for a in argv if a.startswith("-")} <= _options(grade_class_command)
        shard = Shard.parse(argv[argv.index("--shard") + 1])
        assert shard.count == count
        shards.append(shard.index)
    assert shards == list(range(1, count + 1))


def test_the_merge_job_merges_what_the_shards_graded(jobs, tmp_path):
    """Does the merge pod run `sollab grade merge` on the same lesson, submissions and course
    folder as the shards?"""
    shard = _argv(jobs["grade"], tmp_path, 0)
    merge = _argv(jobs["merge"], tmp_path)
    assert merge[:2] == ["grade", "merge"]
    assert {a for a in merge if a.startswith("-")} <= _options(grade_merge_command)
    assert merge[2:4] == shard[1:3]  # lesson, submissions
    assert merge[merge.index("--course") + 1] == shard[shard.index("--course") + 1]
    volumes = [j["spec"]["template"]["spec"]["volumes"] for j in jobs.values()]
    assert volumes[0] == volumes[1]  # one course folder, shared


def test_the_image_is_set_up_by_make_setup_alone():
    """Does the Dockerfile start from Python 3.11+ and install the lab only through
    `make setup` (so CI's `make test`, which runs it too, proves the image's set-up)?"""
    text = (REPO / "Dockerfile").read_text()
    base = re.search(r"^FROM python:3\.(\d+)", text, re.M)
    assert base and int(base[1]) >= 11
    runs = " ".join(re.findall(r"^RUN (.+(?:\\\n.+)*)", text, re.M))
    assert "make setup" in runs
    assert not re.search(r"\b(pip3?|npm) (install|ci)\b|\bnpx\b", runs), "set up by make only"
    ignored = (REPO / ".dockerignore").read_text().split()
    assert {".venv", "**/node_modules", ".sollab"} <= set(ignored)  # built anew by make setup
