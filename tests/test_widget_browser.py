"""The chat widget in a real headless Chromium (Debian's /usr/bin/chromium, driven by
Playwright), on the demo pages of the real web server, talking to the real Rasa
and action servers (started once for the module, on free ports).

The schools folder is a temporary copy whose only allowed origin is
http://127.0.0.1:<web port>; the same pages loaded from http://localhost:<web port>
are another origin, which the server must refuse.

Zoom: Chromium's page zoom shrinks the CSS viewport and raises devicePixelRatio
by the same factor (1280 px at 200% lays out in 640 CSS px, with media queries
seeing 640 px). A 640 x 360 viewport with deviceScaleFactor 2 reproduces that
exactly; CSS ``zoom`` on the page would not (media queries ignore it). 320 CSS px
is WCAG 1.4.10's reflow width (1280 px at 400%).
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from browser_support import (
    AXE,
    AXE_TAGS,
    CHROMIUM,
    CHROMIUM_ARGS,
    FOCUS_STYLE_JS,
    FOCUSED_JS,
    OVERFLOW_JS,
    ROOT,
    ROOT_JS,
    TRANSCRIPT_JS,
    TURN_DONE_JS,
    Relay,
    Stack,
    rgb,
)

from playwright.sync_api import Page, expect, sync_playwright
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

CERT_QUESTION = "what certifications do medical assistants need?"
TURN_TIMEOUT_MS = 20000


# ----------------------------------------------------------------------------- fixtures

@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    stack = Stack(tmp_path_factory.mktemp("widget"))
    try:
        stack.start()
        yield stack
    finally:
        stack.stop()


@pytest.fixture(scope="module")
def browser():
    assert Path(CHROMIUM).exists(), f"{CHROMIUM} is missing: apt-get install chromium (scripts/test_services.sh)"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def context_factory(browser):
    contexts = []

    def make(**options):
        context = browser.new_context(**options)
        context.set_default_timeout(10000)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(context_factory) -> Page:
    page = context_factory(viewport={"width": 1280, "height": 800}).new_page()
    page.dialogs = []
    page.on("dialog", lambda dialog: (page.dialogs.append(dialog.message), dialog.dismiss()))
    page.errors = []  # console errors (CSP violations, failed loads) and uncaught exceptions
    page.on("console", lambda message: message.type == "error" and page.errors.append(message.text))
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    return page


# ----------------------------------------------------------------------------- helpers

def load(page: Page, url: str) -> None:
    page.goto(url)
    expect(page.locator(".cp-launcher")).to_be_visible()


def open_widget(page: Page) -> None:
    page.locator(".cp-launcher").click()
    expect(page.locator(".cp-panel")).to_be_visible()
    expect(page.locator(".cp-input")).to_be_focused()
    settle(page)


def settle(page: Page) -> None:
    """Waits for the panel's opening animation (measurements during it see it half-faded)."""
    page.evaluate(
        f"() => Promise.all({ROOT_JS}.getAnimations().filter(a => a.effect && a.effect.getTiming().iterations"
        " !== Infinity).map(a => a.finished))"
    )


def bot_count(page: Page) -> int:
    return page.locator(".cp-bot").count()


def wait_turn(page: Page, before: int) -> None:
    page.wait_for_function(TURN_DONE_JS, arg=before, timeout=TURN_TIMEOUT_MS)


def ask(page: Page, text: str) -> list:
    """Types ``text``, sends it with Enter, waits for the whole turn; returns the turn's bot messages."""
    before = bot_count(page)
    page.locator(".cp-input").fill(text)
    page.locator(".cp-input").press("Enter")
    wait_turn(page, before)
    transcript = transcript_of(page)
    last_user = max(i for i, m in enumerate(transcript) if m["who"] == "user")
    return transcript[last_user + 1 :]


def transcript_of(page: Page) -> list:
    messages = page.evaluate(TRANSCRIPT_JS)
    for m in messages:  # drop the screen-reader prefix ("You: ", "Career guide: ")
        m["text"] = re.sub(r"^(You|Career guide): ", "", m["text"])
    return messages


def focused(page: Page) -> str:
    return page.evaluate(FOCUSED_JS)


