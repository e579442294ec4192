"""What can be checked offline of the Kubernetes path (no cluster, Helm or Docker engine runs
here): the grading Job's pods run real `sollab grade` commands whose shards cover the class
exactly once; the Zero-to-JupyterHub values use only keys the chart documents (a copy of its key
names, tests/data/z2jh/) and JupyterHub's own traits; the image, the exchange volume and the
formgrader service agree across the manifests and with jupyter_config.py; and the image is set
up by make targets alone, as the jovyan user Zero-to-JupyterHub runs."""

from __future__ import annotations

import copy
import json
import os
import re
import shlex
import shutil
import stat
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import jsonschema
import pytest
import yaml
from traitlets.config import Config

from sollab.classgrade import Shard
from sollab.cli import grade_class_command, grade_merge_command

REPO = Path(__file__).resolve().parent.parent
DEPLOY = REPO / "deploy" / "kubernetes"
MANIFEST = DEPLOY / "grade-job.yaml"
VALUES = DEPLOY / "z2jh-values.yaml"
KEYS = REPO / "tests" / "data" / "z2jh" / "values-keys.schema.yaml"


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


# --- Zero-to-JupyterHub ---------------------------------------------------------------------


def _documents(name: str) -> list[dict]:
    return [d for d in yaml.safe_load_all((DEPLOY / name).read_text()) if d]


@pytest.fixture(scope="module")
def values() -> dict:
    return yaml.safe_load(VALUES.read_text())


@pytest.fixture(scope="module")
def formgrader() -> dict[str, dict]:
    return {d["kind"]: d for d in _documents("formgrader.yaml")}


def _pod(workload: dict) -> dict:
    return workload["spec"]["template"]["spec"]


def _key_errors(values: dict) -> list[str]:
    schema = yaml.safe_load(KEYS.read_text())
    jsonschema.Draft7Validator.check_schema(schema)
    errors = jsonschema.Draft7Validator(schema).iter_errors(values)
    return sorted(f"{'.'.join(map(str, e.absolute_path)) or '(top)'}: {e.message}" for e in errors)


def test_the_values_use_only_keys_the_chart_documents(values):
    """Does every key of z2jh-values.yaml, at every level the chart closes, exist in the chart's
    documented keys, with the chart's type (tests/data/z2jh/values-keys.schema.yaml)?"""
    assert _key_errors(values) == []


MISSPELLINGS = [
    (("singleuser",), "singleUser"),
    (("hub", "loadRoles"), "loadroles"),
    (("singleuser", "storage", "extraVolumeMounts"), "extraVolumesMounts"),
    (("singleuser", "image", "tag"), "tags"),
    (("singleuser", "extraFiles", "student-lab-extensions", "mountPath"), "mountpath"),
]


@pytest.mark.parametrize(("path", "typo"), MISSPELLINGS, ids=[t for _, t in MISSPELLINGS])
def test_a_misspelled_key_fails_the_check(values, path, typo):
    """Does the key check catch a typo (so the check above is not passing on anything)?"""
    mutated = copy.deepcopy(values)
    parent = mutated
    for key in path[:-1]:
        parent = parent[key]
    parent[typo] = parent.pop(path[-1])
    errors = _key_errors(mutated)
    assert any(f"{typo!r} was unexpected" in e for e in errors), errors


def _jupyterhub():
    """JupyterHub, to check what the chart passes to it unchecked (hub.config, hub.services,
    hub.loadRoles) against its own traits."""
    return pytest.importorskip(
        "jupyterhub", reason="jupyterhub is not installed (it comes with the lab's dependencies)"
    )


def test_the_hub_config_names_jupyterhub_traits(values):
    """Is every hub.config section a class the hub configures (JupyterHub, the authenticator
    or one it inherits from) and every key one of its configurable traits? And do the
    authenticator's placeholder passwords stop the hub, as the values say they do?"""
    _jupyterhub()
    from importlib.metadata import entry_points

    from jupyterhub.app import JupyterHub
    from traitlets import TraitError

    config = values["hub"]["config"]
    (entry,) = entry_points(
        group="jupyterhub.authenticators", name=config["JupyterHub"]["authenticator_class"]
    )
    authenticator = entry.load()
    classes = {cls.__name__: cls for cls in authenticator.mro() if hasattr(cls, "class_traits")}
    classes["JupyterHub"] = JupyterHub
    for section, settings in config.items():
        assert section in classes, f"hub.config.{section} configures nothing the hub runs"
        unknown = set(settings) - set(classes[section].class_traits(config=True))
        assert not unknown, f"hub.config.{section}: no such traits {sorted(unknown)}"
    passwords = config[authenticator.__name__]
    with pytest.raises((TraitError, ValueError)):
        authenticator(user_password=passwords["user_password"])
    with pytest.raises((TraitError, ValueError)):
        authenticator(admin_password=passwords["admin_password"])
    authenticator(user_password="a-real-one", admin_password="x" * 32)  # set properly: accepted


