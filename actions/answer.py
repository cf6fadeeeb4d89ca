"""``action_answer``: answers every knowledge-topic question from the knowledge base.

Context rules:
- the role stays until the user names another ("how much do they make?");
- ``inform_role`` ("and for CNAs?") keeps the topic and switches the role;
- no role known: the general answer, or, when the question points at a role
  ("how much do *they* make?"), a clarifying question with role buttons;
- two roles ("MA vs CNA", "how much do MAs and CNAs make?"): side by side;
- on a school's page, the school's program facts are added where they apply
  (``carepath/overlay.py``) and cited as the school's information; questions
  about a program's length, cost or start dates (``ask_program``) are answered
  from the school's program, or, with no school, say that this depends on the
  school and give the typical training path.
"""
from __future__ import annotations

import json
import re
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import (
    advisor_fields,
    citation_line,
    format_as_of,
    kb,
    latest_text,
    roles_in_message,
    school_of,
    school_slot,
    send_payload,
)
from carepath.knowledge_base import KNOWLEDGE_TOPICS, KnowledgeBase
from carepath.overlay import program_overlay
from carepath.schools import School

INTENT_PREFIX = "ask_"
INFORM_ROLE = "inform_role"
PROGRAM = "program"  # school program questions; the general answer is the training path
PROGRAM_FALLBACK_TOPIC = "education"
DEFAULT_TOPIC_FOR_ROLE = "roles_overview"
# Topics whose general answer is the natural reply even when a pronoun is used.
NEVER_CLARIFY = {"roles_overview", "comparison"}

_FIELD_WORDS = re.compile(
    r"\b(health ?care|medical field|the field|industry|these (jobs|roles|careers)|"
    r"support (jobs|roles|staff|work|careers)|jobs|careers|roles|positions)\b",
    re.IGNORECASE,
)
# "how much do *they* make?" with no role known: ask which role.  "it" and
# "this job" are left out: people use them for their own job ("this job is
# killing me") or for the field, and the general answer fits those.
_POINTS_AT_ROLE = re.compile(r"\b(they|them|their|theirs|he|she|his|her)\b", re.IGNORECASE)

# "how is *that* different from a PCT?": the comparison includes the role in context.
_REFERS_BACK = re.compile(r"\b(it|that|this|they|them|those|their|he|she)\b", re.IGNORECASE)


def topic_for(tracker: Tracker) -> Optional[str]:
    intent = (tracker.latest_message.get("intent") or {}).get("name") or ""
    topics = (*KNOWLEDGE_TOPICS, PROGRAM)
    if intent.startswith(INTENT_PREFIX) and intent[len(INTENT_PREFIX):] in topics:
        return intent[len(INTENT_PREFIX):]
    if intent == INFORM_ROLE:
        previous = tracker.get_slot("topic")
        return previous if previous in topics else DEFAULT_TOPIC_FOR_ROLE
    return None


def should_clarify(text: str, topic: str) -> bool:
    if topic in NEVER_CLARIFY or _FIELD_WORDS.search(text):
        return False
    return bool(_POINTS_AT_ROLE.search(text))


