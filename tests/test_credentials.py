"""carepath.credentials: the credentials file from credentials.yml and the environment."""
from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from carepath import credentials as creds
from carepath.credentials import ChannelConfigError, credentials, messaging_channels, write_credentials
from carepath.servers import Servers

ROOT = Path(__file__).resolve().parent.parent
DOCUMENTED = yaml.safe_load((ROOT / "credentials.yml").read_text(encoding="utf-8"))

TELEGRAM = {
    "TELEGRAM_ACCESS_TOKEN": "123456:secret-telegram-token",
    "TELEGRAM_BOT_NAME": "@carepath_bot",
    "TELEGRAM_WEBHOOK_URL": "https://chat.example.org/webhooks/telegram/webhook",
}
SLACK = {"SLACK_BOT_TOKEN": "xoxb-secret-slack-token", "SLACK_SIGNING_SECRET": "secret-signing"}
FACEBOOK = {
    "FACEBOOK_VERIFY_TOKEN": "secret-verify",
    "FACEBOOK_APP_SECRET": "secret-app",
    "FACEBOOK_PAGE_ACCESS_TOKEN": "secret-page-token",
}
TWILIO = {
    "TWILIO_ACCOUNT_SID": "AC" + "1" * 32,
    "TWILIO_AUTH_TOKEN": "secret-twilio-token",
    "TWILIO_NUMBER": "+15550100100",
    "TWILIO_WHATSAPP_NUMBER": "+15550100200",
}
ALL = {**TELEGRAM, **SLACK, **FACEBOOK, **TWILIO}
SECRETS = [v for k, v in ALL.items() if any(w in k for w in ("TOKEN", "SECRET"))]


def test_without_messaging_variables_the_file_is_credentials_yml():
    assert set(DOCUMENTED) == {"carepath.channels.RestInput", "carepath.channels.SocketIOInput"}
    assert credentials({}) == DOCUMENTED
    # unrelated variables and empty values change nothing
    assert credentials({"PATH": "/usr/bin", "TELEGRAM_ACCESS_TOKEN": "", "SLACK_BOT_TOKEN": "  "}) == DOCUMENTED


def test_every_channel_configured_is_a_superset_of_credentials_yml():
    config = credentials(ALL)
    for name, settings in DOCUMENTED.items():
        assert config[name] == settings
    assert config[creds.TELEGRAM] == {
        "access_token": TELEGRAM["TELEGRAM_ACCESS_TOKEN"],
        "verify": "carepath_bot",  # the @ of the bot's user name is dropped
        "webhook_url": TELEGRAM["TELEGRAM_WEBHOOK_URL"],
    }
    assert config[creds.SLACK] == {"slack_token": SLACK["SLACK_BOT_TOKEN"], "slack_signing_secret": "secret-signing"}
    assert config[creds.FACEBOOK] == {
        "verify": "secret-verify", "secret": "secret-app", "page-access-token": "secret-page-token",
    }
    assert config[creds.TWILIO_SMS]["twilio_number"] == "+15550100100"
    assert config[creds.TWILIO_WHATSAPP]["twilio_number"] == "whatsapp:+15550100200"
    for name in (creds.TWILIO_SMS, creds.TWILIO_WHATSAPP):
        assert config[name]["account_sid"] == TWILIO["TWILIO_ACCOUNT_SID"]
        assert config[name]["auth_token"] == TWILIO["TWILIO_AUTH_TOKEN"]
        assert config[name]["validate_signature"] is True


@pytest.mark.parametrize(
    "env, expected",
    [
        (TELEGRAM, {creds.TELEGRAM}),
        (SLACK, {creds.SLACK}),
        (FACEBOOK, {creds.FACEBOOK}),
        ({k: v for k, v in TWILIO.items() if k != "TWILIO_WHATSAPP_NUMBER"}, {creds.TWILIO_SMS}),
        ({k: v for k, v in TWILIO.items() if k != "TWILIO_NUMBER"}, {creds.TWILIO_WHATSAPP}),
    ],
)
def test_only_the_configured_channels_are_added(env, expected):
    assert set(messaging_channels(env)) == expected


def test_optional_settings():
    config = messaging_channels({
        **ALL,
        "TWILIO_API_BASE_URL": "https://twilio-proxy.example:8443/",
        "TWILIO_WEBHOOK_BASE_URL": "https://chat.example.org",
        "TWILIO_VALIDATE_SIGNATURE": "false",
        "TWILIO_WHATSAPP_NUMBER": "whatsapp:+15550100200",
        "SLACK_CHANNEL": "C0123",
        "SLACK_API_BASE_URL": "https://slack-proxy.example/api",
        "TELEGRAM_API_BASE_URL": "http://telegram-bot-api:8081",
        "FACEBOOK_API_BASE_URL": "https://graph-proxy.example",
    })
    assert config[creds.TWILIO_SMS]["api_base_url"] == "https://twilio-proxy.example:8443"
    assert config[creds.TWILIO_SMS]["webhook_base_url"] == "https://chat.example.org"
    assert config[creds.TWILIO_SMS]["validate_signature"] is False
    assert config[creds.TWILIO_WHATSAPP]["twilio_number"] == "whatsapp:+15550100200"  # prefix accepted once
    assert config[creds.SLACK]["slack_channel"] == "C0123"
    assert config[creds.SLACK]["api_base_url"] == "https://slack-proxy.example/api"
    assert config[creds.TELEGRAM]["api_base_url"] == "http://telegram-bot-api:8081"
    assert config[creds.FACEBOOK]["api_base_url"] == "https://graph-proxy.example"


