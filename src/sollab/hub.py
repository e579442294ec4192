"""A class on one JupyterHub: who is in it, where its folders are, what each server is given.

``deploy/jupyterhub/jupyterhub_config.py`` builds the Hub from a :class:`ClassRoom`; the tests
use the same object to run nbgrader "as" a user (the environment that user's server gets).

The class folder (``$SOLLAB_CLASS_DIR``, else ``.sollab/class/`` in the checkout) holds::

    home/<user>/            each user's home and server root (SimpleLocalProcessSpawner)
    home/<instructor>/course/   the nbgrader course (solutions/, lessons/, .sollab/course/)
    exchange/               nbgrader's exchange, shared by everyone
    hub/                    the Hub's sqlite database, cookie secret, proxy pid file
    password                the shared log-in password when $SOLLAB_HUB_PASSWORD is not set

Everything is configured by environment variables (see :meth:`ClassRoom.from_environ`), so
``make hub`` needs no edited file for a different class or port.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from .errors import LabError
from .paths import lab_root

#: The API-only service whose token ($SOLLAB_HUB_API_TOKEN) manages the class (tests, scripts).
ADMIN_SERVICE = "class-admin"
DEFAULT_PORTS = {"public": 8000, "hub": 8081, "proxy_api": 8001, "formgrader": 8002}
# nbgrader puts a student id into exchange file names as `<id>+<assignment>+<time>`; JupyterHub
# names become URL path parts. Keep to what both take.
_NAME = re.compile(r"[a-z][a-z0-9_.-]{0,31}\Z")


class ClassConfigError(LabError, ValueError):
    """The class's settings (users, ports, folders) are not usable."""


