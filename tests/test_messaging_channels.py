"""The messaging channels on a REAL Rasa server (and action server), started with
the credentials file carepath.credentials writes from the environment.

The platforms' APIs are unreachable here, so every channel's API base URL
points at a real local HTTP server standing in for Twilio, Telegram, Slack and
Facebook (tests/messaging_stand_ins.py): it checks credentials and records what
CarePath sends.  Incoming messages are posted the way each platform posts them
(Twilio: form-encoded with X-Twilio-Signature; Telegram: JSON updates with the
webhook secret; Slack: signed events; Messenger: signed with the app secret).
What is NOT verified here: that the real platforms accept these requests and
deliver them to phones and apps."""
from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import sqlite3
import time
import uuid
from typing import Any, Dict, List, Tuple

import pytest
import requests
from twilio.request_validator import RequestValidator

from carepath.knowledge_base import get_knowledge_base
from carepath.messaging import keywords
from carepath.messaging.telegram import SECRET_HEADER, webhook_secret
from carepath.rate_limit import parse
from carepath.servers import Servers
from messaging_stand_ins import ApiStandIn
from rasa_cli import require_model

SMS_NUMBER = "+15550001111"
WHATSAPP_NUMBER = "+15550002222"
TELEGRAM_WEBHOOK = "https://carepath.example/webhooks/telegram/webhook"
LINES = {  # channel -> (webhook path, our number as Twilio writes it, sender address format)
    "sms": ("/webhooks/twilio/webhook", SMS_NUMBER, "+1555{:07d}"),
    "whatsapp": ("/webhooks/whatsapp/webhook", f"whatsapp:{WHATSAPP_NUMBER}", "whatsapp:+1555{:07d}"),
}
_senders = iter(range(3000000, 9999999, 7919))


@pytest.fixture(scope="module")
def api():
    with ApiStandIn() as stand_in:
        yield stand_in


@pytest.fixture(scope="module")
def server(api, tmp_path_factory):
    require_model()
    s = api.secrets
    workdir = tmp_path_factory.mktemp("messaging")
    env = {
        "CAREPATH_DB_URL": f"sqlite:///{workdir / 'carepath.db'}",
        "TWILIO_ACCOUNT_SID": s.twilio_sid, "TWILIO_AUTH_TOKEN": s.twilio_token,
        "TWILIO_NUMBER": SMS_NUMBER, "TWILIO_WHATSAPP_NUMBER": WHATSAPP_NUMBER, "TWILIO_API_BASE_URL": api.url,
        "TELEGRAM_ACCESS_TOKEN": s.telegram_token, "TELEGRAM_BOT_NAME": s.telegram_bot,
        "TELEGRAM_WEBHOOK_URL": TELEGRAM_WEBHOOK, "TELEGRAM_API_BASE_URL": api.url,
        "SLACK_BOT_TOKEN": s.slack_token, "SLACK_SIGNING_SECRET": s.slack_signing_secret,
        "SLACK_API_BASE_URL": api.url + "/api",
        "FACEBOOK_VERIFY_TOKEN": s.facebook_verify, "FACEBOOK_APP_SECRET": s.facebook_secret,
        "FACEBOOK_PAGE_ACCESS_TOKEN": s.facebook_token, "FACEBOOK_API_BASE_URL": api.url,
    }
    servers = Servers(workdir, env=env)
    try:
        servers.start_actions()
        # --debug: Rasa then logs every message and sender id, which must still not leak
        servers.rasa = servers.start_rasa_instance(servers.rasa_port, "rasa.log", "--debug")
        yield servers
    finally:
        servers.stop()


@pytest.fixture(params=sorted(LINES))
def line(request):
    return request.param


def new_sender(line: str) -> str:
    return LINES[line][2].format(next(_senders))


