"""In-process latency of ``action_answer`` with the knowledge base as it is and
with N times as many roles (synthetic copies with new ids and aliases)."""
from __future__ import annotations

import time
from typing import Dict, List

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

import actions.common as common
from actions.answer import ActionAnswer
from carepath.knowledge_base import KnowledgeBase, get_knowledge_base, normalize_alias

QUESTIONS = [
    ("how much do CNAs make", "ask_pay", "CNAs"),
    ("what does a phlebotomist do", "ask_duties", "phlebotomist"),
    ("and for medical assistants?", "inform_role", "medical assistants"),
    ("MA vs CNA", "ask_comparison", None),
    ("do they work weekends", "ask_hours", None),
    ("how much does a phlebotomyst make", "ask_pay", "phlebotomyst"),  # fuzzy alias match
]


def scaled(kb: KnowledgeBase, factor: int) -> KnowledgeBase:
    roles = dict(kb.roles)
    for copy in range(1, factor):
        for role in kb.roles.values():
            new_id = f"{role.id}_{copy}"
            roles[new_id] = role.copy(
                update={"id": new_id, "aliases": [f"{a} {copy}" for a in role.aliases], "name": f"{role.name} {copy}"}
            )
    index = dict(kb.alias_index)
    for role in roles.values():
        for alias in role.aliases:
            index.setdefault(normalize_alias(alias), role.id)
    return KnowledgeBase(roles=roles, general=kb.general, conversation=kb.conversation, alias_index=index)


def time_actions(kb: KnowledgeBase, rounds: int = 400) -> Dict[str, float]:
    original = common.kb
    common.kb = lambda: kb  # the actions read the knowledge base through this function
    import actions.answer as answer_module

    answer_module.kb = common.kb
    action = ActionAnswer()
    samples: List[float] = []
    try:
        for i in range(rounds):
            text, intent, span = QUESTIONS[i % len(QUESTIONS)]
            entities = [{"entity": "role", "value": span}] if span else []
            if intent == "ask_comparison":
                entities = [{"entity": "role", "value": "MA"}, {"entity": "role", "value": "CNA"}]
            tracker = Tracker(
                "bench", {"role": "medical_assistant", "topic": "pay"},
                {"text": text, "intent": {"name": intent, "confidence": 1.0}, "entities": entities},
                [], False, None, {}, "action_listen",
            )
            start = time.perf_counter()
            action.run(CollectingDispatcher(), tracker, {})
            samples.append((time.perf_counter() - start) * 1000)
    finally:
        common.kb = original
        answer_module.kb = original
    samples.sort()
    return {"roles": len(kb.roles), "p50_ms": round(samples[len(samples) // 2], 3), "p95_ms": round(samples[int(len(samples) * 0.95)], 3)}


def run(factor: int = 10) -> Dict[str, Dict[str, float]]:
    kb = get_knowledge_base()
    return {"as_is": time_actions(kb), f"x{factor}_roles": time_actions(scaled(kb, factor))}
