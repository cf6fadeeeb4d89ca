// The two ways to talk to Rasa: its socket.io channel (default) and its REST
// channel. Both report the same events to the widget:
//   status(state)  "connecting" | "ready" | "unreachable" | "refused"
//   session(id)    the conversation's id (store it to resume after a reload)
//   message(msg)   a bot message {text?, buttons?, custom?}; custom ends a turn
//   turnEnd()      the turn is over (REST: the reply arrived)
//   failed(text)   a message could not be delivered (REST)
import { io } from "socket.io-client";
import { newSessionId } from "./storage.js";

const MAX_BUTTONS = 12;

/** A Rasa bot message (socket.io bot_uttered or one REST reply) in the widget's shape. */
export function normalize(raw) {
  if (!raw || typeof raw !== "object") return null;
  const message = {};
  if (typeof raw.text === "string" && raw.text.trim()) message.text = raw.text;
  const buttons = Array.isArray(raw.quick_replies) ? raw.quick_replies : raw.buttons;
  if (Array.isArray(buttons)) {
    message.buttons = buttons
      .filter((b) => b && typeof b.title === "string" && typeof b.payload === "string" && b.title.trim())
      .slice(0, MAX_BUTTONS)
      .map((b) => ({ title: b.title, payload: b.payload }));
  }
  if (raw.custom && typeof raw.custom === "object" && !Array.isArray(raw.custom)) message.custom = raw.custom;
  return message.text || (message.buttons && message.buttons.length) || message.custom ? message : null;
}

function metadata(schoolId) {
  return schoolId ? { school_id: schoolId } : {};
}

export class SocketTransport {
  constructor({ serverOrigin, serverPath, schoolId, sessionId }, on) {
    this.url = serverOrigin;
    this.path = `${serverPath}/socket.io`;
    this.schoolId = schoolId;
    this.sessionId = sessionId;
    this.on = on;
    this.socket = null;
    this.confirmed = false;
  }

  start() {
    if (this.socket) return;
    this.on.status("connecting");
    const socket = io(this.url, {
      path: this.path,
      // WebSocket first (no CORS involved), long-polling if it is blocked.
      transports: ["websocket", "polling"],
      tryAllTransports: true,
      auth: this.schoolId ? { school_id: this.schoolId } : {},
      reconnectionDelay: 1000,
      reconnectionDelayMax: 10000,
      timeout: 10000,
      withCredentials: false,
    });
    this.socket = socket;
    socket.on("connect", () => {
      this.confirmed = false;
      socket.emit("session_request", { session_id: this.sessionId || null });
    });
    socket.on("session_confirm", (data) => {
      const id = typeof data === "string" ? data : data && data.session_id;
      if (typeof id === "string" && id) {
        this.sessionId = id;
        this.on.session(id);
      }
      this.confirmed = true;
      this.on.status("ready");
    });
    // A refusal by the server (origin not allowed) leaves the socket inactive;
    // a network failure keeps it active: socket.io retries with back-off.
    socket.on("connect_error", () => this.on.status(socket.active ? "unreachable" : "refused"));
    socket.on("disconnect", () => {
      this.confirmed = false;
      this.on.status(socket.active ? "connecting" : "unreachable");
    });
    socket.on("bot_uttered", (raw) => {
      const message = normalize(raw);
      if (message) this.on.message(message);
    });
  }

  /** Sends when the session is confirmed; false otherwise (nothing is sent). */
  send(text) {
    if (!this.socket || !this.socket.connected || !this.confirmed) return false;
    this.socket.emit("user_uttered", {
      message: text,
      session_id: this.sessionId,
      metadata: metadata(this.schoolId),
    });
    return true;
  }

  /** Try now: a new attempt at once, not at the next back-off step. */
  retry() {
    if (!this.socket) return this.start();
    if (!this.socket.connected) {
      this.on.status("connecting");
      this.socket.disconnect();
      this.socket.connect();
    }
  }
}

export class RestTransport {
  constructor({ serverOrigin, serverPath, schoolId, sessionId }, on) {
    this.url = `${serverOrigin}${serverPath}/webhooks/rest/webhook`;
    this.schoolId = schoolId;
    this.sessionId = sessionId;
    this.on = on;
    this.started = false;
    this.queue = Promise.resolve(); // one request at a time, in order
  }

  start() {
    if (this.started) return;
    this.started = true;
    if (!this.sessionId) {
      this.sessionId = newSessionId();
      this.on.session(this.sessionId);
    }
    this.on.status("ready");
  }

  send(text) {
    if (!this.started) return false;
    this.queue = this.queue.then(() => this.post(text));
    return true;
  }

  async post(text) {
    let response;
    let replies;
    try {
      response = await fetch(this.url, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        credentials: "omit",
        body: JSON.stringify({ sender: this.sessionId, message: text, metadata: metadata(this.schoolId) }),
      });
      replies = await response.json();
    } catch (error) {
      this.on.status("unreachable");
      this.on.failed(text);
      return;
    }
    if (response.status === 403) {
      this.on.status("refused");
      this.on.failed(text);
      return;
    }
    // 429 (rate limited) carries a polite reply and the payload, like a 200.
    if ((!response.ok && response.status !== 429) || !Array.isArray(replies)) {
      this.on.status("unreachable");
      this.on.failed(text);
      return;
    }
    this.on.status("ready");
    for (const raw of replies) {
      const message = normalize(raw);
      if (message) this.on.message(message);
    }
    // The REST reply is the whole turn, payload or not.
    this.on.turnEnd();
  }

  retry() {
    this.on.status("ready");
  }
}

export function createTransport(settings, sessionId, on) {
  const Transport = settings.transport === "rest" ? RestTransport : SocketTransport;
  return new Transport({ ...settings, sessionId }, on);
}