def twilio_post(
    server: Servers, api: ApiStandIn, line: str, sender: str, text: str, token: str = None,
    public_url: str = None, headers: Dict[str, str] = None,
) -> List[str]:
    """Post an incoming message as Twilio does (signed for ``public_url``, the URL Twilio
    called, by default the server's own); return the bodies of the messages sent back."""
    path, number, _ = LINES[line]
    url = server.url + path
    form = {
        "MessageSid": f"SM{uuid.uuid4().hex}", "AccountSid": api.secrets.twilio_sid, "From": sender, "To": number,
        "Body": text, "NumMedia": "0", "NumSegments": "1", "SmsStatus": "received", "ApiVersion": "2010-04-01",
    }
    signature = RequestValidator(token or api.secrets.twilio_token).compute_signature(public_url or url, form)
    before = len(api.twilio_messages(sender))
    headers = {**(headers or {}), "X-Twilio-Signature": signature}
    response = requests.post(url, data=form, headers=headers, timeout=60)
    assert response.status_code == (204 if token is None else 403), response.text
    sent = api.twilio_messages(sender)[before:]  # Rasa answers before the webhook returns
    assert all(m["From"] == number for m in sent)
    return [m["Body"] for m in sent]


def tracker_events(server: Servers, sender: str, kind: str) -> List[Dict[str, Any]]:
    with sqlite3.connect(server.tracker_db) as connection:
        rows = connection.execute(
            "select data from events where sender_id = ? and type_name = ? order by id", (sender, kind)
        ).fetchall()
    return [json.loads(row[0]) for row in rows]


def user_texts(server: Servers, sender: str) -> List[str]:
    return [event["text"] for event in tracker_events(server, sender, "user")]


def last_payload(server: Servers, sender: str) -> Dict[str, Any]:
    return [e["data"]["custom"] for e in tracker_events(server, sender, "bot") if (e.get("data") or {}).get("custom")][-1]


def numbered(body: str) -> List[Tuple[int, str]]:
    options = body.split("Reply with a number:\n", 1)[1]
    return [(int(n), title) for n, title in re.findall(r"^(\d+)\. (.+)$", options, re.M)]


# ---- SMS and WhatsApp (Twilio) -----------------------------------------------------------

def test_a_question_gets_one_text_answer_with_short_links(server, api, line):
    sender = new_sender(line)
    [body] = twilio_post(server, api, line, sender, "what certifications do medical assistants need?")
    assert "CMA" in body and "CCMA" in body
    links = body.splitlines()[-1]
    assert links.startswith("Links: ") and "bls.gov/ooh/healthcare/medical-assistants.htm" in links
    assert "https://" not in body and "www." not in body
    assert "answer_id" not in body and "{" not in body
    assert len(body) <= 1600
    assert last_payload(server, sender)["answer_id"] == "medical_assistant.certification"


def test_buttons_are_numbered_and_a_number_picks_that_option(server, api, line):
    sender = new_sender(line)
    [body] = twilio_post(server, api, line, sender, "how much do they make?")
    options = numbered(body)
    buttons = [e for e in tracker_events(server, sender, "bot") if (e.get("data") or {}).get("buttons")][-1]["data"]["buttons"]
    assert options == [(i, b["title"]) for i, b in enumerate(buttons, start=1)] and len(options) >= 3
    [answer] = twilio_post(server, api, line, sender, "2")
    assert user_texts(server, sender)[-1] == buttons[1]["payload"]  # "2" reached Rasa as the 2nd button
    role = json.loads("{" + buttons[1]["payload"].split("{", 1)[1])["role"]  # /inform_role{"role": ...}
    payload = last_payload(server, sender)
    assert (payload["topic"], payload["role"]) == ("pay", role)
    assert "$" in answer and "Links: " in answer
    # the options were used up: "2" now is just a message, not the second role again
    twilio_post(server, api, line, sender, "2")
    assert user_texts(server, sender)[-1] == "2"


def test_an_options_title_also_picks_it(server, api, line):
    sender = new_sender(line)
    [greeting] = twilio_post(server, api, line, sender, "hi")
    titles = dict(numbered(greeting))
    assert "Training needed" in titles.values()
    twilio_post(server, api, line, sender, "training NEEDED")
    assert user_texts(server, sender)[-1] == "/ask_education"


