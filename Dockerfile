# The lab in an image: the single-user image of a class's Zero-to-JupyterHub
# (deploy/kubernetes/z2jh-values.yaml), its formgrader (deploy/kubernetes/formgrader.yaml) and
# the grading shards (deploy/kubernetes/grade-job.yaml). The lab is installed by make targets
# alone (`make system-packages`, `make setup`), as CI's `make test` installs it, so CI proves
# the image's set-up; the other steps only bring `make`, the user and its folders.
#
#   docker build -t sollab .                # the lab (bubblewrap for `sollab grade`, no browser)
#   docker build --target test -t sollab-test .   # plus chromium, for the browser tests
#
# It runs as jovyan (uid 1000, group users 100), as Zero-to-JupyterHub's pods do by default:
# everything under /opt/sollab and the home folder belong to it. nbgrader tells students apart
# by $JUPYTERHUB_USER only when the OS user is named jovyan (nbgrader.utils.get_username).
FROM python:3.11-slim-bookworm AS lab

# make itself, and the user every pod runs as, with the lab's folder its own.
RUN apt-get update && apt-get install -y --no-install-recommends make git \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --uid 1000 --gid 100 --create-home --shell /bin/bash jovyan \
    && install -d -o 1000 -g 100 /opt/sollab

WORKDIR /opt/sollab
# The Debian packages the image needs, through the Makefile's own target (as root).
ARG SYSTEM_PACKAGES=bubblewrap
COPY --chown=1000:100 Makefile ./
RUN make system-packages SYSTEM_PACKAGES="$SYSTEM_PACKAGES" && rm -rf /var/lib/apt/lists/*

# The lab, as jovyan: .venv/, node_modules/, the sollab kernel. The exchange folder is made
# here so that a student's pod, which mounts the class's exchange over it, finds .sollab/
# (the lab's caches) its own, not a mount point the container runtime made for root.
USER 1000:100
ENV HOME=/home/jovyan
COPY --chown=1000:100 . .
RUN make setup PYTHON=python3 SYSTEM_PACKAGES="$SYSTEM_PACKAGES" \
    && rm -rf "$HOME/.cache" "$HOME/.npm" && mkdir -p .sollab/course/exchange

ENV PATH=/opt/sollab/.venv/bin:$PATH \
    JUPYTER_CONFIG_PATH=/opt/sollab
WORKDIR /home/jovyan

# The test image: the lab plus the browser the dApp page and browser tests drive.
FROM lab AS test
USER root
RUN make -C /opt/sollab system-packages SYSTEM_PACKAGES="bubblewrap chromium" \
    && rm -rf /var/lib/apt/lists/*
USER 1000:100

# The default target (`docker build .` with no --target) is the lab.
FROM lab
