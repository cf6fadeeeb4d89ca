"""Rasa NLU graph components of CarePath (referenced from ``config.yml``).

``RoleEntityExtractor`` finds roles with the ``entity_ruler`` that
``carepath.spacy_pipeline`` builds from the knowledge base's aliases, and gives
each the canonical role id as its value.  ``TextSanitizer`` runs first: it strips HTML and control characters and caps the
text that NLU looks at.  ``SafetyOverride`` runs last, after the classifier and
the ``FallbackClassifier``: a message with crisis language becomes ``crisis``
whatever the classifier thought, and unreadable input (empty, emoji-only,
over-long) becomes ``nlu_fallback`` so that the fallback action can explain.
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.nlu.utils.spacy_utils import SpacyModel
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from carepath import failures  # noqa: F401  (apology when the action server or database fails)
from carepath import log_privacy
from carepath import rasa_patches  # noqa: F401  (speed fixes for Rasa 3.6)
from carepath import text_guard
from carepath.safety import crisis_signal

log_privacy.install()  # no e-mail addresses or phone numbers in the Rasa server's logs

RAW_TEXT = "carepath_raw_text"
# Parse-data key telling the fallback action what was wrong with the input
# (the text in parse data is the masked copy, not what the user typed).
INPUT_PROBLEM = "input_problem"
CRISIS_INTENT = "crisis"
FALLBACK_INTENT = "nlu_fallback"


class _Stateless(GraphComponent):
    def __init__(self, config: Dict[Text, Any]) -> None:
        self._config = config

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> GraphComponent:
        return cls(config)


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=False)
class TextSanitizer(_Stateless):
    """Masks markup in the text NLU sees (same offsets); caps its length.

    The tracker keeps what the user typed.
    """

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data  # training data is curated; offsets must not move

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            raw = message.get(TEXT)
            if raw is None or message.get(RAW_TEXT) is not None:
                continue
            message.set(RAW_TEXT, raw)
            message.set(TEXT, text_guard.mask_markup(raw[: text_guard.NLU_TEXT_LIMIT]))
        return messages


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class SafetyOverride(_Stateless):
    """Crisis language wins over every other intent; unreadable input falls back."""

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            raw: Optional[str] = message.get(RAW_TEXT)
            if raw is None:
                raw = message.get(TEXT) or ""
            if crisis_signal(raw):
                self._force(message, CRISIS_INTENT)
                continue
            problem = text_guard.classify(raw)
            if problem != text_guard.OK:
                self._force(message, FALLBACK_INTENT)
                message.set(INPUT_PROBLEM, problem, add_to_output=True)
        return messages

    @staticmethod
    def _force(message: Message, intent_name: str) -> None:
        intent = {"name": intent_name, "confidence": 1.0}
        ranking = [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get("name") != intent_name]
        message.set(INTENT, intent, add_to_output=True)
        message.set(INTENT_RANKING_KEY, [intent, *ranking], add_to_output=True)


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False, model_from="SpacyNLP"
)
class RoleEntityExtractor(_Stateless, EntityExtractorMixin):
    """Role entities from the knowledge-base ``entity_ruler``; value = role id.

    Rasa's own ``SpacyEntityExtractor`` would find the same spans, but keeps the
    surface text as value and is left out of ``rasa test nlu`` as "pretrained".
    """

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"entity": "role"}

    def process(self, messages: List[Message], model: SpacyModel) -> List[Message]:
        label = self._config.get("entity", "role")
        for message in messages:
            text = message.get(TEXT)
            if not text:
                continue
            doc = model.model(text)
            found = [
                {
                    "entity": label,
                    "value": ent.ent_id_ or ent.text,
                    "start": ent.start_char,
                    "end": ent.end_char,
                    "confidence": 1.0,
                }
                for ent in doc.ents
                if ent.label_ == label
            ]
            if found:
                message.set(
                    ENTITIES, message.get(ENTITIES, []) + self.add_extractor_name(found), add_to_output=True
                )
        return messages
