"""Helpers shared by CarePath's actions: role resolution, citations, payloads."""
from __future__ import annotations

import difflib
from typing import Any, Dict, Iterable, List, Optional, Sequence

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from carepath.knowledge_base import KnowledgeBase, Source, get_knowledge_base, normalize_alias

ROLE_ENTITY = "role"


def kb() -> KnowledgeBase:
    return get_knowledge_base()


def resolve_role(value: Any, knowledge: Optional[KnowledgeBase] = None) -> Optional[str]:
    """Map an entity value (alias, plural, misspelling or role id) to a role id."""
    if not isinstance(value, str) or not value.strip():
        return None
    knowledge = knowledge or kb()
    key = normalize_alias(value)
    if key in knowledge.alias_index:
        return knowledge.alias_index[key]
    if key.endswith("s") and key[:-1] in knowledge.alias_index:
        return knowledge.alias_index[key[:-1]]
    close = difflib.get_close_matches(key, knowledge.alias_index.keys(), n=1, cutoff=0.88)
    return knowledge.alias_index[close[0]] if close else None


def roles_in_message(tracker: Tracker, knowledge: Optional[KnowledgeBase] = None) -> List[str]:
    """Role ids named in the latest message, in order, without repeats."""
    found: List[str] = []
    for entity in tracker.latest_message.get("entities") or []:
        if entity.get("entity") != ROLE_ENTITY:
            continue
        role = resolve_role(entity.get("value"), knowledge)
        if role and role not in found:
            found.append(role)
    return found


def latest_text(tracker: Tracker) -> str:
    text = tracker.latest_message.get("text")
    return text if isinstance(text, str) else ""


def format_as_of(as_of: str) -> str:
    months = "January February March April May June July August September October November December".split()
    parts = as_of.split("-")
    return f"{months[int(parts[1]) - 1]} {parts[0]}"


def citation_line(sources: Sequence[Source], as_of: Optional[str]) -> str:
    titles = "; ".join(s.title for s in sources)
    label = "Source" if len(sources) == 1 else "Sources"
    return f"{label}: {titles}" + (f" (as of {format_as_of(as_of)})" if as_of else "")


def source_dicts(sources: Iterable[Source]) -> List[Dict[str, str]]:
    seen, result = set(), []
    for source in sources:
        url = str(source.url)
        if url not in seen:
            seen.add(url)
            result.append({"title": source.title, "url": url})
    return result


def send_payload(
    dispatcher: CollectingDispatcher,
    topic: str,
    role: Any = None,
    sources: Iterable[Source] = (),
    answer_id: Optional[str] = None,
) -> Dict[str, Any]:
    """The custom JSON message that ends every bot turn (the payload contract)."""
    payload = {"topic": topic, "role": role, "sources": source_dicts(sources), "answer_id": answer_id}
    dispatcher.utter_message(json_message=payload)
    return payload