def test_the_hub_services_and_roles_are_what_jupyterhub_accepts(values):
    """Are the services' keys JupyterHub Service traits, the roles' keys those of load_roles,
    and every scope one JupyterHub defines?"""
    _jupyterhub()
    from jupyterhub.scopes import _check_scopes_exist
    from jupyterhub.services.service import Service

    for name, service in values["hub"]["services"].items():
        unknown = set(service) - set(Service.class_trait_names())
        assert not unknown, f"hub.services.{name}: no such keys {sorted(unknown)}"
    role_keys = {"name", "description", "scopes", "users", "services", "groups"}
    for name, role in values["hub"]["loadRoles"].items():
        assert set(role) <= role_keys, f"hub.loadRoles.{name}: {sorted(set(role) - role_keys)}"
        _check_scopes_exist(role["scopes"], who_for=f"role {name}")


def _image(values: dict) -> str:
    image = values["singleuser"]["image"]
    return f"{image['name']}:{image['tag']}"


def test_every_pod_runs_the_one_image(values, jobs, formgrader):
    """Do the students' servers, the formgrader and the grading Jobs run the same image?"""
    pods = [_pod(w) for w in (*jobs.values(), formgrader["Deployment"])]
    containers = [c for pod in pods for c in (*pod.get("initContainers", []), *pod["containers"])]
    assert {c["image"] for c in containers} == {_image(values)}


def _jupyter_config(monkeypatch, lab: Path, course: Path | None = None) -> Config:
    """What jupyter_config.py sets when it sits in the folder `lab` (as in the image, where
    JUPYTER_CONFIG_PATH is the lab's folder), loaded as Jupyter loads it, with
    SOLLAB_COURSE_ROOT=course or unset."""
    for name in ("SOLLAB_COURSE_ROOT", "SOLLAB_EXCHANGE"):
        monkeypatch.delenv(name, raising=False)
    if course is not None:
        monkeypatch.setenv("SOLLAB_COURSE_ROOT", str(course))
    lab.mkdir(parents=True, exist_ok=True)
    path = Path(shutil.copy(REPO / "jupyter_config.py", lab))
    config = Config()
    exec(
        compile(path.read_text(), str(path), "exec"),
        {"get_config": lambda: config, "__file__": str(path)},
    )
    return config


def _dockerfile_stages() -> list[tuple[str, list[tuple[str, str]]]]:
    """The Dockerfile's stages, each (its FROM line, its instructions as (word, argument)),
    continuation lines joined."""
    stages: list[tuple[str, list[tuple[str, str]]]] = []
    for line in (REPO / "Dockerfile").read_text().replace("\\\n", " ").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        word, _, argument = line.partition(" ")
        if word == "FROM":
            stages.append((argument.strip(), []))
        else:
            stages[-1][1].append((word, " ".join(argument.split())))
    return stages


def _lab_stage() -> list[tuple[str, str]]:
    (lab,) = [steps for head, steps in _dockerfile_stages() if head.endswith(" AS lab")]
    return lab


def _lab_root() -> str:
    """Where the image's lab is: the working folder its `COPY . .` copies the tree into."""
    workdir = "/"
    for word, argument in _lab_stage():
        if word == "WORKDIR":
            workdir = argument
        if word == "COPY" and argument.split()[-2:] == [".", "."]:
            return workdir
    raise AssertionError("the Dockerfile copies no tree")


def _image_env() -> dict[str, str]:
    env = {}
    for word, argument in _lab_stage():
        if word == "ENV":
            env.update(item.split("=", 1) for item in shlex.split(argument))
    return env


