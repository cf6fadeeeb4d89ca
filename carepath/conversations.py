"""Read and prune the conversations the tracker store keeps (the ``events``
table of Rasa's SQL tracker store), for reports and retention.

The database is ``TRACKER_DB_URL`` when set, else the SQLite file named in
endpoints.yml (``build/trackers.db``).
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional

import sqlalchemy as sa
import yaml

ROOT = Path(__file__).resolve().parent.parent


def database_url() -> str:
    if os.environ.get("TRACKER_DB_URL"):
        return os.environ["TRACKER_DB_URL"]
    store = yaml.safe_load((ROOT / "endpoints.yml").read_text(encoding="utf-8"))["tracker_store"]
    if store.get("url"):
        return store["url"]
    db = Path(store.get("db", "rasa.db"))
    return f"sqlite:///{db if db.is_absolute() else ROOT / db}"


def engine(url: Optional[str] = None) -> sa.engine.Engine:
    return sa.create_engine(url or database_url())


@dataclass
class Turn:
    """One user message and what the assistant answered."""

    sender_id: str
    timestamp: float
    text: str
    school: Optional[str]
    payloads: List[Dict[str, Any]]


def turns(db: sa.engine.Engine, start: float, end: float) -> Iterator[Turn]:
    """User messages with timestamps in [start, end), each with its payloads."""
    query = sa.text(
        "select sender_id, type_name, timestamp, data from events "
        "where sender_id in (select distinct sender_id from events where type_name = 'user' "
        "and timestamp >= :start and timestamp < :end) order by sender_id, id"
    )
    current: Optional[Turn] = None
    with db.connect() as connection:
        if not sa.inspect(connection).has_table("events"):
            return
        for sender_id, type_name, timestamp, data in connection.execute(query, {"start": start, "end": end}):
            if current is not None and (type_name == "user" or sender_id != current.sender_id):
                if start <= current.timestamp < end:
                    yield current
                current = None
            if type_name == "user":
                event = json.loads(data)
                metadata = event.get("metadata") or {}
                current = Turn(sender_id, timestamp or 0.0, event.get("text") or "", metadata.get("school_id"), [])
            elif type_name == "bot" and current is not None:
                custom = (json.loads(data).get("data") or {}).get("custom")
                if isinstance(custom, dict):
                    current.payloads.append(custom)
    if current is not None and start <= current.timestamp < end:
        yield current


def purge(db: sa.engine.Engine, older_than: float) -> Dict[str, int]:
    """Delete every conversation whose last event is older than ``older_than``
    (a Unix time).  (Leads will be purged here too once they are stored.)"""
    removed = {"conversations": 0, "events": 0}
    with db.begin() as connection:
        inspector = sa.inspect(connection)
        if inspector.has_table("events"):
            stale = [
                row[0]
                for row in connection.execute(
                    sa.text("select sender_id from events group by sender_id having max(timestamp) < :cutoff"),
                    {"cutoff": older_than},
                )
            ]
            for chunk in range(0, len(stale), 500):
                ids = stale[chunk:chunk + 500]
                result = connection.execute(
                    sa.text("delete from events where sender_id in :ids").bindparams(sa.bindparam("ids", expanding=True)),
                    {"ids": ids},
                )
                removed["events"] += result.rowcount
            removed["conversations"] = len(stale)
    return removed
