"""`make report` and `make purge` on a real SQLite tracker store."""
from __future__ import annotations

import asyncio
import time
from datetime import datetime, timedelta, timezone

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered

from carepath import leads
from carepath import purge as purge_cli
from carepath import report as report_cli
from carepath.conversations import engine, purge
from carepath.tracker_store import CachedSQLTrackerStore
from rasa_cli import ROOT

NOW = time.time()
DAY = 86400


def payload(topic, role=None, answer_id=None):
    return {"topic": topic, "role": role, "sources": [], "answer_id": answer_id, "school": None}


@pytest.fixture(autouse=True)
def leads_db(tmp_path, monkeypatch):
    """Leads in a database of the test's own, one recent and one old for example-tech."""
    url = f"sqlite:///{tmp_path / 'carepath.db'}"
    monkeypatch.setenv("CAREPATH_DB_URL", url)
    lead = leads.Lead("example-tech", "Ana", "ana@example.com", None, "medical_assistant", "mornings", "yes", "b")
    leads.save(lead, now=datetime.utcfromtimestamp(NOW - DAY))
    leads.save(lead, now=datetime.utcfromtimestamp(NOW - 100 * DAY))
    leads.save(leads.Lead("other-school", "Bo", None, "+15551234567", "undecided", "any", "yes", "c"),
               now=datetime.utcfromtimestamp(NOW - DAY))
    return url


def conversation(store, sender, school, turns, when):
    tracker = asyncio.run(store.get_or_create_tracker(sender, append_action_listen=False))
    for i, (text, intent, custom) in enumerate(turns):
        t = when + i
        tracker.update(UserUttered(text, {"name": intent, "confidence": 1.0}, metadata={"school_id": school}, timestamp=t))
        tracker.update(ActionExecuted("action_answer", timestamp=t))
        tracker.update(BotUttered("answer", data={"custom": custom}, timestamp=t))
        tracker.update(ActionExecuted("action_listen", timestamp=t))
    asyncio.run(store.save(tracker))


@pytest.fixture
def db_url(tmp_path):
    path = tmp_path / "trackers.db"
    store = CachedSQLTrackerStore(domain=Domain.load(str(ROOT / "domain.yml")), dialect="sqlite", db=str(path))
    conversation(store, "a", "example-tech", [
        ("how much do CNAs make", "ask_pay", payload("pay", "nursing_assistant")),
        ("and MAs?", "inform_role", payload("pay", "medical_assistant")),
        ("MA vs CNA", "ask_comparison", payload("comparison", ["medical_assistant", "nursing_assistant"])),
    ], NOW - 2 * DAY)
    conversation(store, "b", "example-tech", [
        ("asdf qwer", "nlu_fallback", payload("fallback")),
        ("asdf qwer", "nlu_fallback", payload("fallback")),
        ("write to me at jane@example.com", "nlu_fallback", payload("fallback")),
        ("can someone call me", "handoff", payload("handoff", answer_id="conversation.handoff")),
        ("Jane", "nlu_fallback", payload("handoff", answer_id="conversation.lead_ask_contact")),  # the form's turn
        ("i want to end my life", "crisis", payload("crisis")),
    ], NOW - DAY)
    conversation(store, "c", "other-school", [("hi", "greet", payload("greet"))], NOW - DAY)
    conversation(store, "old", "example-tech", [("hello", "greet", payload("greet"))], NOW - 100 * DAY)
    return f"sqlite:///{path}"


def window(days=30):
    end = datetime.now(timezone.utc) + timedelta(days=1)
    return end - timedelta(days=days), end


def test_school_report_counts(db_url):
    report = report_cli.build("example-tech", *window(), url=db_url)
    assert len(report.conversations) == 2 and report.messages == 9
    assert report.topics["pay"] == 2 and report.topics["fallback"] == 3
    assert report.roles == {"nursing_assistant": 2, "medical_assistant": 2}
    assert report.handoffs == 1 and report.crisis == 1
    assert report.leads == 1  # the 100-day-old lead is outside the window
    assert report.unanswered.most_common(1) == [("asdf qwer", 2)]
    assert report.rate("fallback") == pytest.approx(3 / 9)


def test_markdown_has_no_crisis_text_or_personal_data(db_url):
    markdown = report_cli.markdown(report_cli.build("example-tech", *window(), url=db_url), *window())
    assert "end my life" not in markdown and "jane@example.com" not in markdown
    assert "[email]" in markdown and "Crisis responses (988 lifeline shown): 1" in markdown
    assert "Leads (contact requests with consent): 1" in markdown and "ana@example.com" not in markdown


def test_all_schools_and_date_range(db_url):
    assert len(report_cli.build(None, *window(), url=db_url).conversations) == 3
    assert len(report_cli.build(None, *window(200), url=db_url).conversations) == 4
    assert report_cli.build("other-school", *window(), url=db_url).messages == 1


def test_report_command_writes_csv(db_url, capsys):
    assert report_cli.main(["--school", "example-tech", "--csv", "--db", db_url]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "school,metric,key,value"
    assert "example-tech,conversations,,2" in out
    assert "example-tech,leads,,1" in out


def test_purge_deletes_only_old_conversations_and_leads(db_url, capsys):
    assert purge_cli.main(["--days", "90", "--db", db_url]) == 0
    assert "purged 1 conversations" in capsys.readouterr().out
    assert [(r["school_id"], r["name"]) for r in leads.query()] == [("example-tech", "Ana"), ("other-school", "Bo")]
    with engine(db_url).connect() as connection:
        senders = {row[0] for row in connection.exec_driver_sql("select distinct sender_id from events")}
    assert senders == {"a", "b", "c"}
    removed = purge(engine(db_url), NOW + 1)  # everything is older than "now + 1 s"
    assert removed["conversations"] == 3 and removed["events"] > 0
    with engine(db_url).connect() as connection:
        assert connection.exec_driver_sql("select count(*) from events").scalar() == 0
