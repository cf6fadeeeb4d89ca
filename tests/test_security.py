"""Security and privacy with a real server: API token, CORS, rate limit, no
personal data in logs (the server runs with --debug, which logs user texts)."""
from __future__ import annotations

import uuid

import pytest
import requests

from carepath.log_privacy import redact
from carepath.rate_limit import RateLimiter, parse
from carepath.servers import Servers
from rasa_cli import require_model

TOKEN = "test-token-" + uuid.uuid4().hex[:8]
ALLOWED = "https://enroll.example-tech.edu"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    require_model()
    servers = Servers(tmp_path_factory.mktemp("security"), env={"CAREPATH_RATE_LIMIT": "5/60"})
    try:
        servers.start_actions()
        servers.rasa = servers.start_rasa_instance(
            servers.rasa_port, "rasa.log", "--debug", "--enable-api", "--auth-token", TOKEN, "--cors", ALLOWED
        )
        yield servers
    finally:
        servers.stop()


def test_http_api_needs_the_token(server):
    assert requests.get(server.url + "/status", timeout=10).status_code == 401
    assert requests.get(server.url + "/status", params={"token": "wrong"}, timeout=10).status_code == 401
    assert requests.get(server.url + "/status", params={"token": TOKEN}, timeout=10).status_code == 200


def test_cors_only_for_listed_origins(server):
    def preflight(origin):
        return requests.options(
            server.url + "/webhooks/rest/webhook",
            headers={"Origin": origin, "Access-Control-Request-Method": "POST"},
            timeout=10,
        ).headers.get("Access-Control-Allow-Origin")

    assert preflight(ALLOWED) == ALLOWED
    assert preflight("https://evil.example") is None


def test_rate_limit_answers_politely_with_429(server):
    sender = "fast-" + uuid.uuid4().hex[:6]
    codes = []
    for _ in range(7):
        response = requests.post(server.webhook, json={"sender": sender, "message": "how much do CNAs make?"}, timeout=30)
        codes.append(response.status_code)
    assert codes[:5] == [200] * 5 and codes[5:] == [429, 429]
    replies = response.json()
    assert "wait" in replies[0]["text"] and replies[-1]["custom"]["answer_id"] == "conversation.rate_limited"
    assert response.headers["Retry-After"] == "60"
    other = requests.post(server.webhook, json={"sender": "calm-" + sender, "message": "hi"}, timeout=30)
    assert other.status_code == 200  # other visitors are not affected


def test_no_email_or_phone_in_the_logs(server):
    email, phone = "jane.doe" + uuid.uuid4().hex[:6] + "@example.com", "(555) 867-5309"
    for text in (f"my email is {email}", f"call me at {phone} about CNA classes"):
        requests.post(server.webhook, json={"sender": "pii-" + uuid.uuid4().hex[:6], "message": text}, timeout=30)
    for log in ("rasa.log", "actions.log"):
        content = (server.workdir / log).read_text()
        assert email not in content and phone not in content, log
    assert "[email]" in (server.workdir / "rasa.log").read_text()  # the debug log did mention it, redacted


@pytest.mark.parametrize(
    "text,expected",
    [
        ("write to jane.doe+cna@school.edu today", "write to [email] today"),
        ("call 555-867-5309 or (555) 867 5309 or +1 555.867.5309", "call [phone] or [phone] or [phone]"),
        ("the exam has 200 items and costs $119", "the exam has 200 items and costs $119"),
        ("median $44,200 in May 2024", "median $44,200 in May 2024"),
    ],
)
def test_redaction(text, expected):
    assert redact(text) == expected


def test_rate_limiter_window():
    limiter = RateLimiter(2, 10)
    assert [limiter.allow_now("a", now=t) for t in (0, 1, 2)] == [True, True, False]
    assert limiter.allow_now("a", now=10.5) is True  # the first message left the window
    assert parse("30/15") == (30, 15.0)
    with pytest.raises(ValueError, match="CAREPATH_RATE_LIMIT"):
        parse("lots")
