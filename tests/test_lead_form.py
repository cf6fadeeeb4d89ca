"""The advisor contact form's actions, run with real rasa_sdk Tracker and
CollectingDispatcher objects, and the leads table they write to."""
from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pytest
import yaml

from actions.lead_form import (
    ActionCancelLead,
    ActionSubmitLead,
    AskLeadConsent,
    AskLeadProgram,
    ValidateLeadForm,
    parse_contact,
)
from carepath import leads

ROOT = Path(__file__).resolve().parent.parent
DOMAIN = yaml.safe_load((ROOT / "domain.yml").read_text())
validate = ValidateLeadForm()


@pytest.fixture
def leads_db(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'leads.db'}"
    monkeypatch.setenv("CAREPATH_DB_URL", url)
    return url


def answer(convo, slot: str, text: str, intent: str = "nlu_fallback", roles=(), confidence: float = 1.0):
    """The user answers while the form asks for ``slot``."""
    convo.slots["requested_slot"] = slot
    convo.say(validate, text, intent, roles, domain=DOMAIN, confidence=confidence)
    return convo


@pytest.mark.parametrize(
    "text,expected",
    [
        ("maria@example.com", {"email": "maria@example.com"}),
        ("it's Maria.Lopez+1@Mail.Example.org thanks", {"email": "maria.lopez+1@mail.example.org"}),
        ("(555) 123-4567", {"phone": "+15551234567"}),
        ("call 1-555-123-4567 after 5", {"phone": "+15551234567"}),
        ("+44 20 7946 0958", {"phone": "+442079460958"}),
        ("maria@example", None),
        ("555-0142", None),
        ("not-an-email", None),
        ("", None),
    ],
)
def test_contact_parsing(text, expected):
    assert parse_contact(text) == expected


def test_happy_path_fills_every_slot(convo_factory):
    convo = convo_factory("example-tech")
    assert answer(convo, "lead_name", "my name is Maria Lopez").slots["lead_name"] == "Maria Lopez"
    assert answer(convo, "lead_contact", "maria@example.com").slots["lead_contact"] == "maria@example.com"
    answer(convo, "lead_program", "medical assistant", "inform_role", ["medical assistant"])
    assert convo.slots["lead_program"] == "medical_assistant"
    assert answer(convo, "lead_contact_time", "weekday evenings").slots["lead_contact_time"] == "weekday evenings"
    assert answer(convo, "lead_consent", "/affirm", "affirm").slots["lead_consent"] is True


def test_invalid_email_is_asked_again(convo_factory):
    convo = answer(convo_factory(None), "lead_contact", "maria@example")
    assert convo.slots["lead_contact"] is None
    assert "doesn't look like an email address or a phone number" in convo.messages[0]["text"]
    # the form re-asks because the slot is still empty; a valid reply then fills it
    assert answer(convo, "lead_contact", "555.123.4567").slots["lead_contact"] == "+15551234567"


@pytest.mark.parametrize(
    "slot,text,intent",
    [
        ("lead_name", "how much do CNAs make?", "ask_pay"),
        ("lead_name", "tell me about pay for medical assistants", "ask_pay"),
        ("lead_contact", "what does a phlebotomist do?", "ask_duties"),
        ("lead_contact_time", "is the job stressful?", "ask_stress"),
        ("lead_consent", "what happens to my data?", "out_of_scope"),
        ("lead_name", "cancel", "cancel"),
        ("lead_contact", "I want to end my life", "crisis"),
    ],
)
def test_questions_and_cancel_are_not_taken_as_answers(convo_factory, slot, text, intent):
    convo = answer(convo_factory(None), slot, text, intent)
    assert convo.events == []  # nothing extracted: the form is rejected and the rules take over
    assert convo.slots[slot] is None


def test_program_accepts_not_sure_and_rejects_nonsense(convo_factory):
    convo = answer(convo_factory(None), "lead_program", "not sure yet")
    assert convo.slots["lead_program"] == "undecided"
    convo = answer(convo_factory(None), "lead_program", "basket weaving")
    assert convo.slots["lead_program"] is None
    assert "didn't catch which role" in convo.messages[0]["text"]


def test_unclear_consent_is_asked_again(convo_factory):
    convo = answer(convo_factory(None), "lead_consent", "hmm maybe later")
    assert convo.slots["lead_consent"] is None
    assert "Please answer yes or no" in convo.messages[0]["text"]
    assert answer(convo, "lead_consent", "no", "deny").slots["lead_consent"] is False


def test_program_buttons_are_the_schools_programs(convo_factory):
    convo = convo_factory("example-tech")
    convo.say(AskLeadProgram(), "", None)
    titles = [b["title"] for b in convo.messages[0]["buttons"]]
    assert titles == [
        "Medical Assistant Certificate", "Phlebotomy Technician Certificate", "Medical Billing and Coding Diploma",
        "Not sure yet",
    ]


