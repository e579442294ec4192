"""A student's server in a class on JupyterHub.

jupyterhub_config.py puts this folder, alone, on a student server's JUPYTER_CONFIG_PATH: the
server and the nbgrader extensions in it read this file and not the course's jupyter_config.py
(which points at the instructor's solutions). It sets up:
- who the student is to nbgrader. nbgrader 0.9 takes the OS user's name as the student id
  (nbgrader.utils.get_username; only an OS user called `jovyan` falls back to $JUPYTERHUB_USER).
  With SimpleLocalProcessSpawner every server runs as the Hub's OS user, so the Hub's name for
  the user is given as CourseDirectory.student_id: submit and fetch_feedback use it instead.
  With real system users (LocalProcessSpawner) the two names are the same anyway;
- the course and the exchange every user shares;
- the server extensions a student gets: the Assignment List (fetch, submit, fetch feedback)
  and Validate; not the formgrader, not the course list (see labconfig/ for the lab's side);
- the `sollab` kernel for new notebooks.
"""

import os

c = get_config()  # noqa: F821 (provided by Jupyter when it loads this file)

c.CourseDirectory.course_id = os.environ.get("SOLLAB_COURSE_ID", "sollab")
if "JUPYTERHUB_USER" in os.environ:
    c.CourseDirectory.student_id = os.environ["JUPYTERHUB_USER"]
if "SOLLAB_EXCHANGE" in os.environ:
    c.Exchange.root = os.environ["SOLLAB_EXCHANGE"]

c.ServerApp.jpserver_extensions = {
    "nbgrader.server_extensions.assignment_list": True,
    "nbgrader.server_extensions.validate_assignment": True,
    "nbgrader.server_extensions.formgrader": False,
    "nbgrader.server_extensions.course_list": False,
}

c.MappingKernelManager.default_kernel_name = "sollab"
c.ExecutePreprocessor.timeout = 120  # Validate runs the notebook: a cell's time limit
c.ExecutePreprocessor.interrupt_on_timeout = True
