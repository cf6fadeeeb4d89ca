"""Two Rasa instances sharing PostgreSQL (tracker store) and Redis (lock store).

make test starts both servers on loopback (scripts/test_services.sh).
"""
from __future__ import annotations

import asyncio
import json
import os
import random
import uuid
from collections import defaultdict

import aiohttp
import pytest
import sqlalchemy as sa

from carepath.servers import NO_RATE_LIMIT, Servers, free_port, stop
from rasa_cli import require_model

POSTGRES_URL = os.environ.get("CAREPATH_TEST_POSTGRES_URL", "postgresql://carepath:carepath@127.0.0.1:5432/carepath_test")
REDIS_URL = os.environ.get("CAREPATH_TEST_REDIS_URL", "redis://127.0.0.1:6379/2")
CONVERSATIONS, TURNS = 50, 20
SCRIPT = [
    "hi", "what does a medical assistant do?", "how long is the training?", "how much do they make?",
    "and for CNAs?", "do they work weekends?", "is it stressful?", "can a CNA become a nurse later?",
    "what certifications do phlebotomists need?", "what's the difference between an MA and a CNA?",
    "how do I get started in medical billing?", "is it in demand?", "what skills do I need?",
    "what about patient advocates?", "are you a bot?", "what is a telehealth support specialist",
    "how much do receptionists make?", "and rehab aides?", "can someone call me?", "thanks, bye",
]


@pytest.fixture(scope="module")
def database():
    engine = sa.create_engine(POSTGRES_URL)
    try:
        with engine.connect() as connection:
            connection.execute(sa.text("select 1"))
    except sa.exc.OperationalError as error:
        pytest.fail(f"PostgreSQL is not reachable at {POSTGRES_URL} (make test starts it: scripts/test_services.sh): {error}")
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def two_instances(tmp_path_factory, database):
    require_model()
    servers = Servers(tmp_path_factory.mktemp("scale"), tracker_db_url=POSTGRES_URL, redis_url=REDIS_URL, env=NO_RATE_LIMIT)
    second = None
    try:
        servers.start_actions()
        servers.start_rasa()
        second_port = free_port()
        second = servers.start_rasa_instance(second_port, "rasa2.log")
        yield [servers.webhook, f"http://127.0.0.1:{second_port}/webhooks/rest/webhook"]
    finally:
        stop(second)
        servers.stop()


async def converse(session, webhooks, sender, counts):
    for text in SCRIPT[:TURNS]:
        url = random.choice(webhooks)
        counts[url] += 1
        async with session.post(url, json={"sender": sender, "message": text}) as response:
            body = await response.json()
            if response.status != 200 or not body or "custom" not in body[-1]:
                raise AssertionError(f"{sender}: {text!r} -> {response.status} {body}")


def test_fifty_conversations_across_two_instances(two_instances, database, capsys):
    random.seed(7)
    run_id = uuid.uuid4().hex[:8]
    senders = [f"scale-{run_id}-{i}" for i in range(CONVERSATIONS)]
    counts = defaultdict(int)

    async def everyone():
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as session:
            return await asyncio.gather(
                *(converse(session, two_instances, s, counts) for s in senders), return_exceptions=True
            )

    results = asyncio.run(everyone())
    errors = [r for r in results if isinstance(r, BaseException)]
    assert not errors, errors[:3]
    assert all(n > 0 for n in counts.values()) and len(counts) == 2  # both instances served

    lost = 0
    with database.connect() as connection:
        for sender in senders:
            rows = connection.execute(
                sa.text("select type_name, data from events where sender_id = :s order by id"), {"s": sender}
            ).fetchall()
            user_texts, answered, pending = [], 0, False
            for type_name, data in rows:
                event = json.loads(data)
                if type_name == "user":
                    user_texts.append(event["text"])
                    pending = True
                elif type_name == "bot" and pending and (event.get("data") or {}).get("custom"):
                    answered += 1
                    pending = False
            lost += TURNS - len(user_texts)
            assert user_texts == SCRIPT[:TURNS], f"{sender}: stored {len(user_texts)} user messages, out of order or repeated"
            assert answered == TURNS, f"{sender}: {answered} of {TURNS} messages answered with a payload"
    with capsys.disabled():
        print(f"\nscale-out: {CONVERSATIONS * TURNS} messages over 2 instances {dict(counts)}, 0 errors, {lost} lost")


