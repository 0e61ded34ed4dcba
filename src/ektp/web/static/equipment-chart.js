/* Draws the simulated site-day on the equipment planning page: mean queue length and mean
 * wait by hour (drawing shared in charts.js). */
(function () {
  "use strict";

  var charts = window.ektpCharts;
  charts.draw("equipment", function (data, numbers) {
    return {
      data: {
        labels: data.labels,
        datasets: [
          { type: "bar", label: data.names.queue, data: data.queue, yAxisID: "y",
            backgroundColor: charts.blue, borderWidth: 0, order: 2 },
          { type: "line", label: data.names.wait, data: data.wait, yAxisID: "wait",
            borderColor: charts.amber, backgroundColor: charts.amber, borderWidth: 2, order: 1 }
        ]
      },
      options: charts.options({
        interaction: { mode: "index", intersect: false },
        scales: {
          y: { beginAtZero: true, position: "left", ticks: charts.countAxis(numbers).ticks },
          wait: { beginAtZero: true, position: "right", grid: { drawOnChartArea: false } }
        },
        plugins: { legend: { position: "bottom" } }
      })
    };
  }, { bodyFont: false });  // this chart has always kept Chart.js's own font and colour
})();
