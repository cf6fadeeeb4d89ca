"""Facebook Messenger: Rasa's channel with native buttons and sources as short links.

Compared with Rasa's Messenger channel:

- buttons stay native: up to 3 as a button template (as in Rasa), up to 13
  as quick replies (titles over Messenger's 20 characters shortened), where
  Rasa drops every button of a message with more than 3; beyond 13 they
  become a numbered list (and "2" picks the second);
- the payload that ends every turn becomes one line of short links, never
  JSON: Rasa sends the payload to the Send API as the message, which it rejects;
- calls to the Send API run in a worker thread (Rasa's block the server
  while Facebook answers) and carry the ``appsecret_proof``;
- ``api_base_url``: another Graph API host (a proxy), the API version kept.
"""
from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import re
from typing import Any, Callable, Dict, List, Optional, Text

from fbmessenger import MessengerClient
from rasa.core.channels.channel import UserMessage
from rasa.core.channels.facebook import FacebookInput as RasaFacebookInput
from rasa.core.channels.facebook import Messenger as RasaMessenger
from rasa.core.channels.facebook import MessengerBot as RasaMessengerBot
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from carepath.messaging.handling import NumberedOptions, channel_handler
from carepath.messaging.text_only import is_carepath_payload, links_line, with_numbered_options

logger = logging.getLogger(__name__)
MAX_TEMPLATE_BUTTONS = 3
_TOKEN_IN_URL = re.compile(r"\b(access_token|appsecret_proof)=[^&\s\"']+")


