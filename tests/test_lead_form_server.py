"""The advisor contact form end to end: a real Rasa server and action server,
conversations over REST, leads in the real database, `make leads` export, and
no lead's personal data in either server's log, even at debug level."""
from __future__ import annotations

import csv
import io
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from carepath import leads
from carepath.servers import NO_RATE_LIMIT, Servers

ROOT = Path(__file__).resolve().parent.parent
NAME, EMAIL, PHONE = "Maria Quintero-Lopez", "maria.q@example.com", "(555) 987-6543"


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("lead-form")
    db_url = f"sqlite:///{workdir / 'carepath.db'}"
    running = Servers(workdir, env={"CAREPATH_DB_URL": db_url, **NO_RATE_LIMIT})
    running.db_url = db_url
    try:
        # --debug: Rasa and rasa_sdk then log user texts, slots and events; none may show a lead's data
        running.start_actions("--debug")
        running.rasa = running.start_rasa_instance(running.rasa_port, "rasa.log", "--debug")
        yield running
    finally:
        running.stop()


class Visitor:
    def __init__(self, servers, sender: str, school=None):
        self.servers, self.sender, self.school = servers, sender, school

    def say(self, text: str):
        body = {"sender": self.sender, "message": text}
        if self.school:
            body["metadata"] = {"school_id": self.school}
        reply = requests.post(self.servers.webhook, json=body, timeout=30)
        assert reply.status_code == 200, reply.text
        messages = reply.json()
        assert messages and "custom" in messages[-1], messages
        self.text = "\n".join(m.get("text", "") for m in messages)
        self.payloads = [m["custom"] for m in messages if "custom" in m]
        self.buttons = [b for m in messages for b in m.get("buttons", [])]
        return self


def rows(servers, school=None):
    return leads.query(school, url=servers.db_url)


def test_happy_path_with_an_interruption_stores_one_lead(servers):
    visitor = Visitor(servers, "lead-happy", "example-tech")
    assert "What's your name?" in visitor.say("can an advisor call me?").text
    assert "Jordan Lee" in visitor.text  # the school's advisor
    assert "email address or phone number" in visitor.say(NAME).text
    # a question mid-form is answered from the knowledge base, then the form asks again
    visitor.say("wait, how much do nursing assistants make?")
    assert visitor.payloads[0]["answer_id"] == "nursing_assistant.pay"
    assert "email address or phone number" in visitor.text
    assert "doesn't look like an email" in visitor.say("maria.q@example").text  # invalid: asked again
    assert "Which program" in visitor.say(EMAIL).text
    assert [b["title"] for b in visitor.buttons][0] == "Medical Assistant Certificate"
    visitor.say(visitor.buttons[0]["payload"])  # the button, as the widget sends it
    assert "When is a good time" in visitor.text
    assert "May Example Tech Institute contact you at maria.q@example.com" in visitor.say("weekday evenings").text
    assert rows(servers, "example-tech") == []  # nothing before consent
    visitor.say("yes")
    assert "you'll hear from Jordan Lee" in visitor.text
    stored = [r for r in rows(servers, "example-tech") if r["conversation_id"] == "lead-happy"]
    assert len(stored) == 1
    assert stored[0]["name"] == NAME and stored[0]["email"] == EMAIL and stored[0]["program"] == "medical_assistant"
    # after the form, questions are answered as usual
    assert visitor.say("what does a phlebotomist do?").payloads[-1]["answer_id"] == "phlebotomy_technician.duties"


def test_no_consent_stores_nothing(servers):
    visitor = Visitor(servers, "lead-no", "riverbend-college")
    visitor.say("i want to talk to someone")
    visitor.say("Sam")
    visitor.say(PHONE)
    visitor.say("not sure yet")
    assert "May Riverbend Community College contact you at +15559876543" in visitor.say("any time").text
    assert "haven't stored any of your details" in visitor.say("no").text
    assert [r for r in rows(servers) if r["conversation_id"] == "lead-no"] == []


def test_yes_then_no_thanks(servers):
    visitor = Visitor(servers, "lead-yes-no")
    visitor.say("can someone call me?")
    assert "What name should" in visitor.say("yes").text
    assert "haven't stored any of your details" in visitor.say("no thanks").text
    assert visitor.say("what do phlebotomists do?").payloads[-1]["answer_id"] == "phlebotomy_technician.duties"


