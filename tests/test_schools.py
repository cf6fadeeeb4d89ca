"""School files (schools/*.yml): validation, origins, the public widget config,
and the program overlay in answers, run with real Tracker/CollectingDispatcher."""
from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
import yaml

from actions.answer import ActionAnswer
from actions.conversation import ActionGreet
from actions.lead_form import AskLeadName
from carepath import schools
from carepath.overlay import program_overlay
from carepath.schools import SchoolConfigError, THEME_PAIRS, contrast_ratio, load_schools

ROOT = Path(__file__).resolve().parent.parent
answer = ActionAnswer()


@pytest.fixture
def school_dir(tmp_path):
    """A writable copy of the shipped schools folder."""
    target = tmp_path / "schools"
    shutil.copytree(ROOT / "schools", target)
    return target


def edit(directory: Path, school_id: str, change) -> None:
    path = directory / f"{school_id}.yml"
    data = yaml.safe_load(path.read_text())
    change(data)
    path.write_text(yaml.safe_dump(data))


def test_the_two_example_schools_load_and_differ():
    loaded = load_schools(ROOT / "schools")
    assert set(loaded) == {"example-tech", "riverbend-college"}
    tech, riverbend = loaded["example-tech"], loaded["riverbend-college"]
    assert tech.theme.primary != riverbend.theme.primary
    assert set(tech.programs) != set(riverbend.programs)
    assert tech.advisor.email != riverbend.advisor.email


@pytest.mark.parametrize("school_id", ["example-tech", "riverbend-college"])
def test_every_theme_pair_meets_wcag_aa_contrast(school_id):
    theme = load_schools(ROOT / "schools")[school_id].theme
    for fg, bg in THEME_PAIRS:
        assert contrast_ratio(getattr(theme, fg), getattr(theme, bg)) >= 4.5, (fg, bg)


def test_contrast_ratio_matches_wcag_reference_values():
    assert contrast_ratio("#000000", "#FFFFFF") == pytest.approx(21.0)
    assert contrast_ratio("#777777", "#FFFFFF") == pytest.approx(4.48, abs=0.01)  # the classic "just fails"


@pytest.mark.parametrize(
    "change,field",
    [
        (lambda d: d["theme"].update(on_primary="#8899AA"), "theme.bot_bubble"),  # low contrast on primary
        (lambda d: d.update(allowed_origins=["*"]), "allowed_origins"),
        (lambda d: d.update(allowed_origins=["https://school.example/enroll"]), "allowed_origins"),
        (lambda d: d["advisor"].update(email="not an email"), "advisor.email"),
        (lambda d: d["programs"].update(astronaut=d["programs"]["medical_assistant"]), "programs"),
        (lambda d: d["programs"]["medical_assistant"].update(schedule=["midnight"]), "programs.medical_assistant.schedule"),
        (lambda d: d.pop("greeting"), "greeting"),
        (lambda d: d["theme"].update(logo="assets/missing.svg"), "theme.logo"),
        (lambda d: d.update(colour="red"), "colour"),
    ],
)
def test_a_broken_school_file_fails_naming_file_and_field(school_dir, change, field):
    edit(school_dir, "example-tech", change)
    with pytest.raises(SchoolConfigError) as error:
        load_schools(school_dir)
    message = str(error.value)
    assert "example-tech.yml" in message and field in message


def test_invalid_yaml_and_bad_file_names_are_named(school_dir):
    (school_dir / "Bad_Name.yml").write_text((school_dir / "example-tech.yml").read_text())
    with pytest.raises(SchoolConfigError, match="Bad_Name.yml"):
        load_schools(school_dir)
    (school_dir / "Bad_Name.yml").unlink()
    (school_dir / "riverbend-college.yml").write_text("name: [unclosed")
    with pytest.raises(SchoolConfigError, match="riverbend-college.yml: not valid YAML"):
        load_schools(school_dir)


def test_schools_check_command_fails_fast(school_dir, monkeypatch, capsys):
    monkeypatch.setenv("CAREPATH_SCHOOLS_DIR", str(school_dir))
    assert schools.main(["check"]) == 0
    edit(school_dir, "riverbend-college", lambda d: d["theme"].update(primary="#FFFFFF"))
    assert schools.main(["check"]) == 1
    assert "riverbend-college.yml" in capsys.readouterr().err


def test_widget_config_is_public_only():
    config = load_schools(ROOT / "schools")["example-tech"].widget_config()
    assert set(config) == {"id", "name", "theme", "logo", "greeting", "advisor"}
    assert "allowed_origins" not in str(config) and "programs" not in config
    assert config["logo"] == "example-tech.svg"


