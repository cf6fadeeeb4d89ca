"""SMS/WhatsApp keywords (STOP, START, HELP and their synonyms) and the replies to them.

Both live in ``knowledge_base/messaging.yml`` (in ``CAREPATH_KB_DIR`` when
set), validated when a channel that uses them starts: a problem raises
:class:`MessagingConfigError` naming the file and the field.  Only a message
that is exactly one keyword matches, so any other message (a crisis message
above all) still goes to the assistant.
"""
from __future__ import annotations

import re
import string
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional

import yaml
from pydantic import BaseModel, Extra, ValidationError, constr, validator

from carepath import settings
from carepath.knowledge_base import knowledge_base_dir
from carepath.messaging.text_only import MAX_MESSAGE_CHARS

STOP, START, HELP = "stop", "start", "help"
Keyword = constr(regex=r"^[A-Z]+$")


class MessagingConfigError(ValueError):
    pass


class _Strict(BaseModel):
    class Config:
        extra = Extra.forbid


class Keywords(_Strict):
    stop: List[Keyword]
    start: List[Keyword]
    help: List[Keyword]

    @validator("stop", "start", "help")
    def _not_empty(cls, value: List[str]) -> List[str]:
        if not value:
            raise ValueError("needs at least one keyword")
        return value

    @validator("help")
    def _distinct(cls, value: List[str], values: Dict[str, List[str]]) -> List[str]:
        seen: Dict[str, str] = {}
        for kind, words in [*values.items(), ("help", value)]:
            for word in words:
                if word in seen and seen[word] != kind:
                    raise ValueError(f"{word} is both a {seen[word]} and a {kind} keyword")
                seen[word] = kind
        return value


class Replies(_Strict):
    stopped: constr(strip_whitespace=True, min_length=2)
    started: constr(strip_whitespace=True, min_length=2)
    help: constr(strip_whitespace=True, min_length=2)

    @validator("stopped", "started", "help")
    def _placeholders(cls, value: str) -> str:
        allowed = {f"advisor_{field}" for field in settings.ADVISOR_FIELDS}
        for _, name, _, _ in string.Formatter().parse(value):
            if name is not None and name not in allowed:
                raise ValueError(f"unknown placeholder {{{name}}}; use {', '.join(sorted(allowed))}")
        return value

    @validator("help")
    def _crisis_line(cls, value: str) -> str:
        if "988" not in value:
            raise ValueError("must give the 988 Suicide & Crisis Lifeline")
        return value


class MessagingTexts(_Strict):
    keywords: Keywords
    replies: Replies


@dataclass(frozen=True)
class KeywordReplies:
    """The loaded file: which keyword a message is, and the reply texts (placeholders filled)."""

    kinds: Dict[str, str]  # keyword -> stop | start | help
    stopped: str
    started: str
    help: str

    def match(self, text: Optional[str]) -> Optional[str]:
        """``stop``, ``start`` or ``help`` when ``text`` is exactly one such keyword."""
        if not text:
            return None
        word = re.sub(r"[.!]+$", "", text.strip()).strip().upper()
        return self.kinds.get(word)

    def reply(self, kind: str) -> str:
        return {STOP: self.stopped, START: self.started, HELP: self.help}[kind]


def messaging_file() -> Path:
    return knowledge_base_dir() / "messaging.yml"


def load(path: Optional[Path] = None) -> KeywordReplies:
    path = Path(path or messaging_file())
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as error:
        raise MessagingConfigError(f"{path}: file is missing") from error
    except yaml.YAMLError as error:
        raise MessagingConfigError(f"{path}: not valid YAML: {error}") from error
    if not isinstance(data, dict):
        raise MessagingConfigError(f"{path}: expected a mapping at the top level")
    try:
        texts = MessagingTexts(**data)
    except ValidationError as error:
        fields = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in error.errors())
        raise MessagingConfigError(f"{path}: {fields}") from error
    advisor = {f"advisor_{field}": value for field, value in settings.advisor().items()}
    replies = {}
    for field in ("stopped", "started", "help"):
        text = getattr(texts.replies, field).format(**advisor)
        if len(text) > MAX_MESSAGE_CHARS:
            raise MessagingConfigError(f"{path}: replies.{field}: longer than {MAX_MESSAGE_CHARS} characters")
        replies[field] = text
    if not any(re.search(rf"\b{word}\b", replies["help"]) for word in texts.keywords.stop):
        raise MessagingConfigError(f"{path}: replies.help: must say how to stop (name a stop keyword)")
    kinds = {word: kind for kind in (STOP, START, HELP) for word in getattr(texts.keywords, kind)}
    return KeywordReplies(kinds=kinds, **replies)
