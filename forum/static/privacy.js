// Inline privacy check while typing: the same findings as the "Before you post" review.
// Progressive enhancement only: posting never waits for it, and it keeps nothing.
"use strict";

(() => {
  const DELAY_MS = 900;

  function element(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  // The server counts characters as code points; a textarea counts UTF-16 units.
  function unitOffset(value, codePoints) {
    let units = 0;
    let seen = 0;
    for (const ch of value) {
      if (seen === codePoints) break;
      units += ch.length;
      seen += 1;
    }
    return units;
  }

  function replaceIn(input, finding) {
    const value = input.value;
    let at = unitOffset(value, finding.start);
    if (value.slice(at, at + finding.text.length) !== finding.text) {
      at = value.indexOf(finding.text);
      if (at < 0) return false;
    }
    input.value = value.slice(0, at) + finding.suggestion + value.slice(at + finding.text.length);
    return true;
  }

  function setUp(region) {
    const form = region.closest("form");
    if (!form) return;
    const fields = {
      title: form.querySelector("input[name=title]"),
      body: form.querySelector("textarea[name=body]"),
    };
    if (!fields.body) return;
    const token = form.querySelector("input[name=csrf_token]");
    const summary = element("p", "privacy-live__summary");
    summary.setAttribute("aria-live", "polite");
    const list = element("ul", "privacy-live__list");
    const applyAll = element("button", "button button--secondary", "Apply all suggestions");
    applyAll.type = "button";
    region.replaceChildren(summary, list, applyAll);
    let timer = null;
    let controller = null;
    let lastSent = "";
    let current = [];

    function render(findings, total) {
      current = findings;
      list.replaceChildren();
      if (!findings.length) {
        summary.textContent = "";
        region.hidden = true;
        return;
      }
      region.hidden = false;
      summary.textContent =
        total === 1
          ? "Before you post: 1 detail could identify your family."
          : `Before you post: ${total} details could identify your family.`;
      for (const finding of findings.slice(0, 20)) {
        const item = element("li", "privacy-live__item");
        const what = element("p");
        what.append(element("strong", "", finding.label), ` “${finding.text}” → “${finding.suggestion}”`);
        const why = element("p", "field-help", finding.reason);
        const button = element("button", "link-button", "Replace");
        button.type = "button";
        button.addEventListener("click", () => {
          const input = fields[finding.field];
          if (input && replaceIn(input, finding)) input.dispatchEvent(new Event("input", { bubbles: true }));
        });
        item.append(what, why, button);
        list.append(item);
      }
    }

    async function check() {
      const payload = JSON.stringify({
        title: fields.title ? fields.title.value : "",
        body: fields.body.value,
      });
      if (payload === lastSent) return;
      lastSent = payload;
      if (controller) controller.abort();
      controller = new AbortController();
      try {
        const response = await fetch(region.dataset.privacyEndpoint, {
          method: "POST",
          credentials: "same-origin",
          signal: controller.signal,
          headers: { "Content-Type": "application/json", "X-CSRFToken": token ? token.value : "" },
          body: payload,
        });
        if (!response.ok) return; // e.g. rate-limited: the review on submit still runs
        const data = await response.json();
        render(data.findings || [], data.total || 0);
      } catch (error) {
        // Offline or superseded by a newer check: nothing to show.
      }
    }

    applyAll.addEventListener("click", () => {
      // From the end, so earlier offsets stay valid.
      const ordered = [...current].sort((a, b) => b.start - a.start);
      for (const finding of ordered) {
        const input = fields[finding.field];
        if (input) replaceIn(input, finding);
      }
      fields.body.dispatchEvent(new Event("input", { bubbles: true }));
    });

    for (const input of Object.values(fields)) {
      if (!input) continue;
      input.addEventListener("input", () => {
        clearTimeout(timer);
        timer = setTimeout(check, DELAY_MS);
      });
    }
    // A prefilled box (a quote, an edit) is checked at once, unless the server just reviewed it.
    if (!document.getElementById("privacy-review") && fields.body.value.trim()) check();
  }

  document.querySelectorAll(".privacy-live[data-privacy-endpoint]").forEach(setUp);
})();
