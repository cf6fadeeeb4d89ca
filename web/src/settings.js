// Reads the embedding <script> tag: data-school, data-server, data-transport, data-storage.
const SCHOOL_ID = /^[a-z0-9]+(-[a-z0-9]+)*$/;

/** The <script> element that loaded the widget. */
export function findScript() {
  const current = document.currentScript;
  if (current && current.src) return current;
  for (const script of document.querySelectorAll("script[src]")) {
    if (/\/widget(\.min)?\.js([?#]|$)/.test(script.src)) return script;
  }
  return null;
}

function httpUrl(value, base) {
  try {
    const url = new URL(value, base);
    return /^https?:$/.test(url.protocol) ? url : null;
  } catch (error) {
    return null;
  }
}

/**
 * schoolId: a valid school id or null (the general assistant);
 * assets: the folder widget.js came from (schools/<id>.json and logos are there);
 * server: the Rasa server's base URL, default the origin widget.js came from;
 * transport: "socketio" (default) or "rest";
 * storage: "session" (default: the tab's sessionStorage) or "local" (localStorage).
 */
export function readSettings(script) {
  const src = httpUrl(script.src, document.baseURI) || new URL(document.baseURI);
  const school = (script.getAttribute("data-school") || "").trim().toLowerCase();
  const serverAttribute = (script.getAttribute("data-server") || "").trim();
  const server = (serverAttribute && httpUrl(serverAttribute, src)) || new URL(src.origin);
  const transport = (script.getAttribute("data-transport") || "").trim().toLowerCase();
  const storage = (script.getAttribute("data-storage") || "").trim().toLowerCase();
  return {
    schoolId: SCHOOL_ID.test(school) && school.length <= 64 ? school : null,
    assets: new URL("./", src),
    serverOrigin: server.origin,
    serverPath: server.pathname.replace(/\/+$/, ""),
    transport: transport === "rest" ? "rest" : "socketio",
    storage: storage === "local" ? "local" : "session",
  };
}
