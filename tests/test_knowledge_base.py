"""The knowledge base: schema, coverage, sources, one data vintage, aliases."""
from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
import yaml

from carepath.knowledge_base import (
    KNOWLEDGE_TOPICS,
    ROLE_IDS,
    KnowledgeBaseError,
    load_knowledge_base,
    normalize_alias,
)

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "reference"


def all_answers(kb):
    for role in kb.roles.values():
        for topic, answer in role.answers.items():
            yield f"{role.id}.{topic}", answer
    for topic, answer in kb.general.answers.items():
        yield f"general.{topic}", answer


def test_every_role_answers_every_topic(kb):
    assert sorted(kb.roles) == sorted(ROLE_IDS)
    for role in kb.roles.values():
        assert sorted(role.answers) == sorted(KNOWLEDGE_TOPICS), role.id
    assert sorted(kb.general.answers) == sorted(KNOWLEDGE_TOPICS)


def test_every_answer_is_sourced_and_dated(kb):
    count = 0
    for answer_id, answer in all_answers(kb):
        assert answer.sources, answer_id
        assert all(str(s.url).startswith("https://") or str(s.url).startswith("http://") for s in answer.sources)
        assert re.match(r"^\d{4}-\d{2}", answer.as_of), answer_id
        count += 1
    assert count == len(ROLE_IDS) * len(KNOWLEDGE_TOPICS) + len(KNOWLEDGE_TOPICS)


def test_answers_are_short_enough_for_a_chat(kb):
    for answer_id, answer in all_answers(kb):
        sentences = [s for s in re.split(r"(?<=[.!?])\s+(?=[A-Z\"(])", answer.text) if s.strip()]
        assert 2 <= len(sentences) <= 6, f"{answer_id}: {len(sentences)} sentences"


OTHER_VINTAGES = re.compile(r"May 20(19|2[0-35])|20(2[0-35])[-–](3[0-35])|2025[-–]35|2023[-–]33", re.I)


def test_one_data_vintage(kb):
    texts = [(i, a.text) for i, a in all_answers(kb)]
    texts += [(f"{r.id}.at_a_glance", r.at_a_glance.pay) for r in kb.roles.values()]
    for answer_id, text in texts:
        assert not OTHER_VINTAGES.search(text), f"{answer_id} quotes another data vintage: {text}"


@pytest.fixture(scope="module")
def reference_text():
    if not SHARED.exists():
        pytest.fail(f"the shared reference folder is missing: {SHARED}")
    fact_sheet = (SHARED / "healthcare-careers-facts.md").read_text(encoding="utf-8")
    bls = json.loads((SHARED / "bls-ooh-2024-healthcare.json").read_text(encoding="utf-8"))
    numbers = set()
    for record in bls:
        numbers.add(f"{record['salary']['annual']:,}")
        numbers.add(f"{record['salary']['hourly']:.2f}")
        numbers.add(f"{record['job_count']:,}")
    return fact_sheet, numbers


MONEY = re.compile(r"\$(\d{1,3}(?:,\d{3})+|\d+\.\d{2})")
COUNT = re.compile(r"(?<![\d$.,])(\d{1,3}(?:,\d{3})+)(?![\d,])")


def test_no_invented_figures(kb, reference_text):
    """Every dollar amount and every large count must appear in the reference data."""
    fact_sheet, bls_numbers = reference_text
    for answer_id, text in [(i, a.text) for i, a in all_answers(kb)] + [
        (f"{r.id}.at_a_glance", r.at_a_glance.pay) for r in kb.roles.values()
    ]:
        for figure in MONEY.findall(text) + COUNT.findall(text):
            assert figure in fact_sheet or figure in bls_numbers, f"{answer_id}: {figure} is not in the reference data"


def test_non_bls_roles_label_their_figures(kb):
    for role_id in ("patient_care_coordinator", "scheduling_coordinator", "clinical_support_technician",
                    "telehealth_support_specialist", "patient_advocate"):
        pay = kb.roles[role_id].answers["pay"].text
        if MONEY.search(pay):
            assert re.search(r"proxy|not .*(track|a BLS|separate)|does not (count|track)|no BLS|isn't a BLS|closest", pay, re.I), (
                f"{role_id}.pay quotes a figure without saying whose it is"
            )


def test_aliases_are_unique_across_roles(kb):
    seen = {}
    for role in kb.roles.values():
        for alias in role.aliases:
            key = normalize_alias(alias)
            assert seen.get(key, role.id) == role.id, f"{alias!r} belongs to {seen[key]} and {role.id}"
            seen[key] = role.id


