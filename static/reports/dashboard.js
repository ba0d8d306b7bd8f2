// The dashboard, while the campaign is open: fetches the page again every minute and swaps
// its content in, so that the figures follow the entries. Its charts are drawn by
// static/reports/charts.js (window.AppCharts), as they come near the viewport.
(function () {
  "use strict";

  function refresh(container) {
    const seconds = parseInt(container.dataset.refresh || "0", 10);
    if (!seconds) return;
    window.setInterval(function () {
      if (document.hidden) return;
      fetch(window.location.href, { credentials: "same-origin" })
        .then(function (response) {
          if (!response.ok) throw new Error(response.status);
          return response.text();
        })
        .then(function (html) {
          const fresh = new DOMParser().parseFromString(html, "text/html").getElementById("dashboard");
          if (!fresh) return;
          const focused = document.activeElement && document.activeElement.id;
          if (window.AppCharts) window.AppCharts.forget(container);
          container.innerHTML = fresh.innerHTML;
          if (window.AppCharts) window.AppCharts.observe(container);
          if (focused && document.getElementById(focused)) document.getElementById(focused).focus();
        })
        .catch(function () {
          /* Offline or signed out: keep the figures shown; the next tick tries again. */
        });
    }, seconds * 1000);
  }

  function start() {
    const container = document.getElementById("dashboard");
    if (container) refresh(container);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
