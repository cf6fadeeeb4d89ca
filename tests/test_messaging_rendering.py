"""How replies are rendered on the messaging channels, with the real output-channel
objects (subclasses of Rasa's) sending real HTTP requests to a local stand-in
for each platform's API (tests/messaging_stand_ins.py)."""
from __future__ import annotations

import json
import logging

import pytest
from rasa.core.channels.twilio import TwilioOutput as RasaTwilioOutput

from carepath.messaging import opt_out, text_only
from carepath.messaging.facebook import MessengerBot, client
from carepath.messaging.slack import SlackBot
from carepath.messaging.telegram import TelegramOutput
from carepath.messaging.text_only import (
    chosen_option,
    links_line,
    short_link,
    sms_safe,
    split_message,
    with_numbered_options,
)
from carepath.messaging.twilio import ApiHttpClient, TwilioOutput
from carepath.servers import free_port
from messaging_stand_ins import ApiStandIn

PAYLOAD = {
    "topic": "certification",
    "role": "medical_assistant",
    "sources": [
        {"title": "BLS OOH: Medical Assistants", "url": "https://www.bls.gov/ooh/healthcare/medical-assistants.htm"},
        {"title": "AAMA", "url": "https://www.aama-ntl.org/cma-aama-exam/eligibility"},
        {"title": "BLS again", "url": "https://www.bls.gov/ooh/healthcare/medical-assistants.htm"},
    ],
    "answer_id": "medical_assistant.certification",
    "school": None,
}
GREET_BUTTONS = [
    {"title": "Which roles are there?", "payload": "/ask_roles_overview"},
    {"title": "Pay", "payload": "/ask_pay"},
    {"title": "Training needed", "payload": "/ask_education"},
    {"title": "How to get started", "payload": "/ask_getting_started"},
]
ROLE_BUTTONS = [
    {"title": f"Role number {i} with a long name", "payload": f'/inform_role{{"role": "role_{i}"}}'} for i in range(10)
]


@pytest.fixture(scope="module")
def api():
    with ApiStandIn() as stand_in:
        yield stand_in


@pytest.fixture(autouse=True)
def database(tmp_path, monkeypatch):
    monkeypatch.setenv("CAREPATH_DB_URL", f"sqlite:///{tmp_path / 'carepath.db'}")


# ---- text-only rendering ------------------------------------------------------------

@pytest.mark.parametrize(
    "url, short",
    [
        ("https://www.bls.gov/ooh/healthcare/medical-assistants.htm", "bls.gov/ooh/healthcare/medical-assistants.htm"),
        ("http://WWW.Example.org/", "example.org"),
        ("https://blogs.bls.gov/blog/category/career-outlook/", "blogs.bls.gov/blog/category/career-outlook"),
        ("https://www.bls.gov/ooh/x.htm#tab-5", "bls.gov/ooh/x.htm#tab-5"),
        ("https://center.ncsu.edu/cms/info.php?choice=credential&id=2", "center.ncsu.edu/cms/info.php?choice=credential&id=2"),
        ("https://988lifeline.org", "988lifeline.org"),
    ],
)
def test_short_links(url, short):
    assert short_link(url) == short


def test_links_line_is_one_line_of_distinct_short_links():
    line = links_line(PAYLOAD)
    assert line == "Links: bls.gov/ooh/healthcare/medical-assistants.htm, aama-ntl.org/cma-aama-exam/eligibility"
    assert "\n" not in line and "{" not in line and "https://" not in line
    assert links_line({**PAYLOAD, "sources": []}) is None
    assert links_line({"topic": "greet"}) is None