def test_common_names_and_misspellings_resolve(kb):
    expected = {
        "MA": "medical_assistant", "CMA": "medical_assistant", "med assistant": "medical_assistant",
        "medial assistant": "medical_assistant", "CNA": "nursing_assistant", "nurse aide": "nursing_assistant",
        "nurse's aide": "nursing_assistant", "front desk": "medical_receptionist", "PCT": "clinical_support_technician",
        "phlebotomist": "phlebotomy_technician", "rehab aide": "rehabilitation_aide",
        "billing and coding": "medical_biller_coder", "medical office specialist": "healthcare_administrative_assistant",
        "patient navigator": "patient_advocate", "telehealth coordinator": "telehealth_support_specialist",
        "care coordinator": "patient_care_coordinator", "medical scheduler": "scheduling_coordinator",
    }
    for alias, role in expected.items():
        assert kb.role_for_alias(alias) == role, alias
    for not_a_role in ("nurse", "physician assistant", "doctor", "RN"):
        assert kb.role_for_alias(not_a_role) is None, not_a_role


def test_crisis_entry_has_the_lifeline_and_no_press_3(kb):
    crisis = kb.conversation.entries["crisis"]
    assert "988" in crisis.text and "988lifeline.org" in crisis.text and "911" in crisis.text
    assert not re.search(r"press\s*3", crisis.text, re.I)


@pytest.fixture
def kb_copy(tmp_path):
    target = tmp_path / "knowledge_base"
    shutil.copytree(ROOT / "knowledge_base", target)
    return target


def test_broken_role_file_names_file_role_and_field(kb_copy):
    path = kb_copy / "roles" / "phlebotomy_technician.yml"
    data = yaml.safe_load(path.read_text())
    del data["answers"]["pay"]["sources"]
    path.write_text(yaml.safe_dump(data))
    with pytest.raises(KnowledgeBaseError) as err:
        load_knowledge_base(kb_copy)
    message = str(err.value)
    assert "phlebotomy_technician.yml" in message
    assert "role phlebotomy_technician" in message
    assert "answers.pay.sources" in message


def test_missing_topic_is_reported(kb_copy):
    path = kb_copy / "roles" / "medical_assistant.yml"
    data = yaml.safe_load(path.read_text())
    del data["answers"]["stress"]
    path.write_text(yaml.safe_dump(data))
    with pytest.raises(KnowledgeBaseError, match=r"role medical_assistant: answers: missing answers for topics: stress"):
        load_knowledge_base(kb_copy)


def test_bad_date_is_reported(kb_copy):
    path = kb_copy / "roles" / "medical_assistant.yml"
    data = yaml.safe_load(path.read_text())
    data["answers"]["pay"]["as_of"] = "last year"
    path.write_text(yaml.safe_dump(data))
    with pytest.raises(KnowledgeBaseError, match=r"medical_assistant.yml: role medical_assistant: answers.pay.as_of"):
        load_knowledge_base(kb_copy)


def test_invalid_yaml_and_duplicate_alias_fail_fast(kb_copy):
    general = kb_copy / "general.yml"
    general.write_text("answers: [unclosed")
    with pytest.raises(KnowledgeBaseError, match="general.yml: not valid YAML"):
        load_knowledge_base(kb_copy)
    shutil.copy(ROOT / "knowledge_base" / "general.yml", general)
    path = kb_copy / "roles" / "phlebotomy_technician.yml"
    data = yaml.safe_load(path.read_text())
    data["aliases"].append("CNA")
    path.write_text(yaml.safe_dump(data))
    with pytest.raises(KnowledgeBaseError, match="aliases: 'CNA' is already an alias of nursing_assistant"):
        load_knowledge_base(kb_copy)


def test_action_server_refuses_to_start_with_a_broken_file(kb_copy):
    """The real `rasa run actions` exits at start, naming the file and field."""
    import os
    import subprocess
    import sys

    from carepath.servers import free_port

    path = kb_copy / "roles" / "nursing_assistant.yml"
    data = yaml.safe_load(path.read_text())
    data["answers"]["hours"]["as_of"] = "soon"
    path.write_text(yaml.safe_dump(data))
    env = dict(os.environ, CAREPATH_KB_DIR=str(kb_copy), PYTHONWARNINGS="ignore", TF_CPP_MIN_LOG_LEVEL="2")
    result = subprocess.run(
        [sys.executable, "-m", "rasa", "run", "actions", "--port", str(free_port())],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode != 0
    log = result.stdout + result.stderr
    assert "nursing_assistant.yml" in log and "answers.hours.as_of" in log, log[-2000:]