def press_until(page: Page, key: str, target: str, limit: int = 40) -> None:
    for _ in range(limit):
        if focused(page).startswith(target):
            return
        page.keyboard.press(key)
    assert focused(page).startswith(target), f"{key} never reached {target}; focus is on {focused(page)}"


def assert_focus_visible(page: Page) -> None:
    style = page.evaluate(FOCUS_STYLE_JS)
    assert style["outline"] not in ("none", "") and style["width"] >= 2, style


def links_of(messages: list) -> list:
    return [link for m in messages for link in m["links"]]


def axe_violations(page: Page) -> list:
    result = page.evaluate(
        "async (tags) => { const r = await axe.run(document, {runOnly: {type: 'tag', values: tags}});"
        " return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,"
        " nodes: v.nodes.map(n => ({target: n.target, summary: n.failureSummary}))})); }",
        AXE_TAGS,
    )
    return result


# ----------------------------------------------------------------------------- tests

def test_answer_with_citation_links(stack, page):
    load(page, stack.origin + "/")
    open_widget(page)
    assert page.locator(".cp-launcher").get_attribute("aria-expanded") == "true"
    # Record whether the typing indicator shows while the answer is on its way.
    page.evaluate(
        f"""() => {{ window.__typingSeen = false; const status = {ROOT_JS}.querySelector('.cp-typing');
        new MutationObserver(() => {{ if (status.querySelector('.cp-dots')) window.__typingSeen = true; }})
          .observe(status, {{childList: true}}); }}"""
    )
    replies = ask(page, CERT_QUESTION)
    text = " ".join(m["text"] for m in replies)
    assert "CMA (AAMA)" in text and "certification" in text.lower(), text
    links = links_of(replies)
    assert links, f"no citation links under the answer: {replies}"
    for link in links:
        assert link["href"].startswith("https://"), link
        assert link["target"] == "_blank" and "noopener" in link["rel"].split(), link
    assert any("bls.gov" in link["href"] for link in links), links
    assert page.evaluate("window.__typingSeen") is True, "no typing indicator while waiting"
    assert page.locator(".cp-typing .cp-dots").count() == 0
    assert page.locator("#carepath-chat").get_attribute("data-state") == "ready"
    assert page.errors == [], page.errors


def test_keyboard_only(stack, page):
    load(page, stack.origin + "/")
    press_until(page, "Tab", "widget:cp-launcher")
    assert_focus_visible(page)
    page.keyboard.press("Enter")
    expect(page.locator(".cp-panel")).to_be_visible()
    assert focused(page) == "widget:cp-input", "focus did not move into the panel"
    assert page.locator(".cp-launcher").get_attribute("aria-expanded") == "true"
    assert_focus_visible(page)

    # No role known: the assistant asks which role, with quick-reply buttons.
    before = bot_count(page)
    page.keyboard.type("how much do they make?")
    page.keyboard.press("Enter")
    wait_turn(page, before)
    replies = page.locator(".cp-reply")
    assert replies.count() >= 2, transcript_of(page)

    # Tab forward from the top of the panel reaches the suggestions (before the input).
    press_until(page, "Shift+Tab", "widget:cp-close")
    press_until(page, "Tab", "widget:cp-reply")
    assert_focus_visible(page)
    title = page.evaluate(f"() => {ROOT_JS}.activeElement.textContent")
    before = bot_count(page)
    page.keyboard.press("Enter")
    wait_turn(page, before)
    transcript = transcript_of(page)
    users = [m for m in transcript if m["who"] == "user"]
    assert users[-1]["text"] == title, "the button's title is shown as the visitor's message"
    assert not any(m["text"].startswith("/") for m in users), "the payload is not shown"
    answer = transcript[transcript.index(users[-1]) + 1 :]
    assert links_of(answer), f"the chosen role's answer has no sources: {answer}"
    assert page.locator(".cp-reply").count() == 0, "used quick replies are removed"
    assert focused(page) == "widget:cp-input", "after choosing, focus returns to the input"

    page.keyboard.press("Escape")
    expect(page.locator(".cp-panel")).to_be_hidden()
    assert focused(page) == "widget:cp-launcher", "Escape returns focus to the launcher"
    assert page.locator(".cp-launcher").get_attribute("aria-expanded") == "false"

    # The close button, by keyboard.
    page.keyboard.press("Enter")
    expect(page.locator(".cp-panel")).to_be_visible()
    press_until(page, "Shift+Tab", "widget:cp-close")
    assert_focus_visible(page)
    page.keyboard.press("Enter")
    expect(page.locator(".cp-panel")).to_be_hidden()
    assert focused(page) == "widget:cp-launcher"

    # Open, then back on the host page: Escape hides the panel (it may cover the
    # focused element there) and leaves the focus on the page.
    page.keyboard.press("Enter")
    expect(page.locator(".cp-panel")).to_be_visible()
    page.locator("a").first.focus()
    page.keyboard.press("Escape")
    expect(page.locator(".cp-panel")).to_be_hidden()
    assert focused(page) == "page:a"


