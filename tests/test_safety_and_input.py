"""The crisis screen and the bad-input classifier."""
import pytest

from carepath import text_guard
from carepath.safety import crisis_signal

CRISIS = [
    "I want to kill myself",
    "honestly this job makes me want to die",
    "i've been thinking about suicide",
    "I keep cutting myself after shifts",
    "everyone would be better off without me",
    "I don't want to be alive anymore",
    "my coworker said she wants to kill herself",
    "I'm going to take all my pills tonight",
    "my boyfriend keeps hitting me and I'm not safe at home",
    "a patient's son threatened to kill me",
    "I'm thinking of ending my life",
    "what's the point, I just want to end it all",
    "I've been self-harming again",
]
NOT_CRISIS = [
    "this job is killing me lol, how do people cope",
    "night shifts are killing me",
    "I'd kill for a day off",
    "I'm dying to start my CNA classes",
    "how stressful is being a medical assistant?",
    "is phlebotomy hard on your feet",
    "my feet are dead after a double shift",
    "how do people deal with burnout in nursing homes",
]


@pytest.mark.parametrize("text", CRISIS)
def test_crisis_language_is_recognised(text):
    assert crisis_signal(text)


@pytest.mark.parametrize("text", NOT_CRISIS)
def test_ordinary_stress_is_not_a_crisis(text):
    assert crisis_signal(text) is None


@pytest.mark.parametrize(
    "text,kind",
    [
        ("", text_guard.EMPTY),
        ("   \n\t ", text_guard.EMPTY),
        (None, text_guard.EMPTY),
        ("😀😀🙏", text_guard.UNREADABLE),
        ("?!?! ...", text_guard.UNREADABLE),
        ("<img src=x onerror=alert(1)>", text_guard.UNREADABLE),
        ("x" * 10_000, text_guard.TOO_LONG),
        ("how much do CNAs make? 😀", text_guard.OK),
        ("<b>how much</b> do MAs make", text_guard.OK),
        ("¿cuánto gana un asistente médico?", text_guard.OK),
    ],
)
def test_bad_input_is_classified(text, kind):
    assert text_guard.classify(text) == kind


def test_clean_strips_markup_and_control_characters():
    assert text_guard.clean("<script>alert(1)</script>how long is\x00 CNA\tschool?") == "alert(1) how long is CNA school?"
    assert text_guard.clean("AT&amp;T &lt;3") == "AT&T <3"


def test_message_limit_is_configurable(monkeypatch):
    monkeypatch.setenv("CAREPATH_MAX_MESSAGE_CHARS", "100")
    assert text_guard.classify("a" * 101) == text_guard.TOO_LONG
    monkeypatch.setenv("CAREPATH_MAX_MESSAGE_CHARS", "not a number")
    assert text_guard.max_chars() == text_guard.DEFAULT_MAX_CHARS


def test_masking_markup_keeps_offsets():
    raw = "<b>how much do CNAs make</b>\x07"
    masked = text_guard.mask_markup(raw)
    assert len(masked) == len(raw)
    assert masked[raw.index("CNAs"):raw.index("CNAs") + 4] == "CNAs"
    assert "<" not in masked and "\x07" not in masked