def test_consent_question_names_the_school(convo_factory):
    convo = convo_factory("example-tech")
    convo.slots.update(lead_contact="maria@example.com", lead_program="medical_assistant")
    convo.say(AskLeadConsent(), "", None)
    assert convo.messages[0]["text"].startswith(
        "May Example Tech Institute contact you at maria@example.com about the medical assistant program?"
    )
    assert [b["payload"] for b in convo.messages[0]["buttons"]] == ["/affirm", "/deny"]


def filled(convo, consent):
    convo.slots.update(
        lead_name="Maria Lopez", lead_contact="maria@example.com", lead_program="medical_assistant",
        lead_contact_time="weekday evenings", lead_consent=consent, requested_slot=None,
    )
    return convo


def test_consent_stores_the_lead_with_school_and_time(convo_factory, leads_db):
    before = leads.utcnow()
    convo = filled(convo_factory("example-tech"), True)
    convo.say(ActionSubmitLead(), "/affirm", "affirm")
    rows = leads.query(url=leads_db)
    assert len(rows) == 1
    row = rows[0]
    assert row["school_id"] == "example-tech" and row["name"] == "Maria Lopez"
    assert row["email"] == "maria@example.com" and row["phone"] is None
    assert row["program"] == "medical_assistant" and row["contact_time"] == "weekday evenings"
    assert "May Example Tech Institute contact you" in row["consent_text"]
    assert before <= row["created_at"] <= leads.utcnow()
    assert "Jordan Lee" in convo.text  # the school's advisor will reach out
    assert all(convo.slots[s] is None for s in ("lead_name", "lead_contact", "lead_consent"))  # cleared


def test_no_consent_stores_nothing(convo_factory, leads_db):
    convo = filled(convo_factory("example-tech"), False)
    convo.say(ActionSubmitLead(), "no", "deny")
    assert leads.query(url=leads_db) == []
    assert "haven't stored any of your details" in convo.text
    assert convo.slots["lead_name"] is None and convo.slots["lead_contact"] is None


def test_cancel_clears_the_form_and_stores_nothing(convo_factory, leads_db):
    convo = filled(convo_factory(None), None)
    convo.active_loop = "lead_form"
    convo.say(ActionCancelLead(), "cancel", "cancel")
    assert convo.active_loop is None
    assert leads.query(url=leads_db) == []
    assert convo.slots["lead_name"] is None
    assert "haven't stored any of your details" in convo.text


def test_export_csv_filters_by_school_and_date(leads_db):
    def lead(school):
        return leads.Lead(school, "Ana", "ana@example.com", None, "medical_assistant", "mornings", "consent", "s1")

    leads.save(lead("example-tech"), now=dt.datetime(2026, 10, 1, 12))
    leads.save(lead("example-tech"), now=dt.datetime(2026, 11, 2, 12))
    leads.save(lead("riverbend-college"), now=dt.datetime(2026, 11, 3, 12))
    out = io.StringIO()
    leads.write_csv(leads.query("example-tech", since=dt.datetime(2026, 11, 1)), out)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert [r["school_id"] for r in rows] == ["example-tech"]
    assert rows[0]["created_at"] == "2026-11-02T12:00:00Z" and rows[0]["email"] == "ana@example.com"
    assert list(rows[0]) == leads.CSV_FIELDS
    assert leads.count(url=leads_db) == 3
    assert leads.purge(dt.datetime(2026, 11, 1), url=leads_db) == 1
    assert leads.count(url=leads_db) == 2


def test_no_thanks_to_the_name_question_is_not_a_name(convo_factory):
    convo = answer(convo_factory(None), "lead_name", "no thanks", "deny")
    assert convo.events == []  # not an answer: the rules end the form (cancel)


def test_yes_to_the_offer_asks_just_for_the_name(convo_factory):
    from actions.lead_form import AskLeadName

    convo = answer(convo_factory("example-tech"), "lead_name", "yes", "affirm")
    assert convo.slots["lead_name"] is None  # "yes" is not a name
    convo.say(AskLeadName(), "yes", "affirm")
    assert convo.messages[0]["text"].startswith("Great! What name should Jordan Lee, Example Tech admissions ask for?")
    assert convo.payload["answer_id"] == "conversation.lead_ask_name_after_yes"


def test_yes_is_not_a_contact_time(convo_factory):
    assert answer(convo_factory(None), "lead_contact_time", "ok").slots["lead_contact_time"] is None


def test_not_sure_is_a_program_answer_even_when_nlu_hears_a_no(convo_factory):
    assert answer(convo_factory(None), "lead_program", "not sure yet", "deny").slots["lead_program"] == "undecided"
