"""Retention: `make purge DAYS=90` deletes conversations older than DAYS days.

    python -m carepath.purge --days 90 [--db URL]

A conversation's age is the time since its last event.
"""
from __future__ import annotations

import argparse
import sys
import time
from typing import List, Optional

from carepath.conversations import engine, purge


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=float, required=True, help="keep conversations active in the last DAYS days")
    parser.add_argument("--db", help="SQLAlchemy URL (default: TRACKER_DB_URL or endpoints.yml)")
    args = parser.parse_args(argv)
    if args.days <= 0:
        parser.error("--days must be more than 0")
    removed = purge(engine(args.db), time.time() - args.days * 86400)
    print(f"purged {removed['conversations']} conversations ({removed['events']} events) older than {args.days:g} days")
    return 0


if __name__ == "__main__":
    sys.exit(main())