class ActionAnswer(Action):
    def name(self) -> Text:
        return "action_answer"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        school = school_of(tracker)
        return self._reply(dispatcher, tracker, school) + school_slot(tracker, school)

    def _reply(self, dispatcher, tracker: Tracker, school: Optional[School]) -> List[EventType]:
        knowledge = kb()
        topic = topic_for(tracker) or DEFAULT_TOPIC_FOR_ROLE
        named = roles_in_message(tracker, knowledge)
        context_role = tracker.get_slot("role")
        intent = (tracker.latest_message.get("intent") or {}).get("name")

        if topic == "comparison":
            pair = self._comparison_pair(named, context_role, latest_text(tracker))
            if pair:
                return self._side_by_side(dispatcher, knowledge, pair, school)
        elif len(named) >= 2 and topic != PROGRAM:
            return self._each_role(dispatcher, knowledge, topic, named[:3], school)

        role = named[0] if named else context_role
        if role not in knowledge.roles:
            role = None
        if topic == PROGRAM:
            return self._program(dispatcher, knowledge, role, school)
        if role is None and (intent == INFORM_ROLE or should_clarify(latest_text(tracker), topic)):
            return self._clarify(dispatcher, knowledge, topic, school)
        return self._answer(dispatcher, knowledge, topic, role, school)

    @staticmethod
    def _comparison_pair(named: List[str], context_role: Optional[str], text: str) -> Optional[List[str]]:
        if len(named) >= 2:
            return named[:2]
        if len(named) == 1 and context_role and context_role != named[0] and _REFERS_BACK.search(text):
            return [context_role, named[0]]
        return None

    @staticmethod
    def _answer(
        dispatcher, knowledge: KnowledgeBase, topic: str, role: Optional[str], school: Optional[School],
        intro: str = "", payload_topic: Optional[str] = None,
    ) -> List[EventType]:
        answer_id, answer = knowledge.answer(topic, role)
        overlay = program_overlay(school, role, payload_topic or topic)
        parts = [f"{intro} {answer.text}".strip()]
        citation = citation_line(answer.sources, answer.as_of)
        sources: List[Any] = list(answer.sources)
        if overlay:
            parts.append(overlay.text)
            citation += f"\nSchool information: {overlay.source['title']} (as of {format_as_of(overlay.as_of)})"
            sources.append(overlay.source)
            answer_id += f"+{school.id}.{role}"
        dispatcher.utter_message(text="\n\n".join(parts) + f"\n\n{citation}")
        send_payload(dispatcher, payload_topic or topic, role, sources, answer_id, school)
        return [SlotSet("topic", payload_topic or topic), SlotSet("role", role)]

    def _program(self, dispatcher, knowledge: KnowledgeBase, role: Optional[str], school: Optional[School]) -> List[EventType]:
        """Length, cost, schedule, start dates: the school's program, else the training path."""
        if school and role is None and len(school.programs) == 1:
            role = next(iter(school.programs))
        if school and role is None and school.programs:
            return self._clarify(dispatcher, knowledge, PROGRAM, school, roles=list(school.programs))
        if school and role in school.programs:
            overlay = program_overlay(school, role, PROGRAM)
            citation = f"School information: {overlay.source['title']} (as of {format_as_of(overlay.as_of)})"
            dispatcher.utter_message(
                text=f"{overlay.text}\n\n{citation}",
                buttons=[{"title": "Talk to an advisor", "payload": "/handoff"}],
            )
            send_payload(dispatcher, PROGRAM, role, [overlay.source], f"{school.id}.{role}", school)
            return [SlotSet("topic", PROGRAM), SlotSet("role", role)]
        entries = knowledge.conversation.entries
        if school:
            fields = {**advisor_fields(school), "role_plural": knowledge.roles[role].plural if role else "that role"}
            intro = entries["program_not_offered"].text.format(**fields)
        else:
            intro = entries["program_no_school"].text
        return self._answer(dispatcher, knowledge, PROGRAM_FALLBACK_TOPIC, role, school, intro=intro, payload_topic=PROGRAM)

    @staticmethod
    def _each_role(
        dispatcher, knowledge: KnowledgeBase, topic: str, roles: List[str], school: Optional[School]
    ) -> List[EventType]:
        sources, ids, as_of = [], [], []
        for role in roles:
            answer_id, answer = knowledge.answer(topic, role)
            dispatcher.utter_message(text=f"{knowledge.roles[role].name.capitalize()}: {answer.text}")
            sources.extend(answer.sources)
            ids.append(answer_id)
            as_of.append(answer.as_of)
        dispatcher.utter_message(text=citation_line(sources, min(as_of)))
        send_payload(dispatcher, topic, roles, sources, "+".join(ids), school)
        return [SlotSet("topic", topic), SlotSet("role", roles[0])]

    @staticmethod
    def _side_by_side(
        dispatcher, knowledge: KnowledgeBase, pair: List[str], school: Optional[School]
    ) -> List[EventType]:
        blocks, sources, as_of = [], [], []
        for role_id in pair:
            role = knowledge.roles[role_id]
            glance = role.at_a_glance
            blocks.append(
                f"{role.name.capitalize()}\n"
                f"- What they do: {glance.what}\n"
                f"- Training: {glance.training}\n"
                f"- Pay: {glance.pay}"
            )
            sources.extend(glance.sources)
            as_of.append(glance.as_of)
        names = " and ".join(knowledge.roles[r].plural for r in pair)
        text = f"Here is how {names} compare:\n\n" + "\n\n".join(blocks)
        dispatcher.utter_message(text=f"{text}\n\n{citation_line(sources, min(as_of))}")
        answer_id = "+".join(f"{r}.at_a_glance" for r in pair)
        send_payload(dispatcher, "comparison", list(pair), sources, answer_id, school)
        return [SlotSet("topic", "comparison"), SlotSet("role", pair[0])]

    @staticmethod
    def _clarify(
        dispatcher, knowledge: KnowledgeBase, topic: str, school: Optional[School], roles: Optional[List[str]] = None
    ) -> List[EventType]:
        entry = knowledge.conversation.entries["clarify"]
        buttons = [
            {
                "title": knowledge.roles[role_id].name.capitalize(),
                "payload": f"/{INFORM_ROLE}{json.dumps({'role': role_id})}",
            }
            for role_id in (roles or knowledge.roles)
        ]
        dispatcher.utter_message(text=entry.text, buttons=buttons)
        send_payload(dispatcher, "clarify", None, [], "conversation.clarify", school)
        return [SlotSet("topic", topic)]