def test_buttons_become_numbered_options_and_a_number_picks_one():
    text = with_numbered_options("Hi! What would you like to know?", GREET_BUTTONS)
    assert text == (
        "Hi! What would you like to know?\n\nReply with a number:\n"
        "1. Which roles are there?\n2. Pay\n3. Training needed\n4. How to get started"
    )
    for reply in ("2", " 2 ", "2.", "#2", "2)"):
        assert chosen_option(reply, GREET_BUTTONS) == "/ask_pay", reply
    for reply in ("pay", "PAY!", "  Pay  ", "how to get STARTED"):
        assert chosen_option(reply, GREET_BUTTONS) in ("/ask_pay", "/ask_getting_started"), reply
    assert chosen_option("how to get started", GREET_BUTTONS) == "/ask_getting_started"
    for reply in ("5", "0", "2 please", "what about pay", "", None):
        assert chosen_option(reply, GREET_BUTTONS) is None, reply
    assert chosen_option("2", []) is None


def test_long_texts_split_at_boundaries_under_twilios_limit():
    paragraph = " ".join(f"Sentence {i} is about medical assistants and their pay." for i in range(40))
    text = "\n\n".join([paragraph, "Short one.", paragraph])
    parts = split_message(text)
    assert len(parts) > 1
    assert all(len(part) <= text_only.MAX_MESSAGE_CHARS < 1600 for part in parts)
    assert all(part.endswith(".") for part in parts)  # cut after a sentence, never inside a word
    assert " ".join(" ".join(parts).split()) == " ".join(text.split())  # nothing lost
    assert split_message("short") == ["short"]
    assert split_message("   ") == []
    assert all(len(p) <= 100 for p in split_message("x" * 250, limit=100))


def test_sms_text_is_kept_to_plain_characters():
    assert sms_safe("It’s 2024–34 “growth”… ok") == "It's 2024-34 \"growth\"... ok"
    assert sms_safe("café") == "café"  # other characters stay


# ---- Twilio (SMS, WhatsApp) ------------------------------------------------------------

def twilio_output(api: ApiStandIn, **kwargs) -> TwilioOutput:
    s = api.secrets
    return TwilioOutput(s.twilio_sid, s.twilio_token, "+15550001111", http_client=ApiHttpClient(api.url), **kwargs)


async def close(output: TwilioOutput) -> None:
    if output.http_client.session is not None:
        await output.http_client.session.close()


@pytest.mark.asyncio
async def test_twilio_turn_is_one_text_message_with_numbers_and_links(api):
    to = "+15557000001"
    output = twilio_output(api, buffered=True)
    await output.send_response(to, {"text": "Medical assistants need...\n\nSource: BLS (as of August 2025)"})
    await output.send_response(to, {"text": "Anything else?", "buttons": GREET_BUTTONS})
    await output.send_response(to, {"custom": PAYLOAD})
    assert api.twilio_messages(to) == []  # buffered until the turn ends
    await output.flush()
    await close(output)
    [sent] = api.twilio_messages(to)
    assert sent["From"] == "+15550001111"
    assert sent["Body"] == (
        "Medical assistants need...\n\nSource: BLS (as of August 2025)\n\nAnything else?\n\n"
        "Reply with a number:\n1. Which roles are there?\n2. Pay\n3. Training needed\n4. How to get started\n\n"
        "Links: bls.gov/ooh/healthcare/medical-assistants.htm, aama-ntl.org/cma-aama-exam/eligibility"
    )
    assert output.take_options(to) == GREET_BUTTONS


@pytest.mark.asyncio
async def test_twilio_unbuffered_sends_each_message_and_never_json(api):
    to = "whatsapp:+15557000002"
    output = twilio_output(api, sms=False)
    await output.send_response(to, {"text": "Hello", "buttons": GREET_BUTTONS[:1]})
    await output.send_response(to, {"custom": {**PAYLOAD, "sources": []}})  # nothing to link: nothing sent
    await output.send_response(to, {"custom": PAYLOAD})
    await close(output)
    bodies = [m["Body"] for m in api.twilio_messages(to)]
    assert bodies == ["Hello\n\nReply with a number:\n1. Which roles are there?", links_line(PAYLOAD)]
    assert not any("answer_id" in b or "{" in b for b in bodies)


@pytest.mark.asyncio
async def test_rasas_own_twilio_output_would_send_the_payload_as_json():
    """Why the subclass exists: Rasa's channels post custom JSON as it is."""
    sent = []

    class Recording(RasaTwilioOutput):
        async def _send_message(self, message_data):
            sent.append(message_data)

    await Recording("AC" + "0" * 32, "token", "+15550001111").send_response("+15557000000", {"custom": dict(PAYLOAD)})
    assert sent and "answer_id" in sent[0]


