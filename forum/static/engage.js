// Drafts: save the composer to the server every few seconds while the member types.
// Without this file the form's "Save draft" button does the same on click.
"use strict";

(() => {
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
})();