def _postgres(command: str) -> None:
    import subprocess
    from pathlib import Path

    version = sorted(Path("/usr/lib/postgresql").iterdir(), key=lambda p: float(p.name))[-1].name
    subprocess.run(["pg_ctlcluster", version, "main", command], check=True, capture_output=True, timeout=60)


def test_postgres_outage_gets_replies_and_recovers_without_restart(tmp_path, database, capsys):
    import subprocess
    import time

    import requests

    from rasa_cli import ROOT

    servers = Servers(tmp_path, tracker_db_url=POSTGRES_URL)
    sender = f"outage-{uuid.uuid4().hex[:8]}"

    def ask(message):
        response = requests.post(servers.webhook, json={"sender": sender, "message": message}, timeout=30)
        assert response.status_code == 200, response.text
        assert response.json() and "custom" in response.json()[-1], response.json()
        return response.json()[-1]["custom"]

    try:
        servers.start_actions()
        servers.start_rasa()
        assert ask("how much do phlebotomists make?")["topic"] == "pay"
        _postgres("stop")
        try:
            payload = ask("and for CNAs?")
            assert payload["answer_id"] == "conversation.service_unavailable"
        finally:
            subprocess.run([str(ROOT / "scripts" / "test_services.sh")], check=True, capture_output=True, timeout=120)
        back = time.perf_counter()
        payload = ask("and for CNAs?")
        assert (payload["topic"], payload["role"]) == ("pay", "nursing_assistant")  # context kept in PostgreSQL
        assert servers.rasa.poll() is None  # the same Rasa process
        with capsys.disabled():
            print(f"\nPostgreSQL back: first normal answer after {(time.perf_counter() - back) * 1000:.0f} ms")
    finally:
        servers.stop()


def test_rate_limit_is_shared_through_redis():
    """The window lives in Redis: two limiters (two instances) count together."""
    from carepath.rate_limit import RedisRateLimiter

    async def scenario():
        first, second = RedisRateLimiter(3, 60, REDIS_URL), RedisRateLimiter(3, 60, REDIS_URL)
        sender = "rate-" + uuid.uuid4().hex
        results = [await first.allow(sender), await second.allow(sender), await first.allow(sender)]
        results += [await second.allow(sender), await first.allow(sender)]
        other = await second.allow("rate-" + uuid.uuid4().hex)
        down = RedisRateLimiter(1, 60, "redis://127.0.0.1:1/0")  # nothing listens there
        fail_open = [await down.allow(sender), await down.allow(sender)]
        return results, other, fail_open

    results, other, fail_open = asyncio.run(scenario())
    assert results == [True, True, True, False, False]
    assert other is True
    assert fail_open == [True, True]  # Redis down: visitors are not refused


def test_two_instances_answer_429_together(tmp_path_factory, database):
    require_model()
    env = {"REDIS_URL": REDIS_URL, "CAREPATH_RATE_LIMIT": "4/60"}
    servers = Servers(tmp_path_factory.mktemp("rate"), tracker_db_url=POSTGRES_URL, redis_url=REDIS_URL, env=env)
    second = None
    try:
        servers.start_actions()
        servers.start_rasa()
        second_port = free_port()
        second = servers.start_rasa_instance(second_port, "rasa2.log")
        webhooks = [servers.webhook, f"http://127.0.0.1:{second_port}/webhooks/rest/webhook"]
        sender = "limit-" + uuid.uuid4().hex

        async def send_all():
            async with aiohttp.ClientSession() as session:
                statuses = []
                for i in range(6):
                    async with session.post(webhooks[i % 2], json={"sender": sender, "message": "hi"}) as reply:
                        statuses.append(reply.status)
                        body = await reply.json()
                async with session.post(webhooks[1], json={"sender": sender + "-other", "message": "hi"}) as reply:
                    other = reply.status
                return statuses, body, other

        statuses, last, other = asyncio.run(send_all())
        assert statuses == [200, 200, 200, 200, 429, 429]
        assert "wait" in last[0]["text"] and last[-1]["custom"]["answer_id"] == "conversation.rate_limited"
        assert other == 200
    finally:
        stop(second)
        servers.stop()
