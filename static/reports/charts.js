// Charts drawn with plotly.js (static/vendor/plotly, loaded before this file) from JSON that
// the page embeds with Django's json_script: no inline script, no data in attributes.
//
//   <div class="app-chart" data-series-chart="my-data" aria-hidden="true"></div>
//   {{ chart|json_script:"my-data" }}
//
// The JSON:
//   {
//     "kind": "lines",              // lines with markers, one per series
//     "categories": ["Janvier", …],  // along the x axis, already translated
//     "series": [{"name": "…", "values": [23603, null, …]}],
//     "multiples": true,            // one panel per series, each with its own y scale
//     "texts": {"Download plot as a PNG": "…"},  // plotly's words, translated (optional)
//     "filename": "…"               // of the PNG download (optional)
//   }
// A null value leaves a gap. Numbers are written in the page's language (<html lang>): in
// French "23 603" with a non-breaking space. Every chart needs a table beside it giving the
// same figures: the chart is hidden from assistive technologies (aria-hidden).
(function () {
  "use strict";

  const COLOURS = ["#000091", "#c9191e", "#18753c", "#b34000", "#6a6af4"];
  const PANEL_HEIGHT = 200;
  const MARGIN = { l: 70, r: 20, t: 30, b: 50 };

  function language() {
    return document.documentElement.lang || "fr";
  }

  function numberFormat(lang) {
    return new Intl.NumberFormat(lang, { maximumFractionDigits: 1 });
  }

  // Plotly wants its decimal and thousands separators as two characters. Intl gives French
  // a narrow no-break space (U+202F); the tables use a no-break space (U+00A0): same here.
  function separators(lang) {
    const parts = numberFormat(lang).formatToParts(12345.6);
    const part = (type, fallback) => (parts.find((p) => p.type === type) || {}).value || fallback;
    return part("decimal", ",") + part("group", "\u00a0").replace("\u202f", "\u00a0");
  }

  function format(value, lang) {
    if (value === null || value === undefined) return "—";
    return numberFormat(lang || language()).format(value).replace(/\u202f/g, "\u00a0");
  }

  function axisName(prefix, index) {
    return index === 0 ? prefix : prefix + (index + 1);
  }

  function traces(spec, lang) {
    return spec.series.map(function (series, index) {
      const axis = spec.multiples ? axisName("y", index) : "y";
      return {
        type: "scatter",
        mode: "lines+markers",
        name: series.name,
        x: spec.categories,
        y: series.values,
        yaxis: axis,
        connectgaps: false,
        line: { color: COLOURS[index % COLOURS.length], width: 2 },
        marker: { size: 6 },
        customdata: series.values.map((value) => format(value, lang)),
        hovertemplate: "%{customdata}<extra>" + series.name + "</extra>",
      };
    });
  }

  function layout(spec, lang) {
    const count = spec.multiples ? spec.series.length : 1;
    const gap = count > 1 ? 0.12 / (count - 1) : 0;
    const height = (1 - gap * (count - 1)) / count;
    const result = {
      height: PANEL_HEIGHT * count + MARGIN.t + MARGIN.b,
      margin: MARGIN,
      separators: separators(lang),
      showlegend: !spec.multiples,
      legend: { orientation: "h", y: -0.2 },
      hovermode: "x unified",
      font: { family: "Marianne, arial, sans-serif", size: 13 },
      xaxis: { type: "category", fixedrange: true, anchor: axisName("y", count - 1) },
      annotations: [],
    };
    for (let index = 0; index < count; index++) {
      // Panels from top to bottom, in the order of the series.
      const top = 1 - index * (height + gap);
      result[axisName("yaxis", index)] = {
        domain: [Math.max(0, top - height), top],
        rangemode: "tozero",
        tickformat: ",d",
        fixedrange: true,
        anchor: "x",
      };
      if (spec.multiples) {
        result.annotations.push({
          // Bold by the font, not by <b>: plotly would write it as a style attribute, which
          // the Content-Security-Policy refuses.
          text: spec.series[index].name,
          font: { weight: "bold" },
          xref: "paper",
          yref: "paper",
          x: 0,
          y: top,
          xanchor: "left",
          yanchor: "bottom",
          showarrow: false,
        });
      }
    }
    return result;
  }

  function draw(element) {
    const source = document.getElementById(element.dataset.seriesChart);
    if (!source || typeof window.Plotly === "undefined") return;
    const spec = JSON.parse(source.textContent || "{}");
    if (!spec.series || !spec.series.length) return;
    const lang = language();
    const marks = separators(lang);
    const locales = {};
    // The mode bar's words, translated by the page (gettext), and the page's separators.
    locales[lang] = {
      dictionary: spec.texts || {},
      format: { decimal: marks.charAt(0), thousands: marks.charAt(1) },
    };
    const drawn = window.Plotly.newPlot(element, traces(spec, lang), layout(spec, lang), {
      displaylogo: false,
      responsive: true,
      showSendToCloud: false,
      showEditInChartStudio: false,
      modeBarButtonsToRemove: ["sendDataToCloud", "select2d", "lasso2d", "autoScale2d"],
      toImageButtonOptions: { filename: spec.filename || "graphique" },
      locale: lang,
      locales: locales,
    });
    Promise.resolve(drawn).then(function () {
      outOfTabOrder(element);
      if (typeof element.on === "function") {
        element.on("plotly_afterplot", function () {
          outOfTabOrder(element);
        });
      }
    });
  }

  // The chart is aria-hidden (the table beside it carries the figures): nothing in it may
  // take the keyboard focus either, the mode bar's buttons included (WCAG 4.1.2).
  function outOfTabOrder(element) {
    if (element.getAttribute("aria-hidden") !== "true") return;
    element.querySelectorAll("a[href], button, input, select, textarea, [tabindex]").forEach(
      function (node) {
        node.setAttribute("tabindex", "-1");
      }
    );
  }

  function drawAll() {
    document.querySelectorAll("[data-series-chart]").forEach(draw);
  }

  window.AppCharts = { draw: draw, drawAll: drawAll, format: format };
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawAll);
  } else {
    drawAll();
  }
})();
