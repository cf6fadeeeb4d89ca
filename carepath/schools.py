"""Schools that embed CarePath: one YAML file each in ``schools/`` (``CAREPATH_SCHOOLS_DIR``).

A school file sets the widget's look (colours, logo, greeting), the origins its
pages are served from (CORS and the socket.io origin check), the advisor that
hand-offs and leads go to, and a program overlay: the school's own program
facts per CarePath role, used for that school's visitors.  Every file is
validated at start; a broken one raises :class:`SchoolConfigError` naming the
file and the field.  ``school_id`` is the file name without ``.yml``.

    python -m carepath.schools check     # validate, exit 1 with file and field
    python -m carepath.schools origins   # every allowed origin, comma-separated
"""
from __future__ import annotations

import datetime as dt
import logging
import os
import re
import sys
from functools import lru_cache
from pathlib import Path
from typing import Dict, List, Optional

import yaml
from pydantic import BaseModel, Extra, HttpUrl, ValidationError, constr, validator

from carepath import settings
from carepath.knowledge_base import ROLE_IDS, get_knowledge_base

logger = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SCHOOLS_DIR = ROOT / "schools"
SCHOOL_ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
HEX_COLOUR = r"^#[0-9A-Fa-f]{6}$"
SCHEDULES = ("day", "evening", "weekend", "online")
MIN_CONTRAST = 4.5
ORIGIN = re.compile(r"^https?://[A-Za-z0-9.-]+(:\d{1,5})?$")


class SchoolConfigError(ValueError):
    """A school file is missing, unreadable or breaks the schema."""


class _Strict(BaseModel):
    class Config:
        extra = Extra.forbid
        anystr_strip_whitespace = True