@pytest.mark.asyncio
async def test_twilio_long_sms_is_split_and_plain(api):
    to = "+15557000003"
    output = twilio_output(api, buffered=True)
    text = " ".join(f"Point {i}: pay–hours “vary”." for i in range(200))
    await output.send_response(to, {"text": text})
    await output.flush()
    await close(output)
    bodies = [m["Body"] for m in api.twilio_messages(to)]
    assert len(bodies) >= 3 and all(len(b) <= 1500 for b in bodies)
    assert not any(ch in "".join(bodies) for ch in "–“”")
    assert " ".join(bodies).split() == sms_safe(text).split()


@pytest.mark.asyncio
async def test_twilio_sends_nothing_to_an_opted_out_number_except_keyword_replies(api):
    to = "+15557000004"
    assert await opt_out.opt_out("twilio", to) is True
    assert await opt_out.opt_out("twilio", to) is False  # already
    assert await opt_out.is_opted_out("twilio", to)
    assert not await opt_out.is_opted_out("whatsapp", to)  # per channel
    output = twilio_output(api)
    await output.send_response(to, {"text": "An answer"})
    await output.send_response(to, {"image": "https://example.org/a.png"})
    assert api.twilio_messages(to) == []
    await output.send_keyword_reply(to, "You're unsubscribed.")
    await close(output)
    assert [m["Body"] for m in api.twilio_messages(to)] == ["You're unsubscribed."]
    assert await opt_out.opt_in("twilio", to) is True
    assert not await opt_out.is_opted_out("twilio", to)


@pytest.mark.asyncio
async def test_twilio_refusal_is_logged_without_secrets(api, caplog):
    output = TwilioOutput(api.secrets.twilio_sid, "a-wrong-token", "+15550001111", http_client=ApiHttpClient(api.url))
    with caplog.at_level(logging.INFO):
        await output.send_response("+15557000005", {"text": "hello"})
    await close(output)
    assert "Twilio refused a message (HTTP 401, error 20003)" in caplog.text
    assert "a-wrong-token" not in caplog.text and "5557000005" not in caplog.text


@pytest.mark.asyncio
async def test_twilio_unreachable_is_logged_not_raised(api, caplog):
    s = api.secrets
    output = TwilioOutput(s.twilio_sid, s.twilio_token, "+15550001111",
                          http_client=ApiHttpClient(f"http://127.0.0.1:{free_port()}"))
    with caplog.at_level(logging.INFO):
        await output.send_response("+15557000006", {"text": "hello"})
    await close(output)
    assert "Twilio's API could not be reached (ClientConnectorError)" in caplog.text


# ---- Telegram ---------------------------------------------------------------------------

def telegram_output(api: ApiStandIn) -> TelegramOutput:
    return TelegramOutput(api.secrets.telegram_token, api.url)


@pytest.mark.asyncio
async def test_telegram_keeps_native_buttons_one_per_row_and_links_not_json(api):
    output = telegram_output(api)
    start = len(api.recorded("telegram", "sendMessage"))
    await output.send_response("1001", {"text": "Which role?", "buttons": ROLE_BUTTONS})
    await output.send_response("1001", {"custom": PAYLOAD})
    await output.session.close()
    buttons_call, links_call = api.recorded("telegram", "sendMessage")[start:]
    assert buttons_call.body["chat_id"] == "1001" and buttons_call.body["text"] == "Which role?"
    rows = json.loads(buttons_call.body["reply_markup"])["inline_keyboard"]
    assert [[b["text"] for b in row] for row in rows] == [[b["title"]] for b in ROLE_BUTTONS]
    assert [row[0]["callback_data"] for row in rows] == [b["payload"] for b in ROLE_BUTTONS]
    assert links_call.body["text"] == links_line(PAYLOAD)
    assert links_call.body["disable_web_page_preview"].lower() == "true"
    assert output.take_options("1001") is None  # native buttons: nothing to remember


