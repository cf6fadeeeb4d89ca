"""CachedSQLTrackerStore on a real SQLite database."""
from __future__ import annotations

import asyncio
import sqlite3

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from carepath.tracker_store import CachedSQLTrackerStore
from rasa_cli import ROOT


@pytest.fixture(scope="module")
def domain():
    return Domain.load(str(ROOT / "domain.yml"))


def store(domain, path):
    return CachedSQLTrackerStore(domain=domain, dialect="sqlite", db=str(path))


def turn(tracker, text, role):
    tracker.update(UserUttered(text, {"name": "ask_pay", "confidence": 1.0}))
    tracker.update(ActionExecuted("action_answer"))
    tracker.update(SlotSet("role", role))
    tracker.update(ActionExecuted("action_listen"))


def rows(path, sender):
    with sqlite3.connect(path) as db:
        return db.execute("select type_name from events where sender_id=? order by id", (sender,)).fetchall()


def run(coro):
    return asyncio.run(coro)


def started(tracker_store, sender, text, role):
    """A new conversation with one turn, saved."""
    tracker = run(tracker_store.get_or_create_tracker(sender))
    turn(tracker, text, role)
    run(tracker_store.save(tracker))
    return tracker


def test_saved_conversations_survive_a_new_instance(domain, tmp_path):
    db = tmp_path / "t.db"
    first = store(domain, db)
    tracker = started(first, "u1", "how much do CNAs make", "nursing_assistant")
    turn(tracker, "and MAs?", "medical_assistant")
    run(first.save(tracker))
    assert len(rows(db, "u1")) == len(tracker.events)  # each event stored exactly once

    restarted = store(domain, db)
    again = run(restarted.retrieve("u1"))
    assert [e.as_dict()["event"] for e in again.events] == [e.as_dict()["event"] for e in tracker.events]
    assert again.get_slot("role") == "medical_assistant"


def test_cached_tracker_is_reused_without_deserialising(domain, tmp_path, monkeypatch):
    s = store(domain, tmp_path / "t.db")
    tracker = started(s, "u2", "hi", "phlebotomy_technician")
    loads = []
    original = DialogueStateTracker.from_dict
    monkeypatch.setattr(DialogueStateTracker, "from_dict", lambda *a, **k: loads.append(1) or original(*a, **k))
    for _ in range(3):
        assert run(s.retrieve("u2")) is tracker
    assert loads == []


def test_write_by_another_instance_is_seen(domain, tmp_path):
    db = tmp_path / "t.db"
    a, b = store(domain, db), store(domain, db)
    tracker_a = started(a, "u3", "hello", "medical_assistant")
    tracker_b = run(b.retrieve("u3"))
    turn(tracker_b, "and CNAs?", "nursing_assistant")
    run(b.save(tracker_b))
    fresh = run(a.retrieve("u3"))
    assert fresh is not tracker_a
    assert fresh.get_slot("role") == "nursing_assistant"
    assert len(fresh.events) == len(tracker_b.events) == len(rows(db, "u3"))


def test_a_turn_that_failed_before_saving_is_not_kept(domain, tmp_path):
    db = tmp_path / "t.db"
    s = store(domain, db)
    tracker = started(s, "u4", "hello", "medical_assistant")
    saved = len(tracker.events)
    turn(tracker, "this turn crashed", "nursing_assistant")  # changed, never saved
    reloaded = run(s.retrieve("u4"))
    assert reloaded is not tracker
    assert len(reloaded.events) == saved
    assert reloaded.get_slot("role") == "medical_assistant"


def test_cache_is_bounded(domain, tmp_path):
    s = CachedSQLTrackerStore(domain=domain, dialect="sqlite", db=str(tmp_path / "t.db"), cache_size=2)
    for sender in ("a", "b", "c"):
        tracker = started(s, sender, "hi", "medical_assistant")
    assert list(s._cache) == ["b", "c"]
    assert run(s.retrieve("a")).get_slot("role") == "medical_assistant"


