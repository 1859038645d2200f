// Inline privacy check while typing: the same findings as the "Before you post" review,
// shown right under the text box. "Apply all" replaces every finding, then checks the text
// again at once: it says "Every suggestion is applied" only when that check finds nothing.
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
    const note = element("p", "privacy-live__note");
    note.setAttribute("role", "status");
    note.hidden = true;
    const list = element("ul", "privacy-live__list");
    const applyAll = element("button", "button button--secondary", "Apply all suggestions");
    applyAll.type = "button";
    region.replaceChildren(note, summary, list, applyAll);
    let timer = null;
    let controller = null;
    let lastSent = "";
    let current = [];

    function render(findings, total, applied) {
      current = findings;
      list.replaceChildren();
      note.hidden = !applied;
      if (applied) {
        note.textContent = findings.length
          ? "The suggestions are applied, but the check, run again, still finds what is listed below."
          : "Every suggestion is applied. Read your text over, then post it.";
      }
      applyAll.hidden = !findings.length;
      if (!findings.length) {
        summary.textContent = "";
        region.hidden = !applied;
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

    async function check(applied = false) {
      const payload = JSON.stringify({
        title: fields.title ? fields.title.value : "",
        body: fields.body.value,
      });
      if (payload === lastSent && !applied) return;
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
        render(data.findings || [], data.total || 0, applied);
      } catch (error) {
        // Offline or superseded by a newer check: nothing to show.
      }
    }

    applyAll.addEventListener("click", () => {
      // Each field from its end, so earlier offsets stay valid.
      const ordered = [...current].sort((a, b) => b.start - a.start);
      for (const finding of ordered) {
        const input = fields[finding.field];
        if (input) replaceIn(input, finding);
      }
      clearTimeout(timer);
      check(true); // at once, not after the typing delay
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
