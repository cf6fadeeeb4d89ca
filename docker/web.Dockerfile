# CarePath's web front: nginx serving the static tree `make web` builds (the
# visitor page, the schools' demo pages, widget.js) and proxying the chat to Rasa
# (deploy/nginx/nginx.conf).
#
#   docker build -f docker/web.Dockerfile -t carepath/web:dev .     (context: the repository root)
#
# Stage 1 does what `make web` does: `npm ci` in web/ (exact versions from
# web/package-lock.json), then web/build.py, which bundles the widget with
# esbuild on Node 22 (maintained LTS; Node 20 reached end of life in April 2026) and writes the pages from the school files. It needs
# Python for carepath.schools: Debian's python3 (3.11; the school loader is
# plain pydantic 1.10 and PyYAML, pinned by requirements.lock).
FROM node:22-bookworm-slim AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 python3-venv \
 && rm -rf /var/lib/apt/lists/*
RUN python3 -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
COPY requirements.lock docker/web.requirements.txt /opt/carepath-build/
RUN python -m pip install --no-cache-dir --disable-pip-version-check \
        -c /opt/carepath-build/requirements.lock -r /opt/carepath-build/web.requirements.txt

WORKDIR /src
COPY web/package.json web/package-lock.json web/
RUN cd web && npm ci --no-audit --no-fund
COPY carepath/ carepath/
COPY knowledge_base/ knowledge_base/
COPY schools/ schools/
COPY carepath.yml ./
COPY web/ web/
RUN python web/build.py --out /src/build/web

# Stage 2: the official nginx image, run unprivileged (user nginx, uid 101) on
# port 8080; nginx.conf keeps its pid and temporary files in /tmp.
FROM nginx:1.30-alpine
COPY deploy/nginx/nginx.conf /etc/nginx/nginx.conf
COPY --from=build /src/build/web /usr/share/nginx/html
USER 101
EXPOSE 8080
