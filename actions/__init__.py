"""CarePath custom actions (``rasa run actions``).

The knowledge base, the deployment settings and the school files are validated on import, so a
broken file stops the action server at start with the file and field named.
"""
import logging

from carepath import log_privacy as _log_privacy
from carepath import settings as _settings
from carepath.knowledge_base import KnowledgeBaseError, get_knowledge_base
from carepath.schools import all_schools

_log_privacy.install()  # no e-mail addresses or phone numbers in the action server's logs

try:
    get_knowledge_base()
    _settings.advisor()
    _settings.general_origins()
    all_schools()  # SchoolConfigError is a ValueError
except (KnowledgeBaseError, ValueError) as _exc:
    logging.getLogger(__name__).error("CarePath cannot start: %s", _exc)
    # rasa_sdk stops the action server (exit code 1) on an ImportError
    raise ImportError(f"CarePath cannot start: {_exc}") from _exc
