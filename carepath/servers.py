"""Start the real action server and Rasa server on free ports (tests, bench)."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Dict, Iterator, List, Optional

import requests

from carepath.credentials import write_credentials
from carepath.endpoints import write_endpoints

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _env() -> dict:
    return dict(os.environ, RASA_TELEMETRY_ENABLED="false", TF_CPP_MIN_LOG_LEVEL="2", PYTHONWARNINGS="ignore")


def wait_for(url: str, process: subprocess.Popen, log: Path, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url}: server exited with {process.returncode}:\n{log.read_text()[-4000:]}")
        try:
            if requests.get(url, timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.5)
    raise TimeoutError(f"{url} did not come up in {timeout}s:\n{log.read_text()[-4000:]}")


def start(args: List[str], log: Path, cwd: Path = ROOT, env: Optional[Dict[str, str]] = None) -> subprocess.Popen:
    handle = log.open("w")
    return subprocess.Popen(
        [sys.executable, "-m", "rasa", *args], cwd=cwd, env={**_env(), **(env or {})}, stdout=handle, stderr=subprocess.STDOUT
    )


def rss_mb(process: Optional[subprocess.Popen]) -> float:
    """Resident memory of a running process, in MB (Linux /proc)."""
    if process is None or process.poll() is not None:
        return float("nan")
    for line in Path(f"/proc/{process.pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def stop(process: Optional[subprocess.Popen]) -> None:
    if process and process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


class Servers:
    def __init__(
        self,
        workdir: Path,
        tracker_db_url: Optional[str] = None,
        redis_url: Optional[str] = None,
        env: Optional[Dict[str, str]] = None,
    ) -> None:
        self.workdir = workdir
        self.env = env or {}  # extra environment for both servers
        self.actions_port = free_port()
        self.rasa_port = free_port()
        self.tracker_db = workdir / "trackers.db"
        self.endpoints = write_endpoints(
            workdir / "endpoints.yml",
            f"http://127.0.0.1:{self.actions_port}/webhook",
            str(self.tracker_db),
            tracker_db_url=tracker_db_url,
            redis_url=redis_url,
        )
        # credentials.yml plus the messaging channels whose variables are in the environment
        self.credentials = write_credentials(workdir / "carepath-credentials.yml", {**os.environ, **self.env})
        self.model = ROOT / "models" / "carepath.tar.gz"
        self.actions: Optional[subprocess.Popen] = None
        self.rasa: Optional[subprocess.Popen] = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.rasa_port}"

    @property
    def webhook(self) -> str:
        return self.url + "/webhooks/rest/webhook"

    def start_actions(self, *extra_args: str) -> None:
        log = self.workdir / "actions.log"
        self.actions = start(["run", "actions", "--port", str(self.actions_port), *extra_args], log, env=self.env)
        wait_for(f"http://127.0.0.1:{self.actions_port}/health", self.actions, log)

    def start_rasa(self) -> None:
        self.rasa = self.start_rasa_instance(self.rasa_port, "rasa.log")

    def start_rasa_instance(self, port: int, log_name: str, *extra_args: str) -> subprocess.Popen:
        """Another Rasa server on ``port`` with the same model and endpoints."""
        log = self.workdir / log_name
        process = start(
            ["run", "-m", str(self.model), "--port", str(port),
             "--credentials", str(self.credentials), "--endpoints", str(self.endpoints), *extra_args],
            log,
            env=self.env,
        )
        try:
            wait_for(f"http://127.0.0.1:{port}/", process, log)
        except Exception:
            stop(process)
            raise
        return process

    def stop(self) -> None:
        stop(self.rasa)
        stop(self.actions)


# For load and fuzz tests, which send many messages from one sender.
NO_RATE_LIMIT = {"CAREPATH_RATE_LIMIT": "1000000/1"}


@contextmanager
def running(workdir: Path, env: Optional[Dict[str, str]] = None) -> Iterator[Servers]:
    servers = Servers(workdir, env=env)
    try:
        servers.start_actions()
        servers.start_rasa()
        yield servers
    finally:
        servers.stop()
