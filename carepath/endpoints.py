"""Write the endpoints file a Rasa server uses, for the ports and database given.

    python -m carepath.endpoints OUT.yml --actions-url URL [--tracker-db PATH]

``REDIS_URL`` (``redis://[:password@]host:port/db``) adds Rasa's Redis lock
store, which several Rasa instances (or SANIC_WORKERS > 1) must share.
``TRACKER_DB_URL`` is read by the tracker store itself.
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any, Dict, List, Optional
from urllib.parse import urlparse

import yaml

ROOT = Path(__file__).resolve().parent.parent


def redis_lock_store(url: str) -> Dict[str, Any]:
    parsed = urlparse(url)
    if parsed.scheme not in ("redis", "rediss") or not parsed.hostname:
        raise ValueError(f"REDIS_URL must look like redis://host:6379/0, not {url!r}")
    settings: Dict[str, Any] = {
        "type": "carepath.lock_store.CheckedRedisLockStore",
        "url": parsed.hostname,
        "port": parsed.port or 6379,
        "db": int(parsed.path.lstrip("/") or 0),
        "key_prefix": "carepath",
    }
    if parsed.password:
        settings["password"] = parsed.password
    if parsed.scheme == "rediss":
        settings["use_ssl"] = True
    return settings


def write_endpoints(
    out: Path,
    actions_url: str,
    tracker_db: Optional[str] = None,
    tracker_db_url: Optional[str] = None,
    redis_url: Optional[str] = None,
) -> Path:
    config = yaml.safe_load((ROOT / "endpoints.yml").read_text(encoding="utf-8"))
    config["action_endpoint"]["url"] = actions_url
    if tracker_db:
        config["tracker_store"]["db"] = tracker_db
    if tracker_db_url:
        config["tracker_store"]["url"] = tracker_db_url
    redis_url = redis_url or os.environ.get("REDIS_URL")
    if redis_url:
        config["lock_store"] = redis_lock_store(redis_url)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return out


def main(argv: List[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--actions-url", required=True)
    parser.add_argument("--tracker-db")
    args = parser.parse_args(argv)
    write_endpoints(args.out, args.actions_url, args.tracker_db)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
