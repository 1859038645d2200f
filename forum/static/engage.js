// Drafts: save the composer to the server every few seconds while the member types.
// Without this file the form's "Save draft" button does the same on click.
"use strict";

// Pages may include this file twice (the reply box and the thread tools): run once.
(() => {
  if (window.forumEngageLoaded) return;
  window.forumEngageLoaded = true;
  autosaveDrafts();
  reactInPlace();
})();

function autosaveDrafts() {
  const button = document.querySelector("[data-draft-autosave]");
  if (!button || !button.form || !window.fetch) return;
  const form = button.form;
  const status = form.querySelector(".draft-status");
  const url = button.getAttribute("formaction");
  const token = form.querySelector("input[name=csrf_token]");
  const INTERVAL = 5000;
  let dirty = false;
  let busy = false;
  let posting = false;

  function say(text) {
    if (status) status.textContent = text;
  }

  async function save() {
    if (!dirty || busy || posting || !token) return;
    busy = true;
    dirty = false;
    const data = new FormData(form);
    data.delete("discard");
    try {
      const response = await fetch(url, {
        method: "POST",
        body: data,
        credentials: "same-origin",
        headers: { "X-CSRFToken": token.value, Accept: "application/json" },
      });
      if (!response.ok) throw new Error(String(response.status));
      const result = await response.json();
      say(result.saved ? "Draft saved." : "");
    } catch (_error) {
      dirty = true;
      say("Your draft could not be saved just now; it will be tried again.");
    } finally {
      busy = false;
    }
  }

  form.addEventListener("input", () => {
    dirty = true;
  });
  form.addEventListener("change", () => {
    dirty = true;
  });
  form.addEventListener("submit", (event) => {
    // Posting: the server deletes the draft when the post is published, so stop saving.
    if (event.submitter !== button) posting = true;
  });
  window.setInterval(save, INTERVAL);
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "hidden") save();
  });
}

// Reactions: toggle in place, without reloading the page. Without this the buttons are a
// plain form that comes back to the post.
function reactInPlace() {
  if (!window.fetch) return;
  function update(form, result) {
    for (const button of form.querySelectorAll("button[name=kind]")) {
      const kind = button.value;
      const count = result.counts[kind] || 0;
      const mine = result.mine.includes(kind);
      button.setAttribute("aria-pressed", mine ? "true" : "false");
      button.classList.toggle("reaction--mine", mine);
      button.replaceChildren(button.dataset.label || kind);
      if (count) {
        const badge = document.createElement("span");
        badge.className = "reaction__count";
        badge.textContent = String(count);
        button.append(" ", badge);
      }
    }
  }
  document.addEventListener("submit", async (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.classList.contains("reactions__form")) return;
    const button = event.submitter;
    const token = form.querySelector("input[name=csrf_token]");
    if (!button || !token) return;
    event.preventDefault();
    const data = new FormData(form);
    data.set("kind", button.value);
    try {
      const response = await fetch(form.action, {
        method: "POST",
        body: data,
        credentials: "same-origin",
        headers: { "X-CSRFToken": token.value, Accept: "application/json" },
      });
      if (!response.ok) throw new Error(String(response.status));
      update(form, await response.json());
    } catch (_error) {
      // Fall back to the plain form (submit() sends no button: the kind goes as a field).
      const field = document.createElement("input");
      field.type = "hidden";
      field.name = "kind";
      field.value = button.value;
      form.append(field);
      form.submit();
    }
  });
}
