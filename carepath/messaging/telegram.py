"""Telegram: Rasa's channel with native buttons, sources as short links, and a webhook secret.

Compared with Rasa's Telegram channel:

- buttons stay native (an inline keyboard), one per row so long titles stay
  readable; only if a payload is over Telegram's 64-byte limit for button
  data do they become a numbered list (and "2" picks the second);
- the payload that ends every turn becomes one line of short links, never JSON;
- the webhook is set after the server has started, in the background:
  Rasa sets it while building the channel and does not start at all when
  Telegram cannot be reached.  A failure is logged (without the token);
  ``POST /webhooks/telegram/set_webhook`` retries;
- the webhook is set with a secret derived from the bot token, and updates
  without it (``X-Telegram-Bot-Api-Secret-Token``) are refused: Rasa accepts
  any POST;
- the bot's own name (the ``verify`` check) is asked once, not for every message;
- ``api_base_url``: another Bot API server (a self-hosted one, a proxy).
"""
from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
from typing import Any, Dict, List, Optional, Set, Text

from aiogram import Bot
from aiogram.bot.api import TELEGRAM_PRODUCTION, TelegramAPIServer
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from rasa.core.channels.telegram import TelegramInput as RasaTelegramInput
from rasa.core.channels.telegram import TelegramOutput as RasaTelegramOutput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from carepath.messaging.handling import NumberedOptions, channel_handler
from carepath.messaging.text_only import is_carepath_payload, links_line, with_numbered_options

logger = logging.getLogger(__name__)
MAX_CALLBACK_DATA_BYTES = 64  # Telegram's limit for an inline button's data
MAX_INLINE_BUTTONS = 100
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
# aiogram logs every request's data at DEBUG: visitors' texts and the webhook secret.
logging.getLogger("aiogram").setLevel(logging.INFO)


def webhook_secret(access_token: Text) -> Text:
    """A secret for setWebhook derived from the token (Telegram allows A-Z, a-z, 0-9, _ and -)."""
    return hmac.new(access_token.encode(), b"carepath telegram webhook", hashlib.sha256).hexdigest()


def native_buttons_fit(buttons: List[Dict[Text, Any]]) -> bool:
    return 0 < len(buttons) <= MAX_INLINE_BUTTONS and all(
        len(str(button.get("payload", "")).encode("utf-8")) <= MAX_CALLBACK_DATA_BYTES and button.get("title")
        for button in buttons
    )


def inline_keyboard(buttons: List[Dict[Text, Any]]) -> InlineKeyboardMarkup:
    markup = InlineKeyboardMarkup()
    for button in buttons:
        markup.row(InlineKeyboardButton(str(button["title"]), callback_data=str(button["payload"])))
    return markup


class TelegramOutput(RasaTelegramOutput, NumberedOptions):
    def __init__(self, access_token: Optional[Text], api_base_url: Optional[Text] = None) -> None:
        server = TelegramAPIServer.from_base(api_base_url) if api_base_url else TELEGRAM_PRODUCTION
        Bot.__init__(self, access_token, server=server)
        self._secret = webhook_secret(access_token or "")
        self._me: Any = None

    async def send_text_with_buttons(
        self, recipient_id: Text, text: Text, buttons: List[Dict[Text, Any]], **kwargs: Any
    ) -> None:
        if native_buttons_fit(buttons):
            await self.send_message(recipient_id, text, reply_markup=inline_keyboard(buttons))
            return
        self.remember_options(recipient_id, buttons)
        await self.send_message(recipient_id, with_numbered_options(text, buttons))

    async def send_quick_replies(
        self, recipient_id: Text, text: Text, quick_replies: List[Dict[Text, Any]], **kwargs: Any
    ) -> None:
        await self.send_text_with_buttons(recipient_id, text, quick_replies)

    async def send_custom_json(self, recipient_id: Text, json_message: Dict[Text, Any], **kwargs: Any) -> None:
        if is_carepath_payload(json_message):
            line = links_line(json_message)
            if line:
                await self.send_message(recipient_id, line, disable_web_page_preview=True)
            return
        await super().send_custom_json(recipient_id, json_message, **kwargs)

    async def set_webhook(self, url: Text, *args: Any, **kwargs: Any) -> bool:
        """setWebhook with the secret Telegram then sends back with every update."""
        return await self.request("setWebhook", {"url": url, "secret_token": self._secret})

    async def get_me(self) -> Any:
        if self._me is None:
            self._me = await super().get_me()
        return self._me


class TelegramInput(RasaTelegramInput):
    @classmethod
    def name(cls) -> Text:
        return "telegram"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> "TelegramInput":
        if not credentials:
            cls.raise_missing_credentials_exception()
        return cls(
            credentials.get("access_token"),
            credentials.get("verify"),
            credentials.get("webhook_url"),
            api_base_url=credentials.get("api_base_url"),
        )

    def __init__(
        self,
        access_token: Optional[Text],
        verify: Optional[Text],
        webhook_url: Optional[Text],
        debug_mode: bool = False,
        api_base_url: Optional[Text] = None,
    ) -> None:
        super().__init__(access_token, verify, webhook_url, debug_mode)
        self.api_base_url = api_base_url
        self._tasks: Set[asyncio.Task] = set()

    def get_output_channel(self) -> TelegramOutput:
        """The output channel, without Rasa's blocking setWebhook call (see ``set_webhook``)."""
        return TelegramOutput(self.access_token, self.api_base_url)

    async def set_webhook(self) -> bool:
        bot = self.get_output_channel()
        try:
            if await bot.set_webhook(self.webhook_url):
                logger.info("Telegram: webhook set.")
                return True
            logger.warning("Telegram: the webhook was not accepted.")
        except Exception as error:  # noqa: BLE001 - the server keeps running; the message says how to retry
            logger.warning(
                "Telegram: the webhook could not be set (%s); Telegram delivers nothing until it is. "
                "Retry with POST /webhooks/telegram/set_webhook.",
                type(error).__name__,
            )
        finally:
            await bot.session.close()
        return False

    def blueprint(self, on_new_message) -> Blueprint:
        webhook = super().blueprint(channel_handler(self.name(), on_new_message))
        secret = webhook_secret(self.access_token or "")

        @webhook.middleware("request")
        async def check_secret(request: Request) -> Optional[HTTPResponse]:
            if request.method == "POST" and request.path.endswith("/webhook"):
                if not hmac.compare_digest(request.headers.get(SECRET_HEADER, ""), secret):
                    logger.warning("Telegram: an update without the webhook secret was refused.")
                    return response.text("forbidden", status=403)
            return None

        @webhook.listener("after_server_start")
        async def start_setting_webhook(*_: Any) -> None:
            task = asyncio.create_task(self.set_webhook())
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

        return webhook