def test_roles_and_names(stack, page):
    """What assistive technology is told (Chromium's accessibility tree, through the shadow root)."""
    load(page, f"{stack.origin}/schools/example-tech/")
    launcher = page.get_by_role("button", name="Career questions? Chat with Example Tech Institute")
    expect(launcher).to_have_attribute("aria-expanded", "false")
    launcher.click()
    expect(launcher).to_have_attribute("aria-expanded", "true")
    expect(page.get_by_role("dialog", name="Example Tech Institute Healthcare career guide")).to_be_visible()
    log = page.get_by_role("log", name="Conversation")
    expect(log).to_have_attribute("aria-live", "polite")
    expect(page.get_by_role("textbox", name="Your question")).to_be_focused()
    expect(page.get_by_role("button", name="Send")).to_be_visible()
    expect(page.get_by_role("button", name="Close chat")).to_be_visible()
    expect(page.get_by_role("status")).to_have_count(1)
    replies = ask(page, CERT_QUESTION)
    link = page.get_by_role("link", name=re.compile(r"\(opens in a new tab\)$")).first
    expect(link).to_be_visible()
    assert replies[-1]["links"], replies


def test_reload_keeps_the_conversation(stack, page):
    load(page, stack.origin + "/")
    open_widget(page)
    ask(page, CERT_QUESTION)
    before = transcript_of(page)
    page.reload()
    expect(page.locator(".cp-launcher")).to_be_visible()
    open_widget(page)
    after = transcript_of(page)
    assert after == before, "the transcript differs after a reload"
    # The server's conversation continues too: "they" still means medical assistants.
    replies = ask(page, "how much do they make?")
    text = " ".join(m["text"] for m in replies)
    assert "medical assistants" in text.lower(), text


def test_the_transcript_stays_in_its_tab_unless_the_page_asks_for_local_storage(stack, context_factory):
    """sessionStorage by default: a name typed into the contact form is gone
    with the tab; data-storage="local" keeps the conversation across tabs."""
    context = context_factory()
    first = context.new_page()
    load(first, stack.origin + "/")
    open_widget(first)
    ask(first, CERT_QUESTION)
    second = context.new_page()
    load(second, stack.origin + "/")
    open_widget(second)
    assert CERT_QUESTION not in [m["text"] for m in transcript_of(second)]

    path = stack.add_page("embed/local.html", "<p>Local storage.</p>", 'data-storage="local" data-server="%s"' % stack.servers.url)
    third = context.new_page()
    load(third, stack.origin + path)
    open_widget(third)
    ask(third, "what do phlebotomists do?")
    fourth = context.new_page()
    load(fourth, stack.origin + path)
    open_widget(fourth)
    assert "what do phlebotomists do?" in [m["text"] for m in transcript_of(fourth)]


@pytest.mark.parametrize("school_id", ["example-tech", "riverbend-college"])
def test_school_page_has_the_school_theme(stack, page, school_id):
    school = stack.schools[school_id]
    theme = school["theme"]
    load(page, f"{stack.origin}/schools/{school_id}/")
    launcher = page.locator(".cp-launcher")
    assert launcher.evaluate("e => getComputedStyle(e).backgroundColor") == rgb(theme["primary"])
    assert launcher.evaluate("e => getComputedStyle(e).color") == rgb(theme["on_primary"])
    open_widget(page)
    assert page.locator(".cp-title").text_content() == school["name"]
    assert page.locator(".cp-header").evaluate("e => getComputedStyle(e).backgroundColor") == rgb(theme["primary"])
    assert page.locator(".cp-panel").evaluate("e => getComputedStyle(e).backgroundColor") == rgb(theme["background"])
    greeting = page.locator(".cp-bot").first
    assert " ".join(school["greeting"].split()) in greeting.text_content()
    assert greeting.evaluate("e => getComputedStyle(e).backgroundColor") == rgb(theme["bot_bubble"])
    logo = page.locator(".cp-logo")
    assert logo.get_attribute("src").endswith("/schools/assets/" + Path(theme["logo"]).name)
    page.wait_for_function(f"() => {ROOT_JS}.querySelector('.cp-logo').naturalWidth > 0")
    assert page.title().endswith(school["name"])
    assert page.errors == [], page.errors


