"""Rasa input channels of CarePath (referenced from ``credentials.yml``).

``RestInput`` is Rasa's REST channel with the request checked first: a body
that is not a JSON object with a ``sender`` and a text ``message`` gets a 400
and a plain explanation (Rasa itself answers some of these with a 500).

Both answer a message whose handling failed (the database is down, say) with
the apology from ``carepath.failures`` and the payload, where Rasa
would log the error and send nothing.

Both check the page's origin (browsers send an ``Origin`` header): a page
may chat only from an origin its school allows (``schools/<id>.yml``), or,
without a school, from the general list (``carepath.yml``).  REST answers a
refused origin with a 403; socket.io refuses the connection, whose ``auth``
names the school (``{"school_id": ...}``).  The connection's school also
overrides any ``school_id`` a message's metadata claims.

``SocketIOInput`` is Rasa's socket.io channel with one more fix: Rasa 3.6's
``SocketIOOutput.send_custom_json`` passes the JSON's keys to ``sio.emit`` as
keyword arguments, so a payload such as ``{"topic": ...}`` raises a TypeError
and the turn's payload is lost.  Here the payload is emitted as
``{"custom": {...}}`` on the bot event, the same shape the REST channel uses.
"""
from __future__ import annotations

import logging
from typing import Any, Awaitable, Callable, Dict, Optional, Text

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput as RasaRestInput
from rasa.core.channels.socketio import SocketIOInput as RasaSocketIOInput
from rasa.core.channels.socketio import SocketIOOutput as RasaSocketIOOutput
from sanic import Blueprint, response
from socketio.exceptions import ConnectionRefusedError
from sanic.exceptions import InvalidUsage
from sanic.request import Request

from carepath.failures import apology
from carepath.knowledge_base import get_knowledge_base
from carepath.rate_limit import RateLimiter
from carepath.schools import origin_allowed

logger = logging.getLogger(__name__)
MAX_SENDER_LENGTH = 256
Handler = Callable[[UserMessage], Awaitable[Any]]


def rate_limited_replies() -> list:
    """The polite "please wait" and its payload, as channel messages."""
    entry = get_knowledge_base().conversation.entries["rate_limited"]
    payload = {
        "topic": "fallback", "role": None, "sources": [], "answer_id": "conversation.rate_limited", "school": None,
    }
    return [{"text": entry.text}, {"custom": payload}]


def answering_failures(on_new_message: Handler) -> Handler:
    """Wraps Rasa's message handler: a failure gets the apology, not silence."""

    async def handle(message: UserMessage) -> Any:
        try:
            return await on_new_message(message)
        except Exception:  # noqa: BLE001 - whatever failed, the visitor gets an answer
            logger.exception("Handling a message failed; answering with an apology.")
            school_id = school_of(message.metadata)
            await message.output_channel.send_response(message.sender_id, apology(school_id).message())
            return None

    return handle

USAGE = 'send JSON like {"sender": "visitor-1", "message": "how much do CNAs make?"}'


def request_problem(request: Request) -> Optional[str]:
    """What is wrong with a REST webhook request, or ``None``."""
    try:
        body = request.json
    except (InvalidUsage, ValueError):
        return "the body is not valid JSON"
    if not isinstance(body, dict):
        return "the body must be a JSON object"
    sender = body.get("sender")
    if isinstance(sender, bool) or not isinstance(sender, (str, int)) or not str(sender).strip():
        return '"sender" must be a non-empty string'
    if len(str(sender)) > MAX_SENDER_LENGTH:
        return f'"sender" must be at most {MAX_SENDER_LENGTH} characters'
    if not isinstance(body.get("message"), str):
        return '"message" must be a string'
    metadata = body.get("metadata")
    if metadata is not None and not isinstance(metadata, dict):
        return '"metadata" must be a JSON object'
    school_id = (metadata or {}).get("school_id")
    if school_id is not None and not isinstance(school_id, str):
        return '"metadata.school_id" must be a string'
    return None


