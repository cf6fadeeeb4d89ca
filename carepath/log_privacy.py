"""Keep visitors' personal data out of the logs.

``install()`` does two things, in the Rasa server (when CarePath's components
load) and in the action server (when it imports ``actions``):

- it wraps the logging record factory, so every log record of the process
  (Rasa's, rasa_sdk's, ours, at every level) has e-mail addresses and phone
  numbers replaced, and the values of the contact form's slots (``lead_name``,
  ``lead_contact``, ``lead_contact_time``) withheld, before any handler sees it;
- it replaces Rasa's structlog anonymizer step, so Rasa's structured debug
  logs never contain what visitors typed (``parse_data_text``, ``user_text``
  ... become ``[N chars withheld]``) and their slot values and events get the
  same redaction.  (Rasa 3.6 only anonymizes with Rasa Pro's plugin.)
"""
from __future__ import annotations

import logging
import re
from typing import Any, Dict

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_PHONE = re.compile(
    r"(?<![\w])(?:\+?\d{1,2}[\s.-]?)?(?:\(\d{3}\)|\d{3})[\s.-]?\d{3}[\s.-]?\d{4}(?![\w]|\.\d)"  # not a timestamp
    r"|(?<![\w+])\+[1-9]\d{7,14}(?!\d)"  # international (E.164), as WhatsApp sender ids are
)
# "lead_name: Maria", "SlotSet(key: lead_name, value: Maria)", "'lead_name': 'Maria'"
_LEAD_SLOT = re.compile(
    r"""(lead_(?:name|contact|contact_time)['"]?(?::|,\s*value:)\s*)(?!\s)(?!None\b|null\b)(['"]?)[^\n,)'"}]*\2"""
)
# structlog keys whose values are what a visitor typed
_USER_TEXT_KEYS = ("text", "user_text", "parse_data_text", "message", "user_message", "tracker_latest_message")
_installed = False


def redact(text: str) -> str:
    return _PHONE.sub("[phone]", _EMAIL.sub("[email]", text))


# Rasa's rule-policy states: "user text: Maria Lopez | previous action name: ..."
_STATE_TEXT = re.compile(r"(user text: )[^|\]\n]*")


def redact_log(text: str) -> str:
    """``redact`` plus the contact form's slot values and user texts in dialogue states."""
    text = _STATE_TEXT.sub(lambda m: m.group(1) + "[withheld] ", text)
    return redact(_LEAD_SLOT.sub(lambda m: m.group(1) + "[withheld]", text))


def _structlog_anonymizer(_logger: Any, _name: str, event_dict: Dict[str, Any]) -> Dict[str, Any]:
    for key, value in list(event_dict.items()):
        if key in ("event", "event_info", "level", "timestamp", "logger"):
            continue
        if key in _USER_TEXT_KEYS and value is not None:
            event_dict[key] = f"[{len(str(value))} chars withheld]"
        elif not isinstance(value, (int, float, bool)) and value is not None:
            text = value if isinstance(value, str) else repr(value)
            cleaned = redact_log(text)
            if cleaned != text:
                event_dict[key] = cleaned
    return event_dict


def _install_structlog_anonymizer() -> None:
    try:
        import structlog
        from rasa.utils import log_utils
    except ImportError:  # the action server has no Rasa
        return
    processors = structlog.get_config().get("processors") or []
    if _structlog_anonymizer in processors:
        return
    if log_utils._anonymizer in processors:
        processors = [_structlog_anonymizer if p is log_utils._anonymizer else p for p in processors]
    else:
        processors = [_structlog_anonymizer, *processors]
    structlog.configure(processors=processors)


def install() -> None:
    global _installed
    _install_structlog_anonymizer()  # again if Rasa re-configured structlog since
    if _installed:
        return
    previous = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a badly formatted record stays as it is
            return record
        cleaned = redact_log(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return record

    logging.setLogRecordFactory(factory)
    _installed = True
