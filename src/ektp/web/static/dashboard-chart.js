/* Draws recorded per day against the target (or the turns due) on the progress dashboard
 * (drawing shared in charts.js). */
(function () {
  "use strict";

  var charts = window.ektpCharts;
  charts.draw("dashboard", function (data, numbers) {
    return {
      data: {
        labels: data.labels,
        datasets: [
          { type: "bar", label: data.names.recorded, data: data.recorded,
            backgroundColor: charts.blue, borderWidth: 0, order: 2 },
          { type: "line", label: data.names.target, data: data.target,
            borderColor: charts.amber, backgroundColor: charts.amber, borderDash: [6, 4],
            borderWidth: 2, pointRadius: 0, stepped: "middle", order: 1 }
        ]
      },
      options: charts.options({
        interaction: { mode: "index", intersect: false },
        scales: { x: { ticks: { autoSkip: true, maxRotation: 0 } }, y: charts.countAxis(numbers) },
        plugins: {
          legend: { position: "bottom" },
          tooltip: { callbacks: { label: charts.seriesLabel(numbers) } }
        }
      })
    };
  });
})();
