// "Parents have written about this": update the list of similar threads as the title is typed.
// Without this file the form's "Check for similar stories" button does the same in one step.
"use strict";

(() => {
  const box = document.querySelector("[data-similar-url]");
  const title = document.getElementById("title");
  const region = document.getElementById("similar-stories");
  if (!box || !title || !region) return;
  const endpoint = box.dataset.similarUrl;
  let timer = null;
  let lastAsked = "";
  let controller = null;

  function item(thread) {
    const li = document.createElement("li");
    const link = document.createElement("a");
    link.href = thread.url;
    link.target = "_blank";
    link.rel = "noopener";
    link.textContent = thread.title;
    const hint = document.createElement("span");
    hint.className = "visually-hidden";
    hint.textContent = " (opens in a new tab)";
    link.append(hint);
    const meta = document.createElement("span");
    meta.className = "meta";
    meta.textContent = ` in ${thread.category} · ${thread.replies} ${thread.replies === 1 ? "reply" : "replies"}`;
    li.append(link, meta);
    return li;
  }

  function render(threads) {
    const heading = region.querySelector("h2");
    region.replaceChildren(heading);
    if (!threads.length) {
      region.hidden = true;
      return;
    }
    const list = document.createElement("ul");
    threads.forEach((thread) => list.append(item(thread)));
    const note = document.createElement("p");
    note.className = "field-help";
    note.textContent = "They open in a new tab, so your draft stays here.";
    region.append(list, note);
    region.hidden = false;
  }

  async function update() {
    const value = title.value.trim();
    if (value.length < 3 || value === lastAsked) return;
    lastAsked = value;
    if (controller) controller.abort();
    controller = new AbortController();
    try {
      const response = await fetch(`${endpoint}?title=${encodeURIComponent(value)}`, {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
        signal: controller.signal,
      });
      if (!response.ok) return;
      const data = await response.json();
      render(Array.isArray(data.threads) ? data.threads : []);
    } catch (error) {
      // Offline or superseded by a newer request: the button still works.
    }
  }

  title.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(update, 400);
  });
})();
