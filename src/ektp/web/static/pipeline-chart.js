/* Draws the bar chart of cards per stage on the pipeline page (/kartu). The figures come from
 * the page itself (<script type="application/json" id="pipeline-chart-data">): the
 * Content-Security-Policy allows no inline code. htmx (hx-boost) runs this file again after
 * each swap, so drawing must be repeatable. */
(function () {
  "use strict";

  function draw() {
    var holder = document.getElementById("pipeline-chart-data");
    var canvas = document.querySelector("canvas[data-pipeline-chart]");
    if (!holder || !canvas || typeof window.Chart === "undefined") {
      return;
    }
    var data = JSON.parse(holder.textContent);
    var previous = window.Chart.getChart(canvas);
    if (previous) {
      previous.destroy();
    }
    var numbers = new Intl.NumberFormat(data.locale);
    window.Chart.defaults.font.size = 14;
    window.Chart.defaults.font.family = window.getComputedStyle(document.body).fontFamily;
    window.Chart.defaults.color = "#1d2430";
    new window.Chart(canvas, {
      type: "bar",
      data: {
        labels: data.labels,
        datasets: [
          {
            label: data.name,
            data: data.cards,
            // Side paths (damaged, lost, duplicate...) in amber, the main path in blue.
            backgroundColor: data.side.map(function (side) {
              return side ? "rgba(217, 119, 6, 0.8)" : "rgba(11, 83, 148, 0.75)";
            }),
            borderWidth: 0
          }
        ]
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        scales: {
          x: { ticks: { autoSkip: false, maxRotation: 45 } },
          y: { beginAtZero: true, ticks: { callback: function (value) { return numbers.format(value); } } }
        },
        plugins: {
          legend: { display: false },
          tooltip: {
            callbacks: {
              label: function (item) { return data.name + ": " + numbers.format(item.parsed.y); }
            }
          }
        }
      }
    });
    canvas.setAttribute("data-drawn", "true");
  }

  if (!window.ektpPipelineChartHooked) {
    window.ektpPipelineChartHooked = true;
    document.addEventListener("htmx:historyRestore", draw);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
