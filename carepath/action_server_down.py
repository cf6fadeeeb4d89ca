"""When the action server cannot answer, the Rasa server answers by itself.

Rasa 3.6 logs the failure and sends the visitor nothing.  Here a call to the
action server that fails (not reachable, an error status, a timeout) becomes
an apology with the advisor's contact and a "Talk to an advisor" button,
followed by the usual payload (topic ``handoff``, answer
``conversation.service_unavailable``), and the Rasa server goes on serving.
A 400 "rejection" from the action server (used by forms) is left to Rasa.
Applied when CarePath's components load (``carepath.nlu_components``).
"""
from __future__ import annotations

import asyncio
import logging
from typing import Any, List

import aiohttp
from rasa.core.actions.action import ActionExecutionRejection, RemoteAction
from rasa.shared.core.events import BotUttered, Event
from rasa.shared.exceptions import RasaException

from carepath import settings
from carepath.knowledge_base import get_knowledge_base

logger = logging.getLogger(__name__)
ENTRY = "service_unavailable"
_original_run = RemoteAction.run


def apology() -> BotUttered:
    entry = get_knowledge_base().conversation.entries[ENTRY]
    text = entry.text.format(**{f"advisor_{k}": v for k, v in settings.advisor().items()})
    payload = {"topic": "handoff", "role": None, "sources": [], "answer_id": f"conversation.{ENTRY}"}
    buttons = [button.dict() for button in entry.buttons]
    return BotUttered(text, data={"buttons": buttons, "custom": payload})


async def _run(self: RemoteAction, *args: Any, **kwargs: Any) -> List[Event]:
    try:
        return await _original_run(self, *args, **kwargs)
    except ActionExecutionRejection:
        raise
    except (RasaException, aiohttp.ClientError, asyncio.TimeoutError) as error:
        logger.error("The action server could not run %s (%s); answering with an apology.", self.name(), error)
        return [apology()]


def apply() -> None:
    RemoteAction.run = _run


apply()
