"""sollab.hub: a class's settings read from the environment, its folders, what each server is
given, and one-line errors for settings that cannot work (test_jupyterhub runs the real Hub)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from sollab.hub import ClassConfigError, ClassRoom

REPO = Path(__file__).resolve().parent.parent
CONFIG = REPO / "deploy" / "jupyterhub" / "jupyterhub_config.py"


def test_the_default_class_is_an_instructor_and_two_students_in_the_checkout():
    room = ClassRoom.from_environ({})
    assert room.users == ("instructor", "ada", "bob")
    assert room.folder == REPO / ".sollab" / "class"  # ignored by git
    assert room.url == "http://127.0.0.1:8000/"
    assert room.course == room.folder / "home" / "instructor" / "course"
    assert room.formgrader == "sollab"  # the service nbgrader's course list looks for


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"SOLLAB_HUB_PORT": "80a"}, "SOLLAB_HUB_PORT='80a' is not a port"),
        ({"SOLLAB_HUB_FORMGRADER_PORT": "70000"}, "is not a port: give a number 1-65535"),
        ({"SOLLAB_HUB_INTERNAL_PORT": "8000"}, "two of the hub's ports are the same"),
        ({"SOLLAB_HUB_STUDENTS": "ada,Bob+1"}, "user name 'Bob+1' is not usable"),
        ({"SOLLAB_HUB_STUDENTS": " , "}, "the class has no students"),
        ({"SOLLAB_HUB_STUDENTS": "ada,instructor"}, "a name is given twice"),
        ({"SOLLAB_COURSE_ID": "my course"}, "course id 'my course' is not usable"),
    ],
)
def test_settings_that_cannot_work_say_what_to_change(env, message):
    with pytest.raises(ClassConfigError, match=re.escape(message)):
        ClassRoom.from_environ(env)


def test_students_see_their_role_config_and_the_instructor_the_course(tmp_path):
    """A student's server reads deploy/jupyterhub/student/ only (not the course's
    jupyter_config.py, which points at the solutions); the instructor's reads the course's."""
    room = ClassRoom.from_environ({"SOLLAB_CLASS_DIR": str(tmp_path)})
    student = room.environment("ada")
    assert student["JUPYTER_CONFIG_PATH"] == str(REPO / "deploy" / "jupyterhub" / "student")
    assert student["HOME"] == str(tmp_path / "home" / "ada")
    instructor = room.environment("instructor")
    assert instructor["JUPYTER_CONFIG_PATH"].split(os.pathsep) == [
        str(REPO / "deploy" / "jupyterhub" / "instructor"),
        str(REPO),
    ]
    for env in (student, instructor, room.grader_environment()):
        assert env["SOLLAB_EXCHANGE"] == str(tmp_path / "exchange")
        assert env["SOLLAB_COURSE_ROOT"] == str(room.course)
        assert env["SOLLAB_CLASS_DIR"] == str(tmp_path)


def test_prepare_seeds_the_course_once_and_keeps_a_password(tmp_path):
    room = ClassRoom.from_environ({"SOLLAB_CLASS_DIR": str(tmp_path)})
    room.prepare()
    lesson = room.course / "solutions" / "05-solidity-basics" / "05-solidity-basics.ipynb"
    assert lesson.read_bytes() == (REPO / lesson.relative_to(room.course)).read_bytes()
    lesson.write_text("{}")  # the instructor's edit survives the next start
    room.prepare()
    assert lesson.read_text() == "{}"
    assert all(room.home(user).is_dir() for user in room.users)
    password = room.password({})
    assert len(password) >= 8 and room.password({}) == password
    assert (tmp_path / "password").stat().st_mode & 0o077 == 0
    with pytest.raises(ClassConfigError, match="8 characters or longer"):
        room.password({"SOLLAB_HUB_PASSWORD": "short"})


def test_the_hub_config_turns_a_bad_setting_into_one_line(tmp_path):
    """Does `jupyterhub -f jupyterhub_config.py` with a bad port stop with one `Error:` line
    and no traceback?"""
    done = subprocess.run(
        [str(Path(sys.executable).parent / "jupyterhub"), "-f", str(CONFIG)],
        cwd=tmp_path,
        env=os.environ | {"SOLLAB_CLASS_DIR": str(tmp_path), "SOLLAB_HUB_PORT": "eighty"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode != 0
    assert "Error: SOLLAB_HUB_PORT='eighty' is not a port" in done.stderr
    assert "Traceback" not in done.stderr + done.stdout


def test_the_hub_and_its_proxy_are_pinned():
    lock = (REPO / "requirements.lock").read_text()
    assert "\njupyterhub==6.1.1 \\\n    --hash=sha256:" in lock
    npm_lock = json.loads((REPO / "deploy" / "jupyterhub" / "package-lock.json").read_text())
    proxy = npm_lock["packages"]["node_modules/configurable-http-proxy"]
    assert proxy["version"] == "5.3.0" and proxy["integrity"].startswith("sha512-")
