// Progressive enhancement only: every feature works without this file.
"use strict";

// Quote: insert the quoted post into the reply box on the same page instead of loading the reply page.
document.addEventListener("click", async (event) => {
  const link = event.target.closest("a[data-quote]");
  const box = document.querySelector(".reply-box textarea");
  if (!link || !box) return;
  event.preventDefault();
  try {
    const response = await fetch(link.href, { credentials: "same-origin" });
    const html = await response.text();
    const doc = new DOMParser().parseFromString(html, "text/html");
    const quoted = doc.querySelector("textarea#body");
    if (quoted) {
      box.value = (box.value ? box.value + "\n\n" : "") + quoted.value;
      box.focus();
      box.scrollIntoView({ block: "center" });
    }
  } catch (error) {
    window.location.href = link.href;
  }
});
