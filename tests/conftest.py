"""Shared fixtures: the real knowledge base, and a small driver that runs
actions with real rasa_sdk ``Tracker`` and ``CollectingDispatcher`` objects."""
from __future__ import annotations

import asyncio
import inspect
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


DOMAIN_SLOTS = ("role", "topic", "school", "lead_name", "lead_contact", "lead_program", "lead_contact_time",
                "lead_consent", "requested_slot")


class Conversation:
    """Runs actions turn by turn, carrying slots over as Rasa would.

    ``school`` puts ``{"school_id": ...}`` in every message's metadata, as the
    widget does.
    """

    def __init__(self, school: Optional[str] = None) -> None:
        self.school = school
        self.slots: Dict[str, Any] = {name: None for name in DOMAIN_SLOTS}
        self.messages: List[Dict[str, Any]] = []
        self.events: List[Dict[str, Any]] = []
        self.active_loop: Optional[str] = None

    def tracker(self, text: str, intent: Optional[str], entities=(), confidence: float = 1.0) -> Tracker:
        latest = {
            "text": text,
            "intent": {"name": intent, "confidence": confidence} if intent else {},
            "entities": list(entities),
        }
        if self.school is not None:
            latest["metadata"] = {"school_id": self.school}
        loop = {"name": self.active_loop} if self.active_loop else {}
        return Tracker("test-user", dict(self.slots), latest, [], False, None, loop, "action_listen")

    def say(self, action, text: str, intent: Optional[str], roles=(), domain=None, confidence: float = 1.0):
        entities = role_entities(text, *roles) if roles and not text.startswith("/") else [
            {"entity": "role", "value": r} for r in roles
        ]
        dispatcher = CollectingDispatcher()
        events = action.run(dispatcher, self.tracker(text, intent, entities, confidence), domain or {})
        if inspect.isawaitable(events):
            events = asyncio.run(events)
        for event in events:
            if event.get("event") == "slot":
                self.slots[event["name"]] = event["value"]
            if event.get("event") == "active_loop":
                self.active_loop = event.get("name")
        self.events = events
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


@pytest.fixture
def convo_factory():
    """``convo_factory("example-tech")``: a conversation on that school's page."""
    return Conversation
