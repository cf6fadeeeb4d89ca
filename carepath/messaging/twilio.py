"""SMS and WhatsApp through Twilio: Rasa's Twilio channel, text-only and with STOP/START/HELP.

Two input channels (``carepath.credentials`` writes them from the environment):
``TwilioInput`` (SMS, webhook ``/webhooks/twilio/webhook``) and
``TwilioWhatsAppInput`` (WhatsApp, ``/webhooks/whatsapp/webhook``, numbers
written ``whatsapp:+15551234567``).  Compared with Rasa's Twilio channel:

- requests must carry a valid ``X-Twilio-Signature`` (HMAC with the auth
  token), unless ``validate_signature: false``; behind a proxy that changes
  the URL, ``webhook_base_url`` is the public base URL Twilio calls;
- a message that is exactly STOP (or a synonym) opts the sender out (stored
  in the database, ``carepath.messaging.opt_out``) and gets one
  confirmation; from then on nothing is sent to that sender and their
  messages are not passed to the assistant, until START; HELP is answered
  from ``knowledge_base/messaging.yml`` without the NLU;
- a turn's replies go out as one message (split only beyond 1,500
  characters), buttons as a numbered list, the payload as a line of short
  links, never as JSON (``carepath.messaging.text_only``); SMS text is kept
  in the GSM alphabet where a plain character will do;
- replies go through Twilio's REST API as in Rasa, but asynchronously (Rasa's
  blocks the server while Twilio answers) and to ``api_base_url`` when set
  (a proxy or a regional edge; the tests' stand-in for Twilio).
"""
from __future__ import annotations

import asyncio
import logging
from typing import Any, Dict, List, Optional, Text
from urllib.parse import urlsplit

import aiohttp
from rasa.core.channels.channel import UserMessage
from rasa.core.channels.twilio import TwilioInput as RasaTwilioInput
from rasa.core.channels.twilio import TwilioOutput as RasaTwilioOutput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from sqlalchemy.exc import SQLAlchemyError
from twilio.base.exceptions import TwilioRestException
from twilio.http.async_http_client import AsyncTwilioHttpClient
from twilio.request_validator import RequestValidator

from carepath.messaging import keywords as keyword_texts
from carepath.messaging import opt_out
from carepath.messaging.handling import NumberedOptions, channel_handler
from carepath.messaging.keywords import HELP, START, STOP, KeywordReplies
from carepath.messaging.text_only import (
    is_carepath_payload,
    links_line,
    sms_safe,
    split_message,
    with_numbered_options,
)

logger = logging.getLogger(__name__)
API_TIMEOUT_SECONDS = 15
# Twilio's HTTP client logs every request (URL with the account SID, headers) at INFO.
for _name in ("twilio.http_client", "twilio.async_http_client"):
    logging.getLogger(_name).setLevel(logging.WARNING)


class ApiHttpClient(AsyncTwilioHttpClient):
    """Twilio's asynchronous HTTP client, sending to ``base_url`` instead of Twilio's hosts when set."""

    def __init__(self, base_url: Optional[str] = None) -> None:
        super().__init__(pool_connections=False)
        self.base_url = base_url.rstrip("/") if base_url else None

    def rebased(self, url: str) -> str:
        if not self.base_url:
            return url
        parts = urlsplit(url)
        return self.base_url + parts.path + (f"?{parts.query}" if parts.query else "")

    async def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> Any:
        if self.session is None or self.session.closed:  # made in the server's event loop, then reused
            self.session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=API_TIMEOUT_SECONDS))
        return await super().request(method, self.rebased(url), *args, **kwargs)


