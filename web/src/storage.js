// Session persistence: the session id and the rendered transcript, one entry
// per school (so two schools' pages on one origin keep separate conversations).
// By default in sessionStorage: the conversation survives reloads and moves
// between the site's pages in the tab, and is gone when the tab closes, so a
// name or email typed into the contact form does not stay on a shared computer.
// data-storage="local" keeps it in localStorage instead (across tabs and
// restarts). Storage may be unavailable (privacy modes): then the conversation
// lasts as long as the page.
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

function area(kind) {
  try {
    return kind === "local" ? window.localStorage : window.sessionStorage;
  } catch (error) {
    return null; // blocked
  }
}

export class Store {
  constructor(schoolId, kind = "session") {
    this.key = `carepath.chat.v${VERSION}.${schoolId || "general"}`;
    this.area = area(kind);
  }

  load() {
    try {
      const data = JSON.parse(this.area.getItem(this.key) || "null");
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
      this.area.setItem(
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