def test_the_exchange_is_one_rwx_volume_where_jupyter_config_puts_it(
    values, jobs, formgrader, tmp_path, monkeypatch
):
    """Is the course volume ReadWriteMany; does a student's pod mount only its exchange folder,
    at the path jupyter_config.py gives the exchange in the image's lab; and do the formgrader
    (whose SOLLAB_COURSE_ROOT is the volume) and the grading Jobs mount the same volume?"""
    (claim,) = _documents("course-volume.yaml")
    assert claim["kind"] == "PersistentVolumeClaim"
    assert claim["spec"]["accessModes"] == ["ReadWriteMany"]
    name = claim["metadata"]["name"]

    def on_claim(volumes: list[dict]) -> set[str]:
        return {
            v["name"]
            for v in volumes
            if v.get("persistentVolumeClaim", {}).get("claimName") == name
        }

    # a student's pod: the image's lab, no SOLLAB_COURSE_ROOT; the formgrader: the volume's
    lab, course = tmp_path / "lab", tmp_path / "course"
    config = _jupyter_config(monkeypatch, lab)
    assert Path(config.CourseDirectory.root) == lab
    exchange = Path(config.Exchange.root).relative_to(lab)
    moved = _jupyter_config(monkeypatch, lab, course)
    assert Path(moved.Exchange.root) == course / exchange
    assert _image_env()["JUPYTER_CONFIG_PATH"] == _lab_root()  # where jupyter_config.py is

    storage = values["singleuser"]["storage"]
    course_volumes = on_claim(storage["extraVolumes"])
    mounts = [m for m in storage["extraVolumeMounts"] if m["name"] in course_volumes]
    assert len(mounts) == 1, mounts
    assert mounts[0]["mountPath"] == f"{_lab_root()}/{exchange}"
    assert mounts[0]["subPath"] == str(exchange)  # the exchange only: no solutions, no gradebook
    runs = " ".join(a for w, a in _lab_stage() if w == "RUN")
    assert f"mkdir -p {exchange}" in runs  # the mount point, jovyan's in the image

    pod = _pod(formgrader["Deployment"])
    (container,) = pod["containers"]
    (mount,) = [m for m in container["volumeMounts"] if m["name"] in on_claim(pod["volumes"])]
    env = {e["name"]: e.get("value") for e in container["env"]}
    assert "subPath" not in mount and env["SOLLAB_COURSE_ROOT"] == mount["mountPath"]
    for job in jobs.values():
        spec = _pod(job)
        (grader,) = spec["containers"]
        mounted = {
            m["mountPath"] for m in grader["volumeMounts"] if m["name"] in on_claim(spec["volumes"])
        }
        assert mounted == {mount["mountPath"]}
        assert f"--course {mount['mountPath']}" in " ".join(grader["args"])


def test_the_formgrader_is_the_service_the_hub_registers(values, formgrader):
    """Does hub.services' URL reach the formgrader's Service and pod; does the pod carry what
    the hub would give a service it started (name, prefix, OAuth client, the chart's token
    Secret, the hub's API) and the label the hub's NetworkPolicy admits; and may the
    instructors open it?"""
    (name,) = values["hub"]["services"]
    url = urlsplit(values["hub"]["services"][name]["url"])
    service, deployment = formgrader["Service"], formgrader["Deployment"]
    assert url.hostname == service["metadata"]["name"]
    (port,) = service["spec"]["ports"]
    assert url.port == port["port"]
    labels = deployment["spec"]["template"]["metadata"]["labels"]
    assert service["spec"]["selector"].items() <= labels.items()
    assert deployment["spec"]["selector"]["matchLabels"].items() <= labels.items()
    assert labels["hub.jupyter.org/network-access-hub"] == "true"

    (container,) = _pod(deployment)["containers"]
    ports = {p["name"]: p["containerPort"] for p in container["ports"]}
    env = {e["name"]: e for e in container["env"]}
    prefix = f"/services/{name}/"
    assert env["JUPYTERHUB_SERVICE_NAME"]["value"] == name
    assert env["JUPYTERHUB_SERVICE_PREFIX"]["value"] == prefix
    assert env["JUPYTERHUB_OAUTH_CALLBACK_URL"]["value"] == f"{prefix}oauth_callback"
    assert env["JUPYTERHUB_CLIENT_ID"]["value"] == f"service-{name}"
    assert urlsplit(env["JUPYTERHUB_SERVICE_URL"]["value"]).port == ports[port["targetPort"]]
    scope = f"access:services!service={name}"
    assert json.loads(env["JUPYTERHUB_OAUTH_ACCESS_SCOPES"]["value"]) == [scope]
    secret = env["JUPYTERHUB_API_TOKEN"]["valueFrom"]["secretKeyRef"]
    assert secret == {"name": "hub", "key": f"hub.services.{name}.apiToken"}  # the chart's
    api = urlsplit(env["JUPYTERHUB_API_URL"]["value"])
    assert (api.hostname, api.port, api.path) == ("hub", 8081, "/hub/api")
    assert container["readinessProbe"]["httpGet"]["path"].startswith(prefix)

    roles = [r for r in values["hub"]["loadRoles"].values() if scope in r["scopes"]]
    granted = {user for role in roles for user in role.get("users", [])}
    assert set(values["hub"]["config"]["Authenticator"]["admin_users"]) <= granted


