"""The compiled action-response validator accepts and rejects what Rasa's does."""
import pytest
from jsonschema import ValidationError, validate
from rasa.core.actions.action import RemoteAction

import carepath.rasa_patches  # noqa: F401

GOOD = {"events": [{"event": "slot", "name": "role", "value": "medical_assistant"}], "responses": [{"text": "hi"}]}
BAD = [{"events": "not a list"}, {"responses": [1, 2]}, {"events": [{"no_event_key": 1}]}]


def test_valid_response_passes():
    action = RemoteAction("action_answer", None)
    assert action._validate_action_result(GOOD) is True
    validate(GOOD, RemoteAction.action_response_format_spec())


@pytest.mark.parametrize("response", BAD)
def test_invalid_responses_are_rejected_like_rasa_does(response):
    with pytest.raises(ValidationError):
        validate(response, RemoteAction.action_response_format_spec())
    with pytest.raises(ValidationError, match="Failed to validate Action server response"):
        RemoteAction("action_answer", None)._validate_action_result(response)


def test_event_types_resolve_as_before():
    from rasa.shared.core.events import ActionExecuted, Event, SlotSet, UserUttered

    from carepath.rasa_patches import _original_resolve_by_type

    for name, cls in (("user", UserUttered), ("slot", SlotSet), ("action", ActionExecuted)):
        assert Event.resolve_by_type(name) is cls is _original_resolve_by_type(name)
    assert Event.resolve_by_type("topic") is None
    assert Event.resolve_by_type("no_such_event", default=SlotSet) is SlotSet
    with pytest.raises(ValueError):
        Event.resolve_by_type("no_such_event")
