"""A class on one machine: JupyterHub with one instructor, their students, and the lab.

Start it with `make hub` (see README.md beside this file). Who is in the class, the ports and
the class folder come from environment variables, read by sollab.hub.ClassRoom:

    SOLLAB_HUB_INSTRUCTOR=instructor  SOLLAB_HUB_STUDENTS=ada,bob  SOLLAB_COURSE_ID=sollab
    SOLLAB_CLASS_DIR=<checkout>/.sollab/class   SOLLAB_HUB_PASSWORD=<8+ characters>
    SOLLAB_HUB_PORT=8000 (the one people open)  SOLLAB_HUB_INTERNAL_PORT=8081
    SOLLAB_HUB_PROXY_API_PORT=8001  SOLLAB_HUB_FORMGRADER_PORT=8002
    SOLLAB_HUB_API_TOKEN=<token>  (optional: an API token that may manage users and servers)

What it sets up:
- log-in: JupyterHub's SharedPasswordAuthenticator, one password for the whole class, and only
  the class's user names. It is for a trial run or a workshop on a trusted machine: anyone with
  the password can log in as any student. For a real class swap in a real authenticator (see
  README.md: PAM for system users, or an OAuth one) and keep `allowed_users` and the roles;
- servers: SimpleLocalProcessSpawner, so no root and no system users are needed: every user's
  server runs as the OS user that started the Hub, in a home of its own under the class folder.
  It keeps users apart by folder only, not by permissions; LocalProcessSpawner with real
  system users is the alternative (README.md);
- every server runs JupyterLab from this checkout's .venv with the `sollab` kernel as default;
  students get nbgrader's Assignment List, the instructor the course (in their home) and the
  course list; see student/, instructor/ and grader/ beside this file;
- the formgrader: a shared server run as a Hub service named after the course; the instructor's
  role grants access to it, a student's does not;
- everything listens on 127.0.0.1 only; the Hub's database, cookie secret and the proxy's pid
  file are in the class folder, never in the checkout's tracked files.
"""

import os
import signal
import sys
from pathlib import Path

from sollab.errors import LabError
from sollab.hub import ADMIN_SERVICE, ClassRoom
from sollab.node import find_node

c = get_config()  # noqa: F821 (provided by JupyterHub when it loads this file)
HERE = Path(__file__).resolve().parent

try:
    room = ClassRoom.from_environ()
    room.prepare()
    password = room.password()
    node = find_node(min_major=20).executable  # configurable-http-proxy 5.3 needs Node 20+
except LabError as exc:
    raise SystemExit(f"Error: {exc}") from None
proxy = HERE / "node_modules" / "configurable-http-proxy" / "bin" / "configurable-http-proxy"
if not proxy.exists():
    raise SystemExit(
        f"Error: the HTTP proxy is not installed ({proxy} is missing): run `make hub`, which "
        "installs it from deploy/jupyterhub/package-lock.json"
    )
bin_dir = Path(sys.executable).parent
# Started in the background by a script (`make hub &`, nohup), the Hub inherits an ignored SIGINT
# and so would every server it starts: the Hub stops them with SIGINT first and then waits 30 s.
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)
as_root = ["--allow-root"] if os.getuid() == 0 else []  # Jupyter refuses root unless told

# --- the Hub and its proxy, on 127.0.0.1 --------------------------------------------------------
c.JupyterHub.ip = "127.0.0.1"
c.JupyterHub.port = room.port("public")
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = room.port("hub")
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{room.port('proxy_api')}"
c.ConfigurableHTTPProxy.command = [node, str(proxy)]
c.ConfigurableHTTPProxy.pid_file = str(room.hub_state / "proxy.pid")
c.JupyterHub.db_url = f"sqlite:///{room.hub_state / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(room.hub_state / "cookie_secret")
c.JupyterHub.cleanup_servers = True  # a stopped Hub stops every server it started
c.JupyterHub.cleanup_proxy = True

# --- who may log in -----------------------------------------------------------------------------
c.JupyterHub.authenticator_class = "shared-password"
c.SharedPasswordAuthenticator.user_password = password
c.Authenticator.allowed_users = set(room.users)

# --- what each user runs ------------------------------------------------------------------------
c.JupyterHub.spawner_class = "simple"
c.SimpleLocalProcessSpawner.home_dir_template = str(room.home("{username}"))
c.Spawner.cmd = [str(bin_dir / "jupyterhub-singleuser")]
c.Spawner.args = as_root
c.Spawner.default_url = "/lab"
c.Spawner.ip = "127.0.0.1"
c.Spawner.environment = {
    name: (lambda spawner, name=name: room.environment(spawner.user.name)[name])
    for name in room.environment(room.instructor)
}
c.Spawner.start_timeout = 120  # a busy 2-core machine starts JupyterLab in well under this
c.Spawner.http_timeout = 120
c.Spawner.server_token_scopes = lambda spawner: [
    "users:activity!user",
    "access:servers!server",
    # the instructor's course list asks the formgrader service whether it runs
    f"access:services!service={room.formgrader}",
]

# --- the formgrader, one for the course ---------------------------------------------------------
c.JupyterHub.services = [
    {
        "name": room.formgrader,
        "url": f"http://127.0.0.1:{room.port('formgrader')}",
        "command": [str(bin_dir / "jupyterhub-singleuser"), *as_root],
        "cwd": str(room.course),
        "environment": room.grader_environment(),
        "oauth_no_confirm": True,
        "display": True,
    }
]
c.JupyterHub.load_roles = [
    {
        "name": "instructor",
        "description": "Runs the course: the formgrader service",
        "users": [room.instructor],
        "scopes": [
            f"access:services!service={room.formgrader}",
            f"read:services!service={room.formgrader}",
            "list:services",
        ],
    }
]
if token := os.environ.get("SOLLAB_HUB_API_TOKEN"):
    # An API-only service for scripts (and the tests) that manage the class.
    c.JupyterHub.services.append({"name": ADMIN_SERVICE, "api_token": token})
    c.JupyterHub.load_roles.append(
        {
            "name": ADMIN_SERVICE,
            "description": "Manages the class's users, servers and tokens",
            "services": [ADMIN_SERVICE],
            "scopes": ["admin:users", "admin:servers", "tokens", "list:services"],
        }
    )

given = os.environ.get("SOLLAB_HUB_PASSWORD")
print(
    f"Class on JupyterHub: {room.url}\n"
    f"  instructor: {room.instructor}; students: {', '.join(room.students)}\n"
    f"  password: {'$SOLLAB_HUB_PASSWORD' if given else room.folder / 'password'}\n"
    f"  formgrader: {room.url}services/{room.formgrader}/formgrader (the instructor)\n"
    f"  class folder: {room.folder}",
    flush=True,
)
