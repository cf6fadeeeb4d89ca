"""``action_answer``: answers every knowledge-topic question from the knowledge base.

Context rules:
- the role stays until the user names another ("how much do they make?");
- ``inform_role`` ("and for CNAs?") keeps the topic and switches the role;
- no role known: the general answer, or, when the question points at a role
  ("how much do *they* make?"), a clarifying question with role buttons;
- two roles ("MA vs CNA", "how much do MAs and CNAs make?"): side by side.
"""
from __future__ import annotations

import json
import re
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import citation_line, kb, latest_text, roles_in_message, send_payload
from carepath.knowledge_base import KNOWLEDGE_TOPICS, KnowledgeBase

INTENT_PREFIX = "ask_"
INFORM_ROLE = "inform_role"
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
    if intent.startswith(INTENT_PREFIX) and intent[len(INTENT_PREFIX):] in KNOWLEDGE_TOPICS:
        return intent[len(INTENT_PREFIX):]
    if intent == INFORM_ROLE:
        previous = tracker.get_slot("topic")
        return previous if previous in KNOWLEDGE_TOPICS else DEFAULT_TOPIC_FOR_ROLE
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
        knowledge = kb()
        topic = topic_for(tracker) or DEFAULT_TOPIC_FOR_ROLE
        named = roles_in_message(tracker, knowledge)
        context_role = tracker.get_slot("role")
        intent = (tracker.latest_message.get("intent") or {}).get("name")

        if topic == "comparison":
            pair = self._comparison_pair(named, context_role, latest_text(tracker))
            if pair:
                return self._side_by_side(dispatcher, knowledge, pair)
        elif len(named) >= 2:
            return self._each_role(dispatcher, knowledge, topic, named[:3])

        role = named[0] if named else context_role
        if role not in knowledge.roles:
            role = None
        if role is None and (intent == INFORM_ROLE or should_clarify(latest_text(tracker), topic)):
            return self._clarify(dispatcher, knowledge, topic)
        return self._answer(dispatcher, knowledge, topic, role)

    @staticmethod
    def _comparison_pair(named: List[str], context_role: Optional[str], text: str) -> Optional[List[str]]:
        if len(named) >= 2:
            return named[:2]
        if len(named) == 1 and context_role and context_role != named[0] and _REFERS_BACK.search(text):
            return [context_role, named[0]]
        return None

    @staticmethod
    def _answer(dispatcher, knowledge: KnowledgeBase, topic: str, role: Optional[str]) -> List[EventType]:
        answer_id, answer = knowledge.answer(topic, role)
        dispatcher.utter_message(text=f"{answer.text}\n\n{citation_line(answer.sources, answer.as_of)}")
        send_payload(dispatcher, topic, role, answer.sources, answer_id)
        return [SlotSet("topic", topic), SlotSet("role", role)]

    @staticmethod
    def _each_role(dispatcher, knowledge: KnowledgeBase, topic: str, roles: List[str]) -> List[EventType]:
        sources, ids, as_of = [], [], []
        for role in roles:
            answer_id, answer = knowledge.answer(topic, role)
            dispatcher.utter_message(text=f"{knowledge.roles[role].name.capitalize()}: {answer.text}")
            sources.extend(answer.sources)
            ids.append(answer_id)
            as_of.append(answer.as_of)
        dispatcher.utter_message(text=citation_line(sources, min(as_of)))
        send_payload(dispatcher, topic, roles, sources, "+".join(ids))
        return [SlotSet("topic", topic), SlotSet("role", roles[0])]

    @staticmethod
    def _side_by_side(dispatcher, knowledge: KnowledgeBase, pair: List[str]) -> List[EventType]:
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
        send_payload(dispatcher, "comparison", list(pair), sources, answer_id)
        return [SlotSet("topic", "comparison"), SlotSet("role", pair[0])]

    @staticmethod
    def _clarify(dispatcher, knowledge: KnowledgeBase, topic: str) -> List[EventType]:
        entry = knowledge.conversation.entries["clarify"]
        buttons = [
            {
                "title": role.name.capitalize(),
                "payload": f"/{INFORM_ROLE}{json.dumps({'role': role.id})}",
            }
            for role in knowledge.roles.values()
        ]
        dispatcher.utter_message(text=entry.text, buttons=buttons)
        send_payload(dispatcher, "clarify", None, [], "conversation.clarify")
        return [SlotSet("topic", topic)]
