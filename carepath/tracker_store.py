"""``CachedSQLTrackerStore``: Rasa's SQL tracker store (SQLite by default,
PostgreSQL or any SQLAlchemy dialect by configuration) that keeps recent
conversations in memory and hands the dialogue policies a bounded history.

Rasa 3.6 reloads and replays a conversation's events on every message, and its
policies featurize the whole history, so a message's cost grows with the
length of the conversation (measured: turn 100 cost 3.5x turn 1).  Here:

- each turn asks the database one indexed question, the id of the newest stored
  event of the conversation; when it matches the copy in memory, the copy is
  used and nothing is deserialised;
- the tracker in memory keeps the last ``max_event_history`` events (default
  40, about five turns: the rules look at the last turn; slots, the active
  form and the session are kept exactly, they do not live in the event list);
  every event is still stored in the database.  The bound must stay above
  the events one turn adds (at most about 21 here: a question in the middle of
  the contact form; ``tests/test_lead_form_server.py`` checks 30):
  events that leave the bounded history before they are saved are lost;
- saving inserts only the events added since the tracker was loaded or saved,
  in one statement (SQLAlchemy Core, no ORM object per event);
- SQLite connections are pooled (Rasa opens the file anew for every query) and
  use write-ahead logging with ``synchronous=NORMAL``: a crash of the machine
  (not of the process) may lose the last few turns, never corrupt the file.

``TRACKER_DB_URL`` (an SQLAlchemy URL such as
``postgresql://user:password@host:5432/carepath``), or ``url`` in
endpoints.yml, replaces the SQLite default.

The database stays the source of truth: when another instance has written to
the conversation (several Rasa instances share one database behind a Redis lock
store), the newest id differs and the tracker is reloaded.  A turn that failed
after changing the tracker but before saving it is detected and reloaded too.
"""
from __future__ import annotations

import json
import logging
import os
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Text

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore, create_engine_kwargs
from rasa.shared.core.events import Event
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY

logger = logging.getLogger(__name__)


# Set on every tracker this store hands out or saves: the last event stored.
# It lives on the tracker, not in the (evictable) cache, so a conversation that
# left the cache between retrieve and save still saves exactly its new events.
_LAST_SAVED = "_carepath_last_saved_event"
_NOTHING_SAVED = object()


def _mark_saved(tracker: DialogueStateTracker) -> None:
    setattr(tracker, _LAST_SAVED, tracker.events[-1] if tracker.events else None)


def _has_unsaved_events(tracker: DialogueStateTracker) -> bool:
    return (tracker.events[-1] if tracker.events else None) is not getattr(tracker, _LAST_SAVED, _NOTHING_SAVED)


def _unsaved_events(tracker: DialogueStateTracker) -> Optional[List[Event]]:
    """Events added since the tracker was loaded or saved; ``None`` for a
    tracker this store never handed out."""
    marker = getattr(tracker, _LAST_SAVED, _NOTHING_SAVED)
    if marker is _NOTHING_SAVED:
        return None
    if marker is None:
        return list(tracker.events)
    new: List[Event] = []
    for event in reversed(tracker.events):
        if event is marker:
            return list(reversed(new))
        new.append(event)
    # more events than the bounded history holds were added: go by time
    return [event for event in tracker.events if event.timestamp > marker.timestamp]


@dataclass
class _Entry:
    tracker: DialogueStateTracker
    newest_id: int


def database_settings(url: Text) -> Dict[Text, Any]:
    """SQLTrackerStore's settings (dialect, host, port, db, ...) from a URL."""
    parsed = sa.engine.make_url(url)
    return {
        "dialect": parsed.drivername,
        "host": parsed.host,
        "port": parsed.port,
        "db": parsed.database,
        "username": parsed.username,
        "password": parsed.password,
        "query": dict(parsed.query) or None,
    }


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