def test_origins(monkeypatch):
    monkeypatch.delenv("CORS_ORIGINS", raising=False)
    assert schools.origin_allowed(None, "example-tech")  # not a browser: allowed
    assert schools.origin_allowed("https://www.example-tech.example", "example-tech")
    assert not schools.origin_allowed("https://www.example-tech.example", "riverbend-college")
    assert not schools.origin_allowed("https://www.example-tech.example", None)  # general page list
    assert schools.origin_allowed("http://localhost:8080", None)
    assert not schools.origin_allowed("https://evil.example", "example-tech")
    every = schools.allowed_origins()
    assert "https://www.riverbend-college.example" in every and "*" not in every


def test_overlay_marks_school_information_and_cites_the_program_page():
    tech = load_schools(ROOT / "schools")["example-tech"]
    overlay = program_overlay(tech, "medical_assistant", "program", today=dt.date(2026, 12, 1))
    assert overlay.text.startswith("Example Tech Institute (school information):")
    assert "9 months" in overlay.text and "evening" in overlay.text and "January 11, 2027" in overlay.text
    assert overlay.source["url"] == "https://www.example-tech.example/programs/medical-assistant"
    # start dates in the past are not offered
    later = program_overlay(tech, "medical_assistant", "program", today=dt.date(2027, 2, 1))
    assert "January 11" not in later.text and "March 8, 2027" in later.text
    assert program_overlay(tech, "nursing_assistant", "program") is None  # no such program
    assert program_overlay(tech, "medical_assistant", "pay") is None  # pay comes from the knowledge base only
    assert program_overlay(None, "medical_assistant", "program") is None


def test_school_visitor_gets_the_overlay_and_the_general_answer(convo_factory):
    convo = convo_factory("example-tech")
    convo.say(answer, "what training do medical assistants need?", "ask_education", ["medical assistants"])
    assert "At Example Tech Institute, the Medical Assistant Certificate takes 9 months" in convo.text
    assert "BLS" in convo.text  # the knowledge base's answer is still there
    urls = [s["url"] for s in convo.payload["sources"]]
    assert "https://www.example-tech.example/programs/medical-assistant" in urls
    assert any("bls.gov" in u for u in urls)
    assert convo.payload["school"] == "example-tech"
    assert "School information: Example Tech Institute: Medical Assistant Certificate" in convo.text
    assert {"event": "slot", "timestamp": None, "name": "school", "value": "example-tech"} in convo.events


def test_pay_on_a_school_page_is_the_knowledge_base_only(convo_factory, kb):
    convo = convo_factory("example-tech")
    convo.say(answer, "how much do medical assistants make?", "ask_pay", ["medical assistants"])
    assert convo.payload["answer_id"] == "medical_assistant.pay"
    assert "Example Tech" not in convo.text


def test_program_question_without_a_school_says_it_depends_on_the_school(convo_factory):
    convo = convo_factory(None)
    convo.say(answer, "how long is the medical assistant program?", "ask_program", ["medical assistant"])
    assert "depend on the school" in convo.text and "I don't have a particular school's details" in convo.text
    assert convo.payload["topic"] == "program" and convo.payload["school"] is None
    assert convo.payload["answer_id"] == "medical_assistant.education"


def test_program_question_for_a_role_the_school_does_not_teach(convo_factory):
    convo = convo_factory("example-tech")
    convo.say(answer, "how long is the CNA class?", "ask_program", ["CNA"])
    assert "Example Tech Institute doesn't list a program for nursing assistants" in convo.text
    assert convo.payload["answer_id"] == "nursing_assistant.education"


def test_program_question_without_a_role_offers_the_schools_programs(convo_factory):
    convo = convo_factory("riverbend-college")
    convo.say(answer, "how much is tuition?", "ask_program")
    titles = [b["payload"] for b in convo.messages[0]["buttons"]]
    assert titles == ['/inform_role{"role": "nursing_assistant"}', '/inform_role{"role": "clinical_support_technician"}']
    convo.say(answer, '/inform_role{"role": "nursing_assistant"}', "inform_role", ["nursing_assistant"])
    assert "Nurse Aide Training (CNA) takes 6 weeks" in convo.text and "$1,250" in convo.text


def test_unknown_school_gets_the_general_assistant_and_a_warning(convo_factory, caplog):
    convo = convo_factory("no-such-school")
    convo.say(ActionGreet(), "hi", "greet")
    assert convo.payload["school"] is None
    assert convo.payload["answer_id"] == "conversation.greet"
    assert "Unknown school_id 'no-such-school'" in caplog.text


def test_school_greeting_and_advisor(convo_factory):
    convo = convo_factory("riverbend-college")
    convo.say(ActionGreet(), "hello", "greet")
    assert "Riverbend's Health Careers guide" in convo.text
    convo.say(AskLeadName(), "can someone call me", "handoff")
    assert "(555) 010-0178" in convo.text and "healthcareers@riverbend-college.example" in convo.text