def test_the_servers_run_a_program_the_image_installs(values, formgrader):
    """Do the students' servers and the formgrader run jupyterhub-singleuser, and is it a
    program of a package pinned in requirements.lock (so the image has it)?"""
    (container,) = _pod(formgrader["Deployment"])["containers"]
    assert {values["singleuser"]["cmd"], *container["command"]} == {"jupyterhub-singleuser"}
    if "\njupyterhub==" not in (REPO / "requirements.lock").read_text():
        pytest.skip("jupyterhub is not pinned in requirements.lock yet (the `hub` branch adds it)")
    from importlib.metadata import entry_points

    (script,) = entry_points(group="console_scripts", name="jupyterhub-singleuser")
    assert script.dist.name == "jupyterhub"


def test_the_formgrader_seeds_the_course_once(formgrader, tmp_path):
    """Does the formgrader's first start copy solutions/ and lessons/ from the image into the
    course volume and create the exchange, and leave an instructor's edits alone after?"""
    pod = _pod(formgrader["Deployment"])
    (seed,) = pod["initContainers"]
    (server,) = pod["containers"]
    course = next(m["mountPath"] for m in server["volumeMounts"] if m["name"] == "course")
    assert [m["mountPath"] for m in seed["volumeMounts"]] == [course]
    lab, volume = tmp_path / "lab", tmp_path / "volume"
    (lab / "solutions" / "05").mkdir(parents=True)
    (lab / "solutions" / "05" / "05.ipynb").write_text("the instructor's notebook")
    (lab / "lessons" / "05").mkdir(parents=True)
    volume.mkdir()
    script = seed["args"][0].replace(_lab_root(), str(lab)).replace(course, str(volume))

    def run() -> None:
        done = subprocess.run([*seed["command"], script], capture_output=True, text=True)
        assert done.returncode == 0, done.stderr

    run()
    assert (volume / "solutions" / "05" / "05.ipynb").read_text() == "the instructor's notebook"
    assert (volume / "lessons" / "05").is_dir()
    assert (volume / ".sollab" / "course" / "exchange").is_dir()
    (volume / "solutions" / "05" / "05.ipynb").write_text("edited")
    run()
    assert (volume / "solutions" / "05" / "05.ipynb").read_text() == "edited"
    assert not (volume / "solutions" / "solutions").exists()


PROBE = """
import json
from jupyter_core.application import JupyterApp
from jupyter_core.paths import jupyter_path
from jupyter_server.serverapp import ServerApp
from jupyterlab_server.config import get_page_config

app = ServerApp()
JupyterApp.initialize(app, [])
app.find_server_extensions()
app.init_server_extensions()
extensions = app.extension_manager.extensions
disabled = get_page_config(jupyter_path("labextensions")).get("disabledExtensions", [])
if isinstance(disabled, dict):
    disabled = [name for name, off in disabled.items() if off]
print(json.dumps({
    "server": sorted(n for n, e in extensions.items() if e.enabled and "nbgrader" in n),
    "lab_disabled": sorted(disabled),
    "kernel": app.config.MappingKernelManager.default_kernel_name,
}))
"""


