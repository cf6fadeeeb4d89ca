// CarePath chat widget: one tag embeds it.
//   <script src="https://HOST/widget.js" data-school="example-tech" defer></script>
// Optional: data-server="https://rasa.example" (default: the origin widget.js
// came from), data-transport="rest" (default socket.io).
//
// Every piece of message data is put into the page as text (Text nodes,
// textContent, attribute values checked to be http(s) URLs): never as HTML.
import css from "./styles.css";
import { findScript, readSettings } from "./settings.js";
import { COLOURS, loadLook } from "./theme.js";
import { Store } from "./storage.js";
import { createTransport } from "./transports.js";

const TYPING_TIMEOUT_MS = 30000;
const SVG = "http://www.w3.org/2000/svg";
const ICONS = {
  chat: "M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2zm3 6.5a1.5 1.5 0 1 0 0 .01zm5 0a1.5 1.5 0 1 0 0 .01zm5 0a1.5 1.5 0 1 0 0 .01z",
  close: "M5.3 5.3a1 1 0 0 1 1.4 0L12 10.6l5.3-5.3a1 1 0 1 1 1.4 1.4L13.4 12l5.3 5.3a1 1 0 0 1-1.4 1.4L12 13.4l-5.3 5.3a1 1 0 0 1-1.4-1.4l5.3-5.3-5.3-5.3a1 1 0 0 1 0-1.4z",
};
const ALERTS = {
  unreachable: "We can't reach the career guide right now. Check your connection; we'll keep trying.",
  refused: "The career guide isn't available on this website, so messages can't be sent.",
};

/** An element with attributes and children; strings become Text nodes. */
function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === false || value === null || value === undefined) continue;
    element.setAttribute(name, value === true ? "" : String(value));
  }
  element.append(...children.filter((child) => child !== null && child !== undefined));
  return element;
}

function icon(name) {
  const svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("focusable", "false");
  const path = document.createElementNS(SVG, "path");
  path.setAttribute("d", ICONS[name]);
  path.setAttribute("fill", "currentColor");
  svg.append(path);
  return svg;
}

/** The payload's sources that are real http(s) links. */
function readSources(custom) {
  const sources = custom && Array.isArray(custom.sources) ? custom.sources : [];
  const links = [];
  for (const source of sources) {
    if (!source || typeof source.title !== "string" || typeof source.url !== "string") continue;
    try {
      const url = new URL(source.url);
      if (url.protocol === "https:" || url.protocol === "http:") links.push({ title: source.title, url: url.href });
    } catch (error) {
      // not a URL: left out
    }
  }
  return links.slice(0, 10);
}

function styleSheet(root) {
  if (typeof CSSStyleSheet === "function" && "adoptedStyleSheets" in Document.prototype) {
    try {
      const sheet = new CSSStyleSheet();
      sheet.replaceSync(css);
      root.adoptedStyleSheets = [sheet];
      return;
    } catch (error) {
      // fall back to a <style> element
    }
  }
  root.append(h("style", {}, css));
}

class ChatWidget {
  constructor(settings, look) {
    this.settings = settings;
    this.look = look;
    this.store = new Store(settings.schoolId, settings.storage);
    const saved = this.store.load();
    this.sessionId = saved.sessionId;
    this.transcript = saved.transcript;
    this.pending = [];
    this.state = "idle";
    this.failed = null;
    this.typingTimer = null;
    this.repliesNode = null;
    this.nodes = new Map();
    this.transport = createTransport(settings, this.sessionId, {
      status: (state) => this.setState(state),
      session: (id) => {
        this.sessionId = id;
        this.save();
      },
      message: (message) => this.receive(message),
      turnEnd: () => this.typing(false),
      failed: (text) => this.undeliverable(text),
    });
  }

