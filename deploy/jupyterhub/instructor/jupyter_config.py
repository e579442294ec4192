"""The instructor's own server in a class on JupyterHub.

jupyterhub_config.py puts this folder in front of the checkout's jupyter_config.py (the course:
solutions/ as nbgrader's source, the Solidity stubs) on the instructor's JUPYTER_CONFIG_PATH, and
points SOLLAB_COURSE_ROOT at the course in the instructor's home. nbgrader commands run in the
instructor's terminal use the course as they do under `make lab`.

The formgrader runs once for the course, as a Hub service (/services/<course id>/); here the
course list links to it, and Create Assignment edits the course's notebooks.
"""

c = get_config()  # noqa: F821 (provided by Jupyter when it loads this file)

c.ServerApp.jpserver_extensions = {
    "nbgrader.server_extensions.course_list": True,
    "nbgrader.server_extensions.assignment_list": True,
    "nbgrader.server_extensions.validate_assignment": True,
    "nbgrader.server_extensions.formgrader": False,
}

# `nbgrader collect` warns about every submission whose files are not owned by the OS user of
# the same name ("cheating attempt?"). With SimpleLocalProcessSpawner everyone is one OS user,
# so the check only cries wolf; with real system users (LocalProcessSpawner) turn it back on.
c.CollectApp.check_owner = False