class RedactTokens(logging.Filter):
    """The Send API takes the page token in the URL, which urllib3 logs at DEBUG."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "access_token=" in message or "appsecret_proof=" in message:
            record.msg, record.args = _TOKEN_IN_URL.sub(r"\1=[redacted]", message), None
        return True


logging.getLogger("urllib3.connectionpool").addFilter(RedactTokens())
MAX_QUICK_REPLIES = 13
MAX_TITLE = 20


def client(page_access_token: Text, app_secret: Optional[Text] = None, api_base_url: Optional[Text] = None) -> MessengerClient:
    messenger = MessengerClient(page_access_token, app_secret=app_secret)
    if api_base_url:
        messenger.graph_url = f"{api_base_url.rstrip('/')}/v{messenger.api_version}"
    return messenger


def short_title(title: Text, limit: int = MAX_TITLE) -> Text:
    title = str(title).strip()
    if len(title) <= limit:
        return title
    cut = title[: limit - 1].rsplit(" ", 1)[0] if " " in title[: limit - 1] else title[: limit - 1]
    return cut.rstrip(" ,;:-") + "…"


def button_template(text: Text, buttons: List[Dict[Text, Any]]) -> Dict[Text, Any]:
    return {
        "attachment": {
            "type": "template",
            "payload": {
                "template_type": "button",
                "text": text,
                "buttons": [{"type": "postback", "title": str(b["title"]), "payload": str(b["payload"])} for b in buttons],
            },
        }
    }


def quick_replies(text: Text, buttons: List[Dict[Text, Any]]) -> Dict[Text, Any]:
    return {
        "text": text,
        "quick_replies": [
            {"content_type": "text", "title": short_title(b["title"]), "payload": str(b["payload"])} for b in buttons
        ],
    }


class MessengerBot(RasaMessengerBot, NumberedOptions):
    async def _call(self, method: Callable[..., Any], *args: Any) -> Any:
        result = await asyncio.to_thread(method, *args)
        if isinstance(result, dict) and result.get("error"):
            error = result["error"]
            logger.error("Messenger refused a message (%s, code %s).", error.get("type"), error.get("code"))
        return result

    async def _post(self, recipient_id: Text, message: Dict[Text, Any]) -> None:
        await self._call(self.messenger_client.send, message, recipient_id, "RESPONSE")

    async def send_text_message(self, recipient_id: Text, text: Text, **kwargs: Any) -> None:
        for part in text.strip().split("\n\n"):
            await self._post(recipient_id, {"text": part})

    async def send_action(self, recipient_id: Text, sender_action: Text) -> None:
        await self._call(self.messenger_client.send_action, sender_action, recipient_id)

    async def send_text_with_buttons(
        self, recipient_id: Text, text: Text, buttons: List[Dict[Text, Any]], **kwargs: Any
    ) -> None:
        fits_template = len(buttons) <= MAX_TEMPLATE_BUTTONS and all(len(str(b["title"])) <= MAX_TITLE for b in buttons)
        if buttons and fits_template:
            await self._post(recipient_id, button_template(text, buttons))
        elif buttons and len(buttons) <= MAX_QUICK_REPLIES:
            await self._post(recipient_id, quick_replies(text, buttons))
        else:
            self.remember_options(recipient_id, buttons)
            await self._post(recipient_id, {"text": with_numbered_options(text, buttons)})

    async def send_quick_replies(
        self, recipient_id: Text, text: Text, quick_replies: List[Dict[Text, Any]], **kwargs: Any
    ) -> None:
        await self.send_text_with_buttons(recipient_id, text, quick_replies)

    async def send_custom_json(self, recipient_id: Text, json_message: Any, **kwargs: Any) -> None:
        if is_carepath_payload(json_message):
            line = links_line(json_message)
            if line:
                await self._post(recipient_id, {"text": line})
            return
        await super().send_custom_json(recipient_id, json_message, **kwargs)


class Messenger(RasaMessenger):
    """Rasa's webhook parser, answering through CarePath's ``MessengerBot``."""

    def __init__(self, messenger_client: MessengerClient, on_new_message: Callable[[UserMessage], Any]) -> None:
        self.on_new_message = on_new_message
        self.client = messenger_client
        self.last_message: Dict[Text, Any] = {}

    async def _handle_user_message(self, text: Text, sender_id: Text, metadata: Optional[Dict[Text, Any]]) -> None:
        out_channel = MessengerBot(self.client)
        await out_channel.send_action(sender_id, sender_action="mark_seen")
        await out_channel.send_action(sender_id, sender_action="typing_on")
        try:
            await self.on_new_message(
                UserMessage(text, out_channel, sender_id, input_channel=self.name(), metadata=metadata)
            )
        finally:
            await out_channel.send_action(sender_id, sender_action="typing_off")


class FacebookInput(RasaFacebookInput):
    @classmethod
    def name(cls) -> Text:
        return "facebook"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> "FacebookInput":
        channel = super().from_credentials(credentials)
        channel.api_base_url = (credentials or {}).get("api_base_url")
        return channel

    api_base_url: Optional[Text] = None

    def client(self) -> MessengerClient:
        return client(self.fb_access_token, self.fb_secret, self.api_base_url)

    def get_output_channel(self) -> MessengerBot:
        return MessengerBot(self.client())

    def blueprint(self, on_new_message) -> Blueprint:
        handle = channel_handler(self.name(), on_new_message)
        webhook = Blueprint("fb_webhook", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["GET"])
        async def token_verification(request: Request) -> HTTPResponse:
            if hmac.compare_digest(request.args.get("hub.verify_token") or "", self.fb_verify or ""):
                return response.text(request.args.get("hub.challenge") or "")
            logger.warning("Messenger: webhook verification with a wrong verify token.")
            return response.text("failure, invalid token", status=403)

        @webhook.route("/webhook", methods=["POST"])
        async def webhook_post(request: Request) -> HTTPResponse:
            signature = request.headers.get("X-Hub-Signature-256") or request.headers.get("X-Hub-Signature") or ""
            if not self.signature_valid(request.body, signature):
                logger.warning("Messenger: a webhook request with a wrong signature was refused.")
                return response.text("not validated", status=403)
            payload = request.json
            if not isinstance(payload, dict) or not isinstance(payload.get("entry"), list):
                return response.text("not a Messenger event", status=400)
            await Messenger(self.client(), handle).handle(payload, self.get_metadata(request))
            return response.text("success")

        return webhook

    def signature_valid(self, body: bytes, header: Text) -> bool:
        """``X-Hub-Signature-256: sha256=<hex>`` (or the older ``X-Hub-Signature: sha1=<hex>``)."""
        method, _, digest = header.partition("=")
        if method not in ("sha256", "sha1") or not digest or not self.fb_secret:
            return False
        expected = hmac.new(self.fb_secret.encode("utf-8"), body, getattr(hashlib, method)).hexdigest()
        return hmac.compare_digest(expected, digest)
