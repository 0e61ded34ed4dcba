/* Shared drawing of the pages' Chart.js charts. Each page script calls
 * window.ektpCharts.draw(name, build): the figures come from the page itself
 * (<script type="application/json" id="NAME-chart-data">) because the Content-Security-Policy
 * allows no inline code, and the canvas is canvas[data-NAME-chart]. build(data, numbers) returns
 * the Chart.js config. The pages are also reached through htmx (hx-boost), which runs the scripts
 * again after each swap: drawing must be repeatable. */
(function () {
  "use strict";

  if (window.ektpCharts) {
    return;
  }

  var hooked = {};

  function render(name, build, options) {
    var holder = document.getElementById(name + "-chart-data");
    // No id on the canvas: htmx would carry the old canvas's style attribute over to the new
    // one while settling, which the Content-Security-Policy refuses.
    var canvas = document.querySelector("canvas[data-" + name + "-chart]");
    if (!holder || !canvas || typeof window.Chart === "undefined") {
      return;
    }
    var data = JSON.parse(holder.textContent);
    var previous = window.Chart.getChart(canvas);
    if (previous) {
      previous.destroy();
    }
    var numbers = new Intl.NumberFormat(data.locale);
    // Readable on a small office screen: the body's font, not Chart.js's 12px default.
    window.Chart.defaults.font.size = 14;
    if (!options || options.bodyFont !== false) {
      window.Chart.defaults.font.family = window.getComputedStyle(document.body).fontFamily;
      window.Chart.defaults.color = "#1d2430";
    }
    new window.Chart(canvas, build(data, numbers));
    canvas.setAttribute("data-drawn", "true");
  }

  function draw(name, build, options) {
    function once() {
      render(name, build, options);
    }
    if (!hooked[name]) {
      // Going back restores the page from htmx's history without its pixels: draw again.
      hooked[name] = true;
      document.addEventListener("htmx:historyRestore", once);
    }
    if (document.readyState === "loading") {
      document.addEventListener("DOMContentLoaded", once);
    } else {
      once();
    }
  }

  /* Return the options every chart shares (fills its box, no animation) plus `rest`. */
  function options(rest) {
    var all = { responsive: true, maintainAspectRatio: false, animation: false };
    Object.keys(rest).forEach(function (key) {
      all[key] = rest[key];
    });
    return all;
  }

  /* Return a y axis of counts from zero, ticks written in the page's locale. */
  function countAxis(numbers) {
    return { beginAtZero: true, ticks: { callback: function (value) { return numbers.format(value); } } };
  }

  /* Return the tooltip line "series: value", the value written in the page's locale. */
  function seriesLabel(numbers) {
    return function (item) {
      return item.dataset.label + ": " + numbers.format(item.parsed.y);
    };
  }

  window.ektpCharts = {
    draw: draw,
    options: options,
    countAxis: countAxis,
    seriesLabel: seriesLabel,
    // The two colours of every chart: blue bars, amber lines or side paths.
    blue: "rgba(11, 83, 148, 0.75)",
    amber: "#d97706"
  };
})();