ORIGIN_REFUSED = "this page's origin is not allowed to use this assistant"


def school_of(metadata: Any) -> Optional[str]:
    school_id = metadata.get("school_id") if isinstance(metadata, dict) else None
    return school_id if isinstance(school_id, str) and school_id else None


class RestInput(RasaRestInput):
    @classmethod
    def name(cls) -> Text:
        return "rest"

    def blueprint(self, on_new_message: Handler) -> Blueprint:
        blueprint = super().blueprint(answering_failures(on_new_message))
        limiter = RateLimiter.from_environment()

        @blueprint.middleware("request")
        async def check_request(request: Request) -> Optional[response.HTTPResponse]:
            if request.method == "POST" and request.path.endswith("/webhook"):
                problem = request_problem(request)
                if problem:
                    return response.json({"error": f"{problem}; {USAGE}"}, status=400)
                if not origin_allowed(request.headers.get("origin"), school_of(request.json.get("metadata"))):
                    return response.json({"error": ORIGIN_REFUSED}, status=403)
                sender = request.json["sender"] = str(request.json["sender"])
                if not await limiter.allow(sender):
                    replies = [{"recipient_id": sender, **m} for m in rate_limited_replies()]
                    return response.json(replies, status=429, headers={"Retry-After": str(int(limiter.seconds))})
            return None

        return blueprint


class SocketIOOutput(RasaSocketIOOutput):
    async def send_custom_json(self, recipient_id: Text, json_message: Dict[Text, Any], **kwargs: Any) -> None:
        await self._send_message(recipient_id, {"custom": json_message})


class SocketIOInput(RasaSocketIOInput):
    @classmethod
    def name(cls) -> Text:
        return "socketio"

    def blueprint(self, on_new_message: Handler) -> Blueprint:
        answer = answering_failures(on_new_message)
        limiter = RateLimiter.from_environment()
        schools: Dict[str, Optional[str]] = {}  # socket id -> the school its page embeds

        async def handle(message: UserMessage) -> Any:
            rasa_output = message.output_channel
            if isinstance(rasa_output, RasaSocketIOOutput):
                message.output_channel = SocketIOOutput(rasa_output.sio, rasa_output.bot_message_evt)
            if not await limiter.allow(message.sender_id):
                for reply in rate_limited_replies():
                    await message.output_channel.send_response(message.sender_id, reply)
                return None
            return await answer(message)

        blueprint = super().blueprint(handle)
        self._check_origins(schools)
        return blueprint

    def _check_origins(self, schools: Dict[str, Optional[str]]) -> None:
        """Replace Rasa's connect handler with one that checks the page's origin,
        and pin each message's ``school_id`` to the connection's school."""
        sio, namespace = self.sio, self.namespace or "/"
        handlers = sio.handlers[namespace]
        rasa_disconnect, rasa_message = handlers["disconnect"], handlers[self.user_message_evt]

        async def connect(sid: Text, environ: Dict, auth: Optional[Dict] = None) -> bool:
            school_id = school_of(auth)
            if not origin_allowed(environ.get("HTTP_ORIGIN"), school_id):
                logger.info("Refused a socket.io connection: origin not allowed (school %r).", school_id)
                raise ConnectionRefusedError(ORIGIN_REFUSED)
            schools[sid] = school_id
            return True

        async def disconnect(sid: Text) -> None:
            schools.pop(sid, None)
            await rasa_disconnect(sid)

        async def user_uttered(sid: Text, data: Any) -> None:
            if not isinstance(data, dict):
                return None
            metadata = data.get(self.metadata_key)
            metadata = dict(metadata) if isinstance(metadata, dict) else {}
            metadata["school_id"] = schools.get(sid)
            return await rasa_message(sid, {**data, self.metadata_key: metadata})

        sio.on("connect", connect, namespace=namespace)
        sio.on("disconnect", disconnect, namespace=namespace)
        sio.on(self.user_message_evt, user_uttered, namespace=namespace)
