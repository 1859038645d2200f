// Progressive enhancement only: every feature works without this file.
"use strict";

// Quote: without JavaScript the Quote link opens the reply page with the quote filled in.
// With it, the same quote (built by the server, so an anonymous author stays an alias)
// goes into the reply box on this page.
document.addEventListener("click", async (event) => {
  const link = event.target.closest("a[data-quote]");
  const box = document.querySelector(".reply-box textarea");
  if (!link || !box) return;
  if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  event.preventDefault();
  try {
    const response = await fetch(link.href, { credentials: "same-origin" });
    if (!response.ok) throw new Error(`quote: ${response.status}`);
    const doc = new DOMParser().parseFromString(await response.text(), "text/html");
    const quoted = doc.querySelector("textarea#body");
    if (!quoted || !quoted.value) throw new Error("quote: nothing to insert");
    const before = box.value.trimEnd();
    box.value = (before ? before + "\n\n" : "") + quoted.value;
    box.focus();
    box.setSelectionRange(box.value.length, box.value.length);
    box.scrollIntoView({ block: "center" });
  } catch (error) {
    window.location.href = link.href;
  }
});

// New thread: the anonymity box follows the chosen category's rule (the server enforces it too).
const categorySelect = document.querySelector("select#category");
const anonBox = document.querySelector("input#hide_author[type=checkbox]");
if (categorySelect && anonBox) {
  let wanted = anonBox.checked;
  anonBox.addEventListener("change", () => { wanted = anonBox.checked; });
  const follow = () => {
    const option = categorySelect.selectedOptions[0];
    const policy = option ? option.dataset.anonymous : "allow";
    anonBox.disabled = policy === "forbid" || policy === "require";
    anonBox.checked = policy === "require" || (policy !== "forbid" && wanted);
  };
  categorySelect.addEventListener("change", follow);
  follow();
}

// Times: pages print exact times in UTC (members share parts of pages, so no one's zone
// is rendered into them); here each <time title> gets the exact time in the member's
// zone: the one chosen in Settings (the forum_tz cookie), else the browser's.
const cookieZone = (document.cookie.split("; ").find((c) => c.startsWith("forum_tz=")) || "")
  .slice("forum_tz=".length);
const browserZone = (() => {
  try { return Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (e) { return ""; }
})();
const chosenZone = cookieZone && cookieZone !== "-" ? decodeURIComponent(cookieZone) : "";
const exactTime = (() => {
  try {
    return new Intl.DateTimeFormat("en-US", {
      year: "numeric", month: "long", day: "numeric", hour: "numeric", minute: "2-digit",
      timeZone: chosenZone || browserZone || "UTC", timeZoneName: "short",
    });
  } catch (e) { return null; }
})();
if (exactTime) {
  for (const el of document.querySelectorAll("time[datetime][title]")) {
    const when = new Date(el.getAttribute("datetime"));
    if (!Number.isNaN(when.getTime())) el.title = exactTime.format(when).replace(/, (\d+:)/, " at $1");
  }
}

// The time zone, guessed from the browser once: the settings page preselects it, and a
// member who has not chosen one is offered it once, as a normal form (with its CSRF token).
const zoneSelect = document.querySelector("select[data-guess-zone]");
const knownZone = (zone) => zoneSelect
  ? [...zoneSelect.options].some((o) => o.value === zone) : /^[A-Za-z_]+\/[A-Za-z_\/-]+$/.test(zone);
if (zoneSelect && !zoneSelect.value && browserZone && knownZone(browserZone)) {
  zoneSelect.value = browserZone;
  const note = document.getElementById("tz-guess");
  if (note) {
    note.textContent = `Your browser says ${browserZone.replace(/_/g, " ")}: press Save to use it.`;
    note.hidden = false;
  }
}
const token = document.querySelector("input[name=csrf_token]");
const main = document.querySelector("main");
let offered = false;
try { offered = localStorage.getItem("forum_tz_offered") === "1"; } catch (e) { offered = true; }
if (cookieZone === "-" && !offered && !zoneSelect && token && main && browserZone
    && browserZone !== "UTC" && knownZone(browserZone)) {
  const form = document.createElement("form");
  form.method = "post";
  form.action = "/settings/time-zone";
  form.className = "tz-offer";
  const hidden = (name, value) => {
    const input = document.createElement("input");
    input.type = "hidden"; input.name = name; input.value = value;
    form.append(input);
  };
  hidden("csrf_token", token.value);
  hidden("time_zone", browserZone);
  hidden("next", location.pathname + location.search);
  const text = document.createElement("p");
  text.textContent = `Show times in your time zone, ${browserZone.replace(/_/g, " ")}?`;
  const use = document.createElement("button");
  use.type = "submit"; use.className = "button"; use.textContent = "Yes, use it";
  const later = document.createElement("button");
  later.type = "button"; later.className = "button button--secondary"; later.textContent = "No thanks";
  const remember = () => { try { localStorage.setItem("forum_tz_offered", "1"); } catch (e) { /* private mode */ } };
  form.addEventListener("submit", remember);
  later.addEventListener("click", () => { remember(); form.remove(); });
  const actions = document.createElement("div");
  actions.className = "actions";
  actions.append(use, later);
  form.append(text, actions);
  main.prepend(form);
}

// Header: search opens with its field focused; an open menu or search closes on Escape or
// a click elsewhere (without JavaScript both still open and close from their own buttons).
const headerPops = [...document.querySelectorAll(".site-header details")];
for (const details of headerPops) {
  details.addEventListener("toggle", () => {
    if (!details.open) return;
    for (const other of headerPops) if (other !== details) other.open = false;
    const field = details.querySelector("input[type=search]");
    if (field) field.focus();
  });
}
document.addEventListener("click", (event) => {
  for (const details of headerPops) if (details.open && !details.contains(event.target)) details.open = false;
});
document.addEventListener("keydown", (event) => {
  if (event.key !== "Escape") return;
  for (const details of headerPops) {
    if (details.open) { details.open = false; details.querySelector("summary").focus(); }
  }
});
