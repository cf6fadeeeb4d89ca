"""Schools over the real servers: the overlay answer and the payload's school,
and the page-origin check on REST (403) and socket.io (connection refused)."""
from __future__ import annotations

import asyncio
import uuid

import pytest
import requests
import socketio

from carepath.servers import running
from rasa_cli import require_model

TECH_ORIGIN = "https://www.example-tech.example"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    require_model()
    with running(tmp_path_factory.mktemp("schools-e2e")) as servers:
        yield servers


def post(server, message, school=None, origin=None):
    body = {"sender": uuid.uuid4().hex, "message": message}
    if school:
        body["metadata"] = {"school_id": school}
    headers = {"Origin": origin} if origin else {}
    return requests.post(server.webhook, json=body, headers=headers, timeout=30)


def test_school_page_gets_the_program_overlay_with_citation(server):
    reply = post(server, "how long is the medical assistant program?", "example-tech", TECH_ORIGIN)
    assert reply.status_code == 200
    messages = reply.json()
    text = "\n".join(m.get("text", "") for m in messages)
    assert "At Example Tech Institute, the Medical Assistant Certificate takes 9 months" in text
    payload = messages[-1]["custom"]
    assert payload["school"] == "example-tech" and payload["topic"] == "program"
    assert payload["sources"][0]["url"] == "https://www.example-tech.example/programs/medical-assistant"


def test_general_page_payload_has_a_null_school(server):
    payload = post(server, "what do phlebotomists do?").json()[-1]["custom"]
    assert payload["school"] is None


def test_unknown_school_is_answered_by_the_general_assistant(server):
    payload = post(server, "hello", "no-such-school").json()[-1]["custom"]
    assert payload["school"] is None and payload["answer_id"] == "conversation.greet"
    assert "Unknown school_id 'no-such-school'" in (server.workdir / "actions.log").read_text()


@pytest.mark.parametrize(
    "school,origin,status",
    [
        ("example-tech", TECH_ORIGIN, 200),
        ("example-tech", "https://www.riverbend-college.example", 403),  # another school's site
        ("example-tech", "https://evil.example", 403),
        (None, TECH_ORIGIN, 403),  # a school's site, but not on the general list
        (None, "http://localhost:8080", 200),  # the general demo page
        ("riverbend-college", None, 200),  # not a browser
    ],
)
def test_rest_checks_the_page_origin(server, school, origin, status):
    reply = post(server, "hi", school, origin)
    assert reply.status_code == status, reply.text
    if status == 403:
        assert "origin is not allowed" in reply.json()["error"]


async def _chat(server, origin, school, claimed_school=None):
    client = socketio.AsyncClient()
    received, done = [], asyncio.Event()

    @client.on("bot_uttered")
    async def on_bot(data):
        received.append(data)
        if "custom" in data:
            done.set()

    headers = {"Origin": origin} if origin else {}
    await client.connect(
        server.url, socketio_path="/socket.io", transports=["websocket"], headers=headers,
        auth={"school_id": school} if school else None, wait_timeout=10,
    )
    session = uuid.uuid4().hex
    await client.emit("session_request", {"session_id": session})
    await client.emit(
        "user_uttered",
        {"message": "how long is the medical assistant program?", "session_id": session,
         "metadata": {"school_id": claimed_school or school}},
    )
    await asyncio.wait_for(done.wait(), 30)
    await client.disconnect()
    return received[-1]["custom"]


def test_socketio_allowed_origin_answers_for_its_school(server):
    payload = asyncio.run(_chat(server, TECH_ORIGIN, "example-tech"))
    assert payload["school"] == "example-tech" and payload["answer_id"] == "example-tech.medical_assistant"


def test_socketio_message_cannot_claim_another_school(server):
    payload = asyncio.run(_chat(server, TECH_ORIGIN, "example-tech", claimed_school="riverbend-college"))
    assert payload["school"] == "example-tech"


def test_socketio_refuses_a_page_on_another_origin(server):
    with pytest.raises(socketio.exceptions.ConnectionError):
        asyncio.run(_chat(server, "https://evil.example", "example-tech"))
    with pytest.raises(socketio.exceptions.ConnectionError):
        asyncio.run(_chat(server, TECH_ORIGIN, "riverbend-college"))
