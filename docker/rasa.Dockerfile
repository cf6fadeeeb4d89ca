# CarePath's Rasa server (REST + socket.io channels), on the official Rasa image.
#
#   docker build -f docker/rasa.Dockerfile -t carepath/rasa:dev .     (context: the repository root)
#
# rasa/rasa:3.6.21 (Ubuntu 22.04, Python 3.10, Rasa in the virtualenv /opt/venv on
# the PATH, WORKDIR /app, HOME=/app, user 1001 in group 0, ENTRYPOINT ["rasa"])
# has Rasa without extras, so no spaCy. We add rasa[spacy] with every version
# taken from requirements.lock, the pins `make test` runs against.
#
# The image is complete when built: the spaCy pipeline (built from the knowledge
# base, nothing downloaded) and the model are made here, at build time, so a
# container needs no network and starts in seconds. Nothing is trained at run time.
FROM rasa/rasa:3.6.21

USER root
# (Not under /tmp: the base image declares it a VOLUME.)
COPY requirements.lock docker/rasa.requirements.txt /opt/carepath-build/
RUN python -m pip install --no-cache-dir --disable-pip-version-check \
        -c /opt/carepath-build/requirements.lock -r /opt/carepath-build/rasa.requirements.txt \
 && python -m pip check \
 && rm -rf /opt/carepath-build

WORKDIR /app
# What the server and `rasa train` read (see .dockerignore: nothing generated is copied).
COPY --chown=1001:0 carepath/ carepath/
COPY --chown=1001:0 knowledge_base/ knowledge_base/
COPY --chown=1001:0 schools/ schools/
COPY --chown=1001:0 data/ data/
COPY --chown=1001:0 config.yml domain.yml credentials.yml endpoints.yml carepath.yml ./
COPY --chown=1001:0 scripts/serve_rasa.sh scripts/

USER 1001
# CAREPATH_PYTHON: the serve scripts default to .venv/bin/python; here Python is the image's.
ENV CAREPATH_PYTHON=python \
    RASA_PORT=5005 \
    RASA_TELEMETRY_ENABLED=false \
    TF_CPP_MIN_LOG_LEVEL=2

# The same steps as `make spacy` and `make train`.
RUN python -m carepath.spacy_pipeline \
 && rasa train --fixed-model-name carepath --out models --quiet \
 && rm -rf .rasa

EXPOSE 5005
# The command `make run` uses (scripts/run.sh): schools check, endpoints from the
# environment (ACTIONS_URL, TRACKER_DB_URL, REDIS_URL), CORS from the school files,
# the HTTP API only with RASA_API_TOKEN; then `rasa run` in the foreground.
ENTRYPOINT ["/app/scripts/serve_rasa.sh"]
CMD []
