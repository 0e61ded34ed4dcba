/* Draws recorded per day against the target (or the turns due) on the progress dashboard.
 * The figures come from the page itself (<script type="application/json"
 * id="dashboard-chart-data">) because the Content-Security-Policy allows no inline code. The
 * page is also reached through htmx (hx-boost), which runs this file again after each swap:
 * drawing must be repeatable. */
(function () {
  "use strict";

  function draw() {
    var holder = document.getElementById("dashboard-chart-data");
    var canvas = document.querySelector("canvas[data-dashboard-chart]");
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
      data: {
        labels: data.labels,
        datasets: [
          {
            type: "bar",
            label: data.names.recorded,
            data: data.recorded,
            backgroundColor: "rgba(11, 83, 148, 0.75)",
            borderWidth: 0,
            order: 2
          },
          {
            type: "line",
            label: data.names.target,
            data: data.target,
            borderColor: "#d97706",
            backgroundColor: "#d97706",
            borderDash: [6, 4],
            borderWidth: 2,
            pointRadius: 0,
            stepped: "middle",
            order: 1
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
              label: function (item) { return item.dataset.label + ": " + numbers.format(item.parsed.y); }
            }
          }
        }
      }
    });
    canvas.setAttribute("data-drawn", "true");
  }

  if (!window.ektpDashboardChartHooked) {
    window.ektpDashboardChartHooked = true;
    document.addEventListener("htmx:historyRestore", draw);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
