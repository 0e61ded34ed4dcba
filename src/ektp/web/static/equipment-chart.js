/* Draws the simulated site-day on the equipment planning page: mean queue length and mean
 * wait by hour. The figures come from <script type="application/json" id="equipment-chart-data">
 * (the Content-Security-Policy allows no inline code); drawing is repeatable for htmx swaps. */
(function () {
  "use strict";

  function draw() {
    var holder = document.getElementById("equipment-chart-data");
    var canvas = document.querySelector("canvas[data-equipment-chart]");
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
    new window.Chart(canvas, {
      data: {
        labels: data.labels,
        datasets: [
          { type: "bar", label: data.names.queue, data: data.queue, yAxisID: "y",
            backgroundColor: "rgba(11, 83, 148, 0.75)", borderWidth: 0, order: 2 },
          { type: "line", label: data.names.wait, data: data.wait, yAxisID: "wait",
            borderColor: "#d97706", backgroundColor: "#d97706", borderWidth: 2, order: 1 }
        ]
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        interaction: { mode: "index", intersect: false },
        scales: {
          y: { beginAtZero: true, position: "left",
               ticks: { callback: function (value) { return numbers.format(value); } } },
          wait: { beginAtZero: true, position: "right", grid: { drawOnChartArea: false } }
        },
        plugins: { legend: { position: "bottom" } }
      }
    });
    canvas.setAttribute("data-drawn", "true");
  }

  if (!window.ektpEquipmentChartHooked) {
    window.ektpEquipmentChartHooked = true;
    document.addEventListener("htmx:historyRestore", draw);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