def test_cancel_midway_stores_nothing_and_answers_go_on(servers):
    visitor = Visitor(servers, "lead-cancel")
    visitor.say("how do I enroll?")
    visitor.say("Alex")
    assert "stopped" in visitor.say("never mind").text
    assert [r for r in rows(servers) if r["conversation_id"] == "lead-cancel"] == []
    assert visitor.say("what certifications do medical assistants need?").payloads[-1]["topic"] == "certification"


def test_crisis_during_the_form_gets_988_and_ends_the_form(servers):
    visitor = Visitor(servers, "lead-crisis")
    visitor.say("please have someone call me")
    visitor.say("I don't want to live anymore")
    assert "988" in visitor.text and visitor.payloads[0]["topic"] == "crisis"
    # the form is over: the next message is not taken as a name
    assert visitor.say("how much do medical assistants make?").payloads[-1]["answer_id"] == "medical_assistant.pay"


def test_make_leads_exports_csv_for_a_school(servers):
    if not [r for r in rows(servers, "example-tech")]:
        test_happy_path_with_an_interruption_stores_one_lead(servers)
    result = subprocess.run(
        ["make", "-s", "leads", "SCHOOL=example-tech"], cwd=ROOT, capture_output=True, text=True,
        env={**__import__("os").environ, "CAREPATH_DB_URL": servers.db_url}, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    exported = list(csv.DictReader(io.StringIO(result.stdout)))
    assert exported and {r["school_id"] for r in exported} == {"example-tech"}
    assert exported[0]["email"] == EMAIL


def test_no_lead_personal_data_in_the_logs(servers):
    if not rows(servers, "example-tech"):
        test_happy_path_with_an_interruption_stores_one_lead(servers)
    logs = (servers.workdir / "rasa.log").read_text() + (servers.workdir / "actions.log").read_text()
    assert "DEBUG" in logs and "lead_form" in logs  # the logs are detailed, and cover the form
    for secret in (NAME, "Quintero", EMAIL, "maria.q@", "987-6543", "5559876543", "weekday evenings"):
        assert secret not in logs, f"{secret!r} appears in a log"


def test_many_questions_mid_form_then_the_form_goes_on(servers):
    """Interruptions push the form's start out of the policies' bounded history
    (CachedSQLTrackerStore keeps 40 events); the form must still resume."""
    visitor = Visitor(servers, "lead-long", "example-tech")
    visitor.say("can an advisor call me?")
    questions = [
        ("how much do CNAs make?", "nursing_assistant.pay"),
        ("what do phlebotomists do?", "phlebotomy_technician.duties"),
        ("is it stressful?", "phlebotomy_technician.stress"),
        ("what about the job outlook?", "phlebotomy_technician.outlook"),
        ("how much do medical assistants make?", "medical_assistant.pay"),
        ("what certifications do medical assistants need?", "medical_assistant.certification+example-tech.medical_assistant"),
    ]
    for question, answer_id in questions:
        visitor.say(question)
        assert visitor.payloads[0]["answer_id"] == answer_id
        assert "What's your name?" in visitor.text  # and the form asks again
    assert "email address or phone number" in visitor.say("Robin").text
    assert "Which program" in visitor.say("robin@example.com").text


def test_no_turn_adds_more_events_than_the_bounded_history_holds(servers):
    """carepath/tracker_store.py: events leaving the 40-event history before
    they are saved would be lost; the busiest turns (a question in the middle of
    the contact form, a conversation's first turn) stay well below that."""
    import sqlalchemy as sa

    engine = sa.create_engine(f"sqlite:///{servers.tracker_db}")
    with engine.connect() as connection:
        rows = connection.execute(sa.text("select sender_id, type_name from events order by id")).fetchall()
    largest, current = 0, {}
    for sender, type_name in rows:
        if type_name == "user":
            current[sender] = 0
        current[sender] = current.get(sender, 0) + 1
        largest = max(largest, current[sender])
    print(f"\nmost events added by one turn: {largest}")
    assert 10 <= largest <= 30, largest
