"""Who replied STOP: the ``messaging_opt_outs`` table of the CarePath database.

One row per channel and address (the sender as the channel gives it, e.g.
``+15551234567`` or ``whatsapp:+15551234567``).  Addresses are stored as
given, because they are needed to honour STOP, and never logged.  Shared by
every Rasa instance using the same database.
"""
from __future__ import annotations

from datetime import datetime, timezone

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from carepath.database import metadata
from carepath.messaging import _db

opt_outs_table = sa.Table(
    "messaging_opt_outs",
    metadata,
    sa.Column("channel", sa.String(32), primary_key=True),
    sa.Column("address", sa.String(255), primary_key=True),
    sa.Column("opted_out_at", sa.DateTime, nullable=False),
)


def _where(channel: str, address: str):
    return sa.and_(opt_outs_table.c.channel == channel, opt_outs_table.c.address == address)


def is_opted_out_sync(db: Engine, channel: str, address: str) -> bool:
    with db.connect() as connection:
        return connection.execute(sa.select(opt_outs_table.c.address).where(_where(channel, address))).first() is not None


def opt_out_sync(db: Engine, channel: str, address: str) -> bool:
    """Record the opt-out; ``True`` if the address was not opted out before."""
    try:
        with db.begin() as connection:
            connection.execute(
                opt_outs_table.insert().values(
                    channel=channel, address=address, opted_out_at=datetime.now(timezone.utc).replace(tzinfo=None)
                )
            )
        return True
    except IntegrityError:
        return False


def opt_in_sync(db: Engine, channel: str, address: str) -> bool:
    """Remove the opt-out; ``True`` if the address was opted out."""
    with db.begin() as connection:
        return connection.execute(opt_outs_table.delete().where(_where(channel, address))).rowcount > 0


async def is_opted_out(channel: str, address: str) -> bool:
    return await _db.run(lambda db: is_opted_out_sync(db, channel, address))


async def opt_out(channel: str, address: str) -> bool:
    return await _db.run(lambda db: opt_out_sync(db, channel, address))


async def opt_in(channel: str, address: str) -> bool:
    return await _db.run(lambda db: opt_in_sync(db, channel, address))
