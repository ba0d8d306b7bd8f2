// Background jobs (the files of the report, a large import): follow each one under way
// (its data-status-url, JSON: background.jobs.state) every 1.5 s, move its progress bar
// (templates/includes/job_progress.html), and reload the page once it is over.
(function () {
  "use strict";
  var DELAY = 1500;

  function follow(card) {
    var url = card.getAttribute("data-status-url");
    function field(name) {
      return card.querySelector('[data-field="' + name + '"]');
    }
    function poll() {
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) {
          if (!response.ok) {
            throw new Error(String(response.status));
          }
          return response.json();
        })
        .then(function (state) {
          if (state.finished) {
            window.location.reload();
            return;
          }
          var bar = field("progress");
          if (bar) {
            bar.value = state.progress;
            bar.textContent = state.progress + " %";
          }
          var text = field("progress_text");
          if (text) {
            text.textContent = state.progress + " %";
          }
          var step = field("step");
          if (step) {
            step.textContent = state.step;
          }
          var label = field("status_label");
          if (label) {
            label.textContent = state.status_label;
          }
          window.setTimeout(poll, DELAY);
        })
        .catch(function () {
          window.setTimeout(poll, DELAY * 4);
        });
    }
    window.setTimeout(poll, DELAY);
  }

  document.querySelectorAll("[data-job][data-status-url]").forEach(function (card) {
    var status = card.getAttribute("data-status");
    if (status === "pending" || status === "running") {
      follow(card);
    }
  });
})();
