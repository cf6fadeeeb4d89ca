"""The spaCy pipeline built from the knowledge base finds roles by alias."""
import pytest
import spacy

from carepath.spacy_pipeline import build, role_patterns


@pytest.fixture(scope="module")
def nlp(kb):
    return build(kb)


@pytest.mark.parametrize(
    "text,span,role",
    [
        ("how much do CNAs make", "CNAs", "nursing_assistant"),
        ("is a medial assistant the same as a nurse", "medial assistant", "medical_assistant"),
        ("what does a Phlebotomist do", "Phlebotomist", "phlebotomy_technician"),
        ("front-desk hours?", "front-desk", "medical_receptionist"),
        ("an MA's day", "MA", "medical_assistant"),
        ("nurse's aide training", "nurse's aide", "nursing_assistant"),
        ("medical billing and coding specialist jobs", "medical billing and coding specialist", "medical_biller_coder"),
        ("PT aides", "PT aides", "rehabilitation_aide"),
    ],
)
def test_aliases_plurals_and_misspellings(nlp, text, span, role):
    ents = [(e.text, e.ent_id_) for e in nlp(text).ents]
    assert (span, role) in ents


@pytest.mark.parametrize("text", ["should i become a nurse", "physician assistant school", "my doctor said"])
def test_non_roles_are_not_tagged(nlp, text):
    assert list(nlp(text).ents) == []


def test_every_alias_becomes_a_pattern(kb):
    patterns = {p["pattern"]: p["id"] for p in role_patterns(kb)}
    for role in kb.roles.values():
        for alias in role.aliases:
            assert patterns[alias.lower()] == role.id


def test_saved_pipeline_loads_by_path(kb, tmp_path):
    build(kb).to_disk(tmp_path / "carepath_en")
    loaded = spacy.load(tmp_path / "carepath_en")
    assert [e.ent_id_ for e in loaded("are CNAs in demand").ents] == ["nursing_assistant"]