@dataclass(frozen=True)
class ClassRoom:
    folder: Path
    instructor: str
    students: tuple[str, ...]
    course_id: str = "sollab"
    ports: tuple[tuple[str, int], ...] = tuple(DEFAULT_PORTS.items())
    repo: Path = field(default_factory=lab_root)

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] | None = None) -> ClassRoom:
        """The class described by ``SOLLAB_CLASS_DIR``, ``SOLLAB_HUB_INSTRUCTOR`` (default
        ``instructor``), ``SOLLAB_HUB_STUDENTS`` (comma-separated, default ``ada,bob``),
        ``SOLLAB_COURSE_ID`` (default ``sollab``) and the ports ``SOLLAB_HUB_PORT`` (8000, the
        one people open), ``SOLLAB_HUB_INTERNAL_PORT`` (8081), ``SOLLAB_HUB_PROXY_API_PORT``
        (8001) and ``SOLLAB_HUB_FORMGRADER_PORT`` (8002). Raises ClassConfigError."""
        env = os.environ if environ is None else environ
        repo = lab_root()
        folder = Path(env.get("SOLLAB_CLASS_DIR") or repo / ".sollab" / "class").resolve()
        instructor = env.get("SOLLAB_HUB_INSTRUCTOR", "instructor").strip()
        students = tuple(
            s.strip() for s in env.get("SOLLAB_HUB_STUDENTS", "ada,bob").split(",") if s.strip()
        )
        course_id = env.get("SOLLAB_COURSE_ID", "sollab").strip()
        variables = {
            "public": "SOLLAB_HUB_PORT",
            "hub": "SOLLAB_HUB_INTERNAL_PORT",
            "proxy_api": "SOLLAB_HUB_PROXY_API_PORT",
            "formgrader": "SOLLAB_HUB_FORMGRADER_PORT",
        }
        ports = {
            role: _port(variable, env.get(variable), DEFAULT_PORTS[role])
            for role, variable in variables.items()
        }
        room = cls(folder, instructor, students, course_id, tuple(ports.items()), repo)
        room.check()
        return room

    def check(self) -> None:
        for name in (self.instructor, *self.students):
            if not _NAME.match(name):
                raise ClassConfigError(
                    f"user name {name!r} is not usable: use lower-case letters, digits, '_', '.'"
                    " or '-', starting with a letter (set SOLLAB_HUB_INSTRUCTOR/STUDENTS)"
                )
        if not self.students:
            raise ClassConfigError("the class has no students: set SOLLAB_HUB_STUDENTS=ada,bob")
        everyone = [self.instructor, *self.students]
        if len(set(everyone)) != len(everyone):
            raise ClassConfigError(
                f"a name is given twice in instructor {self.instructor!r} and students "
                f"{', '.join(self.students)}: every user needs a name of their own"
            )
        if not _NAME.match(self.course_id):
            raise ClassConfigError(
                f"course id {self.course_id!r} is not usable: use lower-case letters, digits,"
                " '_', '.' or '-' (set SOLLAB_COURSE_ID)"
            )
        used = [port for _, port in self.ports]
        if len(set(used)) != len(used):
            raise ClassConfigError(
                f"two of the hub's ports are the same ({self.port_summary()}): give each its own"
            )

    # --- where things are ---------------------------------------------------------------------
    def port(self, role: str) -> int:
        return dict(self.ports)[role]

    def port_summary(self) -> str:
        return ", ".join(f"{role} {port}" for role, port in self.ports)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port('public')}/"

    @property
    def users(self) -> tuple[str, ...]:
        return (self.instructor, *self.students)

    def home(self, user: str) -> Path:
        return self.folder / "home" / user

    @property
    def course(self) -> Path:
        """The nbgrader course: in the instructor's home, so it is theirs to edit."""
        return self.home(self.instructor) / "course"

    @property
    def exchange(self) -> Path:
        return self.folder / "exchange"

    @property
    def hub_state(self) -> Path:
        """The Hub's own files: database, cookie secret, the proxy's pid file."""
        return self.folder / "hub"

    @property
    def deploy(self) -> Path:
        return self.repo / "deploy" / "jupyterhub"

    @property
    def formgrader(self) -> str:
        """The name of the Hub service that runs the course's formgrader (at /services/<name>/):
        the course id, which is where nbgrader's course list looks for it."""
        return self.course_id

    def role(self, user: str) -> str:
        return "instructor" if user == self.instructor else "student"

    # --- what each server gets ----------------------------------------------------------------
    def environment(self, user: str) -> dict[str, str]:
        """The variables a user's server (and anything it runs) is given. Students read only
        their role's config; the instructor's role config sits in front of the lab's own
        jupyter_config.py (the course), so the course is the one `make lab` uses."""
        role = self.role(user)
        config_path = [self.deploy / role] + ([self.repo] if role == "instructor" else [])
        return self._common() | {
            "HOME": str(self.home(user)),  # as SimpleLocalProcessSpawner sets it
            "JUPYTER_CONFIG_PATH": os.pathsep.join(map(str, config_path)),
            "SOLLAB_HOME": str(self.home(user) / ".sollab"),
            "SOLLAB_PROGRESS": str(self.home(user) / ".sollab" / "progress.json"),
        }

    def grader_environment(self) -> dict[str, str]:
        """The formgrader service's variables: the course's config with the grader role's."""
        config_path = [self.deploy / "grader", self.repo]
        return self._common() | {
            "HOME": str(self.hub_state / "grader"),  # its Jupyter runtime files, not ~'s
            "JUPYTER_CONFIG_PATH": os.pathsep.join(map(str, config_path)),
            "SOLLAB_HOME": str(self.hub_state / "grader" / ".sollab"),
        }

    def _common(self) -> dict[str, str]:
        bin_dir = Path(sys.executable).parent  # nbgrader runs `alembic` from PATH
        return {
            "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '/usr/bin:/bin')}",
            "SOLLAB_ROOT": str(self.repo),
            "SOLLAB_COURSE_ROOT": str(self.course),
            "SOLLAB_COURSE_ID": self.course_id,
            "SOLLAB_EXCHANGE": str(self.exchange),
            # marks every process of this class (a test checks none is left after shut-down)
            "SOLLAB_CLASS_DIR": str(self.folder),
        }

    # --- on disk ------------------------------------------------------------------------------
    def prepare(self) -> None:
        """Create the class folder: homes, the shared exchange, the Hub's folder, and the
        instructor's course (a copy of this checkout's solutions/ the first time)."""
        for user in self.users:
            self.home(user).mkdir(parents=True, exist_ok=True)
        self.exchange.mkdir(parents=True, exist_ok=True)
        self.hub_state.mkdir(parents=True, exist_ok=True)
        self.hub_state.chmod(0o700)  # the cookie secret and the database
        solutions = self.course / "solutions"
        if not solutions.exists():
            shutil.copytree(self.repo / "solutions", solutions)

    def password(self, environ: Mapping[str, str] | None = None) -> str:
        """The shared log-in password: ``$SOLLAB_HUB_PASSWORD``, else one made up on the first
        start and kept in ``<class>/password`` (readable by its owner only)."""
        env = os.environ if environ is None else environ
        if given := env.get("SOLLAB_HUB_PASSWORD"):
            if len(given) < 8:
                raise ClassConfigError("SOLLAB_HUB_PASSWORD must be 8 characters or longer")
            return given
        kept = self.folder / "password"
        if not kept.exists():
            kept.touch(mode=0o600)
            kept.write_text(secrets.token_urlsafe(9) + "\n")
        return kept.read_text().strip()


def _port(variable: str, value: str | None, default: int) -> int:
    if value is None or not value.strip():
        return default
    try:
        port = int(value)
    except ValueError:
        port = -1
    if not 1 <= port <= 65535:
        raise ClassConfigError(f"{variable}={value!r} is not a port: give a number 1-65535")
    return port
