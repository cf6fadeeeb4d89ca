"""Write the endpoints file a Rasa server uses, for the ports and database given.

    python -m carepath.endpoints OUT.yml --actions-url URL [--tracker-db PATH]
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import List, Optional

import yaml

ROOT = Path(__file__).resolve().parent.parent


def write_endpoints(out: Path, actions_url: str, tracker_db: Optional[str] = None) -> Path:
    config = yaml.safe_load((ROOT / "endpoints.yml").read_text(encoding="utf-8"))
    config["action_endpoint"]["url"] = actions_url
    if tracker_db:
        config["tracker_store"]["db"] = tracker_db
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
