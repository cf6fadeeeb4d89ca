"""Write the credentials file (the channels) a Rasa server uses, from the environment.

    python -m carepath.credentials OUT.yml

The file always has the channels of ``credentials.yml`` (REST and socket.io,
the documented default that ``rasa run --credentials credentials.yml`` and
``rasa shell`` use), plus each messaging channel whose environment variables
are set:

- Telegram: TELEGRAM_ACCESS_TOKEN, TELEGRAM_BOT_NAME, TELEGRAM_WEBHOOK_URL
  (optional TELEGRAM_API_BASE_URL)
- Slack: SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET (optional SLACK_CHANNEL, SLACK_API_BASE_URL)
- Facebook Messenger: FACEBOOK_VERIFY_TOKEN, FACEBOOK_APP_SECRET, FACEBOOK_PAGE_ACCESS_TOKEN
  (optional FACEBOOK_API_BASE_URL)
- Twilio: TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, and TWILIO_NUMBER (SMS) and/or
  TWILIO_WHATSAPP_NUMBER (WhatsApp); optional TWILIO_API_BASE_URL,
  TWILIO_WEBHOOK_BASE_URL, TWILIO_VALIDATE_SIGNATURE (default true)

A channel with only some of its variables set is an error that names the
missing ones (exit status 1).  Values are never printed: the file holds
secrets, so it is written readable by its owner only.  ``*_API_BASE_URL``
send the channel's outgoing API calls elsewhere (a proxy, a regional edge, a
self-hosted Telegram Bot API server); the tests point them at local stand-ins.
"""
from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Dict, List, Mapping, Optional, Tuple

import yaml

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CREDENTIALS = ROOT / "credentials.yml"
BASE_CHANNELS = ("carepath.channels.RestInput", "carepath.channels.SocketIOInput")

TELEGRAM = "carepath.messaging.telegram.TelegramInput"
SLACK = "carepath.messaging.slack.SlackInput"
FACEBOOK = "carepath.messaging.facebook.FacebookInput"
TWILIO_SMS = "carepath.messaging.twilio.TwilioInput"
TWILIO_WHATSAPP = "carepath.messaging.twilio.TwilioWhatsAppInput"

E164 = re.compile(r"^\+[1-9]\d{6,14}$")
TELEGRAM_TOKEN = re.compile(r"^\d+:\S+$")


class ChannelConfigError(ValueError):
    """A messaging channel is configured incompletely or wrongly (names variables, never values)."""


@dataclass(frozen=True)
class Channel:
    label: str
    required: Tuple[str, ...]
    optional: Tuple[str, ...]
    build: Callable[[Mapping[str, str]], Dict[str, Dict[str, Any]]]

    @property
    def variables(self) -> Tuple[str, ...]:
        return self.required + self.optional


def _value(env: Mapping[str, str], name: str) -> Optional[str]:
    value = env.get(name)
    return value.strip() if value and value.strip() else None


def _base_url(env: Mapping[str, str], name: str) -> Optional[str]:
    url = _value(env, name)
    if url and not re.match(r"^https?://[^/\s]+", url):
        raise ChannelConfigError(f"{name} must be an http(s) URL such as https://proxy.example:8443")
    return url.rstrip("/") if url else None


def _optional(settings: Dict[str, Any], key: str, value: Any) -> Dict[str, Any]:
    if value is not None:
        settings[key] = value
    return settings


def _flag(env: Mapping[str, str], name: str, default: bool) -> bool:
    value = _value(env, name)
    if value is None:
        return default
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    if value.lower() in ("0", "false", "no", "off"):
        return False
    raise ChannelConfigError(f"{name} must be true or false")


def _telegram(env: Mapping[str, str]) -> Dict[str, Dict[str, Any]]:
    if not TELEGRAM_TOKEN.match(_value(env, "TELEGRAM_ACCESS_TOKEN") or ""):
        raise ChannelConfigError("TELEGRAM_ACCESS_TOKEN does not look like a bot token from @BotFather (digits:letters)")
    webhook = _value(env, "TELEGRAM_WEBHOOK_URL") or ""
    if not webhook.startswith("https://"):
        raise ChannelConfigError(
            "TELEGRAM_WEBHOOK_URL must be the public https:// URL of /webhooks/telegram/webhook (Telegram requires HTTPS)"
        )
    settings = {
        "access_token": _value(env, "TELEGRAM_ACCESS_TOKEN"),
        "verify": _value(env, "TELEGRAM_BOT_NAME").lstrip("@"),
        "webhook_url": webhook,
    }
    return {TELEGRAM: _optional(settings, "api_base_url", _base_url(env, "TELEGRAM_API_BASE_URL"))}


def _slack(env: Mapping[str, str]) -> Dict[str, Dict[str, Any]]:
    settings = {"slack_token": _value(env, "SLACK_BOT_TOKEN"), "slack_signing_secret": _value(env, "SLACK_SIGNING_SECRET")}
    _optional(settings, "slack_channel", _value(env, "SLACK_CHANNEL"))
    return {SLACK: _optional(settings, "api_base_url", _base_url(env, "SLACK_API_BASE_URL"))}


def _facebook(env: Mapping[str, str]) -> Dict[str, Dict[str, Any]]:
    settings = {
        "verify": _value(env, "FACEBOOK_VERIFY_TOKEN"),
        "secret": _value(env, "FACEBOOK_APP_SECRET"),
        "page-access-token": _value(env, "FACEBOOK_PAGE_ACCESS_TOKEN"),
    }
    return {FACEBOOK: _optional(settings, "api_base_url", _base_url(env, "FACEBOOK_API_BASE_URL"))}


