"""A real local HTTP server standing in for the messaging platforms' APIs
(Twilio's REST API, Telegram's Bot API, Slack's Web API, Facebook's Send API),
which this machine cannot reach.  It checks each call's credentials like the
real API would, answers in the real API's shape, and records every call, so
tests see exactly what CarePath would have sent."""
from __future__ import annotations

import base64
import itertools
import json
import re
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Dict, List, Optional
from urllib.parse import parse_qs, urlsplit


@dataclass
class Call:
    api: str  # twilio | telegram | slack | facebook | unknown
    method: str  # API method (sendMessage, chat.postMessage, Messages.json, me/messages)
    path: str
    query: Dict[str, str]
    body: Any
    headers: Dict[str, str] = field(default_factory=dict)


@dataclass
class Secrets:
    twilio_sid: str = "AC" + "0123456789abcdef" * 2
    twilio_token: str = "twilio-auth-token-for-tests"
    telegram_token: str = "123456789:telegram-token-for-tests"
    telegram_bot: str = "carepath_test_bot"
    slack_token: str = "xoxb-slack-token-for-tests"
    slack_signing_secret: str = "slack-signing-secret-for-tests"
    facebook_verify: str = "facebook-verify-token-for-tests"
    facebook_secret: str = "facebook-app-secret-for-tests"
    facebook_token: str = "facebook-page-token-for-tests"

    def values(self) -> List[str]:
        return [self.twilio_token, self.telegram_token, self.slack_token, self.slack_signing_secret,
                self.facebook_secret, self.facebook_token, self.facebook_verify]


class ApiStandIn:
    def __init__(self, secrets: Optional[Secrets] = None) -> None:
        self.secrets = secrets or Secrets()
        self.calls: List[Call] = []
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:  # quiet
                pass

            def do_GET(self) -> None:
                stand_in._handle(self)

            def do_POST(self) -> None:
                stand_in._handle(self)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> "ApiStandIn":
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.server.shutdown()
        self.server.server_close()

    # ---- looking at what was sent -------------------------------------------------
    def recorded(self, api: Optional[str] = None, method: Optional[str] = None) -> List[Call]:
        with self._lock:
            return [c for c in self.calls if (api is None or c.api == api) and (method is None or c.method == method)]

    def wait_for(self, predicate: Callable[[], Any], timeout: float = 20.0) -> Any:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            result = predicate()
            if result:
                return result
            time.sleep(0.05)
        raise AssertionError(f"the stand-in did not receive the expected calls in {timeout}s: {self.calls[-5:]}")

    def twilio_messages(self, to: str) -> List[Dict[str, str]]:
        return [c.body for c in self.recorded("twilio", "Messages.json") if c.body.get("To") == to]

    # ---- serving ------------------------------------------------------------------
    def _handle(self, request: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(request.path)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        length = int(request.headers.get("Content-Length") or 0)
        raw = request.rfile.read(length) if length else b""
        content_type = (request.headers.get("Content-Type") or "").split(";")[0].strip()
        if content_type == "application/json":
            body: Any = json.loads(raw or b"null")
        elif content_type == "application/x-www-form-urlencoded":
            body = {k: v[0] for k, v in parse_qs(raw.decode("utf-8"), keep_blank_values=True).items()}
        else:
            body = raw.decode("utf-8", "replace")
        headers = {k.lower(): v for k, v in request.headers.items()}
        status, answer, call = self._answer(parts.path, query, body, headers)
        with self._lock:
            self.calls.append(call)
        data = json.dumps(answer).encode("utf-8")
        request.send_response(status)
        request.send_header("Content-Type", "application/json")
        request.send_header("Content-Length", str(len(data)))
        request.end_headers()
        request.wfile.write(data)

    def _answer(self, path: str, query: Dict[str, str], body: Any, headers: Dict[str, str]):
        s = self.secrets
        twilio = re.fullmatch(r"/2010-04-01/Accounts/([^/]+)/Messages\.json", path)
        if twilio:
            call = Call("twilio", "Messages.json", path, query, body, headers)
            expected = "Basic " + base64.b64encode(f"{s.twilio_sid}:{s.twilio_token}".encode()).decode()
            if twilio.group(1) != s.twilio_sid or headers.get("authorization") != expected:
                return 401, {"code": 20003, "message": "Authenticate", "status": 401}, call
            sid = f"SM{next(self._ids):032d}"
            return 201, {
                "sid": sid, "account_sid": s.twilio_sid, "to": body.get("To"), "from": body.get("From"),
                "body": body.get("Body"), "status": "queued", "num_segments": "1", "direction": "outbound-api",
                "api_version": "2010-04-01", "uri": f"{path[:-5]}/{sid}.json",
            }, call
        telegram = re.fullmatch(r"/bot([^/]+)/(\w+)", path)
        if telegram:
            method = telegram.group(2)
            call = Call("telegram", method, path, query, body, headers)
            if telegram.group(1) != s.telegram_token:
                return 401, {"ok": False, "error_code": 401, "description": "Unauthorized"}, call
            if method == "getMe":
                result: Any = {"id": 42, "is_bot": True, "first_name": "CarePath", "username": s.telegram_bot}
            elif method == "sendMessage":
                result = {"message_id": next(self._ids), "date": int(time.time()),
                          "chat": {"id": int(body["chat_id"]), "type": "private"}, "text": body.get("text")}
            else:
                result = True
            return 200, {"ok": True, "result": result}, call
        slack = re.fullmatch(r"/api/([\w.]+)", path)
        if slack:
            call = Call("slack", slack.group(1), path, query, body, headers)
            if headers.get("authorization") != f"Bearer {s.slack_token}":
                return 200, {"ok": False, "error": "invalid_auth"}, call
            return 200, {"ok": True, "channel": (body or {}).get("channel"), "ts": f"{time.time():.6f}"}, call
        facebook = re.fullmatch(r"/v[\d.]+/me/messages", path)
        if facebook:
            call = Call("facebook", "me/messages", path, query, body, headers)
            if query.get("access_token") != s.facebook_token:
                return 400, {"error": {"message": "Invalid OAuth access token", "type": "OAuthException", "code": 190}}, call
            return 200, {"recipient_id": body["recipient"]["id"], "message_id": f"mid.{next(self._ids)}"}, call
        return 404, {"error": "unknown API path"}, Call("unknown", path, path, query, body, headers)