@pytest.mark.asyncio
async def test_telegram_falls_back_to_numbers_when_a_payload_is_too_long(api):
    output = telegram_output(api)
    buttons = [{"title": "Long", "payload": '/inform_role{"role": "' + "x" * 70 + '"}'}, *GREET_BUTTONS[:1]]
    await output.send_response("1002", {"text": "Pick one", "buttons": buttons})
    await output.session.close()
    call = api.recorded("telegram", "sendMessage")[-1]
    assert call.body["text"] == with_numbered_options("Pick one", buttons)
    assert "reply_markup" not in call.body
    assert output.take_options("1002") == buttons


# ---- Slack ------------------------------------------------------------------------------

@pytest.mark.asyncio
async def test_slack_keeps_native_buttons_and_sends_slack_links(api):
    output = SlackBot(api.secrets.slack_token, "D0123", api_base_url=api.url + "/api")
    start = len(api.recorded("slack", "chat.postMessage"))
    await output.send_response("U1", {"text": "Which role?", "buttons": ROLE_BUTTONS})
    await output.send_response("U1", {"custom": PAYLOAD})
    await output.send_response("U1", {"text": "Pick", "buttons": ROLE_BUTTONS * 3})  # 30 > Slack's 25
    buttons_call, links_call, numbered_call = api.recorded("slack", "chat.postMessage")[start:]
    assert buttons_call.body["channel"] == "D0123"
    section, actions = buttons_call.body["blocks"]
    assert section["text"]["text"] == "Which role?"
    assert [(e["text"]["text"], e["value"]) for e in actions["elements"]] == [
        (b["title"], b["payload"]) for b in ROLE_BUTTONS
    ]
    assert links_call.body["text"] == (
        "Links: <https://www.bls.gov/ooh/healthcare/medical-assistants.htm|bls.gov/ooh/healthcare/medical-assistants.htm>, "
        "<https://www.aama-ntl.org/cma-aama-exam/eligibility|aama-ntl.org/cma-aama-exam/eligibility>"
    )
    assert "blocks" not in numbered_call.body
    assert numbered_call.body["text"].startswith("Pick\n\nReply with a number:\n1. Role number 0")
    assert output.take_options("D0123") == ROLE_BUTTONS * 3


# ---- Facebook Messenger -----------------------------------------------------------------

@pytest.mark.asyncio
async def test_messenger_buttons_template_quick_replies_or_numbers_and_links(api):
    s = api.secrets
    output = MessengerBot(client(s.facebook_token, s.facebook_secret, api.url))
    start = len(api.recorded("facebook"))
    await output.send_response("P1", {"text": "Talk?", "buttons": [{"title": "Talk to an advisor", "payload": "/handoff"}]})
    await output.send_response("P1", {"text": "Which role?", "buttons": ROLE_BUTTONS})
    await output.send_response("P1", {"text": "Pick", "buttons": ROLE_BUTTONS + GREET_BUTTONS})  # 14 > 13
    await output.send_response("P1", {"custom": PAYLOAD})
    template, quick, numbered, links = [c.body for c in api.recorded("facebook")[start:]]
    assert template["recipient"] == {"id": "P1"}
    assert template["message"]["attachment"]["payload"]["buttons"] == [
        {"type": "postback", "title": "Talk to an advisor", "payload": "/handoff"}
    ]
    replies = quick["message"]["quick_replies"]
    assert [r["payload"] for r in replies] == [b["payload"] for b in ROLE_BUTTONS]
    assert all(len(r["title"]) <= 20 for r in replies) and replies[0]["title"].startswith("Role number 0")
    assert numbered["message"]["text"].startswith("Pick\n\nReply with a number:\n1. Role number 0")
    assert output.take_options("P1") == ROLE_BUTTONS + GREET_BUTTONS
    assert links["message"] == {"text": links_line(PAYLOAD)}
    for call in api.recorded("facebook")[start:]:
        assert call.query["access_token"] == s.facebook_token and call.query["appsecret_proof"]
