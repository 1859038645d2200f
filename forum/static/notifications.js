// The header bell: refresh the unread count at most once a minute while the page is
// visible (no third-party service; the server answers from the sign-in query).
(function () {
  "use strict";
  var bell = document.querySelector("[data-bell]");
  if (!bell || !window.fetch) { return; }
  var badge = bell.querySelector("[data-bell-count]");
  var url = bell.getAttribute("data-count-url");
  var PERIOD = 60000;

  function show(count) {
    if (!badge || typeof count !== "number") { return; }
    badge.hidden = count === 0;
    badge.firstChild.nodeValue = count > 99 ? "99+" : String(count);
  }

  function refresh() {
    if (document.hidden) { return; }
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) { if (data) { show(data.unread); } })
      .catch(function () { /* offline: keep the count we have */ });
  }

  window.setInterval(refresh, PERIOD);
})();
