"""A school's program overlay: the school's own facts for its visitors.

For a school visitor's question about a role the school trains for, the
answer adds a paragraph from ``schools/<id>.yml`` ("At Example Tech Institute,
the Medical Assistant Certificate takes 9 months ..."), labelled as the
school's information and cited with the program page and its as-of date.
Which facts go with which topic is ``TOPIC_FACTS``; other topics use only the
general knowledge base.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Dict, List, Optional, Tuple

from carepath.schools import Program, School

# The overlay's facts per topic; the order is the order of the sentences.
TOPIC_FACTS: Dict[str, Tuple[str, ...]] = {
    "program": ("length", "schedule", "cost", "credential", "next_start"),
    "education": ("length", "schedule", "credential"),
    "getting_started": ("length", "next_start", "cost"),
    "certification": ("credential",),
    "hours": ("schedule",),
}
SCHEDULE_WORDS = {"day": "daytime", "evening": "evening", "weekend": "weekend", "online": "online"}


@dataclass(frozen=True)
class Overlay:
    text: str
    source: Dict[str, str]  # {"title", "url"} as in the payload's sources
    as_of: str


def _join(words: List[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def _date(day: dt.date) -> str:
    return f"{day:%B} {day.day}, {day.year}"


def _sentences(school: School, program: Program, facts: Tuple[str, ...], today: dt.date) -> List[str]:
    sentences = []
    for fact in facts:
        if fact == "length":
            sentences.append(f"At {school.name}, the {program.name} takes {program.length}.")
        elif fact == "schedule":
            options = _join([SCHEDULE_WORDS[s] for s in program.schedule])
            sentences.append(f"{school.name} offers {options} classes for it.")
        elif fact == "cost":
            sentences.append(f"The cost is {program.cost}.")
        elif fact == "credential" and program.credential:
            sentences.append(f"{program.credential}.".replace("..", "."))
        elif fact == "next_start":
            upcoming = [d for d in program.next_starts if d >= today]
            if upcoming:
                sentences.append(f"The next class starts {_date(upcoming[0])}.")
    return sentences


def program_overlay(
    school: Optional[School], role_id: Optional[str], topic: str, today: Optional[dt.date] = None
) -> Optional[Overlay]:
    """The school's paragraph for ``topic`` and ``role_id``, or ``None`` when it has none."""
    if school is None or role_id is None or topic not in TOPIC_FACTS:
        return None
    program = school.programs.get(role_id)
    if program is None:
        return None
    sentences = _sentences(school, program, TOPIC_FACTS[topic], today or dt.date.today())
    if not sentences:
        return None
    text = f"{school.name} (school information): " + " ".join(sentences)
    source = {"title": f"{school.name}: {program.name}", "url": str(program.url)}
    return Overlay(text=text, source=source, as_of=program.as_of)
