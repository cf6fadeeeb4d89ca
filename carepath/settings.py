"""Deployment settings: advisor contact for hand-off, read from ``carepath.yml``.

Every field can be overridden by an environment variable (``ADVISOR_PHONE`` ...),
and ``CAREPATH_CONFIG`` points at another file.
"""
from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Dict

import yaml

DEFAULT_CONFIG = Path(__file__).resolve().parent.parent / "carepath.yml"
ADVISOR_FIELDS = ("name", "phone", "email", "url", "hours")


@lru_cache(maxsize=1)
def advisor() -> Dict[str, str]:
    path = Path(os.environ.get("CAREPATH_CONFIG", DEFAULT_CONFIG))
    data = {}
    if path.exists():
        data = (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("advisor") or {}
    result = {}
    for field in ADVISOR_FIELDS:
        value = os.environ.get(f"ADVISOR_{field.upper()}", data.get(field))
        if not value:
            raise ValueError(f"{path}: advisor.{field} is missing (or set ADVISOR_{field.upper()})")
        result[field] = str(value)
    return result
