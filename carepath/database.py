"""CarePath's own tables (leads, messaging opt-outs) and the engine they live on.

The database is ``CAREPATH_DB_URL``, else ``TRACKER_DB_URL`` (the conversations'
PostgreSQL), else SQLite ``build/carepath.db``: one setting covers both the
Rasa server and the action server.  Each table is declared on ``metadata`` in
the module that owns it; ``create_tables()`` creates the missing ones.
"""
from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Dict, Optional

import sqlalchemy as sa
from sqlalchemy.engine import Engine

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SQLITE = ROOT / "build" / "carepath.db"

metadata = sa.MetaData()
_engines: Dict[str, Engine] = {}
_lock = threading.Lock()


def database_url() -> str:
    url = os.environ.get("CAREPATH_DB_URL") or os.environ.get("TRACKER_DB_URL")
    if url:
        return url
    DEFAULT_SQLITE.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{DEFAULT_SQLITE}"


def _new_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = sa.create_engine(url, connect_args={"check_same_thread": False, "timeout": 15})

        @sa.event.listens_for(engine, "connect")
        def _wal(dbapi_connection, _record) -> None:  # several processes share the file
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.close()

        return engine
    return sa.create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=5)


def engine(url: Optional[str] = None) -> Engine:
    """The (cached) engine for ``url`` or the configured database, tables created."""
    url = url or database_url()
    with _lock:
        if url not in _engines:
            _engines[url] = _new_engine(url)
            metadata.create_all(_engines[url])
        return _engines[url]


def create_tables(url: Optional[str] = None) -> Engine:
    """Create any tables declared since the engine was made (modules import late)."""
    db = engine(url)
    metadata.create_all(db)
    return db
