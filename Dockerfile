# The lab in an image: for a class's JupyterHub (the single-user image of Zero-to-JupyterHub)
# and for grading shards (deploy/kubernetes/grade-job.yaml). It runs exactly what `make setup`
# runs, so CI's `make test` proves the image's set-up too; nothing here installs on its own.
FROM python:3.11-slim-bookworm

# make itself; `make setup` (as root here) installs the Debian packages it needs (bubblewrap).
RUN apt-get update && apt-get install -y --no-install-recommends make git \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /opt/sollab
COPY . .
RUN make setup PYTHON=python3 && rm -rf /root/.cache /root/.npm

ENV PATH=/opt/sollab/.venv/bin:$PATH \
    JUPYTER_CONFIG_PATH=/opt/sollab
