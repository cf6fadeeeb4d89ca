"""Retention: `make purge DAYS=90` deletes conversations and leads older than DAYS days.

    python -m carepath.purge --days 90 [--db URL]

A conversation's age is the time since its last event; a lead's, the time it
was stored.  Leads live in CarePath's database (``carepath/database.py``).
"""
from __future__ import annotations

import argparse
import sys
import time
from datetime import datetime, timezone
from typing import List, Optional

from carepath import leads
from carepath.conversations import engine, purge


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=float, required=True, help="keep conversations active in the last DAYS days")
    parser.add_argument("--db", help="SQLAlchemy URL (default: TRACKER_DB_URL or endpoints.yml)")
    args = parser.parse_args(argv)
    if args.days <= 0:
        parser.error("--days must be more than 0")
    cutoff = time.time() - args.days * 86400
    removed = purge(engine(args.db), cutoff)
    removed_leads = leads.purge(datetime.fromtimestamp(cutoff, timezone.utc).replace(tzinfo=None))
    print(
        f"purged {removed['conversations']} conversations ({removed['events']} events) "
        f"and {removed_leads} leads older than {args.days:g} days"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