class TwilioOutput(RasaTwilioOutput, NumberedOptions):
    """Sends replies as text messages; ``buffered``: a turn's replies wait for ``flush()``."""

    def __init__(
        self,
        account_sid: Optional[Text],
        auth_token: Optional[Text],
        twilio_number: Optional[Text],
        channel: Text = "twilio",
        http_client: Optional[ApiHttpClient] = None,
        sms: bool = True,
        buffered: bool = False,
    ) -> None:
        super().__init__(account_sid, auth_token, twilio_number)
        self.http_client = http_client or ApiHttpClient()
        self.channel = channel
        self.sms = sms
        self.buffered = buffered
        self._pending: Dict[Text, List[Text]] = {}

    async def send_text_message(self, recipient_id: Text, text: Text, **kwargs: Any) -> None:
        await self._deliver(recipient_id, text)

    async def send_text_with_buttons(
        self, recipient_id: Text, text: Text, buttons: List[Dict[Text, Any]], **kwargs: Any
    ) -> None:
        self.remember_options(recipient_id, buttons)
        await self._deliver(recipient_id, with_numbered_options(text, buttons))

    async def send_quick_replies(
        self, recipient_id: Text, text: Text, quick_replies: List[Dict[Text, Any]], **kwargs: Any
    ) -> None:
        await self.send_text_with_buttons(recipient_id, text, quick_replies)

    async def send_custom_json(self, recipient_id: Text, json_message: Dict[Text, Any], **kwargs: Any) -> None:
        if is_carepath_payload(json_message):
            line = links_line(json_message)
            if line:
                await self._deliver(recipient_id, line)
            return
        await super().send_custom_json(recipient_id, json_message, **kwargs)  # a Twilio message (media_url ...)

    async def send_keyword_reply(self, recipient_id: Text, text: Text) -> None:
        """A STOP/START/HELP reply: sent at once, also to a sender who just opted out."""
        await self._send_texts(recipient_id, [text], keyword_reply=True)

    async def flush(self) -> None:
        pending, self._pending = self._pending, {}
        for recipient_id, texts in pending.items():
            await self._send_texts(recipient_id, texts)

    async def _deliver(self, recipient_id: Text, text: Text) -> None:
        if self.buffered:
            self._pending.setdefault(recipient_id, []).append(text)
        else:
            await self._send_texts(recipient_id, [text])

    async def _send_texts(self, recipient_id: Text, texts: List[Text], keyword_reply: bool = False) -> None:
        body = "\n\n".join(text.strip() for text in texts if text and text.strip())
        if self.sms:
            body = sms_safe(body)
        for part in split_message(body):
            await self._send_message({"to": recipient_id, "from_": self.twilio_number, "body": part}, keyword_reply)

    async def _send_message(self, message_data: Dict[Text, Any], keyword_reply: bool = False) -> Any:
        if not keyword_reply and await opt_out.is_opted_out(self.channel, str(message_data.get("to"))):
            logger.info("%s: not sending to a sender who opted out.", self.channel)
            return None
        try:
            return await self.messages.create_async(**message_data)
        except TwilioRestException as error:
            logger.error("%s: Twilio refused a message (HTTP %s, error %s).", self.channel, error.status, error.code)
        except (aiohttp.ClientError, asyncio.TimeoutError) as error:
            logger.error("%s: Twilio's API could not be reached (%s).", self.channel, type(error).__name__)
        return None


