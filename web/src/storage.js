// Session persistence: the session id and the rendered transcript, in
// localStorage, one entry per school (so two schools' pages on one origin keep
// separate conversations). Storage may be unavailable (privacy modes): then
// the conversation lasts as long as the page.
const VERSION = 1;
const MAX_ENTRIES = 200;

/** A stored transcript entry with only the fields (and types) the widget writes. */
function clean(entry) {
  const buttons = Array.isArray(entry.buttons) ? entry.buttons : [];
  return {
    from: entry.from === "user" ? "user" : "bot",
    text: entry.text,
    sources: Array.isArray(entry.sources) ? entry.sources : [],
    buttons: buttons.filter((b) => b && typeof b.title === "string" && typeof b.payload === "string"),
  };
}

export class Store {
  constructor(schoolId) {
    this.key = `carepath.chat.v${VERSION}.${schoolId || "general"}`;
  }

  load() {
    try {
      const data = JSON.parse(window.localStorage.getItem(this.key) || "null");
      if (data && typeof data === "object" && Array.isArray(data.transcript)) {
        return {
          sessionId: typeof data.sessionId === "string" ? data.sessionId : null,
          transcript: data.transcript.filter((entry) => entry && typeof entry.text === "string").map(clean),
        };
      }
    } catch (error) {
      // unreadable or blocked storage: start afresh
    }
    return { sessionId: null, transcript: [] };
  }

  save(sessionId, transcript) {
    try {
      window.localStorage.setItem(
        this.key,
        JSON.stringify({ sessionId, transcript: transcript.slice(-MAX_ENTRIES) }),
      );
    } catch (error) {
      // storage full or blocked: keep going without persistence
    }
  }
}

/** A random session id for the REST channel's sender (hex, 128 bits). */
export function newSessionId() {
  const bytes = new Uint8Array(16);
  window.crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}
