"""Faults with real servers: the action server stops mid-conversation and comes back."""
from __future__ import annotations

import time
import uuid

import pytest
import requests

from carepath.servers import running, stop
from rasa_cli import require_model


@pytest.fixture
def server(tmp_path):
    require_model()
    with running(tmp_path) as servers:
        yield servers


def ask(server, sender, message):
    response = requests.post(server.webhook, json={"sender": sender, "message": message}, timeout=30)
    assert response.status_code == 200, response.text
    replies = response.json()
    assert replies and "custom" in replies[-1], replies
    return replies


def test_action_server_down_and_back(server, capsys):
    sender = uuid.uuid4().hex
    assert ask(server, sender, "how much do phlebotomists make?")[-1]["custom"]["topic"] == "pay"

    stop(server.actions)  # the action server goes away mid-conversation
    for message in ("and for CNAs?", "what do they do all day?"):
        replies = ask(server, sender, message)
        payload = replies[-1]["custom"]
        assert payload["topic"] == "handoff" and payload["answer_id"] == "conversation.service_unavailable"
        text = " ".join(r.get("text", "") for r in replies)
        assert "try again" in text and "@" in text  # apology plus a way to reach a person
        assert any(b["payload"] == "/handoff" for r in replies for b in r.get("buttons", []))

    server.start_actions()  # back on the same port
    back = time.perf_counter()
    replies = ask(server, sender, "and for CNAs?")
    recovery = time.perf_counter() - back
    payload = replies[-1]["custom"]
    # answers resume, and the context from before the outage is still there
    assert (payload["topic"], payload["role"]) == ("pay", "nursing_assistant")
    with capsys.disabled():
        print(f"\naction server back: first normal answer after {recovery * 1000:.0f} ms")


def test_rasa_server_restart_keeps_the_context(server):
    sender = uuid.uuid4().hex
    first = ask(server, sender, "how long does it take to become a medical assistant?")[-1]["custom"]
    assert (first["topic"], first["role"]) == ("education", "medical_assistant")
    stop(server.rasa)
    server.start_rasa()  # same SQLite database, fresh process, empty cache
    payload = ask(server, sender, "how much do they make?")[-1]["custom"]
    assert (payload["topic"], payload["role"]) == ("pay", "medical_assistant")
    payload = ask(server, sender, "and for phlebotomists?")[-1]["custom"]
    assert (payload["topic"], payload["role"]) == ("pay", "phlebotomy_technician")
