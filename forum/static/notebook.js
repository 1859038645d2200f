"use strict";
// The print page's "Print" button (without JavaScript, the browser's own Print works the same).
for (const button of document.querySelectorAll("[data-print]")) {
  button.hidden = false;
  button.addEventListener("click", () => window.print());
}