def test_stop_confirms_once_then_silence_until_start(server, api, line):
    texts = keywords.load()
    sender = new_sender(line)
    assert len(twilio_post(server, api, line, sender, "how long does CNA training take?")) == 1
    assert twilio_post(server, api, line, sender, "STOP") == [texts.stopped]
    with sqlite3.connect(server.workdir / "carepath.db") as connection:
        assert connection.execute(
            "select count(*) from messaging_opt_outs where address = ?", (sender,)
        ).fetchone() == (1,)
    question = "what do phlebotomy technicians earn?"
    assert twilio_post(server, api, line, sender, question) == []
    assert question not in user_texts(server, sender)
    assert twilio_post(server, api, line, sender, "Start") == [texts.started]
    [answer] = twilio_post(server, api, line, sender, question)
    assert "$" in answer and question in user_texts(server, sender)
    assert "STOP" not in user_texts(server, sender) and "Start" not in user_texts(server, sender)


def test_help_is_answered_without_the_assistant_even_after_stop(server, api, line):
    texts = keywords.load()
    sender = new_sender(line)
    assert twilio_post(server, api, line, sender, "help") == [texts.help]
    assert "988" in texts.help
    assert twilio_post(server, api, line, sender, "unsubscribe") == [texts.stopped]
    assert twilio_post(server, api, line, sender, "INFO") == [texts.help]
    assert tracker_events(server, sender, "user") == []


def test_yes_is_an_ordinary_message_unless_opted_out(server, api, line):
    sender = new_sender(line)
    replies = twilio_post(server, api, line, sender, "yes")
    assert replies and keywords.load().started not in replies, replies
    assert user_texts(server, sender) == ["yes"]


def test_a_crisis_message_with_a_keyword_in_it_reaches_the_assistant(server, api, line):
    sender = new_sender(line)
    [reply] = twilio_post(server, api, line, sender, "i just want to end it all, i can't go on")
    assert "988" in reply
    assert last_payload(server, sender)["topic"] == "crisis"


def test_unsigned_or_forged_webhooks_are_refused(server, api, line):
    sender = new_sender(line)
    assert twilio_post(server, api, line, sender, "how much do CNAs make?", token="not-the-auth-token") == []
    path = LINES[line][0]
    response = requests.post(server.url + path, data={"From": sender, "Body": "STOP"}, timeout=30)
    assert response.status_code == 403
    assert tracker_events(server, sender, "user") == []
    with sqlite3.connect(server.workdir / "carepath.db") as connection:
        assert connection.execute("select count(*) from messaging_opt_outs where address = ?", (sender,)).fetchone() == (0,)


def test_the_per_sender_rate_limit_applies(server, api):
    limit, _ = parse(os.environ.get("CAREPATH_RATE_LIMIT"))
    sender = new_sender("sms")
    for _ in range(limit):
        assert twilio_post(server, api, "sms", sender, "hello")
    [wait] = twilio_post(server, api, "sms", sender, "what do CNAs earn?")
    assert wait == get_knowledge_base().conversation.entries["rate_limited"].text
    assert "what do CNAs earn?" not in user_texts(server, sender)
    assert len(user_texts(server, sender)) == limit


def test_behind_a_proxy_the_signature_is_checked_for_the_public_url(server, api):
    sender = new_sender("sms")
    public = "https://chat.example.org/webhooks/twilio/webhook"
    proxy = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "chat.example.org"}
    assert len(twilio_post(server, api, "sms", sender, "hello", public_url=public, headers=proxy)) == 1
    assert twilio_post(server, api, "sms", sender, "hello", token="x", public_url=public, headers=proxy) == []
    # signed for the public URL but without the proxy's headers: not the URL this server was called at
    form = {"From": sender, "To": SMS_NUMBER, "Body": "hello"}
    signature = RequestValidator(api.secrets.twilio_token).compute_signature(public, form)
    response = requests.post(server.url + "/webhooks/twilio/webhook", data=form,
                             headers={"X-Twilio-Signature": signature}, timeout=30)
    assert response.status_code == 403


# ---- Telegram ---------------------------------------------------------------------------------