def _nbgrader_seen(config_dir: Path, tmp_path: Path) -> dict:
    """The nbgrader server extensions a Jupyter server loads, the lab plugins disabled and
    the default kernel, with JUPYTER_CONFIG_PATH=config_dir (as /opt/sollab is in the image)."""
    env = {
        **os.environ,
        "JUPYTER_CONFIG_PATH": str(config_dir),
        "JUPYTER_CONFIG_DIR": str(tmp_path / "user-config"),
        "SOLLAB_COURSE_ROOT": str(tmp_path / "course"),
    }
    done = subprocess.run(
        [sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.splitlines()[-1])


@pytest.mark.slow  # two Jupyter servers configured (~7 s)
def test_a_students_server_has_the_assignment_list_not_the_formgrader(values, tmp_path):
    """With the files singleuser.extraFiles mounts (rendered to JSON as the chart does), does
    a student's server open JupyterLab with the sollab kernel as default, load nbgrader's
    Assignment List and validation only, and its lab hide the formgrader, course list and
    assignment creation, while the formgrader's pod (the image alone) keeps them?"""
    lab = Path(_image_env()["JUPYTER_CONFIG_PATH"])
    image, student = tmp_path / "image", tmp_path / "student"
    for folder in (image, student):
        folder.mkdir()
        shutil.copy(REPO / "jupyter_config.py", folder)
    for item in values["singleuser"]["extraFiles"].values():
        path = student / Path(item["mountPath"]).relative_to(lab)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(item["data"]))
    seen = _nbgrader_seen(student, tmp_path)
    assert values["singleuser"]["defaultUrl"] == "/lab" and seen["kernel"] == "sollab"
    assert (REPO / ".venv" / "share" / "jupyter" / "kernels" / "sollab" / "kernel.json").is_file()
    assert seen["server"] == [
        "nbgrader.server_extensions.assignment_list",
        "nbgrader.server_extensions.validate_assignment",
    ]
    hidden = ["course-list", "create-assignment", "formgrader"]
    assert seen["lab_disabled"] == [f"@jupyter/nbgrader:{plugin}" for plugin in hidden]
    bundle = REPO / ".venv" / "share" / "jupyter" / "labextensions" / "@jupyter" / "nbgrader"
    code = " ".join(p.read_text() for p in (bundle / "static").glob("*.js"))
    assert all(f'"{plugin}"' in code for plugin in seen["lab_disabled"])  # real plugin ids
    unchanged = _nbgrader_seen(image, tmp_path)
    assert "nbgrader.server_extensions.formgrader" in unchanged["server"]
    assert unchanged["lab_disabled"] == []


def test_the_guides_install_the_chart_version_the_values_are_for():
    """Do the values' header, the guide and the README install one chart version (a 4.x), and
    does every file and command the guide names exist?"""
    guide = DEPLOY / "README.md"
    texts = [VALUES.read_text(), guide.read_text(), (REPO / "README.md").read_text()]
    versions = [re.findall(r"jupyterhub/jupyterhub --version (\S+)", text) for text in texts]
    assert all(versions) and {v for found in versions for v in found} == {"4.4.0"}, versions
    for link in re.findall(r"\]\(([\w./-]+)\)", guide.read_text()):
        assert (DEPLOY / link).exists(), link
    for name in re.findall(r"deploy/kubernetes/([\w.-]+\.yaml)", guide.read_text()):
        assert (DEPLOY / name).is_file(), name


# --- the image ----------------------------------------------------------------------------


def _make_targets() -> set[str]:
    return set(re.findall(r"^([a-zA-Z][\w-]*):", (REPO / "Makefile").read_text(), re.M))


