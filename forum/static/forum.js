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
