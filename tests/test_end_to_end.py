"""End to end: the real action server and Rasa server on free ports, over REST
and socket.io, with the SQLite tracker store."""
from __future__ import annotations

import asyncio
import sqlite3
import uuid

import pytest
import requests
import socketio

from rasa_cli import require_model
from carepath.servers import running


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    require_model()
    with running(tmp_path_factory.mktemp("e2e")) as servers:
        yield servers


def ask(server, message, sender=None):
    response = requests.post(
        server.url + "/webhooks/rest/webhook",
        json={"sender": sender or uuid.uuid4().hex, "message": message},
        timeout=30,
    )
    assert response.status_code == 200, response.text
    replies = response.json()
    assert replies, f"no reply to {message!r}"
    assert "custom" in replies[-1], f"turn does not end with the payload: {replies}"
    text = "\n".join(r.get("text", "") for r in replies if "text" in r)
    return text, replies[-1]["custom"], replies


def test_acceptance_question(server):
    text, payload, _ = ask(server, "what certifications do medical assistants need?")
    for credential in ("CMA", "RMA", "CCMA"):
        assert credential in text
    assert payload["topic"] == "certification"
    assert payload["role"] == "medical_assistant"
    assert payload["answer_id"] == "medical_assistant.certification"
    assert payload["sources"] and all(s["url"].startswith("http") for s in payload["sources"])


def test_context_carries_over_between_turns(server):
    sender = uuid.uuid4().hex
    _, payload, _ = ask(server, "how long does it take to become a medical assistant", sender)
    assert (payload["topic"], payload["role"]) == ("education", "medical_assistant")
    _, payload, _ = ask(server, "how much do they make?", sender)
    assert (payload["topic"], payload["role"]) == ("pay", "medical_assistant")
    text, payload, _ = ask(server, "and for CNAs?", sender)
    assert (payload["topic"], payload["role"]) == ("pay", "nursing_assistant")
    assert "$" in text


def test_comparison_and_clarification(server):
    _, payload, _ = ask(server, "what's the difference between an MA and a CNA?")
    assert payload["topic"] == "comparison"
    assert payload["role"] == ["medical_assistant", "nursing_assistant"]
    sender = uuid.uuid4().hex
    _, payload, replies = ask(server, "how much do they make?", sender)
    assert payload["topic"] == "clarify"
    button = replies[0]["buttons"][0]
    _, payload, _ = ask(server, button["payload"], sender)
    assert payload["topic"] == "pay" and payload["role"] is not None


def test_crisis_before_faq_and_stress_is_stress(server):
    text, payload, _ = ask(server, "honestly this job makes me want to kill myself")
    assert payload["topic"] == "crisis"
    assert "988" in text and "988lifeline.org" in text and "911" in text
    _, payload, _ = ask(server, "this job is killing me lol, how do people cope")
    assert payload["topic"] == "stress"


def test_medical_advice_out_of_scope_and_handoff(server):
    _, payload, _ = ask(server, "I have chest pain, what medicine should I take?")
    assert payload["topic"] == "medical_advice"
    _, payload, _ = ask(server, "what's the weather in Chicago tomorrow?")
    assert payload["topic"] == "out_of_scope"
    text, payload, _ = ask(server, "can I talk to an advisor?")
    assert payload["topic"] == "handoff" and "@" in text


@pytest.mark.parametrize(
    "message,answer_id",
    [
        ("", "conversation.empty_message"),
        ("    ", "conversation.empty_message"),
        ("😀🙏😀", "conversation.unreadable_message"),
        ("please help " * 1000, "conversation.too_long_message"),
        ("<img src=x onerror=alert(1)>", "conversation.unreadable_message"),
    ],
)
def test_bad_input_gets_a_friendly_reply(server, message, answer_id):
    text, payload, _ = ask(server, message)
    assert payload["answer_id"] == answer_id
    assert text.strip()


def test_html_around_a_question_is_answered(server):
    text, payload, _ = ask(server, "<b>how much do phlebotomists make?</b>")
    assert (payload["topic"], payload["role"]) == ("pay", "phlebotomy_technician")
    assert "<b>" not in text


def test_malformed_requests_do_not_crash_the_server(server):
    url = server.url + "/webhooks/rest/webhook"
    for body in ("not json", "{}", '{"sender": 5}', "[1, 2]", '{"sender": "a", "message": 7}', '{"sender": "", "message": "hi"}', "null"):
        response = requests.post(url, data=body, headers={"Content-Type": "application/json"}, timeout=30)
        assert response.status_code == 400, (body, response.status_code, response.text)
        assert "sender" in response.json()["error"]
    text, payload, _ = ask(server, "hello")
    assert payload["topic"] == "greet"


def test_conversations_are_stored_in_sqlite(server):
    sender = uuid.uuid4().hex
    ask(server, "how much do phlebotomists make?", sender)
    with sqlite3.connect(server.tracker_db) as db:
        rows = db.execute("select count(*) from events where sender_id = ?", (sender,)).fetchone()[0]
    assert rows > 0


def test_socketio_channel_delivers_text_and_payload(server):
    async def converse():
        client = socketio.AsyncClient()
        received = []
        confirmed = asyncio.Event()
        got_payload = asyncio.Event()

        @client.on("session_confirm")
        async def on_confirm(session_id):
            confirmed.set()

        @client.on("bot_uttered")
        async def on_bot(data):
            received.append(data)
            if "custom" in data:
                got_payload.set()

        await client.connect(server.url, socketio_path="/socket.io", transports=["websocket"])
        session = uuid.uuid4().hex
        await client.emit("session_request", {"session_id": session})
        await asyncio.wait_for(confirmed.wait(), 10)
        await client.emit("user_uttered", {"message": "what do phlebotomists do?", "session_id": session})
        await asyncio.wait_for(got_payload.wait(), 30)
        await client.disconnect()
        return received

    received = asyncio.run(converse())
    assert any("text" in m for m in received)
    payload = received[-1]["custom"]
    assert payload["topic"] == "duties" and payload["role"] == "phlebotomy_technician"
    assert payload["sources"]
