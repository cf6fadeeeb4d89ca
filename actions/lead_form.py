"""The advisor contact form (``lead_form``): name, email or phone, program of
interest, preferred contact time, then explicit consent.

- The lead is stored (``carepath/leads.py``) only when the visitor says yes to
  "May <school> contact you ...?"; with a no, a cancel or a goodbye nothing is
  stored and the form's slots are cleared.
- A question in the middle of the form ("how much do MAs make?") is not taken
  as an answer: the slot extractors below leave it, the form is rejected, the
  rules in ``data/rules_lead_form.yml`` answer it, and the form asks again.
- An email or phone that doesn't look valid is asked for again.
- The texts live in ``knowledge_base/conversation.yml`` (``lead_*``).
"""
from __future__ import annotations

import json
import re
from abc import ABCMeta, abstractmethod
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import (
    advisor_fields,
    kb,
    latest_text,
    resolve_role,
    roles_in_message,
    school_of,
    school_slot,
    send_payload,
)
from carepath import leads
from carepath.schools import School

FORM = "lead_form"
HANDOFF = "handoff"
SLOTS = ("lead_name", "lead_contact", "lead_program", "lead_contact_time", "lead_consent")
UNDECIDED = "undecided"

EMAIL = re.compile(r"^[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$")
EMAIL_IN_TEXT = re.compile(r"[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
PHONE_IN_TEXT = re.compile(r"\+?\d[\d\s().-]{6,}\d")
QUESTION = re.compile(
    r"\?\s*$|^\s*(how|what|what's|whats|when|where|why|who|which|can|could|do|does|did|is|are|will|would|should)\b",
    re.IGNORECASE,
)
NAME_PREFIX = re.compile(r"^\s*(my name is|my name's|i am|i'm|im|it's|its|this is|call me|name:)\s+", re.IGNORECASE)
UNDECIDED_WORDS = re.compile(r"\b(not sure|unsure|undecided|don't know|dont know|no idea|any|either|not decided)\b", re.I)
YES = re.compile(r"^\s*(y|yes|yeah|yep|yup|sure|ok|okay|of course|please do|i agree|i consent)\b", re.IGNORECASE)
NO = re.compile(r"^\s*(n|no|nope|nah|no thanks|don't|do not|i do not|i don't)\b", re.IGNORECASE)
# Intents that are never an answer to a form question.
NEVER_AN_ANSWER = {"cancel", "crisis", "goodbye", "medical_advice"}


def _intent(tracker: Tracker) -> str:
    return (tracker.latest_message.get("intent") or {}).get("name") or ""


def _is_yes(tracker: Tracker, text: str) -> bool:
    """A bare "yes"/"ok" (to the offer, not an answer to the question asked)."""
    return _intent(tracker) == "affirm" or bool(re.fullmatch(r"\s*(y|yes|yeah|yep|yup|sure|ok|okay)[.!]*\s*", text, re.I))


def _is_question(text: str) -> bool:
    return bool(QUESTION.search(text))


def _is_confident_question(tracker: Tracker, text: str) -> bool:
    """A question without a question mark ("tell me about pay for CNAs")."""
    intent = tracker.latest_message.get("intent") or {}
    name, confidence = intent.get("name") or "", intent.get("confidence") or 0.0
    asks = name.startswith("ask_") or name in {"out_of_scope", "bot_challenge", "handoff"}
    return _is_question(text) or (asks and confidence >= 0.6 and len(text.split()) >= 4)


def normalize_phone(text: str) -> Optional[str]:
    """Digits of a North American or international number, or ``None``."""
    digits = re.sub(r"\D", "", text)
    if text.strip().startswith("+") and 8 <= len(digits) <= 15:
        return "+" + digits
    if len(digits) == 10:
        return "+1" + digits
    if len(digits) == 11 and digits.startswith("1"):
        return "+" + digits
    return None


def parse_contact(text: str) -> Optional[Dict[str, str]]:
    """``{"email": ...}`` or ``{"phone": ...}`` from a reply, or ``None``."""
    text = text.strip()
    email = EMAIL_IN_TEXT.search(text)
    if email and EMAIL.match(email.group(0)):
        return {"email": email.group(0).lower()}
    phone = PHONE_IN_TEXT.search(text)
    if phone:
        normalized = normalize_phone(phone.group(0))
        if normalized:
            return {"phone": normalized}
    return None


def contact_label(value: Optional[str]) -> str:
    return value or ""


def program_label(program: Optional[str]) -> str:
    if not program or program == UNDECIDED:
        return "the programs that fit you"
    role = kb().roles.get(program)
    return f"the {role.name} program" if role else program


class ValidateLeadForm(FormValidationAction):
    def name(self) -> Text:
        return "validate_lead_form"

    async def run(self, dispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        events = await super().run(dispatcher, tracker, domain)
        if not events and tracker.get_slot("requested_slot") is None:
            # At activation Rasa 3.6 runs this action a second time when the first
            # run returned no event; a no-op event saves that round trip.
            events.append(SlotSet("lead_name", tracker.get_slot("lead_name")))
        return events

    # --- extraction: only the requested slot, and never a question or a cancel ---

    @staticmethod
    def _answer_text(tracker: Tracker, slot: str) -> Optional[str]:
        if tracker.get_slot("requested_slot") != slot or _intent(tracker) in NEVER_AN_ANSWER:
            return None
        if slot in ("lead_name", "lead_contact") and _intent(tracker) == "deny":
            return None  # "no thanks" instead of a name or a number: the rules end the form
        text = latest_text(tracker).strip()
        return text or None

    async def extract_lead_name(self, dispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        text = self._answer_text(tracker, "lead_name")
        if text is None or text.startswith("/"):
            return {}
        if not NAME_PREFIX.match(text) and _is_confident_question(tracker, text):
            return {}
        name = NAME_PREFIX.sub("", text).strip(" .!,")
        return {"lead_name": name} if name else {}

    async def extract_lead_contact(self, dispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        text = self._answer_text(tracker, "lead_contact")
        if text is None or text.startswith("/") or (_is_question(text) and parse_contact(text) is None):
            return {}
        return {"lead_contact": text}

    async def extract_lead_program(self, dispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        text = self._answer_text(tracker, "lead_program")
        if text is None:
            return {}
        named = roles_in_message(tracker)
        if named:
            return {"lead_program": named[0]}
        if UNDECIDED_WORDS.search(text) and not _is_question(text):
            return {"lead_program": UNDECIDED}
        if _is_question(text) or text.startswith("/"):
            return {}
        return {"lead_program": text}

    async def extract_lead_contact_time(self, dispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        text = self._answer_text(tracker, "lead_contact_time")
        if text is None or text.startswith("/") or _is_question(text):
            return {}
        return {"lead_contact_time": text[:120]}

    async def extract_lead_consent(self, dispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        text = self._answer_text(tracker, "lead_consent")
        if text is None:
            return {}
        intent = _intent(tracker)
        if intent == "affirm" or (not _is_question(text) and YES.match(text)):
            return {"lead_consent": True}
        if intent == "deny" or (not _is_question(text) and NO.match(text)):
            return {"lead_consent": False}
        if _is_question(text):
            return {}
        return {"lead_consent": "unclear"}

    # --- validation ---

    def validate_lead_name(self, value: Any, dispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        name = str(value or "").strip()
        if not (1 <= len(name) <= 120) or not re.search(r"[^\W\d_]", name) or _is_yes(tracker, name):
            return {"lead_name": None}  # asked again ("yes" to the offer: the name question follows)
        return {"lead_name": name}

    def validate_lead_contact(self, value: Any, dispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        contact = parse_contact(str(value or ""))
        if contact is None:
            self._say(dispatcher, tracker, "lead_invalid_contact")
            return {"lead_contact": None}
        return {"lead_contact": next(iter(contact.values()))}

    def validate_lead_program(self, value: Any, dispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        if value == UNDECIDED or value in kb().roles:
            return {"lead_program": value}
        role = resolve_role(str(value or ""))
        if role:
            return {"lead_program": role}
        self._say(dispatcher, tracker, "lead_invalid_program")
        return {"lead_program": None}

    def validate_lead_contact_time(self, value: Any, dispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        text = str(value).strip()
        return {"lead_contact_time": None if not text or _is_yes(tracker, text) else text}

    def validate_lead_consent(self, value: Any, dispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        if isinstance(value, bool):
            return {"lead_consent": value}
        self._say(dispatcher, tracker, "lead_invalid_consent")
        return {"lead_consent": None}

    @staticmethod
    def _say(dispatcher: CollectingDispatcher, tracker: Tracker, key: str) -> None:
        school = school_of(tracker)
        dispatcher.utter_message(text=kb().conversation.entries[key].text.format(**advisor_fields(school)))


class AskLeadSlot(Action, metaclass=ABCMeta):
    """Asks for one slot of the form; the turn ends with the payload."""

    @property
    @abstractmethod
    def slot(self) -> str:
        """The form slot this action asks for."""

    @property
    @abstractmethod
    def entry(self) -> str:
        """The question's entry in conversation.yml."""

    def name(self) -> Text:
        return f"action_ask_{self.slot}"

    def buttons(self, school: Optional[School]) -> List[Dict[str, str]]:
        return [b.dict() for b in kb().conversation.entries[self.entry].buttons]

    def intro(self, tracker: Tracker, fields: Dict[str, str]) -> Optional[str]:
        """A message sent before the question (none by default)."""
        return None

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        school = school_of(tracker)
        fields = {
            **advisor_fields(school),
            "lead_name": tracker.get_slot("lead_name") or "",
            "lead_contact": contact_label(tracker.get_slot("lead_contact")),
            "lead_program": program_label(tracker.get_slot("lead_program")),
        }
        answer_ids = [f"conversation.{self.entry}"]
        intro = self.intro(tracker, fields)
        if intro:
            dispatcher.utter_message(text=intro)
            answer_ids.insert(0, f"conversation.{HANDOFF}")
        text = kb().conversation.entries[self.entry].text.format(**fields)
        dispatcher.utter_message(text=text, buttons=self.buttons(school) or None)
        send_payload(dispatcher, HANDOFF, None, [], "+".join(answer_ids), school)
        return school_slot(tracker, school)


class AskLeadName(AskLeadSlot):
    """The form's first question; after a hand-off request it first gives the
    advisor's contact details (the school's on a school's page)."""

    slot, entry = "lead_name", "lead_ask_name"

    def intro(self, tracker: Tracker, fields: Dict[str, str]) -> Optional[str]:
        if _intent(tracker) != HANDOFF:
            return None
        return kb().conversation.entries[HANDOFF].text.format(**fields)

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        if _intent(tracker) != "affirm":
            return super().run(dispatcher, tracker, domain)
        # "yes" to the offer: just the question
        school = school_of(tracker)
        text = kb().conversation.entries["lead_ask_name_after_yes"].text.format(**advisor_fields(school))
        dispatcher.utter_message(text=text)
        send_payload(dispatcher, HANDOFF, None, [], "conversation.lead_ask_name_after_yes", school)
        return school_slot(tracker, school)


class AskLeadContact(AskLeadSlot):
    slot, entry = "lead_contact", "lead_ask_contact"


class AskLeadProgram(AskLeadSlot):
    """Offers the school's programs (or every role) as buttons, plus "not sure yet"."""

    slot, entry = "lead_program", "lead_ask_program"

    def buttons(self, school: Optional[School]) -> List[Dict[str, str]]:
        roles = list(school.programs) if school and school.programs else list(kb().roles)
        buttons = []
        for role_id in roles:
            title = school.programs[role_id].name if school and role_id in school.programs else kb().roles[role_id].name
            buttons.append({"title": title[:1].upper() + title[1:], "payload": f"/inform_role{json.dumps({'role': role_id})}"})
        return buttons + [{"title": "Not sure yet", "payload": "not sure yet"}]


class AskLeadContactTime(AskLeadSlot):
    slot, entry = "lead_contact_time", "lead_ask_contact_time"


class AskLeadConsent(AskLeadSlot):
    slot, entry = "lead_consent", "lead_ask_consent"


def _clear_form() -> List[EventType]:
    return [SlotSet(slot, None) for slot in SLOTS] + [SlotSet("requested_slot", None)]


class ActionSubmitLead(Action):
    """Stores the lead only with consent, then clears the form's slots."""

    def name(self) -> Text:
        return "action_submit_lead"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        school = school_of(tracker)
        fields = {**advisor_fields(school), **{s: tracker.get_slot(s) or "" for s in SLOTS}}
        if tracker.get_slot("lead_consent") is True:
            contact = tracker.get_slot("lead_contact") or ""
            consent = kb().conversation.entries["lead_ask_consent"].text.format(
                **{**fields, "lead_program": program_label(tracker.get_slot("lead_program"))}
            )
            leads.save(
                leads.Lead(
                    school_id=school.id if school else leads.GENERAL,
                    name=tracker.get_slot("lead_name"),
                    email=contact if "@" in contact else None,
                    phone=None if "@" in contact else contact,
                    program=tracker.get_slot("lead_program") or UNDECIDED,
                    contact_time=tracker.get_slot("lead_contact_time") or "",
                    consent_text=consent[:400],
                    conversation_id=tracker.sender_id,
                )
            )
            key = "lead_saved"
        else:
            key = "lead_not_saved"
        dispatcher.utter_message(text=kb().conversation.entries[key].text.format(**fields))
        send_payload(dispatcher, "handoff", None, [], f"conversation.{key}", school)
        return _clear_form()


def leave_form(tracker: Tracker) -> List[EventType]:
    """Ends an active contact form and forgets what was typed (nothing was stored)."""
    if tracker.active_loop_name != FORM:
        return []
    return [ActiveLoop(None)] + _clear_form()


class ActionCancelLead(Action):
    """"cancel" during the form: stops it, stores nothing, says so."""

    def name(self) -> Text:
        return "action_cancel_lead"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        school = school_of(tracker)
        dispatcher.utter_message(text=kb().conversation.entries["lead_cancelled"].text)
        send_payload(dispatcher, HANDOFF, None, [], "conversation.lead_cancelled", school)
        return [ActiveLoop(None)] + _clear_form()
