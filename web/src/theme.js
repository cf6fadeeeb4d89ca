// The school's look: colours, logo, name and greeting from <assets>/schools/<id>.json
// (School.widget_config() on the server); the general CarePath look otherwise.
import GENERAL from "./default-theme.json";

const HEX = /^#[0-9a-fA-F]{6}$/;
const LOGO = /^[A-Za-z0-9._-]+\.(svg|png)$/;
export const COLOURS = ["primary", "on_primary", "background", "text", "bot_bubble"];
// The foreground/background pairs the stylesheet draws text (or links) with.
const PAIRS = [
  ["on_primary", "primary"],
  ["text", "background"],
  ["text", "bot_bubble"],
  ["primary", "background"],
];

function luminance(hex) {
  const [r, g, b] = [1, 3, 5].map((i) => {
    const c = parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

export function contrast(a, b) {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

function readable(theme) {
  return (
    !!theme &&
    COLOURS.every((key) => typeof theme[key] === "string" && HEX.test(theme[key])) &&
    PAIRS.every(([fg, bg]) => contrast(theme[fg], theme[bg]) >= 4.5)
  );
}

function text(value, max) {
  return typeof value === "string" && value.trim() && value.length <= max ? value.trim() : null;
}

export const general = () => ({
  schoolId: null,
  name: GENERAL.name,
  greeting: GENERAL.greeting,
  theme: { ...GENERAL.theme },
  logo: null,
});

/** The look for settings.schoolId; the general look when the school is unknown or its file unusable. */
export async function loadLook(settings, timeoutMs = 5000) {
  if (!settings.schoolId) return general();
  const controller = typeof AbortController === "function" ? new AbortController() : null;
  const timer = setTimeout(() => controller && controller.abort(), timeoutMs);
  try {
    const url = new URL(`schools/${settings.schoolId}.json`, settings.assets);
    const response = await fetch(url, { credentials: "omit", signal: controller && controller.signal });
    if (!response.ok) return general();
    const config = await response.json();
    const name = text(config.name, 120);
    if (!config || !readable(config.theme) || !name) return general();
    const logo = typeof config.logo === "string" && LOGO.test(config.logo) ? config.logo : null;
    return {
      schoolId: settings.schoolId,
      name,
      greeting: text(config.greeting, 600) || GENERAL.greeting,
      theme: Object.fromEntries(COLOURS.map((key) => [key, config.theme[key]])),
      logo: logo ? new URL(`schools/assets/${encodeURIComponent(logo)}`, settings.assets).href : null,
    };
  } catch (error) {
    return general();
  } finally {
    clearTimeout(timer);
  }
}
