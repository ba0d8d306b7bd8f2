// The one chart drawer of the application: plotly.js (static/vendor/plotly) draws every
// chart from JSON that the page embeds with Django's json_script, with no inline script and
// no data in attributes. Two kinds of box:
//
//   <div class="dashboard-chart" data-chart="my-figure" aria-hidden="true"></div>
//   {{ figure|json_script:"my-figure" }}     a plotly figure, {"data": […], "layout": {…}},
//                                           built as plain data by reports/charts.py; a
//                                           click on a point whose customdata is a path
//                                           ("/…") opens it (the answers behind a bar)
//
//   <div class="app-chart" data-series-chart="my-data" aria-hidden="true"></div>
//   {{ chart|json_script:"my-data" }}        series over months (reports/web.py), below
//
// Nothing is drawn at load: a chart is drawn when it comes near the viewport
// (IntersectionObserver), and plotly.js, 1 MB of script, is fetched only then, with its
// stylesheet, from the URLs in this script's data-plotly and data-plotly-css attributes
// (reports/_plotly.html). Charts are drawn one at a
// time, each in its own task, so that the page stays responsive while they appear. Until
// drawn, a box keeps the chart's height, so that nothing moves when it is drawn.
//
// The series JSON:
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

  const numberFormats = {};

  function numberFormat(lang) {
    if (!numberFormats[lang]) {
      numberFormats[lang] = new Intl.NumberFormat(lang, { maximumFractionDigits: 1 });
    }
    return numberFormats[lang];
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

  function seriesSpec(element) {
    const source = document.getElementById(element.dataset.seriesChart);
    const spec = source ? JSON.parse(source.textContent || "{}") : {};
    return spec.series && spec.series.length ? spec : null;
  }

  function seriesFigure(spec) {
    const lang = language();
    const marks = separators(lang);
    const locales = {};
    // The mode bar's words, translated by the page (gettext), and the page's separators.
    locales[lang] = {
      dictionary: spec.texts || {},
      format: { decimal: marks.charAt(0), thousands: marks.charAt(1) },
    };
    return {
      data: traces(spec, lang),
      layout: layout(spec, lang),
      config: {
        displaylogo: false,
        responsive: true,
        showSendToCloud: false,
        showEditInChartStudio: false,
        modeBarButtonsToRemove: ["sendDataToCloud", "select2d", "lasso2d", "autoScale2d"],
        toImageButtonOptions: { filename: spec.filename || "graphique" },
        locale: lang,
        locales: locales,
      },
    };
  }

  // A box's figure, read from its JSON: {data, layout, config}, or null when it has none.
  function figureOf(element) {
    if (element.dataset.seriesChart) {
      const spec = seriesSpec(element);
      return spec ? seriesFigure(spec) : null;
    }
    const source = document.getElementById(element.dataset.chart);
    if (!source) return null;
    const figure = JSON.parse(source.textContent || "{}");
    return {
      data: figure.data || [],
      layout: figure.layout || {},
      // No mode bar: its buttons would be focusable inside a chart hidden from screen readers.
      config: { displaylogo: false, displayModeBar: false, responsive: true, locale: language() },
    };
  }

  // --- plotly.js, fetched once, when the first chart comes near -----------------------------
  // With its rules as a stylesheet (data-plotly-css), added first: plotly finds it by this id
  // and class and writes no <style> of its own (the Content-Security-Policy allows no inline
  // style). Fetched with the script, the stylesheet does not hold up the page's first paint.
  const script = document.currentScript;
  const STYLE_ID = "plotly.js-style-global";
  let plotly = null;

  function addElement(tag, attributes) {
    return new Promise(function (resolve, reject) {
      const element = document.createElement(tag);
      Object.assign(element, attributes);
      element.onload = resolve;
      element.onerror = reject;
      document.head.appendChild(element);
    });
  }

  function loadPlotly() {
    if (!plotly) {
      const data = (script && script.dataset) || {};
      const rules = document.getElementById(STYLE_ID)
        ? Promise.resolve()
        : addElement("link", {
            rel: "stylesheet",
            id: STYLE_ID,
            className: "no-inline-styles",
            href: data.plotlyCss,
          });
      const code = window.Plotly
        ? Promise.resolve()
        : addElement("script", { src: data.plotly, async: true });
      plotly = Promise.all([rules, code]).then(
        function () {
          if (!window.Plotly) throw new Error("plotly.js");
          return window.Plotly;
        },
        function (error) {
          // Offline for a moment: the next chart that comes near tries again.
          plotly = null;
          const link = document.getElementById(STYLE_ID);
          if (link && !link.sheet) link.remove();
          throw error;
        }
      );
    }
    return plotly;
  }

  // --- drawing, one chart per task ----------------------------------------------------------
  const queue = [];
  const RETRY_MS = 15000;
  let drawing = false;

  function nextTask() {
    return new Promise(function (resolve) {
      window.setTimeout(resolve, 0);
    });
  }

  function draw(element) {
    const figure = figureOf(element);
    if (!figure) return Promise.resolve();
    return loadPlotly().then(function (Plotly) {
      if (!element.isConnected) return null; // swapped out by the dashboard's refresh meanwhile
      return Promise.resolve(
        Plotly.newPlot(element, figure.data, figure.layout, figure.config)
      ).then(function () {
        element.dataset.drawn = "true";
        outOfTabOrder(element);
        if (typeof element.on !== "function") return;
        element.on("plotly_afterplot", function () {
          outOfTabOrder(element);
        });
        element.on("plotly_click", function (event) {
          const link = event.points && event.points[0] && event.points[0].customdata;
          if (typeof link === "string" && link.charAt(0) === "/") window.location.assign(link);
        });
      });
    });
  }

  function drainQueue() {
    if (drawing || !queue.length) return;
    drawing = true;
    const element = queue.shift();
    draw(element)
      .catch(function () {
        // plotly.js could not be fetched (offline for a moment): tried again in a while,
        // if the chart is near the viewport then.
        delete element.dataset.queued;
        if (observer) window.setTimeout(observe, RETRY_MS, element.parentNode);
      })
      .then(nextTask)
      .then(function () {
        drawing = false;
        drainQueue();
      });
  }

  function enqueue(element) {
    if (element.dataset.queued) return;
    element.dataset.queued = "true";
    queue.push(element);
    drainQueue();
  }

  const observer =
    "IntersectionObserver" in window
      ? new IntersectionObserver(
          function (entries) {
            entries.forEach(function (entry) {
              if (!entry.isIntersecting) return;
              observer.unobserve(entry.target);
              enqueue(entry.target);
            });
          },
          // Half a screen ahead: a chart is usually drawn by the time it is scrolled to,
          // and a phone's first screen, which shows no chart, loads no plotly.js.
          { rootMargin: "50% 0px" }
        )
      : null;

  // Keep the figure's height while the chart is not drawn: nothing jumps when it is. Read
  // at load for every chart: the height alone, without building the traces.
  function reserve(element) {
    let height = 0;
    if (element.dataset.seriesChart) {
      const spec = seriesSpec(element);
      const panels = spec ? (spec.multiples ? spec.series.length : 1) : 0;
      if (panels) height = PANEL_HEIGHT * panels + MARGIN.t + MARGIN.b;
    } else {
      const source = document.getElementById(element.dataset.chart);
      const figure = source ? JSON.parse(source.textContent || "{}") : {};
      height = (figure.layout && figure.layout.height) || 0;
    }
    if (height) element.style.minHeight = height + "px";
  }

  const BOXES = "[data-chart], [data-series-chart]";

  // Every chart box under ``root`` (the document by default) is drawn when it comes near.
  function observe(root) {
    (root || document).querySelectorAll(BOXES).forEach(function (element) {
      if (element.dataset.queued) return;
      reserve(element);
      if (observer) observer.observe(element);
      else enqueue(element);
    });
  }

  // Before a part of the page is replaced: its charts let go of plotly's listeners.
  function forget(root) {
    (root || document).querySelectorAll(BOXES).forEach(function (element) {
      if (observer) observer.unobserve(element);
      if (element.dataset.drawn && window.Plotly) window.Plotly.purge(element);
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

  window.AppCharts = { observe: observe, forget: forget, format: format };
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () {
      observe();
    });
  } else {
    observe();
  }
})();
