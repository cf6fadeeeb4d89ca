"""How CarePath's replies read on channels that show only text (SMS, WhatsApp).

Pure functions, used by the channel modules:

- buttons become a numbered list ("Reply with a number: 1. Pay ..."), and a
  reply of just that number, or of the option's title, picks the button's
  payload (``chosen_option``);
- the payload that ends every turn is never sent as JSON: its sources become
  one short line of links, scheme and ``www.`` removed (``links_line``);
- long texts are split at paragraph, line, sentence or word boundaries
  (``split_message``), under Twilio's 1,600-character limit;
- for SMS, typographic quotes and dashes become plain ones (``sms_safe``), so
  a message stays in the GSM alphabet (160 characters a segment, not 70).
"""
from __future__ import annotations

import re
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence
from urllib.parse import urlsplit

# Twilio concatenates up to 1,600 characters into one message; keep a margin.
MAX_MESSAGE_CHARS = 1500
OPTIONS_PROMPT = "Reply with a number:"
LINKS_LABEL = "Links:"
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_NUMBER_REPLY = re.compile(r"^#?\s*(\d{1,3})\s*[.)]?$")
_SMS_FOLDS = str.maketrans({
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u2033": '"',
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2212": "-",
    "\u2022": "-", "\u00b7": "-",
    "\u00a0": " ", "\u2009": " ", "\u202f": " ",
    "\u2026": "...",
})

Button = Mapping[str, Any]


def short_link(url: str) -> str:
    """``https://www.bls.gov/ooh/x.htm#tab-2`` -> ``bls.gov/ooh/x.htm#tab-2``."""
    parts = urlsplit(url.strip())
    if not parts.netloc:
        return url.strip()
    host = parts.netloc.lower()
    host = host[4:] if host.startswith("www.") else host
    link = host + parts.path
    if parts.query:
        link += "?" + parts.query
    if parts.fragment:
        link += "#" + parts.fragment
    return link.rstrip("/") if not (parts.query or parts.fragment) else link


def source_urls(payload: Mapping[str, Any]) -> List[str]:
    """The distinct source URLs of a CarePath payload, in order."""
    urls: List[str] = []
    for source in payload.get("sources") or []:
        url = source.get("url") if isinstance(source, Mapping) else None
        if isinstance(url, str) and url.strip() and url not in urls:
            urls.append(url)
    return urls


def links_line(payload: Mapping[str, Any], link: Optional[Callable[[str, str], str]] = None) -> Optional[str]:
    """One line with the payload's sources as short links, or ``None`` without sources.

    ``link(url, short)`` formats one link (Slack wants ``<url|short>``)."""
    urls = source_urls(payload)
    if not urls:
        return None
    link = link or (lambda url, short: short)
    return f"{LINKS_LABEL} " + ", ".join(link(url, short_link(url)) for url in urls)


def is_carepath_payload(json_message: Any) -> bool:
    """The custom JSON that ends every CarePath turn (topic, role, sources, answer_id)."""
    return isinstance(json_message, Mapping) and "answer_id" in json_message and "topic" in json_message


def numbered_options(buttons: Sequence[Button]) -> str:
    lines = [f"{number}. {button.get('title', '')}".rstrip() for number, button in enumerate(buttons, start=1)]
    return "\n".join([OPTIONS_PROMPT, *lines])


def with_numbered_options(text: Optional[str], buttons: Sequence[Button]) -> str:
    text = (text or "").strip()
    return f"{text}\n\n{numbered_options(buttons)}" if text else numbered_options(buttons)


def option_list(buttons: Sequence[Button]) -> List[Dict[str, str]]:
    """The buttons as stored to resolve a later reply: title and payload only."""
    return [
        {"title": str(button.get("title", "")), "payload": str(button.get("payload", ""))}
        for button in buttons
        if button.get("payload")
    ]


def _normalized(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().strip(".!?").strip().casefold()


def chosen_option(text: Optional[str], options: Sequence[Button]) -> Optional[str]:
    """The payload of the option a reply picks ("2", "2.", "#2" or the title), else ``None``."""
    if not text or not options:
        return None
    match = _NUMBER_REPLY.match(text.strip())
    if match:
        number = int(match.group(1))
        return str(options[number - 1]["payload"]) if 1 <= number <= len(options) else None
    wanted = _normalized(text)
    for option in options:
        if wanted and _normalized(str(option.get("title", ""))) == wanted:
            return str(option["payload"])
    return None


def sms_safe(text: str) -> str:
    return text.translate(_SMS_FOLDS)


def _pieces(text: str, separator: str) -> List[str]:
    if separator == "sentence":
        return [piece for piece in _SENTENCE_END.split(text) if piece]
    return [piece for piece in text.split(separator) if piece.strip()]


def _pack(text: str, limit: int, separators: Sequence[str]) -> List[str]:
    if len(text) <= limit:
        return [text]
    if not separators:
        return [text[start:start + limit] for start in range(0, len(text), limit)]
    separator, finer = separators[0], separators[1:]
    joiner = " " if separator == "sentence" else separator
    chunks: List[str] = []
    current = ""
    for piece in _pieces(text, separator):
        for part in _pack(piece.strip(), limit, finer):
            candidate = f"{current}{joiner}{part}" if current else part
            if len(candidate) <= limit:
                current = candidate
            else:
                chunks.append(current)
                current = part
    if current:
        chunks.append(current)
    return chunks


def split_message(text: str, limit: int = MAX_MESSAGE_CHARS) -> List[str]:
    """``text`` in as few parts of at most ``limit`` characters as sensible."""
    text = text.strip()
    if not text:
        return []
    return _pack(text, limit, ["\n\n", "\n", "sentence", " "])
