"""Helpers for the widget's browser tests: the servers behind a demo page, a TCP
relay (to make a server unreachable, then reachable), and the widget seen from
the page (its shadow root)."""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Dict, List, Optional

import requests
import yaml

from carepath.servers import Servers, free_port, stop

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
AXE = ROOT / "web" / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def copy_schools(target: Path, origin: str) -> Dict[str, dict]:
    """The repository's schools, each allowing only ``origin``; returns the YAML data by school id."""
    shutil.copytree(ROOT / "schools", target)
    schools = {}
    for path in sorted(target.glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        data["allowed_origins"] = [origin]
        path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
        schools[path.stem] = data
    return schools


class Stack:
    """Action server + Rasa server (carepath.servers) + the web server, on free ports,
    with a temporary schools folder whose only allowed origin is http://127.0.0.1:<web port>."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.web_port = free_port()
        self.origin = f"http://127.0.0.1:{self.web_port}"
        self.other_origin = f"http://localhost:{self.web_port}"  # same server, a different origin
        self.schools = copy_schools(workdir / "schools", self.origin)
        self.env = {
            "CAREPATH_SCHOOLS_DIR": str(workdir / "schools"),
            "CORS_ORIGINS": self.origin,  # the general (school-less) page's origin
        }
        self.web_root = workdir / "web"
        self.servers = Servers(workdir, env=self.env)
        self.web: Optional[subprocess.Popen] = None

    def build_web(self) -> str:
        result = subprocess.run(
            [sys.executable, str(ROOT / "web" / "build.py"), "--out", str(self.web_root)],
            env={**os.environ, **self.env}, cwd=ROOT, capture_output=True, text=True, timeout=120,
        )
        assert result.returncode == 0, f"web build failed:\n{result.stdout}\n{result.stderr}"
        return result.stdout

    def add_page(self, relative: str, body: str, script_attributes: str) -> str:
        """A plain page embedding the widget with one tag; returns its path."""
        path = self.web_root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(
            '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>Widget test page</title></head>\n<body><main><h1>Test page</h1>{body}</main>\n"
            f'<script src="/widget.js" {script_attributes} defer></script>\n</body></html>\n',
            encoding="utf-8",
        )
        return "/" + relative

    def start(self) -> None:
        self.build_web()
        self.servers.start_actions()
        # As scripts/serve_rasa.sh does: CORS for the listed origins (the REST widget needs it).
        self.servers.rasa = self.servers.start_rasa_instance(
            self.servers.rasa_port, "rasa.log", "--cors", self.origin
        )
        log = (self.workdir / "web.log").open("w")
        self.web = subprocess.Popen(
            [sys.executable, "-m", "carepath.web_server", "--root", str(self.web_root),
             "--host", "127.0.0.1", "--port", str(self.web_port)],
            cwd=ROOT, env={**os.environ, **self.env, "RASA_PUBLIC_URL": self.servers.url},
            stdout=log, stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 30
        while True:
            try:
                if requests.get(self.origin + "/widget.js", timeout=2).status_code == 200:
                    break
            except requests.RequestException:
                pass
            if self.web.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("web server did not start:\n" + (self.workdir / "web.log").read_text())
            time.sleep(0.2)

    def stop(self) -> None:
        stop(self.web)
        self.servers.stop()


class Relay:
    """A TCP relay from a free local port to ``target_port``, which can be switched
    off (connections refused: the server is unreachable) and on again."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.port = free_port()
        self.listener: Optional[socket.socket] = None
        self.connections: List[socket.socket] = []

    def on(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(16)
        self.listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def off(self) -> None:
        if self.listener:
            try:
                self.listener.shutdown(socket.SHUT_RDWR)  # wakes the thread blocked in accept()
            except OSError:
                pass
            self.listener.close()
            self.listener = None
        for conn in self.connections:
            try:
                conn.close()
            except OSError:
                pass
        self.connections.clear()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", self.target_port))
            self.connections += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        try:
            while True:
                data = source.recv(65536)
                if not data:
                    break
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for s in (source, sink):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass


# JavaScript run in the page. The widget lives in the open shadow root of #carepath-chat.
ROOT_JS = "document.querySelector('#carepath-chat').shadowRoot"

TURN_DONE_JS = f"""(before) => {{
  const host = document.querySelector('#carepath-chat');
  if (!host) return false;
  const root = host.shadowRoot;
  return root.querySelectorAll('.cp-bot').length > before && root.querySelector('.cp-typing').childElementCount === 0;
}}"""

FOCUSED_JS = """() => {
  const active = document.activeElement;
  if (active && active.id === 'carepath-chat') {
    const inner = active.shadowRoot.activeElement;
    return inner ? 'widget:' + (inner.className || inner.tagName.toLowerCase()) : 'widget:none';
  }
  return active ? 'page:' + active.tagName.toLowerCase() : 'none';
}"""

TRANSCRIPT_JS = f"""() => Array.from({ROOT_JS}.querySelectorAll('.cp-log .cp-msg')).map(m => ({{
  who: m.classList.contains('cp-user') ? 'user' : 'bot',
  text: m.textContent,
  links: Array.from(m.querySelectorAll('a')).map(a => ({{href: a.href, text: a.textContent, target: a.target, rel: a.rel}})),
}}))"""

OVERFLOW_JS = f"""() => {{
  const root = {ROOT_JS};
  const rect = (sel) => {{ const r = root.querySelector(sel).getBoundingClientRect(); return {{left: r.left, right: r.right, top: r.top, bottom: r.bottom}}; }};
  const log = root.querySelector('.cp-log');
  const wide = Array.from(root.querySelectorAll('.cp-panel *')).filter(e => {{
    const r = e.getBoundingClientRect();
    return r.width > 0 && (r.right > window.innerWidth + 0.5 || r.left < -0.5);
  }}).map(e => e.className || e.tagName);
  return {{
    innerWidth: window.innerWidth, innerHeight: window.innerHeight, dpr: window.devicePixelRatio,
    docScroll: document.documentElement.scrollWidth, docClient: document.documentElement.clientWidth,
    logScroll: log.scrollWidth, logClient: log.clientWidth,
    panel: rect('.cp-panel'), input: rect('.cp-input'), send: rect('.cp-send'), close: rect('.cp-close'),
    outside: wide,
  }};
}}"""

FOCUS_STYLE_JS = f"""() => {{
  const el = {ROOT_JS}.activeElement;
  const s = getComputedStyle(el);
  return {{outline: s.outlineStyle, width: parseFloat(s.outlineWidth), color: s.outlineColor, shadow: s.boxShadow}};
}}"""


def rgb(hex_colour: str) -> str:
    """``#RRGGBB`` as the browser's computed ``rgb(r, g, b)``."""
    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgb({r}, {g}, {b})"