def _twilio_number(env: Mapping[str, str], name: str, whatsapp: bool) -> Optional[str]:
    number = _value(env, name)
    if number is None:
        return None
    number = number.replace(" ", "")
    if number.lower().startswith("whatsapp:"):
        if not whatsapp:
            raise ChannelConfigError(f"{name} is an SMS number (+15551234567); put WhatsApp numbers in TWILIO_WHATSAPP_NUMBER")
        number = number.split(":", 1)[1]
    if not E164.match(number):
        raise ChannelConfigError(f"{name} must be a phone number in E.164 form, like +15551234567")
    return f"whatsapp:{number}" if whatsapp else number


def _twilio(env: Mapping[str, str]) -> Dict[str, Dict[str, Any]]:
    sms = _twilio_number(env, "TWILIO_NUMBER", whatsapp=False)
    whatsapp = _twilio_number(env, "TWILIO_WHATSAPP_NUMBER", whatsapp=True)
    if not sms and not whatsapp:
        raise ChannelConfigError("set TWILIO_NUMBER (SMS) and/or TWILIO_WHATSAPP_NUMBER (WhatsApp)")
    common = {
        "account_sid": _value(env, "TWILIO_ACCOUNT_SID"),
        "auth_token": _value(env, "TWILIO_AUTH_TOKEN"),
        "validate_signature": _flag(env, "TWILIO_VALIDATE_SIGNATURE", True),
    }
    _optional(common, "api_base_url", _base_url(env, "TWILIO_API_BASE_URL"))
    _optional(common, "webhook_base_url", _base_url(env, "TWILIO_WEBHOOK_BASE_URL"))
    channels: Dict[str, Dict[str, Any]] = {}
    if sms:
        channels[TWILIO_SMS] = {**common, "twilio_number": sms}
    if whatsapp:
        channels[TWILIO_WHATSAPP] = {**common, "twilio_number": whatsapp}
    return channels


CHANNELS: Tuple[Channel, ...] = (
    Channel(
        "Telegram",
        ("TELEGRAM_ACCESS_TOKEN", "TELEGRAM_BOT_NAME", "TELEGRAM_WEBHOOK_URL"),
        ("TELEGRAM_API_BASE_URL",),
        _telegram,
    ),
    Channel("Slack", ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET"), ("SLACK_CHANNEL", "SLACK_API_BASE_URL"), _slack),
    Channel(
        "Facebook Messenger",
        ("FACEBOOK_VERIFY_TOKEN", "FACEBOOK_APP_SECRET", "FACEBOOK_PAGE_ACCESS_TOKEN"),
        ("FACEBOOK_API_BASE_URL",),
        _facebook,
    ),
    Channel(
        "Twilio",
        ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN"),
        ("TWILIO_NUMBER", "TWILIO_WHATSAPP_NUMBER", "TWILIO_API_BASE_URL", "TWILIO_WEBHOOK_BASE_URL",
         "TWILIO_VALIDATE_SIGNATURE"),
        _twilio,
    ),
)


def base_credentials(path: Path = DEFAULT_CREDENTIALS) -> Dict[str, Any]:
    """The documented default channels (``credentials.yml``): REST and socket.io."""
    config = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    missing = [name for name in BASE_CHANNELS if name not in config]
    if missing:
        raise ChannelConfigError(f"{path}: missing channels {', '.join(missing)}")
    return config


def messaging_channels(env: Optional[Mapping[str, str]] = None) -> Dict[str, Dict[str, Any]]:
    """The messaging channels configured in ``env`` (default ``os.environ``)."""
    env = os.environ if env is None else env
    channels: Dict[str, Dict[str, Any]] = {}
    problems: List[str] = []
    for channel in CHANNELS:
        present = [name for name in channel.variables if _value(env, name)]
        if not present:
            continue
        missing = [name for name in channel.required if not _value(env, name)]
        if missing:
            problems.append(
                f"{channel.label}: {', '.join(missing)} {'is' if len(missing) == 1 else 'are'} missing "
                f"(set: {', '.join(present)})"
            )
            continue
        try:
            channels.update(channel.build(env))
        except ChannelConfigError as error:
            problems.append(f"{channel.label}: {error}")
    if problems:
        raise ChannelConfigError("; ".join(problems))
    return channels


def credentials(env: Optional[Mapping[str, str]] = None, base: Path = DEFAULT_CREDENTIALS) -> Dict[str, Any]:
    return {**base_credentials(base), **messaging_channels(env)}


def write_credentials(out: Path, env: Optional[Mapping[str, str]] = None, base: Path = DEFAULT_CREDENTIALS) -> Path:
    """Write the credentials file (mode 0600: it may hold tokens) and return its path."""
    config = credentials(env, base)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".tmp")
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write("# Generated by carepath.credentials from credentials.yml and the environment. Do not edit.\n")
        yaml.safe_dump(config, handle, sort_keys=False, default_flow_style=False)
    os.chmod(partial, 0o600)
    os.replace(partial, out)
    return out


def channel_names(config: Mapping[str, Any]) -> List[str]:
    return [name.rsplit(".", 1)[-1] for name in config]


def main(argv: Optional[List[str]] = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1 or args[0].startswith("-"):
        print("usage: python -m carepath.credentials OUT.yml", file=sys.stderr)
        return 2
    try:
        out = write_credentials(Path(args[0]))
    except ChannelConfigError as error:
        print(f"carepath.credentials: {error}", file=sys.stderr)
        return 1
    config = yaml.safe_load(out.read_text(encoding="utf-8"))
    print(f"carepath.credentials: {out}: channels {', '.join(channel_names(config))}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
