"""Property-based fuzzing of the REST endpoint (hypothesis) against real servers.

Whatever arrives (wrong types, missing fields, invalid UTF-8, control
characters, 100 KB of text, markup, SQL-looking text), the server answers
without a 5xx within 2 s, and every well-formed message gets a reply that ends
with the payload.
"""
from __future__ import annotations

import json

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from carepath.servers import NO_RATE_LIMIT, running
from rasa_cli import require_model

MAX_SECONDS = 2.0

nasty_text = st.one_of(
    st.text(max_size=300),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=50),
    st.sampled_from([
        "", " ", "\n\t", "\x00\x01\x02", "😀" * 40, "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>", "'; DROP TABLE events; --", "\" OR 1=1 --",
        "how much do CNAs make?" * 50, "a" * 100_000, "/inform_role{\"role\": 5}", "/ask_pay{",
        "%s%s%n", "{{7*7}}", "../../etc/passwd", "\u202e\u200b\ufeff",
    ]),
)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3),
    max_leaves=6,
)
well_formed = st.fixed_dictionaries({"sender": st.text(min_size=1, max_size=40).filter(str.strip), "message": nasty_text})
malformed = st.one_of(
    st.dictionaries(st.sampled_from(["sender", "message", "metadata", "x"]), json_values, max_size=4),
    json_values,
)
raw_bytes = st.binary(max_size=200)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    require_model()
    with running(tmp_path_factory.mktemp("fuzz"), env=NO_RATE_LIMIT) as servers:
        yield servers


def post(server, data: bytes) -> requests.Response:
    response = requests.post(
        server.url + "/webhooks/rest/webhook", data=data, headers={"Content-Type": "application/json"}, timeout=10
    )
    assert response.status_code < 500, (data[:200], response.status_code, response.text[:300])
    assert response.elapsed.total_seconds() < MAX_SECONDS, (data[:200], response.elapsed)
    return response


COUNTS = {"well_formed": 0, "malformed": 0, "bytes": 0}


@settings(max_examples=600, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(body=well_formed)
def test_every_well_formed_message_gets_an_answer_with_payload(server, body):
    COUNTS["well_formed"] += 1
    response = post(server, json.dumps(body).encode())
    assert response.status_code == 200
    replies = response.json()
    assert replies and "custom" in replies[-1], (body["message"][:100], replies)
    assert {"topic", "role", "sources", "answer_id", "school"} <= set(replies[-1]["custom"])


@settings(max_examples=300, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(body=malformed)
def test_malformed_json_never_crashes(server, body):
    COUNTS["malformed"] += 1
    post(server, json.dumps(body).encode())


@settings(max_examples=150, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(data=raw_bytes)
def test_arbitrary_bytes_never_crash(server, data):
    COUNTS["bytes"] += 1
    post(server, data)


def test_server_still_answers_after_fuzzing(server, capsys):
    response = post(server, json.dumps({"sender": "after-fuzz", "message": "how much do CNAs make?"}).encode())
    assert response.json()[-1]["custom"]["role"] == "nursing_assistant"
    with capsys.disabled():
        print(f"\nfuzzed REST inputs: {sum(COUNTS.values())} {COUNTS}")
    assert sum(COUNTS.values()) >= 1000