def telegram_update(chat_id: int, text: str = None, callback_data: str = None) -> Dict[str, Any]:
    user = {"id": chat_id, "is_bot": False, "first_name": "Test"}
    message = {"message_id": 1, "date": int(time.time()), "chat": {"id": chat_id, "type": "private"}, "from": user}
    if callback_data is None:
        return {"update_id": chat_id, "message": {**message, "text": text}}
    return {"update_id": chat_id + 1, "callback_query": {
        "id": "1", "from": user, "chat_instance": "1", "data": callback_data, "message": {**message, "text": "?"}}}


def test_telegram_sets_its_webhook_with_a_secret_and_answers_with_native_buttons(server, api):
    s = api.secrets
    [webhook] = api.wait_for(lambda: api.recorded("telegram", "setWebhook"))  # set in the background at start
    assert webhook.body == {"url": TELEGRAM_WEBHOOK, "secret_token": webhook_secret(s.telegram_token)}
    url = server.url + "/webhooks/telegram/webhook"
    chat = 7000001
    refused = requests.post(url, json=telegram_update(chat, "how much do they make?"), timeout=30)
    assert refused.status_code == 403
    headers = {SECRET_HEADER: webhook_secret(s.telegram_token)}
    start = len(api.recorded("telegram", "sendMessage"))
    assert requests.post(url, json=telegram_update(chat, "how much do they make?"), headers=headers, timeout=60).ok
    [question] = api.recorded("telegram", "sendMessage")[start:]
    rows = json.loads(question.body["reply_markup"])["inline_keyboard"]
    assert len(rows) >= 3 and all(len(row) == 1 for row in rows)
    second = rows[1][0]["callback_data"]
    start = len(api.recorded("telegram", "sendMessage"))
    update = telegram_update(chat, callback_data=second)
    assert requests.post(url, json=update, headers=headers, timeout=60).ok
    texts = [c.body["text"] for c in api.recorded("telegram", "sendMessage")[start:]]
    assert any("$" in t for t in texts)
    assert texts[-1].startswith("Links: ") and "{" not in "".join(texts)
    assert user_texts(server, str(chat))[-1] == second


# ---- Slack ------------------------------------------------------------------------------------

def slack_post(server: Servers, api: ApiStandIn, body: bytes, content_type: str, secret: str = None):
    timestamp = str(int(time.time()))
    secret = secret or api.secrets.slack_signing_secret
    digest = hmac.new(secret.encode(), f"v0:{timestamp}:".encode() + body, hashlib.sha256).hexdigest()
    headers = {"Content-Type": content_type, "X-Slack-Request-Timestamp": timestamp, "X-Slack-Signature": f"v0={digest}"}
    return requests.post(server.url + "/webhooks/slack/webhook", data=body, headers=headers, timeout=60)


def test_slack_answers_with_native_buttons_and_slack_links(server, api):
    event = {
        "type": "event_callback", "team_id": "T1", "api_app_id": "A1", "event_id": "Ev1",
        "authorizations": [{"user_id": "UBOT"}],
        "event": {"type": "message", "channel_type": "im", "user": "U7000002", "channel": "D7000002",
                  "text": "how much do they make?", "ts": "1700000000.000100"},
    }
    body = json.dumps(event).encode()
    assert slack_post(server, api, body, "application/json", secret="wrong").status_code == 400
    start = len(api.recorded("slack", "chat.postMessage"))
    assert slack_post(server, api, body, "application/json").ok
    posts = api.wait_for(lambda: [c for c in api.recorded("slack", "chat.postMessage")[start:] if c.body.get("blocks")])
    section, actions = posts[0].body["blocks"]
    assert posts[0].body["channel"] == "D7000002" and len(actions["elements"]) >= 3
    second = actions["elements"][1]["value"]
    click = {"type": "block_actions", "user": {"id": "U7000002"}, "channel": {"id": "D7000002"},
             "message": {"ts": "1700000000.000200"}, "actions": [{"type": "button", "value": second}]}
    start = len(api.recorded("slack", "chat.postMessage"))
    form = "payload=" + requests.utils.quote(json.dumps(click))
    assert slack_post(server, api, form.encode(), "application/x-www-form-urlencoded").ok
    links = api.wait_for(
        lambda: [c for c in api.recorded("slack", "chat.postMessage")[start:] if c.body["text"].startswith("Links: ")]
    )
    assert re.search(r"<https://[^|>]+\|[^>]+>", links[0].body["text"])
    texts = [c.body["text"] for c in api.recorded("slack", "chat.postMessage")[start:]]
    assert any("$" in t for t in texts) and "answer_id" not in "".join(texts)


