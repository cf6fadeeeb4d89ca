"""Load and validate the curated knowledge base in ``knowledge_base/``.

Layout::

    knowledge_base/roles/<role_id>.yml   one file per role
    knowledge_base/general.yml           field-wide answer per knowledge topic
    knowledge_base/conversation.yml      texts for greet, handoff, crisis, ...

Every answer carries ``sources`` (title + URL) and ``as_of``.  A malformed file
raises :class:`KnowledgeBaseError` naming the file, the entry and the field.
``CAREPATH_KB_DIR`` points the assistant at another knowledge-base folder.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Dict, List, Optional, Tuple

import yaml
from pydantic import BaseModel, Extra, HttpUrl, ValidationError, constr, validator

ROLE_IDS: Tuple[str, ...] = (
    "medical_assistant",
    "nursing_assistant",
    "medical_biller_coder",
    "medical_receptionist",
    "healthcare_administrative_assistant",
    "patient_care_coordinator",
    "scheduling_coordinator",
    "clinical_support_technician",
    "rehabilitation_aide",
    "telehealth_support_specialist",
    "patient_advocate",
    "phlebotomy_technician",
)

KNOWLEDGE_TOPICS: Tuple[str, ...] = (
    "hours",
    "education",
    "certification",
    "stress",
    "advancement",
    "pay",
    "outlook",
    "duties",
    "skills",
    "getting_started",
    "roles_overview",
    "comparison",
)

CONVERSATION_TOPICS: Tuple[str, ...] = (
    "greet",
    "goodbye",
    "thanks",
    "bot_challenge",
    "handoff",
    "out_of_scope",
    "medical_advice",
    "crisis",
    "clarify",
)

DEFAULT_KB_DIR = Path(__file__).resolve().parent.parent / "knowledge_base"

AS_OF_PATTERN = r"^\d{4}-\d{2}(-\d{2})?$"


class KnowledgeBaseError(ValueError):
    """A knowledge-base file is missing, unreadable or breaks the schema."""


class _Strict(BaseModel):
    class Config:
        extra = Extra.forbid
        anystr_strip_whitespace = True


class Source(_Strict):
    title: constr(min_length=3)
    url: HttpUrl


class Answer(_Strict):
    text: constr(min_length=40, max_length=1200)
    sources: List[Source]
    as_of: constr(regex=AS_OF_PATTERN)

    @validator("sources")
    def _at_least_one_source(cls, value: List[Source]) -> List[Source]:
        if not value:
            raise ValueError("every answer needs at least one source")
        return value

    @validator("as_of", pre=True)
    def _date_to_text(cls, value):  # YAML turns 2025-08-28 into a date
        return value.isoformat() if hasattr(value, "isoformat") else value


class AtAGlance(_Strict):
    """Short facts used to build side-by-side comparisons."""

    what: constr(min_length=10, max_length=200)
    training: constr(min_length=5, max_length=200)
    pay: constr(min_length=5, max_length=200)
    sources: List[Source]
    as_of: constr(regex=AS_OF_PATTERN)

    _date = validator("as_of", pre=True, allow_reuse=True)(Answer._date_to_text.__func__)


class Role(_Strict):
    id: str
    name: constr(min_length=3)
    plural: constr(min_length=3)
    aliases: List[constr(min_length=2)]
    bls_occupation: Optional[str] = None
    proxy_note: Optional[str] = None
    at_a_glance: AtAGlance
    answers: Dict[str, Answer]

    @validator("id")
    def _known_role(cls, value: str) -> str:
        if value not in ROLE_IDS:
            raise ValueError(f"unknown role id {value!r}; expected one of {', '.join(ROLE_IDS)}")
        return value

    @validator("answers")
    def _every_topic(cls, value: Dict[str, Answer]) -> Dict[str, Answer]:
        missing = [t for t in KNOWLEDGE_TOPICS if t not in value]
        unknown = [t for t in value if t not in KNOWLEDGE_TOPICS]
        if missing:
            raise ValueError(f"missing answers for topics: {', '.join(missing)}")
        if unknown:
            raise ValueError(f"unknown topics: {', '.join(unknown)}")
        return value


class General(_Strict):
    answers: Dict[str, Answer]

    _every_topic = validator("answers", allow_reuse=True)(Role._every_topic.__func__)


class Button(_Strict):
    title: str
    payload: str


class ConversationEntry(_Strict):
    text: constr(min_length=2)
    sources: List[Source] = []
    buttons: List[Button] = []
    as_of: Optional[constr(regex=AS_OF_PATTERN)] = None

    _date = validator("as_of", pre=True, allow_reuse=True)(Answer._date_to_text.__func__)


class Conversation(_Strict):
    # one entry per conversation topic, plus bad-input replies
    entries: Dict[str, ConversationEntry]

    @validator("entries")
    def _required(cls, value):
        required = set(CONVERSATION_TOPICS) | {
            "fallback",
            "empty_message",
            "unreadable_message",
            "too_long_message",
            "no_answer",
            "service_unavailable",
            "rate_limited",
        }
        missing = sorted(required - set(value))
        if missing:
            raise ValueError(f"missing entries: {', '.join(missing)}")
        return value


@dataclass(frozen=True)
class KnowledgeBase:
    roles: Dict[str, Role]
    general: General
    conversation: Conversation
    alias_index: Dict[str, str] = field(default_factory=dict)

    def answer(self, topic: str, role_id: Optional[str]) -> Tuple[str, Answer]:
        """Return ``(answer_id, answer)`` for a role, or the general answer."""
        if role_id:
            return f"{role_id}.{topic}", self.roles[role_id].answers[topic]
        return f"general.{topic}", self.general.answers[topic]

    def role_for_alias(self, text: str) -> Optional[str]:
        return self.alias_index.get(normalize_alias(text))


def normalize_alias(text: str) -> str:
    """Lower-case, fold punctuation and white space, drop a possessive."""
    text = text.lower().replace("’", "'")
    text = re.sub(r"'s\b", "", text)
    text = re.sub(r"[^a-z0-9]+", " ", text)
    return text.strip()


def alias_variants(alias: str) -> List[str]:
    """An alias as typed plus its plural, e.g. ``cna`` -> ``cna``, ``cnas``."""
    base = normalize_alias(alias)
    variants = [base]
    if base and not base.endswith("s"):
        variants.append(base + "s")
    return variants


def _error(path: Path, exc: ValidationError, entry: str) -> KnowledgeBaseError:
    parts = []
    for err in exc.errors():
        location = ".".join(str(p) for p in err["loc"])
        parts.append(f"{location}: {err['msg']}")
    return KnowledgeBaseError(f"{path}: {entry}: " + "; ".join(parts))


def _read_yaml(path: Path) -> dict:
    try:
        with path.open(encoding="utf-8") as handle:
            data = yaml.safe_load(handle)
    except FileNotFoundError as exc:
        raise KnowledgeBaseError(f"{path}: file is missing") from exc
    except yaml.YAMLError as exc:
        raise KnowledgeBaseError(f"{path}: not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise KnowledgeBaseError(f"{path}: expected a mapping at the top level")
    return data


def _build_alias_index(roles: Dict[str, Role], files: Dict[str, Path]) -> Dict[str, str]:
    index: Dict[str, str] = {}
    for role in roles.values():
        names = [role.id.replace("_", " "), role.name, role.plural, *role.aliases]
        for name in names:
            for variant in alias_variants(name):
                owner = index.get(variant)
                if owner and owner != role.id:
                    raise KnowledgeBaseError(
                        f"{files[role.id]}: role {role.id}: field aliases: "
                        f"{name!r} is already an alias of {owner}"
                    )
                index[variant] = role.id
    return index


def load_knowledge_base(kb_dir: Path | str = DEFAULT_KB_DIR) -> KnowledgeBase:
    kb_dir = Path(kb_dir)
    roles: Dict[str, Role] = {}
    files: Dict[str, Path] = {}
    for path in sorted((kb_dir / "roles").glob("*.yml")):
        data = _read_yaml(path)
        entry = f"role {data.get('id', path.stem)}"
        try:
            role = Role(**data)
        except ValidationError as exc:
            raise _error(path, exc, entry) from exc
        if role.id != path.stem:
            raise KnowledgeBaseError(f"{path}: {entry}: field id: must match the file name {path.stem!r}")
        roles[role.id] = role
        files[role.id] = path
    missing = [r for r in ROLE_IDS if r not in roles]
    if missing:
        raise KnowledgeBaseError(f"{kb_dir / 'roles'}: missing role files: {', '.join(missing)}")

    general_path = kb_dir / "general.yml"
    try:
        general = General(**_read_yaml(general_path))
    except ValidationError as exc:
        raise _error(general_path, exc, "general answers") from exc

    conversation_path = kb_dir / "conversation.yml"
    try:
        conversation = Conversation(**_read_yaml(conversation_path))
    except ValidationError as exc:
        raise _error(conversation_path, exc, "conversation entries") from exc

    index = _build_alias_index(roles, files)
    return KnowledgeBase(roles=roles, general=general, conversation=conversation, alias_index=index)


def knowledge_base_dir() -> Path:
    return Path(os.environ.get("CAREPATH_KB_DIR") or DEFAULT_KB_DIR)


def get_knowledge_base() -> KnowledgeBase:
    """The process-wide knowledge base (``CAREPATH_KB_DIR`` or ``knowledge_base/``), loaded once."""
    return _cached_knowledge_base(str(knowledge_base_dir()))


@lru_cache(maxsize=4)
def _cached_knowledge_base(kb_dir: str) -> KnowledgeBase:
    return load_knowledge_base(kb_dir)
