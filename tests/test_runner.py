"""The sandbox's side of grading (``sollab.runner``): the zygote's own pieces, tested outside
a sandbox where that is safe; the whole zygote is driven in tests/test_classgrade.py."""

from __future__ import annotations

import os
import resource
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from sollab import runner, wire


def test_only_a_well_formed_job_is_a_job():
    """Do a late "kill", a partial line or a job with odd limits fail to start a run?"""
    good = {"job": {"cells": [[0, "x = 1"]], "answers": []}, "limits": [["RLIMIT_CPU", 5]]}
    job, limits = runner._job(wire.dumps(good))
    assert job["cells"] == [[0, "x = 1"]] and limits == [(resource.RLIMIT_CPU, 5)]
    for line in (
        b"kill\n",
        b'{"job": {"cells": [[0, "x',
        wire.dumps({"job": {"cells": "x = 1", "answers": []}, "limits": []}),
        wire.dumps({"job": {"cells": [], "answers": []}, "limits": [["setrlimit", 5]]}),
        wire.dumps({"cells": [], "answers": []}),
    ):
        assert runner._job(line) is None, line


def test_control_lines_come_whole_across_reads():
    r, w = os.pipe()
    lines = runner._Lines(r)
    os.write(w, b'{"job": 1')
    lines.fill()
    assert lines.pop() is None
    os.write(w, b"}\nkill\n")
    lines.fill()
    assert lines.pop() == b'{"job": 1}\n' and lines.pop() == b"kill\n" and lines.pop() is None
    os.close(w)
    lines.fill()
    assert lines.eof
    os.close(r)


def test_emptying_a_folder_keeps_only_the_zygotes_folders(tmp_path):
    """Are files, folders made unreadable and symlinks gone (targets untouched), and the
    folders the zygote had at start back, empty, with their modes?"""
    top = tmp_path / "tmp"
    (top / "home" / ".ipython").mkdir(parents=True)
    (top / "home").chmod(0o751)
    keep = runner._snapshot(str(top))
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "precious").write_text("keep me")
    (top / "left.txt").write_text("x")
    (top / "home" / ".ipython" / "startup.py").write_text("x")
    (top / "locked" / "deeper").mkdir(parents=True)
    (top / "locked" / "deeper" / "f").write_text("x")
    (top / "locked").chmod(0)
    (top / "link").symlink_to(outside)
    (top / "home" / "link").symlink_to(outside / "precious")
    runner._empty(str(top), keep)
    found = sorted(str(p.relative_to(top)) for p in top.rglob("*"))
    assert found == ["home", "home/.ipython"]
    assert stat.S_IMODE((top / "home").stat().st_mode) == 0o751
    assert (outside / "precious").read_text() == "keep me"


def test_what_the_zygote_had_comes_back_if_replaced(tmp_path):
    """A folder replaced by a symlink, and a symlink (as /dev/stdout) removed or replaced by a
    file, are as they were at the zygote's start."""
    (tmp_path / "home").mkdir()
    (tmp_path / "stdout").symlink_to("/proc/self/fd/1")
    (tmp_path / "stdin").symlink_to("/proc/self/fd/0")
    keep = runner._snapshot(str(tmp_path))
    (tmp_path / "home").rmdir()
    (tmp_path / "home").symlink_to("/")
    (tmp_path / "stdout").unlink()
    (tmp_path / "stdin").unlink()
    (tmp_path / "stdin").write_text("not a link")
    runner._empty(str(tmp_path), keep)
    assert (tmp_path / "home").is_dir() and not (tmp_path / "home").is_symlink()
    assert os.readlink(tmp_path / "stdout") == "/proc/self/fd/1"
    assert os.readlink(tmp_path / "stdin") == "/proc/self/fd/0"


@pytest.mark.skipif(Path("/proc/1/comm").read_text().strip() == "bwrap", reason="inside bubblewrap")
def test_the_zygote_refuses_to_run_outside_a_sandbox():
    """Its sweep kills every process it can see: outside bubblewrap's PID namespace it must
    not start at all."""
    r, w = os.pipe()
    done = subprocess.run(
        [sys.executable, "-m", "sollab.runner", "--zygote", str(r), str(w)],
        pass_fds=(r, w), capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    os.close(r)
    os.close(w)
    assert done.returncode != 0
    assert "only in bubblewrap's PID namespace" in done.stderr


def test_a_zygote_child_reads_only_its_own_messages():
    """A reply the grader wrote for an earlier run (left in the pipe), or a line that is not a
    message, is not taken for this run's."""
    import io

    me = runner._Runner(channel=None)
    me.session = "b" * 32
    inbox = io.BytesIO(
        wire.dumps({"compiled": "old", "version": "0.8", "session": "a" * 32})
        + b'{"call": "f0:half\n'
        + wire.dumps({"call": "f0:f", "args": [], "session": "b" * 32})
    )
    assert me.receive(inbox) == {"call": "f0:f", "args": [], "session": "b" * 32}
    assert me.receive(inbox) is None


def test_the_zygote_imports_what_it_is_asked_to_and_passes_over_what_fails():
    """A module named for the zygote to import is imported; one that does not exist is left
    for a child to fail on, as the learner's kernel would."""
    code = (
        "import sys; from sollab.runner import _preload; "
        "_preload(['no_such_module_here', 'colorsys']); print('colorsys' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "True"


def test_a_test_called_inside_a_graded_run_runs_inside_one_here_too():
    """The grader calls a learner's test inside ``mutation.graded_run``; the sandbox enters the
    same one around it: its chain anchored, hypothesis's lesson defaults (as ``lab.grade`` in
    the notebook does). Without one, the call runs as it is."""
    from hypothesis import settings

    import sollab

    saver = "0x" + "5a" * 20  # (entering an anchor may mine a block: watch state, not blocks)

    def learners_test():
        chain = sollab.get_chain()
        chain.set_balance(saver, 7)
        return [settings.default.derandomize, settings.default.max_examples, chain.balance(saver)]

    me = runner._Runner(channel=None)
    me.functions["f0:t"] = learners_test
    chain = sollab.get_chain()
    call = {"call": "f0:t", "args": wire.encode([]), "kwargs": wire.encode({})}
    graded = me.call({**call, "graded_run": {"shrink": False}})
    assert graded["event"] == "return", graded
    assert wire.decode(graded["value"]) == [True, 15, 7]
    assert chain.balance(saver) == 0  # undone
    with chain.anchor():
        plain = wire.decode(me.call(call)["value"])
        assert plain[2] == 7 and chain.balance(saver) == 7  # not undone