def test_the_image_installs_the_lab_through_make_targets_alone():
    """Does the Dockerfile start from Python 3.11+, install the lab only by running make
    targets (`make setup` among them, so CI's `make test` proves the image's set-up too), clean
    apt's lists after every apt step, and rebuild what .dockerignore leaves out?"""
    stages = _dockerfile_stages()
    base = re.match(r"python:3\.(\d+)", stages[0][0])
    assert base and int(base[1]) >= 11
    runs = [argument for _, steps in stages for word, argument in steps if word == "RUN"]
    bootstrap, *lab_steps = runs
    # The first step only brings make itself and the user: apt-get, useradd, its lab folder.
    for command in bootstrap.split("&&"):
        words = command.split()
        assert words[0] in {"apt-get", "useradd", "install", "rm"}, command
        if words[:2] == ["apt-get", "install"]:
            assert {w for w in words[2:] if not w.startswith("-")} <= {"make", "git"}
    assert "rm -rf /var/lib/apt/lists/*" in bootstrap
    targets = []
    for run in lab_steps:
        for command in run.split("&&"):
            words = shlex.split(command)
            # make targets; besides them only clean-up and an empty folder (a mount point)
            assert words[0] in {"make", "rm", "mkdir"}, f"not a make target: {command}"
            if words[0] == "mkdir":  # only inside the lab's own .sollab/ (ignored, made anew)
                assert all(w.startswith(".sollab/") for w in words[1:] if w != "-p"), command
            if words[0] == "make":
                folders = {words[i + 1] for i, w in enumerate(words) if w == "-C"}
                assert folders <= {_lab_root()}, command  # `make -C` only in the lab
                named = [w for w in words[1:] if "=" not in w and w[0] != "-" and w not in folders]
                assert set(named) <= _make_targets(), command
                targets += named
        if "system-packages" in run:
            assert run.rstrip().endswith("rm -rf /var/lib/apt/lists/*"), run
    assert "setup" in targets and "system-packages" in targets
    text = (REPO / "Dockerfile").read_text()
    assert not re.search(r"\b(pip3?|npm) (install|ci)\b|\bnpx\b", text), "set up by make only"
    ignored = (REPO / ".dockerignore").read_text().split()
    assert {".venv", "**/node_modules", ".sollab"} <= set(ignored)  # built anew by make setup


def test_the_image_runs_as_jovyan_uid_1000_as_the_pods_do(values, jobs, formgrader):
    """Is the image's user jovyan (nbgrader tells students apart by $JUPYTERHUB_USER only for
    that name), uid 1000 in group 100 with a home, owning the lab it sets up; and do the
    values and pods run as that uid and gid, with the home where Zero-to-JupyterHub mounts it?"""
    steps = _lab_stage()
    (useradd,) = [
        shlex.split(c) for w, a in steps if w == "RUN" for c in a.split("&&") if "useradd" in c
    ]
    assert useradd[-1] == "jovyan"
    assert useradd[useradd.index("--uid") + 1] == "1000"
    assert useradd[useradd.index("--gid") + 1] == "100"
    assert "--create-home" in useradd
    words = [w for w, _ in steps]
    user = words.index("USER")
    assert steps[user][1] == "1000:100"
    setup = next(i for i, (w, a) in enumerate(steps) if w == "RUN" and "make setup" in a)
    assert user < setup  # .venv and node_modules belong to jovyan
    copies = [a for w, a in steps if w == "COPY"]
    assert copies and all(a.startswith("--chown=1000:100 ") for a in copies)
    assert _image_env()["HOME"] == "/home/jovyan"
    singleuser = values["singleuser"]
    assert (singleuser["uid"], singleuser["fsGid"]) == (1000, 100)
    assert singleuser["storage"]["homeMountPath"] == _image_env()["HOME"]
    for workload in (*jobs.values(), formgrader["Deployment"]):
        context = _pod(workload)["securityContext"]
        assert (context["runAsUser"], context["runAsGroup"], context["fsGroup"]) == (1000, 100, 100)


def test_the_browser_is_in_the_test_image_only():
    """Does the lab image install bubblewrap without chromium, the `test` target add
    chromium, a plain `docker build` give the lab, and the Makefile honour the choice (while
    `make setup` alone still installs both, as CI needs)?"""
    stages = _dockerfile_stages()
    lab = dict(_lab_stage())
    assert lab["ARG"] == "SYSTEM_PACKAGES=bubblewrap"
    (test,) = [steps for head, steps in stages if head == "lab AS test"]
    (install,) = [a for w, a in test if w == "RUN"]
    assert 'SYSTEM_PACKAGES="bubblewrap chromium"' in install
    assert stages[-1][0] == "lab"  # the default target

    def dry_run(*args: str) -> str:
        done = subprocess.run(
            ["make", "-n", "system-packages", *args], cwd=REPO, capture_output=True, text=True
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    assert "for cmd in bwrap chromium;" in dry_run()
    chosen = dry_run("SYSTEM_PACKAGES=bubblewrap")
    assert "for cmd in bwrap;" in chosen
    assert "apt-get install -y -q bubblewrap >" in chosen and "bubblewrap chromium" not in chosen
