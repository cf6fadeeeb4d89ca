# CarePath's action server, on the official Rasa SDK image.
#
#   docker build -f docker/actions.Dockerfile -t carepath/actions:dev .     (context: the repository root)
#
# rasa/rasa-sdk:3.6.2 (Ubuntu 22.04, Python 3.10, rasa_sdk in the virtualenv
# /opt/venv on the PATH, WORKDIR /app, user 1001, ENTRYPOINT ["./entrypoint.sh"])
# has rasa_sdk and its dependencies only. We add what the actions import
# (docker/actions.requirements.txt), every version taken from requirements.lock.
# No curl in this image: health checks use Python.
FROM rasa/rasa-sdk:3.6.2

USER root
COPY requirements.lock docker/actions.requirements.txt /opt/carepath-build/
RUN python -m pip install --no-cache-dir --disable-pip-version-check \
        -c /opt/carepath-build/requirements.lock -r /opt/carepath-build/actions.requirements.txt \
 && python -m pip check \
 && rm -rf /opt/carepath-build

WORKDIR /app
COPY --chown=1001:0 actions/ actions/
COPY --chown=1001:0 carepath/ carepath/
COPY --chown=1001:0 knowledge_base/ knowledge_base/
COPY --chown=1001:0 schools/ schools/
COPY --chown=1001:0 carepath.yml ./
COPY --chown=1001:0 scripts/serve_actions.sh scripts/

USER 1001
ENV CAREPATH_PYTHON=python \
    ACTIONS_PORT=5055

EXPOSE 5055
# The command `make run` uses (scripts/run.sh): knowledge base and school files
# checked (a broken file stops the server, naming file and field), then the
# rasa_sdk action server in the foreground.
ENTRYPOINT ["/app/scripts/serve_actions.sh"]
CMD []
