"""Every action, run with real rasa_sdk Tracker and CollectingDispatcher objects."""
from __future__ import annotations

import pytest

from actions.answer import ActionAnswer
from actions.conversation import (
    ActionBotChallenge,
    ActionCrisis,
    ActionFallback,
    ActionGoodbye,
    ActionGreet,
    ActionMedicalAdvice,
    ActionOutOfScope,
    ActionThanks,
)
from actions.lead_form import AskLeadName
from carepath.knowledge_base import KNOWLEDGE_TOPICS

answer = ActionAnswer()


def assert_contract(payload, topic, role):
    assert set(payload) == {"topic", "role", "sources", "answer_id", "school"}
    assert payload["topic"] == topic
    assert payload["role"] == role
    for source in payload["sources"]:
        assert set(source) == {"title", "url"} and source["url"].startswith("http")


def test_certification_question_names_the_credentials(convo):
    convo.say(answer, "what certifications do medical assistants need?", "ask_certification", ["medical assistants"])
    for credential in ("CMA", "RMA", "CCMA"):
        assert credential in convo.text
    assert_contract(convo.payload, "certification", "medical_assistant")
    assert convo.payload["answer_id"] == "medical_assistant.certification"
    assert convo.payload["sources"]
    assert "Source" in convo.text  # the answer names its source in the text too


@pytest.mark.parametrize("topic", KNOWLEDGE_TOPICS)
def test_every_topic_answers_with_its_entry(convo, kb, topic):
    convo.say(answer, "tell me about phlebotomists", f"ask_{topic}", ["phlebotomists"])
    if topic == "comparison":
        assert convo.payload["answer_id"] == "phlebotomy_technician.comparison"
    expected = kb.roles["phlebotomy_technician"].answers[topic]
    assert expected.text in convo.text
    assert_contract(convo.payload, topic, "phlebotomy_technician")
    assert [s["url"] for s in convo.payload["sources"]] == [str(s.url) for s in expected.sources]


def test_role_carries_over_and_follow_up_switches_role(convo, kb):
    convo.say(answer, "how long does it take to become a medical assistant", "ask_education", ["medical assistant"])
    assert convo.payload["answer_id"] == "medical_assistant.education"
    convo.say(answer, "how much do they make?", "ask_pay")
    assert convo.payload["answer_id"] == "medical_assistant.pay"
    assert kb.roles["medical_assistant"].answers["pay"].text in convo.text
    convo.say(answer, "and for CNAs?", "inform_role", ["CNAs"])
    assert convo.payload["answer_id"] == "nursing_assistant.pay"
    assert_contract(convo.payload, "pay", "nursing_assistant")
    convo.say(answer, "do they work weekends?", "ask_hours")
    assert convo.payload["answer_id"] == "nursing_assistant.hours"


def test_misspelt_role_still_resolves(convo):
    convo.say(answer, "what does a medial assistant do", "ask_duties", ["medial assistant"])
    assert convo.payload["role"] == "medical_assistant"
    convo.say(answer, "how much does a phlebotomyst make", "ask_pay", ["phlebotomyst"])
    assert convo.payload["role"] == "phlebotomy_technician"


def test_general_answer_when_no_role_is_known(convo, kb):
    convo.say(answer, "what certs do i need to work in healthcare?", "ask_certification")
    assert convo.payload["answer_id"] == "general.certification"
    assert kb.general.answers["certification"].text in convo.text
    assert_contract(convo.payload, "certification", None)


def test_pronoun_without_context_asks_which_role(convo, kb):
    convo.say(answer, "how much do they make?", "ask_pay")
    assert_contract(convo.payload, "clarify", None)
    buttons = convo.messages[0]["buttons"]
    assert len(buttons) == len(kb.roles)
    assert buttons[0]["payload"].startswith("/inform_role{")
    # choosing a button answers the pending question for that role
    convo.say(answer, '/inform_role{"role":"phlebotomy_technician"}', "inform_role", ["phlebotomy_technician"])
    assert convo.payload["answer_id"] == "phlebotomy_technician.pay"


def test_inform_role_with_no_previous_topic_gives_the_overview(convo):
    convo.say(answer, "patient advocate", "inform_role", ["patient advocate"])
    assert convo.payload["answer_id"] == "patient_advocate.roles_overview"


def test_inform_role_without_a_recognised_role_asks(convo):
    convo.say(answer, "what about the other one", "inform_role")
    assert convo.payload["topic"] == "clarify"


def test_comparison_side_by_side(convo, kb):
    convo.say(answer, "difference between an MA and a CNA", "ask_comparison", ["MA", "CNA"])
    assert_contract(convo.payload, "comparison", ["medical_assistant", "nursing_assistant"])
    for role in ("medical_assistant", "nursing_assistant"):
        glance = kb.roles[role].at_a_glance
        assert glance.what in convo.text and glance.pay in convo.text
    assert convo.payload["answer_id"] == "medical_assistant.at_a_glance+nursing_assistant.at_a_glance"
    urls = {s["url"] for s in convo.payload["sources"]}
    assert len(urls) == len(convo.payload["sources"])  # no duplicate citations


def test_comparison_with_a_non_role_uses_the_role_entry(convo):
    convo.say(answer, "MA vs nurse", "ask_comparison", ["MA"])
    assert convo.payload["answer_id"] == "medical_assistant.comparison"
    assert convo.payload["role"] == "medical_assistant"


