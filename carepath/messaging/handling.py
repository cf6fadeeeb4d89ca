"""What every CarePath messaging channel does around Rasa's handling of a message.

``channel_handler`` wraps Rasa's ``on_new_message`` for a channel:

- a reply that picks a numbered option ("2", or the option's title) becomes
  that button's payload, the options being those the conversation was last
  shown (``carepath.messaging.options``, in the database);
- the per-sender rate limit of the web channels applies (``CAREPATH_RATE_LIMIT``);
- a failure is answered with the apology, as on the web channels.

Output channels mix in ``NumberedOptions``: when they show buttons as a
numbered list they remember them, and the wrapper stores them after the turn
(and forgets old ones after a turn without any).
"""
from __future__ import annotations

import logging
from typing import Any, Awaitable, Callable, Dict, List, Optional, Sequence

from rasa.core.channels.channel import UserMessage
from sqlalchemy.exc import SQLAlchemyError

from carepath.channels import answering_failures, rate_limited_replies
from carepath.messaging import options as option_store
from carepath.messaging.text_only import Button, chosen_option, option_list
from carepath.rate_limit import RateLimiter

logger = logging.getLogger(__name__)
Handler = Callable[[UserMessage], Awaitable[Any]]


class NumberedOptions:
    """Mixin for output channels: the options shown as numbers in this turn, per conversation."""

    def remember_options(self, conversation: str, buttons: Sequence[Button]) -> None:
        shown: Dict[str, List[Dict[str, str]]] = self.__dict__.setdefault("_numbered_options", {})
        shown[str(conversation)] = option_list(buttons)

    def take_options(self, conversation: str) -> Optional[List[Dict[str, str]]]:
        return self.__dict__.get("_numbered_options", {}).pop(str(conversation), None)


def _take_options(output: Any, conversation: str) -> Optional[List[Dict[str, str]]]:
    return output.take_options(conversation) if isinstance(output, NumberedOptions) else None


def sender_of(message: UserMessage) -> str:
    return str(message.sender_id)


def channel_handler(
    channel: str, on_new_message: Handler, conversation_of: Callable[[UserMessage], str] = sender_of
) -> Handler:
    """``on_new_message`` with numbered-option replies, the rate limit and the apology on failure."""
    answer = answering_failures(on_new_message)
    limiter = RateLimiter.from_environment()

    async def handle(message: UserMessage) -> Any:
        conversation = conversation_of(message)
        try:
            shown = await option_store.load(channel, conversation)
        except SQLAlchemyError as error:
            logger.warning("%s: the numbered options could not be read (%s).", channel, type(error).__name__)
            shown = []
        picked = chosen_option(message.text, shown)
        if picked:
            message.text = picked
        if not await limiter.allow(message.sender_id):
            for reply in rate_limited_replies():
                await message.output_channel.send_response(message.sender_id, reply)
            return None
        try:
            return await answer(message)
        finally:
            now = _take_options(message.output_channel, conversation)
            if now or shown:
                try:
                    await option_store.save(channel, conversation, now)
                except SQLAlchemyError as error:
                    logger.warning("%s: the numbered options could not be stored (%s).", channel, type(error).__name__)

    return handle