# ---- Facebook Messenger -----------------------------------------------------------------------

def facebook_post(server: Servers, api: ApiStandIn, messaging: Dict[str, Any], secret: str = None):
    body = json.dumps({"object": "page", "entry": [{"id": "PAGE", "time": 1, "messaging": [messaging]}]}).encode()
    digest = hmac.new((secret or api.secrets.facebook_secret).encode(), body, hashlib.sha256).hexdigest()
    headers = {"Content-Type": "application/json", "X-Hub-Signature-256": f"sha256={digest}"}
    return requests.post(server.url + "/webhooks/facebook/webhook", data=body, headers=headers, timeout=60)


def test_messenger_verifies_its_webhook_and_answers_with_quick_replies_and_links(server, api):
    s = api.secrets
    verify = server.url + "/webhooks/facebook/webhook"
    ok = requests.get(verify, params={"hub.mode": "subscribe", "hub.verify_token": s.facebook_verify,
                                      "hub.challenge": "12345"}, timeout=30)
    assert ok.status_code == 200 and ok.text == "12345"
    wrong = requests.get(verify, params={"hub.verify_token": "nope", "hub.challenge": "12345"}, timeout=30)
    assert wrong.status_code == 403 and "12345" not in wrong.text
    user = {"sender": {"id": "7000003"}, "recipient": {"id": "PAGE"}, "timestamp": 1}
    question = {**user, "message": {"mid": "m1", "text": "how much do they make?"}}
    assert facebook_post(server, api, question, secret="wrong").status_code == 403
    start = len(api.recorded("facebook"))
    assert facebook_post(server, api, question).ok
    sent = [c.body["message"] for c in api.recorded("facebook")[start:] if "message" in c.body]
    replies = [m for m in sent if m.get("quick_replies")][0]["quick_replies"]
    assert len(replies) >= 4 and all(len(r["title"]) <= 20 for r in replies)
    start = len(api.recorded("facebook"))
    pick = {**user, "message": {"mid": "m2", "text": replies[1]["title"], "quick_reply": {"payload": replies[1]["payload"]}}}
    assert facebook_post(server, api, pick).ok
    texts = [c.body["message"].get("text", "") for c in api.recorded("facebook")[start:] if "message" in c.body]
    assert any("$" in t for t in texts) and texts[-1].startswith("Links: ")
    assert user_texts(server, "7000003")[-1] == replies[1]["payload"]


# ---- all channels ----------------------------------------------------------------------------

def test_channel_health_routes(server):
    for channel in ("twilio", "whatsapp", "telegram", "slack", "facebook", "rest"):
        response = requests.get(f"{server.url}/webhooks/{channel}/", timeout=30)
        assert response.status_code == 200 and response.json() == {"status": "ok"}, channel


def test_no_phone_number_or_secret_in_the_logs(server, api):
    log = (server.workdir / "rasa.log").read_text(encoding="utf-8")
    assert "rasa.core.processor" in log and "[phone]" in log  # the debug log names senders, redacted
    assert "access_token=[redacted]" in log  # and the Messenger calls, token removed
    numbers = {m["To"] for m in [c.body for c in api.recorded("twilio")]} | {SMS_NUMBER, WHATSAPP_NUMBER}
    assert len(numbers) > 5
    for number in numbers:
        digits = re.sub(r"\D", "", number)
        assert digits not in log and digits[1:] not in log, "a phone number reached the log"
    for secret in [*api.secrets.values(), webhook_secret(api.secrets.telegram_token)]:
        assert secret not in log, "a secret reached the log"