  mount() {
    const host = h("div", { id: "carepath-chat", "data-carepath-widget": "", "data-state": this.state });
    const shadow = host.attachShadow({ mode: "open" });
    styleSheet(shadow);
    this.host = host;

    const { name, theme, logo } = this.look;
    this.launcher = h(
      "button",
      { type: "button", class: "cp-launcher", "aria-expanded": "false", "aria-controls": "cp-panel" },
      icon("chat"),
      h("span", { class: "cp-launcher-label" }, "Career questions?"),
      h("span", { class: "cp-sr" }, ` Chat with ${name}`),
    );
    this.closeButton = h("button", { type: "button", class: "cp-close", "aria-label": "Close chat" }, icon("close"));
    this.alertText = h("p", { class: "cp-alert-text" });
    this.retryButton = h("button", { type: "button", class: "cp-retry" }, "Try again");
    this.alert = h("div", { class: "cp-alert", role: "alert", hidden: true }, this.alertText, this.retryButton);
    this.log = h("div", {
      class: "cp-log",
      role: "log",
      "aria-live": "polite",
      "aria-label": "Conversation",
      tabindex: "0",
    });
    this.status = h("div", { class: "cp-typing", role: "status" });
    this.input = h("input", {
      id: "cp-input",
      class: "cp-input",
      type: "text",
      autocomplete: "off",
      enterkeyhint: "send",
      placeholder: "Ask about a healthcare career",
    });
    this.form = h(
      "form",
      { class: "cp-form", novalidate: true },
      h("label", { class: "cp-sr", for: "cp-input" }, "Your question"),
      this.input,
      h("button", { type: "submit", class: "cp-send" }, "Send"),
    );
    this.panel = h(
      "section",
      { id: "cp-panel", class: "cp-panel", role: "dialog", "aria-labelledby": "cp-title cp-subtitle", hidden: true },
      h(
        "div",
        { class: "cp-header cp-on-primary" },
        logo ? h("img", { class: "cp-logo", src: logo, alt: "", width: "36", height: "36" }) : null,
        h(
          "div",
          { class: "cp-titles" },
          h("h2", { id: "cp-title", class: "cp-title" }, name),
          h("p", { id: "cp-subtitle", class: "cp-subtitle" }, "Healthcare career guide"),
        ),
        this.closeButton,
      ),
      this.alert,
      this.log,
      this.status,
      this.form,
      h("p", { class: "cp-note" }, "Career information with sources, not medical advice."),
    );
    this.root = h("div", { class: "cp-root", lang: "en" }, this.panel, this.launcher);
    for (const key of COLOURS) this.root.style.setProperty(`--cp-${key.replace("_", "-")}`, theme[key]);
    shadow.append(this.root);

    this.launcher.addEventListener("click", () => (this.panel.hidden ? this.open() : this.close()));
    this.closeButton.addEventListener("click", () => this.close());
    this.retryButton.addEventListener("click", () => this.retry());
    this.panel.addEventListener("keydown", (event) => {
      if (event.key === "Escape") {
        event.stopPropagation();
        this.close();
      }
    });
    // Escape on the host page hides an open panel that may cover what has focus there
    // (WCAG 2.4.11), leaving the focus where it is.
    document.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && !this.panel.hidden && !event.defaultPrevented) this.close(false);
    });
    this.form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.submit(this.input.value, this.input.value, true);
    });

    this.render();
    document.body.append(host);
  }

  open() {
    this.panel.hidden = false;
    this.launcher.setAttribute("aria-expanded", "true");
    this.transport.start();
    this.scrollDown();
    this.input.focus();
  }

  close(returnFocus = true) {
    this.panel.hidden = true;
    this.launcher.setAttribute("aria-expanded", "false");
    if (returnFocus) this.launcher.focus();
  }

  setState(state) {
    const previous = this.state;
    this.state = state;
    this.host.setAttribute("data-state", state);
    if (state === "ready") {
      this.alert.hidden = true;
      this.flush();
    } else if (state === "unreachable" || state === "refused") {
      this.typing(false);
      if (previous !== state || this.alert.hidden) {
        this.alertText.textContent = ALERTS[state];
        this.alert.hidden = false;
      }
    }
  }

  /** Send ``message`` (a text or a button payload), showing ``shown`` as the visitor's words. */
  submit(message, shown, typed = false) {
    const text = message.trim();
    if (!text) return;
    if (this.state === "unreachable" || this.state === "refused") {
      // Not sent: the words stay in the box, and the alert is said again.
      this.alertText.textContent = ALERTS[this.state];
      this.alert.hidden = false;
      return;
    }
    this.clearReplies();
    this.add({ from: "user", text: shown.trim() || text });
    if (typed) this.input.value = "";
    this.typing(true);
    if (this.state === "ready" && this.pending.length === 0 && this.transport.send(text)) return;
    this.pending.push(text);
    this.transport.start();
  }

  flush() {
    while (this.pending.length && this.state === "ready") {
      if (!this.transport.send(this.pending[0])) break;
      this.pending.shift();
      this.typing(true);
    }
  }

  retry() {
    this.transport.retry();
    if (this.failed !== null) {
      const text = this.failed;
      this.failed = null;
      this.submit(text, text);
    }
    this.input.focus();
  }

  /** A REST message that did not get through: take it back, keep it for "Try again". */
  undeliverable(text) {
    this.typing(false);
    const last = this.transcript[this.transcript.length - 1];
    if (last && last.from === "user" && last.text === text) {
      this.transcript.pop();
      const node = this.nodes.get(last);
      if (node) node.remove();
      this.save();
    }
    this.failed = text;
  }

  receive(message) {
    if (message.text || (message.buttons && message.buttons.length)) {
      this.add({ from: "bot", text: message.text || "", buttons: message.buttons || [] });
    }
    if (message.custom) {
      const sources = readSources(message.custom);
      if (sources.length) {
        let last = this.transcript[this.transcript.length - 1];
        if (!last || last.from !== "bot") last = this.add({ from: "bot", text: "" });
        last.sources = (last.sources || []).concat(sources);
        this.nodes.get(last).append(this.sourceList(sources));
        this.save();
        this.scrollDown();
      }
      this.typing(false);
    }
  }

  add(entry) {
    this.transcript.push(entry);
    this.append(entry, true);
    this.save();
    return entry;
  }

  render() {
    this.log.replaceChildren();
    this.nodes.clear();
    this.log.append(this.bubble({ from: "bot", text: this.look.greeting }));
    this.transcript.forEach((entry, index) => this.append(entry, index === this.transcript.length - 1));
  }

  append(entry, last) {
    const node = this.bubble(entry);
    this.nodes.set(entry, node);
    this.log.append(node);
    if (entry.from === "bot" && last && entry.buttons && entry.buttons.length) this.showReplies(entry.buttons);
    this.scrollDown();
  }

  bubble(entry) {
    const mine = entry.from === "user";
    const node = h(
      "div",
      { class: `cp-msg ${mine ? "cp-user" : "cp-bot"}` },
      h("span", { class: "cp-sr" }, mine ? "You: " : "Career guide: "),
      entry.text,
    );
    // Sources read back from storage are checked again like the server's.
    const sources = readSources(entry);
    if (sources.length) node.append(this.sourceList(sources));
    return node;
  }

  sourceList(sources) {
    return h(
      "ul",
      { class: "cp-sources", "aria-label": "Source links" },
      ...sources.map((source) =>
        h(
          "li",
          {},
          h(
            "a",
            { href: source.url, target: "_blank", rel: "noopener noreferrer" },
            source.title,
            h("span", { class: "cp-sr" }, " (opens in a new tab)"),
          ),
        ),
      ),
    );
  }

  showReplies(buttons) {
    this.clearReplies();
    this.repliesNode = h(
      "div",
      { class: "cp-replies", role: "group", "aria-label": "Suggested replies" },
      ...buttons.map((button) => {
        const element = h("button", { type: "button", class: "cp-reply" }, button.title);
        element.addEventListener("click", () => {
          this.submit(button.payload, button.title);
          this.input.focus();
        });
        return element;
      }),
    );
    this.log.append(this.repliesNode);
  }

  clearReplies() {
    if (this.repliesNode) this.repliesNode.remove();
    this.repliesNode = null;
    const last = this.transcript[this.transcript.length - 1];
    if (last && last.buttons && last.buttons.length) {
      last.buttons = [];
      this.save();
    }
  }

  typing(on) {
    clearTimeout(this.typingTimer);
    if (!on) {
      this.status.replaceChildren();
      return;
    }
    this.status.replaceChildren(
      h("span", { class: "cp-dots", "aria-hidden": "true" }, h("i"), h("i"), h("i")),
      h("span", { class: "cp-sr" }, "The career guide is typing"),
    );
    this.typingTimer = setTimeout(() => this.typing(false), TYPING_TIMEOUT_MS);
  }

  scrollDown() {
    this.log.scrollTop = this.log.scrollHeight;
  }

  save() {
    this.store.save(this.sessionId, this.transcript);
  }
}

async function main() {
  const script = findScript();
  if (!script || document.querySelector("[data-carepath-widget]")) return;
  const settings = readSettings(script);
  const look = await loadLook(settings);
  if (document.readyState === "loading") {
    await new Promise((resolve) => document.addEventListener("DOMContentLoaded", resolve, { once: true }));
  }
  if (document.querySelector("[data-carepath-widget]")) return;
  new ChatWidget(settings, look).mount();
}

main();