def test_general_page_has_the_carepath_look(stack, page):
    general = json.loads((ROOT / "web" / "src" / "default-theme.json").read_text())
    load(page, stack.origin + "/")
    open_widget(page)
    assert page.locator(".cp-title").text_content() == "CarePath"
    assert page.locator(".cp-launcher").evaluate("e => getComputedStyle(e).backgroundColor") == rgb(
        general["theme"]["primary"]
    )
    assert page.locator(".cp-logo").count() == 0


def test_unknown_school_gets_the_general_look(stack, page):
    path = stack.add_page("embed/unknown-school.html", "<p>No such school.</p>", 'data-school="no-such-school"')
    general = json.loads((ROOT / "web" / "src" / "default-theme.json").read_text())
    load(page, stack.origin + path)
    assert page.locator(".cp-launcher").evaluate("e => getComputedStyle(e).backgroundColor") == rgb(
        general["theme"]["primary"]
    )
    open_widget(page)
    assert page.locator(".cp-title").text_content() == "CarePath"


def test_school_overlay_answer(stack, page):
    """The school's own program facts (the server's overlay for example-tech)."""
    program = stack.schools["example-tech"]["programs"]["medical_assistant"]
    load(page, f"{stack.origin}/schools/example-tech/")
    open_widget(page)
    replies = ask(page, "how long is the medical assistant program?")
    text = " ".join(m["text"] for m in replies)
    assert "Example Tech" in text, text
    assert program["length"] in text, text
    assert program["url"] in [link["href"] for link in links_of(replies)], links_of(replies)


@pytest.mark.parametrize("path", ["/", "/schools/example-tech/"])
def test_not_allowed_origin_is_refused(stack, page, path):
    load(page, stack.other_origin + path)
    open_widget(page)
    expect(page.locator("#carepath-chat")).to_have_attribute("data-state", "refused", timeout=10000)
    alert = page.locator(".cp-alert")
    expect(alert).to_be_visible()
    assert alert.get_attribute("role") == "alert"
    assert "isn't available on this website" in alert.text_content()
    before = bot_count(page)
    page.locator(".cp-input").fill(CERT_QUESTION)
    page.locator(".cp-input").press("Enter")
    page.wait_for_timeout(2500)
    assert bot_count(page) == before, "an answer arrived on a refused origin"
    assert page.locator(".cp-input").input_value() == CERT_QUESTION, "the unsent question stays in the box"
    page.locator(".cp-retry").click()
    expect(page.locator("#carepath-chat")).to_have_attribute("data-state", "refused", timeout=10000)


def test_html_in_a_message_is_shown_as_text(stack, page):
    attack = "<img src=x onerror=alert(1)>"
    load(page, stack.origin + "/")
    open_widget(page)
    ask(page, attack)
    users = [m for m in transcript_of(page) if m["who"] == "user"]
    assert users[-1]["text"] == attack
    page.wait_for_timeout(500)
    assert page.dialogs == [], f"a dialog fired: {page.dialogs}"
    images = page.evaluate(f"() => document.querySelectorAll('img').length + {ROOT_JS}.querySelectorAll('img').length")
    assert images == 0, "an img element was created"
    # Reloaded from storage, it is still text.
    page.reload()
    open_widget(page)
    assert [m for m in transcript_of(page) if m["who"] == "user"][-1]["text"] == attack
    assert page.evaluate(f"() => {ROOT_JS}.querySelectorAll('img').length") == 0
    assert page.dialogs == []


