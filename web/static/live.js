// live.js: refreshes the parts of a page marked data-live while it is open,
// by fetching the page again and swapping those elements in. Pages read
// fine without it; it only saves pressing reload during a campaign.
(function () {
  "use strict";
  var every = 3000;
  function tick() {
    var live = document.querySelectorAll("[data-live]");
    if (live.length === 0 || document.hidden) { return schedule(); }
    fetch(location.href, { headers: { "Accept": "text/html" }, credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        if (!html) { return; }
        var doc = new DOMParser().parseFromString(html, "text/html");
        live.forEach(function (el) {
          var fresh = el.id && doc.getElementById(el.id);
          if (fresh) { el.replaceWith(document.importNode(fresh, true)); }
        });
      })
      .catch(function () {})
      .then(schedule);
  }
  function schedule() { setTimeout(tick, every); }
  if (document.querySelector("[data-live]")) { schedule(); }
})();
