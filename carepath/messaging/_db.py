"""Run CarePath-database calls of the messaging channels off the event loop."""
from __future__ import annotations

import asyncio
import threading
from typing import Callable, Dict, TypeVar

from sqlalchemy.engine import Engine

from carepath import database

T = TypeVar("T")
_created: Dict[str, int] = {}
_lock = threading.Lock()


def engine() -> Engine:
    """The configured database (``carepath.database``), with the declared tables created once."""
    url = database.database_url()
    with _lock:
        if _created.get(url) != len(database.metadata.tables):
            database.create_tables(url)
            _created[url] = len(database.metadata.tables)
    return database.engine(url)


async def run(call: Callable[[Engine], T]) -> T:
    """``call(engine)`` in a worker thread (SQLAlchemy here is synchronous)."""
    return await asyncio.to_thread(lambda: call(engine()))