@pytest.mark.parametrize("path", ["/", "/schools/example-tech/", "/schools/riverbend-college/"])
def test_axe_finds_no_violations(stack, context_factory, path):
    context = context_factory(viewport={"width": 1280, "height": 800})
    context.add_init_script(path=str(AXE))  # init scripts are not subject to the page's CSP
    page = context.new_page()
    load(page, stack.origin + path)
    closed = axe_violations(page)
    open_widget(page)
    ask(page, CERT_QUESTION)
    assert page.locator(".cp-sources a").count() > 0
    opened = axe_violations(page)
    # With quick replies on screen too (a fresh conversation, no role known).
    page.evaluate("() => { sessionStorage.clear(); localStorage.clear(); }")
    page.reload()
    open_widget(page)
    ask(page, "how much do they make?")
    assert page.locator(".cp-reply").count() > 0
    with_buttons = axe_violations(page)
    assert (closed, opened, with_buttons) == ([], [], []), json.dumps(
        {"closed": closed, "open": opened, "quick replies": with_buttons}, indent=1
    )


@pytest.mark.parametrize(
    "viewport, scale",
    [({"width": 320, "height": 568}, 1), ({"width": 640, "height": 360}, 2)],
    ids=["320px", "200%-zoom"],
)
@pytest.mark.parametrize("path", ["/", "/schools/example-tech/"])
def test_reflow_without_horizontal_scrolling(stack, context_factory, viewport, scale, path):
    page = context_factory(viewport=viewport, device_scale_factor=scale).new_page()
    load(page, stack.origin + path)
    page_box = page.evaluate("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert page_box[0] <= page_box[1], f"the demo page scrolls sideways: {page_box}"
    open_widget(page)
    ask(page, CERT_QUESTION)
    m = page.evaluate(OVERFLOW_JS)
    assert m["innerWidth"] == viewport["width"] and m["dpr"] == scale, m
    assert m["docScroll"] <= m["docClient"], f"horizontal scroll: {m}"
    assert m["logScroll"] <= m["logClient"], f"the conversation scrolls sideways: {m}"
    assert m["outside"] == [], f"elements outside the viewport: {m}"
    for part in ("panel", "input", "send", "close"):
        box = m[part]
        assert box["left"] >= 0 and box["right"] <= m["innerWidth"] + 0.5, (part, m)
        assert box["top"] >= 0 and box["bottom"] <= m["innerHeight"] + 0.5, (part, m)


def test_rest_transport(stack, page):
    path = stack.add_page("embed/rest.html", "<p>REST widget.</p>", 'data-transport="rest"')
    load(page, stack.origin + path)
    requests_seen = []
    page.on("request", lambda request: requests_seen.append(request.url))
    open_widget(page)
    replies = ask(page, CERT_QUESTION)
    assert "CMA (AAMA)" in " ".join(m["text"] for m in replies)
    assert links_of(replies)
    assert any(url.endswith("/webhooks/rest/webhook") for url in requests_seen), requests_seen
    assert not any("/socket.io" in url for url in requests_seen), requests_seen
    # Reload: same sender, so the conversation goes on.
    page.reload()
    open_widget(page)
    replies = ask(page, "how much do they make?")
    assert "medical assistants" in " ".join(m["text"] for m in replies).lower()


def test_server_unreachable_then_retry(stack, context_factory):
    # The demo server's Content-Security-Policy lets pages connect only to its Rasa URL;
    # this page names another server (the relay), as a school's own page would.
    page = context_factory(bypass_csp=True).new_page()
    relay = Relay(stack.servers.rasa_port)  # nothing listens on relay.port yet
    path = stack.add_page(
        "embed/relay.html", "<p>Widget through a relay.</p>", f'data-server="http://127.0.0.1:{relay.port}"'
    )
    try:
        load(page, stack.origin + path)
        open_widget(page)
        expect(page.locator("#carepath-chat")).to_have_attribute("data-state", "unreachable", timeout=15000)
        alert = page.locator(".cp-alert")
        expect(alert).to_be_visible()
        assert "can't reach" in alert.text_content()
        before = bot_count(page)
        page.locator(".cp-input").fill(CERT_QUESTION)
        page.locator(".cp-input").press("Enter")
        page.wait_for_timeout(500)
        assert bot_count(page) == before and page.locator(".cp-input").input_value() == CERT_QUESTION
        page.locator(".cp-retry").click()  # still nothing there: the widget stays in the unreachable state
        expect(page.locator("#carepath-chat")).to_have_attribute("data-state", "unreachable", timeout=15000)
        relay.on()
        try:  # socket.io also reconnects by itself, so the button may be gone before it is clicked
            page.locator(".cp-retry").click(timeout=3000)
        except PlaywrightTimeoutError:
            pass
        expect(page.locator("#carepath-chat")).to_have_attribute("data-state", "ready", timeout=15000)
        expect(alert).to_be_hidden()
        replies = ask(page, CERT_QUESTION)
        assert links_of(replies)
    finally:
        relay.off()


def test_reduced_motion_is_respected(stack, context_factory):
    names = {}
    for motion in ("no-preference", "reduce"):
        page = context_factory(reduced_motion=motion).new_page()
        load(page, stack.origin + "/")
        open_widget(page)
        names[motion] = page.locator(".cp-panel").evaluate("e => getComputedStyle(e).animationName")
    assert names == {"no-preference": "cp-rise", "reduce": "none"}


def test_host_page_styles_do_not_break_the_widget(stack, context_factory):
    page = context_factory(bypass_csp=True).new_page()
    load(page, f"{stack.origin}/schools/example-tech/")
    page.add_style_tag(
        content="* { color: #ff0000 !important; font-size: 40px !important; } "
        "div { display: none !important; } button { background: #00ff00 !important; }"
    )
    launcher = page.locator(".cp-launcher")
    expect(launcher).to_be_visible()
    theme = stack.schools["example-tech"]["theme"]
    assert launcher.evaluate("e => getComputedStyle(e).backgroundColor") == rgb(theme["primary"])
    assert launcher.evaluate("e => getComputedStyle(e).fontSize") == "16px"
    open_widget(page)
    replies = ask(page, CERT_QUESTION)
    assert links_of(replies)


# ----------------------------------------------------------------------------- no browser

def luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


# The colour pairs styles.css draws text with (foreground variable, background variable).
WIDGET_PAIRS = {("on-primary", "primary"), ("text", "background"), ("text", "bot-bubble"), ("primary", "background")}


def themes():
    general = json.loads((ROOT / "web" / "src" / "default-theme.json").read_text())
    found = {"general": general["theme"]}
    for path in sorted((ROOT / "schools").glob("*.yml")):
        found[path.stem] = yaml.safe_load(path.read_text())["theme"]
    return found


@pytest.mark.parametrize("name", sorted(themes()))
def test_theme_contrast(name):
    theme = {k.replace("_", "-"): v for k, v in themes()[name].items() if k != "logo"}
    ratios = {f"{fg} on {bg}": round(contrast(theme[fg], theme[bg]), 2) for fg, bg in WIDGET_PAIRS}
    print(name, ratios)
    assert all(r >= 4.5 for r in ratios.values()), ratios


def test_stylesheet_uses_only_checked_colour_pairs():
    """Every rule of styles.css that sets a text colour and a background from the
    theme uses one of the pairs whose contrast test_theme_contrast checks."""
    css = (ROOT / "web" / "src" / "styles.css").read_text()
    pairs = set()
    for selector, body in re.findall(r"([^{}]+)\{([^{}]*)\}", css):
        colour = re.search(r"(?<![-\w])color:\s*var\(--cp-([\w-]+)\)", body)
        background = re.search(r"background(?:-color)?:\s*var\(--cp-([\w-]+)\)", body)
        if colour and background:
            pairs.add((colour.group(1), background.group(1), selector.strip()))
    assert pairs, "no colour pairs found: the check is broken"
    bad = [p for p in pairs if p[:2] not in WIDGET_PAIRS]
    assert not bad, bad


def test_web_server_fills_in_the_rasa_url_only_in_widget_tags():
    from carepath.web_server import public_url, with_server

    page = '<script src="/widget.js" data-school="x" defer></script><script src="/other.js"></script>'
    filled = with_server(page, "https://rasa.example")
    assert filled.count('data-server="https://rasa.example"') == 1
    assert '<script src="/other.js">' in filled
    explicit = '<script src="/widget.js" data-server="http://elsewhere:1"></script>'
    assert with_server(explicit, "https://rasa.example") == explicit
    assert with_server(page, "") == page
    assert with_server(page, 'https://a.example/"><img') .count("<img") == 0
    with pytest.raises(ValueError):
        public_url("javascript:alert(1)")
    assert public_url(None) == "http://localhost:5005"
