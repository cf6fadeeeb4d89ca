"""Classify and clean raw user text before it reaches the classifier.

Bad input (empty, whitespace, emoji-only, markup-only, over-long) is recognised
here so that the assistant can answer it kindly instead of guessing an intent.
"""
from __future__ import annotations

import html
import os
import re
import unicodedata

DEFAULT_MAX_CHARS = 1000
# How much text NLU looks at; the tracker still stores the whole message.
NLU_TEXT_LIMIT = 2000

_TAG = re.compile(r"<[^<>]{0,2000}>")
_SPACE = re.compile(r"\s+")

OK = "ok"
EMPTY = "empty"
UNREADABLE = "unreadable"
TOO_LONG = "too_long"


def max_chars() -> int:
    try:
        return max(50, int(os.environ.get("CAREPATH_MAX_MESSAGE_CHARS", DEFAULT_MAX_CHARS)))
    except ValueError:
        return DEFAULT_MAX_CHARS


def clean(text: object) -> str:
    """Drop HTML tags and control characters, decode entities, fold white space."""
    if not isinstance(text, str):
        text = "" if text is None else str(text)
    text = _TAG.sub(" ", text)
    text = html.unescape(text)
    text = "".join(ch if unicodedata.category(ch)[0] != "C" else " " for ch in text)
    return _SPACE.sub(" ", text).strip()


def mask_markup(text: str) -> str:
    """Blank out HTML tags and control characters *keeping every offset*.

    NLU reads this version, so entity positions still point into the text the
    user typed (which is what the tracker stores).
    """
    masked = _TAG.sub(lambda m: " " * len(m.group(0)), text)
    return "".join(" " if unicodedata.category(ch)[0] == "C" else ch for ch in masked)


def has_words(text: str) -> bool:
    return any(unicodedata.category(ch)[0] in ("L", "N") for ch in text)


def classify(text: object) -> str:
    """One of ``ok``, ``empty``, ``unreadable`` (no letters or digits) or ``too_long``."""
    raw = text if isinstance(text, str) else ("" if text is None else str(text))
    if len(raw) > max_chars():
        return TOO_LONG
    cleaned = clean(raw)
    if not cleaned:
        return EMPTY if not raw.strip() or not _TAG.search(raw) else UNREADABLE
    if not has_words(cleaned):
        return UNREADABLE
    return OK