class CachedSQLTrackerStore(SQLTrackerStore):
    def __init__(
        self,
        *args: Any,
        cache_size: int = 2000,
        max_event_history: Optional[int] = 40,
        url: Optional[Text] = None,
        **kwargs: Any,
    ) -> None:
        url = os.environ.get("TRACKER_DB_URL") or url
        if url:
            kwargs.update(database_settings(url))
        super().__init__(*args, **kwargs)
        url = self.engine.url
        if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
            self.engine.dispose()
            self.engine = sa.create_engine(
                url, poolclass=sa.pool.QueuePool, pool_size=5, connect_args={"check_same_thread": False}
            )
            sa.event.listen(self.engine, "connect", _sqlite_pragmas)
            self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)
        else:  # a server database: test pooled connections, so a restarted server is picked up
            self.engine.dispose()
            self.engine = sa.create_engine(url, pool_pre_ping=True, **create_engine_kwargs(url))
            self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)
        self._table = self.SQLEvent.__table__
        self._newest_query = sa.select(sa.func.max(self._table.c.id)).where(
            self._table.c.sender_id == sa.bindparam("sender")
        )
        self._cache: "OrderedDict[Text, _Entry]" = OrderedDict()
        self._cache_size = int(cache_size)
        # not Rasa's ``self.max_event_history``: get_or_create_tracker overwrites that
        self.history_limit = int(max_event_history) if max_event_history else None

    def _newest_event_id(self, sender_id: Text) -> Optional[int]:
        with self.engine.connect() as connection:
            return connection.execute(self._newest_query, {"sender": sender_id}).scalar()

    def _remember(self, tracker: DialogueStateTracker, newest_id: Optional[int]) -> None:
        _mark_saved(tracker)
        if newest_id is None:
            self._cache.pop(tracker.sender_id, None)
            return
        if tracker._max_event_history != self.history_limit:
            # a tracker made elsewhere (Rasa's FailSafeTrackerStore creates new
            # conversations with an unbounded history): keep a bounded copy
            tracker = self._bounded(tracker)
            _mark_saved(tracker)
        self._cache[tracker.sender_id] = _Entry(tracker, newest_id)
        self._cache.move_to_end(tracker.sender_id)
        while len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)

    def _bounded(self, tracker: DialogueStateTracker) -> DialogueStateTracker:
        """The same tracker with a history bounded to ``max_event_history``."""
        if tracker._max_event_history == self.history_limit:
            return tracker
        return DialogueStateTracker.from_events(
            tracker.sender_id, list(tracker.events), self.domain.slots, self.history_limit
        )

    def init_tracker(self, sender_id: Text) -> DialogueStateTracker:
        return DialogueStateTracker(sender_id, self.domain.slots, max_event_history=self.history_limit)

    async def retrieve(self, sender_id: Text) -> Optional[DialogueStateTracker]:
        """The latest session of a conversation, from memory when it is current."""
        newest = self._newest_event_id(sender_id)
        entry = self._cache.get(sender_id)
        if entry is not None and newest is not None and entry.newest_id == newest and not _has_unsaved_events(entry.tracker):
            self._cache.move_to_end(sender_id)
            return entry.tracker
        tracker = await super().retrieve(sender_id)
        if tracker is None:
            self._cache.pop(sender_id, None)
            return None
        tracker = self._bounded(tracker)
        self._remember(tracker, newest)
        return tracker

    async def save(self, tracker: DialogueStateTracker) -> None:
        new_events = _unsaved_events(tracker)
        if new_events is None:
            # a tracker this store did not hand out: Rasa's own way (counts stored events)
            self._cache.pop(tracker.sender_id, None)
            await super().save(tracker)
            _mark_saved(tracker)
            return
        await self.stream_events(tracker)
        if not new_events:
            return
        rows = [self._row(tracker.sender_id, event) for event in new_events]
        with self.engine.begin() as connection:
            connection.execute(self._table.insert(), rows)
            newest = connection.execute(self._newest_query, {"sender": tracker.sender_id}).scalar()
        self._remember(tracker, newest)

    async def create_tracker(self, sender_id: Text, append_action_listen: bool = True) -> DialogueStateTracker:
        tracker = await super().create_tracker(sender_id, append_action_listen)
        self._remember(tracker, self._newest_event_id(sender_id))
        return tracker

    @staticmethod
    def _row(sender_id: Text, event: Event) -> Dict[Text, Any]:
        """The same columns Rasa's SQLTrackerStore.save writes."""
        data: Dict[Text, Any] = event.as_dict()
        return {
            "sender_id": sender_id,
            "type_name": event.type_name,
            "timestamp": data.get("timestamp"),
            "intent_name": data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
            "action_name": data.get("name"),
            "data": json.dumps(data),
        }
