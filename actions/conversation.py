"""Actions for the conversation topics: greet, goodbye, thanks, bot challenge,
out of scope, medical advice, crisis, and the fallback for input the
assistant could not understand (including empty, emoji-only and over-long
messages).  Their texts live in ``knowledge_base/conversation.yml``.
"""
from __future__ import annotations

from abc import ABCMeta, abstractmethod
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.common import citation_line, kb, latest_text, school_of, school_slot, send_payload
from actions.lead_form import leave_form
from carepath import text_guard
from carepath.schools import School


class ConversationAction(Action, metaclass=ABCMeta):
    """Sends one entry of ``conversation.yml`` followed by the payload."""

    @property
    @abstractmethod
    def topic(self) -> str:
        """The payload topic; also names the action (``action_<topic>``)."""

    entry_key: Optional[str] = None  # defaults to ``topic``

    def name(self) -> Text:
        return f"action_{self.topic}"

    def entry_for(self, tracker: Tracker) -> str:
        return self.entry_key or self.topic

    def fill(self, text: str, school: Optional[School]) -> str:
        return text

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        school = school_of(tracker)
        key = self.entry_for(tracker)
        entry = kb().conversation.entries[key]
        text = self.fill(entry.text, school)
        if entry.sources:
            text = f"{text}\n\n{citation_line(entry.sources, entry.as_of)}"
        buttons = [b.dict() for b in entry.buttons]
        dispatcher.utter_message(text=text, buttons=buttons or None)
        send_payload(dispatcher, self.topic, None, entry.sources, f"conversation.{key}", school)
        return school_slot(tracker, school)


class ActionGreet(ConversationAction):
    """The school's own greeting on its page, else the general one."""

    topic = "greet"

    def fill(self, text: str, school: Optional[School]) -> str:
        return school.greeting if school else text


class ActionGoodbye(ConversationAction):
    """Goodbye; also ends a contact form in progress (nothing stored)."""

    topic = "goodbye"

    def run(self, dispatcher, tracker, domain):
        return super().run(dispatcher, tracker, domain) + leave_form(tracker)


class ActionThanks(ConversationAction):
    topic = "thanks"


class ActionBotChallenge(ConversationAction):
    topic = "bot_challenge"


class ActionOutOfScope(ConversationAction):
    topic = "out_of_scope"


class ActionMedicalAdvice(ConversationAction):
    topic = "medical_advice"


class ActionCrisis(ConversationAction):
    """The 988 Lifeline; also ends a contact form in progress (nothing stored)."""

    topic = "crisis"

    def run(self, dispatcher, tracker, domain):
        return super().run(dispatcher, tracker, domain) + leave_form(tracker)


class ActionFallback(ConversationAction):
    """Low-confidence or unreadable input: says what went wrong, offers topics."""

    topic = "fallback"
    _ENTRIES = {
        text_guard.EMPTY: "empty_message",
        text_guard.UNREADABLE: "unreadable_message",
        text_guard.TOO_LONG: "too_long_message",
        text_guard.OK: "fallback",
    }

    def entry_for(self, tracker: Tracker) -> str:
        # NLU reports what it found wrong (it saw the raw text); else judge the text here
        problem = tracker.latest_message.get("input_problem") or text_guard.classify(latest_text(tracker))
        return self._ENTRIES.get(problem, "fallback")

    def fill(self, text: str, school: Optional[School]) -> str:
        return text.replace("{max_chars}", f"{text_guard.max_chars():,}")
