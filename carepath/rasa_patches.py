"""Performance fixes for Rasa 3.6, applied when CarePath's components load
(``carepath.nlu_components`` imports this module, so every Rasa process that
loads the CarePath model has them).  Behaviour is unchanged; see
``tests/test_rasa_patches.py``.

1. ``RemoteAction._validate_action_result`` calls ``jsonschema.validate(result,
spec)`` on every action-server response, which checks the schema itself and
builds a new validator each time: measured here, 60% of the Rasa server's CPU
per message.  This validates against the same schema with validators compiled
once.  The schema says each event matches exactly one of 23 event schemas
(``oneOf``), told apart by a constant ``event`` name; trying all 23 cost
0.9 ms a response.  Here each event is checked against the one schema its name
selects (the same verdict, since no other can match), and a response that
fails goes through the full schema, which raises the same ``ValidationError``
(best match) as Rasa.

2. ``Event.resolve_by_type`` walks every ``Event`` subclass for each event it
deserialises (8% of the CPU per message, more in long conversations).  This
looks the type up in a table built once, falling back to Rasa's own walk for a
name the table does not know.

3. ``EndpointConfig.session`` makes a new aiohttp session, so every call to
the action server opens a new TCP connection.  This keeps one session (and its
keep-alive connections) per endpoint and event loop; idle connections are
dropped after 2 s, before the action server's 5 s keep-alive timeout, so a
restarted action server never meets a stale connection.
"""
from __future__ import annotations

import asyncio
import copy
from functools import lru_cache
from typing import Any, Dict, Text, Tuple

import aiohttp

from jsonschema.exceptions import best_match
from jsonschema.validators import validator_for
from rasa.core.actions.action import RemoteAction
from rasa.core.constants import DEFAULT_REQUEST_TIMEOUT
from rasa.shared.core.events import Event
from rasa.shared.utils.common import all_subclasses
from rasa.utils.endpoints import EndpointConfig

_original = RemoteAction._validate_action_result


@lru_cache(maxsize=1)
def _validator():
    schema = RemoteAction.action_response_format_spec()
    return validator_for(schema)(schema)


@lru_cache(maxsize=1)
def _fast_validators() -> Tuple[Any, Dict[Text, Any]]:
    """A validator for the response without its events' ``oneOf``, and one per event name."""
    schema = copy.deepcopy(RemoteAction.action_response_format_spec())
    items = schema["properties"]["events"].pop("items")
    base = {key: value for key, value in items.items() if key != "oneOf"}
    by_name = {}
    for alternative in items["oneOf"]:
        name = alternative["properties"]["event"]["const"]
        event_schema = {"allOf": [base, alternative]}
        by_name[name] = validator_for(event_schema)(event_schema)
    return validator_for(schema)(schema), by_name


def is_valid_response(result: Any) -> bool:
    """What the full schema says of a response, checking each event against one schema."""
    outer, by_name = _fast_validators()
    if not outer.is_valid(result):
        return False
    for event in result.get("events") or ():
        validator = by_name.get(event.get("event")) if isinstance(event, dict) else None
        if validator is None or not validator.is_valid(event):
            return False
    return True


def _validate_action_result(self: RemoteAction, result: Dict[Text, Any]) -> bool:
    if is_valid_response(result):
        return True
    error = best_match(_validator().iter_errors(result))
    if error is not None:
        error.message += (
            ". Failed to validate Action server response from API, make sure your "
            "response from the Action endpoint is valid."
        )
        raise error
    return True


_original_resolve_by_type = Event.resolve_by_type


@lru_cache(maxsize=1)
def _event_types() -> Dict[Text, type]:
    table: Dict[Text, type] = {}
    for cls in all_subclasses(Event):
        table.setdefault(cls.type_name, cls)  # first match wins, as in Rasa
    return table


def _resolve_by_type(type_name: Text, default=None):
    found = _event_types().get(type_name)
    return found if found is not None else _original_resolve_by_type(type_name, default)


_original_session = EndpointConfig.session
_sessions: Dict[Tuple[int, int], aiohttp.ClientSession] = {}


class _KeptSession:
    """``async with`` yields the shared session and leaves it open."""

    def __init__(self, session: aiohttp.ClientSession) -> None:
        self._session = session

    async def __aenter__(self) -> aiohttp.ClientSession:
        return self._session

    async def __aexit__(self, *exc_info: Any) -> bool:
        return False


def _session(self: EndpointConfig) -> Any:
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:  # not in a coroutine: Rasa's own behaviour
        return _original_session(self)
    key = (id(self), id(loop))
    session = _sessions.get(key)
    if session is None or session.closed:
        # the same headers, authentication and timeout as Rasa's own session()
        auth = aiohttp.BasicAuth(self.basic_auth["username"], self.basic_auth["password"]) if self.basic_auth else None
        session = aiohttp.ClientSession(
            headers=self.headers,
            auth=auth,
            timeout=aiohttp.ClientTimeout(total=DEFAULT_REQUEST_TIMEOUT),
            connector=aiohttp.TCPConnector(keepalive_timeout=2),
        )
        _sessions[key] = session
    return _KeptSession(session)


def apply() -> None:
    RemoteAction._validate_action_result = _validate_action_result
    Event.resolve_by_type = staticmethod(_resolve_by_type)
    EndpointConfig.session = _session


apply()
