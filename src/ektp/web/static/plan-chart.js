/* Draws the chart of planned recordings per day against capacity on the plan page.
 * The figures come from the page itself (<script type="application/json" id="plan-chart-data">)
 * because the Content-Security-Policy allows no inline code. The page is also reached through
 * htmx (hx-boost), which runs this file again after each swap: drawing must be repeatable. */
(function () {
  "use strict";

  function draw() {
    var holder = document.getElementById("plan-chart-data");
    // No id on the canvas: htmx would carry the old canvas's style attribute over to the new
    // one while settling, which the Content-Security-Policy refuses.
    var canvas = document.querySelector("canvas[data-plan-chart]");
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
    window.Chart.defaults.font.family = window.getComputedStyle(document.body).fontFamily;
    window.Chart.defaults.color = "#1d2430";
    new window.Chart(canvas, {
      data: {
        labels: data.labels,
        datasets: [
          {
            type: "bar",
            label: data.names.planned,
            data: data.planned,
            backgroundColor: "rgba(11, 83, 148, 0.75)",
            borderWidth: 0,
            order: 3
          },
          {
            type: "line",
            label: data.names.bookable,
            data: data.bookable,
            borderColor: "#d97706",
            backgroundColor: "#d97706",
            borderWidth: 2,
            pointRadius: 0,
            stepped: "middle",
            order: 1
          },
          {
            type: "line",
            label: data.names.capacity,
            data: data.capacity,
            borderColor: "#4d5869",
            backgroundColor: "#4d5869",
            borderDash: [6, 4],
            borderWidth: 2,
            pointRadius: 0,
            stepped: "middle",
            order: 2
          }
        ]
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        interaction: { mode: "index", intersect: false },
        scales: {
          x: { ticks: { autoSkip: true, maxRotation: 0 } },
          y: { beginAtZero: true, ticks: { callback: function (value) { return numbers.format(value); } } }
        },
        plugins: {
          legend: { position: "bottom" },
          tooltip: {
            callbacks: {
              title: function (items) { return items.length ? data.dates[items[0].dataIndex] : ""; },
              label: function (item) { return item.dataset.label + ": " + numbers.format(item.parsed.y); }
            }
          }
        }
      }
    });
    canvas.setAttribute("data-drawn", "true");
  }

  if (!window.ektpPlanChartHooked) {
    // Going back restores the page from htmx's history without its pixels: draw again.
    window.ektpPlanChartHooked = true;
    document.addEventListener("htmx:historyRestore", draw);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