def relative_luminance(colour: str) -> float:
    """WCAG 2.x relative luminance of ``#RRGGBB``."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_ratio(a: str, b: str) -> float:
    la, lb = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


# Foreground/background pairs the widget draws (the launcher and links use
# primary on background); each must reach WCAG AA, 4.5:1.
THEME_PAIRS = (("on_primary", "primary"), ("text", "background"), ("text", "bot_bubble"), ("primary", "background"))


class Theme(_Strict):
    primary: constr(regex=HEX_COLOUR)
    on_primary: constr(regex=HEX_COLOUR)
    background: constr(regex=HEX_COLOUR)
    text: constr(regex=HEX_COLOUR)
    bot_bubble: constr(regex=HEX_COLOUR)
    logo: Optional[constr(regex=r"^assets/[A-Za-z0-9._-]+\.(svg|png)$")] = None

    @validator("bot_bubble")
    def _readable(cls, value: str, values: dict) -> str:
        colours = {**values, "bot_bubble": value}
        for fg, bg in THEME_PAIRS:
            if fg in colours and bg in colours:
                ratio = contrast_ratio(colours[fg], colours[bg])
                if ratio < MIN_CONTRAST:
                    raise ValueError(
                        f"{fg} {colours[fg]} on {bg} {colours[bg]} has contrast {ratio:.2f}:1; "
                        f"WCAG AA needs at least {MIN_CONTRAST}:1"
                    )
        return value


class Advisor(_Strict):
    name: constr(min_length=2)
    phone: constr(min_length=7)
    email: constr(regex=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    url: HttpUrl
    hours: constr(min_length=3)


def _iso_date(value):
    return value.isoformat() if isinstance(value, (dt.date, dt.datetime)) else value


class Program(_Strict):
    name: constr(min_length=3)
    length: constr(min_length=3, max_length=60)
    cost: constr(min_length=2, max_length=120)
    schedule: List[str]
    next_starts: List[dt.date] = []
    credential: Optional[constr(min_length=3, max_length=160)] = None
    url: HttpUrl
    as_of: constr(regex=r"^\d{4}-\d{2}(-\d{2})?$")

    _as_of = validator("as_of", pre=True, allow_reuse=True)(_iso_date)

    @validator("schedule")
    def _known_schedules(cls, value: List[str]) -> List[str]:
        unknown = [s for s in value if s not in SCHEDULES]
        if unknown or not value:
            raise ValueError(f"list one or more of {', '.join(SCHEDULES)}" + (f"; unknown: {unknown}" if unknown else ""))
        return value


class School(_Strict):
    id: str
    name: constr(min_length=2, max_length=80)
    theme: Theme
    greeting: constr(min_length=10, max_length=400)
    allowed_origins: List[str]
    advisor: Advisor
    programs: Dict[str, Program] = {}

    @validator("allowed_origins", each_item=True)
    def _origin(cls, value: str) -> str:
        value = value.rstrip("/")
        if value == "*" or not ORIGIN.match(value):
            raise ValueError(f"{value!r} is not an origin like https://www.school.edu (no '*', no path)")
        return value

    @validator("programs")
    def _known_roles(cls, value: Dict[str, Program]) -> Dict[str, Program]:
        unknown = [r for r in value if r not in ROLE_IDS]
        if unknown:
            raise ValueError(f"unknown role ids {unknown}; expected CarePath role ids such as medical_assistant")
        return value

    def widget_config(self) -> dict:
        """What the widget may know: look, greeting, advisor (no origins, no overlay)."""
        theme = self.theme.dict()
        logo = theme.pop("logo")
        return {
            "id": self.id,
            "name": self.name,
            "theme": theme,
            "logo": Path(logo).name if logo else None,
            "greeting": self.greeting,
            "advisor": {k: str(v) for k, v in self.advisor.dict().items()},
        }


def schools_dir() -> Path:
    return Path(os.environ.get("CAREPATH_SCHOOLS_DIR") or DEFAULT_SCHOOLS_DIR)


def _load_file(path: Path) -> School:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise SchoolConfigError(f"{path}: not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise SchoolConfigError(f"{path}: expected a mapping at the top level")
    if not SCHOOL_ID.match(path.stem):
        raise SchoolConfigError(f"{path}: the file name is the school id: use lowercase letters, digits and dashes")
    if "id" in data and data["id"] != path.stem:
        raise SchoolConfigError(f"{path}: field id: must match the file name {path.stem!r}")
    try:
        school = School(id=path.stem, **{k: v for k, v in data.items() if k != "id"})
    except ValidationError as exc:
        fields = "; ".join(".".join(str(p) for p in e["loc"]) + f": {e['msg']}" for e in exc.errors())
        raise SchoolConfigError(f"{path}: field {fields}") from exc
    if school.theme.logo and not (path.parent / school.theme.logo).is_file():
        raise SchoolConfigError(f"{path}: field theme.logo: {school.theme.logo} does not exist next to the file")
    return school


def load_schools(directory: Optional[Path] = None) -> Dict[str, School]:
    directory = Path(directory) if directory else schools_dir()
    if not directory.is_dir():
        raise SchoolConfigError(f"{directory}: the schools folder does not exist (set CAREPATH_SCHOOLS_DIR)")
    return {path.stem: _load_file(path) for path in sorted(directory.glob("*.yml"))}


@lru_cache(maxsize=4)
def _cached(directory: str) -> Dict[str, School]:
    return load_schools(Path(directory))


def all_schools() -> Dict[str, School]:
    return _cached(str(schools_dir()))


def get_school(school_id: object) -> Optional[School]:
    """The school for an id from message metadata; unknown ids give ``None`` and a warning."""
    if not school_id:
        return None
    school = all_schools().get(str(school_id)) if isinstance(school_id, str) else None
    if school is None:
        logger.warning("Unknown school_id %r: answering as the general assistant.", str(school_id)[:80])
    return school


def general_origins() -> List[str]:
    """Origins allowed for pages without a school: carepath.yml plus CORS_ORIGINS."""
    origins = list(settings.general_origins())
    origins += [o.strip().rstrip("/") for o in os.environ.get("CORS_ORIGINS", "").split(",") if o.strip()]
    return list(dict.fromkeys(origins))


def allowed_origins(school_id: Optional[str] = None) -> List[str]:
    """A school's origins, or (``None``) every origin any page may use."""
    if school_id is not None:
        school = all_schools().get(school_id)
        return list(school.allowed_origins) if school else general_origins()
    origins = general_origins()
    for school in all_schools().values():
        origins += school.allowed_origins
    return list(dict.fromkeys(origins))


def origin_allowed(origin: Optional[str], school_id: Optional[str]) -> bool:
    """Whether a browser page on ``origin`` may chat as ``school_id``'s widget.

    No Origin header (curl, servers, messaging channels) is not a browser page: allowed.
    """
    if not origin:
        return True
    origin = origin.rstrip("/")
    school = all_schools().get(school_id) if isinstance(school_id, str) else None
    return origin in (school.allowed_origins if school else general_origins())


def main(argv: List[str]) -> int:
    command = argv[0] if argv else "check"
    try:
        get_knowledge_base()  # fail fast on a broken knowledge base too
        schools = load_schools()
        settings.general_origins()
        settings.advisor()
    except (SchoolConfigError, ValueError) as exc:
        print(f"CarePath cannot start: {exc}", file=sys.stderr)
        return 1
    if command == "origins":
        print(",".join(allowed_origins()))
    elif command == "check":
        print(f"schools: {', '.join(schools) or 'none'} ({schools_dir()})", file=sys.stderr)
    else:
        print("usage: python -m carepath.schools [check|origins]", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
