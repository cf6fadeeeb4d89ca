"""Helpers shared by CarePath's actions: role resolution, the visitor's school,
citations, payloads."""
from __future__ import annotations

import difflib
from typing import Any, Dict, Iterable, List, Optional, Sequence

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from carepath import settings
from carepath.knowledge_base import KnowledgeBase, Source, get_knowledge_base, normalize_alias
from carepath.schools import School, get_school

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


def school_of(tracker: Tracker) -> Optional[School]:
    """The school whose page the visitor is on: the message's metadata
    ``school_id`` (the widget sends it), else the ``school`` slot.  An unknown
    id means the general assistant (and a logged warning)."""
    metadata = tracker.latest_message.get("metadata")
    if isinstance(metadata, dict) and "school_id" in metadata:
        return get_school(metadata.get("school_id"))
    return get_school(tracker.get_slot("school"))


def school_slot(tracker: Tracker, school: Optional[School]) -> List[Dict[str, Any]]:
    """``SlotSet("school", ...)`` when the visitor's school changed, else nothing."""
    school_id = school.id if school else None
    if tracker.get_slot("school") == school_id:
        return []
    return [SlotSet("school", school_id)]


def advisor_for(school: Optional[School]) -> Dict[str, str]:
    """The school's advisor, or the deployment's (carepath.yml)."""
    if school is None:
        return settings.advisor()
    return {k: str(v) for k, v in school.advisor.dict().items()}


def advisor_fields(school: Optional[School]) -> Dict[str, str]:
    """Placeholders for texts: ``{advisor_name}`` ... and ``{school_name}``."""
    fields = {f"advisor_{k}": v for k, v in advisor_for(school).items()}
    fields["school_name"] = school.name if school else fields["advisor_name"]
    return fields


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


def source_dicts(sources: Iterable[Any]) -> List[Dict[str, str]]:
    """Knowledge-base ``Source`` objects or ``{"title", "url"}`` dicts, without repeats."""
    seen, result = set(), []
    for source in sources:
        title, url = (source["title"], source["url"]) if isinstance(source, dict) else (source.title, str(source.url))
        if url not in seen:
            seen.add(url)
            result.append({"title": title, "url": url})
    return result


def send_payload(
    dispatcher: CollectingDispatcher,
    topic: str,
    role: Any = None,
    sources: Iterable[Any] = (),
    answer_id: Optional[str] = None,
    school: Optional[School] = None,
) -> Dict[str, Any]:
    """The custom JSON message that ends every bot turn (the payload contract)."""
    payload = {
        "topic": topic,
        "role": role,
        "sources": source_dicts(sources),
        "answer_id": answer_id,
        "school": school.id if school else None,
    }
    dispatcher.utter_message(json_message=payload)
    return payload
