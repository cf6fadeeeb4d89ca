"""Serves the web build (``build/web``: the widget and the demo pages) for ``make run``.

    python -m carepath.web_server [--root build/web] [--host 0.0.0.0] [--port 8080]

Environment: ``WEB_HOST`` (0.0.0.0), ``WEB_PORT`` (8080), ``WEB_ROOT`` (build/web),
``RASA_PUBLIC_URL`` (http://localhost:5005): the Rasa server's address as the
visitor's browser reaches it.  The tree is served as it is, with one change: in
HTML pages, a ``<script src="/widget.js">`` tag without ``data-server`` gets
``data-server="$RASA_PUBLIC_URL"``.  (Without it the widget talks to the origin
it was loaded from, which is how a reverse proxy in front of Rasa serves it.)

The widget, the schools' public configs and logos are sent with
``Access-Control-Allow-Origin: *``: schools' own sites load them.  Pages get a
Content-Security-Policy that allows scripts only from this server and
connections only to this server and to Rasa.
"""
from __future__ import annotations

import argparse
import html
import logging
import os
import re
from pathlib import Path
from typing import Optional
from urllib.parse import urlsplit

from aiohttp import web

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_RASA_PUBLIC_URL = "http://localhost:5005"
WIDGET_TAG = re.compile(r"<script\b(?![^>]*\bdata-server=)(?=[^>]*\bsrc=\"/widget\.js\")", re.IGNORECASE)
PUBLIC_SUFFIXES = (".js", ".json", ".svg", ".png", ".css")
CONTENT_TYPES = {".js": "text/javascript", ".json": "application/json", ".svg": "image/svg+xml", ".css": "text/css"}

logger = logging.getLogger(__name__)


def public_url(value: Optional[str]) -> str:
    """RASA_PUBLIC_URL, checked: an http(s) URL without query or fragment, no trailing slash."""
    value = (value if value is not None else DEFAULT_RASA_PUBLIC_URL).strip().rstrip("/")
    if not value:
        return ""
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise ValueError(f"RASA_PUBLIC_URL must be an http(s) URL such as {DEFAULT_RASA_PUBLIC_URL}, not {value!r}")
    return value


def with_server(page: str, rasa_url: str) -> str:
    """The page with ``data-server`` added to its widget tag(s) (none when ``rasa_url`` is empty)."""
    if not rasa_url:
        return page
    return WIDGET_TAG.sub(f'<script data-server="{html.escape(rasa_url, quote=True)}"', page)


def content_security_policy(rasa_url: str) -> str:
    connect = ["'self'"]
    if rasa_url:
        parts = urlsplit(rasa_url)
        socket_scheme = "wss" if parts.scheme == "https" else "ws"
        connect += [f"{parts.scheme}://{parts.netloc}", f"{socket_scheme}://{parts.netloc}"]
    return (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        f"connect-src {' '.join(connect)}; object-src 'none'; base-uri 'none'; form-action 'self'; "
        "frame-ancestors 'self'"
    )


def create_app(root: Path, rasa_url: str) -> web.Application:
    root = root.resolve()
    csp = content_security_policy(rasa_url)

    def resolve(path: str) -> Optional[Path]:
        if "\x00" in path:
            return None
        target = (root / path.lstrip("/")).resolve()
        if target != root and root not in target.parents:
            return None
        return target

    async def serve(request: web.Request) -> web.StreamResponse:
        path = request.match_info["path"]
        target = resolve(path)
        if target is None:
            raise web.HTTPNotFound()
        if target.is_dir():
            if path and not path.endswith("/"):
                raise web.HTTPMovedPermanently(f"/{path}/")
            target = target / "index.html"
        if not target.is_file() or any(part.startswith(".") for part in target.relative_to(root).parts):
            raise web.HTTPNotFound()
        headers = {"X-Content-Type-Options": "nosniff", "Referrer-Policy": "strict-origin-when-cross-origin"}
        if target.suffix == ".html":
            page = with_server(target.read_text(encoding="utf-8"), rasa_url)
            headers.update({"Content-Security-Policy": csp, "Cache-Control": "no-cache"})
            return web.Response(text=page, content_type="text/html", charset="utf-8", headers=headers)
        if target.suffix in PUBLIC_SUFFIXES:
            headers["Access-Control-Allow-Origin"] = "*"
        headers["Cache-Control"] = "no-cache"  # revalidated with Last-Modified: a new build shows at once
        if target.suffix in CONTENT_TYPES:
            headers["Content-Type"] = CONTENT_TYPES[target.suffix]
        return web.FileResponse(target, headers=headers)

    app = web.Application()
    app.router.add_get("/{path:.*}", serve)
    return app


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description="Serve the CarePath widget and demo pages.")
    parser.add_argument("--root", type=Path, default=Path(os.environ.get("WEB_ROOT") or ROOT / "build" / "web"))
    parser.add_argument("--host", default=os.environ.get("WEB_HOST") or "0.0.0.0")
    parser.add_argument("--port", type=int, default=int(os.environ.get("WEB_PORT") or 8080))
    args = parser.parse_args(argv)
    rasa_url = public_url(os.environ.get("RASA_PUBLIC_URL"))
    if not (args.root / "widget.js").is_file():
        raise SystemExit(f"{args.root}/widget.js is missing: run `make web` first.")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    print(f"CarePath web: http://{args.host}:{args.port}/ serving {args.root}, widget talks to {rasa_url or 'its own origin'}",
          flush=True)
    # Access log without client addresses (no personal data in logs).
    web.run_app(create_app(args.root, rasa_url), host=args.host, port=args.port, print=None,
                access_log_format='"%r" %s %b %Tfs')


if __name__ == "__main__":
    main()