@pytest.mark.parametrize(
    "env, named",
    [
        ({"TELEGRAM_ACCESS_TOKEN": TELEGRAM["TELEGRAM_ACCESS_TOKEN"]}, ["TELEGRAM_BOT_NAME", "TELEGRAM_WEBHOOK_URL"]),
        ({"SLACK_BOT_TOKEN": SLACK["SLACK_BOT_TOKEN"]}, ["SLACK_SIGNING_SECRET"]),
        ({"SLACK_CHANNEL": "C0123"}, ["SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET"]),
        ({k: v for k, v in FACEBOOK.items() if k != "FACEBOOK_APP_SECRET"}, ["FACEBOOK_APP_SECRET"]),
        ({"TWILIO_NUMBER": "+15550100100"}, ["TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN"]),
        ({k: v for k, v in TWILIO.items() if "NUMBER" not in k}, ["TWILIO_NUMBER", "TWILIO_WHATSAPP_NUMBER"]),
    ],
)
def test_a_partly_configured_channel_fails_naming_what_is_missing(env, named):
    with pytest.raises(ChannelConfigError) as error:
        messaging_channels(env)
    message = str(error.value)
    for variable in named:
        assert variable in message
    for secret in SECRETS:
        assert secret not in message


def test_every_problem_is_reported_at_once():
    with pytest.raises(ChannelConfigError) as error:
        messaging_channels({"TELEGRAM_BOT_NAME": "x", "FACEBOOK_VERIFY_TOKEN": "y"})
    assert "Telegram" in str(error.value) and "Facebook Messenger" in str(error.value)


@pytest.mark.parametrize(
    "change, named",
    [
        ({"TWILIO_NUMBER": "555-0100"}, "TWILIO_NUMBER"),
        ({"TWILIO_NUMBER": "whatsapp:+15550100100"}, "TWILIO_WHATSAPP_NUMBER"),
        ({"TWILIO_WHATSAPP_NUMBER": "whatsapp:15550100200"}, "TWILIO_WHATSAPP_NUMBER"),
        ({"TWILIO_VALIDATE_SIGNATURE": "maybe"}, "TWILIO_VALIDATE_SIGNATURE"),
        ({"TWILIO_API_BASE_URL": "twilio-proxy:8443"}, "TWILIO_API_BASE_URL"),
        ({"TELEGRAM_ACCESS_TOKEN": "not-a-bot-token"}, "TELEGRAM_ACCESS_TOKEN"),
        ({"TELEGRAM_WEBHOOK_URL": "http://chat.example.org/webhooks/telegram/webhook"}, "TELEGRAM_WEBHOOK_URL"),
    ],
)
def test_wrong_values_fail_naming_the_variable(change, named):
    with pytest.raises(ChannelConfigError) as error:
        messaging_channels({**ALL, **change})
    assert named in str(error.value)
    for value in [*SECRETS, *change.values()]:
        assert value not in str(error.value)


def test_written_file_is_private_and_complete(tmp_path):
    out = write_credentials(tmp_path / "sub" / "credentials.yml", ALL)
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert yaml.safe_load(out.read_text(encoding="utf-8")) == credentials(ALL)
    assert not list(out.parent.glob("*.tmp"))


def run_cli(tmp_path, env):
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "SLACK_", "FACEBOOK_", "TWILIO_"))}
    return subprocess.run(
        [sys.executable, "-m", "carepath.credentials", str(tmp_path / "out.yml")],
        cwd=ROOT, env={**clean, **env}, capture_output=True, text=True, timeout=60,
    )


def test_command_line_writes_the_file_and_names_channels_not_secrets(tmp_path):
    result = run_cli(tmp_path, ALL)
    assert result.returncode == 0, result.stderr
    assert "TwilioInput" in result.stderr and "TelegramInput" in result.stderr and "RestInput" in result.stderr
    for secret in SECRETS:
        assert secret not in result.stdout + result.stderr
    assert yaml.safe_load((tmp_path / "out.yml").read_text()) == credentials(ALL)


def test_command_line_fails_fast_on_a_partial_channel(tmp_path):
    result = run_cli(tmp_path, {"TWILIO_ACCOUNT_SID": TWILIO["TWILIO_ACCOUNT_SID"], "TWILIO_NUMBER": "+15550100100"})
    assert result.returncode == 1
    assert "TWILIO_AUTH_TOKEN" in result.stderr
    assert not (tmp_path / "out.yml").exists()


def test_test_servers_use_the_generated_file(tmp_path):
    servers = Servers(tmp_path, env=TWILIO)
    config = yaml.safe_load(servers.credentials.read_text(encoding="utf-8"))
    assert servers.credentials.parent == tmp_path
    assert creds.TWILIO_SMS in config and "carepath.channels.RestInput" in config