class TwilioInput(RasaTwilioInput):
    """SMS through Twilio (``/webhooks/twilio/webhook``)."""

    sms = True

    @classmethod
    def name(cls) -> Text:
        return "twilio"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> "TwilioInput":
        if not credentials:
            cls.raise_missing_credentials_exception()
        return cls(
            credentials.get("account_sid"),
            credentials.get("auth_token"),
            credentials.get("twilio_number"),
            api_base_url=credentials.get("api_base_url"),
            webhook_base_url=credentials.get("webhook_base_url"),
            validate_signature=credentials.get("validate_signature", True),
        )

    def __init__(
        self,
        account_sid: Optional[Text],
        auth_token: Optional[Text],
        twilio_number: Optional[Text],
        debug_mode: bool = False,
        api_base_url: Optional[Text] = None,
        webhook_base_url: Optional[Text] = None,
        validate_signature: bool = True,
        keywords: Optional[KeywordReplies] = None,
    ) -> None:
        super().__init__(account_sid, auth_token, twilio_number, debug_mode)
        self.webhook_base_url = webhook_base_url.rstrip("/") if webhook_base_url else None
        self.validate_signature = validate_signature
        self.keywords = keywords or keyword_texts.load()  # a broken file stops the server here
        self.http_client = ApiHttpClient(api_base_url)

    def get_output_channel(self, buffered: bool = False) -> TwilioOutput:
        return TwilioOutput(
            self.account_sid,
            self.auth_token,
            self.twilio_number,
            channel=self.name(),
            http_client=self.http_client,
            sms=self.sms,
            buffered=buffered,
        )

    def public_url(self, request: Request) -> str:
        """The URL Twilio called (and signed)."""
        path = request.path + (f"?{request.query_string}" if request.query_string else "")
        if self.webhook_base_url:
            return self.webhook_base_url + path
        scheme = (request.headers.get("x-forwarded-proto") or request.scheme).split(",")[0].strip()
        host = (request.headers.get("x-forwarded-host") or request.host).split(",")[0].strip()
        return f"{scheme}://{host}{path}"

    def is_signed(self, request: Request) -> bool:
        signature = request.headers.get("X-Twilio-Signature")
        if not signature or not self.auth_token:
            return False
        return RequestValidator(self.auth_token).validate(self.public_url(request), request.form, signature)

    async def keyword_or_opted_out(self, sender: Text, text: Text, output: TwilioOutput) -> bool:
        """Handle STOP/START/HELP and messages from opted-out senders; ``True`` when handled here."""
        kind = self.keywords.match(text)
        if kind == STOP:
            await opt_out.opt_out(self.name(), sender)
            logger.info("%s: a sender opted out.", self.name())
            await output.send_keyword_reply(sender, self.keywords.stopped)
            return True
        if kind == HELP:
            await output.send_keyword_reply(sender, self.keywords.help)
            return True
        if await opt_out.is_opted_out(self.name(), sender):
            if kind == START:
                await opt_out.opt_in(self.name(), sender)
                logger.info("%s: a sender opted back in.", self.name())
                await output.send_keyword_reply(sender, self.keywords.started)
            else:
                logger.info("%s: a message from a sender who opted out was not answered.", self.name())
            return True
        return False

    def blueprint(self, on_new_message) -> Blueprint:
        handle = channel_handler(self.name(), on_new_message)
        webhook = Blueprint(f"{self.name()}_webhook", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def message(request: Request) -> HTTPResponse:
            if self.validate_signature and not self.is_signed(request):
                logger.warning("%s: a webhook request without a valid X-Twilio-Signature was refused.", self.name())
                return response.text("invalid X-Twilio-Signature", status=403)
            sender = request.form.get("From")
            text = request.form.get("Body") or ""
            if not sender:
                return response.text("the form field From is missing", status=400)
            if self.sms:
                text = text.replace("¡", "@")  # as in Rasa: some carriers turn @ into ¡
            output = self.get_output_channel(buffered=True)
            try:
                if await self.keyword_or_opted_out(sender, text, output):
                    return response.text("", status=204)
            except SQLAlchemyError as error:
                # Without the opt-out list, answering could message someone who replied STOP.
                logger.error("%s: the opt-out list could not be read (%s); not answering.", self.name(), type(error).__name__)
                return response.text("", status=503)
            try:
                await handle(
                    UserMessage(text, output, sender, input_channel=self.name(), metadata=self.get_metadata(request))
                )
            finally:
                await output.flush()
            return response.text("", status=204)

        @webhook.listener("after_server_stop")
        async def close_http_client(*_: Any) -> None:
            if self.http_client.session is not None and not self.http_client.session.closed:
                await self.http_client.session.close()

        return webhook


class TwilioWhatsAppInput(TwilioInput):
    """WhatsApp through Twilio (``/webhooks/whatsapp/webhook``; numbers ``whatsapp:+1...``)."""

    sms = False

    @classmethod
    def name(cls) -> Text:
        return "whatsapp"
