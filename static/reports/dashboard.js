// The dashboard: draws every chart from the figure embedded beside it (json_script), opens
// the answers behind a bar on click, and, while the campaign is open, fetches the page
// again every minute and swaps its content in, so that the figures follow the entries.
(function () {
  "use strict";
  // No mode bar: its buttons would be focusable inside a chart hidden from screen readers.
  const config = { displaylogo: false, displayModeBar: false, responsive: true, locale: "fr" };

  function draw(root) {
    if (!window.Plotly) return;
    root.querySelectorAll("[data-chart]").forEach(function (box) {
      const source = document.getElementById(box.dataset.chart);
      if (!source) return;
      const figure = JSON.parse(source.textContent);
      window.Plotly.newPlot(box, figure.data, figure.layout, config).then(function () {
        box.on("plotly_click", function (event) {
          const link = event.points && event.points[0] && event.points[0].customdata;
          if (typeof link === "string" && link.charAt(0) === "/") window.location.assign(link);
        });
      });
    });
  }

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
          container.innerHTML = fresh.innerHTML;
          draw(container);
          if (focused && document.getElementById(focused)) document.getElementById(focused).focus();
        })
        .catch(function () {
          /* Offline or signed out: keep the figures shown; the next tick tries again. */
        });
    }, seconds * 1000);
  }

  function start() {
    const container = document.getElementById("dashboard");
    if (!container) return;
    draw(container);
    refresh(container);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
