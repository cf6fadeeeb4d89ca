"""Leads: visitors who asked to be contacted and said yes to it.

A lead is stored only after explicit consent (``actions/lead_form.py``), with
the school it is for and the time, in the ``leads`` table of CarePath's
database (``carepath/database.py``: SQLite by default, PostgreSQL by URL).
Nothing about a lead is logged.

    python -m carepath.leads [--school ID] [--since YYYY-MM-DD] [--until YYYY-MM-DD]   # CSV to stdout
"""
from __future__ import annotations

import argparse
import csv
import datetime as dt
import sys
from dataclasses import dataclass
from typing import Dict, Iterable, List, Optional

import sqlalchemy as sa

from carepath import database

GENERAL = "general"  # school_id of leads from the general assistant (no school)

leads = sa.Table(
    "leads",
    database.metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("school_id", sa.String(80), nullable=False, index=True),
    sa.Column("created_at", sa.DateTime, nullable=False, index=True),
    sa.Column("name", sa.String(120), nullable=False),
    sa.Column("email", sa.String(254)),
    sa.Column("phone", sa.String(32)),
    sa.Column("program", sa.String(80), nullable=False),
    sa.Column("contact_time", sa.String(120), nullable=False),
    sa.Column("consent_text", sa.String(400), nullable=False),
    sa.Column("conversation_id", sa.String(256), nullable=False),
)

CSV_FIELDS = ["id", "school_id", "created_at", "name", "email", "phone", "program", "contact_time", "consent_text"]


@dataclass(frozen=True)
class Lead:
    school_id: str
    name: str
    email: Optional[str]
    phone: Optional[str]
    program: str
    contact_time: str
    consent_text: str
    conversation_id: str


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


def save(lead: Lead, url: Optional[str] = None, now: Optional[dt.datetime] = None) -> int:
    """Store a consented lead; returns its id."""
    engine = database.create_tables(url)
    with engine.begin() as connection:
        result = connection.execute(leads.insert().values(created_at=now or utcnow(), **lead.__dict__))
        return int(result.inserted_primary_key[0])


def query(
    school_id: Optional[str] = None,
    since: Optional[dt.datetime] = None,
    until: Optional[dt.datetime] = None,
    url: Optional[str] = None,
) -> List[Dict]:
    engine = database.create_tables(url)
    statement = sa.select(leads).order_by(leads.c.created_at, leads.c.id)
    if school_id:
        statement = statement.where(leads.c.school_id == school_id)
    if since:
        statement = statement.where(leads.c.created_at >= since)
    if until:
        statement = statement.where(leads.c.created_at < until)
    with engine.connect() as connection:
        return [dict(row._mapping) for row in connection.execute(statement)]


def count(school_id: Optional[str] = None, since=None, until=None, url: Optional[str] = None) -> int:
    return len(query(school_id, since, until, url))


def purge(older_than: dt.datetime, url: Optional[str] = None) -> int:
    """Delete leads created before ``older_than``; returns how many."""
    engine = database.create_tables(url)
    with engine.begin() as connection:
        return connection.execute(leads.delete().where(leads.c.created_at < older_than)).rowcount


def write_csv(rows: Iterable[Dict], out) -> None:
    writer = csv.DictWriter(out, fieldnames=CSV_FIELDS, extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow({**row, "created_at": row["created_at"].isoformat(timespec="seconds") + "Z"})


def _day(text: str) -> dt.datetime:
    return dt.datetime.strptime(text, "%Y-%m-%d")


def main(argv: List[str]) -> int:
    parser = argparse.ArgumentParser(description="Export leads as CSV (make leads SCHOOL=id).")
    parser.add_argument("--school", help=f"a school id, or {GENERAL!r} for the general assistant; all when omitted")
    parser.add_argument("--since", type=_day, help="first day, YYYY-MM-DD (UTC)")
    parser.add_argument("--until", type=_day, help="day after the last, YYYY-MM-DD (UTC)")
    args = parser.parse_args(argv)
    write_csv(query(args.school, args.since, args.until), sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
