"""Deployment settings read from ``carepath.yml``: the advisor that hand-offs go
to when no school is known, and the origins of pages that embed the general
(school-less) assistant.

Every advisor field can be overridden by an environment variable
(``ADVISOR_PHONE`` ...), and ``CAREPATH_CONFIG`` points at another file.
"""
from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, List

import yaml

DEFAULT_CONFIG = Path(__file__).resolve().parent.parent / "carepath.yml"
ADVISOR_FIELDS = ("name", "phone", "email", "url", "hours")


def config_path() -> Path:
    return Path(os.environ.get("CAREPATH_CONFIG", DEFAULT_CONFIG))


@lru_cache(maxsize=1)
def _config() -> Dict[str, Any]:
    path = config_path()
    if not path.exists():
        return {}
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a mapping at the top level")
    return data


@lru_cache(maxsize=1)
def general_origins() -> List[str]:
    """Origins of pages that embed the general assistant (no school)."""
    path, origins = config_path(), _config().get("allowed_origins") or []
    if not isinstance(origins, list) or not all(isinstance(o, str) and o.strip() for o in origins):
        raise ValueError(f"{path}: field allowed_origins: must be a list of origins such as http://localhost:8080")
    if any(o.strip() == "*" for o in origins):
        raise ValueError(f"{path}: field allowed_origins: '*' is not allowed; list the origins")
    return [o.strip().rstrip("/") for o in origins]


@lru_cache(maxsize=1)
def advisor() -> Dict[str, str]:
    path = config_path()
    data = _config().get("advisor") or {}
    result = {}
    for field in ADVISOR_FIELDS:
        value = os.environ.get(f"ADVISOR_{field.upper()}", data.get(field))
        if not value:
            raise ValueError(f"{path}: advisor.{field} is missing (or set ADVISOR_{field.upper()})")
        result[field] = str(value)
    return result
