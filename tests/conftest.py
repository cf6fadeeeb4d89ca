"""Shared fixtures: the real knowledge base, and a small driver that runs
actions with real rasa_sdk ``Tracker`` and ``CollectingDispatcher`` objects."""
from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any, Dict, List, Optional

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from carepath.knowledge_base import get_knowledge_base  # noqa: E402


@pytest.fixture(scope="session")
def kb():
    return get_knowledge_base()


def role_entities(text: str, *spans: str) -> List[Dict[str, Any]]:
    entities = []
    for span in spans:
        start = text.index(span)
        entities.append({"entity": "role", "value": span, "start": start, "end": start + len(span)})
    return entities


class Conversation:
    """Runs actions turn by turn, carrying slots over as Rasa would."""

    def __init__(self) -> None:
        self.slots: Dict[str, Any] = {"role": None, "topic": None}
        self.messages: List[Dict[str, Any]] = []

    def tracker(self, text: str, intent: Optional[str], entities=()) -> Tracker:
        latest = {
            "text": text,
            "intent": {"name": intent, "confidence": 1.0} if intent else {},
            "entities": list(entities),
        }
        return Tracker("test-user", dict(self.slots), latest, [], False, None, {}, "action_listen")

    def say(self, action, text: str, intent: Optional[str], roles=()) -> List[Dict[str, Any]]:
        entities = role_entities(text, *roles) if roles and not text.startswith("/") else [
            {"entity": "role", "value": r} for r in roles
        ]
        dispatcher = CollectingDispatcher()
        events = action.run(dispatcher, self.tracker(text, intent, entities), {})
        for event in events:
            if event.get("event") == "slot":
                self.slots[event["name"]] = event["value"]
        self.messages = dispatcher.messages
        return dispatcher.messages

    @property
    def text(self) -> str:
        return "\n".join(m.get("text") or "" for m in self.messages)

    @property
    def payload(self) -> Dict[str, Any]:
        assert self.messages, "the action sent nothing"
        last = self.messages[-1]
        assert last.get("custom"), f"the turn does not end with the payload: {last}"
        return last["custom"]


@pytest.fixture
def convo():
    return Conversation()


def words(text: str) -> str:
    return re.sub(r"\s+", " ", text)
