"""How CarePath answers when a part of it fails.  Applied when CarePath's
components load (``carepath.nlu_components``).

- The action server cannot answer (not reachable, an error status, a
  timeout): Rasa 3.6 logs it and sends the visitor nothing.  Here the Rasa
  server answers by itself: an apology with the advisor's contact and a "Talk
  to an advisor" button, then the usual payload (topic ``handoff``, answer
  ``conversation.service_unavailable``).  A 400 "rejection" (forms) is left to
  Rasa.
- The tracker store cannot be read (the database is down): Rasa's
  ``FailSafeTrackerStore`` returns no tracker, so the message is handled as the
  start of a new conversation and answered without its context, a wrong
  answer that looks right.  Here the error is raised instead, and the channels
  (``carepath.channels``) answer with the same apology.  When the database is
  back, the conversation continues where it was.  ``FailSafeTrackerStore``
  also makes new conversations itself, with an unbounded history; here it asks
  the real store (``CachedSQLTrackerStore``, bounded), so a long conversation
  costs no more per turn than a short one.
"""
from __future__ import annotations

import asyncio
import logging
from typing import Any, List, Optional, Text

import aiohttp
from rasa.core.actions.action import ActionExecutionRejection, RemoteAction
from rasa.core.tracker_store import FailSafeTrackerStore
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.core.events import BotUttered, Event
from rasa.shared.exceptions import RasaException

from carepath import settings
from carepath.knowledge_base import get_knowledge_base
from carepath.schools import all_schools

logger = logging.getLogger(__name__)
ENTRY = "service_unavailable"
_original_run = RemoteAction.run


def apology(school_id: Optional[str] = None) -> BotUttered:
    """The apology with the advisor's contact (the school's, on a school's page)."""
    school = all_schools().get(school_id) if isinstance(school_id, str) else None
    advisor = {k: str(v) for k, v in school.advisor.dict().items()} if school else settings.advisor()
    entry = get_knowledge_base().conversation.entries[ENTRY]
    text = entry.text.format(**{f"advisor_{k}": v for k, v in advisor.items()})
    payload = {
        "topic": "handoff",
        "role": None,
        "sources": [],
        "answer_id": f"conversation.{ENTRY}",
        "school": school.id if school else None,
    }
    buttons = [button.dict() for button in entry.buttons]
    return BotUttered(text, data={"buttons": buttons, "custom": payload})


def school_id_of(tracker: Optional[DialogueStateTracker]) -> Optional[str]:
    if tracker is None:
        return None
    metadata = tracker.latest_message.metadata if tracker.latest_message else None
    if isinstance(metadata, dict) and "school_id" in metadata:
        return metadata.get("school_id")
    return tracker.get_slot("school")


async def _run(self: RemoteAction, *args: Any, **kwargs: Any) -> List[Event]:
    try:
        return await _original_run(self, *args, **kwargs)
    except ActionExecutionRejection:
        raise
    except (RasaException, aiohttp.ClientError, asyncio.TimeoutError) as error:
        logger.error("The action server could not run %s (%s); answering with an apology.", self.name(), error)
        tracker = args[2] if len(args) > 2 else kwargs.get("tracker")
        return [apology(school_id_of(tracker))]


async def _retrieve(self: FailSafeTrackerStore, sender_id: Text) -> Optional[DialogueStateTracker]:
    return await self._tracker_store.retrieve(sender_id)  # errors propagate


def _init_tracker(self: FailSafeTrackerStore, sender_id: Text) -> DialogueStateTracker:
    # new conversations are made as the real store makes them (bounded history)
    return self._tracker_store.init_tracker(sender_id)


def apply() -> None:
    RemoteAction.run = _run
    FailSafeTrackerStore.retrieve = _retrieve
    FailSafeTrackerStore.init_tracker = _init_tracker


apply()