def test_history_in_memory_is_bounded_but_every_event_is_stored(domain, tmp_path):
    db = tmp_path / "t.db"
    s = CachedSQLTrackerStore(domain=domain, dialect="sqlite", db=str(db), max_event_history=12)
    tracker = run(s.get_or_create_tracker("long"))
    for i in range(30):
        tracker = run(s.retrieve("long"))
        turn(tracker, f"question {i}", "medical_assistant" if i % 2 else "nursing_assistant")
        run(s.save(tracker))
    assert len(tracker.events) == 12
    assert tracker.get_slot("role") == "medical_assistant"
    assert len(rows(db, "long")) == 1 + 30 * 4  # the first action_listen, then 4 events a turn
    reloaded = run(store(domain, db).retrieve("long"))
    assert reloaded.get_slot("role") == "medical_assistant"


def test_rows_match_what_rasa_writes(domain, tmp_path):
    """Same columns as Rasa's own SQLTrackerStore, so Rasa (and reports) can read them."""
    from rasa.core.tracker_store import SQLTrackerStore

    db = tmp_path / "t.db"
    s = store(domain, db)
    tracker = started(s, "cols", "how much do CNAs make", "nursing_assistant")
    with sqlite3.connect(db) as conn:
        stored = conn.execute("select type_name, intent_name, action_name from events where sender_id='cols' order by id").fetchall()
    assert ("user", "ask_pay", None) in stored and ("action", None, "action_answer") in stored
    plain = run(SQLTrackerStore(domain=domain, dialect="sqlite", db=str(db)).retrieve("cols"))
    assert plain.get_slot("role") == "nursing_assistant"
    assert len(plain.events) == len(tracker.events)


def test_a_turn_is_stored_even_if_its_conversation_left_the_cache(domain, tmp_path):
    db = tmp_path / "t.db"
    s = CachedSQLTrackerStore(domain=domain, dialect="sqlite", db=str(db), cache_size=1, max_event_history=12)
    tracker = started(s, "evicted", "hello", "medical_assistant")
    for i in range(5):
        tracker = run(s.retrieve("evicted"))
        turn(tracker, f"q{i}", "nursing_assistant")
        started(s, f"other-{i}", "hi", "medical_assistant")  # pushes "evicted" out of the cache
        run(s.save(tracker))
    assert len(rows(db, "evicted")) == 1 + 6 * 4


def test_unsaved_events_filling_the_whole_history_are_all_stored(domain, tmp_path):
    db = tmp_path / "t.db"
    s = CachedSQLTrackerStore(domain=domain, dialect="sqlite", db=str(db), max_event_history=12)
    tracker = started(s, "long-turn", "hello", "medical_assistant")
    for i in range(3):  # 12 new events: the last saved event has just left the bounded history
        turn(tracker, f"q{i}", "nursing_assistant")
    run(s.save(tracker))
    assert len(rows(db, "long-turn")) == 1 + 4 * 4


def test_a_new_conversation_made_through_rasas_fail_safe_store_is_bounded(domain, tmp_path):
    """Rasa wraps the store in FailSafeTrackerStore, which made new conversations
    with an unbounded history; cached, they then grew every turn (turn 100 cost
    3.4x turn 1 in `make bench`)."""
    from rasa.core.tracker_store import FailSafeTrackerStore

    import carepath.failures  # noqa: F401 - the patch under test

    inner = store(domain, tmp_path / "t.db")
    failsafe = FailSafeTrackerStore(inner)
    tracker = run(failsafe.get_or_create_tracker("new-visitor"))
    assert tracker._max_event_history == inner.history_limit == 40
    for i in range(30):
        turn(tracker, f"message {i}", "cna")
        run(failsafe.save(tracker))
        tracker = run(failsafe.get_or_create_tracker("new-visitor"))
    assert len(tracker.events) <= 40
    assert len(rows(tmp_path / "t.db", "new-visitor")) >= 120  # every event is stored all the same


def test_an_unbounded_tracker_saved_by_others_is_cached_bounded(domain, tmp_path):
    inner = store(domain, tmp_path / "t.db")
    unbounded = DialogueStateTracker("elsewhere", domain.slots)  # no history bound
    for i in range(30):
        turn(unbounded, f"message {i}", "cna")
    run(inner.save(unbounded))
    turn(unbounded, "one more", "cna")
    run(inner.save(unbounded))  # saved again after a turn, as Rasa does with the tracker it made
    again = run(inner.retrieve("elsewhere"))
    assert again._max_event_history == 40 and len(again.events) <= 40
    assert again.get_slot("role") == "cna"
