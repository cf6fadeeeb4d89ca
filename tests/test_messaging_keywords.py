"""STOP/START/HELP keywords (knowledge_base/messaging.yml), the opt-out list and the
numbered options in a real SQLite database, and Telegram's webhook set-up without network."""
from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

import pytest
import yaml

from carepath import settings
from carepath.messaging import keywords, options, opt_out
from carepath.messaging.keywords import MessagingConfigError
from carepath.messaging.telegram import TelegramInput
from carepath.servers import free_port

ROOT = Path(__file__).resolve().parent.parent
MESSAGING_YML = ROOT / "knowledge_base" / "messaging.yml"


@pytest.fixture(scope="module")
def texts():
    return keywords.load()


@pytest.mark.parametrize(
    "message, kind",
    [
        ("STOP", "stop"), ("stop", "stop"), ("  Stop. ", "stop"), ("STOPALL", "stop"), ("unsubscribe", "stop"),
        ("Cancel", "stop"), ("END", "stop"), ("quit!", "stop"),
        ("START", "start"), ("unstop", "start"), ("Yes", "start"),
        ("HELP", "help"), ("info", "help"), ("Help!", "help"),
        ("stop texting me about pay", None), ("I want to quit my job", None), ("help me", None),
        ("I want to end my life", None), ("", None), (None, None), ("S T O P", None),
    ],
)
def test_only_a_whole_message_keyword_matches(texts, message, kind):
    assert texts.match(message) == kind


def test_help_text_says_what_carepath_is_how_to_stop_the_crisis_line_and_the_advisor(texts):
    advisor = settings.advisor()
    assert "source" in texts.help
    assert "STOP" in texts.help and "988" in texts.help
    assert advisor["phone"] in texts.help and advisor["email"] in texts.help
    assert "{" not in texts.help + texts.stopped + texts.started
    assert "START" in texts.stopped
    for text in (texts.help, texts.stopped, texts.started):
        assert all(ord(ch) < 128 for ch in text), "plain characters keep SMS segments at 160"


def broken(tmp_path, change) -> Path:
    data = yaml.safe_load(MESSAGING_YML.read_text(encoding="utf-8"))
    change(data)
    path = tmp_path / "messaging.yml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "change, field",
    [
        (lambda d: d["replies"].update(help="CarePath helps. Reply STOP to stop."), "replies.help"),  # no 988
        (lambda d: d["replies"].update(help="Call 988. Text QUIT... no: {advisor_fax}"), "replies.help"),
        (lambda d: d["replies"].update(help="Call 988 or the advisor {advisor_phone}."), "replies.help"),  # no STOP
        (lambda d: d["replies"].pop("stopped"), "replies.stopped"),
        (lambda d: d["replies"].update(started=""), "replies.started"),
        (lambda d: d["keywords"].update(start=["START", "STOP"]), "keywords.help"),  # STOP in two lists
        (lambda d: d["keywords"].update(stop=["stop"]), "keywords.stop"),  # must be upper case
        (lambda d: d["keywords"].update(help=[]), "keywords.help"),
        (lambda d: d["keywords"].update(help=[True]), "keywords.help"),  # YAML's unquoted YES/NO
        (lambda d: d.update(extra=1), "extra"),
    ],
)
def test_a_broken_file_fails_naming_file_and_field(tmp_path, change, field):
    path = broken(tmp_path, change)
    with pytest.raises(MessagingConfigError) as error:
        keywords.load(path)
    assert str(path) in str(error.value) and field in str(error.value)


def test_missing_or_unreadable_file(tmp_path):
    with pytest.raises(MessagingConfigError, match="file is missing"):
        keywords.load(tmp_path / "nope.yml")
    (tmp_path / "bad.yml").write_text("keywords: [", encoding="utf-8")
    with pytest.raises(MessagingConfigError, match="not valid YAML"):
        keywords.load(tmp_path / "bad.yml")


@pytest.fixture
def database(tmp_path, monkeypatch):
    path = tmp_path / "carepath.db"
    monkeypatch.setenv("CAREPATH_DB_URL", f"sqlite:///{path}")
    return path


@pytest.mark.asyncio
async def test_opt_outs_are_stored_per_channel_and_address(database):
    assert await opt_out.opt_out("twilio", "+15551230001") is True
    assert await opt_out.opt_out("whatsapp", "whatsapp:+15551230001") is True
    assert await opt_out.opt_out("twilio", "+15551230001") is False
    with sqlite3.connect(database) as connection:
        rows = connection.execute("select channel, address from messaging_opt_outs order by channel").fetchall()
    assert rows == [("twilio", "+15551230001"), ("whatsapp", "whatsapp:+15551230001")]
    assert await opt_out.opt_in("twilio", "+15551230001") is True
    assert await opt_out.opt_in("twilio", "+15551230001") is False
    assert not await opt_out.is_opted_out("twilio", "+15551230001")
    assert await opt_out.is_opted_out("whatsapp", "whatsapp:+15551230001")


@pytest.mark.asyncio
async def test_numbered_options_are_replaced_and_forgotten(database):
    first = [{"title": "Pay", "payload": "/ask_pay"}]
    second = [{"title": "Hours", "payload": "/ask_hours"}, {"title": "Pay", "payload": "/ask_pay"}]
    assert await options.load("twilio", "+15551230002") == []
    await options.save("twilio", "+15551230002", first)
    await options.save("twilio", "+15551230002", second)
    await options.save("whatsapp", "+15551230002", first)
    assert await options.load("twilio", "+15551230002") == second
    assert await options.load("whatsapp", "+15551230002") == first
    await options.save("twilio", "+15551230002", None)
    assert await options.load("twilio", "+15551230002") == []


@pytest.mark.asyncio
async def test_telegram_without_network_logs_a_warning_and_keeps_running(caplog):
    token = "123456:telegram-token-never-logged"
    channel = TelegramInput.from_credentials({
        "access_token": token, "verify": "carepath_bot",
        "webhook_url": "https://chat.example.org/webhooks/telegram/webhook",
        "api_base_url": f"http://127.0.0.1:{free_port()}",  # nothing listens there
    })
    with caplog.at_level(logging.INFO):
        assert await channel.set_webhook() is False
    assert "the webhook could not be set (NetworkError)" in caplog.text
    assert "POST /webhooks/telegram/set_webhook" in caplog.text
    assert token not in caplog.text and "telegram-token" not in caplog.text
