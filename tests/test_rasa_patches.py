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


def _every_event_type():
    """One serialised example of each event Rasa knows (as action servers send them)."""
    from rasa.shared.core import events as e

    return [event.as_dict() for event in [
        e.UserUttered("hi", {"name": "greet", "confidence": 1.0}), e.BotUttered("hello", {"buttons": []}),
        e.SlotSet("role", "cna"), e.Restarted(), e.AllSlotsReset(), e.ReminderScheduled("greet", __import__("datetime").datetime.now()),
        e.ReminderCancelled(), e.ActionReverted(), e.UserUtteranceReverted(), e.ActionExecuted("action_answer"),
        e.ActiveLoop("lead_form"), e.ActiveLoop(None), e.LoopInterrupted(True), e.ActionExecutionRejected("lead_form"),
        e.SessionStarted(), e.FollowupAction("action_listen"), e.ConversationPaused(), e.ConversationResumed(),
        e.StoryExported(), e.AgentUttered("x"), e.EntitiesAdded([{"entity": "role", "value": "cna"}]),
        e.DefinePrevUserUtteredFeaturization(False),
    ]]


def _mutations(event):
    yield event
    for key in event:
        if key != "event":
            for value in (None, 1, "x", [], {}, True):
                yield {**event, key: value}
    yield {key: value for key, value in event.items() if key != "event"}
    yield {**event, "event": "no_such_event"}


def test_one_schema_per_event_gives_the_full_schemas_verdict():
    from carepath.rasa_patches import _validator, is_valid_response

    cases = 0
    for event in _every_event_type():
        for variant in _mutations(event):
            for response in ({"events": [variant]}, {"events": [GOOD["events"][0], variant], "responses": [{"text": "a"}]}):
                assert is_valid_response(response) == _validator().is_valid(response), response
                cases += 1
    for response in BAD + [GOOD, {}, {"events": None}, {"events": [1]}, {"responses": "x"}]:
        assert is_valid_response(response) == _validator().is_valid(response), response
    assert cases > 500


def test_event_types_resolve_as_before():
    from rasa.shared.core.events import ActionExecuted, Event, SlotSet, UserUttered

    from carepath.rasa_patches import _original_resolve_by_type

    for name, cls in (("user", UserUttered), ("slot", SlotSet), ("action", ActionExecuted)):
        assert Event.resolve_by_type(name) is cls is _original_resolve_by_type(name)
    assert Event.resolve_by_type("topic") is None
    assert Event.resolve_by_type("no_such_event", default=SlotSet) is SlotSet
    with pytest.raises(ValueError):
        Event.resolve_by_type("no_such_event")


def test_endpoint_requests_reuse_one_session_and_survive_a_restart():
    """Two calls share one connection pool; a server restart between calls is fine."""
    import asyncio

    from aiohttp import web
    from rasa.utils.endpoints import EndpointConfig

    from carepath.servers import free_port

    async def scenario():
        port = free_port()
        peers = []

        async def handler(request):
            peers.append(request.transport.get_extra_info("peername"))
            return web.json_response({"ok": True})

        async def serve():
            app = web.Application()
            app.router.add_post("/webhook", handler)
            runner = web.AppRunner(app)
            await runner.setup()
            await web.TCPSite(runner, "127.0.0.1", port).start()
            return runner

        endpoint = EndpointConfig(f"http://127.0.0.1:{port}/webhook")
        runner = await serve()
        assert await endpoint.request(json={"a": 1}) == {"ok": True}
        assert await endpoint.request(json={"a": 2}) == {"ok": True}
        assert peers[0] == peers[1]  # same client port: the connection was kept
        await runner.cleanup()  # the action server restarts
        runner = await serve()
        assert await endpoint.request(json={"a": 3}) == {"ok": True}
        await runner.cleanup()

    asyncio.run(scenario())
