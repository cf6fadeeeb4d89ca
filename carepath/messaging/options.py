"""The numbered options last shown to each conversation, kept in the CarePath database.

A text-only channel shows buttons as "1. Pay, 2. ..." and a reply of "2"
must pick the second button's payload, whichever Rasa instance receives the
reply: so the options are stored in the ``messaging_options`` table of
``carepath.database`` (not in memory), one row per channel and conversation,
replaced after every turn that showed numbered options and deleted after a
turn that did not.
"""
from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Dict, List, Optional, Sequence

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from carepath.database import metadata
from carepath.messaging import _db

options_table = sa.Table(
    "messaging_options",
    metadata,
    sa.Column("channel", sa.String(32), primary_key=True),
    sa.Column("conversation", sa.String(255), primary_key=True),
    sa.Column("options", sa.Text, nullable=False),
    sa.Column("updated_at", sa.DateTime, nullable=False),
)

Options = List[Dict[str, str]]


def _where(channel: str, conversation: str):
    return sa.and_(options_table.c.channel == channel, options_table.c.conversation == conversation)


def load_sync(db: Engine, channel: str, conversation: str) -> Options:
    with db.connect() as connection:
        row = connection.execute(sa.select(options_table.c.options).where(_where(channel, conversation))).first()
    return json.loads(row[0]) if row else []


def save_sync(db: Engine, channel: str, conversation: str, options: Optional[Sequence[Dict[str, str]]]) -> None:
    """Replace the conversation's options (``None`` or empty: forget them)."""
    with db.begin() as connection:
        if not options:
            connection.execute(options_table.delete().where(_where(channel, conversation)))
            return
        values = {"options": json.dumps(list(options)), "updated_at": datetime.now(timezone.utc).replace(tzinfo=None)}
        updated = connection.execute(options_table.update().where(_where(channel, conversation)).values(**values))
        if updated.rowcount:
            return
    try:
        with db.begin() as connection:
            connection.execute(options_table.insert().values(channel=channel, conversation=conversation, **values))
    except IntegrityError:  # another instance inserted the row meanwhile
        with db.begin() as connection:
            connection.execute(options_table.update().where(_where(channel, conversation)).values(**values))


async def load(channel: str, conversation: str) -> Options:
    return await _db.run(lambda db: load_sync(db, channel, conversation))


async def save(channel: str, conversation: str, options: Optional[Sequence[Dict[str, str]]]) -> None:
    await _db.run(lambda db: save_sync(db, channel, conversation, options))