def test_comparison_with_the_role_in_context(convo):
    convo.say(answer, "what does a phlebotomist do", "ask_duties", ["phlebotomist"])
    convo.say(answer, "how is that different from a PCT?", "ask_comparison", ["PCT"])
    assert convo.payload["role"] == ["phlebotomy_technician", "clinical_support_technician"]


def test_two_roles_in_one_question_answer_both(convo):
    convo.say(answer, "how much do MAs and CNAs make", "ask_pay", ["MAs", "CNAs"])
    assert convo.payload["role"] == ["medical_assistant", "nursing_assistant"]
    assert convo.payload["answer_id"] == "medical_assistant.pay+nursing_assistant.pay"


CONVERSATION_ACTIONS = [
    (ActionGreet, "greet"),
    (ActionGoodbye, "goodbye"),
    (ActionThanks, "thanks"),
    (ActionBotChallenge, "bot_challenge"),
    (ActionOutOfScope, "out_of_scope"),
    (ActionMedicalAdvice, "medical_advice"),
    (ActionCrisis, "crisis"),
]


@pytest.mark.parametrize("action_class,topic", CONVERSATION_ACTIONS)
def test_conversation_actions_end_with_the_payload(convo, kb, action_class, topic):
    action = action_class()
    assert action.name() == f"action_{topic}"
    convo.say(action, "some message", topic)
    assert_contract(convo.payload, topic, None)
    assert convo.payload["answer_id"] == f"conversation.{topic}"
    assert convo.messages[0]["text"]


def test_crisis_reply_gives_988_and_911(convo):
    convo.say(ActionCrisis(), "I want to end my life", "crisis")
    assert "call or text 988" in convo.text and "988lifeline.org" in convo.text and "911" in convo.text
    assert {s["url"] for s in convo.payload["sources"]} >= {"https://988lifeline.org"}


def test_medical_advice_is_declined_kindly(convo):
    convo.say(ActionMedicalAdvice(), "I have chest pain what should I take", "medical_advice")
    assert "can't give advice" in convo.text or "cannot give advice" in convo.text
    assert "911" in convo.text


def test_handoff_uses_the_configured_advisor_then_asks_for_a_name(convo, monkeypatch):
    from carepath import settings

    settings.advisor.cache_clear()
    monkeypatch.setenv("ADVISOR_PHONE", "(555) 123-4567")
    try:
        convo.say(AskLeadName(), "can an advisor call me", "handoff")
    finally:
        settings.advisor.cache_clear()
    assert "(555) 123-4567" in convo.messages[0]["text"]  # the contact details first
    assert "What's your name?" in convo.messages[1]["text"]
    assert "{" not in convo.text
    assert_contract(convo.payload, "handoff", None)
    assert convo.payload["answer_id"] == "conversation.handoff+conversation.lead_ask_name"


def test_a_later_name_question_has_no_contact_details(convo):
    convo.say(AskLeadName(), "how much do CNAs make?", "ask_pay")  # asked again after an interruption
    assert len(convo.messages) == 2 and convo.payload["answer_id"] == "conversation.lead_ask_name"


def test_goodbye_and_crisis_end_a_form_in_progress(convo):
    for action, text, intent in [(ActionGoodbye(), "bye", "goodbye"), (ActionCrisis(), "I want to die", "crisis")]:
        convo.active_loop = "lead_form"
        convo.slots.update(lead_name="Sam", requested_slot="lead_contact")
        convo.say(action, text, intent)
        assert convo.active_loop is None and convo.slots["lead_name"] is None
    convo.say(ActionGoodbye(), "bye", "goodbye")  # no form: nothing to end
    assert not any(e.get("event") == "active_loop" for e in convo.events)


def test_out_of_scope_offers_topic_buttons(convo):
    convo.say(ActionOutOfScope(), "what's the weather", "out_of_scope")
    payloads = [b["payload"] for b in convo.messages[0]["buttons"]]
    assert "/ask_pay" in payloads and "/ask_education" in payloads


@pytest.mark.parametrize(
    "text,entry",
    [
        ("", "empty_message"),
        ("   ", "empty_message"),
        ("😀😀😀", "unreadable_message"),
        ("<img src=x onerror=alert(1)>", "unreadable_message"),
        ("word " * 2000, "too_long_message"),
        ("asdf qwer zxcv", "fallback"),
    ],
)
def test_bad_input_gets_a_friendly_reply(convo, kb, text, entry):
    convo.say(ActionFallback(), text, "nlu_fallback")
    assert_contract(convo.payload, "fallback", None)
    assert convo.payload["answer_id"] == f"conversation.{entry}"
    assert convo.messages[0]["text"]
    assert "{max_chars}" not in convo.text


def test_venting_about_this_job_gets_the_stress_answer(convo):
    convo.say(answer, "this job is killing me lol, how do people cope", "ask_stress")
    assert convo.payload["answer_id"] == "general.stress"


def test_fallback_trusts_the_problem_nlu_reported(convo):
    tracker = convo.tracker("        ", "nlu_fallback")
    tracker.latest_message["input_problem"] = "unreadable"
    from rasa_sdk.executor import CollectingDispatcher

    dispatcher = CollectingDispatcher()
    ActionFallback().run(dispatcher, tracker, {})
    assert dispatcher.messages[-1]["custom"]["answer_id"] == "conversation.unreadable_message"
