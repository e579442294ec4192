"""The course's formgrader: a shared server run by the Hub as a service (nbgrader's "one class"
set-up), reached by whoever holds the `access:services!service=<course id>` scope.

jupyterhub_config.py puts this folder in front of the checkout's jupyter_config.py (the course)
on the service's JUPYTER_CONFIG_PATH and starts it in the course folder.
"""

c = get_config()  # noqa: F821 (provided by Jupyter when it loads this file)

c.ServerApp.jpserver_extensions = {
    "nbgrader.server_extensions.formgrader": True,
    "nbgrader.server_extensions.validate_assignment": True,
    "nbgrader.server_extensions.assignment_list": False,
    "nbgrader.server_extensions.course_list": False,
}
# The lab's Formgrader panel shows the formgrader page in a frame of the same server; the Hub's
# single-user default (`frame-ancestors 'none'`) leaves it blank (nbgrader issue #1870).
c.ServerApp.tornado_settings = {"headers": {"Content-Security-Policy": "frame-ancestors 'self'"}}
c.CollectApp.check_owner = False  # as in instructor/jupyter_config.py: one OS user for everyone
